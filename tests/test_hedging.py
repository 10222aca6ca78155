"""Hedging and sizing on the real 10-industry / FF5 monthly data.

References: statsmodels OLS for minimum-variance hedges (slopes rtol 1e-10, R^2 and residual
variance rtol 1e-10); xlfactor.regress for the zero in-sample beta of hedged returns
(|beta| < 1e-12); an augmented risk model (factor-mimicking positions as extra assets) for
the risk-share hedge (rtol 1e-12); closed-form arithmetic for position sizes (rtol 1e-14).
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize

from xlfactor.errors import XLFactorError
from xlfactor.models.hedging import (
    HedgeResult,
    hedge_ratios,
    hedge_to_risk_share,
    hedged_returns,
    position_size,
    tracking_portfolio,
)
from xlfactor.models.regression import regress
from xlfactor.models.risk_model import FactorRiskModel

FACTORS = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


@pytest.fixture(scope="module")
def sample(industries10, ff5_monthly):
    dates = industries10.index.intersection(ff5_monthly.index)
    excess = industries10.loc[dates].sub(ff5_monthly.loc[dates, "RF"], axis=0)
    return excess, ff5_monthly.loc[dates, FACTORS]


@pytest.fixture(scope="module")
def regression(sample):
    return regress(*sample)


@pytest.fixture(scope="module")
def model(regression, sample):
    return FactorRiskModel.from_regression(regression, sample[1])


@pytest.fixture(scope="module")
def weights(model):
    return pd.Series([0.15, 0.05, 0.2, 0.1, -0.05, 0.12, 0.08, 0.1, 0.05, 0.2], index=model.assets)


def ols(y, x):
    return sm.OLS(y, sm.add_constant(x)).fit()


@pytest.mark.parametrize("instruments", [["Mkt-RF"], FACTORS])
def test_hedge_ratios_match_ols(sample, instruments):
    excess, factors = sample
    res = hedge_ratios(excess["HiTec"], factors[instruments])
    ref = ols(excess["HiTec"], factors[instruments])
    assert isinstance(res, HedgeResult)
    np.testing.assert_allclose(res.ratios.to_numpy(), ref.params[instruments].to_numpy(), rtol=1e-10)
    assert list(res.ratios.index) == instruments
    assert res.effectiveness == pytest.approx(ref.rsquared, rel=1e-10)
    assert res.residual_vol**2 == pytest.approx(ref.mse_resid, rel=1e-10)
    assert res.unhedged_vol == pytest.approx(excess["HiTec"].std(ddof=1), rel=1e-12)
    assert res.periods_per_year == 12 and res.nobs == len(excess)
    assert res.residual_vol_annualized == pytest.approx(res.residual_vol * np.sqrt(12), rel=1e-15)
    assert res.unhedged_vol_annualized == pytest.approx(res.unhedged_vol * np.sqrt(12), rel=1e-15)
    # sign convention: the hedged series is target minus the short positions' returns
    expected = excess["HiTec"] - factors[instruments] @ res.ratios
    np.testing.assert_allclose(res.hedged.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-15)


def test_hedge_with_market_and_sector(industries10, ff5_monthly):
    """Hedge Health with the market (total return) and the Consumer Non-Durables sector, gaps included."""
    market = (ff5_monthly["Mkt-RF"] + ff5_monthly["RF"]).rename("Market")
    target = industries10["Hlth"].copy()
    target.iloc[500] = np.nan
    instruments = pd.concat([market, industries10["NoDur"]], axis=1, sort=True)
    res = hedge_ratios(target, instruments)
    data = pd.concat([target, instruments], axis=1, join="inner").dropna()
    ref = ols(data["Hlth"], data[["Market", "NoDur"]])
    np.testing.assert_allclose(res.ratios.to_numpy(), ref.params[["Market", "NoDur"]].to_numpy(), rtol=1e-10)
    assert res.nobs == len(data) == int(ref.nobs)
    assert res.effectiveness == pytest.approx(ref.rsquared, rel=1e-10)


def test_hedge_ratios_without_dates(sample):
    excess, factors = sample
    res = hedge_ratios(excess["HiTec"].reset_index(drop=True), factors["Mkt-RF"].reset_index(drop=True))
    assert res.periods_per_year is None and res.residual_vol_annualized is None
    with_ppy = hedge_ratios(
        excess["HiTec"].reset_index(drop=True), factors["Mkt-RF"].reset_index(drop=True), periods_per_year=12
    )
    assert with_ppy.unhedged_vol_annualized == pytest.approx(res.unhedged_vol * np.sqrt(12))


def test_hedge_ratios_bad_input(sample):
    excess, factors = sample
    target = excess["HiTec"]
    with pytest.raises(XLFactorError, match="instruments: .*collinear"):
        hedge_ratios(target, factors[["Mkt-RF", "SMB"]].assign(Twice=2 * factors["Mkt-RF"]))
    with pytest.raises(XLFactorError, match="instruments: 'SMB' is constant"):
        hedge_ratios(target, factors[["Mkt-RF"]].assign(SMB=0.0))
    with pytest.raises(XLFactorError, match="target: .*constant"):
        hedge_ratios(target * 0 + 0.01, factors["Mkt-RF"])
    with pytest.raises(XLFactorError, match="need at least 7"):
        hedge_ratios(target.iloc[:6], factors)
    with pytest.raises(XLFactorError, match="target: expected one return series"):
        hedge_ratios(excess, factors)
    with pytest.raises(XLFactorError, match="non-numeric"):
        hedge_ratios(target, factors[["Mkt-RF"]].assign(X="a"))


def augmented_risk(model, weights, hedge):
    """Risk of weights plus SHORT hedge positions, with each factor added as an asset (exposure 1, no specific)."""
    eye = pd.DataFrame(np.eye(len(model.factors)), index=[f"hedge {f}" for f in model.factors], columns=model.factors)
    exposures = pd.concat([model.exposures, eye])
    specific = pd.concat([model.specific_var, pd.Series(0.0, index=eye.index)])
    big = FactorRiskModel(exposures, model.factor_cov, specific, model.periods_per_year)
    return big.portfolio_risk(np.concatenate([weights.to_numpy(), -hedge.to_numpy()]), max_gross=None)  # a hedged book


@pytest.mark.parametrize("target", [0.0, 0.2, 0.5, 0.9999])
def test_hedge_to_risk_share_hits_target(model, weights, target):
    res = hedge_to_risk_share(model, weights, target)
    after = augmented_risk(model, weights, res.hedge)
    before = model.portfolio_risk(weights)
    assert after.factor_share == pytest.approx(target, rel=1e-12, abs=1e-15)
    assert res.factor_share_after == pytest.approx(target, rel=1e-12, abs=1e-15)
    assert res.factor_share_before == pytest.approx(before.factor_share, rel=1e-12)
    assert res.total_vol_after == pytest.approx(after.total_vol, rel=1e-12)
    assert res.specific_vol == pytest.approx(before.specific_vol, rel=1e-12)
    assert res.total_vol_before == pytest.approx(before.total_vol, rel=1e-12)
    np.testing.assert_allclose(res.exposures_after.to_numpy(), after.exposures.to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose((res.exposures_before - res.hedge).to_numpy(), res.exposures_after.to_numpy())


def test_zero_factor_risk_hedge_is_the_exposure(model, weights):
    res = hedge_to_risk_share(model, weights, 0.0)
    np.testing.assert_allclose(res.hedge.to_numpy(), model.portfolio_risk(weights).exposures.to_numpy(), rtol=1e-15)
    assert res.scale == 0.0 and res.factor_vol_after == 0.0


def test_active_risk_share_hedge(model, weights):
    benchmark = pd.Series(0.1, index=model.assets)
    res = hedge_to_risk_share(model, weights, 0.3, benchmark=benchmark)
    after = augmented_risk(model, weights - benchmark, res.hedge)
    assert res.active and after.factor_share == pytest.approx(0.3, rel=1e-12)


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, "half", np.nan])
def test_target_share_must_be_in_unit_interval(model, weights, bad):
    with pytest.raises(XLFactorError, match="target_share"):
        hedge_to_risk_share(model, weights, bad)


def test_hedged_returns_have_zero_in_sample_beta(regression, sample):
    excess, factors = sample
    hedged = hedged_returns(regression, excess, factors)
    again = regress(hedged, factors)
    assert np.abs(again.betas.to_numpy()).max() < 1e-12
    np.testing.assert_allclose(again.params["alpha"], regression.params["alpha"], rtol=1e-10)
    expected = regression.resid + regression.params["alpha"]
    np.testing.assert_allclose(hedged.to_numpy(), expected.loc[hedged.index].to_numpy(), rtol=0, atol=1e-15)


def test_hedged_returns_with_missing_values(industries49, ff5_monthly):
    dates = industries49.index.intersection(ff5_monthly.index)
    gaps = industries49.columns[industries49.loc[dates].isna().any()]
    assert len(gaps) >= 2  # industries with real missing values in the FF5 period
    assets = [*gaps[:2], "Food", "Banks"]
    excess = industries49.loc[dates, assets].sub(ff5_monthly.loc[dates, "RF"], axis=0)
    res = regress(excess, ff5_monthly)
    hedged = hedged_returns(res, excess, ff5_monthly)
    assert hedged.isna().equals(excess.isna())
    assert np.abs(regress(hedged, ff5_monthly).betas.to_numpy()).max() < 1e-12
    tracking = tracking_portfolio(res, ff5_monthly)
    total = (hedged + tracking.loc[hedged.index]).to_numpy()
    np.testing.assert_allclose(total, excess.to_numpy(), rtol=0, atol=1e-15)


def test_hedged_returns_single_series(regression, sample):
    excess, factors = sample
    one = regress(excess["Utils"], factors)
    out = hedged_returns(one, excess["Utils"].rename("whatever"), factors)
    np.testing.assert_allclose(out.iloc[:, 0].to_numpy(), hedged_returns(regression, excess, factors)["Utils"])


def test_tracking_portfolio_is_factor_times_beta(regression, sample):
    _, factors = sample
    tracking = tracking_portfolio(regression, factors)
    expected = factors.to_numpy() @ regression.betas.loc[:, FACTORS].to_numpy().T
    np.testing.assert_allclose(tracking.to_numpy(), expected, rtol=1e-12, atol=1e-16)
    assert list(tracking.columns) == list(regression.betas.index)


def test_hedged_returns_bad_input(regression, sample):
    excess, factors = sample
    with pytest.raises(XLFactorError, match=r"returns: assets not in the regression result: 'X'"):
        hedged_returns(regression, excess.assign(X=0.0), factors)
    with pytest.raises(XLFactorError, match=r"factors: missing the regression's factor columns 'CMA'"):
        hedged_returns(regression, excess, factors.drop(columns="CMA"))
    with pytest.raises(XLFactorError, match="no dates in common"):
        hedged_returns(regression, excess, factors.set_axis(factors.index + pd.Timedelta(days=1)))


def test_position_size_explicit_vols():
    res = position_size(50_000, vol=0.30, hedged_vol=0.12, horizon="daily")
    assert res.horizon == "D"
    assert res.vol_unhedged == pytest.approx(0.30 / np.sqrt(252), rel=1e-14)
    assert res.capital_unhedged == pytest.approx(50_000 * np.sqrt(252) / 0.30, rel=1e-14)
    assert res.capital_hedged == pytest.approx(50_000 * np.sqrt(252) / 0.12, rel=1e-14)
    annual = position_size(1_000_000, vol=0.25)
    assert annual.capital_unhedged == pytest.approx(4_000_000, rel=1e-14) and annual.capital_hedged is None


def test_position_size_from_model(model, regression, sample):
    res = position_size(10_000, model, "HiTec", horizon="monthly")
    i = model.assets.get_loc("HiTec")
    annual_var = model.asset_cov().to_numpy()[i, i]
    assert res.capital_unhedged == pytest.approx(10_000 / np.sqrt(annual_var / 12), rel=1e-12)
    assert res.capital_hedged == pytest.approx(10_000 / np.sqrt(model.specific_var["HiTec"] / 12), rel=1e-12)
    # monthly data: a monthly horizon uses the per-period variance as estimated
    assert res.vol_hedged == pytest.approx(regression.resid_vol["HiTec"], rel=1e-12)
    per_period = FactorRiskModel.from_regression(regression, sample[1], annualize=False)
    same = position_size(10_000, per_period, "HiTec", horizon="M")
    assert same.capital_unhedged == pytest.approx(res.capital_unhedged, rel=1e-12)
    assert same.capital_hedged == pytest.approx(res.capital_hedged, rel=1e-12)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((0,), {"vol": 0.2}, "vol_budget"),
        ((1e6,), {"vol": -0.2}, "vol: expected a positive"),
        ((1e6,), {"vol": 0.2, "horizon": "hourly"}, "horizon"),
        ((1e6,), {}, "model/vol"),
        ((1e6,), {"vol": 0.2, "hedged_vol": 0}, "hedged_vol"),
    ],
)
def test_position_size_bad_input(args, kwargs, match):
    with pytest.raises(XLFactorError, match=match):
        position_size(*args, **kwargs)


def test_position_size_unknown_asset(model):
    with pytest.raises(XLFactorError, match="asset: 'AAPL' is not in the risk model"):
        position_size(1e6, model, "AAPL")
    with pytest.raises(XLFactorError, match="model/vol"):
        position_size(1e6, model, "HiTec", vol=0.2)
    with pytest.raises(XLFactorError, match="asset: "):
        position_size(1e6, model, ["HiTec"])


def test_hedge_collinear_instruments_named(sample):
    excess, factors = sample
    with pytest.raises(XLFactorError, match=r"instruments: columns 'Mkt-RF', 'Twice' are collinear.*drop redundant"):
        hedge_ratios(excess["HiTec"], factors[["Mkt-RF", "SMB"]].assign(Twice=2 * factors["Mkt-RF"]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"vol": "0.2"}, "vol: expected a positive number, got '0.2'"),
        ({"vol": 0.2, "hedged_vol": "x"}, "hedged_vol: expected a positive number"),
        ({"vol": np.nan}, "vol: expected a positive number"),
    ],
)
def test_position_size_rejects_non_numbers(kwargs, match):
    with pytest.raises(XLFactorError, match=match):
        position_size(1e6, **kwargs)


def test_hedge_ratios_periods_per_year_checked(sample):
    excess, factors = sample
    with pytest.raises(XLFactorError, match="periods_per_year: expected a whole number >= 1, got '12'"):
        hedge_ratios(excess["HiTec"], factors["Mkt-RF"], periods_per_year="12")
    res = hedge_ratios(excess["HiTec"], factors["Mkt-RF"], periods_per_year=12)
    assert res.residual_vol_annualized == pytest.approx(res.residual_vol * np.sqrt(12), rel=1e-14)


# ------------------------------------------------------------------ bounded hedges
def test_bounds_that_do_not_bind_give_the_ols_hedge(sample):
    excess, factors = sample
    free = hedge_ratios(excess["HiTec"], factors)
    loose = hedge_ratios(excess["HiTec"], factors, lower=-5, upper=pd.Series({"Mkt-RF": 3.0}))
    np.testing.assert_allclose(loose.ratios, free.ratios, rtol=1e-10)
    assert free.binding is None and (loose.binding == "").all()


def test_short_only_hedge_is_ols_on_the_free_instruments(sample):
    """HiTec's OLS ratios on HML, RMW, CMA are negative: with lower=0 and at most 1 on the market, the exact
    solution holds the binding ratios at their bounds and is the OLS hedge of what remains on the free ones
    (statsmodels, 1e-10); scipy's SLSQP finds no lower variance (1e-12) and the same ratios (1e-6)."""
    excess, factors = sample
    res = hedge_ratios(excess["HiTec"], factors, lower=0, upper=[1, None, None, None, None])
    binding = res.binding
    assert binding["Mkt-RF"] == "upper" and (binding[["HML", "RMW", "CMA"]] == "lower").all()
    fixed = binding != ""
    held = factors.loc[:, fixed] @ res.ratios[fixed]
    ref = ols(excess["HiTec"] - held, factors.loc[:, ~fixed])
    np.testing.assert_allclose(res.ratios[~fixed], ref.params.iloc[1:], rtol=1e-10)
    hedged = excess["HiTec"] - factors @ res.ratios
    np.testing.assert_allclose(res.hedged, hedged, rtol=1e-12)
    np.testing.assert_allclose(res.effectiveness, 1 - hedged.var() / excess["HiTec"].var(), rtol=1e-12)

    def variance(h):
        return np.var(excess["HiTec"].to_numpy() - factors.to_numpy() @ h, ddof=1)

    bounds = [(0, 1)] + [(0, None)] * 4
    sp = optimize.minimize(variance, np.full(5, 0.1), bounds=bounds, method="SLSQP", options={"ftol": 1e-16})
    assert variance(res.ratios.to_numpy()) <= sp.fun * (1 + 1e-12)
    np.testing.assert_allclose(res.ratios, sp.x, atol=1e-6)


