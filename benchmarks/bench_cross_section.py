"""Cross-sectional models: batched Barra WLS and Fama-MacBeth against statsmodels / linearmodels.

    python benchmarks/bench_cross_section.py [--dates 2520] [--loop-dates 120]

1. ``cross_sectional_regress`` on 2520 dates x 3000 assets x 40 regressors (10 styles + 30
   industries, plus the market with the cap-weighted industry constraint), 2% missing returns,
   sqrt-cap weights, against the obvious loop: per date, build the restricted design X R in
   numpy and fit ``statsmodels.WLS`` (params, residuals, R2). The loop is timed on
   ``--loop-dates`` evenly spaced dates and scaled to the full panel (stated in the output).
   Target ratio >= 30x.
2. ``fama_macbeth`` on 360 periods x 3000 assets x 10 characteristics against linearmodels
   ``FamaMacBeth(y, X).fit()`` on the same data in its long (entity, time) form, both complete
   runs. Target ratio >= 50x.

3. Per-date standard errors (``CrossSectionResult.bse``, classic and HC1) and the robust Huber
   fit (``robust=True``) on 252 dates of the same panel, against per-date statsmodels
   ``WLS(...).fit(cov_type="HC1").bse`` and ``RLM(sqrt(w) y, sqrt(w) X R, M=HuberT())`` loops
   timed on ``--loop-dates`` / 4 dates and scaled.

The compiled kernels (numba, :mod:`xlfactor.models.cross_section.wls_kernel`) and the numpy
path they replace (``XLFACTOR_NO_JIT=1``: the code ``main`` ran before them) are both timed in the
same run, warm (the kernels compiled beforehand). Two measurements run in fresh processes:
the first call's compile time with an empty numba cache and with the warm cache, and the peak
memory of ``cross_sectional_regress`` (tracemalloc, on top of the inputs) at 20 years of daily
dates for two asset counts (``--memory-assets``), to show it is linear in assets x dates and to
scale it to 10,000 assets.

All comparisons also print the largest difference between the two answers. Timings are the
best of ``--repeat`` runs; the machine may be shared, so expect noise. Each ratio is also given
in process CPU time (of the same runs): when other processes share the cores, wall-clock time
depends on how the scheduler splits them between the two sides, CPU time much less. BLAS runs single-threaded
on both sides (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS default to 1 here; set them to override).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from linearmodels import FamaMacBeth  # noqa: E402

from xlfactor.models import _jit  # noqa: E402
from xlfactor.models.cross_section import cross_sectional_regress, fama_macbeth, wls_kernel  # noqa: E402


def panel(n_dates: int, n_assets: int, n_styles: int, n_ind: int | None, seed: int = 0):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-01", periods=n_dates)
    assets = pd.Index([f"A{i:05d}" for i in range(n_assets)])
    styles = {
        f"style{p}": pd.DataFrame(rng.standard_normal((n_dates, n_assets)), index=dates, columns=assets)
        for p in range(n_styles)
    }
    r = rng.standard_normal((n_dates, n_assets)) * 0.02
    r[rng.random(r.shape) < 0.02] = np.nan
    returns = pd.DataFrame(r, index=dates, columns=assets)
    industries = (
        None
        if n_ind is None
        else pd.Series(np.array([f"Ind{j:02d}" for j in range(n_ind)])[rng.integers(0, n_ind, n_assets)], index=assets)
    )
    caps = pd.Series(np.exp(rng.normal(8, 1.5, n_assets)), index=assets)
    return returns, styles, industries, caps


def best(fn, repeat: int) -> tuple[float, float, object]:
    """Fastest wall-clock and fastest process-CPU seconds of ``repeat`` calls of ``fn``, and its result."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu), out


@contextmanager
def numpy_path():
    """The numpy kernels (the reference, and what ``main`` ran before the compiled ones)."""
    os.environ[_jit.NO_JIT] = "1"
    try:
        yield
    finally:
        del os.environ[_jit.NO_JIT]


