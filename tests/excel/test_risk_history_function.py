"""FM_RISK_HISTORY through xlwings' Office.js engine: equal to the engine called directly (to 1e-12), whose
every date is checked against a fresh regression and risk model in tests/test_risk_history.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from office_js import excel_range, serials, spilled

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]
W = pd.Series([0.5, 0.2, 0.3], index=ASSETS)
CELLS_W = [[0.5], [0.2], [0.3]]
CELLS_B = [["NoDur", 1 / 3], ["Durbl", 1 / 3], ["Manuf", 1 / 3]]
TOL = {"rtol": 1e-12, "atol": 1e-15}
FACTORS = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]


def history_call(engine, returns, *options, factors="FF5"):
    return engine.call("FM_RISK_HISTORY", CELLS_W, excel_range(returns), factors, serials(returns.index), *options)


def test_risk_history_equals_the_engine(engine, returns, ff5):
    res = xf.risk_history(ff5.returns, W, ff5.factors, benchmark=pd.Series(1 / 3, index=ASSETS), window=36)
    out = history_call(engine, returns, CELLS_B, 36)
    assert out[0] == ["Date", "Total vol", "Factor vol", "Specific vol", "Tracking error",
                      *[f"{k} contribution" for k in FACTORS], "Specific contribution", "Realised",
                      "Realised vol (12)"]  # fmt: skip
    got = spilled(out)
    assert list(got.index) == list(res.table.index) and len(got) == 84
    expected = pd.concat([res.table.drop(columns=["realised", "realised_vol"]), res.contributions,
                          res.table[["realised", "realised_vol"]]], axis=1)  # fmt: skip
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(), **TOL)


def test_risk_history_options(engine, returns, ff5):
    res = xf.risk_history(ff5.returns, W, ff5.factors.drop(columns="RF"), first_forecast=40, refit_every=6,
                          cov_method="ewma", halflife=24, annualize=False, realised_window=6)  # fmt: skip
    got = spilled(history_call(engine, returns, None, None, 40, 6, "ewma", 24, False, 6, False))
    assert "Tracking error" not in got.columns and "Realised vol (6)" in got.columns
    np.testing.assert_allclose(got["Total vol"].to_numpy(float), res.table["total_vol"], **TOL)
    np.testing.assert_allclose(got["Realised vol (6)"].to_numpy(float), res.table["realised_vol"], **TOL)
    back = xf.risk_backtest(ff5.returns, W, ff5.factors.drop(columns="RF"), first_forecast=40, refit_every=6,
                            cov_method="ewma", halflife=24)  # fmt: skip
    np.testing.assert_allclose(got["Total vol"].to_numpy(float), back.table["forecast_vol"], rtol=1e-12)


def message(result) -> str:
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    text = result[0][0]
    assert text.startswith("#FM! ") and "Traceback" not in text, text
    return text


def test_risk_history_bad_inputs(engine, returns, ff5):
    assert message(history_call(engine, returns, None, 5)).startswith("#FM! window: ")
    assert message(history_call(engine, returns, None, None, 119)) == (
        "#FM! first_forecast: 119 leaves 1 of the 120 dates to forecast; "
        "use a smaller first_forecast or a longer history"
    )
    assert message(history_call(engine, returns, [["NoDur", 100.0]])).startswith("#FM! benchmark: gross exposure")
    assert message(history_call(engine, returns, None, None, None, None, None, None, None, 1)).startswith(
        "#FM! realised_window: "
    )
    out = engine.call("FM_RISK_HISTORY", CELLS_W, excel_range(returns), "FF5", None)
    assert message(out) == "#FM! dates: required; give the dates of the rows (the history needs the data frequency)"
    rets, facs = excel_range(returns), excel_range(ff5.factors)
    out = engine.call("FM_RISK_HISTORY", CELLS_W, rets, facs, None)
    assert message(out) == "#FM! dates: required; give the dates of the rows (the history needs the data frequency)"


def test_risk_history_units(engine, returns, ff5):
    """``units`` as on FM_RISK_BACKTEST: volatile decimal returns refused with the advice, taken with "decimal"."""
    shocks = np.random.default_rng(3).normal(0.0, 0.5, returns.shape) + 2 * ff5.factors[["Mkt-RF"]].to_numpy()
    wild = pd.DataFrame(np.exp(shocks) - 1.0, index=returns.index, columns=returns.columns)
    options = [None] * 9  # benchmark ... excess, then headers
    assert 'set units "decimal"' in message(history_call(engine, wild, *options, None, None, "auto"))
    got = spilled(history_call(engine, wild, None, 36, *options[2:], None, None, "decimal"))
    res = xf.risk_history(wild, W, ff5.factors, window=36, units="decimal")
    np.testing.assert_allclose(got["Total vol"].to_numpy(float), res.table["total_vol"], **TOL)
