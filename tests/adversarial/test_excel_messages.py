"""Adversarial suite, issue 10, through Excel: units, magnitudes, degenerate inputs and the wording
of messages, driven through xlwings' own Office.js engine as Excel would call the FM_ functions.

Each case gave a plausible wrong number, a Python-flavoured message or the wrong argument or
place before; each now gives ``#FM! ...`` naming the argument (or cell) and the fix in Excel
terms. Numbers that the switches (``units``, ``max_gross``) let through are checked against
statsmodels / numpy to 1e-10 relative.

Data: the shipped industry portfolios and French factors (real, monthly).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from excel.office_js import excel_range, message, serials, spilled

import xlfactor as xf
from xlfactor.errors import Advice, Placeholder, XLFactorError
from xlfactor.excel.guard import error_text
from xlfactor.excel.specs import MODEL, SPECS

ASSETS = ["NoDur", "Durbl", "Manuf"]
WEIGHTS = [[0.3], [0.5], [0.2]]
TOL = {"rtol": 1e-10, "atol": 0.0}


def with_cell(rows: list[list], row: int, col: int, value) -> list[list]:
    """A copy of a range with one cell replaced (``row`` counts the header row as 0)."""
    out = [r[:] for r in rows]
    out[row][col] = value
    return out


def record(result) -> dict:
    return {r[0]: r[1] for r in result}


# --- units: percent returns, percent weights, shocks ------------------------------------------------------------


@pytest.mark.parametrize(
    "function, before",
    [("FM_BETA", ()), ("FM_ALPHA", ()), ("FM_PORT_RISK", (WEIGHTS,)), ("FM_VAR", (WEIGHTS,))],
)
def test_percent_returns_refused_with_the_fix(engine, returns, cells, function, before):
    """FM_BETA of returns*100 on FF5 gave a market beta of 64.6, FM_PORT_RISK a vol of 15.42."""
    _, dates = cells
    text = message(engine.call(function, *before, excel_range(returns * 100), "FF5", dates))
    assert text.startswith("#FM! returns: column 'NoDur' looks like percentages (median size above 20%); divide by 100")


def test_percent_advice_names_the_excel_argument(engine, returns, cells):
    _, dates = cells
    text = message(engine.call("FM_BETA", excel_range(returns * 100), "FF5", dates))
    assert 'units "decimal"' in text and "units='decimal'" not in text


def test_advice_for_an_argument_the_function_lacks_is_left_out():
    """A function without ``units`` must not advise it (the cell shows only what the function takes)."""

    def fails(returns):
        raise XLFactorError.at(
            "returns", "looks like percentages; divide by 100", column="A", advice=Advice("units", "decimal", "if not")
        )

    error = pytest.raises(XLFactorError, fails, None).value
    assert error_text(error, ["returns", "headers"]) == "#FM! returns: column 'A' looks like percentages; divide by 100"
    assert error_text(error, ["returns", "units"]).endswith('divide by 100 (if not: set units "decimal")')
    assert str(error).endswith("(if not: units='decimal')")


def test_units_decimal_lets_a_volatile_asset_through_exactly(engine, returns, ff5, cells):
    """An asset with ~170% annual volatility looks like percent; units "decimal" declares it."""
    _, dates = cells
    shocks = np.random.default_rng(1).normal(0.0, 0.5, len(returns)) + 2 * ff5["Mkt-RF"].to_numpy()
    wild = pd.DataFrame({"Wild": np.exp(shocks) - 1.0}, index=returns.index)
    refused = message(engine.call("FM_BETA", excel_range(wild), "FF5", dates))
    assert refused.startswith("#FM! returns: column 'Wild' looks like percentages") and 'units "decimal"' in refused
    out = spilled(engine.call("FM_BETA", excel_range(wild), "FF5", dates, None, None, "decimal"))
    factors = ff5.drop(columns="RF")
    ref = sm.OLS(wild["Wild"] - ff5["RF"], sm.add_constant(factors)).fit()
    np.testing.assert_allclose(out.loc["Wild"].to_numpy(dtype=float), ref.params[factors.columns].to_numpy(), **TOL)
    regress = record(engine.call("FM_REGRESS", excel_range(wild), "FF5", dates, None, None, None, None, "decimal"))
    assert regress["alpha"] == pytest.approx(ref.params["const"], rel=1e-10)
    test = spilled(engine.call("FM_ALPHA_TEST", excel_range(wild), "FF5", dates, False, *[None] * 3, "decimal"))
    assert test.loc["Wild", "FF5 alpha"] == pytest.approx(ref.params["const"], rel=1e-10)
    hedge = record(engine.call("FM_HEDGE", excel_range(wild), "FF5", dates, None, "decimal"))
    ref_hedge = xf.hedge_ratios(wild["Wild"], factors, units="decimal")
    assert hedge["Mkt-RF"] == pytest.approx(ref_hedge.ratios["Mkt-RF"], rel=1e-10)
    assert message(engine.call("FM_BETA", excel_range(wild), "FF5", dates, None, None, "percent")) == (
        "#FM! units: 'percent' is not one of auto, decimal"
    )


def test_weights_summing_to_100_refused_in_excel_terms(engine, cells):
    """Weights summing to 100 gave a volatility of 15.42 (and 2004.93% in the report)."""
    rets, dates = cells
    text = message(engine.call("FM_PORT_RISK", [[30], [50], [20]], rets, "FF5", dates))
    assert text == (
        "#FM! weights: gross exposure sum |w| = 100 is above 2 (they look like percentages: divide by 100); "
        "weights are fractions of capital (0.25 = 25%) (for a leveraged or long-short book: set max_gross to its "
        'gross exposure; for weights in currency: set max_gross "none")'
    )


def test_max_gross_switch_for_leveraged_and_currency_books(engine, returns, ff5, cells):
    rets, dates = cells
    model = xf.FactorRiskModel.from_regression(
        xf.regress(returns, ff5.drop(columns="RF"), rf=ff5["RF"]), ff5.drop(columns="RF")
    )
    levered = pd.Series([1.2, 1.0, 0.8], index=ASSETS)  # gross 3
    blank5 = (None,) * 5  # benchmark, method, halflife, annualize, excess; then headers, max_gross

    def port_risk(weights, *late):
        return engine.call("FM_PORT_RISK", excel_range(weights, False), rets, "FF5", dates, *blank5, *late)

    assert "sum |w| = 3 is above 2" in message(port_risk(levered))
    risk = record(port_risk(levered, None, 3))
    assert risk["Total vol"] == pytest.approx(model.portfolio_risk(levered, max_gross=3).total_vol, rel=1e-10)
    ccy = record(port_risk(levered * 1e6, None, "none"))
    assert ccy["Total vol"] == pytest.approx(risk["Total vol"] * 1e6, rel=1e-10)
    currency = excel_range(levered * 1e6, False)
    contrib = spilled(engine.call("FM_RISK_CONTRIB", currency, rets, "FF5", dates, "factor", *blank5, None, "None"))
    assert contrib["contribution"].sum() == pytest.approx(ccy["Total vol"], rel=1e-10)
    hedge = engine.call("FM_HEDGE_TARGET", currency, rets, "FF5", dates, 0.2, None, None, None, None, None, "none")
    assert hedge[0][0] == "Factor"
    stress = engine.call(
        "FM_STRESS", currency, rets, "FF5", dates, [["Mkt-RF", -0.1]], None, None, None, None, None, "none"
    )
    assert stress[-1][0] == "Total"
    assert message(port_risk(levered, None, 0)) == "#FM! max_gross: 0 is outside (0, inf)"


def test_stress_shock_of_minus_1000_percent_refused(engine, cells):
    """Mkt-RF -10 gave a P&L of -9.37."""
    rets, dates = cells
    text = message(engine.call("FM_STRESS", WEIGHTS, rets, "FF5", dates, [["Mkt-RF", -10]]))
    assert text == (
        "#FM! shocks: the move of 'Mkt-RF' is -10, at or below -100%; moves are decimal returns (-0.10 for -10%)"
    )
    pct = message(engine.call("FM_STRESS", [[30], [50], [20]], rets, "FF5", dates, [["Mkt-RF", -0.1]]))
    assert pct.startswith("#FM! weights: gross exposure sum |w| = 100 is above 2")


# --- magnitudes and degenerate inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e308, 1e200, -1e200])
@pytest.mark.parametrize("function, before", [("FM_BETA", ()), ("FM_ALPHA", ()), ("FM_PORT_RISK", (WEIGHTS,))])
def test_impossible_return_named_by_its_cell(engine, cells, value, function, before):
    """1e200 was reported as `specific_var`, 1e308 as a LinAlgError or betas near 1e307."""
    rets, dates = cells
    text = message(engine.call(function, *before, with_cell(rets, 8, 2, value), "FF5", dates))
    assert text == (
        f"#FM! returns: row 9, column 3 of the range holds {value:.6g}, which no return can be (limit +/-100 = "
        "10000% a period); fix the value or blank it"
    )


@pytest.mark.parametrize("value", [1e308, 1e200])
@pytest.mark.parametrize("function", ["FM_BETA", "FM_COV"])
def test_impossible_factor_named_by_its_cell(engine, cells, ff5, value, function):
    rets, dates = cells
    factors = with_cell(excel_range(ff5), 5, 1, value)
    args = (rets, factors, dates) if function == "FM_BETA" else (factors, dates)
    assert message(engine.call(function, *args)).startswith(
        f"#FM! factors: row 6, column 2 of the range holds {value:.6g}, which no return can be"
    )


@pytest.mark.parametrize("excess", [True, False])
def test_constant_asset_refused_naming_it(engine, returns, cells, excess):
    """A constant asset gave an alpha t-statistic of 3e16 (and of 74 against RF-excess returns)."""
    _, dates = cells
    flat = returns.assign(Flat=0.01)
    text = message(engine.call("FM_ALPHA", excel_range(flat), "FF5", dates, None, None, None, excess))
    assert text.startswith("#FM! returns: column 'Flat' is constant (every value 0.01, to rounding)")


def _after_data_end(returns: pd.DataFrame, n_after: int) -> pd.DatetimeIndex:
    """Month ends for the rows of ``returns``, the last ``n_after`` of them after the FF5 data's last month."""
    last = xf.load_factors("FF5").index.max()
    return pd.date_range(end=last + pd.offsets.MonthEnd(n_after), periods=len(returns), freq="ME")


