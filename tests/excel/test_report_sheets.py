"""Build report in xlwings Lite and Server: the report goes into sheets of the open workbook.

Driven through xlwings' own Office.js engine as xlwings Server runs a ribbon script: the
workbook arrives as the Office.js client's JSON payload (``xw.Book(json=...)``), the script
runs through ``xlwings.server.custom_scripts_call``, and the actions it records (the JSON
the client then applies in Excel) are checked: sheets added, values equal to the analysis,
number formats, Excel tables and charts, and no file written.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlwings as xw
from office_js import EPOCH, sheet_payload
from xlwings import server

import xlfactor as xf
from xlfactor.excel import report_sheets, scripts
from xlfactor.report.build import report_analysis
from xlfactor.report.reading import reading

ASSETS = ["NoDur", "BusEq", "Hlth", "Money"]
WEIGHTS = [0.3, 0.3, 0.2, 0.2]


def _serial(date: pd.Timestamp) -> float:
    return float((date - EPOCH) / pd.Timedelta(days=1))


def _address(rows: int, cols: int, first_row: int = 1) -> str:
    return f"A{first_row}:{chr(ord('A') + cols - 1)}{first_row + rows - 1}"


def _table(name: str, address: str, rows: int, cols: int) -> dict:
    return {
        "name": name,
        "range_address": address,
        "row_count": rows - 1,
        "column_count": cols,
        "header_row_range_address": None,
        "data_body_range_address": None,
        "total_row_range_address": None,
        "show_headers": True,
        "show_totals": False,
        "table_style": "TableStyleMedium2",
        "show_autofilter": True,
    }


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2016":"2023", ASSETS]


def office_js_book(returns: pd.DataFrame, extra_sheets: tuple[str, ...] = ()) -> xw.Book:
    """The workbook as the Office.js client sends it: a Returns table (serial dates) and a Weights table."""
    table = [
        ["Date", *returns.columns],
        *[[_serial(d), *row] for d, row in zip(returns.index, returns.to_numpy().tolist(), strict=True)],
    ]
    weights = [["Asset", "Weight"], *map(list, zip(ASSETS, WEIGHTS, strict=True))]
    width = len(table[0])
    values = [row + [None, *(weights[i] if i < len(weights) else [None, None])] for i, row in enumerate(table)]
    weights_address = f"{chr(ord('A') + width + 1)}1:{chr(ord('A') + width + 2)}{len(weights)}"
    tables = [
        _table("Returns", _address(len(table), width), len(table), width),
        _table("Weights", weights_address, len(weights), 2),
    ]
    payload = {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": "Portfolio.xlsx", "active_sheet_index": 0, "selection_address": "A1"},
        "names": [],
        "sheets": [
            sheet_payload("Portfolio", values, tables),
            *[sheet_payload(name, [[None]], []) for name in extra_sheets],
        ],
    }
    return xw.Book(json=payload)


def run_report(book: xw.Book) -> list[dict]:
    """Run the xlfactor_report script as xlwings Server does; return the actions sent back to Excel."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(
            server.custom_scripts_call(scripts, "xlfactor_report", typehint_to_value={xw.Book: book})
        )
    finally:
        loop.close()
    return book.json()["actions"]


def bysheet_payload(actions: list[dict], sheet_names: list[str]) -> dict[str, list[dict]]:
    """The actions grouped by the sheet they act on (positions resolved as the client does)."""
    names = list(sheet_names)
    grouped: dict[str, list[dict]] = {}
    for action in actions:
        if action["func"] == "addSheet":
            names.insert(action["args"][0], action["args"][1])
        elif action["func"] == "sheetDelete":
            names.pop(action["sheet_position"])
        elif action["sheet_position"] is not None:
            grouped.setdefault(names[action["sheet_position"]], []).append(action)
    return grouped


def block_values(actions: list[dict], title: str) -> list[list]:
    """The table written right below the cell holding ``title``."""
    writes = [a for a in actions if a["func"] == "setValues"]
    for i, action in enumerate(writes):
        if action["values"] == [[title]]:
            return writes[i + 1]["values"]
    raise AssertionError(f"no block titled {title!r}")


