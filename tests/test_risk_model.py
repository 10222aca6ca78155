"""FactorRiskModel, PortfolioRisk and variance_decomposition on the real 10-industry / FF5 data.

The model is estimated here with numpy least squares (excess industry returns on FF5 with an
intercept), independently of xlfactor.regress. Tolerances: rtol 1e-12 for identities
(Euler sums, low-rank vs explicit N x N variance); central finite differences with step 1e-6
are compared at rtol 1e-6.
"""

import numpy as np
import pandas as pd
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.models.covariance import factor_cov
from xlfactor.models.regression import regress
from xlfactor.models.risk_model import FactorRiskModel, PortfolioRisk, variance_decomposition

FACTORS = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


@pytest.fixture(scope="module")
def sample(industries10, ff5_monthly):
    dates = industries10.index.intersection(ff5_monthly.index)
    excess = industries10.loc[dates].sub(ff5_monthly.loc[dates, "RF"], axis=0)
    return excess, ff5_monthly.loc[dates]


@pytest.fixture(scope="module")
def model(sample):
    excess, factors = sample
    x = np.column_stack([np.ones(len(factors)), factors[FACTORS].to_numpy()])
    coef, ssr, *_ = np.linalg.lstsq(x, excess.to_numpy(), rcond=None)
    betas = pd.DataFrame(coef[1:].T, index=excess.columns, columns=FACTORS)
    specific = pd.Series(ssr / (len(x) - x.shape[1]) * 12, index=excess.columns)
    return FactorRiskModel(betas, factor_cov(factors), specific, periods_per_year=12)


@pytest.fixture(scope="module")
def weights(model):
    raw = np.array([0.15, 0.05, 0.2, 0.1, -0.05, 0.12, 0.08, 0.1, 0.05, 0.2])
    return pd.Series(raw, index=model.assets)


def explicit_sigma(model):
    b, f = model.exposures.to_numpy(), model.factor_cov.to_numpy()
    return b @ f @ b.T + np.diag(model.specific_var.to_numpy())


def sigma_of(model, w):
    return np.sqrt(w @ explicit_sigma(model) @ w)


def test_low_rank_variance_equals_explicit_matrix(model, weights):
    risk = model.portfolio_risk(weights)
    w = weights.to_numpy()
    assert isinstance(risk, PortfolioRisk) and not risk.active
    assert risk.total_var == pytest.approx(w @ explicit_sigma(model) @ w, rel=1e-12)
    x = model.exposures.to_numpy().T @ w
    assert risk.factor_var == pytest.approx(x @ model.factor_cov.to_numpy() @ x, rel=1e-12)
    assert risk.specific_var == pytest.approx(np.sum(w**2 * model.specific_var.to_numpy()), rel=1e-12)
    assert risk.total_vol == pytest.approx(np.sqrt(risk.total_var), rel=1e-15)
    assert risk.factor_vol**2 + risk.specific_vol**2 == pytest.approx(risk.total_vol**2, rel=1e-12)
    assert risk.factor_share == pytest.approx(risk.factor_var / risk.total_var, rel=1e-12)
    np.testing.assert_allclose(risk.exposures.to_numpy(), x, rtol=1e-12)
    assert risk.annualized and risk.periods_per_year == 12
    assert 0.1 < risk.total_vol < 0.3  # an industry mix: annual vol of a broad equity portfolio


def test_asset_cov_matches_explicit(model):
    cov = model.asset_cov()
    assert list(cov.index) == list(model.assets) and list(cov.columns) == list(model.assets)
    np.testing.assert_allclose(cov.to_numpy(), explicit_sigma(model), rtol=1e-12, atol=1e-16)


