"""xf.regress against statsmodels OLS (nonrobust, HC1, HAC) on real French data.

Reference for asset ``a``: ``sm.OLS(y_a, add_constant(F)).fit(...)`` on the rows where
the asset's excess return and every factor are present (NaN rows dropped). Tolerance:
1e-10 relative for every statistic. Quantities that can sit near zero also get an
absolute floor: residuals 1e-13; alpha 1e-14 and t-values 1e-9, because statsmodels'
pinv alpha itself carries an absolute error of ~2e-16 on daily data (a daily alpha of
6.5e-7 differs by 3e-10 relative; ``test_alpha_precision_extended`` shows ours is the
closer one to the exact value).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from french_files import french_block
from numpy.testing import assert_allclose

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.regression import RegressionResult, regress

RTOL = 1e-10
FF3 = ["Mkt-RF", "SMB", "HML"]
FF5 = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
PKL = Path(__file__).parent / "data" / "df_WarrenBAndCathieW_monthly.pkl"
#: Every test runs on the compiled HAC / HC1 meat kernel and on the numpy one.
pytestmark = pytest.mark.usefixtures("kernels")


def sm_fit(y: pd.Series, factors: pd.DataFrame, cov: str, lags: int | None = None):
    """statsmodels reference on the asset's NaN-dropped rows."""
    data = pd.concat([y.rename("y"), factors], axis=1, join="inner").dropna()
    model = sm.OLS(data["y"], sm.add_constant(data[factors.columns]))
    if cov == "nonrobust":
        return model.fit()
    if cov == "hc1":
        return model.fit(cov_type="HC1")
    return model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})


def assert_matches(res: RegressionResult, y: pd.Series, factors: pd.DataFrame, asset: str) -> None:
    lags = None if res.hac_lags is None else int(res.hac_lags[asset])
    ref = sm_fit(y, factors, res.cov_type, lags)
    names = ["alpha", *factors.columns]
    for ours, theirs, atol in [
        (res.params, ref.params, 1e-14),
        (res.bse, ref.bse, 0.0),
        (res.tvalues, ref.tvalues, 1e-9),
        (res.pvalues, ref.pvalues, 0.0),
    ]:
        assert_allclose(ours.loc[asset, names].to_numpy(), theirs.to_numpy(), rtol=RTOL, atol=atol)
    assert_allclose(res.rsquared[asset], ref.rsquared, rtol=RTOL)
    assert_allclose(res.rsquared_adj[asset], ref.rsquared_adj, rtol=RTOL)
    assert_allclose(res.resid_vol[asset], np.sqrt(ref.scale), rtol=RTOL)
    assert res.nobs[asset] == ref.nobs
    assert res.df_resid[asset] == ref.df_resid
    used = res.resid[asset].dropna()
    assert used.index.equals(ref.resid.index)
    assert_allclose(used.to_numpy(), ref.resid.to_numpy(), rtol=RTOL, atol=1e-13)


@pytest.mark.parametrize("cov,lags", [("nonrobust", None), ("hc1", None), ("hac", None), ("hac", 6), ("hac", 0)])
def test_industries49_ff3_with_missing_values(industries_with_gaps, ff3_monthly, cov, lags):
    res = regress(industries_with_gaps, ff3_monthly, cov=cov, lags=lags, rf=ff3_monthly["RF"])
    excess = industries_with_gaps.sub(ff3_monthly["RF"], axis=0)
    assert res.nobs["Soda"] < res.nobs["Food"] < res.nobs["Agric"]  # leading NaNs, our gap
    for asset in industries_with_gaps.columns:
        assert_matches(res, excess[asset], ff3_monthly[FF3], asset)
    if cov == "hac":
        assert res.hac_lags.tolist() == [
            lags if lags is not None else int(np.floor(4 * (n / 100) ** (2 / 9))) for n in res.nobs
        ]


@pytest.mark.parametrize("cov", ["nonrobust", "hc1", "hac"])
def test_scattered_gaps_in_every_asset(industries49, ff5_monthly, cov):
    """Random missing months everywhere: every asset has its own pattern (HAC groups by pattern)."""
    data = industries49.mask(np.random.default_rng(3).random(industries49.shape) < 0.05)
    res = regress(data, ff5_monthly, cov=cov, rf=ff5_monthly["RF"])
    excess = data.sub(ff5_monthly["RF"], axis=0)
    for asset in ["Agric", "Rubbr", "Softw", "Fin", "Other"]:
        assert_matches(res, excess[asset], ff5_monthly[FF5], asset)


