"""Issue 18, item 2: every kind of input in every function obeys the value rules of
:mod:`xlfactor.models.units`, through the Python API and through xlwings' Office.js engine.

Each case below gave a silent or absurd number before (the number is in the test's docstring);
each now gives one refusal naming the argument (as the front end calls it), the cell and the
fix. Where a switch (``units "decimal"``, ``max_gross``) lets data through, the numbers equal
the Python API's.

Data: a simulated long panel (8 month ends x 60 assets) laid out as in Excel, and the shipped
industry portfolios with French's FF5 factors (monthly).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from excel.office_js import EPOCH, excel_range, long_cells, long_panel, spilled, wide
from excel.office_js import message as cell_message

import xlfactor as xf
from xlfactor.errors import XLFactorError

ASSETS = ["NoDur", "Durbl", "Manuf"]
WEIGHTS = [[0.3], [0.5], [0.2]]
CHARS = ["Return", "Value", "Momentum", "Cap"]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """:func:`excel.office_js.long_panel`: 8 month ends x 60 assets (Return, Value, Momentum, Industry, Cap)."""
    return long_panel()


def message(result) -> str:
    """:func:`excel.office_js.message`, and no Python list in the cell either."""
    text = cell_message(result)
    assert "['" not in text, text
    return text


def with_value(frame: pd.DataFrame, column: str, row: int, value) -> pd.DataFrame:
    out = frame.copy()
    out.iloc[row, out.columns.get_loc(column)] = value
    return out


# --- panel functions: percent returns ---------------------------------------------------------------------------

PANEL_CALLS = {
    # FM_SORT_FACTORS gave SMB -1.05 on percent returns
    "FM_SORT_FACTORS": lambda data: ("FM_SORT_FACTORS", data(CHARS), "Cap", "Value"),
    "FM_QUANTILE_SPREAD": lambda data: ("FM_QUANTILE_SPREAD", data(CHARS), "Value"),
    # FM_SPECIFIC_RISK gave a specific vol of 1815%
    "FM_SPECIFIC_RISK": lambda data: ("FM_SPECIFIC_RISK", data([*CHARS, "Industry"]), "Industry", "Cap"),
    "FM_XS_FACTOR_RETURNS": lambda data: ("FM_XS_FACTOR_RETURNS", data([*CHARS, "Industry"]), "Industry", "Cap"),
    "FM_CHAR_ADJUSTED": lambda data: ("FM_CHAR_ADJUSTED", data(["Return", "Value", "Momentum"]), [[1 / 60]] * 60),
    "FM_FAMA_MACBETH": lambda data: ("FM_FAMA_MACBETH", data(["Return", "Value", "Momentum"])),
}


@pytest.mark.parametrize("function", sorted(PANEL_CALLS))
def test_panel_functions_refuse_percent_returns(engine, panel, function):
    percent = panel.assign(Return=panel["Return"] * 100)
    text = message(engine.call(*PANEL_CALLS[function](lambda cols: long_cells(percent, cols))))
    assert text.startswith(
        "#FM! data (its Return column): values look like percentages (median size above 20%); divide by 100"
    ), text
    assert 'units "decimal"' in text


def test_panel_python_api_refuses_percent_returns(panel):
    r = wide(panel, "Return") * 100
    chars = {"Value": wide(panel, "Value")}
    for call in (
        lambda: xf.cross_sectional_regress(r, chars),
        lambda: xf.fama_macbeth(r, chars),
        lambda: xf.build_sort_factors(r, wide(panel, "Cap"), wide(panel, "Value")),
        lambda: xf.quantile_spread(r, wide(panel, "Value")),
        lambda: xf.pca_factors(r, 2),
    ):
        with pytest.raises(XLFactorError, match=r"^returns: values look like percentages .*units='decimal'"):
            call()


def test_panel_units_decimal_gives_the_python_numbers(engine, panel):
    """units "decimal" declares returns decimals however volatile (about 170% a year): the Python API's numbers."""
    wild = np.exp(np.random.default_rng(5).normal(0.0, 0.5, len(panel))) - 1.0
    big = panel.assign(Return=np.where(panel["Return"].isna(), np.nan, wild))
    text = message(engine.call("FM_XS_FACTOR_RETURNS", long_cells(big, [*CHARS, "Industry"]), "Industry", "Cap"))
    assert text.startswith("#FM! data (its Return column): values look like percentages")
    data = long_cells(big, [*CHARS, "Industry"])
    out = spilled(engine.call("FM_XS_FACTOR_RETURNS", data, "Industry", "Cap", *[None] * 7, "decimal"))
    ref = xf.cross_sectional_regress(
        wide(big, "Return"),
        {"Value": wide(big, "Value"), "Momentum": wide(big, "Momentum")},
        industries=wide(big, "Industry"),
        caps=wide(big, "Cap"),
        units="decimal",
    )
    expected = ref.factor_returns.assign(R2=ref.rsquared)
    np.testing.assert_allclose(out.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-12, atol=1e-15)
    sorts = spilled(engine.call("FM_SORT_FACTORS", long_cells(big, CHARS), "Cap", "Value", *[None] * 8, "decimal"))
    ref_sorts = xf.build_sort_factors(wide(big, "Return"), wide(big, "Cap"), wide(big, "Value"), units="decimal")
    np.testing.assert_allclose(sorts[["SMB", "HML"]].to_numpy(dtype=float), ref_sorts.factors.to_numpy(), rtol=1e-12)