def test_large_drop_of_rows_is_an_error_naming_the_dates(engine):
    """52 of 118 rows whose dates fall after the factor data were dropped silently."""
    rets = xf.industry_portfolios().iloc[-118:][ASSETS]
    dates = _after_data_end(rets, 52)
    text = message(engine.call("FM_BETA", excel_range(rets), "FF5", serials(dates)))
    last = xf.load_factors("FF5").index.max()
    missing = dates[-52:]
    assert text == (
        f"#FM! dates: 52 of 118 dates have no FF5 monthly factor data ({missing[0]:%Y-%m-%d}, {missing[1]:%Y-%m-%d}, "
        f"{missing[2]:%Y-%m-%d}, ... {missing[-1]:%Y-%m-%d}); the factor data run from 1963-07-31 to "
        f"{last:%Y-%m-%d}, and more than 10% of the rows may not be dropped; run Refresh data, or end the range by "
        f"{last:%Y-%m-%d}"
    )


def test_small_drop_of_rows_is_shown(engine):
    """Within 10%: the rows are left out, and FM_BETA / FM_ALPHA / FM_REGRESS say how many."""
    rets = xf.industry_portfolios().iloc[-60:][ASSETS]
    dates = _after_data_end(rets, 4)
    args = (excel_range(rets), "FF5", serials(dates))
    used = "Asset (56 of 60 rows used, 4 without factor data)"
    beta = engine.call("FM_BETA", *args)
    assert beta[0][0] == used and engine.call("FM_ALPHA", *args)[0][0] == used
    kept = rets.iloc[:56].set_axis(dates[:56])
    ff5 = xf.load_factors("FF5").loc[dates[:56]]
    expected = xf.regress(kept, ff5.drop(columns="RF"), rf=ff5["RF"]).betas
    np.testing.assert_allclose(spilled(beta).to_numpy(dtype=float), expected.to_numpy(), **TOL)
    one = record(engine.call("FM_REGRESS", excel_range(rets[["NoDur"]]), "FF5", serials(dates)))
    assert one["Observations"] == 56 and one["Rows without factor data"] == 4
    full = record(engine.call("FM_REGRESS", excel_range(kept[["NoDur"]]), "FF5", serials(dates[:56])))
    assert full["Rows without factor data"] == 0 and engine.call("FM_BETA", *args[:1], "FF5", serials(dates))


