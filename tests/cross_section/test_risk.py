"""specific_risk, xs_factor_cov and xs_risk_model against pandas, statsmodels and direct formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.sandwich_covariance import S_hac_simple
from xs_helpers import make_panel

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section import cross_sectional_regress
from xlfactor.models.cross_section.risk import specific_risk, xs_factor_cov, xs_risk_model
from xlfactor.models.risk_model import FactorRiskModel


@pytest.fixture(scope="module")
def panel():
    return make_panel()


@pytest.fixture(scope="module")
def fit(panel):
    return cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps)


def test_specific_risk_equals_pandas_ewm(fit):
    res = specific_risk(fit.resid, 20)
    ref = (fit.resid**2).ewm(halflife=20).mean().iloc[-1]
    np.testing.assert_allclose(res.to_numpy(), ref.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(specific_risk(fit.resid).to_numpy(), (fit.resid**2).mean().to_numpy(), rtol=1e-12)


def test_specific_risk_about_the_mean_equals_pandas_ewm_var(fit):
    """demean=True: variance about the weighted mean residual (residuals shifted by 0.01 to give them a mean)."""
    resid = fit.resid + 0.01
    res = specific_risk(resid, 20, demean=True)
    ref = resid.ewm(halflife=20).var(bias=True).iloc[-1]
    np.testing.assert_allclose(res.to_numpy(), ref.to_numpy(), rtol=1e-10)
    equal = specific_risk(resid, demean=True)
    np.testing.assert_allclose(equal.to_numpy(), resid.var(ddof=0).to_numpy(), rtol=1e-10)
    about_zero = specific_risk(resid)
    np.testing.assert_allclose(about_zero - equal, resid.mean() ** 2, rtol=1e-8)  # E[e^2] = Var(e) + mean^2
    with pytest.raises(XLFactorError, match="demean: expected True"):
        specific_risk(resid, demean="yes")


def test_specific_risk_recovers_simulated_variances(fit, panel):
    """60 residuals per asset: the relative error of a variance estimate is about sqrt(2/60) = 0.18."""
    ratio = specific_risk(fit.resid) / panel.specific_vol**2
    assert abs(np.log(ratio).median()) < 0.1
    assert ratio.between(0.4, 2.0).mean() > 0.99


def test_bayesian_shrinkage_formula(fit, panel):
    caps = panel.caps.iloc[-1]
    raw = np.sqrt(specific_risk(fit.resid, 20))
    out = np.sqrt(specific_risk(fit.resid, 20, shrink_to=caps, n_buckets=5, shrinkage=0.3))
    bucket = pd.qcut(caps.rank(method="first"), 5, labels=False)
    for b in range(5):
        m = bucket == b
        s, c = raw[m], caps[m]
        mean = (s * c).sum() / c.sum()
        delta = np.sqrt(((s - mean) ** 2).mean())
        v = 0.3 * (s - mean).abs() / (delta + 0.3 * (s - mean).abs())
        np.testing.assert_allclose(out[m].to_numpy(), (v * mean + (1 - v) * s).to_numpy(), rtol=1e-12)
    assert ((out - raw).abs() <= (raw - raw.mean()).abs() + 1).all()


def test_factor_cov_equal_halflives_no_lags_is_pandas_ewm_cov(fit):
    f = fit.factor_returns
    res = xs_factor_cov(f, vol_halflife=15, corr_halflife=15, annualize=False)
    ref = f.ewm(halflife=15).cov(bias=True).loc[f.index[-1]]
    np.testing.assert_allclose(res.to_numpy(), ref.to_numpy(), rtol=1e-10)


def test_factor_cov_newey_west_equals_statsmodels_hac(fit):
    f = fit.factor_returns
    res = xs_factor_cov(f, lags=3, annualize=False)
    d = (f - f.mean()).to_numpy()
    np.testing.assert_allclose(res.to_numpy(), S_hac_simple(d, nlags=3) / len(f), rtol=1e-10)


def test_factor_cov_split_half_lives(fit):
    f = fit.factor_returns
    res = xs_factor_cov(f, vol_halflife=10, corr_halflife=40, annualize=True)
    vol = np.sqrt(np.diag(f.ewm(halflife=10).cov(bias=True).loc[f.index[-1]]))
    corr = f.ewm(halflife=40).corr().loc[f.index[-1]].to_numpy()
    np.testing.assert_allclose(res.to_numpy(), 12 * corr * np.outer(vol, vol), rtol=1e-10)
    with pytest.raises(XLFactorError, match="halflife"):
        xs_factor_cov(f, vol_halflife=-1)


def test_xs_risk_model_is_a_working_factor_risk_model(fit, panel):
    model = xs_risk_model(fit, vol_halflife=20, corr_halflife=40, specific_halflife=20, caps=panel.caps.iloc[-1])
    assert isinstance(model, FactorRiskModel) and model.periods_per_year == 12
    date = panel.returns.index[-1]
    x = fit.exposures(date)
    assert list(model.factors) == fit.factor_names and model.assets.equals(x.index)
    f = xs_factor_cov(fit.factor_returns, vol_halflife=20, corr_halflife=40)
    d = specific_risk(fit.resid[x.index], 20, shrink_to=panel.caps.iloc[-1]) * 12  # buckets over the model's assets
    w = pd.Series(1 / len(x), index=x.index)
    risk = model.portfolio_risk(w)
    expected = w @ (x.to_numpy() @ f.to_numpy() @ x.to_numpy().T) @ w + (w**2 * d).sum()
    assert risk.total_var == pytest.approx(expected, rel=1e-10)


def test_xs_factor_cov_is_uncorrected_weighted_cov(fit):
    """Barra convention, pinned: EWMA weights without the 1/(1 - sum w^2) factor; equal weights ddof 0."""
    f = fit.factor_returns.dropna()
    ours = xs_factor_cov(f, vol_halflife=30, corr_halflife=30, annualize=False)
    ref = f.ewm(halflife=30, adjust=True).cov(bias=True).loc[f.index[-1]]
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), rtol=1e-10)
    flat = xs_factor_cov(f, annualize=False)
    np.testing.assert_allclose(flat.to_numpy(), np.cov(f.to_numpy(), rowvar=False, ddof=0), rtol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda f, e: xs_factor_cov(f, lags="2"), "lags: expected a whole number >= 0, got '2'"),
        (lambda f, e: xs_factor_cov(f, lags=1.5), "lags: expected a whole number >= 0, got 1.5"),
        (lambda f, e: xs_factor_cov(f, vol_halflife="20"), "halflife: expected a positive number"),
        (lambda f, e: xs_factor_cov(f, corr_halflife=0), "halflife: expected a positive number"),
        (lambda f, e: specific_risk(e, "20"), "halflife: expected a positive number of periods"),
        (lambda f, e: specific_risk(e, -5), "halflife: expected a positive number of periods"),
        (lambda f, e: specific_risk(e, min_periods=0), "min_periods: expected a whole number >= 1"),
        (
            lambda f, e: specific_risk(e, shrink_to=pd.Series(1.0, index=e.columns), n_buckets=0),
            "n_buckets: expected a whole number >= 1, got 0",
        ),
        (
            lambda f, e: specific_risk(e, shrink_to=pd.Series(1.0, index=e.columns), shrinkage="x"),
            "shrinkage: expected a number q >= 0",
        ),
    ],
)
def test_bad_argument_types(fit, call, match):
    with pytest.raises(XLFactorError, match=match):
        call(fit.factor_returns.dropna(), fit.resid)
