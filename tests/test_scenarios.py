"""stress and var_es on a risk model of the 10 industries on FF5 (real monthly data).

References: the explicit conditional-expectation formula with numpy inverses and, since F is a
sample covariance, statsmodels OLS slopes of the unshocked factors on the shocked ones (rtol
1e-10); scipy.stats.norm quantiles and numerically integrated tail expectations for VaR/ES
(rtol 1e-12 and 1e-8). Identities (P&L sums) at rtol 1e-12.

var_es by method, references independent of the engine's code paths: the historical mixture
quantile is checked with scipy.stats.norm.cdf (P(L <= -VaR) = 1 - c to 1e-12) and its ES by
scipy.integrate.quad of the mixture density (rtol 1e-8); the P&L moments with
scipy.stats.norm(...).moment per date (rtol 1e-10); Cornish-Fisher by the textbook expansion with
scipy.stats.norm.ppf and its ES by quad of the expanded quantile function (rtol 1e-8); the s = 0
case against numpy's averaged inverted-CDF quantile, the Acerbi-Tasche tail mean and
scipy.stats.skew/kurtosis. The historical Euler contributions against central finite differences.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import integrate
from scipy.stats import kurtosis, norm, skew

from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import horizon_periods
from xlfactor.models.hedging import position_size
from xlfactor.models.regression import regress
from xlfactor.models.risk_model import FactorRiskModel
from xlfactor.models.scenarios import StressResult, VaRResult, stress, var_es

FACTORS = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


@pytest.fixture(scope="module")
def factors(industries10, ff5_monthly):
    return ff5_monthly.loc[industries10.index.intersection(ff5_monthly.index), FACTORS]


@pytest.fixture(scope="module")
def regression(industries10, ff5_monthly, factors):
    excess = industries10.loc[factors.index].sub(ff5_monthly.loc[factors.index, "RF"], axis=0)
    return regress(excess, factors)


@pytest.fixture(scope="module")
def model(regression, factors):
    return FactorRiskModel.from_regression(regression, factors)


@pytest.fixture(scope="module")
def weights(model):
    return pd.Series([0.15, 0.05, 0.2, 0.1, -0.05, 0.12, 0.08, 0.1, 0.05, 0.2], index=model.assets)


@pytest.mark.parametrize("shocks", [{"Mkt-RF": -0.10}, {"Mkt-RF": -0.10, "HML": 0.03}, {"SMB": 0.02, "CMA": -0.01}])
def test_implied_moves_equal_explicit_formula(model, weights, shocks):
    res = stress(model, weights, shocks)
    assert isinstance(res, StressResult)
    f = model.factor_cov
    s_names = list(shocks)
    o_names = [k for k in FACTORS if k not in shocks]
    s = np.array([shocks[k] for k in s_names])
    implied = f.loc[o_names, s_names].to_numpy() @ np.linalg.inv(f.loc[s_names, s_names].to_numpy()) @ s
    np.testing.assert_allclose(res.factor_moves[o_names].to_numpy(), implied, rtol=1e-12)
    np.testing.assert_array_equal(res.factor_moves[s_names].to_numpy(), s)
    assert res.shocked[s_names].all() and not res.shocked[o_names].any()
    assert list(res.factor_moves.index) == FACTORS


def test_implied_moves_are_regression_slopes(model, weights, factors):
    """With F the sample covariance, F_os F_ss^-1 is the OLS slope of f_o on f_s (with intercept)."""
    res = stress(model, weights, {"Mkt-RF": -0.10, "SMB": -0.02})
    for other in ["HML", "RMW", "CMA"]:
        slopes = sm.OLS(factors[other], sm.add_constant(factors[["Mkt-RF", "SMB"]])).fit().params
        expected = slopes["Mkt-RF"] * -0.10 + slopes["SMB"] * -0.02
        assert res.factor_moves[other] == pytest.approx(expected, rel=1e-10)


def test_pnl_is_exposure_times_moves(model, weights):
    res = stress(model, weights, pd.Series({"Mkt-RF": -0.10}))
    f = res.factor_moves.to_numpy()
    b = model.exposures.to_numpy()
    x = b.T @ weights.to_numpy()
    assert res.pnl == pytest.approx(x @ f, rel=1e-12)
    np.testing.assert_allclose(res.pnl_by_factor.to_numpy(), x * f, rtol=1e-12)
    assert res.by_asset["pnl"].sum() == pytest.approx(res.pnl, rel=1e-12)
    np.testing.assert_allclose(res.by_asset["return"].to_numpy(), b @ f, rtol=1e-12)
    assert list(res.by_factor.columns) == ["move", "shocked", "exposure", "pnl"]
    assert list(res.by_asset.columns) == ["weight", "return", "pnl"]
    assert -0.15 < res.pnl < -0.05  # a long equity mix loses roughly its beta times 10%


def test_all_factors_shocked_uses_them_as_given(model, weights):
    shocks = dict(zip(FACTORS, [-0.1, 0.02, 0.01, -0.01, 0.0], strict=True))
    res = stress(model, weights, shocks)
    np.testing.assert_array_equal(res.factor_moves.to_numpy(), list(shocks.values()))
    assert res.shocked.all()


def test_active_stress(model, weights):
    benchmark = {"NoDur": 0.5, "HiTec": 0.5}
    res = stress(model, weights, {"Mkt-RF": -0.1}, benchmark=benchmark)
    plain = stress(model, weights, {"Mkt-RF": -0.1})
    bench = stress(model, pd.Series(benchmark), {"Mkt-RF": -0.1})
    assert res.active and res.pnl == pytest.approx(plain.pnl - bench.pnl, rel=1e-12)


@pytest.mark.parametrize(
    "shocks, match",
    [
        ({}, "at least one"),
        ({"Market": -0.1}, r"unknown factors 'Market'"),
        ({"Mkt-RF": np.nan}, "finite"),
        ({"Mkt-RF": "down"}, "numbers"),
    ],
)
def test_bad_shocks(model, weights, shocks, match):
    with pytest.raises(XLFactorError, match=f"shocks: .*{match}"):
        stress(model, weights, shocks)


def test_singular_shocked_factors():
    f = pd.DataFrame([[1.0, 1.0, 0.2], [1.0, 1.0, 0.2], [0.2, 0.2, 1.0]], index=list("abc"), columns=list("abc"))
    model = FactorRiskModel(pd.DataFrame(np.eye(3), index=list("xyz"), columns=list("abc")), f, [0.1] * 3, 12)
    with pytest.raises(XLFactorError, match="perfectly correlated"):
        stress(model, [1, 0, 0], {"a": -0.1, "b": -0.1})
    zero = FactorRiskModel(model.exposures, np.diag([1.0, 0.0, 1.0]), [0.1] * 3, 12)
    with pytest.raises(XLFactorError, match="'b' has zero variance"):
        stress(zero, [1, 0, 0], {"b": -0.1})


@pytest.mark.parametrize("confidence", [0.95, 0.99, 0.999])
@pytest.mark.parametrize("horizon", [1, 3, 12])
def test_var_es_against_scipy(model, weights, confidence, horizon):
    res = var_es(model, weights, confidence=confidence, horizon=horizon)
    assert isinstance(res, VaRResult)
    sigma = np.sqrt(model.portfolio_risk(weights).total_var / 12 * horizon)  # annual model -> months
    assert res.vol == pytest.approx(sigma, rel=1e-12)
    assert res.var == pytest.approx(-norm.ppf(1 - confidence, scale=sigma), rel=1e-12)
    assert res.z == pytest.approx(norm.ppf(confidence), rel=1e-12)
    tail_mean = norm.expect(lambda v: v, scale=sigma, ub=-res.var, conditional=True)
    assert res.es == pytest.approx(-tail_mean, rel=1e-8)
    assert res.es > res.var > 0
    assert res.by_factor["var"].sum() == pytest.approx(res.var, rel=1e-12)
    assert res.by_factor["es"].sum() == pytest.approx(res.es, rel=1e-12)


def test_var_es_same_for_annual_and_per_period_models(regression, factors, weights):
    annual = FactorRiskModel.from_regression(regression, factors)
    monthly = FactorRiskModel.from_regression(regression, factors, annualize=False)
    a = var_es(annual, weights, 0.99, horizon=6)
    m = var_es(monthly, weights, 0.99, horizon=6)
    assert a.var == pytest.approx(m.var, rel=1e-12) and a.es == pytest.approx(m.es, rel=1e-12)


def test_var_es_active(model, weights):
    bench = pd.Series(0.1, index=model.assets)
    res = var_es(model, weights, benchmark=bench)
    te = model.portfolio_risk(weights, benchmark=bench).total_vol / np.sqrt(12)
    assert res.active and res.vol == pytest.approx(te, rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"confidence": 1.0}, "confidence"),
        ({"confidence": 0}, "confidence"),
        ({"confidence": 99}, "confidence"),
        ({"confidence": "high"}, "confidence"),
        ({"horizon": 0}, "horizon"),
        ({"horizon": -1}, "horizon"),
        ({"horizon": np.inf}, "horizon"),
    ],
)
def test_var_es_bad_arguments(model, weights, kwargs, match):
    with pytest.raises(XLFactorError, match=match):
        var_es(model, weights, **kwargs)


def test_var_es_bad_weights(model):
    with pytest.raises(XLFactorError, match="weights: got 2 values for 10 assets"):
        var_es(model, [0.5, 0.5])


@pytest.mark.parametrize("horizon", ["3", None, True, np.nan])
def test_var_es_horizon_must_be_a_positive_number(model, weights, horizon):
    with pytest.raises(XLFactorError, match="horizon: expected a positive number of data periods"):
        var_es(model, weights, horizon=horizon)


def test_stress_names_the_collinear_shocked_factors(model, weights):
    f = model.factor_cov.copy()
    f.loc["HML"] = f.loc["SMB"]
    f["HML"] = f["SMB"]  # HML an exact copy of SMB in the model
    twin = FactorRiskModel(model.exposures, f, model.specific_var, model.periods_per_year)
    with pytest.raises(
        XLFactorError,
        match=r"shocks: columns 'SMB', 'HML' are collinear in the model .*"
        r"perfectly correlated.*shock only one of them",
    ):
        stress(twin, weights, {"SMB": -0.02, "HML": 0.01})


@pytest.mark.parametrize("bad", ["0.99", True, float("nan")])
def test_confidence_and_target_share_refuse_text_bool_and_nan(model, weights, bad):
    """One validator for both fractions: text and booleans are not silently turned into numbers."""
    from xlfactor.models.hedging import hedge_to_risk_share

    with pytest.raises(XLFactorError, match=r"confidence: expected a number in \(0, 1\), got"):
        var_es(model, weights, confidence=bad)
    with pytest.raises(XLFactorError, match=r"target_share: expected a number in \[0, 1\), got"):
        hedge_to_risk_share(model, weights, bad)
    assert hedge_to_risk_share(model, weights, 0).factor_share_after == pytest.approx(0, abs=1e-12)


def _pnl_and_specific(model, weights, factors):
    x = weights.reindex(model.assets).to_numpy() @ model.exposures.to_numpy()
    p = factors[FACTORS].to_numpy() @ x
    s = np.sqrt(float(weights.reindex(model.assets).pow(2) @ model.specific_var) / 12)
    return p, s


def _mixture_moments_by_scipy(p, s):
    """Central moments of the mixture p_t + N(0, s^2) from scipy's normal moments, date by date."""
    mu = p.mean()
    raw = [np.mean([norm(loc=v - mu, scale=s).moment(k) for v in p]) for k in (2, 3, 4)]
    m2, m3, m4 = raw
    return m3 / m2**1.5, m4 / m2**2 - 3