@pytest.fixture(scope="module")
def report(returns):
    book = office_js_book(returns)
    actions = run_report(book)
    analysis, info = report_analysis(returns, pd.Series(WEIGHTS, index=ASSETS), source="workbook Portfolio.xlsx")
    return actions, bysheet_payload(actions, ["Portfolio"]), analysis, info


def test_report_adds_one_sheet_per_part_and_activates_the_first(report):
    actions, sheets, analysis, info = report
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == list(report_sheets.layout(analysis, info))
    assert added[0] == "xlfactor report" and all(len(name) <= 31 for name in added)
    assert [a for a in actions if a["func"] == "activateSheet"][-1]["args"] == [1]  # right after Portfolio


def test_values_are_the_analysis_numbers(report):
    _, sheets, a, info = report
    risk = sheets["xlfactor risk"]
    table = block_values(risk, "Risk contributions by factor (annualised volatility, Euler)")
    assert table[0] == ["Factor", "Contribution", "Exposure (beta)", "Marginal", "% of risk"]
    body = [[np.nan if v == "" else v for v in r[1:]] for r in table[1:]]  # blanks arrive as "" (xlwings)
    got = pd.DataFrame(body, index=[r[0] for r in table[1:]], columns=table[0][1:], dtype=float)
    expected = a.risk.by_factor
    assert list(got.index) == [*a.factor_names, "Specific"] == list(expected.index)
    np.testing.assert_allclose(got["Contribution"], expected["contribution"], rtol=1e-12)
    np.testing.assert_allclose(got["Exposure (beta)"], expected["exposure"], rtol=1e-12)  # NaN for Specific
    np.testing.assert_allclose(got["% of risk"].sum(), 1.0, rtol=1e-12)
    total = next(x for x in risk if x["func"] == "setValues" and x["values"] == [["Total volatility"]])
    assert total["start_row"] == 4 + len(table)  # the row under the table (0-based rows: the header is row 4)
    pairs = {row[0]: row[1] for row in block_values(sheets["xlfactor report"], "Risk (annualised)")}
    assert pairs["Total volatility"] == pytest.approx(a.risk.total_vol, rel=1e-12)
    assert pairs["Market beta (top-down)"] == pytest.approx(a.exposures.loc["Mkt-RF", "top_down"], rel=1e-12)
    assert [row[0] for row in block_values(sheets["xlfactor report"], "Reading")] == reading(a, info)
    rolling = block_values(sheets["xlfactor rolling betas"], f"Rolling {a.window}-month portfolio betas")
    assert rolling[1][0] == f"{a.rolling.index[0]:%Y-%m-%d}"  # dates go as ISO dates, formatted below
    np.testing.assert_allclose([r[1] for r in rolling[1:]], a.rolling["Mkt-RF"], rtol=1e-12)


def test_number_formats_tables_and_charts(report):
    _, sheets, a, _ = report
    risk = sheets["xlfactor risk"]
    formats = {
        (x["start_row"], x["start_column"], x["row_count"]): x["args"][0]
        for x in risk
        if x["func"] == "setNumberFormat"
    }
    n = len(a.risk.by_factor)
    assert formats[(5, 1, n)] == "0.00%"  # Contribution column of the by-factor table (0-based row 5, column B)
    assert formats[(5, 4, n)] == "0.0%" and formats[(5, 2, n)] == "0.000"
    rolling = sheets["xlfactor rolling betas"]
    assert any(
        x["func"] == "setNumberFormat" and x["args"] == ["yyyy-mm-dd"] and x["start_column"] == 0 for x in rolling
    )
    tables = [x["args"] for s in sheets.values() for x in s if x["func"] == "addTable"]
    assert len({t[3] for t in tables}) == len(tables) and all(t[1] is True for t in tables)
    charts = {x["args"][1] for s in sheets.values() for x in s if x["func"] == "addChart"}
    assert charts == {"BarClustered", "Line"}
    chart = next(x for x in risk if x["func"] == "addChart")
    assert chart["args"][2] == "xlfactor risk" and chart["args"][3] == f"$A$5:$B${5 + n}"


