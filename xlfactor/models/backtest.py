"""Backtest of a factor risk model's volatility forecast: bias statistic and VaR breach tests.

At each date ``t`` the portfolio's volatility is forecast from the data before ``t``
only (the last refit at or before ``t`` uses rows up to the refit date minus one),
with the risk model of :meth:`~xlfactor.models.risk_model.FactorRiskModel.from_regression`:
OLS betas of each held asset on the factors (with intercept), specific variances
``SSR / (n - K - 1)``, the factor covariance by ``cov_method``, all per period. The
forecast is compared with the realised return at ``t``.

The estimation does not refit from scratch: the cross-products of
``x_t = [1, f_t]`` (K factors) and ``r_t`` (N held assets) that OLS needs are
carried from one refit to the next, adding the rows that enter the window and
subtracting those that leave it, so a refit costs ``O(K N)`` per new row plus one
``(K + 1)``-square solve for all assets, instead of a regression over the whole window.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import get_args

import numpy as np
import pandas as pd
from scipy.special import chdtrc, ndtri, xlogy

from xlfactor.errors import XLFactorError
from xlfactor.models import RF_COLUMN
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import fraction, whole_number
from xlfactor.models.covariance import CovMethod, factor_cov
from xlfactor.models.frequency import periods_per_year
from xlfactor.models.risk_model import weight_vector
from xlfactor.models.units import (
    MAX_GROSS,
    VOLATILE_ADVICE,
    check_gross,
    check_max_gross,
    check_return_columns,
    check_units_argument,
)


@dataclass(frozen=True)
class BacktestResult:
    """Out-of-sample check of a risk model's volatility forecast for one portfolio.

    Attributes
    ----------
    table : DataFrame
        Index = the forecast dates; columns ``forecast_vol`` (``sigma_t``, per
        period, from data before ``t``), ``realised`` (the portfolio's excess return
        ``r_t = sum_i w_i (r_i,t - RF_t)``), ``z`` (``r_t / sigma_t``), ``var``
        (``Phi^-1(c) sigma_t``, a positive loss) and ``breach`` (``r_t < -var_t``).
    bias : float
        The bias statistic, the sample standard deviation of ``z`` (``ddof=1``):
        1 for a correct forecast, above 1 when risk is understated.
    band : tuple[float, float]
        ``1 -+ sqrt(2 / T)``: the approximate 95% interval of the bias statistic
        of a correct forecast of normal returns (``T`` forecasts).
    rolling_bias : Series
        Standard deviation of ``z`` over the trailing ``bias_window`` forecasts.
    bias_window : int
    confidence : float
        VaR confidence ``c``.
    breaches : int
        ``x``, the number of breaches.
    expected_breaches : float
        ``T (1 - c)``.
    kupiec_lr, kupiec_pvalue : float
        Kupiec's proportion-of-failures test of ``P(breach) = p = 1 - c``:
        ``LR = -2 [(T - x) ln(1 - p) + x ln p - (T - x) ln(1 - x/T) - x ln(x/T)]``,
        chi-square with 1 degree of freedom (``0 ln 0 = 0``).
    christoffersen_lr, christoffersen_pvalue : float
        Christoffersen's independence test: with ``n_ij`` the number of days in
        state ``j`` after state ``i`` (1 = breach), ``pi_0 = n_01 / (n_00 + n_01)``,
        ``pi_1 = n_11 / (n_10 + n_11)``, ``pi = (n_01 + n_11) / (T - 1)``:
        ``LR = -2 [ln L(pi) - ln L(pi_0, pi_1)]`` with
        ``L(pi) = (1 - pi)^(n_00 + n_10) pi^(n_01 + n_11)`` and
        ``L(pi_0, pi_1) = (1 - pi_0)^n_00 pi_0^n_01 (1 - pi_1)^n_10 pi_1^n_11``;
        chi-square with 1 degree of freedom.
    periods_per_year : int
    window : int or None
        Rolling estimation window in periods; None for an expanding window.
    first_forecast, refit_every : int
    cov_method : str
    """

    __repr__ = short_repr

    table: pd.DataFrame
    bias: float
    band: tuple[float, float]
    rolling_bias: pd.Series
    bias_window: int
    confidence: float
    breaches: int
    expected_breaches: float
    kupiec_lr: float
    kupiec_pvalue: float
    christoffersen_lr: float
    christoffersen_pvalue: float
    periods_per_year: int
    window: int | None
    first_forecast: int
    refit_every: int
    cov_method: str


def risk_backtest(
    returns: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    factors: pd.DataFrame,
    *,
    window: int | None = None,
    first_forecast: int | None = None,
    refit_every: int = 1,
    cov_method: CovMethod = "sample",
    halflife: float | None = None,
    confidence: float = 0.99,
    bias_window: int | None = None,
    units: str = "auto",
    max_gross: float | None = MAX_GROSS,
) -> BacktestResult:
    """Forecast the portfolio's volatility at each date from earlier data and test it against realised returns.

    With ``w`` the weights of the held assets, the forecast for date ``t`` is
    ``sigma_t^2 = x' F x + sum_i w_i^2 D_i`` with ``x = B'w``, where ``B`` (OLS
    slopes), ``D`` (``SSR_i / (n - K - 1)``) and ``F`` (``factor_cov(..., cov_method,
    halflife)``, per period) are estimated on the rows ``[lo, tau)`` before the last
    refit date ``tau <= t``: ``lo = 0`` (expanding window) or ``tau - window``
    (rolling). The first forecast is at row ``first_forecast``; refits follow every
    ``refit_every`` rows (1: every date). Equal, up to rounding, to fitting
    :func:`xlfactor.regress` and :meth:`FactorRiskModel.from_regression` (per period)
    on those rows and taking ``portfolio_risk(w).total_vol``.

    OLS from cross-products: with ``x_t = [1, f_t]``, ``S_xx = sum x_t x_t'``,
    ``S_xy = sum x_t r_t'`` and ``s_i = sum r_i,t^2`` over the window:
    ``beta = S_xx^-1 S_xy`` and ``SSR_i = s_i - beta_i' (S_xy)_i``. For ``"sample"``, ``F`` is
    ``(S_ff - n m m') / (n - 1)`` with ``m = S_1f / n``; ``"ewma"`` and
    ``"ledoit_wolf"`` call :func:`xlfactor.factor_cov` on the window's K factor columns.

    Parameters
    ----------
    returns : DataFrame
        Dates x assets, simple per-period returns in decimals.
    weights : Series or mapping
        Weight per asset (held constant; assets not listed get 0).
    factors : DataFrame
        Dates x factors; an ``RF`` column, if present, is subtracted from the returns.
    window : int, optional
        Rolling estimation window in periods; default expanding.
    first_forecast : int, optional
        Rows before the first forecast (the row it is made at); default ``window`` (rolling) or
        60 (expanding). At least ``K + 3``. Not ``min_periods``, which in
        :func:`~xlfactor.models.rolling.rolling_regress` and ``specific_risk`` is the fewest
        non-missing rows an estimate needs, as in pandas.
    refit_every : int
        Rows between refits (1 = every date; 21 on daily data ~ monthly).
    cov_method, halflife
        The factor covariance estimator (:func:`xlfactor.factor_cov`).
    confidence : float
        VaR confidence in (0, 1).
    bias_window : int, optional
        Forecasts per rolling bias statistic; default one year of periods (at most ``T``).
    units : {"auto", "decimal"}
        "auto" (default) refuses returns that look like percent; "decimal" declares them decimals.
        A loss beyond -100% is refused either way (:mod:`xlfactor.models.units`).
    max_gross : float or None
        Largest gross exposure ``sum |w|`` of the weights (default 2; None: weights in currency).

    Returns
    -------
    BacktestResult

    Raises
    ------
    XLFactorError
        Non-DataFrame inputs, unknown assets, all-zero weights, percent-looking
        returns, bad window / first_forecast / refit_every / confidence / cov_method,
        fewer than two forecasts, a singular factor matrix in a window.

    Notes
    -----
    Only the held assets (``w_i != 0``) are estimated. The sample is the dates
    where every factor and every held asset has a value (other dates are dropped).
    """
    y, f, dates, w, _ = backtest_inputs(
        returns, weights, factors, percent=check_units_argument(units), max_gross=check_max_gross(max_gross)
    )
    window, start, step = backtest_schedule(f.shape, window, first_forecast, refit_every, cov_method)
    c = fraction(confidence, "confidence", example="use e.g. 0.99 for 99%")
    ppy = periods_per_year(dates)
    sigma = _forecast_vols(y, f, w, start, step, window, cov_method, halflife)
    realised = y[start:] @ w
    z = realised / sigma
    var = float(ndtri(c)) * sigma
    breach = realised < -var
    n_fc = len(z)
    b_window = whole_number(bias_window, "bias_window", minimum=2) if bias_window is not None else min(ppy, n_fc)
    table = pd.DataFrame(
        {"forecast_vol": sigma, "realised": realised, "z": z, "var": var, "breach": breach}, index=dates[start:]
    )
    kupiec = kupiec_pof(breach, 1.0 - c)
    independence = christoffersen_independence(breach)
    half = np.sqrt(2.0 / n_fc)
    return BacktestResult(
        table=table,
        bias=float(np.std(z, ddof=1)),
        band=(1.0 - half, 1.0 + half),
        rolling_bias=table["z"].rolling(b_window).std(ddof=1).dropna().rename("bias"),
        bias_window=b_window,
        confidence=c,
        breaches=int(breach.sum()),
        expected_breaches=n_fc * (1.0 - c),
        kupiec_lr=kupiec[0],
        kupiec_pvalue=kupiec[1],
        christoffersen_lr=independence[0],
        christoffersen_pvalue=independence[1],
        periods_per_year=ppy,
        window=window,
        first_forecast=start,
        refit_every=step,
        cov_method=cov_method,
    )


def backtest_schedule(
    shape: tuple[int, int], window: object, first_forecast: object, refit_every: object, cov_method: object
) -> tuple[int | None, int, int]:
    """``(window, start, step)`` checked for ``shape = (rows, K factors)``: a window of at least ``K + 3``
    rows (None: expanding), the first forecast row (default ``window`` or 60, leaving at least two
    dates to forecast) and the rows between refits; ``cov_method`` one of the covariance methods."""
    n_rows, k = shape
    if cov_method not in get_args(CovMethod):
        raise XLFactorError.at("cov_method", f"{cov_method!r} is not one of {', '.join(get_args(CovMethod))}")
    if window is not None:
        window = whole_number(window, "window", minimum=k + 3)
    first = first_forecast if first_forecast is not None else (window or 60)
    start = whole_number(first, "first_forecast", minimum=max(k + 3, window or 0))
    step = whole_number(refit_every, "refit_every", minimum=1)
    if n_rows - start < 2:
        raise XLFactorError.at(
            "first_forecast",
            f"{start} leaves {max(n_rows - start, 0)} of the {n_rows} dates to "
            "forecast; use a smaller first_forecast or a longer history",
        )
    return window, start, step


def kupiec_pof(breaches: np.ndarray, p: float) -> tuple[float, float]:
    """Kupiec's proportion-of-failures LR statistic and its chi-square(1) p-value (see :class:`BacktestResult`)."""
    hits = np.asarray(breaches, dtype=bool)
    n, x = len(hits), int(hits.sum())
    rate = x / n
    lr = -2.0 * (xlogy(n - x, 1 - p) + xlogy(x, p) - xlogy(n - x, 1 - rate) - xlogy(x, rate))
    lr = max(float(lr), 0.0)
    return lr, float(chdtrc(1, lr))


def christoffersen_independence(breaches: np.ndarray) -> tuple[float, float]:
    """Christoffersen's independence LR statistic and its chi-square(1) p-value (see :class:`BacktestResult`)."""
    hits = np.asarray(breaches, dtype=int)
    before, after = hits[:-1], hits[1:]
    n = np.array([[np.sum((before == i) & (after == j)) for j in (0, 1)] for i in (0, 1)], dtype=float)
    pi0 = n[0, 1] / n[0].sum() if n[0].sum() else 0.0
    pi1 = n[1, 1] / n[1].sum() if n[1].sum() else 0.0
    pi = n[:, 1].sum() / n.sum()
    restricted = xlogy(n[:, 0].sum(), 1 - pi) + xlogy(n[:, 1].sum(), pi)
    free = xlogy(n[0, 0], 1 - pi0) + xlogy(n[0, 1], pi0) + xlogy(n[1, 0], 1 - pi1) + xlogy(n[1, 1], pi1)
    lr = max(float(-2.0 * (restricted - free)), 0.0)
    return lr, float(chdtrc(1, lr))


def backtest_inputs(
    returns: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    factors: pd.DataFrame,
    benchmark: pd.Series | Mapping[str, float] | None = None,
    *,
    percent: bool = True,
    max_gross: float | None = MAX_GROSS,
) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex, np.ndarray, np.ndarray | None]:
    """Held assets' excess returns, factors (no RF), dates, held weights and held benchmark weights (None
    without a benchmark) on the complete dates. Held: a non-zero weight in the portfolio or the benchmark.
    ``percent``: refuse percent-looking returns; ``max_gross``: the bound on the weights' gross exposure."""
    if not isinstance(returns, pd.DataFrame):
        raise XLFactorError.at("returns", "expected a DataFrame (dates x assets)")
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError.at("factors", "expected a DataFrame (dates x factors)")
    w_all = weight_vector(weights, returns.columns, "weights", universe="the columns of returns")
    b_all = (
        None
        if benchmark is None
        else weight_vector(benchmark, returns.columns, "benchmark", universe="the columns of returns")
    )
    check_gross(w_all, "weights", max_gross)
    if not (w_all != 0).any():
        raise XLFactorError.at("weights", "every weight is zero; give the portfolio some positions")
    held = (w_all != 0) | (b_all != 0 if b_all is not None else False)
    names = [col for col in factors.columns if col != RF_COLUMN]
    if not names:
        raise XLFactorError.at("factors", "no factor columns besides RF")
    common = returns.index.intersection(factors.index).sort_values()
    block = pd.concat([returns.loc[common, returns.columns[held]], factors.loc[common]], axis=1)
    try:
        block = block.astype(float).dropna()
    except (TypeError, ValueError) as exc:
        raise XLFactorError("returns/factors: contain non-numeric values") from exc
    if not np.isfinite(block.to_numpy()).all():
        raise XLFactorError("returns/factors: contain infinite values")
    y = block.iloc[:, : int(held.sum())].to_numpy()
    check_return_columns(
        y,
        returns.columns[held],
        "returns",
        index=block.index,
        percent=percent,
        floor=True,
        advice=VOLATILE_ADVICE,
        pooled=True,
    )
    if RF_COLUMN in factors.columns:
        y = y - block[RF_COLUMN].to_numpy()[:, None]
    bench = None if b_all is None else b_all[held]
    return y, block[names].to_numpy(), pd.DatetimeIndex(block.index), w_all[held], bench


