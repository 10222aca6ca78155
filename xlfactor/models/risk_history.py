"""Ex-ante risk through time: at each date the factor model's forecast from earlier data only.

The refits are those of the risk backtest (:func:`xlfactor.models.backtest.refit_states`): OLS
betas, specific variances and the factor covariance from running cross-products over an
expanding or rolling window of the rows before each refit date, so a refit costs ``O(K N)`` per
new row plus one ``(K + 1)``-square solve for all assets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.models import RF_COLUMN
from xlfactor.models._validate import whole_number
from xlfactor.models.backtest import backtest_inputs, backtest_schedule, refit_states
from xlfactor.models.covariance import CovMethod
from xlfactor.models.frequency import periods_per_year
from xlfactor.models.risk_model import SPECIFIC
from xlfactor.models.units import MAX_GROSS, check_gross, check_max_gross, check_units_argument

VOL_COLUMNS = ["total_vol", "factor_vol", "specific_vol"]


@dataclass(frozen=True)
class RiskHistory:
    """The portfolio's ex-ante risk at each date, from data before that date, beside its realised volatility.

    Attributes
    ----------
    table : DataFrame
        Index = the forecast dates; columns ``total_vol``, ``factor_vol``, ``specific_vol``
        (``sigma_t``, ``sqrt(x'Fx)``, ``sqrt(sum w_i^2 D_i)``), ``tracking_error`` (with a
        benchmark: the total volatility of the active weights ``w - w_b``), ``realised`` (the
        portfolio's excess return at ``t``) and ``realised_vol`` (the sample standard deviation,
        ``ddof=1``, of ``realised`` over the ``realised_window`` dates ending at ``t``; blank until
        there are that many). Volatilities annual when ``annualized`` (times ``sqrt(periods_per_year)``).
    contributions : DataFrame
        Index = the forecast dates; columns the factors and ``"Specific"``: Euler contributions to
        ``total_vol``, ``x_k (F x)_k / sigma_t`` and ``sum w_i^2 D_i / sigma_t``; each row sums to
        ``total_vol``.
    periods_per_year : int
    annualized : bool
    window : int or None
    first_forecast, refit_every, realised_window : int
    cov_method : str
    """

    table: pd.DataFrame
    contributions: pd.DataFrame
    periods_per_year: int
    annualized: bool
    window: int | None
    first_forecast: int
    refit_every: int
    realised_window: int
    cov_method: str


def risk_history(
    returns: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    factors: pd.DataFrame,
    *,
    benchmark: pd.Series | Mapping[str, float] | None = None,
    window: int | None = None,
    first_forecast: int | None = None,
    refit_every: int = 1,
    cov_method: CovMethod = "sample",
    halflife: float | None = None,
    annualize: bool = True,
    realised_window: int | None = None,
    units: str = "auto",
    max_gross: float | None = MAX_GROSS,
) -> RiskHistory:
    """Ex-ante total, factor and specific volatility, tracking error and factor contributions at each date.

    At date ``t`` with the last refit ``tau <= t`` (rows ``[lo, tau)``: ``lo = 0`` expanding,
    ``tau - window`` rolling), ``B`` (OLS slopes), ``D`` (``SSR_i / (n - K - 1)``) and ``F``
    (``cov_method``), per period, and ``x = B'w``:

        sigma_t^2 = x'Fx + sum_i w_i^2 D_i,   c_k = x_k (F x)_k / sigma_t,   c_spec = sum_i w_i^2 D_i / sigma_t

    and the tracking error is the same ``sigma`` for the active weights ``w - w_b``. Equal to
    :func:`xlfactor.regress` and :meth:`FactorRiskModel.from_regression` on those rows (the risk
    backtest's forecasts, :func:`xlfactor.risk_backtest`, are ``total_vol`` per period).

    Parameters
    ----------
    returns, weights, factors, window, first_forecast, refit_every, cov_method, halflife
        As :func:`xlfactor.risk_backtest` (weights fixed; an ``RF`` column is subtracted).
    benchmark : Series or mapping, optional
        Benchmark weights: adds ``tracking_error``.
    annualize : bool
        Annual volatilities (``sqrt(periods_per_year)`` times per period).
    realised_window : int, optional
        Dates per realised volatility; default one year of periods.
    units : {"auto", "decimal"}
        As :func:`xlfactor.risk_backtest`: "auto" (default) refuses returns that look like percent;
        "decimal" declares them decimals. A loss beyond -100% is refused either way.
    max_gross : float or None
        Bound on ``sum |w|`` (and on the benchmark's); see :mod:`xlfactor.models.units`.

    Returns
    -------
    RiskHistory

    Raises
    ------
    XLFactorError
        As :func:`xlfactor.risk_backtest`, plus weights above ``max_gross`` and a bad ``realised_window``.
    """
    max_gross = check_max_gross(max_gross)
    y, f, dates, w, wb = backtest_inputs(
        returns, weights, factors, benchmark, percent=check_units_argument(units), max_gross=max_gross
    )
    if wb is not None:
        check_gross(wb, "benchmark", max_gross)
    window, start, step = backtest_schedule(f.shape, window, first_forecast, refit_every, cov_method)
    ppy = periods_per_year(dates)
    r_window = whole_number(realised_window, "realised_window", minimum=2) if realised_window is not None else ppy
    n_rows, k = f.shape
    n_fc = n_rows - start
    out = np.empty((n_fc, 4))
    contrib = np.empty((n_fc, k + 1))
    active = None if wb is None else w - wb
    for tau, beta, d, cov in refit_states(y, f, start, step, window, cov_method, halflife):
        rows = slice(tau - start, tau - start + step)
        x = beta[1:] @ w
        fx = cov @ x
        factor_var, specific_var = float(x @ fx), float((w * w) @ d)
        sigma = np.sqrt(factor_var + specific_var)
        out[rows, :3] = np.sqrt([factor_var + specific_var, factor_var, specific_var])
        contrib[rows, :k] = x * fx / sigma if sigma > 0 else 0.0
        contrib[rows, k] = specific_var / sigma if sigma > 0 else 0.0
        if active is not None:
            xa = beta[1:] @ active
            out[rows, 3] = np.sqrt(xa @ cov @ xa + (active * active) @ d)
    scale = np.sqrt(ppy) if annualize else 1.0
    realised = pd.Series(y @ w, index=dates)
    table = pd.DataFrame(out[:, :3] * scale, index=dates[start:], columns=VOL_COLUMNS)
    if active is not None:
        table["tracking_error"] = out[:, 3] * scale
    table["realised"] = realised.iloc[start:].to_numpy()
    table["realised_vol"] = (realised.rolling(r_window).std(ddof=1) * scale).iloc[start:].to_numpy()
    names = [c for c in factors.columns if c != RF_COLUMN]
    contributions = pd.DataFrame(contrib * scale, index=dates[start:], columns=[*names, SPECIFIC])
    return RiskHistory(
        table=table,
        contributions=contributions,
        periods_per_year=ppy,
        annualized=bool(annualize),
        window=window,
        first_forecast=start,
        refit_every=step,
        realised_window=r_window,
        cov_method=cov_method,
    )
