"""Time risk_backtest and risk_history against the obvious per-refit loop (target: at least 20x faster).

    python benchmarks/bench_backtest.py

100 assets x 10 years of daily returns (2520 days) on 3 factors plus RF, first forecast after
one year (252 days), refit every 21 days (monthly), sample factor covariance. The reference
loop refits the model from scratch at each refit date with the package's own fast
``regress`` (already ~150x a statsmodels loop) and ``FactorRiskModel.from_regression``,
then takes ``portfolio_risk`` for the dates up to the next refit. Both give the same
forecasts (checked to 1e-10 here). Expanding and rolling (504-day) windows; median of runs.
Random but fixed (seeded) inputs. risk_history (same refits, plus the factor and specific split,
the Euler contributions and the tracking error against an equal-weighted benchmark) is timed
against the same loop taking ``portfolio_risk`` of the weights and of the active weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from xlfactor.models.backtest import risk_backtest
from xlfactor.models.regression import regress
from xlfactor.models.risk_history import risk_history
from xlfactor.models.risk_model import FactorRiskModel

N_ASSETS, N_DAYS, START, STEP = 100, 2520, 252, 21
FACTORS = ["Mkt-RF", "SMB", "HML"]


def median_s(func: Callable[[], object], runs: int) -> float:
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter()
        func()
        times[i] = time.perf_counter() - start
    return float(np.median(times))


def sample(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    dates = pd.bdate_range("2014-01-02", periods=N_DAYS)
    f = rng.multivariate_normal([3e-4, 0, 0], np.diag([1e-4, 3e-5, 3e-5]), size=N_DAYS)
    betas = rng.normal([1.0, 0.2, 0.1], 0.3, size=(N_ASSETS, 3))
    r = f @ betas.T + rng.normal(0, 0.012, size=(N_DAYS, N_ASSETS))
    factors = pd.DataFrame(f, index=dates, columns=FACTORS).assign(RF=1e-4)
    returns = pd.DataFrame(r + 1e-4, index=dates, columns=[f"A{i:03d}" for i in range(N_ASSETS)])
    weights = pd.Series(rng.dirichlet(np.ones(N_ASSETS)), index=returns.columns)
    return returns, factors, weights


def refit_loop(
    returns: pd.DataFrame, factors: pd.DataFrame, weights: pd.Series, window: int | None, first: int
) -> np.ndarray:
    """The obvious loop: refit the whole model at each refit date on the rows before it."""
    excess = returns.sub(factors["RF"], axis=0)
    out = np.empty(N_DAYS - first)
    for tau in range(first, N_DAYS, STEP):
        lo = 0 if window is None else tau - window
        f = factors[FACTORS].iloc[lo:tau]
        model = FactorRiskModel.from_regression(regress(excess.iloc[lo:tau], f), f, annualize=False)
        out[tau - first : tau - first + STEP] = model.portfolio_risk(weights).total_vol
    return out


def history_loop(
    returns: pd.DataFrame, factors: pd.DataFrame, weights: pd.Series, bench: pd.Series, window: int | None, first: int
) -> np.ndarray:
    """The obvious loop for risk_history: refit at each refit date; total vol, its split and the tracking error."""
    excess = returns.sub(factors["RF"], axis=0)
    out = np.empty((N_DAYS - first, 4))
    for tau in range(first, N_DAYS, STEP):
        lo = 0 if window is None else tau - window
        f = factors[FACTORS].iloc[lo:tau]
        model = FactorRiskModel.from_regression(regress(excess.iloc[lo:tau], f), f)
        risk, active = model.portfolio_risk(weights), model.portfolio_risk(weights, bench)
        out[tau - first : tau - first + STEP] = [risk.total_vol, risk.factor_vol, risk.specific_vol, active.total_vol]
    return out


def main() -> None:
    returns, factors, weights = sample(np.random.default_rng(20261205))
    print(f"N={N_ASSETS} assets, T={N_DAYS} days, K={len(FACTORS)}, refit every {STEP} days; median of 5 runs")
    for window in (None, 504):
        first = window or START
        label = f"expanding from day {first}" if window is None else f"rolling {window} days"

        def fast(window=window, first=first):
            return risk_backtest(returns, weights, factors, window=window, first_forecast=first, refit_every=STEP)

        def slow(window=window, first=first):
            return refit_loop(returns, factors, weights, window, first)

        np.testing.assert_allclose(fast().table["forecast_vol"].to_numpy(), slow(), rtol=1e-10)
        t_fast, t_slow = median_s(fast, 5), median_s(slow, 5)
        print(
            f"{label:>26}: risk_backtest {t_fast * 1e3:7.1f} ms   refit loop {t_slow * 1e3:7.1f} ms   "
            f"ratio {t_slow / t_fast:5.1f}x (target >= 20x)"
        )
    bench = pd.Series(1 / N_ASSETS, index=returns.columns)
    for window in (None, 504):
        first = window or START
        label = f"expanding from day {first}" if window is None else f"rolling {window} days"

        def history(window=window, first=first):
            return risk_history(returns, weights, factors, benchmark=bench, window=window, first_forecast=first,
                                refit_every=STEP)  # fmt: skip

        def loop(window=window, first=first):
            return history_loop(returns, factors, weights, bench, window, first)

        columns = ["total_vol", "factor_vol", "specific_vol", "tracking_error"]
        np.testing.assert_allclose(history().table[columns].to_numpy(), loop(), rtol=1e-10)
        t_fast, t_slow = median_s(history, 5), median_s(loop, 5)
        print(
            f"{label:>26}: risk_history  {t_fast * 1e3:7.1f} ms   refit loop {t_slow * 1e3:7.1f} ms   "
            f"ratio {t_slow / t_fast:5.1f}x (target >= 20x)"
        )


if __name__ == "__main__":
    main()
