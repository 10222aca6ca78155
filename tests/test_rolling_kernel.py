"""The compiled rolling loops (factor moments, fit) against the numpy kernels (the reference) and RollingOLS."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.regression.rolling import RollingOLS

from xlfactor.models import _jit
from xlfactor.models._rolling_kernel import _LANES, factor_moments
from xlfactor.models.rolling import SINGULAR_DET, _factor_moments, rolling_regress


@pytest.fixture(scope="module")
def panel():
    """Daily-like panel: 2 * _LANES + 5 assets (several lane chunks, a partial one), 3 factors, 900 dates;
    the last 6 assets have missing values (late start, a gap, scattered)."""
    rng = np.random.default_rng(11)
    t, n = 900, 2 * _LANES + 5
    dates = pd.bdate_range("2001-01-01", periods=t)
    factors = pd.DataFrame(rng.normal(0.0003, 0.01, (t, 3)), index=dates, columns=["F0", "F1", "F2"])
    returns = factors.to_numpy() @ rng.normal(1.0, 0.5, (3, n)) + rng.normal(0.0, 0.02, (t, n))
    returns = pd.DataFrame(returns, index=dates, columns=[f"A{i}" for i in range(n)])
    returns.iloc[:130, -1] = np.nan
    returns.iloc[400:420, -2] = np.nan
    returns.iloc[:, -6:-2] = returns.iloc[:, -6:-2].mask(rng.random((t, 4)) < 0.05)
    return returns, factors


def _fit(monkeypatch, path, *args):
    if path == "numpy":
        monkeypatch.setenv(_jit.NO_JIT, "1")
    else:
        monkeypatch.delenv(_jit.NO_JIT, raising=False)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
        assert _jit.available(), "numba is a dependency off Pyodide: install it (pip install numba)"
    return rolling_regress(*args)


@pytest.mark.parametrize("min_periods", [None, 200])
def test_compiled_equals_numpy_and_rolling_ols(panel, monkeypatch, min_periods):
    returns, factors = panel
    compiled = _fit(monkeypatch, "compiled", returns, factors, 250, min_periods)
    reference = _fit(monkeypatch, "numpy", returns, factors, 250, min_periods)
    assert compiled.columns.equals(reference.columns) and compiled.index.equals(reference.index)
    a, b = compiled.to_numpy(), reference.to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b)) and np.isfinite(a).any()
    assert_allclose(a, b, rtol=1e-11, atol=1e-15)
    for asset in ["A0", f"A{_LANES}", f"A{2 * _LANES + 4}", returns.columns[-1], returns.columns[-4]]:
        ref = RollingOLS(
            returns[asset], sm.add_constant(factors), window=250, min_nobs=min_periods or 250, missing="drop"
        ).fit(method="pinv")
        assert_allclose(
            compiled[asset][["alpha", "F0", "F1", "F2"]].to_numpy(), ref.params.to_numpy(), rtol=1e-10, atol=1e-13
        )
        assert_allclose(compiled[asset]["rsquared"].to_numpy(), ref.rsquared.to_numpy(), rtol=1e-10)


def test_factor_moments_equal_numpy(monkeypatch):
    """Shared and per-asset moments, with windows where a factor is constant or two are collinear (not fitted)."""
    monkeypatch.delenv(_jit.NO_JIT, raising=False)
    monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
    rng = np.random.default_rng(4)
    t, window = 400, 40
    x = rng.normal(0.0, 0.01, (t, 3))
    x[100:160, 1] = 0.004  # constant within the windows inside rows 100..159
    x[250:300, 2] = 2 * x[250:300, 0]  # collinear there
    g, s = x.mean(axis=0), x.std(axis=0)
    z = np.ascontiguousarray(((x - g) / s).T)
    y = rng.normal(0.0, 0.02, (t, 4))
    y[rng.random((t, 4)) < 0.1] = np.nan
    cases = [(None, np.ones((1, t))), (np.arange(4), (~np.isnan(y)).T.astype(float))]
    for assets, rows in cases:
        n_fit, sx, inv, shift = factor_moments(z, y, assets, window, 30, g / s, SINGULAR_DET)
        ref = _factor_moments(z, rows, window, 30)
        fitted = ~np.isnan(ref.n_fit)
        assert np.array_equal(np.isnan(n_fit), ~fitted)
        assert np.isnan(n_fit[:, [150, 295]]).all() and fitted[:, [200, 399]].all()
        assert_allclose(n_fit[fitted], ref.n_fit[fitted], rtol=0, atol=0)
        assert_allclose(sx, ref.sx, rtol=1e-12, atol=1e-12)
        assert_allclose(inv[:, :, fitted], ref.inv[:, :, fitted], rtol=1e-11, atol=1e-13)
        with np.errstate(invalid="ignore"):
            expected_shift = ref.sx / ref.n_fit + (g / s)[:, None, None]
        assert_allclose(shift[:, fitted], expected_shift[:, fitted], rtol=1e-12, atol=1e-14)
