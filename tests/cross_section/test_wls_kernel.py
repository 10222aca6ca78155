"""The compiled cross-sectional kernels (numba) against the numpy reference path, case by case.

Every case fits the same panel twice, compiled and with ``XLFACTOR_NO_JIT`` set, and compares
factor returns, residuals, R2, counts, the kept normal matrices and both kinds of standard
errors (rtol 1e-10; NaN in the same places). The cases cover each branch of the kernels: static
and per-date industries, weights and caps; no market; no styles; no industries; assets without
an industry; empty industries; dates below the minimum count; a robust fit's standard errors;
shapes that are not whole tiles or runs of dates. (Each path is also held to statsmodels by the
other cross-sectional tests, which run through both.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xs_helpers import make_panel

from xlfactor.models import _jit
from xlfactor.models.cross_section import cross_sectional_regress, fama_macbeth, wls_kernel


@pytest.fixture(scope="module")
def panel():
    # 300 dates: a run of 256 and a partial one; 203 assets: 25 tiles of 8 and a partial one
    p = make_panel(n_dates=300, n_assets=203, n_ind=5, n_sty=3, seed=3)
    rng = np.random.default_rng(9)
    p.styles["S2"] = p.styles["S2"].mask(rng.random(p.returns.shape) < 0.02)
    return p


def both(monkeypatch, fit):
    monkeypatch.delenv(_jit.NO_JIT, raising=False)
    monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
    assert wls_kernel.compiled(1), "numba is a dependency off Pyodide: install it (pip install numba)"
    compiled = fit()
    monkeypatch.setenv(_jit.NO_JIT, "1")
    reference = fit()
    monkeypatch.delenv(_jit.NO_JIT)
    monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
    return compiled, reference


def same(a, b, rtol=1e-10):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    scale = np.nanmax(np.abs(b)) if np.isfinite(b).any() else 1.0
    np.testing.assert_allclose(np.nan_to_num(a), np.nan_to_num(b), rtol=rtol, atol=rtol * scale)


def check(monkeypatch, fit):
    """Fit compiled and through numpy; compare every output and the standard errors."""
    compiled, reference = both(monkeypatch, fit)
    for name in ("factor_returns", "resid", "rsquared", "nobs"):
        same(getattr(compiled, name), getattr(reference, name))
    same(compiled.normal_matrices, reference.normal_matrices)
    same_standard_errors(monkeypatch, compiled)
    return compiled


def same_standard_errors(monkeypatch, res):
    """``res.bse`` (classic and HC1) compiled and through numpy."""
    for cov in ("nonrobust", "hc1"):
        monkeypatch.delenv(_jit.NO_JIT, raising=False)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
        fast = res.bse(cov)
        monkeypatch.setenv(_jit.NO_JIT, "1")
        same(fast, res.bse(cov))
        monkeypatch.delenv(_jit.NO_JIT)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too


def per_date(frame: pd.DataFrame | pd.Series, dates: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(np.tile(frame.to_numpy(), (len(dates), 1)), index=dates, columns=frame.index)


def test_market_industries_styles_caps(panel, monkeypatch):
    check(
        monkeypatch,
        lambda: cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps),
    )


def test_per_date_industries_weights_and_missing_labels(panel, monkeypatch):
    labels = per_date(panel.industries, panel.returns.index)
    rng = np.random.default_rng(1)
    moved = rng.random(labels.shape) < 0.05  # assets change industry on some dates
    labels = labels.mask(moved, rng.choice(sorted(panel.industries.unique()), labels.shape))
    labels.iloc[:, 7] = None  # an asset without an industry: never in the universe
    weights = panel.caps.pow(0.3).mask(rng.random(panel.caps.shape) < 0.01)
    res = check(
        monkeypatch,
        lambda: cross_sectional_regress(
            panel.returns, panel.styles, industries=labels, caps=panel.caps, weights=weights
        ),
    )
    assert res.resid.iloc[:, 7].isna().all()


def test_no_market_static_weights(panel, monkeypatch):
    weights = panel.caps.iloc[0] ** 0.5
    check(
        monkeypatch,
        lambda: cross_sectional_regress(
            panel.returns, panel.styles, industries=panel.industries, weights=weights, market=False
        ),
    )


def test_constraint_without_caps(panel, monkeypatch):
    """Market + industries with weights only: the constraint uses the regression weights."""
    check(
        monkeypatch,
        lambda: cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries),
    )


def test_styles_only_and_industries_only(panel, monkeypatch):
    check(monkeypatch, lambda: cross_sectional_regress(panel.returns, panel.styles, market=False))
    check(monkeypatch, lambda: cross_sectional_regress(panel.returns, None, industries=panel.industries))


def test_empty_industry_and_thin_dates(panel, monkeypatch):
    returns = panel.returns.copy()
    members = panel.industries.index[panel.industries == "Ind2"]
    returns.loc[returns.index[4], members] = np.nan  # an empty industry on one date
    returns.iloc[9, 6:] = np.nan  # 6 assets: fewer than the 9 needed (8 free parameters + 1)
    res = check(
        monkeypatch,
        lambda: cross_sectional_regress(returns, panel.styles, industries=panel.industries, caps=panel.caps),
    )
    assert np.isnan(res.factor_returns.iloc[4]["Ind2"]) and res.factor_returns.iloc[9].isna().all()


def test_robust_fit_standard_errors(panel, monkeypatch):
    """A Huber fit itself runs the numpy path; its standard errors (final weights w h) the kernels."""
    res = cross_sectional_regress(
        panel.returns.iloc[:40], panel.styles, industries=panel.industries, caps=panel.caps, robust=True
    )
    same_standard_errors(monkeypatch, res)


def test_fama_macbeth_without_residuals(panel, monkeypatch):
    compiled, reference = both(monkeypatch, lambda: fama_macbeth(panel.returns, panel.styles))
    same(compiled.params, reference.params)
    same(compiled.bse_nw, reference.bse_nw)
    same(compiled.rsquared, reference.rsquared, rtol=1e-9)


def test_collinear_dates(panel, monkeypatch):
    """A characteristic that doubles another on three dates: those dates NaN, the others fitted."""
    noise = np.random.default_rng(4).standard_normal(panel.returns.shape)
    dup = pd.DataFrame(noise, index=panel.returns.index, columns=panel.returns.columns)
    rows = [5, 17, 290]
    dup.iloc[rows] = 2 * panel.styles["S1"].iloc[rows]
    res = check(
        monkeypatch,
        lambda: cross_sectional_regress(
            panel.returns, {**panel.styles, "D": dup}, industries=panel.industries, caps=panel.caps
        ),
    )
    assert res.factor_returns.iloc[rows].isna().all().all() and res.rsquared.iloc[rows].isna().all()
    assert res.factor_returns.drop(index=res.factor_returns.index[rows]).notna().all().all()
