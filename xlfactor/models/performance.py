"""Performance figures of return series: annualised mean and volatility, Sharpe, Sortino,
maximum drawdown with its dates, hit rate, tracking error and information ratio.

Conventions (``P`` periods per year; ``n`` the periods an asset uses; ``x_t = r_t - rf_t``):

* mean: arithmetic, ``P * mean(r)`` (not compounded); mean excess return ``P * mean(x)`` (equal to the
  mean when ``rf`` is not given);
* volatility: ``sqrt(P) * std(r, ddof=1)``;
* Sharpe: ``P * mean(x) / (sqrt(P) * std(x, ddof=1))`` (``rf = 0`` when not given);
* Sortino: ``P * mean(x) / (sqrt(P) * DD)`` with the downside deviation about the risk-free
  rate over all ``n`` periods, ``DD = sqrt(sum_t min(x_t, 0)^2 / n)`` (target ``rf``; periods
  above it count as zero shortfall);
* maximum drawdown: with wealth ``W_t = prod_{s <= t} (1 + r_s)`` from ``W = 1`` before the first
  date, ``min_t (W_t / max_{s <= t} W_s - 1)`` (a negative number; 0 when wealth never falls);
* hit rate: share of periods with ``r_t > 0``;
* tracking error: ``sqrt(P) * std(r - b, ddof=1)``; information ratio: ``P * mean(r - b) / TE``.

A ratio whose denominator is 0 (a constant series, no period below the risk-free rate) is NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import day, numeric_frame, whole_number
from xlfactor.models.frequency import periods_per_year as infer_periods_per_year
from xlfactor.models.hedging import hedged_returns
from xlfactor.models.regression import regress
from xlfactor.models.units import VOLATILE_ADVICE, check_return_columns, check_units_argument

#: Why a constant asset is refused (:func:`xlfactor.models.units.check_return_columns`).
FLAT = "its volatility is zero, so its Sharpe and Sortino ratios are meaningless"
#: Columns of :func:`max_drawdown`.
DRAWDOWN_COLUMNS = ["max_drawdown", "peak", "trough", "recovery"]


def performance(
    returns: pd.Series | pd.DataFrame,
    benchmark: pd.Series | None = None,
    rf: pd.Series | None = None,
    *,
    factors: pd.DataFrame | None = None,
    periods_per_year: int | None = None,
    units: str = "auto",
) -> pd.DataFrame:
    """Performance figures per asset (one row each), with the conventions of the module docstring.

    Parameters
    ----------
    returns : Series or DataFrame
        Decimal returns, dates x assets (a Series is one asset).
    benchmark : Series, optional
        Benchmark returns by date: adds ``tracking_error`` and ``information_ratio``.
    rf : Series, optional
        Risk-free returns by date, subtracted for ``sharpe`` and ``sortino`` (and before the
        factor regression). It must cover every date an asset uses.
    factors : DataFrame, optional
        Factor returns by date: adds ``hedged_sharpe``, the Sharpe ratio of the hedged series
        ``x_t - beta' f_t = alpha + e_t`` (:func:`xlfactor.hedged_returns`; ``beta`` from
        :func:`xlfactor.regress` of the excess returns on the factors over the asset's dates with
        every factor present). That series is already an excess return: its Sharpe is
        ``P * alpha / (sqrt(P) * std(e, ddof=1))``, the annualised appraisal ratio
        (with ``ddof=1`` rather than the regression's ``n - K - 1``).
    periods_per_year : int, optional
        ``P``; inferred from the dates when omitted.
    units : {"auto", "decimal"}
        "auto" (default) refuses returns and benchmark that look like percent; "decimal" declares
        them decimals however volatile (:mod:`xlfactor.models.units`).

    Returns
    -------
    DataFrame
        Assets x ``mean, mean_excess, volatility, sharpe, sortino, max_drawdown, peak, trough, recovery,
        hit_rate`` (then ``tracking_error, information_ratio`` with a benchmark,
        ``hedged_sharpe`` with factors) and ``nobs``. ``peak``, ``trough`` and ``recovery``
        are dates (see :func:`max_drawdown`). Each asset uses its own dates: those with its
        return (and the benchmark when given) present.

    Raises
    ------
    XLFactorError
        Non-numeric or infinite values, returns that look like percentages
        (:func:`xlfactor.models.units.check_not_percent`), a loss beyond -100%, a constant asset (its
        ratios would divide by a volatility of zero), duplicate dates, an asset with fewer than 2 usable
        periods, ``rf`` missing on a used date, unknown frequency without ``periods_per_year``.
    """
    percent = check_units_argument(units)
    frame = _returns_frame(returns, "returns", percent)
    ppy = _periods(frame.index, periods_per_year)
    check_return_columns(frame.to_numpy(), frame.columns, "returns", index=frame.index, percent=False, floor=True)
    bench = None if benchmark is None else _date_series(benchmark, frame.index, "benchmark", percent)
    rf_values = None if rf is None else _date_series(rf, frame.index, "rf")
    rows = {}
    for asset in frame.columns:
        r = frame[asset]
        use = r.notna() if bench is None else r.notna() & bench.notna()
        r = r[use]
        if len(r) < 2:
            raise XLFactorError.at("returns", f"'{asset}' has {len(r)} usable period(s); need at least 2")
        check_return_columns(
            r.to_numpy(), pd.Index([asset]), "returns", percent=False, constant=True, constant_why=FLAT
        )
        x = r - _rf_on(rf_values, r.index, asset)
        rows[asset] = _figures(r, x, None if bench is None else bench[use], ppy)
    table = pd.DataFrame.from_dict(rows, orient="index")
    if factors is not None:
        table.insert(len(table.columns) - 1, "hedged_sharpe", _hedged_sharpe(frame, factors, rf_values, bench, ppy))
    table.index.name = frame.columns.name
    return table


def max_drawdown(returns: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """Maximum drawdown of each asset with its peak, trough and recovery dates.

    Wealth ``W_t = prod_{s <= t} (1 + r_s)`` starts at ``W = 1`` before the first date (missing
    returns are skipped); drawdown ``DD_t = W_t / M_t - 1`` with ``M_t = max(1, max_{s <= t} W_s)``.

    Returns
    -------
    DataFrame
        Assets x ``max_drawdown`` (``min_t DD_t``, <= 0), ``peak`` (last date wealth was at the
        high-water mark before the trough; NaT when the mark is the starting wealth, i.e. the loss
        began in the first period), ``trough`` (date of the maximum drawdown) and ``recovery``
        (first date after the trough with wealth back at the mark; NaT if not yet recovered).
        All three dates are NaT when wealth never falls.
    """
    frame = _returns_frame(returns, "returns")
    rows = {asset: _drawdown(frame[asset].dropna()) for asset in frame.columns}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=DRAWDOWN_COLUMNS)
    for column in DRAWDOWN_COLUMNS[1:]:
        table[column] = pd.to_datetime(table[column])
    return table


def _figures(r: pd.Series, x: pd.Series, bench: pd.Series | None, ppy: int) -> dict:
    root = np.sqrt(ppy)
    downside = np.sqrt(np.mean(np.minimum(x.to_numpy(), 0.0) ** 2))
    sd_x = x.std(ddof=1)
    out = {
        "mean": r.mean() * ppy,
        "mean_excess": x.mean() * ppy,
        "volatility": r.std(ddof=1) * root,
        "sharpe": _ratio(x.mean() * ppy, sd_x * root),
        "sortino": _ratio(x.mean() * ppy, downside * root),
    }
    out.update(zip(DRAWDOWN_COLUMNS, _drawdown(r), strict=True))
    out["hit_rate"] = float((r > 0).mean())
    if bench is not None:
        active = r - bench
        te = active.std(ddof=1) * root
        out["tracking_error"] = te
        out["information_ratio"] = _ratio(active.mean() * ppy, te)
    out["nobs"] = len(r)
    return out


def _drawdown(r: pd.Series) -> tuple:
    if r.empty:
        return np.nan, pd.NaT, pd.NaT, pd.NaT
    wealth = np.cumprod(1.0 + r.to_numpy())
    mark = np.maximum.accumulate(np.maximum(wealth, 1.0))
    dd = wealth / mark - 1.0
    t = int(np.argmin(dd))
    if dd[t] >= 0:
        return 0.0, pd.NaT, pd.NaT, pd.NaT
    at_mark = np.flatnonzero(wealth[:t] >= mark[t])
    peak = r.index[at_mark[-1]] if at_mark.size else pd.NaT
    back = np.flatnonzero(wealth[t + 1 :] >= mark[t])
    recovery = r.index[t + 1 + back[0]] if back.size else pd.NaT
    return float(dd[t]), peak, r.index[t], recovery


def _hedged_sharpe(frame, factors, rf_values, bench, ppy) -> pd.Series:
    use = frame if bench is None else frame.where(bench.notna(), axis=0)
    excess = use if rf_values is None else use.sub(rf_values, axis=0)
    result = regress(excess, factors, periods_per_year=ppy)
    hedged = hedged_returns(result, excess, factors)
    hedged = hedged.where(result.resid.reindex(hedged.index).notna())  # the regression's own sample
    return (hedged.mean() * ppy) / (hedged.std(ddof=1) * np.sqrt(ppy))


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else np.nan


def _periods(index: pd.Index, periods_per_year: int | None) -> int:
    if periods_per_year is not None:
        return whole_number(periods_per_year, "periods_per_year", 1)
    return infer_periods_per_year(index)


def _returns_frame(returns: object, name: str, percent: bool = True) -> pd.DataFrame:
    if isinstance(returns, pd.Series):
        returns = returns.to_frame(returns.name if returns.name is not None else name)
    if not isinstance(returns, pd.DataFrame) or returns.shape[1] == 0:
        raise XLFactorError.at(name, "expected a pandas Series or DataFrame of returns with dates as index")
    if returns.index.has_duplicates:
        raise XLFactorError.at(
            name,
            f"date {day(returns.index[returns.index.duplicated()][0])} appears more than once; keep one row per date",
        )
    out = numeric_frame(returns, name, "decimal returns").sort_index()
    if percent:  # pooled: the rule of every series in this module
        advice = () if name == "rf" else VOLATILE_ADVICE
        check_return_columns(out.to_numpy(), out.columns, name, percent=True, pooled=True, advice=advice)
    return out


def _date_series(values: object, index: pd.Index, name: str, percent: bool = True) -> pd.Series:
    if isinstance(values, pd.DataFrame) and values.shape[1] == 1:
        values = values.iloc[:, 0]
    if not isinstance(values, pd.Series):
        raise XLFactorError.at(name, "expected a pandas Series of returns indexed by date")
    return _returns_frame(values, name, percent).iloc[:, 0].reindex(index)


def _rf_on(rf_values: pd.Series | None, dates: pd.Index, asset: object) -> pd.Series | float:
    if rf_values is None:
        return 0.0
    rf = rf_values.reindex(dates)
    if rf.isna().any():
        raise XLFactorError.at(
            "rf",
            f"no risk-free rate on {day(rf.index[rf.isna().argmax()])} where '{asset}' has a return; "
            "rf must cover the sample, e.g. rf=factors['RF']",
        )
    return rf