def test_report_writes_no_file_and_replaces_its_sheets(returns, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = ["Portfolio", "xlfactor report", "xlfactor risk"]
    actions = run_report(office_js_book(returns, extra_sheets=tuple(names[1:])))
    assert list(tmp_path.iterdir()) == []
    deleted = [a["sheet_position"] for a in actions if a["func"] == "sheetDelete"]
    assert deleted == [1, 1]  # the old report sheets, before the new ones are added
    sheets = bysheet_payload(actions, names)
    assert "xlfactor risk" in sheets and sum(a["func"] == "addSheet" for a in actions) == 12


def test_bad_workbook_shows_the_users_message_as_an_alert(returns):
    """Through ribbon.dispatch, as in every runtime: an 'xlfactor' alert, nothing written."""
    book = office_js_book(returns)
    book.sheets[0].api["tables"] = book.sheets[0].api["tables"][:1]  # no Weights table
    (alert,) = run_report(book)
    assert alert["func"] == "alert" and alert["args"][1] == "xlfactor"
    assert alert["args"][0].startswith("Weights: no Excel table or named range called 'Weights'")


def test_layout_with_a_benchmark_adds_active_risk(returns):
    a, info = report_analysis(returns, pd.Series(WEIGHTS, index=ASSETS), benchmark="equal")
    blocks = report_sheets.layout(a, info)["xlfactor risk"]
    active = blocks[-1]
    assert active.title.startswith("Active risk") and active.total == (
        "Tracking error",
        {"Contribution": a.active_risk.total_vol, "% of risk": 1.0},
    )
    pairs = dict((label, value) for label, value, _ in report_sheets.layout(a, info)["xlfactor report"][1].pairs)
    assert pairs["Tracking error"] == a.active_risk.total_vol and pairs["Active share"] == a.active_share


def test_historical_scenariossheet_payload(report):
    _, sheets, a, _ = report
    sheet = sheets["xlfactor historical scenarios"]
    table = block_values(
        sheet,
        "Historical episodes replayed on today's factor exposures (P&L, factor parts, specific band, worst period)",
    )
    expected = a.historical_scenarios
    assert len(expected) >= 8  # the model's stored monthly and daily histories cover most of the library
    assert table[0][:6] == ["Episode", "Portfolio P&L", "Start", "End", "Data", "Periods"]
    assert [r[0] for r in table[1:]] == list(expected.index)
    np.testing.assert_allclose([r[1] for r in table[1:]], expected["pnl"], rtol=1e-12)
    assert [r[2] for r in table[1:]] == [f"{d:%Y-%m-%d}" for d in expected["start"]]
    column = table[0].index("Worst period P&L")
    np.testing.assert_allclose([r[column] for r in table[1:]], expected["worst_pnl"], rtol=1e-12)
    formats = {x["start_column"]: x["args"][0] for x in sheet if x["func"] == "setNumberFormat"}
    assert formats[1] == "0.00%" and formats[2] == "yyyy-mm-dd" and 4 not in formats  # P&L, Start; Data is text
    chart = next(x for x in sheet if x["func"] == "addChart")
    assert chart["args"][1:4] == ["BarClustered", "xlfactor historical scenarios", f"$A$5:$B${5 + len(expected)}"]
    about = block_values(sheet, "The episodes")
    assert about[1] == [expected.index[0], a.scenario_results[expected.index[0]].description]


def test_forecast_checksheet_payload(report):
    _, sheets, a, info = report
    sheet = sheets["xlfactor forecast check"]
    b = a.backtest
    pairs = {r[0]: r[1] for r in block_values(sheet, "Bias statistic and VaR breach tests (out of sample)")}
    assert pairs["Forecasts"] == len(b.table) and pairs["Breaches"] == b.breaches
    np.testing.assert_allclose(
        [pairs[k] for k in ("Bias statistic", "95% band, low", "Kupiec p-value", "Christoffersen LR (independence)")],
        [b.bias, b.band[0], b.kupiec_pvalue, b.christoffersen_lr],
        rtol=1e-12,
    )
    table = block_values(sheet, f"Forecasts by {info.period_name}: each from the data before it")
    assert table[0] == ["Date", "Forecast vol", "|Realised|", "Realised", "Realised / forecast", "VaR", "Breach",
                        f"Rolling bias ({b.bias_window})"]  # fmt: skip
    np.testing.assert_allclose([r[1] for r in table[1:]], b.table["forecast_vol"], rtol=1e-12)
    np.testing.assert_allclose([r[2] for r in table[1:]], b.table["realised"].abs(), rtol=1e-12)
    assert [r[6] == "Yes" for r in table[1:]] == list(b.table["breach"])
    chart = next(x for x in sheet if x["func"] == "addChart")
    first = 4 + 1 + len(pairs) + 1 + 1  # title, pairs, a blank row, the table's title (1-based rows)
    assert chart["args"][1] == "Line" and chart["args"][3] == f"$A${first}:$C${first + len(b.table)}"


def test_layout_without_episodes_or_backtest_says_why(returns):
    a, info = report_analysis(returns, pd.Series(WEIGHTS, index=ASSETS))
    bare = dataclasses.replace(a, historical_scenarios=a.historical_scenarios.iloc[:0], backtest=None)
    sheets = report_sheets.layout(bare, info)
    (scenario,) = sheets["xlfactor historical scenarios"]
    (check,) = sheets["xlfactor forecast check"]
    assert scenario.pairs == [(report_sheets.NO_EPISODES, None, None)]
    assert check.pairs[0][0].startswith("Not enough history: the forecast check needs at least 16 months")


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ("weights", None),  # Excel's table names ignore case, and so does the ribbon
        (
            "Weight",
            "Weights: no Excel table or named range called 'Weights' in this workbook; rename the table "
            "'Weight' to 'Weights' (Table Design > Table Name)",
        ),
    ],
)
def test_table_names_ignore_case_and_a_near_miss_is_named(returns, rename, message):
    book = office_js_book(returns)
    book.sheets[0].api["tables"][1]["name"] = rename
    actions = run_report(book)
    if message is None:
        assert not any(a["func"] == "alert" for a in actions)
        return
    (alert,) = actions
    assert alert["func"] == "alert" and alert["args"][0] == message