def test_model_keeps_the_factor_returns_it_was_estimated_on(model, factors):
    pd.testing.assert_frame_equal(model.factor_returns, factors.astype(float), check_freq=False)


@pytest.mark.parametrize("confidence", [0.95, 0.99])
def test_historical_is_the_normal_specific_mixture(model, weights, factors, confidence):
    res = var_es(model, weights, confidence, method="historical")
    p, s = _pnl_and_specific(model, weights, factors)
    a = 1 - confidence
    assert res.method == "historical" and res.observations == len(factors)
    # the VaR is the a-quantile of the mixture
    assert np.mean(norm.cdf((-res.var - p) / s)) == pytest.approx(a, abs=1e-12)
    # the ES is its tail mean, integrated numerically
    density = lambda v: np.mean(norm.pdf(v, loc=p, scale=s))  # noqa: E731
    tail, _ = integrate.quad(lambda v: v * density(v), -np.inf, -res.var, epsabs=1e-14, limit=500)
    assert res.es == pytest.approx(-tail / a, rel=1e-8)
    assert res.es > res.var > 0


def test_historical_specific_term_uses_the_model_specific_variance(model, weights, factors):
    """Doubling D widens the mixture exactly as the normal-term choice says."""
    wider = FactorRiskModel(model.exposures, model.factor_cov, model.specific_var * 4, 12, factor_returns=factors)
    res = var_es(wider, weights, 0.99, method="historical")
    p, s = _pnl_and_specific(model, weights, factors)
    assert np.mean(norm.cdf((-res.var - p) / (2 * s))) == pytest.approx(0.01, abs=1e-12)
    assert res.var > var_es(model, weights, 0.99, method="historical").var