def test_euler_contributions_sum_to_totals(model, weights):
    risk = model.portfolio_risk(weights)
    assert list(risk.by_factor.index) == [*FACTORS, "Specific"]
    assert list(risk.by_factor.columns) == ["exposure", "marginal", "contribution", "percent"]
    assert list(risk.by_asset.columns) == ["weight", "marginal", "contribution", "percent"]
    for table in (risk.by_factor, risk.by_asset):
        assert table["contribution"].sum() == pytest.approx(risk.total_vol, rel=1e-12)
        assert table["percent"].sum() == pytest.approx(1.0, rel=1e-12)
    assert risk.by_factor.loc["Specific", "contribution"] == pytest.approx(risk.specific_var / risk.total_vol)
    assert risk.by_factor.loc[FACTORS, "contribution"].sum() == pytest.approx(risk.factor_var / risk.total_vol)
    assert np.isnan(risk.by_factor.loc["Specific", ["exposure", "marginal"]]).all()
    np.testing.assert_array_equal(risk.by_asset["weight"].to_numpy(), weights.to_numpy())


def test_variance_view_is_b_squared_var_f_beside_the_euler_split(model, weights, sample):
    """standalone_var = x_k^2 Var(f_k), Var the annualised ddof=1 sample variance of the factor returns (the
    model's F); euler_var = x_k (F x)_k summing to the total variance; covariance_var the rest (1e-12)."""
    risk = model.portfolio_risk(weights)
    view = risk.variance_view
    x = weights.to_numpy() @ model.exposures.to_numpy()
    var_f = sample[1][FACTORS].var(ddof=1).to_numpy() * 12
    np.testing.assert_allclose(view.loc[FACTORS, "standalone_var"], x**2 * var_f, rtol=1e-12)
    np.testing.assert_allclose(view.loc[FACTORS, "standalone_vol"], np.abs(x) * np.sqrt(var_f), rtol=1e-12)
    np.testing.assert_allclose(view["euler_var"], risk.by_factor["contribution"] * risk.total_vol, rtol=1e-12)
    assert view["euler_var"].sum() == pytest.approx(risk.total_var, rel=1e-12)
    np.testing.assert_allclose(view["covariance_var"], view["euler_var"] - view["standalone_var"], rtol=1e-12)
    assert view.loc["Specific", "standalone_var"] == pytest.approx(risk.specific_var, rel=1e-12)
    assert view.loc["Specific", "covariance_var"] == 0


def test_asset_marginals_are_finite_difference_derivatives(model, weights):
    risk = model.portfolio_risk(weights)
    w, h = weights.to_numpy(), 1e-6
    for i in range(len(w)):
        e = np.zeros_like(w)
        e[i] = h
        fd = (sigma_of(model, w + e) - sigma_of(model, w - e)) / (2 * h)
        assert risk.by_asset["marginal"].iloc[i] == pytest.approx(fd, rel=1e-6)


def test_factor_marginals_are_finite_difference_derivatives(model, weights):
    risk = model.portfolio_risk(weights)
    x, f, h = risk.exposures.to_numpy(), model.factor_cov.to_numpy(), 1e-6

    def sigma(x_):
        return np.sqrt(x_ @ f @ x_ + risk.specific_var)

    for k in range(len(x)):
        e = np.zeros_like(x)
        e[k] = h
        fd = (sigma(x + e) - sigma(x - e)) / (2 * h)
        assert risk.by_factor["marginal"].iloc[k] == pytest.approx(fd, rel=1e-6)


def test_active_risk_equals_explicit_tracking_error(model, weights):
    benchmark = pd.Series({"NoDur": 0.3, "HiTec": 0.4, "Manuf": 0.3})  # other assets: weight 0
    risk = model.portfolio_risk(weights, benchmark=benchmark)
    active = weights - benchmark.reindex(model.assets, fill_value=0.0)
    a = active.to_numpy()
    assert risk.active
    assert risk.total_var == pytest.approx(a @ explicit_sigma(model) @ a, rel=1e-12)
    np.testing.assert_allclose(risk.by_asset["weight"].to_numpy(), a, rtol=0, atol=1e-15)
    assert risk.by_asset["contribution"].sum() == pytest.approx(risk.total_vol, rel=1e-12)
    assert risk.by_factor["contribution"].sum() == pytest.approx(risk.total_vol, rel=1e-12)