# --- panel functions: bad cells are refused by cell, not dropped --------------------------------------------------


def test_inf_return_refused_naming_asset_and_date(panel):
    """An inf return dropped the row silently."""
    r = wide(panel, "Return")
    r.loc["2021-03-31", "S07"] = np.inf
    with pytest.raises(XLFactorError, match=r"^returns: column 'S07' on 2021-03-31 contains infinite values"):
        xf.cross_sectional_regress(r, {"Value": wide(panel, "Value")})
    r.loc["2021-03-31", "S07"] = -1.5
    with pytest.raises(XLFactorError, match=r"^returns: column 'S07' on 2021-03-31 holds -1.5, a loss of more than"):
        xf.quantile_spread(r, wide(panel, "Value"))


def test_impossible_return_cell_in_excel(engine, panel):
    cols = [*CHARS, "Industry"]
    huge = with_value(panel, "Return", 60 * 2 + 7, 1e308)  # S07 on the third date
    text = message(engine.call("FM_XS_FACTOR_RETURNS", long_cells(huge, cols), "Industry", "Cap"))
    cell = "#FM! data (its Return column): row 129, column 3 of the range (S07 on 2021-03-31)"
    assert text.startswith(f"{cell} holds 1e+308, which no return can be"), text
    loss = with_value(panel, "Return", 60 * 2 + 7, -1.5)
    text = message(engine.call("FM_FAMA_MACBETH", long_cells(loss, ["Return", "Value"])))
    assert text.startswith(f"{cell} holds -1.5, a loss of more than 100%"), text


def test_negative_cap_refused_naming_the_cell(engine, panel):
    """A negative cap dropped the asset from the date silently."""
    bad = with_value(panel, "Cap", 60 + 3, -5.0)  # S03 on the second date
    text = message(engine.call("FM_XS_FACTOR_RETURNS", long_cells(bad, [*CHARS, "Industry"]), "Industry", "Cap"))
    assert text == (
        "#FM! cap: the market cap of 'S03' on 2021-02-28 is -5; a market cap must be positive; fix the value, "
        "or blank it if unknown"
    )
    text = message(engine.call("FM_SORT_FACTORS", long_cells(bad, CHARS), "Cap", "Value"))
    assert text.startswith("#FM! cap: the market cap of 'S03' on 2021-02-28 is -5; a market cap must be positive")
    with pytest.raises(XLFactorError, match=r"^caps: the market cap of 'S03' on 2021-02-28 is -5"):
        xf.cross_sectional_regress(wide(bad, "Return"), {"Value": wide(bad, "Value")}, caps=wide(bad, "Cap"))