def restricted_dates(returns, styles, industries, caps, rows):
    """Per date of ``rows``: returns, restricted design [1, D_j - (c_j/c_J) D_J, S], sqrt-cap weights, the map
    ``f = R g`` (last industry as base)."""
    labels = sorted(industries.unique())
    n_ind = len(labels)
    d_all = (industries.to_numpy()[:, None] == np.array(labels)[None, :]).astype(float)
    s_all = np.stack([s.to_numpy() for s in styles.values()], axis=2)
    r_all, cap = returns.to_numpy(), caps.to_numpy()
    for t in rows:
        ok = np.isfinite(r_all[t])
        d, c = d_all[ok], cap[ok]
        ind_cap = d.T @ c
        reduced = d[:, :-1] - np.outer(d[:, -1], ind_cap[:-1] / ind_cap[-1])
        x = np.column_stack([np.ones(ok.sum()), reduced, s_all[t][ok]])
        k = x.shape[1]
        restriction = np.insert(np.eye(k), n_ind, 0.0, axis=0)
        restriction[n_ind, 1:n_ind] = -ind_cap[:-1] / ind_cap[-1]
        yield t, r_all[t][ok], x, np.sqrt(c), restriction


def statsmodels_loop(returns, styles, industries, caps, rows):
    """Per-date statsmodels WLS on the restricted design."""
    out = {}
    for t, y, x, w, restriction in restricted_dates(returns, styles, industries, caps, rows):
        fit = sm.WLS(y, x, weights=w).fit()
        out[t] = (restriction @ fit.params, fit.resid, fit.rsquared)
    return out


def bench_barra(n_dates: int, loop_dates: int, repeat: int) -> None:
    returns, styles, industries, caps = panel(n_dates, 3000, 10, 30)
    print(
        f"cross_sectional_regress: {n_dates} dates x 3000 assets x 10 styles + 30 industries + market, "
        "sqrt-cap WLS, industry constraint, 2% missing returns"
    )
    fit = lambda: cross_sectional_regress(returns, styles, industries=industries, caps=caps)  # noqa: E731
    assert wls_kernel.compiled(returns.size), "numba is not installed: the compiled kernels cannot be timed"
    fit()  # compile (or load from numba's cache) before timing
    ours_s, ours_cpu, res = best(fit, repeat)
    with numpy_path():
        np_s, np_cpu, res_np = best(fit, repeat)
    rows = np.linspace(0, n_dates - 1, loop_dates).astype(int)
    loop_s, loop_cpu, ref = best(lambda: statsmodels_loop(returns, styles, industries, caps, rows), 1)
    loop_full = loop_s / len(rows) * n_dates
    loop_cpu_full = loop_cpu / len(rows) * n_dates
    diff = max(np.max(np.abs(res.factor_returns.iloc[t].to_numpy() - ref[t][0])) for t in rows)
    same = np.nanmax(np.abs(res.factor_returns.to_numpy() - res_np.factor_returns.to_numpy()))
    print(f"  xlfactor compiled (all {n_dates} dates): {ours_s:8.3f} s  ({ours_s / n_dates * 1e3:.3f} ms/date)")
    print(f"  xlfactor numpy path (main before):   {np_s:8.3f} s")
    print(
        f"  statsmodels WLS loop ({len(rows)} dates timed): {loop_s:8.3f} s  "
        f"({loop_s / len(rows) * 1e3:.3f} ms/date) -> scaled to {n_dates} dates: {loop_full:8.2f} s"
    )
    print(
        f"  ratio: compiled {loop_full / ours_s:6.1f}x, numpy path {loop_full / np_s:6.1f}x  (target >= 60x); "
        f"max |factor return diff| = {diff:.2e} (vs statsmodels), {same:.2e} (compiled vs numpy)"
    )
    print(
        f"  CPU time: compiled {ours_cpu:.3f} s, numpy path {np_cpu:.3f} s, loop scaled {loop_cpu_full:.2f} s -> "
        f"ratio compiled {loop_cpu_full / ours_cpu:6.1f}x, numpy path {loop_cpu_full / np_cpu:6.1f}x"
    )