def _without_specific(model, factors, specific=0.0):
    return FactorRiskModel(model.exposures, model.factor_cov, model.specific_var * specific, 12, factor_returns=factors)


@pytest.mark.parametrize("confidence", [0.95, 0.99, 0.975])
def test_historical_without_specific_risk_is_the_empirical_quantile(model, weights, factors, confidence):
    """s = 0: numpy's averaged inverted-CDF quantile (Hyndman-Fan type 2) and the Acerbi-Tasche tail mean by hand.
    T = 752 months: a T = 37.6 (not whole) at 95%, 7.52 at 99%, 18.8 at 97.5%; the whole case is tested below."""
    res = var_es(_without_specific(model, factors), weights, confidence, 3, method="historical")
    p, _ = _pnl_and_specific(model, weights, factors)
    a, ranked = 1 - confidence, np.sort(p)
    q = np.quantile(p, a, method="averaged_inverted_cdf")
    n = a * len(p)
    k = int(np.floor(n))
    assert res.var == pytest.approx(-q * np.sqrt(3), rel=1e-13)
    es = -(ranked[:k].sum() + (n - k) * ranked[k]) / n
    assert res.es == pytest.approx(es * np.sqrt(3), rel=1e-13)
    assert res.skew == pytest.approx(skew(p, bias=True), rel=1e-10)
    assert res.excess_kurtosis == pytest.approx(kurtosis(p, bias=True), rel=1e-10)


