"""Fama-French style 2x3 sorts: six value-weighted portfolios and SMB/HML-like factors."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.models._validate import fraction_pair
from xlfactor.models.cross_section.design import as_float_frame
from xlfactor.models.cross_section.regression import check_returns


@dataclass(frozen=True)
class SortResult:
    """Result of :func:`build_sort_factors`.

    Attributes
    ----------
    portfolios : DataFrame
        Value-weighted returns of S/L, S/M, S/H, B/L, B/M, B/H (dates x 6).
    factors : DataFrame
        ``SMB`` and ``name`` (default ``HML``) long-short returns.
    breakpoints : DataFrame
        Per date: ``size`` median, ``low`` and ``high`` characteristic percentiles.
    counts : DataFrame
        Number of assets in each portfolio per date.
    """

    portfolios: pd.DataFrame
    factors: pd.DataFrame
    breakpoints: pd.DataFrame
    counts: pd.DataFrame


def build_sort_factors(
    returns: pd.DataFrame,
    size: pd.DataFrame,
    characteristic: pd.DataFrame,
    *,
    breakpoints: pd.DataFrame | pd.Series | None = None,
    percentiles: tuple[float, float] = (0.3, 0.7),
    name: str = "HML",
    exposure_lag: int = 0,
) -> SortResult:
    """Fama-French 2x3 sorts on size and a characteristic, rebalanced every date.

    On each date t, over assets with a return, a positive size and a characteristic value
    (the universe): size breakpoint = median size, characteristic breakpoints = ``percentiles``
    (30th/70th; linear interpolation), computed over the breakpoint universe (``breakpoints``:
    a boolean mask of NYSE-like assets, else the whole universe). Small (S): size <= median,
    big (B) otherwise; low (L): x <= low breakpoint, high (H): x >= high breakpoint, medium (M)
    between. Each portfolio return is value-weighted by ``size``:
    :math:`R_p = \\sum_{n \\in p} me_n r_n / \\sum_{n \\in p} me_n`. Then

    .. math::
        SMB = \\tfrac13 (SL + SM + SH) - \\tfrac13 (BL + BM + BH), \\quad
        HML = \\tfrac12 (SH + BH) - \\tfrac12 (SL + BL)

    A date with an empty portfolio gives NaN factors. ``size`` and ``characteristic`` dated t
    form the portfolios whose returns are dated t; use ``exposure_lag=1`` to form them with the
    previous date's values (the usual choice, e.g. last month's market cap).
    """
    returns = check_returns(returns)
    dates, assets = returns.index, returns.columns
    lo_p, hi_p = fraction_pair(percentiles, "percentiles")
    me = as_float_frame(size, dates, assets, "size", exposure_lag)
    x = as_float_frame(characteristic, dates, assets, "characteristic", exposure_lag)
    r = returns.to_numpy()
    with np.errstate(invalid="ignore"):
        universe = np.isfinite(r) & np.isfinite(x) & (me > 0)
    if breakpoints is None:
        bp = universe
    else:
        if isinstance(breakpoints, pd.Series):
            mask = breakpoints.reindex(assets).fillna(False).to_numpy(dtype=bool)[None, :]
        else:
            mask = breakpoints.reindex(index=dates, columns=assets).shift(exposure_lag).fillna(False)
            mask = mask.to_numpy(dtype=bool)
        bp = universe & mask
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN dates give NaN breakpoints by design
        size_med = np.nanmedian(np.where(bp, me, np.nan), axis=1)
        x_lo, x_hi = np.nanquantile(np.where(bp, x, np.nan), [lo_p, hi_p], axis=1)
        small = me <= size_med[:, None]
        low = x <= x_lo[:, None]
        high = x >= x_hi[:, None]
    groups = {
        "S/L": small & low, "S/M": small & ~low & ~high, "S/H": small & high,
        "B/L": ~small & low, "B/M": ~small & ~low & ~high, "B/H": ~small & high,
    }
    port, count = {}, {}
    for label, member in groups.items():
        member = member & universe
        weight = np.where(member, me, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            port[label] = (weight * np.where(member, r, 0.0)).sum(axis=1) / weight.sum(axis=1)
        count[label] = member.sum(axis=1)
    p = pd.DataFrame(port, index=dates)
    smb = p[["S/L", "S/M", "S/H"]].mean(axis=1, skipna=False) - p[["B/L", "B/M", "B/H"]].mean(axis=1, skipna=False)
    hml = (p["S/H"] + p["B/H"]) / 2 - (p["S/L"] + p["B/L"]) / 2
    return SortResult(
        portfolios=p,
        factors=pd.DataFrame({"SMB": smb, name: hml}),
        breakpoints=pd.DataFrame({"size": size_med, "low": x_lo, "high": x_hi}, index=dates),
        counts=pd.DataFrame(count, index=dates),
    )