@pytest.mark.parametrize("target", [0.0, 0.3])
def test_bounded_risk_share_hedge_is_nearest_in_factor_risk(model, weights, target):
    """With bounds the hedge minimises (x - h - c x)' F (x - h - c x) over the box: scipy's SLSQP finds no smaller
    value (1e-12 relative) and the same hedge (1e-6); the figures after are those of x - h (1e-12)."""
    free = hedge_to_risk_share(model, weights, target)
    res = hedge_to_risk_share(model, weights, target, lower=0, upper=0.2)
    x, f = free.exposures_before.to_numpy(), model.F
    goal = free.exposures_after.to_numpy()

    def distance(h):
        d = x - h - goal
        return d @ f @ d

    sp = optimize.minimize(distance, np.full(len(x), 0.1), bounds=[(0, 0.2)] * len(x), method="SLSQP",
                           options={"ftol": 1e-18})  # fmt: skip
    assert distance(res.hedge.to_numpy()) <= sp.fun * (1 + 1e-12) + 1e-18
    np.testing.assert_allclose(res.hedge, sp.x, atol=1e-6)
    after = x - res.hedge.to_numpy()
    np.testing.assert_allclose(res.exposures_after, after, rtol=1e-12)
    np.testing.assert_allclose(res.factor_vol_after, np.sqrt(after @ f @ after), rtol=1e-12)
    assert set(res.binding) <= {"lower", "upper", ""} and (res.binding != "").any()
    inside = res.binding == ""
    assert ((res.hedge[~inside] == 0) | (res.hedge[~inside] == 0.2)).all()


def test_bounded_hedges_refuse_bad_bounds(sample, model, weights):
    excess, factors = sample
    with pytest.raises(XLFactorError, match="upper: the bound 0 on 'Mkt-RF' is below its lower bound 1"):
        hedge_ratios(excess["HiTec"], factors, lower=1, upper=0)
    with pytest.raises(XLFactorError, match="lower: 2 values for 5 factors"):
        hedge_to_risk_share(model, weights, 0.2, lower=[0, 0])
