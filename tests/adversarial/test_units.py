"""Adversarial suite, issue 10: units mistakes and impossible values give an error with the fix,
never a plausible wrong number (engine side: regress and what is built on it, hedges, the risk
model, stress and VaR, the portfolio analysis).

Real data: the French 10 industry portfolios and FF5 factors (monthly and daily). Numbers that
the override switches let through are checked against statsmodels / numpy to 1e-10 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.hedging import hedge_ratios, hedge_to_risk_share
from xlfactor.models.units import MAX_GROSS, PERCENT_LIKE_MEDIAN, percent_threshold

FF5 = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


@pytest.fixture(scope="module")
def data(industries10, ff5_monthly):
    """Last 120 months: industry returns (decimals) and FF5 factors with RF (decimals)."""
    common = industries10.index.intersection(ff5_monthly.index)[-120:]
    return industries10.loc[common], ff5_monthly.loc[common]


@pytest.fixture(scope="module")
def model(data):
    returns, factors = data
    return xf.FactorRiskModel.from_regression(xf.regress(returns, factors[FF5], rf=factors["RF"]), factors)


def test_thresholds_are_the_documented_ones():
    assert MAX_GROSS == 2.0
    assert percent_threshold(None) == PERCENT_LIKE_MEDIAN == 0.2
    assert percent_threshold(12) == pytest.approx(0.2)
    assert percent_threshold(252) == pytest.approx(0.2 * np.sqrt(12 / 252))
    # 0.2 a month is the median |r| of a normal return with about 100% annual volatility
    assert 0.2 / 0.6745 * np.sqrt(12) == pytest.approx(1.03, abs=0.01)


# --- percent returns or factors ---------------------------------------------------------------------------------


def test_percent_returns_against_decimal_factors_refused(data):
    returns, factors = data
    with pytest.raises(XLFactorError, match=r"^returns: column 'NoDur' looks like percentages .*divide by 100"):
        xf.regress(returns * 100, factors)


def test_percent_factors_against_decimal_returns_refused(data):
    returns, factors = data
    with pytest.raises(XLFactorError, match=r"^factors: column 'Mkt-RF' looks like percentages .*divide by 100"):
        xf.regress(returns, factors * 100)


def test_daily_percent_factors_caught_by_the_frequency_scaled_rule(ff5_daily):
    """Daily FF5 in percent have median |RMW| ~0.18, below the monthly 0.2: only the daily threshold sees them."""
    factors = ff5_daily
    assert (factors[["RMW", "CMA"]] * 100).abs().median().max() < 0.2
    returns = factors[["Mkt-RF"]].rename(columns={"Mkt-RF": "A"}) + 0.001
    with pytest.raises(
        XLFactorError, match=r"^factors: (column .* |values )?looks? like percentages \(median size above 4.36%\)"
    ):
        xf.regress(returns, factors[["RMW", "CMA"]] * 100)


def test_percent_rf_refused(data):
    returns, factors = data
    with pytest.raises(XLFactorError, match=r"^rf: the risk-free rate looks like percent"):
        xf.regress(returns, factors[FF5], rf=factors["RF"] * 100)


@pytest.mark.parametrize(
    "call",
    [
        lambda r, f: xf.rolling_regress(r * 100, f, 36),
        lambda r, f: hedge_ratios(r["NoDur"] * 100, f[FF5]),
        lambda r, f: xf.factor_cov(f[FF5] * 100),
        lambda r, f: xf.FactorRiskModel.from_regression(xf.regress(r, f), f * 100),
        lambda r, f: xf.hedged_returns(xf.regress(r, f), r * 100, f),
    ],
)
def test_percent_data_refused_everywhere(data, call):
    returns, factors = data
    with pytest.raises(XLFactorError, match="looks? like percentages"):
        call(returns, factors)


def test_units_decimal_declares_a_volatile_asset_and_matches_statsmodels(data):
    """An asset with ~170% annual volatility looks like percent; units='decimal' lets it through, exactly."""
    returns, factors = data
    shocks = np.random.default_rng(1).normal(0.0, 0.5, len(returns)) + 2 * factors["Mkt-RF"].to_numpy()
    wild = pd.DataFrame({"Wild": np.exp(shocks) - 1.0}, index=returns.index)  # lognormal: never below -100%
    with pytest.raises(XLFactorError, match="units='decimal'"):
        xf.regress(wild, factors[FF5])
    res = xf.regress(wild, factors[FF5], units="decimal")
    ref = sm.OLS(wild["Wild"], sm.add_constant(factors[FF5])).fit()
    np.testing.assert_allclose(res.params.loc["Wild"].to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.bse.loc["Wild"].to_numpy(), ref.bse.to_numpy(), rtol=1e-10)
    with pytest.raises(XLFactorError, match="^units: 'percent' is not one of"):
        xf.regress(wild, factors[FF5], units="percent")


# --- impossible values --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e308, 1e200, -1e200, 150.0])
def test_impossible_return_refused_naming_column_and_date(data, value):
    returns, factors = data
    bad = returns.copy()
    bad.iloc[7, 3] = value
    date = f"{bad.index[7]:%Y-%m-%d}"
    with pytest.raises(XLFactorError, match=rf"^returns: column 'Enrgy' on {date} holds .*which no return can be") as e:
        xf.regress(bad, factors)
    assert "specific_var" not in str(e.value)
    with pytest.raises(XLFactorError, match=rf"column 'Enrgy' on {date}"):
        xf.FactorRiskModel.from_regression(xf.regress(bad, factors), factors)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_return_refused_naming_column_and_date(data, value):
    returns, factors = data
    bad = returns.copy()
    bad.iloc[7, 3] = value
    with pytest.raises(
        XLFactorError,
        match=rf"^returns: column 'Enrgy' on {bad.index[7]:%Y-%m-%d} contains infinite values",
    ):
        xf.regress(bad, factors)


@pytest.mark.parametrize("value", [1e308, 1e200, np.inf])
def test_impossible_factor_refused_naming_factor(data, value):
    """1e308 in a factor gave betas near 1e307, inf covariances or a LinAlgError."""
    returns, factors = data
    bad = factors.copy()
    bad.iloc[3, 1] = value
    for call in (
        lambda: xf.regress(returns, bad),
        lambda: xf.rolling_regress(returns, bad, 36),
        lambda: xf.factor_cov(bad),
        lambda: hedge_ratios(returns["NoDur"], bad[FF5]),
    ):
        with pytest.raises(XLFactorError, match=r"column 'SMB'"):
            call()


def test_asset_loss_beyond_100_percent_refused(data):
    returns, factors = data
    bad = returns.copy()
    bad.iloc[10, 0] = -1.5
    with pytest.raises(
        XLFactorError,
        match=rf"^returns: column 'NoDur' on {bad.index[10]:%Y-%m-%d} holds -1.5, a "
        "loss of more than 100%",
    ):
        xf.regress(bad, factors)
    ok = returns.copy()
    ok.iloc[10, 0] = -1.0  # a total loss is possible (and with rf subtracted the excess return is below -1)
    xf.regress(ok, factors[FF5], rf=factors["RF"])


@pytest.mark.parametrize("level", [0.01, 0.0, 1e-160])
def test_constant_asset_refused_naming_it(data, level):
    """A constant asset gave an alpha t-statistic of 3e16."""
    returns, factors = data
    bad = returns.assign(Flat=level)
    with pytest.raises(XLFactorError, match=r"^returns: column 'Flat' is constant"):
        xf.regress(bad, factors[FF5])
    with pytest.raises(XLFactorError, match=r"^returns: column 'Flat' is constant"):
        xf.rolling_regress(bad, factors[FF5], 36)


def test_rounding_level_variation_is_constant(data):
    returns, factors = data
    noise = np.random.default_rng(0).normal(0, 1e-15, len(returns))
    with pytest.raises(XLFactorError, match=r"column 'Flat' is constant"):
        xf.regress(returns.assign(Flat=0.01 + noise), factors[FF5])


def test_collinear_factors_give_xlfactor_error_not_linalg_error(data):
    returns, factors = data
    for bad in (factors.assign(HML=factors["SMB"] * 2), factors.assign(HML=factors["SMB"] + 1e-17)):
        with pytest.raises(XLFactorError, match="collinear|constant"):
            xf.regress(returns, bad)


# --- weights ------------------------------------------------------------------------------------------------------


def test_weights_in_percent_refused_with_the_fix(model):
    weights = pd.Series(100 / len(model.assets), index=model.assets)
    for call in (
        lambda: model.portfolio_risk(weights),
        lambda: xf.var_es(model, weights),
        lambda: xf.stress(model, weights, {"Mkt-RF": -0.1}),
        lambda: hedge_to_risk_share(model, weights, 0.2),
    ):
        with pytest.raises(
            XLFactorError,
            match=r"^weights: gross exposure sum \|w\| = 100 is above 2 \(they look like "
            r"percentages: divide by 100\).*max_gross",
        ):
            call()


def test_benchmark_checked_too(model):
    weights = pd.Series(1 / len(model.assets), index=model.assets)
    with pytest.raises(XLFactorError, match=r"^benchmark: gross exposure"):
        model.portfolio_risk(weights, weights * 100)


def test_max_gross_switch_for_leveraged_and_currency_books(model):
    n = len(model.assets)
    long_short = pd.Series(np.where(np.arange(n) % 2 == 0, 0.6, -0.4) / (n / 2) * 3, index=model.assets)  # gross 3
    with pytest.raises(XLFactorError, match=r"sum \|w\| = 3 is above 2;"):
        model.portfolio_risk(long_short)
    risk = model.portfolio_risk(long_short, max_gross=3)
    w = long_short.to_numpy()
    assert risk.total_var == pytest.approx(w @ model.asset_cov().to_numpy() @ w, rel=1e-10)
    currency = long_short * 1e6
    risk_ccy = model.portfolio_risk(currency, max_gross=None)
    assert risk_ccy.total_vol == pytest.approx(risk.total_vol * 1e6, rel=1e-10)
    var = xf.var_es(model, currency, max_gross=None)
    assert var.var == pytest.approx(2.3263478740408408 * risk_ccy.total_vol / np.sqrt(12), rel=1e-10)
    thirty = pd.Series(np.where(np.arange(n) < 3, -0.1, 1.3 / (n - 3)), index=model.assets)  # 130/30: gross 1.6
    model.portfolio_risk(thirty)
    with pytest.raises(XLFactorError, match="^max_gross: expected a positive number"):
        model.portfolio_risk(thirty, max_gross=0)


# --- shocks -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shock", [-10.0, -1.0, -1.5])
def test_shock_at_or_below_minus_100_percent_refused(model, shock):
    weights = pd.Series(1 / len(model.assets), index=model.assets)
    with pytest.raises(
        XLFactorError,
        match=r"^shocks: the move of 'Mkt-RF' is .* at or below -100%; moves are "
        r"decimal returns \(-0.10 for -10%\)",
    ):
        xf.stress(model, weights, {"Mkt-RF": shock})


def test_shock_just_above_minus_100_percent_accepted(model):
    weights = pd.Series(1 / len(model.assets), index=model.assets)
    res = xf.stress(model, weights, {"Mkt-RF": -0.99})
    assert res.pnl == pytest.approx(float(weights.to_numpy() @ model.B @ res.factor_moves.to_numpy()), rel=1e-12)


# --- the portfolio analysis (report engine) -----------------------------------------------------------------------


def test_analysis_refuses_percent_weights_and_passes_the_switch(data):
    returns, factors = data
    weights = pd.Series(10.0, index=returns.columns)  # sums to 100
    with pytest.raises(XLFactorError, match="look like percentages: divide by 100"):
        xf.analyze_portfolio(returns, weights, factors)
    leveraged = pd.Series(0.25, index=returns.columns)  # gross 2.5, fully long, 2.5x leveraged
    with pytest.raises(XLFactorError, match="max_gross"):
        xf.analyze_portfolio(returns, leveraged, factors)
    out = xf.analyze_portfolio(returns, leveraged, factors, max_gross=2.5)
    plain = xf.analyze_portfolio(returns, leveraged / 2.5, factors)
    assert out.risk.total_vol == pytest.approx(2.5 * plain.risk.total_vol, rel=1e-10)


def test_constant_asset_refused_before_rf_is_subtracted(data):
    """A constant return minus a varying RF is not constant: it gave an alpha t-statistic of 74."""
    returns, factors = data
    with pytest.raises(XLFactorError, match=r"^returns: column 'Flat' is constant"):
        xf.regress(returns.assign(Flat=0.01), factors[FF5], rf=factors["RF"])
    weights = pd.Series(1.0 / (returns.shape[1] + 1), index=[*returns.columns, "Flat"])
    with pytest.raises(XLFactorError, match=r"^returns: column 'Flat' is constant"):
        xf.analyze_portfolio(returns.assign(Flat=0.01), weights, factors)


def test_cli_report_refuses_a_constant_asset(data, tmp_path, capsys):
    from xlfactor.cli import main

    returns, _ = data
    returns.assign(Flat=0.01).rename_axis("Date").to_csv(tmp_path / "r.csv")
    pd.DataFrame({"Asset": [*returns.columns, "Flat"], "Weight": 1 / 11}).to_csv(tmp_path / "w.csv", index=False)
    out = tmp_path / "report.xlsx"
    code = main(["report", str(tmp_path / "r.csv"), "--weights", str(tmp_path / "w.csv"), "-o", str(out)])
    assert code == 2 and "returns: column 'Flat' is constant" in capsys.readouterr().err
    assert not out.exists()


def test_impossible_factor_named_by_its_date(data):
    """The factor message gave the row number only ("(row 5)"), not the date of the bad value."""
    returns, factors = data
    bad = factors.copy()
    bad.iloc[4, 1] = 1e200
    with pytest.raises(XLFactorError, match=rf"^factors: column 'SMB' on {bad.index[4]:%Y-%m-%d} holds 1e\+200"):
        xf.regress(returns, bad)


def test_cli_report_units_decimal_for_a_volatile_asset(data, tmp_path, capsys):
    """An asset with ~170% annual volatility had no way through the report: now --units decimal."""
    from xlfactor.cli import main

    returns, factors = data
    shocks = np.random.default_rng(1).normal(0.0, 0.5, len(returns)) + 2 * factors["Mkt-RF"].to_numpy()
    book = returns.assign(Wild=np.exp(shocks) - 1.0)
    book.rename_axis("Date").to_csv(tmp_path / "r.csv")
    pd.DataFrame({"Asset": book.columns, "Weight": 1 / 11}).to_csv(tmp_path / "w.csv", index=False)
    out = tmp_path / "report.xlsx"
    args = ["report", str(tmp_path / "r.csv"), "--weights", str(tmp_path / "w.csv"), "-o", str(out)]
    assert (
        main(args) == 2
        and "for an asset more volatile than 100% a year: pass --units decimal" in capsys.readouterr().err
    )
    assert main([*args, "--units", "decimal"]) == 0 and out.exists()
    with pytest.raises(XLFactorError, match="looks? like percentages"):
        xf.analyze_portfolio(book, pd.Series(1 / 11, index=book.columns), factors)
    analysis = xf.analyze_portfolio(book, pd.Series(1 / 11, index=book.columns), factors, units="decimal")
    ref = sm.OLS(book["Wild"] - factors["RF"], sm.add_constant(factors[FF5])).fit()
    np.testing.assert_allclose(
        analysis.asset_regression.params.loc["Wild"].to_numpy(), ref.params.to_numpy(), rtol=1e-10
    )
