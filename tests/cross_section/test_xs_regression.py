"""cross_sectional_regress and characteristic_portfolios against statsmodels WLS and theory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from xs_helpers import date_data, make_panel

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section import characteristic_portfolios, cross_sectional_regress

# every test runs through the compiled kernels and the numpy reference path (conftest.py)
pytestmark = pytest.mark.usefixtures("kernel_path")


@pytest.fixture(scope="module")
def panel():
    return make_panel()


def test_unconstrained_equals_statsmodels_wls(panel):
    res = cross_sectional_regress(panel.returns, panel.styles, caps=panel.caps)
    for t in range(0, len(panel.returns), 7):
        r, s, _, cap = date_data(panel, t)
        fit = sm.WLS(r.to_numpy(), sm.add_constant(s.to_numpy()), weights=np.sqrt(cap.to_numpy())).fit()
        np.testing.assert_allclose(res.factor_returns.iloc[t].to_numpy(), fit.params, rtol=1e-10)
        np.testing.assert_allclose(res.resid.iloc[t][r.index].to_numpy(), fit.resid, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(res.rsquared.iloc[t], fit.rsquared, rtol=1e-10)
        assert res.resid.iloc[t].drop(r.index).isna().all()
        assert res.nobs.iloc[t] == len(r)


def test_constrained_equals_statsmodels_wls_on_restricted_design(panel):
    """Reference: WLS on [1, D_j - (c_j/c_J) D_J (j < J), S], a different base industry than ours."""
    res = cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps)
    assert res.constrained
    for t in range(0, len(panel.returns), 6):
        r, s, d, cap = date_data(panel, t)
        c = d.mul(cap, axis=0).sum()
        reduced = d.iloc[:, :-1].to_numpy() - np.outer(d.iloc[:, -1], c.iloc[:-1] / c.iloc[-1])
        design = np.c_[np.ones(len(r)), reduced, s.to_numpy()]
        fit = sm.WLS(r.to_numpy(), design, weights=np.sqrt(cap.to_numpy())).fit()
        g_ind = fit.params[1 : d.shape[1]]
        f_last = -(c.iloc[:-1].to_numpy() @ g_ind) / c.iloc[-1]
        expected = np.r_[fit.params[0], g_ind, f_last, fit.params[d.shape[1] :]]
        np.testing.assert_allclose(res.factor_returns.iloc[t].to_numpy(), expected, rtol=1e-10)
        np.testing.assert_allclose(res.resid.iloc[t][r.index].to_numpy(), fit.resid, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(res.rsquared.iloc[t], fit.rsquared, rtol=1e-10)
        # the constraint holds: cap-weighted industry factor returns sum to zero
        assert abs(c.to_numpy() @ res.factor_returns.iloc[t][c.index].to_numpy()) < 1e-12 * c.sum()


def test_single_characteristic_no_market_is_sum_gr_over_sum_g2(panel):
    g = panel.styles["S1"]
    res = cross_sectional_regress(panel.returns, {"g": g}, market=False)
    ok = panel.returns.notna() & g.notna()
    expected = (g * panel.returns).where(ok).sum(axis=1) / (g**2).where(ok).sum(axis=1)
    np.testing.assert_allclose(res.factor_returns["g"].to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_characteristic_portfolios_unconstrained_unit_exposures(panel):
    res = cross_sectional_regress(panel.returns, panel.styles, caps=panel.caps)
    date = panel.returns.index[5]
    h = res.characteristic_portfolios(date)
    x = res.exposures(date)
    np.testing.assert_allclose(h[x.index].to_numpy() @ x.to_numpy(), np.eye(4), atol=1e-12)
    np.testing.assert_allclose(
        h.fillna(0).to_numpy() @ panel.returns.loc[date].fillna(0).to_numpy(),
        res.factor_returns.loc[date].to_numpy(),
        rtol=1e-10,
    )
    assert (h.drop(columns=x.index) == 0).all().all()


def test_characteristic_portfolios_constrained_exposures(panel):
    """H X = I + v c~' with v = (1, -1_J, 0); style rows exactly unit/zero; H X f = f on the constraint."""
    res = cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps)
    date = panel.returns.index[10]
    h = res.characteristic_portfolios(date)
    x = res.exposures(date)
    hx = h[x.index].to_numpy() @ x.to_numpy()
    n_ind = len(res.industry_names)
    cap = panel.caps.loc[date, x.index].to_numpy()
    c = x.iloc[:, 1 : 1 + n_ind].to_numpy().T @ cap
    c_tilde = np.r_[0.0, c / c.sum(), np.zeros(3)]
    v = np.r_[1.0, -np.ones(n_ind), np.zeros(3)]
    np.testing.assert_allclose(hx, np.eye(len(v)) + np.outer(v, c_tilde), atol=1e-12)
    np.testing.assert_allclose(hx[-3:], np.eye(len(v))[-3:], atol=1e-12)
    f = res.factor_returns.loc[date].to_numpy()
    np.testing.assert_allclose(hx @ f, f, atol=1e-14)
    np.testing.assert_allclose(h.fillna(0).to_numpy() @ panel.returns.loc[date].fillna(0).to_numpy(), f, rtol=1e-10)
    # the standalone function gives the same weights when the universe is the same
    full = panel.returns.loc[date].notna()
    alone = characteristic_portfolios(
        {k: v.where(full, axis=1) for k, v in panel.styles.items()},
        date,
        industries=panel.industries,
        caps=panel.caps,
    )
    np.testing.assert_allclose(alone.to_numpy(), h.to_numpy(), rtol=1e-10, atol=1e-15)


