"""Portfolio sorts: Fama-French style size x characteristic factors and quantile spreads.

Bucket rule, for breakpoints :math:`b_1 < \\dots < b_m` on a date: an asset with value x goes to
bucket :math:`j = \\#\\{i : b_i < x\\}` (0 based), i.e. buckets are :math:`(-\\infty, b_1]`,
:math:`(b_1, b_2]`, ..., :math:`(b_m, \\infty)`; an asset exactly at a breakpoint goes to the lower
bucket (the convention of the usual replication of the Fama-French factors: small is
size <= median). Breakpoints are percentiles by linear interpolation (``numpy.quantile``'s
default) over the breakpoint universe of the date.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import increasing_fractions, whole_number
from xlfactor.models.cross_section.design import as_float_frame
from xlfactor.models.cross_section.regression import check_returns

WEIGHTINGS = ("value", "equal")


@dataclass(frozen=True)
class SortResult:
    """Result of :func:`build_sort_factors` and :func:`quantile_spread`.

    Attributes
    ----------
    portfolios : DataFrame
        Dates x portfolios: the weighted return of each bucket (``S/L`` ... ``B/H`` for a 2x3
        sort, ``Q1`` ... ``Qn`` for quantiles).
    factors : DataFrame
        Dates x long-short factors (``SMB`` and ``name`` for sorts, ``spread`` for quantiles).
    breakpoints : DataFrame
        Dates x breakpoints, named ``size_p50``, ``x_p30``, ... (percent of the percentile).
    counts : DataFrame
        Dates x portfolios: number of assets in each bucket.
    """

    __repr__ = short_repr

    portfolios: pd.DataFrame
    factors: pd.DataFrame
    breakpoints: pd.DataFrame
    counts: pd.DataFrame


def build_sort_factors(
    returns: pd.DataFrame,
    caps: pd.DataFrame,
    characteristic: pd.DataFrame,
    *,
    breakpoints: pd.DataFrame | pd.Series | None = None,
    percentiles: tuple[float, ...] = (0.3, 0.7),
    size_percentiles: tuple[float, ...] = (0.5,),
    weighting: str = "value",
    name: str = "HML",
    exposure_lag: int = 0,
    units: str = "auto",
) -> SortResult:
    """Fama-French style double sorts on size and a characteristic, rebalanced every date.

    On each date t, over assets with a return, a positive cap and a characteristic value
    (the universe): size breakpoints at ``size_percentiles`` (default the median) and
    characteristic breakpoints at ``percentiles`` (default 30th/70th; e.g. ``(0.1, 0.9)`` for the
    10/90 split), both computed over the breakpoint universe (``breakpoints``: a boolean mask of
    NYSE-like assets, a Series asset -> bool or a DataFrame dates x assets, else the whole
    universe). Assets are bucketed by the rule of the module docstring; a 2x3 sort gives
    portfolios ``S/L, S/M, S/H, B/L, B/M, B/H`` (size S/B; characteristic L/M/H, or L/H for one
    breakpoint, ``Q1..Qm`` otherwise; size ``Size1..Sizek`` for more than two groups). Portfolio
    returns are value-weighted by the market caps ``caps`` (``weighting="value"``):
    :math:`R_p = \\sum_{n \\in p} me_n r_n / \\sum_{n \\in p} me_n`, or equal-weighted (``"equal"``).
    Then, with rows = size groups and columns = characteristic groups,

    .. math::
        SMB = \\overline{R}_{\\text{smallest row}} - \\overline{R}_{\\text{biggest row}}, \\quad
        HML = \\overline{R}_{\\text{highest column}} - \\overline{R}_{\\text{lowest column}}

    (averages over the other dimension's groups; for 2x3:
    :math:`SMB = \\tfrac13 (SL + SM + SH) - \\tfrac13 (BL + BM + BH)`,
    :math:`HML = \\tfrac12 (SH + BH) - \\tfrac12 (SL + BL)`).

    ``name`` names the characteristic factor's column (not ``SMB``, the size factor's). ``units``
    ("auto" or "decimal") as in :func:`~xlfactor.models.cross_section.regression.cross_sectional_regress`;
    a cap that is not positive, and a cap or characteristic that is infinite or larger than
    :data:`~xlfactor.models.units.MAX_MAGNITUDE`, is refused naming the asset and date (blank an
    unknown value: the asset then sits out that date).

    A date with an empty portfolio gives NaN factors. ``caps`` and ``characteristic`` dated t
    form the portfolios whose returns are dated t; use ``exposure_lag=1`` to form them with the
    previous date's values (the usual choice, e.g. last month's market cap).
    """
    returns = check_returns(returns, units=units)
    char_p = increasing_fractions(percentiles, "percentiles", "(0.3, 0.7)")
    size_p = increasing_fractions(size_percentiles, "size_percentiles", "(0.5,)")
    how = _weighting(weighting)
    name = _factor_name(name)
    me = as_float_frame(caps, returns.index, returns.columns, "caps", exposure_lag, "market cap", low="positive")
    x = as_float_frame(characteristic, returns.index, returns.columns, "characteristic", exposure_lag, "characteristic")
    sort = _Sort(returns, me, x, breakpoints, exposure_lag)
    size_group, size_bp = sort.buckets(me, size_p)
    x_group, x_bp = sort.buckets(x, char_p)
    size_labels = ["S", "B"] if len(size_p) == 1 else [f"Size{i + 1}" for i in range(len(size_p) + 1)]
    x_labels = _char_labels(len(char_p) + 1)
    members = {
        f"{s}/{c}": (size_group == i) & (x_group == j)
        for i, s in enumerate(size_labels)
        for j, c in enumerate(x_labels)
    }
    p, counts = sort.portfolios(members, me if how == "value" else None)
    small = p[[f"{size_labels[0]}/{c}" for c in x_labels]].mean(axis=1, skipna=False)
    big = p[[f"{size_labels[-1]}/{c}" for c in x_labels]].mean(axis=1, skipna=False)
    high = p[[f"{s}/{x_labels[-1]}" for s in size_labels]].mean(axis=1, skipna=False)
    low = p[[f"{s}/{x_labels[0]}" for s in size_labels]].mean(axis=1, skipna=False)
    bp = {**_bp_columns("size", size_p, size_bp), **_bp_columns("x", char_p, x_bp)}
    return SortResult(
        portfolios=p,
        factors=pd.DataFrame({"SMB": small - big, name: high - low}),
        breakpoints=pd.DataFrame(bp, index=returns.index),
        counts=counts,
    )


def quantile_spread(
    returns: pd.DataFrame,
    signal: pd.DataFrame,
    *,
    n_quantiles: int = 10,
    weighting: str = "equal",
    caps: pd.DataFrame | None = None,
    breakpoints: pd.DataFrame | pd.Series | None = None,
    exposure_lag: int = 0,
    units: str = "auto",
) -> SortResult:
    """Top-minus-bottom quantile portfolio returns of a signal, rebalanced every date.

    On each date, over assets with a return and a signal value (and a positive cap in ``caps`` when
    value-weighting), breakpoints at the ``k / n`` percentiles (k = 1 .. n-1; deciles by default)
    of the breakpoint universe (``breakpoints`` mask as in :func:`build_sort_factors`) split the
    assets into ``Q1`` (lowest signal) .. ``Qn`` (highest) by the module docstring's rule. Each
    portfolio is equal-weighted (``weighting="equal"``) or value-weighted by ``caps``
    (``"value"``), and

    .. math:: spread_t = R_{Qn,t} - R_{Q1,t}

    (NaN on dates with an empty top or bottom portfolio). ``exposure_lag`` shifts ``signal``,
    ``caps`` and a dated mask, and ``units`` and the cell rules apply, as in :func:`build_sort_factors`.
    """
    n = whole_number(n_quantiles, "n_quantiles", 2)
    quantiles = tuple(k / n for k in range(1, n))
    labels = [f"Q{k}" for k in range(1, n + 1)]
    return _one_sort(
        returns, signal, "signal", quantiles, labels, weighting, caps, breakpoints, exposure_lag, "spread", units
    )


def single_sort_factor(
    returns: pd.DataFrame,
    characteristic: pd.DataFrame,
    *,
    percentiles: tuple[float, ...] = (0.3, 0.7),
    weighting: str = "equal",
    caps: pd.DataFrame | None = None,
    low_minus_high: bool = False,
    name: str = "HML",
    breakpoints: pd.DataFrame | pd.Series | None = None,
    exposure_lag: int = 0,
    units: str = "auto",
) -> SortResult:
    """A long-short factor from one sort on one characteristic, rebalanced every date.

    On each date, over assets with a return and a characteristic value (and a positive cap in ``caps``
    when value-weighting), breakpoints at ``percentiles`` of the breakpoint universe split the
    assets by the module docstring's rule into ``L`` (lowest), ``M``, ``H`` (highest) for two
    breakpoints (``L``/``H`` for one, ``Q1``.. otherwise); each portfolio is equal-weighted or
    value-weighted by ``caps``, and

    .. math:: factor_t = R_{H,t} - R_{L,t} \\quad (R_{L,t} - R_{H,t} \text{ with } low\\_minus\\_high)

    The course notes' simple factors are one call each: the equal-weighted 30/70 value split
    ``single_sort_factor(returns, bm)`` (HML = top 30% minus bottom 30% of book-to-market) and the
    10/90 size split ``single_sort_factor(returns, caps, percentiles=(0.1, 0.9), low_minus_high=True,
    name="SMB")`` (bottom 10% minus top 10% of market cap). ``breakpoints``, ``exposure_lag``, ``units``
    and the cell rules as in :func:`build_sort_factors`.
    """
    p = increasing_fractions(percentiles, "percentiles", "(0.3, 0.7)")
    if not isinstance(low_minus_high, (bool, np.bool_)):
        raise XLFactorError.at("low_minus_high", f"expected True or False, got {low_minus_high!r}")
    labels = _char_labels(len(p) + 1)
    result = _one_sort(returns, characteristic, "characteristic", p, labels, weighting, caps, breakpoints,
                       exposure_lag, name, units)  # fmt: skip
    if low_minus_high:
        return replace(result, factors=-result.factors)
    return result


def _one_sort(
    returns: pd.DataFrame,
    values: pd.DataFrame,
    arg: str,
    percentiles: tuple[float, ...],
    labels: list[str],
    weighting: str,
    caps: pd.DataFrame | None,
    breakpoints: pd.DataFrame | pd.Series | None,
    exposure_lag: int,
    name: str,
    units: str,
) -> SortResult:
    """One sort of ``values`` at ``percentiles`` into ``labels``; the factor ``name`` = last minus first portfolio."""
    returns = check_returns(returns, units=units)
    how = _weighting(weighting)
    if how == "value" and caps is None:
        raise XLFactorError.at("caps", "weighting='value' needs the market caps (dates x assets)")
    x = as_float_frame(values, returns.index, returns.columns, arg, exposure_lag, arg)
    me = (
        None
        if caps is None
        else as_float_frame(caps, returns.index, returns.columns, "caps", exposure_lag, "market cap", low="positive")
    )
    sort = _Sort(returns, me if how == "value" else None, x, breakpoints, exposure_lag)
    group, bp = sort.buckets(x, percentiles)
    weights = me if how == "value" else None
    p, counts = sort.portfolios({label: group == k for k, label in enumerate(labels)}, weights)
    return SortResult(
        portfolios=p,
        factors=pd.DataFrame({name: p[labels[-1]] - p[labels[0]]}),
        breakpoints=pd.DataFrame(_bp_columns("x", percentiles, bp), index=returns.index),
        counts=counts,
    )


class _Sort:
    """One sort's universe (finite return and sort variable, positive cap when caps are given)
    and breakpoint universe, on the returns' date x asset grid."""

    def __init__(self, returns: pd.DataFrame, me: np.ndarray | None, x: np.ndarray, mask, lag: int) -> None:
        self.dates = returns.index
        self.r = returns.to_numpy()
        with np.errstate(invalid="ignore"):
            self.universe = np.isfinite(self.r) & np.isfinite(x)
            if me is not None:
                self.universe &= me > 0
        self.bp_universe = self.universe if mask is None else self.universe & _mask(mask, returns, lag)

    def buckets(self, values: np.ndarray, percentiles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Bucket number per cell (-1 outside the universe) and the breakpoints (m, T)."""
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN dates give NaN breakpoints by design
            bp = np.nanquantile(np.where(self.bp_universe, values, np.nan), percentiles, axis=1)
            group = (values[None, :, :] > bp[:, :, None]).sum(axis=0)
        return np.where(self.universe, group, -1), bp

    def portfolios(self, members: dict[str, np.ndarray], me: np.ndarray | None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Weighted returns (value-weighted by ``me``, else equal) and counts of each bucket."""
        port, count = {}, {}
        for label, member in members.items():
            weight = np.where(member, 1.0 if me is None else me, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                port[label] = (weight * np.where(member, self.r, 0.0)).sum(axis=1) / weight.sum(axis=1)
            count[label] = member.sum(axis=1)
        return pd.DataFrame(port, index=self.dates), pd.DataFrame(count, index=self.dates)


def _mask(mask, returns: pd.DataFrame, lag: int) -> np.ndarray:
    if isinstance(mask, pd.Series):
        return mask.reindex(returns.columns).fillna(False).to_numpy(dtype=bool)[None, :]
    if isinstance(mask, pd.DataFrame):
        frame = mask.reindex(index=returns.index, columns=returns.columns).shift(lag).fillna(False)
        return frame.to_numpy(dtype=bool)
    raise XLFactorError.at(
        "breakpoints",
        "expected a boolean Series (asset -> True for breakpoint assets, e.g. NYSE) "
        "or a DataFrame of booleans (dates x assets)",
    )


def _factor_name(name: object) -> str:
    """The high-minus-low factor's column name: text, and not ``SMB`` (the size factor's column)."""
    if not isinstance(name, str) or not name.strip():
        raise XLFactorError.at("name", f"expected the factor's name as text (e.g. HML), got {name!r}")
    if name.strip().upper() == "SMB":
        raise XLFactorError.at(
            "name",
            f"{name.strip()!r} is the size factor's column, which the sort also returns; "
            "call the characteristic factor something else (e.g. HML)",
        )
    return name.strip()


def _weighting(weighting: object) -> str:
    if not isinstance(weighting, str) or weighting.lower() not in WEIGHTINGS:
        raise XLFactorError.at("weighting", f"{weighting!r} is not one of {', '.join(WEIGHTINGS)}")
    return weighting.lower()


def _char_labels(n: int) -> list[str]:
    if n == 2:
        return ["L", "H"]
    if n == 3:
        return ["L", "M", "H"]
    return [f"Q{k}" for k in range(1, n + 1)]


def _bp_columns(prefix: str, percentiles: tuple[float, ...], values: np.ndarray) -> dict[str, np.ndarray]:
    return {f"{prefix}_p{100 * p:g}": v for p, v in zip(percentiles, values, strict=True)}