def test_one_quantile_convention_at_every_level_of_specific_risk(model, weights, factors):
    """s = 0 and s = 1e-17 give the same numbers; a small but effective s moves them continuously (the mixture's
    quantile converges to the s = 0 value); a whole a T (here 40 of 800 months) takes the midpoint of two dates."""
    zero = var_es(_without_specific(model, factors), weights, 0.99, method="historical")
    tiny = var_es(_without_specific(model, factors, 1e-34), weights, 0.99, method="historical")
    assert (tiny.var, tiny.es) == (zero.var, zero.es)
    pd.testing.assert_frame_equal(tiny.by_factor, zero.by_factor)
    small = var_es(_without_specific(model, factors, 1e-12), weights, 0.99, method="historical")
    assert small.var == pytest.approx(zero.var, rel=1e-4) and small.es == pytest.approx(zero.es, rel=1e-4)
    whole = factors.iloc[:800] if len(factors) >= 800 else factors.iloc[: len(factors) // 20 * 20]
    res = var_es(_without_specific(model, whole), weights, 0.95, factors=whole, method="historical")
    p, _ = _pnl_and_specific(model, weights, whole)
    ranked, k = np.sort(p), len(p) // 20
    assert res.var == pytest.approx(-(ranked[k - 1] + ranked[k]) / 2, rel=1e-13)
    assert res.var == pytest.approx(-np.quantile(p, 0.05, method="averaged_inverted_cdf"), rel=1e-13)
    assert res.es == pytest.approx(-ranked[:k].mean(), rel=1e-13)


def _scaled(model, factors, factor=None, specific=1.0, eps=0.0):
    """The model with factor ``factor``'s exposures times (1 + eps), or specific volatility times (1 + eps)."""
    exposures = model.exposures.copy()
    if factor is not None:
        exposures[factor] *= 1 + eps
    d = model.specific_var * specific * ((1 + eps) ** 2 if factor is None else 1.0)
    return FactorRiskModel(exposures, model.factor_cov, d, 12, factor_returns=factors)


@pytest.mark.parametrize("specific", [1.0, 0.0])
def test_historical_euler_contributions_are_derivatives(model, weights, factors, specific):
    """Euler: each part's contribution is d risk / d eps when that part's P&L is scaled by (1 + eps) (central
    differences, eps = 1e-5; 1e-7 relative to the total), and the parts sum to the total (1e-12). For s = 0 the
    derivative holds because scaling one part keeps the ranking of dates (checked)."""
    base = var_es(_scaled(model, factors, specific=specific), weights, 0.99, method="historical")
    assert base.by_factor.sum().to_numpy() == pytest.approx([base.var, base.es], rel=1e-12)
    eps = 1e-5
    parts = [*FACTORS, "Specific"] if specific else FACTORS
    for part in parts:
        factor = None if part == "Specific" else part
        up = var_es(_scaled(model, factors, factor, specific, eps), weights, 0.99, method="historical")
        down = var_es(_scaled(model, factors, factor, specific, -eps), weights, 0.99, method="historical")
        for column, total in [("var", base.var), ("es", base.es)]:
            slope = (getattr(up, column) - getattr(down, column)) / (2 * eps)
            assert base.by_factor.loc[part, column] == pytest.approx(slope, abs=1e-7 * total), (part, column)
    if not specific:
        assert (base.by_factor.loc["Specific"] == 0).all()


@pytest.mark.parametrize("horizon", [1, 4])
def test_cornish_fisher_by_hand(model, weights, factors, horizon):
    res = var_es(model, weights, 0.99, horizon, method="cornish_fisher")
    p, s = _pnl_and_specific(model, weights, factors)
    sk, ku = _mixture_moments_by_scipy(p, s)
    assert res.skew == pytest.approx(sk, rel=1e-10) and res.excess_kurtosis == pytest.approx(ku, rel=1e-10)
    sk_h, ku_h = sk / np.sqrt(horizon), ku / horizon

    def quantile(u):
        z = norm.ppf(u)
        return z + (z**2 - 1) * sk_h / 6 + (z**3 - 3 * z) * ku_h / 24 - (2 * z**3 - 5 * z) * sk_h**2 / 36

    sigma_h = model.portfolio_risk(weights).total_vol * np.sqrt(horizon / 12)
    assert res.vol == pytest.approx(sigma_h, rel=1e-13)
    assert res.var == pytest.approx(-quantile(0.01) * sigma_h, rel=1e-12)
    integral, _ = integrate.quad(quantile, 0, 0.01, epsabs=1e-14, limit=200)
    assert res.es == pytest.approx(-integral / 0.01 * sigma_h, rel=1e-8)
    # fat tails of monthly equity P&L: Cornish-Fisher VaR above the normal one at 99%
    assert res.var > var_es(model, weights, 0.99, horizon).var


def test_every_method_allocates_its_total(model, weights):
    for method in ("parametric", "historical", "cornish_fisher"):
        res = var_es(model, weights, 0.99, method=method)
        assert res.by_factor["var"].sum() == pytest.approx(res.var, rel=1e-12)
        assert res.by_factor["es"].sum() == pytest.approx(res.es, rel=1e-12)
        assert res.z == pytest.approx(res.var / res.vol, rel=1e-14)


def test_explicit_factor_returns_replace_the_model_history(model, weights, factors):
    bare = FactorRiskModel(model.exposures, model.factor_cov, model.specific_var, 12)
    with pytest.raises(XLFactorError, match="factors: historical VaR needs the factor-return history"):
        var_es(bare, weights, method="historical")
    recent = factors.loc["2000":]
    res = var_es(bare, weights, 0.95, method="historical", factors=recent)
    assert res.observations == len(recent)
    with pytest.raises(XLFactorError, match=r"factors: missing the model's factors 'CMA'"):
        var_es(bare, weights, method="historical", factors=recent.drop(columns="CMA"))
    with pytest.raises(XLFactorError, match="factors: 50 periods hold no 1.00% tail; give at least 100"):
        var_es(bare, weights, 0.99, method="historical", factors=recent.iloc[:50])


def test_unknown_method(model, weights):
    with pytest.raises(XLFactorError, match="method: 'monte_carlo' is not one of parametric, historical"):
        var_es(model, weights, method="monte_carlo")


@pytest.mark.parametrize(
    ("name", "periods"),
    [("annual", 12), ("quarterly", 3), ("monthly", 1), ("M", 1), ("daily", 12 / 252), ("weekly", 12 / 52)],
)
def test_named_horizon_is_data_periods(model, weights, name, periods):
    assert horizon_periods(name, 12) == pytest.approx(periods, rel=1e-15)
    named, counted = var_es(model, weights, horizon=name), var_es(model, weights, horizon=periods)
    assert named.horizon == pytest.approx(periods, rel=1e-15)
    assert named.var == pytest.approx(counted.var, rel=1e-14)


def test_position_size_takes_both_horizon_forms(model):
    asset = model.assets[0]
    by_name = position_size(1e6, model, asset, horizon="quarterly")
    by_periods = position_size(1e6, model, asset, horizon=3)
    assert by_periods.capital_unhedged == pytest.approx(by_name.capital_unhedged, rel=1e-14)
    assert by_periods.horizon == "3 periods" and by_name.horizon == "Q"
    with pytest.raises(XLFactorError, match="horizon: 10 data periods needs a model"):
        position_size(1e6, vol=0.2, horizon=10)
    with pytest.raises(XLFactorError, match="horizon: expected a positive number of data periods or one of daily"):
        position_size(1e6, model, asset, horizon="fortnightly")
    with pytest.raises(XLFactorError, match="horizon: expected a positive number of data periods"):
        position_size(1e6, model, asset, horizon=-2)