def test_simulation_recovers_truth_within_sampling_error(panel):
    """Standardised errors (f^ - f) / sqrt(diag(H Sigma H')) are N(0, 1) under the simulated model.

    Sigma = diag(true specific variances), H the characteristic portfolios (exact finite-sample
    covariance of f^ given X). Over 12 dates x 10 factors = 120 z-scores: mean(z^2) ~ chi2_120/120,
    so it lies in the chi-square 0.1% .. 99.9% band; no |z| exceeds the 1e-4 two-sided normal quantile
    (a false alarm rate of ~1.2%).
    """
    res = cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps)
    z = []
    for date in panel.returns.index[::5]:
        h = res.characteristic_portfolios(date)
        var = (h**2 * panel.specific_vol**2).sum(axis=1)
        z.append(((res.factor_returns.loc[date] - panel.factor_returns.loc[date]) / np.sqrt(var)).to_numpy())
    z = np.concatenate(z)
    lo, hi = stats.chi2.ppf([0.001, 0.999], len(z)) / len(z)
    assert lo < np.mean(z**2) < hi
    assert np.max(np.abs(z)) < stats.norm.ppf(1 - 0.5e-4)


def test_empty_industry_on_a_date_is_nan_and_others_identified(panel):
    returns = panel.returns.copy()
    members = panel.industries.index[panel.industries == "Ind2"]
    returns.loc[returns.index[4], members] = np.nan
    res = cross_sectional_regress(returns, panel.styles, industries=panel.industries, caps=panel.caps)
    row = res.factor_returns.iloc[4]
    assert np.isnan(row["Ind2"]) and row.drop("Ind2").notna().all()
    assert res.factor_returns.drop(index=returns.index[4]).notna().all().all()


def test_bad_input_messages(panel):
    with pytest.raises(XLFactorError, match="returns"):
        cross_sectional_regress(panel.returns.to_numpy(), panel.styles)
    with pytest.raises(XLFactorError, match="exposures"):
        cross_sectional_regress(panel.returns, {"Ind1": panel.styles["S0"]}, industries=panel.industries)
    with pytest.raises(XLFactorError, match="singular"):
        cross_sectional_regress(panel.returns, {"a": panel.styles["S0"], "b": 2 * panel.styles["S0"]})
    with pytest.raises(XLFactorError, match="date"):
        cross_sectional_regress(panel.returns, panel.styles).characteristic_portfolios("1999-01-31")


def test_multiindex_column_exposures_and_exposure_lag(panel):
    """The (characteristic, asset)-column form equals the dict form; exposure_lag=1 equals shifting by hand."""
    multi = pd.concat(panel.styles, axis=1)
    a = cross_sectional_regress(panel.returns, multi, industries=panel.industries, caps=panel.caps)
    b = cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps)
    pd.testing.assert_frame_equal(a.factor_returns, b.factor_returns)
    lagged = cross_sectional_regress(panel.returns, panel.styles, caps=panel.caps, exposure_lag=1)
    by_hand = cross_sectional_regress(
        panel.returns, {k: v.shift(1) for k, v in panel.styles.items()}, caps=panel.caps.shift(1)
    )
    pd.testing.assert_frame_equal(lagged.factor_returns, by_hand.factor_returns)
    assert lagged.factor_returns.iloc[0].isna().all()


def test_characteristic_portfolios_keep_the_input_order_of_assets(panel):
    """Assets in reverse (unsorted) order: weights come back in that order, not sorted by name."""
    order = panel.returns.columns[::-1][:80]
    styles = {k: v[order] for k, v in panel.styles.items()}
    res = cross_sectional_regress(panel.returns[order], styles, industries=panel.industries, caps=panel.caps)
    date = panel.returns.index[2]
    assert list(res.characteristic_portfolios(date).columns) == list(order)
    alone = characteristic_portfolios(styles, date, industries=panel.industries, caps=panel.caps)
    assert list(alone.columns) == list(order)
    sorted_fit = cross_sectional_regress(
        panel.returns[sorted(order)], styles, industries=panel.industries, caps=panel.caps
    )
    same = sorted_fit.characteristic_portfolios(date)[order]
    np.testing.assert_allclose(res.characteristic_portfolios(date).to_numpy(), same.to_numpy(), rtol=1e-10, atol=1e-15)
