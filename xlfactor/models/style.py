"""Returns-based style analysis (Sharpe 1992): the long-only mix of indices that best tracks a fund."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models import labels
from xlfactor.models._validate import whole_number
from xlfactor.models.covariance import COLLINEAR_TOL, check_nonsingular
from xlfactor.models.hedging import joined_returns
from xlfactor.models.quadratic_program import solve_bounded_qp

#: The column of the rolling table holding each window's R-squared.
RSQUARED = labels.RSQUARED.short
_NAMES = ("returns", "indices", "index")
_CHUNK = 256  # rolling windows whose covariances are formed together


@dataclass(frozen=True)
class StyleResult:
    """Result of :func:`style_analysis`.

    Attributes
    ----------
    weights : Series
        Style weight per index: ``w >= 0``, ``sum(w) = 1``.
    rsquared : float
        ``1 - Var(e) / Var(r)``, ``e = r - R w`` (Sharpe's R-squared: the share of the fund's
        variance its style explains).
    selection : float
        ``mean(e)`` per period: the fund's return beyond its style mix (Sharpe's "selection").
    tracking_vol : float
        ``std(e)`` per period (``ddof=1``); ``tracking_vol_annualized`` times
        ``sqrt(periods_per_year)`` (None when the frequency is unknown).
    unused : Series
        True for the indices whose weight is held at 0 by the long-only constraint.
    nobs : int
        Dates used (fund and every index present).
    periods_per_year : int or None
    rolling : DataFrame or None
        With ``window_size``: for each date ending a full window, that window's weights and R2.
    """

    weights: pd.Series
    rsquared: float
    selection: float
    tracking_vol: float
    tracking_vol_annualized: float | None
    unused: pd.Series
    nobs: int
    periods_per_year: int | None
    rolling: pd.DataFrame | None


def style_analysis(
    returns: pd.Series | pd.DataFrame,
    indices: pd.DataFrame,
    *,
    window_size: int | None = None,
    periods_per_year: int | None = None,
    units: str = "auto",
) -> StyleResult:
    """Sharpe's returns-based style analysis of one fund on m index return series.

    ``w = argmin Var(r - R w)`` subject to ``w_j >= 0`` and ``sum_j w_j = 1``, that is the quadratic
    program ``min 1/2 w' C_RR w - w' C_Rr`` (sample covariances, ``ddof=1``) over the simplex,
    solved exactly by the active-set method of :mod:`xlfactor.models.quadratic_program` (its KKT
    conditions hold to rounding error). ``R2 = 1 - Var(e)/Var(r)`` with ``e = r - R w``.

    Parameters
    ----------
    returns : Series or one-column DataFrame
        The fund's returns.
    indices : DataFrame
        The style indices' returns (one column each), aligned by date; only dates where the fund and
        every index are present are used.
    window_size : int, optional
        Also solve on every rolling window of this many consecutive usable dates (at least
        ``m + 2``), giving :attr:`StyleResult.rolling`.
    periods_per_year : int, optional
        For the annualised tracking volatility; inferred from a date index when omitted.
    units : {"auto", "decimal"}
        The units rule of :mod:`xlfactor.models.units` (``"decimal"`` skips the percent test).

    Raises
    ------
    XLFactorError
        Non-numeric data, returns that break the units rule, fewer than ``m + 2`` common dates, a
        constant fund or index, collinear indices (also within a rolling window), a bad ``window_size``.
    """
    data = joined_returns(returns, indices, periods_per_year, units, names=_NAMES)
    values, names, ppy = data.values, data.columns, data.periods_per_year
    m = len(names)
    w, unused, r2, e = _solve(values, np.cov(values, rowvar=False, ddof=1))
    rolling = None
    if window_size is not None:
        size = whole_number(window_size, "window_size", m + 2, len(values))
        rows = []
        for start in range(0, len(values) - size + 1, _CHUNK):
            covs, constant = _window_covs(values, size, start, min(start + _CHUNK, len(values) - size + 1))
            _check_windows(covs, constant, names, data.index, start + size - 1)
            for k, cov in enumerate(covs):
                w_k, _, r2_k, _ = _solve(values[start + k : start + k + size], cov)
                rows.append([*w_k, r2_k])
        rolling = pd.DataFrame(rows, index=data.index[size - 1 :], columns=[*names, RSQUARED])
    vol = float(np.std(e, ddof=1))
    return StyleResult(
        weights=pd.Series(w, index=names, name="weight"),
        rsquared=r2,
        selection=float(e.mean()),
        tracking_vol=vol,
        tracking_vol_annualized=vol * np.sqrt(ppy) if ppy else None,
        unused=pd.Series(unused, index=names, name="unused"),
        nobs=len(values),
        periods_per_year=ppy,
        rolling=rolling,
    )


def _solve(values: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Weights, which are held at 0, R2 and the tracking errors for ``values`` = [fund, indices...] with their
    covariance ``cov`` (``ddof=1``)."""
    m = cov.shape[0] - 1
    solution = solve_bounded_qp(cov[1:, 1:], cov[1:, 0], np.zeros(m), np.full(m, np.inf), sum_to_one=True)
    e = values[:, 0] - values[:, 1:] @ solution.w
    return solution.w, solution.binding != "", 1.0 - float(np.var(e, ddof=1) / cov[0, 0]), e


def _window_covs(values: np.ndarray, size: int, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """``ddof=1`` covariance matrices of the windows of ``size`` rows starting at ``first`` .. ``stop - 1``, and
    which columns are constant in each window."""
    windows = np.lib.stride_tricks.sliding_window_view(values[first : stop + size - 1], size, axis=0)
    centred = windows - windows.mean(axis=2, keepdims=True)
    constant = windows.max(axis=2) == windows.min(axis=2)
    return np.einsum("wis,wjs->wij", centred, centred) / (size - 1), constant


def _check_windows(covs: np.ndarray, constant: np.ndarray, names: pd.Index, dates: pd.Index, first_end: int) -> None:
    """Raise, naming the window's last date, if the fund or an index is constant in some window, or the indices'
    covariance is singular there (checked in one batch; that message from :func:`check_nonsingular`)."""

    def ending(k: int) -> str:
        day = dates[first_end + k]
        return f"{day:%Y-%m-%d}" if isinstance(day, pd.Timestamp) else f"at row {first_end + k + 1}"

    flat = constant.any(axis=1)
    if flat.any():
        k = int(np.argmax(flat))
        column = int(np.argmax(constant[k]))
        what = "returns: the fund's returns are" if column == 0 else f"indices: '{names[column - 1]}' is"
        raise XLFactorError(f"{what} constant in the window ending {ending(k)}; use longer windows or drop it")
    inner = covs[:, 1:, 1:]
    if inner.shape[1] < 2:
        return
    sd = np.sqrt(np.einsum("wii->wi", inner))
    lowest = np.linalg.eigvalsh(inner / sd[:, :, None] / sd[:, None, :])[:, 0]
    if (lowest < COLLINEAR_TOL).any():
        k = int(np.argmax(lowest < COLLINEAR_TOL))
        check_nonsingular(inner[k], names, "indices", where=f" in the window ending {ending(k)}")
