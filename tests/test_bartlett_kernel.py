"""The compiled Newey-West meat (moving sums of scores) against statsmodels and the numpy kernel."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.sandwich_covariance import S_hac_simple

from xlfactor.models import _jit
from xlfactor.models._bartlett_kernel import _CHUNK, _EXACT_EVERY, bartlett_meat
from xlfactor.models._ols_fit import _meat_on_grid, design


@pytest.fixture(autouse=True)
def small_data_compiled(monkeypatch):
    """The compiled kernel on these small panels too (production compiles from 1M values)."""
    monkeypatch.setattr(_jit, "COMPILED_FROM", 0)


@pytest.fixture
def scores():
    """Design (T=600, 1 + 4 factors) and residuals of 2 * _CHUNK + 3 assets (several chunks, a partial one)."""
    rng = np.random.default_rng(23)
    t, n = 2 * _EXACT_EVERY + 88, 2 * _CHUNK + 3
    z = design(rng.normal(0.0, 0.01, (t, 4)))[0]
    e = rng.normal(0.0, 0.02, (t, n)) + 0.3 * rng.normal(0.0, 0.02, (t, 1))  # correlated over assets
    return z, np.asfortranarray(e)


@pytest.mark.parametrize("lag", [1, 8, 40, 599])
def test_equals_statsmodels_hac_meat(scores, lag):
    assert _jit.available(), "numba is a dependency off Pyodide: install it (pip install numba)"
    z, e = scores
    t, n = e.shape
    meat = np.full((n, z.shape[1], z.shape[1]), np.nan)
    assert bartlett_meat(z, e, np.arange(t), np.arange(n), np.full(n, lag), meat)
    for a in [0, _CHUNK - 1, _CHUNK, n - 1]:
        ref = S_hac_simple(z * e[:, [a]], nlags=lag)
        assert_allclose(meat[a], ref, rtol=1e-12, atol=1e-14 * np.abs(ref).max())
    assert_allclose(meat, _meat_on_grid(z, e, np.full(n, lag)), rtol=1e-12, atol=1e-14 * np.abs(meat).max())


def test_rows_columns_and_lags_per_asset(scores):
    """A subset of rows (a gappy sample taken consecutively), a subset of assets, a bandwidth per asset."""
    z, e = scores
    t, n = e.shape
    rng = np.random.default_rng(5)
    rows = np.flatnonzero(rng.random(t) > 0.2)
    cols = np.array([3, 0, 40, 41, 66, 7])
    lags = rng.integers(0, 12, n)
    meat = np.full((n, z.shape[1], z.shape[1]), np.nan)
    assert bartlett_meat(z, e, rows, cols, lags, meat)
    untouched = np.setdiff1d(np.arange(n), cols)
    assert np.isnan(meat[untouched]).all()
    ref = _meat_on_grid(z[rows], e[np.ix_(rows, cols)], lags[cols])
    assert_allclose(meat[cols], ref, rtol=1e-12, atol=1e-14 * np.abs(ref).max())
    for a in cols[:2]:
        sm = S_hac_simple(z[rows] * e[rows, a][:, None], nlags=int(lags[a]))
        assert_allclose(meat[a], sm, rtol=1e-12, atol=1e-14 * np.abs(sm).max())


def test_without_numba_says_so(scores, monkeypatch):
    monkeypatch.setenv(_jit.NO_JIT, "1")
    z, e = scores
    meat = np.full((e.shape[1], z.shape[1], z.shape[1]), np.nan)
    assert not bartlett_meat(z, e, np.arange(len(z)), np.arange(e.shape[1]), np.ones(e.shape[1], int), meat)
    assert np.isnan(meat).all()


def test_white_meat_is_left_to_blas(scores):
    """Bandwidth 0 everywhere (HC0/HC1): not this loop, the numpy kernel's one matrix product."""
    z, e = scores
    meat = np.full((e.shape[1], z.shape[1], z.shape[1]), np.nan)
    assert not bartlett_meat(z, e, np.arange(len(z)), np.arange(e.shape[1]), np.zeros(e.shape[1], int), meat)
    assert np.isnan(meat).all()
