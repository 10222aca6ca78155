"""Speed of xf.regress and xf.rolling_regress against the obvious statsmodels loops.

    python benchmarks/bench_regression.py

* regress: N=3000 assets, T=2520 days, K=6 factors, with t-statistics and p-values
  (target >= 150x faster than a per-asset ``sm.OLS(y, X).fit()`` loop), also with HC1
  and HAC standard errors (HAC target >= 30x), and on a panel with late starters and gaps; then the per-asset
  diagnostics (F test, Durbin-Watson, Breusch-Pagan, Jarque-Bera), computed on first access only,
  against the statsmodels loop that fits and computes them.
* rolling_regress: N=100 assets, T=5000 days, window 252, K=3 (target >= 600x faster
  than ``RollingOLS(y, X, window=252).fit(params_only=True)`` per asset; alpha,
  betas and R2 on our side, params only on theirs).

The statsmodels loops are timed on a subset of assets and scaled linearly to the full
N (their cost per asset does not depend on N); each figure says so. The headline OLS
loop is the obvious one on the same pandas inputs xlfactor takes
(``sm.OLS(returns[col], add_constant(factors), missing="drop").fit()``, reading params,
bse, tvalues, rsquared, rsquared_adj; and ``RollingOLS(returns[col], add_constant(factors),
window=252).fit(params_only=True).params``); the same loops on plain numpy arrays (their
fastest input) are printed too. Both libraries compute p-values and residuals only when they
are read: a second line per case reads p-values on both sides, and the first
``.resid`` access of xlfactor is timed separately. xlfactor times are medians.

BLAS threading is left as configured (OPENBLAS_NUM_THREADS etc.); the per-asset loop
gains little from threads, xlfactor's large products do. On a busy shared machine
multi-threaded BLAS timings are erratic: compare with OPENBLAS_NUM_THREADS=1. Every line also
gives the ratio of process CPU times (same medians / loops): when other processes share the
cores, wall-clock time depends on how the scheduler splits them between the two sides, CPU
time much less.
Compiled kernels (numba; issue 23): the HAC meat and the rolling loop run compiled where numba
is installed. Their cases are also timed with ``XLFACTOR_NO_JIT=1`` in the same run (the numpy
kernels, which are main's code before the compiled ones), and the first-call compile time is
measured in fresh processes with an empty and then a warm numba cache.
Synthetic, seeded data: factor returns ~1% daily vol, betas ~N(1, 0.5), 2% noise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.regression.rolling import RollingOLS
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.stattools import durbin_watson, jarque_bera

from xlfactor.models import _jit
from xlfactor.models._column_kernels import column_stats
from xlfactor.models._jit import available as jit_available
from xlfactor.models._ols_inputs import design, prepare
from xlfactor.models.regression import _fit, regress
from xlfactor.models.rolling import rolling_regress
from xlfactor.models.units import percent_threshold

REGRESS_N, REGRESS_T, REGRESS_K, REGRESS_SUBSET = 3000, 2520, 6, 300
ROLL_N, ROLL_T, ROLL_K, ROLL_WINDOW, ROLL_SUBSET = 100, 5000, 3, 252, 10


def panel(rng: np.random.Generator, n: int, t: int, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    dates = pd.bdate_range("2000-01-03", periods=t)
    factors = pd.DataFrame(rng.normal(0.0003, 0.01, (t, k)), index=dates, columns=[f"F{i}" for i in range(k)])
    betas = rng.normal(1.0, 0.5, (k, n))
    returns = factors.to_numpy() @ betas + rng.normal(0.0, 0.02, (t, n))
    return pd.DataFrame(returns, index=dates, columns=[f"A{i:04d}" for i in range(n)]), factors


def median_s(func: Callable[[], object], runs: int) -> float:
    """Median wall-clock seconds of ``func`` over ``runs`` calls after a warm-up."""
    return median_times(func, runs)[0]


def median_times(func: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and process-CPU seconds of ``func`` over ``runs`` calls after a warm-up."""
    func()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return float(np.median(wall)), float(np.median(cpu))