def test_huge_characteristic_refused_naming_the_cell(engine, panel):
    """A 1e308 characteristic blanked the whole date."""
    bad = with_value(panel, "Value", 60 * 4 + 11, 1e308)  # S11 on the fifth date
    text = message(engine.call("FM_XS_FACTOR_RETURNS", long_cells(bad, [*CHARS, "Industry"]), "Industry", "Cap"))
    assert text.startswith(
        "#FM! data (its characteristic columns): 'Value' of 'S11' on 2021-05-31 is 1e+308; no characteristic is "
        "that large"
    ), text
    text = message(engine.call("FM_QUANTILE_SPREAD", long_cells(bad, CHARS), "Value"))
    assert text.startswith("#FM! signal: the signal of 'S11' on 2021-05-31 is 1e+308"), text
    with pytest.raises(XLFactorError, match=r"^exposures: 'Value' of 'S11' on 2021-05-31 is 1e\+308"):
        xf.cross_sectional_regress(wide(bad, "Return"), {"Value": wide(bad, "Value")})


def test_negative_regression_weight_refused(panel):
    w = wide(panel, "Cap").copy()
    w.iloc[0, 0] = -1.0
    with pytest.raises(XLFactorError, match=r"^weights: the regression weight of 'S00' on 2021-01-31 is -1; .*non-neg"):
        xf.cross_sectional_regress(wide(panel, "Return"), {"Value": wide(panel, "Value")}, weights=w)


# --- weights and holdings everywhere ----------------------------------------------------------------------------