# --- messages that named the wrong argument or place ------------------------------------------------------------


def test_alpha_test_blames_models(engine, cells):
    rets, dates = cells
    text = message(engine.call("FM_ALPHA_TEST", rets, [["FF5", "FF7"]], dates))
    assert text.startswith("#FM! models: unknown model 'FF7'; built-in models are CAPM, FF3, FF5, FF6, CARHART4")
    assert "range of factor returns" not in text  # models takes names only
    assert message(engine.call("FM_ALPHA_TEST", rets, [[None]], dates)) == (
        '#FM! models: the cell is blank; enter model names (e.g. "CAPM, FF3, FF5")'
    )


def test_fama_macbeth_reports_the_true_column(engine):
    """Text at column 4 was reported as column 2 (the position among the numeric columns)."""
    rng = np.random.default_rng(0)
    rows = [["Date", "Asset", "Return", "Size", "Value"]]
    for day in serials(pd.date_range("2020-01-31", periods=12, freq="ME"), header=None):
        rows += [[day[0], a, rng.normal(0, 0.05), rng.normal(), rng.normal()] for a in "ABCDEF"]
    text = message(engine.call("FM_FAMA_MACBETH", with_cell(rows, 6, 3, "abc")))
    assert (
        text == "#FM! data: row 7, column 4 of the range holds 'abc'; this range must hold numbers "
        "(leave missing values blank)"
    )


