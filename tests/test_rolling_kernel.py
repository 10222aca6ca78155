"""The compiled rolling loop and small inverses against the numpy kernels (the reference) and RollingOLS."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.regression.rolling import RollingOLS

from xlfactor.models import _jit
from xlfactor.models._rolling_kernel import _LANES, inverses
from xlfactor.models.rolling import rolling_regress


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


@pytest.mark.usefixtures("kernels")
def test_inverses_equal_lapack():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(4, 50, 3, 3)) + 3 * np.eye(3)
    a[0, 0] = np.eye(3)[[2, 0, 1]]  # needs row exchanges
    assert_allclose(inverses(a), np.linalg.inv(a), rtol=1e-12, atol=1e-14)
    assert_allclose(inverses(a[0, 0]), np.linalg.inv(a[0, 0]), rtol=1e-12, atol=1e-15)