def test_weight_forms_agree(model, weights):
    reference = model.portfolio_risk(weights).total_var
    as_array = model.portfolio_risk(weights.to_numpy()).total_var
    as_dict = model.portfolio_risk(weights.to_dict()).total_var
    shuffled = model.portfolio_risk(weights.iloc[::-1]).total_var
    assert as_array == reference and as_dict == pytest.approx(reference, rel=1e-15)
    assert shuffled == pytest.approx(reference, rel=1e-15)
    single = model.portfolio_risk(pd.Series({"Hlth": 1.0}))  # the other nine assets get weight 0
    i = model.assets.get_loc("Hlth")
    assert single.total_var == pytest.approx(explicit_sigma(model)[i, i], rel=1e-12)


def test_zero_active_risk(model, weights):
    risk = model.portfolio_risk(weights, benchmark=weights)
    assert risk.total_vol == 0.0 and np.isnan(risk.factor_share)
    assert (risk.by_asset["contribution"] == 0).all() and risk.by_asset["percent"].isna().all()


def test_factor_cov_labels_are_matched_by_name(model, weights):
    permuted = model.factor_cov.loc[FACTORS[::-1], FACTORS[::-1]]
    other = FactorRiskModel(model.exposures, permuted, model.specific_var, 12)
    assert other.portfolio_risk(weights).total_var == pytest.approx(model.portfolio_risk(weights).total_var, rel=1e-14)
    np.testing.assert_array_equal(other.factor_cov.to_numpy(), model.factor_cov.to_numpy())


def test_variance_decomposition(model, sample):
    table = variance_decomposition(model)
    assert list(table.columns[:7]) == [
        "total_var",
        "factor_var",
        "specific_var",
        "factor_share",
        "total_vol",
        "factor_vol",
        "specific_vol",
    ]
    assert list(table.columns[7:]) == FACTORS
    sigma = explicit_sigma(model)
    np.testing.assert_allclose(table["total_var"], np.diag(sigma), rtol=1e-12)
    np.testing.assert_allclose(table[FACTORS].sum(axis=1), table["factor_var"], rtol=1e-12)
    np.testing.assert_allclose(table["factor_share"], table["factor_var"] / table["total_var"], rtol=1e-12)
    np.testing.assert_allclose(table["total_vol"] ** 2, table["total_var"], rtol=1e-12)
    # beta' F beta is the (annualised) sample variance of the fitted factor component beta' f_t
    _, factors = sample
    fitted = factors[FACTORS].to_numpy() @ model.exposures.to_numpy().T
    np.testing.assert_allclose(table["factor_var"], fitted.var(axis=0, ddof=1) * 12, rtol=1e-12)


def test_bad_weights(model, weights):
    with pytest.raises(XLFactorError, match=r"weights: assets not in the risk model: 'AAPL'"):
        model.portfolio_risk(pd.Series({"AAPL": 1.0, "NoDur": 0.0}))
    with pytest.raises(XLFactorError, match="benchmark: assets not in the risk model"):
        model.portfolio_risk(weights, benchmark={"SPY": 1.0})
    with pytest.raises(XLFactorError, match="weights: got 3 values for 10 assets"):
        model.portfolio_risk([0.2, 0.3, 0.5])
    with pytest.raises(XLFactorError, match="weights: contains missing"):
        model.portfolio_risk(weights.where(weights > 0.1))
    with pytest.raises(XLFactorError, match="weights: duplicate"):
        model.portfolio_risk(pd.Series([0.5, 0.5], index=["NoDur", "NoDur"]))
    with pytest.raises(XLFactorError, match="weights: .*non-numeric"):
        model.portfolio_risk(pd.Series(["a"] * 10, index=model.assets))
    with pytest.raises(XLFactorError, match="weights: .*non-numeric"):
        model.portfolio_risk({"NoDur": "half"})
    with pytest.raises(XLFactorError, match="weights: expected numbers"):
        model.portfolio_risk([[0.1] * 10, "x"])