@pytest.mark.parametrize("blank", [None, "", "  "])
@pytest.mark.parametrize("function", ["FM_BETA", "FM_COV"])
def test_blank_model_cell_says_so(engine, cells, blank, function):
    """A blank model cell said "factors: 1 rows but dates has 118"."""
    rets, dates = cells
    args = (rets, [[blank]], dates) if function == "FM_BETA" else ([[blank]], dates)
    assert message(engine.call(function, *args)) == (
        '#FM! factors: the cell is blank; enter a model name (e.g. "FF5") or select the range of factor returns'
    )


def test_blank_rf_cells_give_excel_advice(engine, cells, ff5):
    """Blank RF cells gave the Python advice `rf=factors['RF']`."""
    rets, dates = cells
    factors = excel_range(ff5)
    for row in (3, 4, 5):
        factors[row][-1] = None
    text = message(engine.call("FM_BETA", rets, factors, dates))
    assert text == (
        "#FM! factors (its RF column): the risk-free rate is missing on 3 of the 120 return dates (first 2014-03-31); "
        "it must cover the sample (if the returns are already excess returns: set excess FALSE)"
    )
    betas = spilled(engine.call("FM_BETA", rets, factors, dates, False))  # excess FALSE: RF is not used
    assert list(betas.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


def test_pca_does_not_advise_an_argument_it_lacks(engine):
    """FM_PCA advised raising `min_obs`, which is not one of its arguments."""
    cells = [["A", "B", "C"], [0.01, None, 0.02], [0.02, None, -0.01], [None, 0.03, 0.01], [None, 0.01, 0.02]]
    text = message(engine.call("FM_PCA", cells, 2))
    assert text == (
        "#FM! returns: assets 'A' and 'B' have returns on fewer than 2 common dates, so their covariance is "
        "undefined; leave one of them out or give them overlapping dates"
    )


@pytest.mark.parametrize("layout", ["column", "row"])
def test_percent_typed_as_text_in_weights(engine, cells, layout):
    """Weights ("30%", 0.5, 0.2) gave "2 weights for 3 assets"."""
    rets, dates = cells
    weights = [["30%"], [0.5], [0.2]] if layout == "column" else [["30%", 0.5, 0.2]]
    assert message(engine.call("FM_PORT_RISK", weights, rets, "FF5", dates)) == (
        "#FM! weights: cell 1 of the range holds the text '30%', not a number; enter the number 0.3 "
        "(Excel stored this cell as text: retype it, or format the cell as a number)"
    )
    labelled = [["NoDur", "0.3"], ["Durbl", 0.5], ["Manuf", 0.2]]
    assert "holds the text '0.3', not a number; enter the number 0.3" in message(
        engine.call("FM_PORT_RISK", labelled, rets, "FF5", dates)
    )
    one = excel_range(xf.industry_portfolios().loc["2014-01":"2023-12", ["NoDur"]].set_axis(["7203"], axis=1))
    ticker = record(engine.call("FM_PORT_RISK", [["7203"], [1.0]], one, "FF5", dates))
    assert ticker["Total vol"] > 0  # a whole number stays a name (a ticker)


def test_numbers_typed_as_text_in_the_first_row_are_not_taken_as_names(engine, returns, cells):
    """A first row of numbers stored as text would have become the asset names, dropping that month."""
    _, dates = cells
    body = excel_range(returns, header=False)
    first = [[str(v) for v in body[0]], *body[1:]]
    assert message(engine.call("FM_BETA", first, "FF5", dates[1:])) == (
        f"#FM! returns: row 1, column 1 of the range holds the text '{body[0][0]}', not a number; enter the number "
        f"{body[0][0]:.10g} (Excel stored this cell as text: retype it, or format the cell as a number)"
    )


def test_blank_instruments_named_as_instruments(engine, returns, cells):
    _, dates = cells
    assert message(engine.call("FM_HEDGE", excel_range(returns[["NoDur"]]), [[""]], dates)) == (
        '#FM! instruments: the cell is blank; enter a model name (e.g. "FF5") or select the range of factor returns'
    )


@pytest.mark.parametrize("error", ["#N/A", {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}])
def test_error_in_the_header_is_refused(engine, cells, error):
    """A #N/A header cell silently became "Asset 3"."""
    rets, dates = cells
    assert message(engine.call("FM_BETA", with_cell(rets, 0, 2, error), "FF5", dates)) == (
        '#FM! returns: cell 3 of the header holds the Excel error #N/A; type the name there (or clear it for "Asset 3")'
    )


# --- wording and compatibility ----------------------------------------------------------------------------------


def test_advice_worded_per_front_end_from_the_error_fields():
    """One error, three wordings: Python arguments, Excel cells, command-line flags; none rewrites a message."""
    from xlfactor.cli.wording import COMMAND_LINE
    from xlfactor.excel.guard import ExcelWording

    error = XLFactorError.at(
        "weights",
        "gross exposure is above 2",
        advice=(
            Advice("max_gross", Placeholder("its gross exposure"), "for a leveraged book"),
            Advice("max_gross", None),
        ),
    )
    assert str(error) == (
        "weights: gross exposure is above 2 (for a leveraged book: max_gross=<its gross exposure>; or max_gross=None)"
    )
    assert error.render(ExcelWording(["weights", "max_gross"])) == (
        "weights: gross exposure is above 2 (for a leveraged book: set max_gross to its gross exposure; "
        'or set max_gross "none")'
    )
    assert error.render(ExcelWording(["weights"])) == "weights: gross exposure is above 2"
    assert error.render(COMMAND_LINE) == (
        "weights: gross exposure is above 2 (for a leveraged book: pass --max-gross its gross exposure; "
        "or pass --max-gross none)"
    )
    plain = XLFactorError("rf: pass it on the same dates, e.g. rf=factors['RF']")
    assert plain.render(ExcelWording(None)) == str(plain)  # a finished message is never rewritten


def test_new_arguments_come_after_headers_so_old_calls_keep_their_meaning(engine, cells):
    rets, dates = cells
    numbers_only = engine.call("FM_BETA", rets, "FF5", dates, True, False)
    assert len(numbers_only) == 3 and all(isinstance(v, float) for v in numbers_only[0])
    risk = engine.call("FM_PORT_RISK", WEIGHTS, rets, "FF5", dates, None, "sample", None, True, True, False)
    assert all(len(r) == 1 for r in risk)


# --- issue 13 labels --------------------------------------------------------------------------------------------


def test_data_info_shows_database_and_vintage(engine):
    dev = record(engine.call("FM_DATA_INFO", "FF5-DEV", "D"))
    assert dev["Database"] == "Bloomberg" and dev["Vintage"] == "202101" and "CRSP vintage" not in dev
    us = record(engine.call("FM_DATA_INFO", "FF5", "M"))
    assert us["Database"] == "CRSP" and us["Vintage"] == xf.factor_info("FF5", "M")["vintage"]


def test_model_texts_mention_regional_names(engine, cells):
    for text in (MODEL.doc, SPECS["factors"].doc):
        assert '"FF5-DEV"' in text and '"FF6-EUR"' in text
    rets, dates = cells
    text = message(engine.call("FM_BETA", rets, "FF5-MARS", dates))
    assert "with a region suffix: -DEV (Developed)" in text and "e.g. FF5-DEV, FF6-EUR" in text


def test_arguments_left_out_are_named_not_shown_as_a_python_class(engine, cells):
    """Office.js passes only the arguments typed: a required one left out used to reach the body as
    ``inspect._empty`` ("cell 1 of the range holds <class 'inspect._empty'>")."""
    rets, dates = cells
    assert message(engine.call("FM_BETA", rets)) == (
        "#FM! factors: required; fill in this argument (the function wizard describes it)"
    )
    assert message(engine.call("FM_HEDGE", rets)) == (
        "#FM! instruments: required; fill in this argument (the function wizard describes it)"
    )
    assert message(engine.call("FM_RISK_BACKTEST", [[1 / 3]] * 3, rets, "FF5")) == (
        "#FM! dates: required; give the dates of the rows (the backtest needs the data frequency)"
    )
    assert message(engine.call("FM_SCENARIO", [[1 / 3]] * 3, rets, "FF5", dates)).startswith(
        "#FM! episode: required; give a library episode"
    )
