"""Time FactorRiskModel.portfolio_risk for N=5000 assets, K=50 factors (target: under 1 ms).

    python benchmarks/bench_risk.py

Prints the median of many runs for each way of passing weights, the active-risk call,
var_es and stress, and, for comparison, building the N x N matrix with asset_cov() and
the explicit quadratic form w' Sigma w on it. Random but fixed (seeded) inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from xlfactor.models.risk_model import FactorRiskModel
from xlfactor.models.scenarios import stress, var_es

N_ASSETS, N_FACTORS = 5000, 50


def median_ms(func: Callable[[], object], runs: int) -> float:
    func()  # warm-up
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter()
        func()
        times[i] = time.perf_counter() - start
    return float(np.median(times) * 1e3)


def build_model(rng: np.random.Generator) -> FactorRiskModel:
    assets = pd.Index([f"A{i:04d}" for i in range(N_ASSETS)])
    factors = pd.Index([f"F{k:02d}" for k in range(N_FACTORS)])
    exposures = pd.DataFrame(rng.normal(0.0, 0.5, (N_ASSETS, N_FACTORS)), index=assets, columns=factors)
    root = rng.normal(0.0, 0.1, (N_FACTORS, N_FACTORS))
    cov = pd.DataFrame(root @ root.T / N_FACTORS, index=factors, columns=factors)
    specific = pd.Series(rng.uniform(0.01, 0.2, N_ASSETS), index=assets)
    return FactorRiskModel(exposures, cov, specific, periods_per_year=252)


def main() -> None:
    rng = np.random.default_rng(20250101)
    model = build_model(rng)
    weights = pd.Series(rng.dirichlet(np.ones(N_ASSETS)), index=model.assets)
    relabelled = pd.Series(weights.to_numpy(), index=pd.Index(list(model.assets)))  # equal labels, new object
    shuffled = weights.sample(frac=1.0, random_state=1)
    benchmark = pd.Series(1.0 / N_ASSETS, index=model.assets)
    array = weights.to_numpy()

    print(f"N={N_ASSETS} assets, K={N_FACTORS} factors; median of 2000 runs (target < 1 ms)")
    rows = {
        "portfolio_risk(Series on model.assets)": lambda: model.portfolio_risk(weights),
        "portfolio_risk(ndarray)": lambda: model.portfolio_risk(array),
        "portfolio_risk(Series, equal labels)": lambda: model.portfolio_risk(relabelled),
        "portfolio_risk(Series, shuffled order)": lambda: model.portfolio_risk(shuffled),
        "portfolio_risk(weights, benchmark)": lambda: model.portfolio_risk(weights, benchmark),
        "var_es(weights, 0.99, horizon=10)": lambda: var_es(model, weights, 0.99, 10),
        "stress(weights, {F00: -0.1, F01: 0.02})": lambda: stress(model, weights, {"F00": -0.1, "F01": 0.02}),
    }
    for name, func in rows.items():
        print(f"  {name:45s} {median_ms(func, 2000):8.3f} ms")

    print("for comparison (median of 5 runs):")
    build = median_ms(model.asset_cov, 5)
    sigma = model.asset_cov().to_numpy()
    quad = median_ms(lambda: array @ sigma @ array, 20)
    print(f"  {'asset_cov() (N x N DataFrame)':45s} {build:8.1f} ms")
    print(f"  {'w @ Sigma @ w on the prebuilt N x N matrix':45s} {quad:8.3f} ms")
    check = model.portfolio_risk(array).total_var
    print(f"  low-rank vs explicit variance: relative difference {abs(check / (array @ sigma @ array) - 1):.1e}")


if __name__ == "__main__":
    main()
