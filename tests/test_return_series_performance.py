"""Return series, performance figures and expected-return splits on real 10-industry / FF3 data.

References: ``RegressionResult.resid`` and statsmodels OLS (residual series, rtol 1e-10);
plain numpy formulas written out in the tests (mean, volatility, Sharpe, Sortino, tracking
error, information ratio, hit rate: rtol 1e-12); hand-worked wealth paths for drawdowns
(exact dates, 1e-12); statsmodels OLS alpha/residuals for the hedged Sharpe (rtol 1e-10); the
sample mean return for the expected-return total (rtol 1e-10).
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from xlfactor.errors import XLFactorError
from xlfactor.models.expected_return import expected_return, position_pnl
from xlfactor.models.hedging import hedged_returns, position_size, tracking_portfolio
from xlfactor.models.performance import max_drawdown, performance
from xlfactor.models.regression import regress
from xlfactor.models.return_series import cumulative_returns, excess_returns, residual_returns

FACTORS = ["Mkt-RF", "SMB", "HML"]


@pytest.fixture(scope="module")
def sample(industries10, ff3_monthly):
    dates = industries10.index.intersection(ff3_monthly.index)[-240:]
    return industries10.loc[dates], ff3_monthly.loc[dates]


@pytest.fixture(scope="module")
def excess_fit(sample):
    returns, ff = sample
    excess = returns.sub(ff["RF"], axis=0)
    return excess, regress(excess, ff[FACTORS])


def test_residual_series_equals_regression_residuals(excess_fit, sample):
    excess, result = excess_fit
    factors = sample[1][FACTORS]
    resid = residual_returns(result, excess, factors)
    np.testing.assert_allclose(resid.to_numpy(), result.resid.to_numpy(), rtol=1e-10, atol=1e-14)
    ref = sm.OLS(excess["HiTec"], sm.add_constant(factors)).fit()
    np.testing.assert_allclose(resid["HiTec"].to_numpy(), ref.resid.to_numpy(), rtol=1e-10, atol=1e-14)
    # returns = alpha + tracking + resid, and the hedged series = alpha + resid
    tracking = tracking_portfolio(result, factors)
    hedged = hedged_returns(result, excess, factors)
    np.testing.assert_allclose((result.alpha + tracking + resid).to_numpy(), excess.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(hedged.mean().to_numpy(), result.alpha.to_numpy(), rtol=1e-10)
    assert np.abs(regress(hedged, factors).betas.to_numpy()).max() < 1e-12


def test_cumulative_returns_compound_and_sum():
    r = pd.Series([0.1, np.nan, -0.2, 0.05], index=pd.date_range("2020-01-31", periods=4, freq="ME"))
    compound = cumulative_returns(r)
    np.testing.assert_allclose(compound.to_numpy(), [0.1, np.nan, 1.1 * 0.8 - 1, 1.1 * 0.8 * 1.05 - 1], rtol=1e-14)
    np.testing.assert_allclose(cumulative_returns(r, "sum").to_numpy(), [0.1, np.nan, -0.1, -0.05], rtol=1e-14)
    with pytest.raises(XLFactorError, match="method: 'log' is not one of compound, sum"):
        cumulative_returns(r, "log")
    with pytest.raises(XLFactorError, match="returns: contains infinite values"):
        cumulative_returns(r.replace(0.05, np.inf))


def test_excess_returns_and_their_cumulation_by_hand():
    dates = pd.date_range("2020-01-31", periods=4, freq="ME")
    r = pd.DataFrame({"A": [0.1, np.nan, -0.2, 0.05], "B": [0.02, 0.01, 0.0, -0.01]}, index=dates)
    rf = pd.Series([0.001, 0.002, 0.003, 0.004], index=dates)
    x = excess_returns(r, rf)
    np.testing.assert_allclose(x["A"].to_numpy(), [0.099, np.nan, -0.203, 0.046], rtol=1e-14)
    grown = excess_returns(r, rf, cumulative="compound")["A"].to_numpy()
    np.testing.assert_allclose(grown, [0.099, np.nan, 1.099 * 0.797 - 1, 1.099 * 0.797 * 1.046 - 1], rtol=1e-14)
    np.testing.assert_allclose(excess_returns(r, rf, cumulative="sum")["B"].to_numpy(), [0.019, 0.027, 0.024, 0.01])
    with pytest.raises(XLFactorError, match="rf: required"):
        excess_returns(r, None)
    with pytest.raises(XLFactorError, match="rf: no risk-free rate on 2020-03-31"):
        excess_returns(r, rf.drop(dates[2]))


def test_performance_equals_direct_formulas(sample):
    returns, ff = sample
    bench = ff["Mkt-RF"] + ff["RF"]
    table = performance(returns, bench, ff["RF"], factors=ff[FACTORS])
    assert list(table.index) == list(returns.columns)
    assert list(table.columns) == [
        "mean",
        "mean_excess",
        "volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "peak",
        "trough",
        "recovery",
        "hit_rate",
        "tracking_error",
        "information_ratio",
        "hedged_sharpe",
        "nobs",
    ]
    for asset in ["NoDur", "HiTec", "Utils"]:
        r = returns[asset].to_numpy()
        x = r - ff["RF"].to_numpy()
        a = r - bench.to_numpy()
        row = table.loc[asset]
        expected = {
            "mean": 12 * r.mean(),
            "mean_excess": 12 * x.mean(),
            "volatility": np.sqrt(12) * r.std(ddof=1),
            "sharpe": 12 * x.mean() / (np.sqrt(12) * x.std(ddof=1)),
            "sortino": 12 * x.mean() / (np.sqrt(12) * np.sqrt(np.mean(np.minimum(x, 0) ** 2))),
            "hit_rate": np.mean(r > 0),
            "tracking_error": np.sqrt(12) * a.std(ddof=1),
            "information_ratio": 12 * a.mean() / (np.sqrt(12) * a.std(ddof=1)),
        }
        for name, value in expected.items():
            assert row[name] == pytest.approx(value, rel=1e-12), name
        ols = sm.OLS(x, sm.add_constant(ff[FACTORS].to_numpy())).fit()
        appraisal = ols.params[0] * np.sqrt(12) / ols.resid.std(ddof=1)
        assert row["hedged_sharpe"] == pytest.approx(appraisal, rel=1e-10)
        assert row["nobs"] == len(r)
        wealth = np.cumprod(1 + r)
        mark = np.maximum.accumulate(np.maximum(wealth, 1))
        assert row["max_drawdown"] == pytest.approx((wealth / mark - 1).min(), rel=1e-12)
        assert row["trough"] == returns.index[np.argmin(wealth / mark - 1)]


def test_drawdown_dates_worked_by_hand():
    """Wealth 1.1, 0.88, 0.924, 1.1088, 0.99792: peak 1.1 on date 0, trough -20% on date 1,
    back above 1.1 on date 3. Second asset: the loss starts in the first period (peak NaT, the
    starting wealth) and is never recovered. Third: wealth only rises (no drawdown)."""
    dates = pd.date_range("2021-01-31", periods=5, freq="ME")
    r = pd.DataFrame(
        {"A": [0.1, -0.2, 0.05, 0.2, -0.1], "B": [-0.05, 0.02, -0.1, 0.03, 0.01], "C": [0.01, 0.02, 0.0, 0.03, 0.01]},
        index=dates,
    )
    dd = max_drawdown(r)
    assert dd.loc["A", "max_drawdown"] == pytest.approx(-0.2, rel=1e-12)
    assert (dd.loc["A", "peak"], dd.loc["A", "trough"], dd.loc["A", "recovery"]) == (dates[0], dates[1], dates[3])
    worst_b = 0.95 * 1.02 * 0.9 - 1
    assert dd.loc["B", "max_drawdown"] == pytest.approx(worst_b, rel=1e-12)
    assert pd.isna(dd.loc["B", "peak"]) and dd.loc["B", "trough"] == dates[2] and pd.isna(dd.loc["B", "recovery"])
    assert dd.loc["C", "max_drawdown"] == 0 and dd.loc["C"][["peak", "trough", "recovery"]].isna().all()


def test_sortino_worked_by_hand():
    """x = 2%, -1%, 3%, -2%: mean 0.5%, DD = sqrt((0.01^2 + 0.02^2) / 4); Sortino = 0.06 / (DD sqrt(12))."""
    r = pd.Series([0.02, -0.01, 0.03, -0.02], index=pd.date_range("2021-01-31", periods=4, freq="ME"), name="p")
    row = performance(r).loc["p"]
    assert row["sortino"] == pytest.approx(0.06 / (np.sqrt(0.0005 / 4) * np.sqrt(12)), rel=1e-12)
    assert row["hit_rate"] == 0.5


def test_performance_bad_input(sample):
    returns, ff = sample
    with pytest.raises(XLFactorError, match="rf: no risk-free rate on"):
        performance(returns, rf=ff["RF"].iloc[5:])
    with pytest.raises(XLFactorError, match="returns: 'x' has 1 usable period"):
        performance(pd.DataFrame({"x": [0.01, np.nan]}, index=returns.index[:2]))
    with pytest.raises(XLFactorError, match="periods_per_year: expected a whole number"):
        performance(returns, periods_per_year=0)
    with pytest.raises(XLFactorError, match="dates: expected a DatetimeIndex"):
        performance(returns.reset_index(drop=True))
    with pytest.raises(XLFactorError, match=r"^returns: (column .* |values )?looks? like percentages"):
        performance(returns * 100)
    with pytest.raises(XLFactorError, match=r"^benchmark: (column .* |values )?looks? like percentages"):
        performance(returns, ff["Mkt-RF"] * 100)


def test_expected_return_split_sums_to_sample_mean(sample):
    returns, ff = sample
    excess = returns.sub(ff["RF"], axis=0)
    result = regress(excess, ff[FACTORS])
    table = expected_return(result, ff, rf=ff["RF"])
    assert list(table.index) == ["rf", "alpha", *FACTORS, "total"]
    np.testing.assert_allclose(table.loc["total"].to_numpy(), 12 * returns.mean().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(table.loc["alpha"].to_numpy(), result.alpha_annualized.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(table.loc["SMB"].to_numpy(), 12 * result.betas["SMB"] * ff["SMB"].mean(), rtol=1e-12)
    premia = {"Mkt-RF": 0.005, "SMB": 0.001, "HML": 0.002}
    given = expected_return(result, premia=premia, rf=0.003, annualize=False)
    hand = 0.003 + result.alpha + result.betas @ pd.Series(premia)
    np.testing.assert_allclose(given.loc["total"].to_numpy(), hand.to_numpy(), rtol=1e-12)
    with pytest.raises(XLFactorError, match=r"premia: no premium for factor\(s\) \['HML'\]"):
        expected_return(result, premia={"Mkt-RF": 0.005, "SMB": 0.001})
    with pytest.raises(XLFactorError, match="factors: expected a DataFrame of factor returns"):
        expected_return(result)


def test_position_pnl_hand_case():
    size = position_size(50_000, vol=0.20, hedged_vol=0.10, horizon="annual")
    pnl = position_pnl(size, alpha=0.02, factor_premium=0.05)
    assert pnl.loc["unhedged"].tolist() == pytest.approx([250_000, 250_000 * 0.07, 250_000 * 0.02], rel=1e-14)
    assert pnl.loc["hedged"].tolist() == pytest.approx([500_000, 10_000, 10_000], rel=1e-14)
    unhedged_only = position_pnl(position_size(50_000, vol=0.2), 0.02, 0.05)
    assert unhedged_only.loc["hedged"].isna().all()
    with pytest.raises(XLFactorError, match="alpha: expected an annual return"):
        position_pnl(size, "2%", 0.05)
