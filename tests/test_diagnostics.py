"""Per-asset regression diagnostics and the GRS test against statsmodels and hand formulas.

Diagnostics: for every asset, statsmodels on the asset's NaN-dropped rows (``fvalue``,
``f_pvalue`` with the same covariance, ``durbin_watson``, ``het_breuschpagan`` on the fit's
exog, ``jarque_bera``), to 1e-9 relative (p-values also 1e-14 absolute, as they reach 1e-300).
GRS: the formula with the MLE covariances computed here by hand, and the unbiased-covariance
form from statsmodels fits' residuals, to 1e-10; the p-value against scipy's F distribution.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.stattools import durbin_watson, jarque_bera

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.diagnostics import COLUMNS

FF3 = ["Mkt-RF", "SMB", "HML"]
RTOL = 1e-9


def _sm(y: pd.Series, factors: pd.DataFrame, cov: str):
    data = pd.concat([y.rename("y"), factors], axis=1, join="inner").dropna()
    model = sm.OLS(data["y"], sm.add_constant(data[factors.columns]))
    if cov == "hc1":
        return model.fit(cov_type="HC1")
    if cov == "hac":
        return model.fit(cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": True})
    return model.fit()


@pytest.mark.parametrize("cov", ["nonrobust", "hc1", "hac"])
def test_diagnostics_equal_statsmodels(industries_with_gaps, ff3_monthly, cov):
    """Assets with leading NaNs, interior gaps (Durbin-Watson over consecutive usable rows) and none."""
    lags = 4 if cov == "hac" else None
    res = xf.regress(industries_with_gaps, ff3_monthly, cov=cov, lags=lags, rf=ff3_monthly["RF"])
    diag = res.diagnostics
    assert list(diag.columns) == list(COLUMNS) and diag.index.equals(res.assets)
    excess = industries_with_gaps.sub(ff3_monthly["RF"], axis=0)
    for asset in ["Agric", "Food", "Chips", "Banks", "Rubbr", "Soda"]:
        ref = _sm(excess[asset], ff3_monthly[FF3], cov)
        lm, lm_p, _, _ = het_breuschpagan(ref.resid, ref.model.exog)
        jb, jb_p, skew, kurt = jarque_bera(ref.resid)
        expected = [ref.fvalue, ref.f_pvalue, durbin_watson(ref.resid), lm, lm_p, jb, jb_p, skew, kurt]
        assert_allclose(diag.loc[asset].to_numpy(), expected, rtol=RTOL, atol=1e-14, err_msg=asset)


def test_f_statistic_classical_form_and_summary_rows(industries10, ff3_monthly):
    res = xf.regress(industries10, ff3_monthly, rf=ff3_monthly["RF"])
    k, n = 3, res.nobs.to_numpy()
    r2 = res.rsquared.to_numpy()
    assert_allclose(res.diagnostics["F-statistic"], r2 / k / ((1 - r2) / (n - k - 1)), rtol=1e-10)
    assert_allclose(res.diagnostics["Prob (F-statistic)"], stats.f.sf(r2 / k / ((1 - r2) / (n - k - 1)), k, n - k - 1))
    table = res.summary("Telcm")
    rows = list(table.index)
    assert rows[rows.index("Observations") + 1 :] == list(COLUMNS)
    assert_allclose(table.loc[list(COLUMNS), "coef"].to_numpy(float), res.diagnostics.loc["Telcm"].to_numpy())


def test_diagnostics_are_computed_on_request_only(industries10, ff3_monthly):
    res = xf.regress(industries10, ff3_monthly)
    assert "diagnostics" not in res.__dict__ and "resid" not in res.__dict__
    res.betas  # noqa: B018 (the figure every fit is asked for)
    assert "diagnostics" not in res.__dict__


# ------------------------------------------------------------------ GRS
@pytest.fixture(scope="module")
def ff3_sample(industries10, ff3_monthly):
    return xf.align(industries10.loc["1990":"2019"], ff3_monthly)


def test_grs_by_hand_from_the_formula(ff3_sample):
    r, f = ff3_sample.returns, ff3_sample.factors
    got = xf.grs_test(r, f, rf=f["RF"])
    y = r.sub(f["RF"], axis=0).to_numpy()
    x = f[FF3].to_numpy()
    t, n, k = len(y), y.shape[1], x.shape[1]
    design = np.column_stack([np.ones(t), x])
    theta = np.linalg.lstsq(design, y, rcond=None)[0]
    e = y - design @ theta
    sigma, mu = e.T @ e / t, x.mean(axis=0)
    omega = np.cov(x, rowvar=False, ddof=0)
    expected = (t - n - k) / n * theta[0] @ np.linalg.inv(sigma) @ theta[0] / (1 + mu @ np.linalg.inv(omega) @ mu)
    assert_allclose(got.statistic, expected, rtol=1e-10)
    assert_allclose(got.pvalue, stats.f.sf(expected, n, t - n - k), rtol=1e-10)
    assert (got.df_num, got.df_denom, got.nobs, got.dropped) == (n, t - n - k, t, 0)


def test_grs_from_statsmodels_residual_covariance(ff3_sample):
    r, f = ff3_sample.returns, ff3_sample.factors
    excess = r.sub(f["RF"], axis=0)
    fits = {a: sm.OLS(excess[a], sm.add_constant(f[FF3])).fit() for a in r.columns}
    resid = pd.DataFrame({a: fit.resid for a, fit in fits.items()})
    alpha = np.array([fit.params["const"] for fit in fits.values()])
    t, n, k = len(resid), r.shape[1], 3
    s = resid.cov(ddof=k + 1).to_numpy()  # e'e / (T - K - 1): statsmodels' scale across assets
    assert_allclose(np.diag(s), [fit.scale for fit in fits.values()], rtol=1e-12)
    mu = f[FF3].mean().to_numpy()
    omega = f[FF3].cov(ddof=0).to_numpy()
    quad = alpha @ np.linalg.solve(s, alpha) / (1 + mu @ np.linalg.solve(omega, mu))
    expected = t * (t - n - k) / (n * (t - k - 1)) * quad
    got = xf.grs_test(r, f, rf=f["RF"])
    assert_allclose(got.statistic, expected, rtol=1e-10)
    assert_allclose(got.alpha.to_numpy(), alpha, rtol=1e-10)


def test_grs_uses_the_dates_every_asset_has(ff3_sample):
    r, f = ff3_sample.returns.copy(), ff3_sample.factors
    r.iloc[3, 2] = np.nan
    got = xf.grs_test(r, f, rf=f["RF"])
    expected = xf.grs_test(r.drop(index=r.index[3]), f, rf=f["RF"])
    assert got.dropped == 1 and got.nobs == len(r) - 1
    assert_allclose(got.statistic, expected.statistic, rtol=1e-12)


def test_grs_refuses_too_few_dates(ff3_sample):
    r, f = ff3_sample.returns.iloc[:12], ff3_sample.factors
    with pytest.raises(XLFactorError, match=r"returns: the GRS test needs more common dates than assets plus factors"):
        xf.grs_test(r, f, rf=f["RF"])
    with pytest.raises(XLFactorError, match="returns: the assets' residuals are collinear"):
        xf.grs_test(ff3_sample.returns.assign(Copy=ff3_sample.returns.iloc[:, 0]), f, rf=f["RF"])