@pytest.mark.parametrize("cov", ["nonrobust", "hc1", "hac"])
def test_industries10_ff5(industries10, ff5_monthly, cov):
    res = regress(industries10, ff5_monthly, cov=cov, rf=ff5_monthly["RF"])
    excess = industries10.sub(ff5_monthly["RF"], axis=0)
    for asset in industries10.columns:
        assert_matches(res, excess[asset], ff5_monthly[FF5], asset)
    assert res.periods_per_year == 12
    assert res.factor_names == FF5
    assert list(res.params.columns) == ["alpha", *FF5]


@pytest.mark.parametrize("cov", ["nonrobust", "hac"])
def test_daily_industries_ff5(ff5_daily, cov):
    daily = french_block("5_Industry_Portfolios_Daily.csv", "Average Value Weighted Returns -- Daily")
    res = regress(daily, ff5_daily, cov=cov, rf=ff5_daily["RF"])
    excess = daily.sub(ff5_daily["RF"], axis=0)
    for asset in daily.columns:
        assert_matches(res, excess[asset], ff5_daily[FF5], asset)
    assert res.periods_per_year == 252
    if cov == "hac":
        assert res.lags == int(np.floor(4 * (res.nobs.iloc[0] / 100) ** (2 / 9)))


def _extended_precision_ols(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """OLS [alpha, beta] in long double: centred normal equations, Gaussian elimination."""
    y, x = y.astype(np.longdouble), x.astype(np.longdouble)
    xc, yc = x - x.mean(axis=0), y - y.mean()
    a, b = xc.T @ xc, xc.T @ yc
    k = len(b)
    for i in range(k):
        for j in range(i + 1, k):
            f = a[j, i] / a[i, i]
            a[j] -= f * a[i]
            b[j] -= f * b[i]
    beta = np.zeros(k, dtype=np.longdouble)
    for i in reversed(range(k)):
        beta[i] = (b[i] - a[i, i + 1 :] @ beta[i + 1 :]) / a[i, i]
    return np.r_[y.mean() - x.mean(axis=0) @ beta, beta]


def test_alpha_precision_extended(ff5_daily):
    """Ours is within 1e-18 of the long-double alpha and 1e-12 relative on betas."""
    daily = french_block("5_Industry_Portfolios_Daily.csv", "Average Value Weighted Returns -- Daily")
    res = regress(daily, ff5_daily, rf=ff5_daily["RF"])
    data = pd.concat([daily["Cnsmr"] - ff5_daily["RF"], ff5_daily[FF5]], axis=1, join="inner").dropna()
    exact = _extended_precision_ols(data.iloc[:, 0].to_numpy(), data[FF5].to_numpy())
    ours = res.params.loc["Cnsmr"].to_numpy()
    assert abs(ours[0] - exact[0]) < 1e-18
    assert_allclose(ours[1:], exact[1:].astype(float), rtol=1e-12)


@pytest.mark.parametrize("cov", ["nonrobust", "hc1", "hac"])
def test_brk_arkk_own_factors(cov):
    data = pd.read_pickle(PKL).rename(columns=str.strip)
    factors = data[["Mkt-RF", "SMB", "HML", "RMW", "CMA", "Mom", "RF"]]
    res = regress(data[["BRK", "ARKK"]], factors, cov=cov, rf=data["RF"])
    assert res.nobs.to_dict() == {"BRK": 279, "ARKK": 59}
    excess = data[["BRK", "ARKK"]].sub(data["RF"], axis=0)
    for asset in ["BRK", "ARKK"]:
        assert_matches(res, excess[asset], factors.drop(columns="RF"), asset)
    if cov == "hac":
        assert res.hac_lags.to_dict() == {"BRK": 5, "ARKK": 3}
        assert res.lags is None  # default lag differs by asset


def test_near_perfect_fit(ff3_monthly, industries10):
    """R2 ~ 1 - 1e-9: SSR = TSS - ESS would lose ~9 digits, so the engine takes SSR from residuals."""
    f = ff3_monthly[FF3]
    noise = industries10["NoDur"].reindex(f.index).fillna(0.0) * 1e-5
    tracker = (0.9 * f["Mkt-RF"] + 0.2 * f["SMB"] - 0.3 * f["HML"] + 0.001 + noise).rename("Tracker")
    data = pd.concat([tracker, industries10["NoDur"]], axis=1)
    res = regress(data, ff3_monthly)
    assert res.rsquared["Tracker"] > 1 - 1e-8
    assert_matches(res, data["Tracker"], f, "Tracker")
    assert_matches(res, data["NoDur"], f, "NoDur")


def test_series_input_rf_column_and_annualised_helpers(industries10, ff3_monthly):
    nodur = industries10["NoDur"]
    with_rf = regress(nodur, ff3_monthly)  # RF column is ignored, not a regressor
    without_rf = regress(nodur, ff3_monthly[FF3])
    assert list(with_rf.params.index) == ["NoDur"]
    assert_allclose(with_rf.params.to_numpy(), without_rf.params.to_numpy(), rtol=0)
    ref = sm_fit(nodur, ff3_monthly[FF3], "nonrobust")
    assert_allclose(with_rf.params.loc["NoDur"].to_numpy(), ref.params.to_numpy(), rtol=RTOL)
    assert_allclose(with_rf.alpha_annualized["NoDur"], 12 * ref.params["const"], rtol=RTOL)
    assert_allclose(with_rf.resid_vol_annualized["NoDur"], np.sqrt(12 * ref.scale), rtol=RTOL)
    assert_allclose(with_rf.betas.loc["NoDur"].to_numpy(), ref.params[FF3].to_numpy(), rtol=RTOL)
    assert with_rf.lags is None and with_rf.hac_lags is None
    unnamed = regress(nodur.rename(None), ff3_monthly)
    assert list(unnamed.params.index) == ["returns"]


def test_rf_is_aligned_by_date(industries10, ff3_monthly):
    shuffled_rf = ff3_monthly["RF"].iloc[::-1]
    res = regress(industries10, ff3_monthly, rf=shuffled_rf)
    manual = regress(industries10.sub(ff3_monthly["RF"], axis=0), ff3_monthly)
    assert_allclose(res.params.to_numpy(), manual.params.to_numpy(), rtol=RTOL)


def test_rows_matched_by_date_intersection(industries10, ff5_monthly):
    """Returns cover 1926-2025, FF5 1963-2026: only common dates are used."""
    res = regress(industries10, ff5_monthly)
    common = industries10.index.intersection(ff5_monthly.index)
    assert res.resid.index.equals(common)
    assert (res.nobs == len(common)).all()


def test_summary_table(industries_with_gaps, ff3_monthly):
    res = regress(industries_with_gaps, ff3_monthly, cov="hc1", rf=ff3_monthly["RF"])
    table = res.summary("Soda")
    ref = sm_fit(industries_with_gaps["Soda"] - ff3_monthly["RF"], ff3_monthly[FF3], "hc1")
    coef_rows = ["alpha", *FF3]
    assert list(table.columns) == ["coef", "std err", "t", "P>|z|", "[0.025", "0.975]"]
    assert_allclose(table.loc[coef_rows, "coef"].to_numpy(), ref.params.to_numpy(), rtol=RTOL)
    assert_allclose(table.loc[coef_rows, ["[0.025", "0.975]"]].to_numpy(), ref.conf_int().to_numpy(), rtol=RTOL)
    assert table.loc["Observations", "coef"] == ref.nobs
    assert_allclose(table.loc["R-squared", "coef"], ref.rsquared, rtol=RTOL)
    assert table.attrs["asset"] == "Soda" and table.attrs["cov_type"] == "hc1"
    nonrobust = regress(industries_with_gaps, ff3_monthly).summary("Soda")
    ref_t = sm_fit(industries_with_gaps["Soda"], ff3_monthly[FF3], "nonrobust")
    assert_allclose(nonrobust.loc[coef_rows, ["[0.025", "0.975]"]].to_numpy(), ref_t.conf_int().to_numpy(), rtol=RTOL)
    with pytest.raises(XLFactorError, match="asset: 'Nope'"):
        res.summary("Nope")


def test_public_api_names():
    assert xf.regress is regress
    assert xf.RegressionResult is RegressionResult


# ---------------------------------------------------------------- bad input


def _raises(match: str, returns, factors, **kwargs) -> None:
    with pytest.raises(XLFactorError, match=match):
        regress(returns, factors, **kwargs)


def test_error_too_few_rows_names_asset(industries10, ff3_monthly):
    data = industries10[["NoDur", "Durbl"]].copy()
    data.iloc[:-4, 1] = np.nan  # 4 rows for 4 parameters
    _raises(r"returns: column 'Durbl' has 4 usable rows but the model has 4 parameters", data, ff3_monthly)


def test_error_all_missing_asset(industries10, ff3_monthly):
    data = industries10[["NoDur"]].assign(Empty=np.nan)
    _raises(r"returns: column 'Empty' has no usable rows", data, ff3_monthly)


def test_error_constant_factor(industries10, ff3_monthly):
    factors = ff3_monthly[FF3].assign(Flat=0.01)
    _raises(r"factors: column 'Flat' is constant", industries10, factors)


def test_error_factor_constant_on_assets_rows(industries10, ff3_monthly):
    factors = ff3_monthly[FF3].copy()
    factors["Step"] = np.r_[np.zeros(600), np.linspace(-0.01, 0.01, len(factors) - 600)]
    data = industries10[["NoDur", "Durbl"]].copy()
    data.iloc[300:, 1] = np.nan  # Beer only has rows where Step is 0
    _raises(r"factors: column 'Step' is constant over the rows where asset 'Durbl' has returns", data, factors)


def test_error_collinear_factors_named(industries10, ff3_monthly):
    factors = ff3_monthly[FF3].assign(Combo=lambda f: f["SMB"] - 2 * f["HML"])
    _raises(r"factors: columns 'SMB', 'HML', 'Combo' are collinear", industries10, factors)


def test_error_no_common_dates(industries10, ff3_monthly):
    shifted = ff3_monthly.copy()
    shifted.index = shifted.index - pd.offsets.MonthBegin(1)  # month-start dates
    _raises(r"returns/factors: no dates in common", industries10, shifted)


def test_error_non_numeric(industries10, ff3_monthly):
    data = industries10[["NoDur"]].astype(object)
    data.iloc[5, 0] = "n/a"
    _raises(r"returns: column 'NoDur' is not numeric \(found 'n/a'\)", data, ff3_monthly)
    factors = ff3_monthly.assign(SMB=ff3_monthly["SMB"].astype(str))
    _raises(r"factors: column 'SMB' is not numeric", industries10, factors)


def test_error_duplicate_dates(industries10, ff3_monthly):
    data = pd.concat([industries10.iloc[:10], industries10.iloc[[3]]])
    _raises(r"returns: date 1926-10-31 00:00:00 appears more than once", data, ff3_monthly)
    _raises(r"factors: date .* appears more than once", industries10, pd.concat([ff3_monthly, ff3_monthly.iloc[[0]]]))


def test_error_infinite_values(industries10, ff3_monthly):
    data = industries10.copy()
    data.iloc[7, 2] = np.inf
    _raises(r"returns: column 'Manuf' on 1927-02-28 contains infinite values", data, ff3_monthly)


def test_error_arguments(industries10, ff3_monthly):
    _raises(r"cov: 'hac2' is not one of", industries10, ff3_monthly, cov="hac2")
    _raises(
        r"lags: only used with HAC standard errors \(not nonrobust\); drop lags \(or cov='hac'\)",
        industries10,
        ff3_monthly,
        lags=3,
    )
    _raises(r"lags: expected a whole number >= 0", industries10, ff3_monthly, cov="hac", lags=-1)
    _raises(r"lags: 5000 is not below the 1186 usable rows", industries10, ff3_monthly, cov="hac", lags=5000)
    _raises(r"returns: expected a pandas Series or DataFrame", industries10.to_numpy(), ff3_monthly)
    _raises(r"factors: no factor columns", industries10, ff3_monthly[["RF"]])
    _raises(r"rf: expected a pandas Series", industries10, ff3_monthly, rf=0.01)


def test_rf_must_cover_the_sample(industries10, ff3_monthly):
    data = industries10.loc["2016":"2025"]
    rf = ff3_monthly["RF"]
    n = len(data.index.intersection(ff3_monthly.index))
    _raises(
        rf"rf: the risk-free rate is missing on {n - 10} of the {n} return dates .*it must cover the sample",
        data,
        ff3_monthly,
        rf=rf.loc[data.index[:10]],
    )
    holes = rf.copy()
    holes.loc[data.index[[3, 50]]] = np.nan
    _raises(
        rf"rf: the risk-free rate is missing on 2 of the {n} return dates \(first {data.index[3]:%Y-%m-%d}\)",
        data,
        ff3_monthly,
        rf=holes,
    )
    # rf missing only on dates with no return at all is harmless
    gaps = data.copy()
    gaps.iloc[5] = np.nan
    holes = rf.copy()
    holes.loc[data.index[5]] = np.nan
    res = regress(gaps, ff3_monthly, rf=holes)
    ref = regress(gaps, ff3_monthly, rf=rf)
    assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=0)
    assert (res.nobs == n - 1).all()


def test_error_argument_types(industries10, ff3_monthly):
    _raises(r"lags: expected a whole number >= 0, got '2'", industries10, ff3_monthly, cov="hac", lags="2")
    _raises(r"lags: expected a whole number >= 0, got 2.5", industries10, ff3_monthly, cov="hac", lags=2.5)
    _raises(r"periods_per_year: expected a whole number >= 1", industries10, ff3_monthly, periods_per_year=0)
    a = regress(industries10, ff3_monthly, cov="hac", lags=3.0)
    b = regress(industries10, ff3_monthly, cov="hac", lags=3)
    assert a.lags == b.lags == 3
    assert_allclose(a.bse.to_numpy(), b.bse.to_numpy(), rtol=0)