def holdings_cells(history: pd.DataFrame) -> list[list]:
    days = ((history.index - EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    body = zip(days, history.to_numpy().tolist(), strict=True)
    return [["Date", *history.columns], *[[float(d), *row] for d, row in body]]


def test_holdings_in_percent_refused(engine, returns, cells):
    """FM_HOLDINGS_EXPOSURES of holdings in percent gave a Mkt-RF exposure of 96.04."""
    rets, dates = cells
    history = pd.DataFrame([[30.0, 50.0, 20.0]] * 2, index=returns.index[-2:], columns=ASSETS)
    text = message(engine.call("FM_HOLDINGS_EXPOSURES", holdings_cells(history), rets, "FF5", dates))
    assert text.startswith(
        "#FM! holdings: gross exposure sum |w| = 100 on 2023-11-30 is above 2 (they look like percentages: divide by "
        "100)"
    ), text
    assert "set max_gross to its gross exposure" in text and 'max_gross "none"' in text
    betas = xf.regress(returns, xf.load_factors("FF5").loc[returns.index].drop(columns="RF")).betas
    with pytest.raises(XLFactorError, match=r"^holdings: gross exposure sum \|w\| = 100 on 2023-11-30"):
        xf.holdings_exposures(history, betas)
    # a book in currency passes with max_gross "none", as the Python API with max_gross=None
    fine = spilled(engine.call("FM_HOLDINGS_EXPOSURES", holdings_cells(history), rets, "FF5", dates, *[None] * 3,
                               "none"))  # fmt: skip
    regressed = spilled(engine.call("FM_BETA", rets, "FF5", dates))
    np.testing.assert_allclose(fine.to_numpy(dtype=float)[0], [30, 50, 20] @ regressed.to_numpy(dtype=float),
                               rtol=1e-12)  # fmt: skip


def test_huge_holding_refused_even_without_a_gross_bound(engine, returns, cells):
    """A 1e308 holding reached the cells as inf."""
    rets, dates = cells
    history = pd.DataFrame([[1e308, 0.5, 0.2]], index=returns.index[-1:], columns=ASSETS)
    text = message(engine.call("FM_HOLDINGS_EXPOSURES", holdings_cells(history), rets, "FF5", dates, *[None] * 3,
                               "none"))  # fmt: skip
    assert text.startswith("#FM! holdings: the weight of 'NoDur' on 2023-12-31 is 1e+308; no weight is that large")


def test_char_adjusted_weights_in_percent_refused(engine, panel):
    """FM_CHAR_ADJUSTED of percent weights gave a market exposure of 100."""
    data = long_cells(panel, ["Return", "Value", "Momentum"])
    text = message(engine.call("FM_CHAR_ADJUSTED", data, [[100 / 60]] * 60))
    assert text.startswith("#FM! weights: gross exposure sum |w| = 100 on 2021-01-31 is above 2"), text
    r = xf.cross_sectional_regress(wide(panel, "Return"), {"Value": wide(panel, "Value")})
    with pytest.raises(XLFactorError, match=r"^weights: gross exposure sum \|w\| = 100 on 2021-01-31"):
        xf.characteristic_adjusted_returns(r, pd.Series(100 / 60, index=r.returns.columns))
    history = [["Date", "S00", "S01"], [float((panel.index[0][0] - EPOCH).days), 60.0, 40.0]]
    text = message(engine.call("FM_CHAR_ADJUSTED", data, None, None, history))
    assert text.startswith("#FM! holdings: gross exposure sum |w| = 100 on 2021-01-31 is above 2"), text


def test_risk_backtest_weights_in_percent_refused(engine, returns, ff5, cells):
    rets, dates = cells
    text = message(engine.call("FM_RISK_BACKTEST", [[30], [50], [20]], rets, "FF5", dates))
    assert text.startswith("#FM! weights: gross exposure sum |w| = 100 is above 2 (they look like percentages"), text
    with pytest.raises(XLFactorError, match=r"^weights: gross exposure sum \|w\| = 100"):
        xf.risk_backtest(returns, pd.Series([30.0, 50.0, 20.0], index=ASSETS), ff5)
    levered = pd.Series([1.5, 1.0, 0.5], index=ASSETS)
    out = xf.risk_backtest(returns, levered, ff5, max_gross=3)
    plain = xf.risk_backtest(returns, levered / 3, ff5)
    np.testing.assert_allclose(out.table["forecast_vol"], 3 * plain.table["forecast_vol"], rtol=1e-10)


# --- premia, shocks, magnitudes, constant assets ------------------------------------------------------------------


def test_premia_in_percent_refused(engine, returns, cells):
    """FM_EXPECTED_RETURN of premia in percent gave a Total E[r] of 3.9-6.8 (386-684% a year)."""
    rets, dates = cells
    for premium in (5, -5):
        text = message(engine.call("FM_EXPECTED_RETURN", rets, "FF5", dates, [["Mkt-RF", premium]]))
        expected = f"#FM! premia: the value for 'Mkt-RF' is {premium / 12:.6g} per period ({abs(premium)} a year), "
        assert text.startswith(expected + "more than 100% a year: it looks like percent; divide by 100"), text
    text = message(engine.call("FM_POSITION_PNL", 50_000, rets, "FF5", dates, "Durbl", "annual", [["Mkt-RF", 6]]))
    assert text.startswith("#FM! premia: the value for 'Mkt-RF' is 0.5 per period (6 a year)"), text
    ff5 = xf.load_factors("FF5").loc[returns.index]
    res = xf.regress(returns, ff5.drop(columns="RF"), rf=ff5["RF"])
    with pytest.raises(XLFactorError, match=r"^premia: the value for 'SMB' is -0.5 per period \(6 a year\)"):
        xf.expected_return(res, premia={n: (-0.5 if n == "SMB" else 0.0) for n in res.factor_names})
    ok = xf.expected_return(res, premia={n: 0.005 for n in res.factor_names})  # 6% a year passes
    assert ok.loc["Mkt-RF"].to_numpy() == pytest.approx(res.betas["Mkt-RF"].to_numpy() * 0.005 * 12, rel=1e-12)


@pytest.mark.parametrize("shock", [5, 1e308])
def test_positive_shock_in_percent_or_overflowing_refused(engine, returns, cells, shock):
    """FM_STRESS(..., {"Mkt-RF", 5}) gave a P&L of 474% of capital; 1e308 reached the cells as inf."""
    rets, dates = cells
    text = message(engine.call("FM_STRESS", WEIGHTS, rets, "FF5", dates, [["Mkt-RF", shock]]))
    assert text == (
        f"#FM! shocks: the move of 'Mkt-RF' is {shock:.6g}, above +100%: it looks like percent; moves are decimal "
        "returns (0.05 for +5%)"
    )
    ff5 = xf.load_factors("FF5").loc[returns.index]
    model = xf.FactorRiskModel.from_regression(xf.regress(returns, ff5.drop(columns="RF")), ff5.drop(columns="RF"))
    with pytest.raises(XLFactorError, match=r"^shocks: the move of 'Mkt-RF' is .* above \+100%"):
        xf.stress(model, dict(zip(ASSETS, (0.3, 0.5, 0.2), strict=True)), {"Mkt-RF": shock})
    assert xf.stress(model, dict(zip(ASSETS, (0.3, 0.5, 0.2), strict=True)), {"Mkt-RF": 0.2}).pnl > 0


def test_overflowing_budget_and_weights_refused(engine, returns, cells):
    """1e308 reached the cells as inf in FM_POSITION_PNL (budget) and FM_STRESS (a weight, max_gross "none")."""
    rets, dates = cells
    text = message(engine.call("FM_POSITION_PNL", 1e308, rets, "FF5", dates, "Durbl"))
    assert text == "#FM! vol_budget: 1e+308 is not a usable amount of money (limit +/-1e+18); fix the value"
    with pytest.raises(XLFactorError, match=r"^vol_budget: 1e\+308 is not a usable amount of money"):
        xf.position_size(1e308, vol=0.2)
    huge = [[1e308], [0.5], [0.2]]
    text = message(engine.call("FM_STRESS", huge, rets, "FF5", dates, [["Mkt-RF", -0.1]], *[None] * 5, "none"))
    assert text.startswith("#FM! weights: a weight is 1e+308, not a number of a usable size"), text


def test_constant_asset_refused_in_performance(engine, returns, cells):
    """FM_PERFORMANCE of a constant asset gave a Sharpe ratio of 7.95e15."""
    _, dates = cells
    flat = returns.assign(Flat=0.004)
    text = message(engine.call("FM_PERFORMANCE", excel_range(flat), dates))
    assert text == (
        "#FM! returns: column 'Flat' is constant (every value 0.004, to rounding); its volatility is zero, so its "
        "Sharpe and Sortino ratios are meaningless; drop it or check the data"
    )
    with pytest.raises(XLFactorError, match=r"^returns: column 'Flat' is constant"):
        xf.performance(flat)
    rounding = returns.assign(Flat=0.004 + np.arange(len(returns)) % 2 * 1e-18)  # varies at rounding level only
    with pytest.raises(XLFactorError, match=r"^returns: column 'Flat' is constant"):
        xf.performance(rounding)


def test_performance_units_switch(engine, returns, cells):
    """A volatile asset (about 170% a year) looks like percent; units "decimal" declares it, as in Python."""
    _, dates = cells
    wild = pd.DataFrame({"Wild": np.exp(np.random.default_rng(3).normal(0, 0.5, len(returns))) - 1}, returns.index)
    text = message(engine.call("FM_PERFORMANCE", excel_range(wild), dates))
    assert text.startswith("#FM! returns: values look like percentages") and 'units "decimal"' in text
    out = spilled(engine.call("FM_PERFORMANCE", excel_range(wild), dates, *[None] * 4, "decimal"))
    ref = xf.performance(wild, units="decimal")
    assert out.loc["Sharpe", "Wild"] == pytest.approx(ref.loc["Wild", "sharpe"], rel=1e-12)


# --- an output name that collides with another output ------------------------------------------------------------


def test_sort_factor_name_colliding_with_smb_refused(engine, panel):
    """FM_SORT_FACTORS(..., factor_name "SMB") labelled the value factor SMB and the size factor disappeared."""
    text = message(engine.call("FM_SORT_FACTORS", long_cells(panel, CHARS), "Cap", "Value", *[None] * 5, "SMB"))
    assert text == (
        "#FM! factor_name: 'SMB' is the size factor's column, which the sort also returns; call the characteristic "
        "factor something else (e.g. HML)"
    )
    with pytest.raises(XLFactorError, match=r"^name: 'smb' is the size factor's column"):
        xf.build_sort_factors(wide(panel, "Return"), wide(panel, "Cap"), wide(panel, "Value"), name="smb")
    named = spilled(engine.call("FM_SORT_FACTORS", long_cells(panel, CHARS), "Cap", "Value", *[None] * 5, "VAL"))
    assert list(named.columns[:2]) == ["SMB", "VAL"]


def test_huge_value_in_zscore_refused_not_blanking_the_date(engine, panel):
    """A 1e308 characteristic made the date's standard deviation overflow: every z-score of the date blank."""
    values = wide(panel, "Value")
    values.iloc[2, 5] = 1e308
    text = message(engine.call("FM_ZSCORE", excel_range(values)))
    assert text.startswith("#FM! x: the characteristic of 'S05' (row 3) is 1e+308; no characteristic is"), text
    with pytest.raises(XLFactorError, match=r"^x: the characteristic of 'S05' on 2021-03-31 is 1e\+308"):
        xf.standardize(values)