def test_bad_model_inputs(model):
    b, f, d = model.exposures, model.factor_cov, model.specific_var
    with pytest.raises(XLFactorError, match="factor_cov: .*positive semi-definite"):
        FactorRiskModel(b, f - np.eye(5), d, 12)
    with pytest.raises(XLFactorError, match="factor_cov: .*square"):
        FactorRiskModel(b, f.to_numpy()[:, :4], d, 12)
    with pytest.raises(XLFactorError, match=r"factor_cov: .*missing \['CMA'\]"):
        FactorRiskModel(b, f.iloc[:4, :4], d, 12)
    with pytest.raises(XLFactorError, match="factor_cov: .*not symmetric"):
        FactorRiskModel(b, f + np.triu(np.ones((5, 5)), 1), d, 12)
    with pytest.raises(XLFactorError, match=r"specific_var: no value for assets \['Other'\]"):
        FactorRiskModel(b, f, d.drop("Other"), 12)
    with pytest.raises(XLFactorError, match="specific_var: must be finite and >= 0"):
        FactorRiskModel(b, f, -d, 12)
    with pytest.raises(XLFactorError, match=r"exposures: missing or infinite values for assets \['Hlth'\]"):
        FactorRiskModel(b.mask(b.index.to_series() == "Hlth", axis=0), f, d, 12)
    with pytest.raises(XLFactorError, match="periods_per_year"):
        FactorRiskModel(b, f, d, 0)
    with pytest.raises(XLFactorError, match="exposures: expected"):
        FactorRiskModel(b.to_numpy(), f, d, 12)


def test_from_regression_components(sample, ff5_monthly):
    excess, _ = sample
    res = regress(excess, ff5_monthly)  # RF column ignored by regress; factors run past the returns
    model = FactorRiskModel.from_regression(res, ff5_monthly)
    np.testing.assert_array_equal(model.exposures.to_numpy(), res.betas.to_numpy())
    expected_f = ff5_monthly.loc[excess.index, FACTORS].cov().to_numpy() * 12
    np.testing.assert_allclose(model.factor_cov.to_numpy(), expected_f, rtol=1e-12)
    np.testing.assert_allclose(model.specific_var.to_numpy(), res.resid_vol.to_numpy() ** 2 * 12, rtol=1e-14)
    assert model.annualized and model.periods_per_year == 12


def test_from_regression_matches_lstsq_model(model, sample, weights):
    res = regress(*sample)
    built = FactorRiskModel.from_regression(res, sample[1])
    assert built.portfolio_risk(weights).total_var == pytest.approx(model.portfolio_risk(weights).total_var, rel=1e-10)