def refit_states(
    y: np.ndarray,
    f: np.ndarray,
    start: int,
    step: int,
    window: int | None,
    cov_method: str,
    halflife: float | None,
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """At each refit date ``tau`` (rows ``start, start + step, ...``): ``(tau, beta, d, cov)`` estimated on
    rows ``[lo, tau)``, from running cross-products of ``x_t = [1, f_t]`` and ``y_t``.

    ``beta`` is ``(K + 1) x N`` (intercept first), ``d`` the specific variances ``SSR / (n - K - 1)``,
    ``cov`` the factor covariance, all per period. Only the blocks OLS needs are carried:
    ``S_xx = sum x x'``, ``S_xy = sum x y'`` and the diagonal of ``sum y y'`` (``sum y_i^2``),
    updated by the rows entering and leaving the window.
    """
    n_rows, k = f.shape
    x = np.column_stack((np.ones(n_rows), f))
    s_xx = np.zeros((k + 1, k + 1))
    s_xy = np.zeros((k + 1, y.shape[1]))
    s_yy = np.zeros(y.shape[1])
    lo = hi = 0
    for tau in range(start, n_rows, step):
        new_lo = 0 if window is None else tau - window
        for a, b, sign in ((hi, tau, 1.0), (lo, new_lo, -1.0)):
            if b > a:
                s_xx += sign * (x[a:b].T @ x[a:b])
                s_xy += sign * (x[a:b].T @ y[a:b])
                s_yy += sign * np.einsum("ij,ij->j", y[a:b], y[a:b])
        lo, hi = new_lo, tau
        n = tau - lo
        try:
            beta = np.linalg.solve(s_xx, s_xy)
        except np.linalg.LinAlgError:
            raise XLFactorError.at(
                "factors",
                f"singular in the estimation window ending at row {tau}; a factor is "
                "constant or two are collinear there",
            ) from None
        ssr = s_yy - np.einsum("ij,ij->j", beta, s_xy)
        d = np.maximum(ssr, 0.0) / (n - k - 1)
        if cov_method == "sample":
            mean = s_xx[0, 1:] / n
            cov = (s_xx[1:, 1:] - n * np.outer(mean, mean)) / (n - 1)
        else:
            cov = factor_cov(pd.DataFrame(f[lo:tau]), cov_method, halflife, annualize=False).to_numpy()
        yield tau, beta, d, cov


def _forecast_vols(
    y: np.ndarray,
    f: np.ndarray,
    w: np.ndarray,
    start: int,
    step: int,
    window: int | None,
    cov_method: str,
    halflife: float | None,
) -> np.ndarray:
    """``sigma_t`` for rows ``start..T-1`` from the refits of :func:`refit_states`."""
    sigma = np.empty(len(f) - start)
    for tau, beta, d, cov in refit_states(y, f, start, step, window, cov_method, halflife):
        exposure = beta[1:] @ w
        sigma[tau - start : tau - start + step] = np.sqrt(exposure @ cov @ exposure + (w * w) @ d)
    return sigma
