"""Every FM_ function through xlwings' Office.js engine equals the direct Python API call.

Data: the shipped 12 industry portfolios (CRSP 202512), 2014-2023 monthly, three of them
with one blank cell, against the shipped FF5/FF3 factor files, exactly as a user would
lay them out in Excel (header rows, dates as serial numbers, blanks as None).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xlwings.server as server
from office_js import excel_range, serials, spilled

import xlfactor as xf
import xlfactor.excel.functions as functions
from xlfactor.data import data_vintage
from xlfactor.excel.udf import EXCEL_TEXT_LIMIT

ALL_FUNCTIONS = {
    "FM_BETA", "FM_ALPHA", "FM_REGRESS", "FM_ROLLING_BETA", "FM_FACTORS", "FM_DATA_INFO", "FM_COV", "FM_CORR",
    "FM_ASSET_COV", "FM_VAR_DECOMP", "FM_PORT_RISK", "FM_RISK_CONTRIB", "FM_VAR", "FM_STRESS", "FM_HEDGE",
    "FM_HEDGE_TARGET", "FM_POSITION_SIZE",
    # cross-sectional (xlfactor/excel/fm/cross_section.py)
    "FM_ZSCORE", "FM_NEUTRALIZE", "FM_XS_FACTOR_RETURNS", "FM_CHAR_PORTFOLIO", "FM_FAMA_MACBETH", "FM_PCA",
    "FM_ALPHA_TEST", "FM_SPECIFIC_RISK",
    # course notes: return series, performance, expected returns (regression.py, performance.py, hedging.py)
    "FM_ADJUST_BETA", "FM_EXPECTED_RETURN", "FM_HEDGED_RETURNS", "FM_PERFORMANCE", "FM_POSITION_PNL", "FM_RESIDUALS",
    "FM_TRACKING_RETURNS",
    # VaR by method, historical scenarios, forecast backtest (xlfactor/excel/fm/scenarios.py, fm/risk.py)
    "FM_RISK_BACKTEST", "FM_SCENARIO", "FM_SCENARIOS",
    # sorts and holdings (xlfactor/excel/fm/sorts.py, holdings.py)
    "FM_CHAR_ADJUSTED", "FM_HOLDINGS_EXPOSURES", "FM_QUANTILE_SPREAD", "FM_SORT_FACTORS",
    # return attribution and risk through time (xlfactor/excel/fm/attribution.py, risk.py)
    "FM_ATTRIBUTION", "FM_BRINSON", "FM_RISK_HISTORY",
    # joint tests, style analysis, bounded hedges (xlfactor/excel/fm/regression.py, ...)
    "FM_GRS", "FM_STYLE", "FM_XS_ASSET_COV", "FM_SINGLE_SORT",
    "FM_EXCESS_RETURNS",
}  # fmt: skip
TOL = {"rtol": 1e-12, "atol": 1e-15}
ASSETS = ["NoDur", "Durbl", "Manuf"]


@pytest.fixture(scope="module")
def regression(ff5):
    return xf.regress(ff5.returns, ff5.factors, rf=ff5.factors["RF"], periods_per_year=12)


@pytest.fixture(scope="module")
def model(regression, ff5):
    return xf.FactorRiskModel.from_regression(regression, ff5.factors)


def assert_frame(result, expected: pd.DataFrame, headers: bool = True) -> None:
    got = spilled(result, headers)
    if headers:
        assert [str(i) for i in got.index] == [str(i) for i in expected.index]
        assert [str(c) for c in got.columns] == [str(c) for c in expected.columns]
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float), **TOL)


def record_values(result) -> dict:
    return {row[0]: (np.nan if row[1] == "" else row[1]) for row in result}


def assert_record(result, expected: dict) -> None:
    got = record_values(result)
    assert list(got) == list(expected)
    for key, value in expected.items():
        if isinstance(value, str):
            assert got[key] == value
        else:
            np.testing.assert_allclose(float(got[key]), float(value), **TOL, err_msg=key)


# ------------------------------------------------------------------ metadata
def test_meta_lists_every_function_with_descriptions():
    meta = server.custom_functions_meta(functions)
    by_name = {f["name"]: f for f in meta["functions"]}
    assert set(by_name) == ALL_FUNCTIONS
    for name, func in by_name.items():
        assert 20 < len(func["description"]) <= EXCEL_TEXT_LIMIT, name
        assert "\n" not in func["description"]
        for param in func["parameters"]:
            assert not param["description"].startswith("Positional argument"), (name, param["name"])
            assert 10 < len(param["description"]) <= EXCEL_TEXT_LIMIT, (name, param["name"])
    beta = {p["name"]: p for p in by_name["FM_BETA"]["parameters"]}
    assert [p for p in beta] == ["returns", "factors", "dates", "excess", "headers", "units"]
    assert "optional" not in beta["returns"] and beta["dates"]["optional"] is True


# ------------------------------------------------------------------ regressions
def test_beta_with_model_name(engine, cells, regression):
    rets, dates = cells
    assert_frame(engine.call("FM_BETA", rets, "FF5", dates), regression.betas)


def test_beta_without_headers_and_runtime_1_3(engine, cells, regression):
    rets, dates = cells
    out = engine.call("FM_BETA", rets, "ff5", dates, None, False, runtime="1.3")
    assert_frame(out, regression.betas, headers=False)


def test_beta_with_factor_range_and_no_excess(engine, returns, ff5):
    factors = ff5.factors[["Mkt-RF", "SMB", "HML"]]
    rets = returns.loc[factors.index]
    expected = xf.regress(rets, factors, periods_per_year=12).betas
    out = engine.call("FM_BETA", excel_range(rets), excel_range(factors), serials(rets.index), False)
    assert_frame(out, expected)


def test_alpha_hac(engine, cells, ff5):
    rets, dates = cells
    res = xf.regress(ff5.returns, ff5.factors, cov="hac", lags=3, rf=ff5.factors["RF"], periods_per_year=12)
    expected = pd.DataFrame({"alpha": res.alpha_annualized, "t": res.tvalues["alpha"], "P>|z|": res.pvalues["alpha"]})
    assert_frame(engine.call("FM_ALPHA", rets, "FF5", dates, True, "HAC", 3), expected)
    per_period = engine.call("FM_ALPHA", rets, "FF5", dates, False, "hac", 3)
    np.testing.assert_allclose(spilled(per_period)["alpha"].to_numpy(float), res.alpha.to_numpy(), **TOL)


def test_regress_one_asset(engine, returns, ff5):
    one = returns[["Manuf"]]
    res = xf.regress(ff5.returns[["Manuf"]], ff5.factors, cov="hc1", rf=ff5.factors["RF"], periods_per_year=12)
    out = engine.call("FM_REGRESS", excel_range(one), "FF5", serials(one.index), "hc1")
    assert out[0][0] == "Manuf"
    expected = res.summary("Manuf")
    expected.loc["Rows without factor data", "coef"] = 0.0  # every date has factor data
    assert_frame(out, expected)


# ------------------------------------------------------------------ factor data and covariance
def test_factors_and_data_info(engine):
    start, end = serials(pd.DatetimeIndex(["2020-01-31", "2020-12-31"]), header=None)
    out = engine.call("FM_FACTORS", "FF3", "M", start[0], end[0])
    expected = xf.load_factors("FF3", "M", "2020-01-31", "2020-12-31")
    got = spilled(out)
    assert list(got.columns) == list(expected.columns)
    assert list(got.index) == list(expected.index)
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(), **TOL)
    info = record_values(engine.call("FM_DATA_INFO", "FF5", "M"))
    assert info["Data key"] == data_vintage("FF5", "M")
    assert info["Model"] == "FF5" and info["Rows"] == len(xf.load_factors("FF5", "M"))


@pytest.mark.parametrize("method, halflife", [("sample", None), ("ewma", 24.0), ("ledoit_wolf", None)])
def test_cov_and_corr_with_model(engine, cells, ff5, method, halflife):
    _, dates = cells
    cov = xf.factor_cov(ff5.factors, method, halflife, annualize=True, periods_per_year=12)
    assert_frame(engine.call("FM_COV", "FF5", dates, method, halflife), cov)
    corr = xf.cov_to_corr(xf.factor_cov(ff5.factors, method, halflife, annualize=False, periods_per_year=12))
    assert_frame(engine.call("FM_CORR", "FF5", dates, method, halflife), corr)


def test_cov_with_factor_range_without_dates(engine, ff5):
    """Without dates the frequency is unknown: annualised covariance is refused, per period works."""
    factors = ff5.factors.drop(columns="RF")
    assert engine.call("FM_COV", excel_range(factors)) == [
        ["#FM! dates: give the dates of the rows so the frequency is known, or set annualize FALSE"]
    ]
    per_period = xf.factor_cov(factors, annualize=False, periods_per_year=12)
    assert_frame(engine.call("FM_COV", excel_range(factors), None, None, None, False), per_period)


# ------------------------------------------------------------------ risk model
def test_asset_cov_and_variance_decomposition(engine, cells, model):
    rets, dates = cells
    assert_frame(engine.call("FM_ASSET_COV", rets, "FF5", dates), model.asset_cov())
    assert_frame(engine.call("FM_VAR_DECOMP", rets, "FF5", dates), xf.variance_decomposition(model))


def test_asset_cov_ewma_per_period(engine, cells, regression, ff5):
    rets, dates = cells
    m = xf.FactorRiskModel.from_regression(regression, ff5.factors, cov_method="ewma", halflife=36, annualize=False)
    assert_frame(engine.call("FM_ASSET_COV", rets, "FF5", dates, "ewma", 36, False), m.asset_cov())


def test_port_risk_and_contributions(engine, cells, model):
    rets, dates = cells
    weights = [[0.5], [0.2], [0.3]]
    risk = model.portfolio_risk(pd.Series([0.5, 0.2, 0.3], index=ASSETS))
    expected = {
        "Total vol": risk.total_vol, "Factor vol": risk.factor_vol, "Specific vol": risk.specific_vol,
        "Factor share": risk.factor_share, "Total var": risk.total_var, "Factor var": risk.factor_var,
        "Specific var": risk.specific_var, **{f"Exposure {k}": v for k, v in risk.exposures.items()},
    }  # fmt: skip
    assert_record(engine.call("FM_PORT_RISK", weights, rets, "FF5", dates), expected)
    assert_frame(engine.call("FM_RISK_CONTRIB", weights, rets, "FF5", dates), risk.by_factor)
    assert_frame(engine.call("FM_RISK_CONTRIB", weights, rets, "FF5", dates, "asset"), risk.by_asset)
    assert_frame(engine.call("FM_RISK_CONTRIB", weights, rets, "FF5", dates, "variance"), risk.variance_view)


def test_active_risk_with_labelled_weights(engine, cells, model):
    rets, dates = cells
    weights = [["Manuf", "NoDur"], [0.6, 0.4]]  # labelled row layout; Durbl gets 0
    bench = [[1 / 3], [1 / 3], [1 / 3]]
    w = pd.Series({"NoDur": 0.4, "Durbl": 0.0, "Manuf": 0.6})
    risk = model.portfolio_risk(w, pd.Series(1 / 3, index=ASSETS))
    out = engine.call("FM_RISK_CONTRIB", weights, rets, "FF5", dates, "factor", bench)
    assert_frame(out, risk.by_factor)


# ------------------------------------------------------------------ hedging and sizing
def test_hedge_with_model_instruments(engine, returns):
    target = returns[["Manuf"]]
    al = xf.align(target, xf.load_factors("FF3", "M"))
    res = xf.hedge_ratios(al.returns["Manuf"], al.factors.drop(columns="RF"), periods_per_year=12)
    out = engine.call("FM_HEDGE", excel_range(target), "FF3", serials(target.index))
    assert out[0] == ["Manuf", ""]
    expected = {
        **res.ratios.to_dict(), "Effectiveness": res.effectiveness, "Residual vol (ann.)": res.residual_vol_annualized,
        "Unhedged vol (ann.)": res.unhedged_vol_annualized, "Observations": res.nobs,
    }  # fmt: skip
    assert_record(out[1:], expected)


def test_hedge_target_and_position_size(engine, cells, model):
    rets, dates = cells
    w = pd.Series([0.5, 0.2, 0.3], index=ASSETS)
    res = xf.hedge_to_risk_share(model, w, 0.25)
    out = spilled(engine.call("FM_HEDGE_TARGET", [[0.5, 0.2, 0.3]], rets, "FF5", dates, 0.25))
    np.testing.assert_allclose(out.loc[list(model.factors), "Hedge (sell)"].to_numpy(float), res.hedge, **TOL)
    np.testing.assert_allclose(out.loc["Factor share", "After"], res.factor_share_after, **TOL)
    np.testing.assert_allclose(out.loc["Total vol", "Before"], res.total_vol_before, **TOL)
    size = xf.position_size(50_000, model, "Durbl", horizon="daily")
    got = engine.call("FM_POSITION_SIZE", 50_000, rets, "FF5", dates, "Durbl", "daily")
    assert got[0] == ["Durbl", ""]
    values = record_values(got[1:])
    np.testing.assert_allclose(values["Capital (unhedged)"], size.capital_unhedged, **TOL)
    np.testing.assert_allclose(values["Capital (hedged)"], size.capital_hedged, **TOL)
    assert values["Horizon"] == "D"


# ------------------------------------------------------------------ scenarios
def test_var_es(engine, cells, model):
    rets, dates = cells
    w = pd.Series([0.5, 0.2, 0.3], index=ASSETS)
    res = xf.var_es(model, w, 0.975, 3)
    expected = {
        "VaR": res.var, "ES": res.es, "Vol (horizon)": res.vol, "Confidence": 0.975, "Horizon (periods)": 3.0,
        "Method": "parametric", **{f"VaR {k}": v for k, v in res.by_factor["var"].items()},
        **{f"ES {k}": v for k, v in res.by_factor["es"].items()},
    }  # fmt: skip
    assert_record(engine.call("FM_VAR", [[0.5], [0.2], [0.3]], rets, "FF5", dates, 0.975, 3), expected)


def test_stress_with_labelled_shocks(engine, cells, model):
    rets, dates = cells
    w = pd.Series([0.5, 0.2, 0.3], index=ASSETS)
    res = xf.stress(model, w, {"Mkt-RF": -0.15, "HML": 0.05})
    shocks = [["Mkt-RF", -0.15], ["HML", 0.05]]
    out = engine.call("FM_STRESS", [[0.5], [0.2], [0.3]], rets, "FF5", dates, shocks)
    got = spilled(out)
    assert list(got.columns) == ["move", "shocked", "exposure", "pnl"]
    assert list(got.index) == [*model.factors, "Total"]
    np.testing.assert_allclose(got.loc[list(model.factors), "move"].to_numpy(float), res.factor_moves, **TOL)
    np.testing.assert_allclose(got.loc[list(model.factors), "pnl"].to_numpy(float), res.pnl_by_factor, **TOL)
    assert got.loc["Mkt-RF", "shocked"] is True and got.loc["SMB", "shocked"] is False
    np.testing.assert_allclose(got.loc["Total", "pnl"], res.pnl, **TOL)


def test_rolling_beta(engine, cells, returns, ff5):
    rets, dates = cells
    expected = xf.rolling_regress(ff5.returns, ff5.factors, 24, 20, rf=ff5.factors["RF"])
    got = spilled(engine.call("FM_ROLLING_BETA", rets, "FF5", dates, 24, 20))
    assert list(got.columns) == [f"{a} {'R2' if f == 'rsquared' else f}" for a, f in expected.columns]
    assert list(got.index) == list(expected.index)
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(), **TOL)  # NaN (blank) where incomplete
    one = engine.call("FM_ROLLING_BETA", excel_range(returns[["Manuf"]]), "FF5", dates, 36)
    assert one[0] == ["Date", "alpha", "Mkt-RF", "SMB", "HML", "RMW", "CMA", "R2"]