def test_attribution_and_risk_history_sheets(report):
    """Equal to the analysis (1e-12); the linked contributions add up to the compounded return of the weights."""
    _, sheets, a, info = report
    sheet = sheets["xlfactor attribution"]
    res = a.attribution
    title = "Linked contributions (Carino): they add up to the compounded return"
    table = block_values(sheet, title)
    assert table[0] == ["Component", "Linked", "Sum of periods"]
    assert [r[0] for r in table[1:]] == list(res.linked.index)
    np.testing.assert_allclose([r[1] for r in table[1:]], res.linked, rtol=1e-12, atol=1e-16)
    compounded = np.prod(1 + a.returns[ASSETS] @ pd.Series(WEIGHTS, index=ASSETS)) - 1
    np.testing.assert_allclose(sum(r[1] for r in table[1:]), compounded, rtol=1e-10)
    periods = block_values(sheet, f"Contributions by {info.period_name}")
    np.testing.assert_allclose([r[-1] for r in periods[1:]], res.periods["Total"], rtol=1e-12)
    assert any(x["func"] == "addChart" for x in sheet)
    h = a.risk_history
    history = block_values(sheets["xlfactor risk history"], f"Ex-ante risk by {info.period_name}, each from the data "
                           "before it (annualised)")  # fmt: skip
    assert history[0][:3] == ["Date", "Total vol", f"Realised vol ({h.realised_window})"]
    np.testing.assert_allclose([r[1] for r in history[1:]], h.table["total_vol"], rtol=1e-12)
    chart = next(x for x in sheets["xlfactor risk history"] if x["func"] == "addChart")
    assert chart["args"][1] == "Line" and chart["args"][3] == f"$A$5:$C${5 + len(h.table)}"


def test_in_lite_the_report_file_lands_in_lites_download_area(returns, tmp_path, monkeypatch):
    """xlwings Lite shows what Python writes under /data in its Files > Import/Export pane: the report file
    goes there too (here a temporary folder stands for /data), and an alert says where to download it."""
    assert scripts.lite_files() is None  # not Pyodide: no file, as on xlwings Server
    monkeypatch.setattr(scripts, "lite_files", lambda: tmp_path)
    book = office_js_book(returns)
    actions = run_report(book)
    (written,) = tmp_path.glob("*.xlsx")
    assert written.name == f"{Path(book.name).stem}-xlfactor-report.xlsx"
    assert openpyxl.load_workbook(written).sheetnames[0] == "Summary"
    alert = actions[-1]
    assert alert["func"] == "alert" and "Import/Export" in alert["args"][0] and written.name in alert["args"][0]
    assert sum(a["func"] == "addSheet" for a in actions) >= 8  # the sheets as before