def test_from_regression_per_period_and_ewma(sample, weights):
    excess, factors = sample
    res = regress(excess, factors)
    annual = FactorRiskModel.from_regression(res, factors)
    monthly = FactorRiskModel.from_regression(res, factors, annualize=False)
    assert not monthly.annualized and monthly.per_period_scale == 1.0 and annual.per_period_scale == 1 / 12
    assert monthly.portfolio_risk(weights).total_var * 12 == pytest.approx(
        annual.portfolio_risk(weights).total_var, rel=1e-12
    )
    ewma = FactorRiskModel.from_regression(res, factors, cov_method="ewma", halflife=36)
    expected = factor_cov(factors[FACTORS], cov_method="ewma", halflife=36)
    np.testing.assert_allclose(ewma.factor_cov.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_from_regression_sample_is_union_of_asset_dates(industries49, ff5_monthly):
    returns = industries49.loc["1963-07":, ["Hlth", "Softw"]]  # real data start 1969-07 and 1965-07
    res = regress(returns, ff5_monthly)
    model = FactorRiskModel.from_regression(res, ff5_monthly)
    used = returns.index[returns.notna().any(axis=1)].intersection(ff5_monthly.index)
    assert used[0] == pd.Timestamp("1965-07-31") and len(used) < len(returns)
    expected = ff5_monthly.loc[used, FACTORS].cov().to_numpy() * 12
    np.testing.assert_allclose(model.factor_cov.to_numpy(), expected, rtol=1e-12)


def test_from_regression_bad_factors(sample):
    excess, factors = sample
    res = regress(excess, factors)
    with pytest.raises(XLFactorError, match=r"factors: missing the regression's factor columns 'HML'"):
        FactorRiskModel.from_regression(res, factors.drop(columns="HML"))
    with pytest.raises(XLFactorError, match="factors: no dates in common"):
        FactorRiskModel.from_regression(res, factors.set_axis(factors.index + pd.Timedelta(days=3)))
    with pytest.raises(XLFactorError, match="halflife"):
        FactorRiskModel.from_regression(res, factors, cov_method="ewma")


def test_from_regression_refuses_factors_at_another_frequency(sample, ff5_daily, ff5_monthly):
    excess, factors = sample
    res = regress(excess.loc["2000":"2020"], factors)
    with pytest.raises(XLFactorError, match="factors: daily factors for a monthly regression; pass the factors you"):
        FactorRiskModel.from_regression(res, ff5_daily)
    # the monthly factors (even the full history, beyond the sample) are accepted
    model = FactorRiskModel.from_regression(res, ff5_monthly)
    used = excess.loc["2000":"2020"].index
    np.testing.assert_allclose(
        model.factor_cov.to_numpy(), ff5_monthly.loc[used, FACTORS].cov().to_numpy() * 12, rtol=1e-12
    )


def test_from_regression_refuses_monthly_factors_for_daily_regression(ff5_daily, ff5_monthly):
    daily = ff5_daily.loc["2020"]
    returns = (daily[FACTORS] @ np.array([1.0, 0.2, -0.1, 0.0, 0.3])).rename("p") + daily["RF"] * 0.5
    res = regress(returns, daily)
    with pytest.raises(XLFactorError, match="factors: monthly factors for a daily regression"):
        FactorRiskModel.from_regression(res, ff5_monthly)


def test_periods_per_year_is_required(model):
    with pytest.raises(TypeError, match="periods_per_year"):
        FactorRiskModel(model.exposures, model.factor_cov, model.specific_var)  # no safe default: see docstring
    with pytest.raises(XLFactorError, match="periods_per_year"):
        FactorRiskModel(model.exposures, model.factor_cov, model.specific_var, "12")


def _ragged_factor_frame(dtype: str) -> pd.DataFrame:
    """Factor returns with missing values, an extra column, and dates out of order."""
    rng = np.random.default_rng(7)
    dates = pd.date_range("2020-01-31", periods=12, freq="ME")[[3, 0, 5, 1, 2, 4, 11, 6, 7, 8, 9, 10]]
    frame = pd.DataFrame(rng.normal(0, 0.02, (12, 3)), index=dates, columns=["SMB", "Mkt-RF", "HML"])
    frame["RF"] = 0.001
    frame.iloc[2, 0] = np.nan
    frame.iloc[7, 2] = np.nan
    return frame.astype(dtype)


@pytest.mark.parametrize("dtype", ["float64", "Float64", "object"])
def test_factor_history_equals_the_pandas_reference(dtype):
    """factor_history reads the factors in one float array; the result equals pandas' column selection,
    float conversion, complete-row filter and date sort, for plain, nullable and object columns."""
    from xlfactor.models.risk_model import factor_history

    frame = _ragged_factor_frame(dtype)
    factors = pd.Index(["Mkt-RF", "SMB", "HML"])
    want = frame.loc[:, list(factors)].astype(float).dropna().sort_index()
    pd.testing.assert_frame_equal(factor_history(frame, factors, "factors"), want)
    in_order = frame.loc[:, list(factors)].astype(float).dropna().sort_index()
    pd.testing.assert_frame_equal(factor_history(in_order, factors, "factors"), in_order)  # already clean: as is


@pytest.mark.parametrize("dtype", ["float64", "Float64", "object"])
def test_factor_cov_complete_rows_equal_the_pandas_reference(dtype):
    """factor_cov's complete-case rows (RF dropped, rows with a missing factor dropped) in one float array
    give numpy's covariance of pandas' complete rows."""
    frame = _ragged_factor_frame(dtype)
    rows = frame.drop(columns="RF").astype(float).dropna(how="any")
    got = factor_cov(frame, annualize=False)
    np.testing.assert_allclose(got.to_numpy(), np.cov(rows.to_numpy(), rowvar=False, ddof=1), rtol=1e-13)
    assert list(got.columns) == ["SMB", "Mkt-RF", "HML"] and got.attrs["nobs"] == len(rows) == 10
