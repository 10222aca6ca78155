"""VaR by method, historical scenarios and the risk-forecast backtest in cells, through xlwings' Office.js engine.

Every number is checked against the engine called directly (to 1e-12) and, for the statistics
themselves, against a hand computation with numpy/scipy (the mixture quantile's defining
equation, cumulant additivity for Cornish-Fisher, compounded returns for a replay, scipy's
chi-square for Kupiec and Christoffersen, a fresh regression for a forecast). Data: the shipped
12 industry portfolios 2014-2023 monthly against the shipped FF5 factors, laid out as Excel
sends them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from office_js import excel_range, serials, spilled
from scipy import integrate, stats

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]
W = pd.Series([0.5, 0.2, 0.3], index=ASSETS)
CELLS_W = [[0.5], [0.2], [0.3]]
TOL = {"rtol": 1e-12, "atol": 1e-15}


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]


@pytest.fixture(scope="module")
def model(ff5):
    """The annual FF5 model that FM_VAR, FM_SCENARIO (dates given) build from the cells."""
    reg = xf.regress(ff5.returns, ff5.factors, rf=ff5.factors["RF"], periods_per_year=12)
    return xf.FactorRiskModel.from_regression(reg, ff5.factors)


def record(result) -> dict:
    return {row[0]: (np.nan if row[1] == "" else row[1]) for row in result}


def message(result) -> str:
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    text = result[0][0]
    assert text.startswith("#FM! ") and "Traceback" not in text, text
    return text


def date_of(cell) -> pd.Timestamp:
    return pd.Timestamp("1899-12-30") + pd.Timedelta(days=cell["basicValue"])


def var_call(engine, cells, *, confidence=0.99, horizon=1, method=None, max_gross=None, weights=CELLS_W):
    rets, dates = cells
    # the None before max_gross is headers: max_gross and units come after it
    args = (weights, rets, "FF5", dates, confidence, horizon, None, None, None, None, method, None, max_gross)
    return engine.call("FM_VAR", *args)


# ------------------------------------------------------------------ FM_VAR by method
@pytest.mark.parametrize("method", ["historical", "cornish_fisher"])
def test_var_by_method_equals_the_engine(engine, cells, model, method):
    res = xf.var_es(model, W, 0.95, 3, method=method)
    got = record(var_call(engine, cells, confidence=0.95, horizon=3, method=method))
    assert list(got)[:9] == [
        "VaR", "ES", "Vol (horizon)", "Confidence", "Horizon (periods)", "Method", "Skewness", "Excess kurtosis",
        "Observations",
    ]  # fmt: skip
    assert got["Method"] == method and got["Observations"] == res.observations == 120
    for label, value in [("VaR", res.var), ("ES", res.es), ("Vol (horizon)", res.vol), ("Skewness", res.skew),
                         ("Excess kurtosis", res.excess_kurtosis)]:  # fmt: skip
        np.testing.assert_allclose(got[label], value, **TOL, err_msg=label)
    for k, v in res.by_factor["var"].items():
        np.testing.assert_allclose(got[f"VaR {k}"], v, **TOL)
    for k, v in res.by_factor["es"].items():  # Euler ES contributions, adding up to the ES
        np.testing.assert_allclose(got[f"ES {k}"], v, **TOL)
    np.testing.assert_allclose(sum(got[f"ES {k}"] for k in res.by_factor.index), got["ES"], rtol=1e-12)
    assert res.var != pytest.approx(xf.var_es(model, W, 0.95, 3).var, rel=1e-3)  # not the parametric number


def _history_pnl(model, ff5):
    """Today's exposures on each month of the sample's factor history, and the specific volatility (per month)."""
    x = model.B.T @ W.to_numpy()
    p = ff5.factors[list(model.factors)].to_numpy() @ x
    s = np.sqrt(W.to_numpy() ** 2 @ model.D / 12)
    return p, s


def test_historical_var_solves_the_mixture_quantile_by_hand(engine, cells, model, ff5):
    """VaR: P(p_T* + e <= -VaR) = 1 - c with e ~ N(0, s^2); ES: the tail mean of that mixture (quadrature)."""
    p, s = _history_pnl(model, ff5)
    a = 0.05
    got = record(var_call(engine, cells, confidence=0.95, method="historical"))
    var, es = got["VaR"], got["ES"]
    np.testing.assert_allclose(stats.norm.cdf((-var - p) / s).mean(), a, rtol=1e-10)

    def density(v):
        return stats.norm.pdf((v - p) / s).mean() / s

    tail, _ = integrate.quad(lambda v: v * density(v), -1.0, -var, epsabs=1e-13, epsrel=1e-11, limit=200)
    np.testing.assert_allclose(-tail / a, es, rtol=1e-8)
    horizon = record(var_call(engine, cells, confidence=0.95, horizon="annual", method="historical"))
    np.testing.assert_allclose(horizon["VaR"], var * np.sqrt(12), rtol=1e-12)  # square-root-of-time
    assert horizon["Horizon (periods)"] == 12


def test_cornish_fisher_by_hand_from_cumulants(engine, cells, model, ff5):
    """Skewness and kurtosis of p + e from additive cumulants (k3, k4 of a normal are 0); the Cornish-Fisher
    quantile; ES by integrating the quantile function numerically."""
    p, s = _history_pnl(model, ff5)
    d = p - p.mean()
    k2, k3, k4 = np.mean(d**2) + s * s, np.mean(d**3), np.mean(d**4) - 3 * np.mean(d**2) ** 2
    skew, kurt = k3 / k2**1.5, k4 / k2**2
    got = record(var_call(engine, cells, confidence=0.99, horizon=4, method="cornish_fisher"))
    np.testing.assert_allclose([got["Skewness"], got["Excess kurtosis"]], [skew, kurt], rtol=1e-10)
    s_h, k_h = skew / 2, kurt / 4  # four i.i.d. periods

    def quantile(u):
        z = stats.norm.ppf(u)
        return z + (z * z - 1) * s_h / 6 + (z**3 - 3 * z) * k_h / 24 - (2 * z**3 - 5 * z) * s_h**2 / 36

    vol = np.sqrt((W.to_numpy() @ model.asset_cov().to_numpy() @ W.to_numpy()) / 12 * 4)
    np.testing.assert_allclose(got["Vol (horizon)"], vol, rtol=1e-12)
    np.testing.assert_allclose(got["VaR"], -quantile(0.01) * vol, rtol=1e-12)
    area, _ = integrate.quad(quantile, 0, 0.01, epsabs=1e-14, epsrel=1e-12, limit=200)
    np.testing.assert_allclose(got["ES"], -area / 0.01 * vol, rtol=1e-8)


def test_var_parametric_horizon_by_name_and_number(engine, cells, model):
    """One horizon convention: a number of data periods or a name; "quarterly" on monthly data is 3 periods."""
    by_name = record(var_call(engine, cells, horizon="Quarterly"))
    by_number = record(var_call(engine, cells, horizon=3))
    assert by_name == by_number and by_name["Method"] == "parametric" and "Skewness" not in by_name
    sigma = np.sqrt(W.to_numpy() @ model.asset_cov().to_numpy() @ W.to_numpy() / 12 * 3)
    np.testing.assert_allclose(by_name["VaR"], stats.norm.ppf(0.99) * sigma, rtol=1e-12)
    np.testing.assert_allclose(by_name["ES"], sigma * stats.norm.pdf(stats.norm.ppf(0.99)) / 0.01, rtol=1e-12)


def test_var_max_gross(engine, cells, model):
    levered = [[1.5], [0.6], [0.9]]  # gross 3 > the default bound of 2
    assert message(var_call(engine, cells, weights=levered)).startswith("#FM! weights:")
    res = xf.var_es(model, W * 3, 0.99, 1, max_gross=3.5, method="historical")
    got = record(var_call(engine, cells, weights=levered, max_gross=3.5, method="historical"))
    np.testing.assert_allclose(got["VaR"], res.var, **TOL)
    currency = [[500_000.0], [200_000.0], [300_000.0]]
    got = record(var_call(engine, cells, weights=currency, max_gross="none"))
    np.testing.assert_allclose(got["VaR"], xf.var_es(model, W * 1e6, max_gross=None).var, **TOL)


def test_var_bad_inputs(engine, cells, returns, ff5):
    assert message(var_call(engine, cells, method="monte carlo")) == (
        "#FM! method: 'monte carlo' is not one of parametric, historical, cornish_fisher"
    )
    assert message(var_call(engine, cells, horizon="fortnightly")).startswith(
        "#FM! horizon: expected a positive number of data periods or one of daily, weekly, monthly"
    )
    assert message(var_call(engine, cells, horizon=0)) == "#FM! horizon: 0 is outside (0, inf)"
    assert message(var_call(engine, cells, confidence=0.999, method="historical")) == (
        "#FM! factors: 120 periods hold no 0.10% tail; give at least 1000 periods or a lower confidence"
    )
    rets = excel_range(returns)
    factors = excel_range(ff5.factors)  # a factor range without dates: the frequency is unknown
    out = engine.call("FM_VAR", CELLS_W, rets, factors, None, 0.99, "monthly")
    assert message(out) == (
        "#FM! horizon: 'monthly' needs the data frequency; give the dates, or the horizon as a number of rows"
    )
    per_period = engine.call("FM_VAR", CELLS_W, rets, factors, None, 0.99, 2, None, None, None, None, "historical")
    assert record(per_period)["Observations"] == 120  # a number of rows needs no frequency


def test_position_size_takes_both_horizon_forms(engine, cells, model):
    rets, dates = cells
    for horizon, label in [(3, "3 periods"), ("weekly", "W")]:
        size = xf.position_size(50_000, model, "Durbl", horizon=horizon)
        got = record(engine.call("FM_POSITION_SIZE", 50_000, rets, "FF5", dates, "Durbl", horizon)[1:])
        np.testing.assert_allclose(got["Capital (unhedged)"], size.capital_unhedged, **TOL)
        assert got["Horizon"] == label
    three = xf.position_size(50_000, model, "Durbl", horizon="quarterly")
    np.testing.assert_allclose(xf.position_size(50_000, model, "Durbl", horizon=3).capital_hedged,
                               three.capital_hedged, rtol=1e-12)  # fmt: skip


# ------------------------------------------------------------------ FM_SCENARIO, FM_SCENARIOS
def scenario_call(engine, cells, episode, episode_end=None, *, factors="FF5", freq=None, view=None, band=None,
                  weights=CELLS_W):  # fmt: skip
    rets, dates = cells
    args = (weights, rets, factors, dates, episode, episode_end, None, band, freq, None, None, None, view)
    return engine.call("FM_SCENARIO", *args)


def test_library_episode_replays_the_stored_daily_history(engine, cells, model):
    daily = xf.load_factors("FF5", "D")
    res = xf.scenario(model, W, "Covid crash 2020", factors=daily)
    got = spilled(scenario_call(engine, cells, "covid crash 2020"))
    factors = list(model.factors)
    assert list(got.columns) == ["Return", "Exposure", "P&L", "Worst period P&L"]
    assert list(got.index) == [*factors, "Total", "Band low (95%)", "Band high (95%)"]
    np.testing.assert_allclose(got.loc[factors, "P&L"].to_numpy(float), res.pnl_by_factor, **TOL)
    np.testing.assert_allclose(got.loc[factors, "Worst period P&L"].to_numpy(float), res.worst_by_factor, **TOL)
    np.testing.assert_allclose(got.loc[["Total", "Band low (95%)", "Band high (95%)"], "P&L"].to_numpy(float),
                               [res.pnl, *res.band], **TOL)  # fmt: skip
    # by hand: compounded daily factor returns from 20 Feb to 23 Mar 2020, times today's exposures
    window = daily.loc["2020-02-20":"2020-03-23", factors].to_numpy()
    x = model.B.T @ W.to_numpy()
    compounded = np.prod(1 + window, axis=0) - 1
    np.testing.assert_allclose(got.loc[factors, "Return"].to_numpy(float), compounded, rtol=1e-12)
    np.testing.assert_allclose(got.loc["Total", "P&L"], x @ compounded, rtol=1e-12)
    specific = np.sqrt(W.to_numpy() ** 2 @ model.D * len(window) / 252)
    np.testing.assert_allclose(got.loc["Band high (95%)", "P&L"] - got.loc["Total", "P&L"],
                               stats.norm.ppf(0.975) * specific, rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose(got.loc["Total", "Worst period P&L"], (window @ x).min(), rtol=1e-12)


def test_summary_and_period_views(engine, cells, model):
    monthly = xf.load_factors("FF5", "M")
    res = xf.scenario(model, W, "LTCM 1998", factors=monthly, band=0.9)
    out = scenario_call(engine, cells, "LTCM 1998", view="summary", band=0.9)
    assert out[0] == ["LTCM 1998", ""]
    got = record(out[1:])
    assert list(got) == ["Description", "Start", "End", "Frequency", "Periods", "P&L", "Specific vol (episode)",
                         "Band low (90%)", "Band high (90%)", "Worst period", "Worst period P&L"]  # fmt: skip
    assert date_of(got["Start"]) == pd.Timestamp("1998-08-31") and date_of(got["End"]) == pd.Timestamp("1998-09-30")
    assert got["Frequency"] == "monthly" and got["Periods"] == 2 and date_of(got["Worst period"]) == res.worst_date
    np.testing.assert_allclose([got["P&L"], got["Specific vol (episode)"], got["Worst period P&L"]],
                               [res.pnl, res.specific_vol, res.worst_pnl], **TOL)  # fmt: skip
    periods = scenario_call(engine, cells, "LTCM 1998", view="periods")
    assert periods[0] == ["Date", "P&L"]
    np.testing.assert_allclose([row[1] for row in periods[1:]], res.period_pnl, **TOL)


def test_user_episode_at_the_dates_frequency_or_another(engine, cells, model):
    res = xf.scenario(model, W, "2022-01-01", "2022-06-30", factors=xf.load_factors("FF5", "M"))
    got = spilled(scenario_call(engine, cells, 44562.0, "2022-06-30"))  # a serial start, a text end
    np.testing.assert_allclose(got.loc["Total", "P&L"], res.pnl, **TOL)
    weekly = xf.scenario(model, W, "2022-01-01", "2022-06-30", factors=xf.load_factors("FF5", "W"))
    out = scenario_call(engine, cells, "2022-01-01", "2022-06-30", freq="W", view="summary")
    got = record(out[1:])
    assert got["Frequency"] == "weekly" and got["Periods"] == weekly.periods == 25  # Fridays 7 Jan to 24 Jun
    np.testing.assert_allclose(got["P&L"], weekly.pnl, **TOL)


def test_factor_range_is_replayed_as_given(engine, returns, ff5, model):
    rets, dates = excel_range(returns), serials(returns.index)
    factors = excel_range(ff5.factors)
    res = xf.scenario(model, W, "2020-01-01", "2020-12-31", factors=ff5.factors)
    got = spilled(scenario_call(engine, (rets, dates), "2020-01-01", "2020-12-31", factors=factors))
    np.testing.assert_allclose(got.loc["Total", "P&L"], res.pnl, **TOL)
    out = scenario_call(engine, (rets, dates), "Covid crash 2020", factors=factors)
    assert message(out) == (
        "#FM! factors: 'Covid crash 2020' is a daily episode (2020-02-20 to 2020-03-23) and the factor range "
        "does not cover it at that frequency; give daily factor returns over it, or a model name such as "
        '"FF5" to replay its stored history'
    )
    out = scenario_call(engine, (rets, dates), "2020-01-01", "2020-12-31", factors=factors, freq="D")
    assert message(out).startswith("#FM! freq: only with a model name")


def test_scenario_bad_inputs(engine, cells):
    assert message(scenario_call(engine, cells, "Dotcom")).startswith(
        "#FM! episode: 'Dotcom' is neither a library episode (Great Crash 1929-32; 1973-74 bear market;"
    )
    assert message(scenario_call(engine, cells, "LTCM 1998", "1998-12-31")) == (
        "#FM! episode_end: 'LTCM 1998' is a library episode with its own dates; leave episode_end empty"
    )
    assert message(scenario_call(engine, cells, "2020-02-01")) == (
        "#FM! episode_end: required with a start date; give the last date of your episode"
    )
    assert message(scenario_call(engine, cells, "2020-02-01", "2019-02-01")) == (
        "#FM! episode_end: 2019-02-01 is before the start 2020-02-01"
    )
    assert message(scenario_call(engine, cells, None)) == (
        '#FM! episode: required; give a library episode such as "LTCM 1998" or a start date'
    )
    assert message(scenario_call(engine, cells, "Great Crash 1929-32")).startswith(
        "#FM! episode: 'Great Crash 1929-32' runs 1929-09-01 to 1932-06-30 but the factor returns with every model "
        "factor run 1963-07-31"
    )
    assert message(scenario_call(engine, cells, "LTCM 1998", freq="D")).startswith(
        "#FM! freq: 'LTCM 1998' is a monthly episode; leave freq empty"
    )
    assert message(scenario_call(engine, cells, "2022-01-01", "2022-03-31", freq="quarterly")) == (
        "#FM! freq: 'quarterly' is not one of 'D' (daily), 'W' (weekly, from daily data), 'M' (monthly)"
    )
    assert message(scenario_call(engine, cells, "1800-01-01", "1800-12-31")).startswith(
        "#FM! factors: no factor returns from 1800-01-01 to 1800-12-31; they run 1963-07-31 to"
    )
    rets, _ = cells
    assert message(engine.call("FM_SCENARIO", CELLS_W, rets, "FF5", None, "LTCM 1998")).startswith("#FM! dates:")


def test_scenario_library(engine):
    library = xf.scenario_library()
    got = engine.call("FM_SCENARIOS")
    assert got[0] == ["Episode", "Start", "End", "Frequency", "Description"]
    assert [row[0] for row in got[1:]] == list(library.index)
    assert [date_of(row[1]) for row in got[1:]] == list(library["start"])
    assert [date_of(row[2]) for row in got[1:]] == list(library["end"])
    assert [row[3] for row in got[1:]] == list(library["frequency"])
    assert [row[4] for row in got[1:]] == list(library["description"])


# ------------------------------------------------------------------ FM_RISK_BACKTEST
def backtest_call(engine, cells, *options, factors="FF5"):
    rets, dates = cells
    return engine.call("FM_RISK_BACKTEST", CELLS_W, rets, factors, dates, *options)


@pytest.fixture(scope="module")
def backtest(ff5):
    return xf.risk_backtest(ff5.returns, W, ff5.factors, window=36, confidence=0.95, bias_window=24)


def test_backtest_summary_equals_the_engine(engine, cells, backtest):
    got = record(backtest_call(engine, cells, 36, None, None, None, None, 0.95, 24))
    b = backtest
    expected = {
        "Forecasts": len(b.table), "Bias statistic": b.bias, "Band low (95%)": b.band[0],
        "Band high (95%)": b.band[1], "VaR confidence": 0.95, "Breaches": b.breaches,
        "Expected breaches": b.expected_breaches, "Kupiec LR": b.kupiec_lr, "Kupiec p-value": b.kupiec_pvalue,
        "Christoffersen LR": b.christoffersen_lr, "Christoffersen p-value": b.christoffersen_pvalue, "Window": 36,
        "First forecast after (rows)": 36, "Refit every (rows)": 1, "Covariance method": "sample",
        "Rolling bias window": 24,
    }  # fmt: skip
    assert list(got) == list(expected) and len(b.table) == 84
    for key, value in expected.items():
        if isinstance(value, str):
            assert got[key] == value
        else:
            np.testing.assert_allclose(got[key], value, **TOL, err_msg=key)


def test_backtest_series_and_the_tests_by_hand(engine, cells, ff5, backtest):
    out = backtest_call(engine, cells, 36, None, None, None, None, 0.95, 24, None, "series")
    assert out[0] == ["Date", "Forecast vol", "Realised", "Realised / forecast", "VaR", "Breach", "Rolling bias (24)"]
    body = out[1:]
    assert [date_of(row[0]) for row in body] == list(backtest.table.index)
    sigma, realised = np.array([r[1] for r in body]), np.array([r[2] for r in body])
    breach = np.array([r[5] for r in body])
    assert breach.dtype == bool and breach.sum() == backtest.breaches
    np.testing.assert_allclose(sigma, backtest.table["forecast_vol"], **TOL)
    assert all(r[6] == "" for r in body[:23]) and body[23][6] != ""  # rolling bias blank until 24 forecasts
    # the first forecast by hand: a fresh per-period model on the 36 months before it
    first = ff5.returns.index.get_loc(date_of(body[0][0]))
    rows = ff5.returns.iloc[first - 36 : first]
    facs = ff5.factors.iloc[first - 36 : first]
    fit = xf.regress(rows, facs, rf=facs["RF"], periods_per_year=12)
    per_period = xf.FactorRiskModel.from_regression(fit, facs, annualize=False)
    np.testing.assert_allclose(sigma[0], per_period.portfolio_risk(W).total_vol, rtol=1e-10)
    excess = ff5.returns.sub(ff5.factors["RF"], axis=0) @ W
    np.testing.assert_allclose(realised, excess.loc[backtest.table.index], rtol=1e-12)
    # bias statistic, Kupiec and Christoffersen from the cells, with scipy's chi-square
    got = record(backtest_call(engine, cells, 36, None, None, None, None, 0.95, 24))
    np.testing.assert_allclose(got["Bias statistic"], np.std(realised / sigma, ddof=1), rtol=1e-12)
    n, x, p = len(breach), int(breach.sum()), 0.05
    lr = -2 * ((n - x) * np.log(1 - p) + x * np.log(p) - (n - x) * np.log(1 - x / n) - x * np.log(x / n))
    np.testing.assert_allclose([got["Kupiec LR"], got["Kupiec p-value"]], [lr, stats.chi2.sf(lr, 1)], rtol=1e-10)
    pairs = list(zip(breach[:-1], breach[1:], strict=True))
    n00, n01, n10, n11 = (sum(1 for pair in pairs if pair == (i, j)) for i in (False, True) for j in (False, True))
    pi0, pi1, pi = n01 / (n00 + n01), n11 / (n10 + n11) if n10 + n11 else 0.0, (n01 + n11) / (n - 1)

    def loglik(q, zeros, ones):
        return (zeros * np.log(1 - q) if zeros else 0.0) + (ones * np.log(q) if ones else 0.0)

    lr_ind = -2 * (loglik(pi, n00 + n10, n01 + n11) - loglik(pi0, n00, n01) - loglik(pi1, n10, n11))
    np.testing.assert_allclose([got["Christoffersen LR"], got["Christoffersen p-value"]],
                               [lr_ind, stats.chi2.sf(lr_ind, 1)], rtol=1e-9, atol=1e-12)  # fmt: skip


def test_backtest_expanding_default_and_excess_false(engine, cells, ff5):
    res = xf.risk_backtest(ff5.returns, W, ff5.factors, cov_method="ewma", halflife=24, refit_every=3)
    got = record(backtest_call(engine, cells, None, None, 3, "ewma", 24))
    assert got["Window"] == "expanding" and got["First forecast after (rows)"] == 60
    np.testing.assert_allclose(got["Bias statistic"], res.bias, **TOL)
    raw = xf.risk_backtest(ff5.returns, W, ff5.factors.drop(columns="RF"))
    got = record(backtest_call(engine, cells, None, None, None, None, None, None, None, False))
    np.testing.assert_allclose(got["Bias statistic"], raw.bias, **TOL)


def test_backtest_bad_inputs(engine, cells):
    assert message(backtest_call(engine, cells, 5)).startswith("#FM! window: ")
    text = message(backtest_call(engine, cells, None, 119))
    assert text == (
        "#FM! first_forecast: 119 leaves 1 of the 120 dates to forecast; "
        "use a smaller first_forecast or a longer history"
    )
    assert message(backtest_call(engine, cells, None, None, None, None, None, None, None, None, "chart")) == (
        "#FM! view: 'chart' is not one of summary, series"
    )
    rets, _ = cells
    assert message(engine.call("FM_RISK_BACKTEST", CELLS_W, rets, "FF5", None)) == (
        "#FM! dates: required; give the dates of the rows (the backtest needs the data frequency)"
    )


def test_labelled_results_have_a_top_left_label(engine, cells):
    for name, out in [
        ("FM_SCENARIO", scenario_call(engine, cells, "Rate shock 2022")),
        ("FM_SCENARIO", scenario_call(engine, cells, "Rate shock 2022", view="periods")),
        ("FM_SCENARIOS", engine.call("FM_SCENARIOS")),
        ("FM_RISK_BACKTEST", backtest_call(engine, cells)),
        ("FM_RISK_BACKTEST", backtest_call(engine, cells, None, None, None, None, None, None, None, None, "series")),
    ]:
        assert isinstance(out[0][0], str) and out[0][0] and not out[0][0].startswith("#FM!"), name