def bench_fama_macbeth(repeat: int) -> None:
    returns, chars, _, _ = panel(360, 3000, 10, None, seed=1)
    returns.index = pd.date_range("1990-01-31", periods=360, freq="ME")
    for frame in chars.values():
        frame.index = returns.index
    long = pd.DataFrame({"y": returns.stack(future_stack=True)})
    for name, frame in chars.items():
        long[name] = frame.stack(future_stack=True)
    long = long.swaplevel().sort_index().dropna()
    exog = long[list(chars)].copy()
    exog.insert(0, "const", 1.0)
    print("fama_macbeth: 360 periods x 3000 assets x 10 characteristics (+ constant), 2% missing returns")
    ours_s, ours_cpu, res = best(lambda: fama_macbeth(returns, chars, lags=4), repeat)
    lm_s, lm_cpu, ref = best(
        lambda: FamaMacBeth(long["y"], exog).fit(cov_type="kernel", kernel="bartlett", bandwidth=4), 1
    )
    diff = np.max(np.abs(res.params.to_numpy() - ref.params.to_numpy()))
    se_rel = np.max(np.abs(res.bse_nw.to_numpy() / ref.std_errors.to_numpy() - 1))
    print(f"  xlfactor:                 {ours_s:8.3f} s")
    print(f"  linearmodels FamaMacBeth: {lm_s:8.3f} s (model construction + fit, long panel prebuilt)")
    print(
        f"  ratio: {lm_s / ours_s:6.1f}x  (target >= 50x); max |premium diff| = {diff:.2e}, "
        f"max rel NW s.e. diff = {se_rel:.2e}; CPU-time ratio {lm_cpu / ours_cpu:6.1f}x"
    )


def bench_inference(loop_dates: int, repeat: int) -> None:
    returns, styles, industries, caps = panel(252, 3000, 10, 30)
    rows = np.linspace(0, 251, loop_dates).astype(int)
    print("per-date standard errors and Huber fit: 252 dates x 3000 assets x 10 styles + 30 industries + market")
    res = cross_sectional_regress(returns, styles, industries=industries, caps=caps)
    for cov in ("nonrobust", "hc1"):
        res.bse(cov)  # compile (or load from numba's cache) before timing
        ours_s, ours_cpu, bse = best(lambda cov=cov: res.bse(cov), repeat)
        with numpy_path():
            np_s, np_cpu, _ = best(lambda cov=cov: res.bse(cov), repeat)

        def loop(cov=cov):
            out = {}
            for t, y, x, w, restriction in restricted_dates(returns, styles, industries, caps, rows):
                fit = sm.WLS(y, x, weights=w).fit(cov_type=cov.upper() if cov == "hc1" else "nonrobust")
                out[t] = np.sqrt(np.diag(restriction @ fit.cov_params() @ restriction.T))
            return out

        loop_s, loop_cpu, ref = best(loop, 1)
        loop_full = loop_s / len(rows) * 252
        loop_cpu_full = loop_cpu / len(rows) * 252
        diff = max(np.max(np.abs(bse.iloc[t].to_numpy() / ref[t] - 1)) for t in rows)
        print(
            f"  bse({cov!r}): xlfactor compiled {ours_s:7.3f} s, numpy path {np_s:7.3f} s; statsmodels WLS loop "
            f"scaled from {len(rows)} dates {loop_full:7.2f} s; ratio compiled {loop_full / ours_s:6.1f}x, numpy "
            f"path {loop_full / np_s:6.1f}x{'  (target >= 30x)' if cov == 'hc1' else ''}; max rel diff {diff:.1e}; "
            f"CPU time compiled {ours_cpu:.3f} s, numpy path {np_cpu:.3f} s vs {loop_cpu_full:.2f} s -> "
            f"{loop_cpu_full / ours_cpu:6.1f}x, {loop_cpu_full / np_cpu:6.1f}x"
        )
    ours_s, ours_cpu, rob = best(
        lambda: cross_sectional_regress(returns, styles, industries=industries, caps=caps, robust=True), 1
    )

    def rlm_loop():
        out = {}
        for t, y, x, w, restriction in restricted_dates(returns, styles, industries, caps, rows):
            root = np.sqrt(w)
            fit = sm.RLM(y * root, x * root[:, None], M=sm.robust.norms.HuberT()).fit()
            out[t] = restriction @ fit.params
        return out

    loop_s, loop_cpu, ref = best(rlm_loop, 1)
    loop_full = loop_s / len(rows) * 252
    loop_cpu_full = loop_cpu / len(rows) * 252
    diff = max(np.max(np.abs(rob.factor_returns.iloc[t].to_numpy() - ref[t])) for t in rows)
    print(
        f"  robust=True: xlfactor {ours_s:7.3f} s; statsmodels RLM loop scaled from {len(rows)} dates "
        f"{loop_full:7.2f} s; ratio {loop_full / ours_s:6.1f}x; max |factor return diff| {diff:.1e} "
        f"(RLM stops at its default tol 1e-8 on the deviance); CPU-time ratio {loop_cpu_full / ours_cpu:6.1f}x"
    )


