"""Per-date standard errors and the robust (Huber) option of cross_sectional_regress, against
statsmodels: WLS ``.bse`` (classic) and ``.fit(cov_type="HC1")`` (rtol 1e-9) on each date, with
the constrained (market + industries) case mapped through the restriction; RLM with HuberT and
MAD scale (coefficients and weights rtol 1e-6: both iterate to a tolerance)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from xs_helpers import date_data, make_panel

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section import cross_sectional_regress

# every test runs through the compiled kernels and the numpy reference path (conftest.py)
pytestmark = pytest.mark.usefixtures("kernel_path")


@pytest.fixture(scope="module")
def panel():
    p = make_panel(n_dates=12, n_assets=150)
    rng = np.random.default_rng(5)
    outliers = rng.random(p.returns.shape) < 0.03
    p.returns = p.returns.mask(outliers, p.returns + rng.choice([-0.5, 0.5], p.returns.shape))
    return p


def _restricted(d, cap):
    """Reduced industry design (last industry as base) and the map R: f = R g (constant first, styles last)."""
    c = d.mul(cap, axis=0).sum()
    j = d.shape[1]
    reduced = d.iloc[:, :-1].to_numpy() - np.outer(d.iloc[:, -1], c.iloc[:-1] / c.iloc[-1])
    n_sty = 3
    r = np.zeros((1 + j + n_sty, j + n_sty))
    r[0, 0] = 1
    r[1:j, 1:j] = np.eye(j - 1)
    r[j, 1:j] = -(c.iloc[:-1] / c.iloc[-1]).to_numpy()
    r[j + 1 :, j:] = np.eye(n_sty)
    return reduced, r


@pytest.mark.parametrize("cov", ["nonrobust", "hc1"])
def test_unconstrained_standard_errors_equal_statsmodels(panel, cov):
    res = cross_sectional_regress(panel.returns, panel.styles, caps=panel.caps)
    bse, tvalues = res.bse(cov), res.tvalues(cov)
    for t in range(0, len(panel.returns), 3):
        r, s, _, cap = date_data(panel, t)
        model = sm.WLS(r.to_numpy(), sm.add_constant(s.to_numpy()), weights=np.sqrt(cap.to_numpy()))
        fit = model.fit() if cov == "nonrobust" else model.fit(cov_type="HC1")
        np.testing.assert_allclose(bse.iloc[t].to_numpy(), fit.bse, rtol=1e-9)
        np.testing.assert_allclose(tvalues.iloc[t].to_numpy(), fit.tvalues, rtol=1e-9)


@pytest.mark.parametrize("cov", ["nonrobust", "hc1"])
def test_constrained_standard_errors_equal_statsmodels_mapped(panel, cov):
    res = cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps)
    cov_f = res.cov_params(cov)
    for t in range(0, len(panel.returns), 4):
        r, s, d, cap = date_data(panel, t)
        reduced, restriction = _restricted(d, cap)
        model = sm.WLS(r.to_numpy(), np.c_[np.ones(len(r)), reduced, s.to_numpy()], weights=np.sqrt(cap.to_numpy()))
        fit = model.fit() if cov == "nonrobust" else model.fit(cov_type="HC1")
        np.testing.assert_allclose(cov_f[t], restriction @ fit.cov_params() @ restriction.T, rtol=1e-9, atol=1e-18)


def test_robust_equals_statsmodels_rlm_huber(panel):
    res = cross_sectional_regress(panel.returns, panel.styles, robust=True)
    plain = cross_sectional_regress(panel.returns, panel.styles)
    for t in range(0, len(panel.returns), 3):
        r, s, _, _ = date_data(panel, t)
        rlm = sm.RLM(r.to_numpy(), sm.add_constant(s.to_numpy()), M=sm.robust.norms.HuberT()).fit(
            tol=1e-13, maxiter=500
        )
        np.testing.assert_allclose(res.factor_returns.iloc[t].to_numpy(), rlm.params, rtol=1e-6)
        np.testing.assert_allclose(res.huber_weights.iloc[t][r.index].to_numpy(), rlm.weights, rtol=1e-6)
        assert res.huber_weights.iloc[t].drop(r.index).isna().all()
        assert not np.allclose(plain.factor_returns.iloc[t], rlm.params, rtol=1e-3)  # the outliers matter


def test_robust_weighted_constrained_equals_rlm_on_whitened_design(panel):
    res = cross_sectional_regress(
        panel.returns, panel.styles, industries=panel.industries, caps=panel.caps, robust=True
    )
    for t in (0, 5, 11):
        r, s, d, cap = date_data(panel, t)
        reduced, restriction = _restricted(d, cap)
        root = np.sqrt(np.sqrt(cap.to_numpy()))  # sqrt of the sqrt(cap) regression weights
        design = np.c_[np.ones(len(r)), reduced, s.to_numpy()] * root[:, None]
        rlm = sm.RLM(r.to_numpy() * root, design, M=sm.robust.norms.HuberT()).fit(tol=1e-13, maxiter=500)
        np.testing.assert_allclose(res.factor_returns.iloc[t].to_numpy(), restriction @ rlm.params, rtol=1e-6)


def test_bad_inference_options(panel):
    res = cross_sectional_regress(panel.returns, panel.styles)
    with pytest.raises(XLFactorError, match="cov: 'hac' is not one of nonrobust, hc1"):
        res.bse("hac")
    with pytest.raises(XLFactorError, match="robust: expected True or False"):
        cross_sectional_regress(panel.returns, panel.styles, robust="yes")
    with pytest.raises(XLFactorError, match="huber_t: expected a positive number"):
        cross_sectional_regress(panel.returns, panel.styles, robust=True, huber_t=0)


def test_empty_industry_standard_errors(panel):
    """An industry with no asset on a date: NaN error for it; the others equal statsmodels on the date
    without that industry (its dummy column dropped, p one smaller)."""
    returns = panel.returns.copy()
    members = panel.industries.index[panel.industries == "Ind2"]
    returns.loc[returns.index[4], members] = np.nan
    res = cross_sectional_regress(returns, panel.styles, industries=panel.industries, caps=panel.caps)
    bse = res.bse()
    assert np.isnan(bse.iloc[4]["Ind2"]) and bse.iloc[4].drop("Ind2").notna().all()
    r, s, d, cap = date_data(panel.__class__(returns, panel.styles, panel.industries, panel.caps, None, None), 4)
    d = d.drop(columns="Ind2")
    reduced, restriction = _restricted(d, cap)
    fit = sm.WLS(r.to_numpy(), np.c_[np.ones(len(r)), reduced, s.to_numpy()], weights=np.sqrt(cap.to_numpy())).fit()
    expected = np.sqrt(np.diag(restriction @ fit.cov_params() @ restriction.T))
    np.testing.assert_allclose(bse.iloc[4].drop("Ind2").to_numpy(), expected, rtol=1e-9)