def timed(func: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and process-CPU seconds of one call of ``func``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - start, time.process_time() - start_cpu


def numpy_kernels(func: Callable[[], object]) -> Callable[[], object]:
    """``func`` run on the numpy kernels (``XLFACTOR_NO_JIT`` set for the call)."""

    def run() -> object:
        os.environ[_jit.NO_JIT] = "1"
        try:
            return func()
        finally:
            del os.environ[_jit.NO_JIT]

    return run


def reference_inputs(returns: pd.DataFrame, factors: pd.DataFrame, as_numpy: bool) -> tuple:
    """The design matrix with a constant and one return column per asset, as pandas or as numpy arrays."""
    x = sm.add_constant(factors)
    columns = [returns[c] for c in returns.columns]
    if as_numpy:
        return x.to_numpy(), [c.to_numpy() for c in columns]
    return x, columns


def statsmodels_loop_s(
    returns: pd.DataFrame, factors: pd.DataFrame, cov: str, as_numpy: bool, with_p: bool
) -> tuple[float, float]:
    """Wall-clock and CPU seconds for the per-asset OLS loop (params, bse, t, R2; p-values if ``with_p``)."""
    x, columns = reference_inputs(returns, factors, as_numpy)

    def loop() -> None:
        for y in columns:
            model = sm.OLS(y, x, missing="drop")
            if cov == "nonrobust":
                fit = model.fit()
            elif cov == "hc1":
                fit = model.fit(cov_type="HC1")
            else:
                lags = int(np.floor(4 * (model.nobs / 100) ** (2 / 9)))  # statsmodels' own default rule
                fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
            _ = (fit.params, fit.bse, fit.tvalues, fit.rsquared, fit.rsquared_adj)
            if with_p:
                _ = fit.pvalues

    return timed(loop)


def ours_s(returns: pd.DataFrame, factors: pd.DataFrame, cov: str, with_p: bool) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``regress`` (reading p-values too if ``with_p``)."""
    if with_p:
        return median_times(lambda: regress(returns, factors, cov=cov).pvalues, 7)
    return median_times(lambda: regress(returns, factors, cov=cov), 7)


def bench_regress(rng: np.random.Generator) -> None:
    returns, factors = panel(rng, REGRESS_N, REGRESS_T, REGRESS_K)
    gappy = returns.copy()
    for j in rng.choice(REGRESS_N, REGRESS_N // 10, replace=False):
        gappy.iloc[: rng.integers(1, REGRESS_T // 2), j] = np.nan  # 10% start late
    for j in rng.choice(REGRESS_N, REGRESS_N // 100, replace=False):
        start = rng.integers(0, REGRESS_T - 30)
        gappy.iloc[start : start + 20, j] = np.nan  # 1% with a 20-day interior gap
    subset = returns.columns[:: REGRESS_N // REGRESS_SUBSET]
    scale = REGRESS_N / len(subset)
    print(
        f"regress: N={REGRESS_N} assets, T={REGRESS_T} days, K={REGRESS_K} factors (+ alpha); target >= 150x "
        f"with t-stats. statsmodels loops timed on {len(subset)} assets and scaled x{scale:.0f}."
    )
    cases = [
        ("complete", returns, "nonrobust", False),
        ("complete", returns, "nonrobust", True),
        ("complete", returns, "hc1", False),
        ("complete", returns, "hac", False),
        ("10% late, 1% gaps", gappy, "nonrobust", False),
        ("10% late, 1% gaps", gappy, "hac", False),
    ]
    for label, data, cov, with_p in cases:
        ours, ours_cpu = ours_s(data, factors, cov, with_p)
        on_pandas, pandas_cpu = (v * scale for v in statsmodels_loop_s(data[subset], factors, cov, False, with_p))
        on_numpy, numpy_cpu = (v * scale for v in statsmodels_loop_s(data[subset], factors, cov, True, with_p))
        what = "t-stats + p-values" if with_p else "t-stats"
        print(
            f"  {label:17s} {cov:9s} {what:18s}: xlfactor {ours * 1e3:6.1f} ms | OLS loop on pandas "
            f"{on_pandas:5.2f} s -> {on_pandas / ours:4.0f}x | on numpy {on_numpy:5.2f} s -> {on_numpy / ours:4.0f}x"
            f" | CPU time: {ours_cpu * 1e3:6.1f} ms vs {pandas_cpu:5.2f} s -> {pandas_cpu / ours_cpu:4.0f}x "
            f"(numpy {numpy_cpu / ours_cpu:4.0f}x)"
        )
        if cov == "hac":
            plain, plain_cpu = median_times(numpy_kernels(lambda d=data, c=cov: regress(d, factors, cov=c)), 7)
            print(
                f"  {'':17s} {cov:9s} numpy kernels     : {plain * 1e3:6.1f} ms (CPU {plain_cpu * 1e3:6.1f} ms) -> "
                f"OLS loop on pandas {on_pandas / plain:4.0f}x, CPU {pandas_cpu / plain_cpu:4.0f}x; compiled / numpy: "
                f"{plain / ours:.1f}x faster (CPU {plain_cpu / ours_cpu:.1f}x)"
            )
    bench_split(returns, factors)
    resid_s = median_s(lambda: regress(returns, factors).resid, 5) - median_s(lambda: regress(returns, factors), 5)
    print(f"  first access of .resid (T x N residuals), complete panel: +{resid_s * 1e3:.1f} ms")
    bench_diagnostics(returns, factors, subset, scale)


def bench_split(returns: pd.DataFrame, factors: pd.DataFrame) -> None:
    """Where ``regress`` (nonrobust) spends its time: the input rules, the fit, and one read of the panel;
    then what validation costs as a share of the fit."""
    data = prepare(returns, factors, products=True)
    ppy = data.periods_per_year
    whole, whole_cpu = median_times(lambda: regress(returns, factors), 9)
    checked = median_s(lambda: prepare(returns, factors, products=True), 9)
    rules = median_s(lambda: prepare(returns, factors), 9)
    fit, fit_cpu = median_times(lambda: _fit(data, "nonrobust", None, ppy), 9)
    values = returns.to_numpy()
    floor = median_s(lambda: np.add.reduce(values, axis=0), 9)
    z = np.column_stack([np.ones(len(factors)), factors.to_numpy()])
    gemm = median_s(lambda: z.T @ values, 9)
    compiled = "compiled kernels" if jit_available() else "numpy kernels (no numba or XLFACTOR_NO_JIT set)"
    print(
        f"  split, nonrobust, {compiled}: regress {whole * 1e3:.1f} ms = inputs read and checked once "
        f"{checked * 1e3:.1f} ms (of which the fit's Z'y taken in the same pass: {(checked - rules) * 1e3:+.1f} ms; "
        f"rules alone {rules * 1e3:.1f} ms) + fit {fit * 1e3:.1f} ms | one plain sum over the panel "
        f"{floor * 1e3:.1f} ms, numpy Z'y {gemm * 1e3:.1f} ms"
    )
    if jit_available() and values.flags.f_contiguous:
        bench_validation_share(values, design(data.x)[0], percent_threshold(ppy), (whole, whole_cpu), (fit, fit_cpu))


def bench_validation_share(
    values: np.ndarray, z: np.ndarray, limit: float, whole: tuple[float, float], fit: tuple[float, float]
) -> None:
    """The rules' cost as a share of the fit: the compiled pass with every rule's figures against the same
    pass taking only what the fit needs (Z'y, y'y, counts), interleaved so both see the same machine (the
    fastest of 15 runs each: the least disturbed by other processes); the fit being that pass + the solve
    and SSR (``fit``). Also everything ``regress`` does beyond the fit
    (the rules' pass and checks, the factor checks, reading and aligning the frames) as a share of it."""
    runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for with_rules in (True, False):
        column_stats(values, limit, z, rules=with_rules)  # warm-up (compiled once)
    for _ in range(15):
        for with_rules in (True, False):
            runs[with_rules].append(timed(lambda r=with_rules: column_stats(values, limit, z, rules=r)))
    (all_wall, all_cpu), (own_wall, own_cpu) = (np.min(np.array(runs[r]), axis=0) for r in (True, False))
    (whole_wall, whole_cpu), (fit_wall, fit_cpu) = whole, fit
    share, share_cpu = (all_wall - own_wall) / (own_wall + fit_wall), (all_cpu - own_cpu) / (own_cpu + fit_cpu)
    beyond, beyond_cpu = (
        (whole_wall - own_wall - fit_wall) / (own_wall + fit_wall),
        (whole_cpu - own_cpu - fit_cpu) / (own_cpu + fit_cpu),
    )
    print(
        f"  validation share: the pass with every rule {all_wall * 1e3:.2f} ms (CPU {all_cpu * 1e3:.2f}) vs the fit's "
        f"own pass {own_wall * 1e3:.2f} ms (CPU {own_cpu * 1e3:.2f}); the rules' marginal cost "
        f"{(all_wall - own_wall) * 1e3:+.2f} ms = {share:.1%} of the fit (pass + solve + SSR "
        f"{(own_wall + fit_wall) * 1e3:.2f} ms; CPU {share_cpu:.1%}; target <= 10%) | all of regress beyond the fit "
        f"(rules' pass and checks, factor checks, reading and aligning the frames): {beyond:.1%} of it (CPU "
        f"{beyond_cpu:.1%})"
    )


def diagnostics_loop_s(returns: pd.DataFrame, factors: pd.DataFrame) -> float:
    """Seconds for the per-asset statsmodels diagnostics: fit, fvalue, f_pvalue, Durbin-Watson, Breusch-Pagan,
    Jarque-Bera."""
    x = sm.add_constant(factors).to_numpy()
    start = time.perf_counter()
    for column in returns.columns:
        fit = sm.OLS(returns[column].to_numpy(), x).fit()
        _ = (fit.fvalue, fit.f_pvalue, durbin_watson(fit.resid), het_breuschpagan(fit.resid, x), jarque_bera(fit.resid))
    return time.perf_counter() - start


def bench_diagnostics(returns: pd.DataFrame, factors: pd.DataFrame, subset: pd.Index, scale: float) -> None:
    """The diagnostics are computed on first access only: their cost, and the fit without them."""
    fit_s = median_s(lambda: regress(returns, factors), 5)
    with_s = median_s(lambda: regress(returns, factors).diagnostics, 5)
    loop = diagnostics_loop_s(returns[subset], factors) * scale
    print(
        f"  first access of .diagnostics (F, DW, BP, JB per asset), complete panel: +{(with_s - fit_s) * 1e3:.1f} ms "
        f"(fit alone {fit_s * 1e3:.1f} ms) | statsmodels per-asset fit + diagnostics loop {loop:.2f} s -> "
        f"{loop / with_s:.0f}x"
    )


def rolling_loop_s(returns: pd.DataFrame, factors: pd.DataFrame, as_numpy: bool) -> tuple[float, float]:
    """Wall-clock and CPU seconds for the per-asset ``RollingOLS(...).fit(params_only=True)`` loop,
    reading ``.params``."""
    x, columns = reference_inputs(returns, factors, as_numpy)

    def loop() -> None:
        for y in columns:
            _ = RollingOLS(y, x, window=ROLL_WINDOW).fit(params_only=True).params

    return timed(loop)


def bench_rolling(rng: np.random.Generator) -> None:
    returns, factors = panel(rng, ROLL_N, ROLL_T, ROLL_K)
    subset = returns.columns[:: ROLL_N // ROLL_SUBSET]
    scale = ROLL_N / len(subset)
    print(
        f"rolling_regress: N={ROLL_N} assets, T={ROLL_T} days, window {ROLL_WINDOW}, K={ROLL_K}; target >= 600x "
        f"(<= 10 ns per asset-day) faster than a per-asset loop of RollingOLS(y, add_constant(factors), "
        f"window={ROLL_WINDOW})"
        f".fit(params_only=True).params, timed on {len(subset)} assets and scaled x{scale:.0f}."
    )
    ours, ours_cpu = median_times(lambda: rolling_regress(returns, factors, ROLL_WINDOW), 9)
    on_pandas, pandas_cpu = (v * scale for v in rolling_loop_s(returns[subset], factors, False))
    on_numpy, numpy_cpu = (v * scale for v in rolling_loop_s(returns[subset], factors, True))
    plain, plain_cpu = median_times(numpy_kernels(lambda: rolling_regress(returns, factors, ROLL_WINDOW)), 9)
    for label, wall, cpu in [("xlfactor", ours, ours_cpu), ("numpy kernels", plain, plain_cpu)]:
        per_day, per_day_cpu = (v / (ROLL_N * ROLL_T) * 1e9 for v in (wall, cpu))
        print(
            f"  {label} {wall * 1e3:.1f} ms, {per_day:.1f} ns per asset-day (alpha, betas and R2) | RollingOLS loop "
            f"on pandas {on_pandas:.2f} s -> {on_pandas / wall:.0f}x | on numpy {on_numpy:.2f} s -> "
            f"{on_numpy / wall:.0f}x | CPU time: {cpu * 1e3:.1f} ms ({per_day_cpu:.1f} ns per asset-day) vs "
            f"{pandas_cpu:.2f} s -> {pandas_cpu / cpu:.0f}x (numpy {numpy_cpu / cpu:.0f}x)"
        )
    print(f"  compiled / numpy kernels: {plain / ours:.1f}x faster (CPU {plain_cpu / ours_cpu:.1f}x)")


#: Run in a fresh process: the first call of each compiled kernel (compiling it, or loading it from
#: the numba cache) minus a second, warm call.
FIRST_CALL = """
import time, numpy as np, pandas as pd
from xlfactor.models import _jit
_jit.COMPILED_FROM = 0  # compiled kernels on this small probe too (in use they start at 1M values)
from xlfactor.models.regression import regress
from xlfactor.models.rolling import rolling_regress
from xlfactor.models.units import percent_threshold
rng = np.random.default_rng(0)
dates = pd.bdate_range("2000-01-03", periods=400)
f = pd.DataFrame(rng.normal(0, 0.01, (400, 3)), index=dates, columns=["A", "B", "C"])
y = pd.DataFrame(f.to_numpy() @ rng.normal(1, 0.5, (3, 5)) + rng.normal(0, 0.02, (400, 5)), index=dates)
y.iloc[:30, 0] = np.nan
calls = [lambda: regress(y, f, cov="hac"), lambda: rolling_regress(y, f, 60)]
first = []
for call in calls:
    start = time.perf_counter(); call(); first.append(time.perf_counter() - start)
    start = time.perf_counter(); call(); first[-1] -= time.perf_counter() - start
print(" ".join(f"{v:.3f}" for v in first))
"""


def bench_compile() -> None:
    """First-call cost of the compiled kernels: fresh processes with an empty numba cache, then with the
    cache filled, and on the numpy kernels (the first-call cost that is not the kernels': lazy imports)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        env.pop(_jit.NO_JIT, None)
        command = [sys.executable, "-c", FIRST_CALL]
        runs = [subprocess.run(command, env=env, capture_output=True, text=True, check=True) for _ in range(2)]
        runs.append(subprocess.run(command, env={**env, _jit.NO_JIT: "1"}, capture_output=True, text=True, check=True))
    (cold_hac, cold_roll), (warm_hac, warm_roll), (plain_hac, plain_roll) = (
        [float(v) for v in r.stdout.split()] for r in runs
    )
    print(
        "first call in a fresh process minus a warm call: regress(cov='hac') / rolling_regress: empty numba cache "
        f"(compiling) +{cold_hac:.2f} / +{cold_roll:.2f} s; cache filled (loading) +{warm_hac:.3f} / "
        f"+{warm_roll:.3f} s; numpy kernels (no compiled code) +{plain_hac:.3f} / +{plain_roll:.3f} s"
    )


def main() -> None:
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    print(
        f"{os.cpu_count()} CPUs, BLAS threads: {threads}, compiled kernels: "
        f"{'numba, one thread (serial loops)' if _jit.available() else 'off (numpy kernels)'}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    rng = np.random.default_rng(20250101)
    bench_compile()
    bench_regress(rng)
    bench_rolling(rng)


if __name__ == "__main__":
    main()