COMPILE_PROBE = """
import time, numpy as np, pandas as pd
t0 = time.perf_counter()
from xlfactor.models.cross_section import cross_sectional_regress
t1 = time.perf_counter()
from xlfactor.models import _jit
_jit.COMPILED_FROM = 0  # compiled kernels on this small probe too (in use they start at 1M values)
rng = np.random.default_rng(0)
dates, assets = pd.bdate_range("2020-01-01", periods=60), [f"A{i}" for i in range(200)]
frame = lambda: pd.DataFrame(rng.standard_normal((60, 200)), index=dates, columns=assets)
ind = pd.Series([f"I{i % 5}" for i in range(200)], index=assets)
caps = pd.Series(np.exp(rng.normal(8, 1, 200)), index=assets)
t2 = time.perf_counter()
res = cross_sectional_regress(frame() * 0.02, {"a": frame(), "b": frame()}, industries=ind, caps=caps)
t3 = time.perf_counter()
res.bse("hc1")
t4 = time.perf_counter()
print(f"{t1 - t0:.2f} {t3 - t2:.2f} {t4 - t3:.2f}")
"""


def bench_compile() -> None:
    """First call in a fresh process: empty numba cache (compiles), then warm cache (loads)."""
    print("first-call compile time (fresh processes, 60 dates x 200 assets x 2 styles + 5 industries + market)")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        numpy_env = {**env, _jit.NO_JIT: "1"}
        runs = [("empty numba cache", env), ("warm numba cache ", env), ("numpy path       ", numpy_env)]
        for label, run_env in runs:
            out = subprocess.run([sys.executable, "-c", COMPILE_PROBE], env=run_env, capture_output=True, text=True)
            imp, fit, hc1 = (float(v) for v in out.stdout.split())
            print(f"  {label}: import {imp:5.2f} s, first fit {fit:6.2f} s, first bse('hc1') {hc1:6.2f} s")


MEMORY_PROBE = """
import sys, tracemalloc, numpy as np, pandas as pd
sys.path.insert(0, {here!r})
from bench_cross_section import panel
from xlfactor.models.cross_section import cross_sectional_regress
from xlfactor.models.cross_section.regression import check_returns
returns, styles, industries, caps = panel({dates}, {assets}, 10, 30)
inputs = returns.to_numpy().nbytes * (1 + len(styles))
tracemalloc.start()
check_returns(returns)
_, rules = tracemalloc.get_traced_memory()
tracemalloc.reset_peak()
res = cross_sectional_regress(returns, styles, industries=industries, caps=caps)
_, peak = tracemalloc.get_traced_memory()
print(inputs, rules, peak)
"""


def bench_memory(n_dates: int, asset_counts: list[int]) -> None:
    """Peak traced memory of one fit in a fresh process, for a few asset counts (20 years daily)."""
    print(f"peak memory of cross_sectional_regress (tracemalloc, fresh process), {n_dates} dates, 10 styles + 30 ind.")
    here = os.path.dirname(os.path.abspath(__file__))
    per_cell = []
    for n_assets in asset_counts:
        code = MEMORY_PROBE.format(here=here, dates=n_dates, assets=n_assets)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        inputs, rules, peak = (int(v) for v in out.stdout.split())
        per_cell.append(peak / (n_dates * n_assets))
        print(
            f"  {n_assets} assets: inputs {inputs / 1e6:7.0f} MB; peak during the call {peak / 1e6:7.0f} MB "
            f"({per_cell[-1]:.1f} bytes per asset-date; the returns check alone {rules / 1e6:.0f} MB)"
        )
    print(
        f"  -> 10,000 assets x {n_dates} dates: ~{max(per_cell) * n_dates * 10_000 / 1e9:.1f} GB during the call "
        f"(on top of the {n_dates * 10_000 * 8 * 11 / 1e9:.1f} GB of inputs), scaled linearly from the largest "
        "bytes per asset-date above; arrays numba allocates inside the kernels (~2 MB) are not traced"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=2520)
    parser.add_argument("--loop-dates", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--memory-dates", type=int, default=5040)
    parser.add_argument("--memory-assets", type=int, nargs="*", default=[1000, 2000])
    args = parser.parse_args()
    bench_barra(args.dates, args.loop_dates, args.repeat)
    bench_fama_macbeth(args.repeat)
    bench_inference(max(2, args.loop_dates // 4), args.repeat)
    bench_compile()
    if args.memory_assets:
        bench_memory(args.memory_dates, args.memory_assets)


if __name__ == "__main__":
    main()
