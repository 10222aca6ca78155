"""xlwings Server's own browser-side client, run in Node against the live server.

``run_client.mjs`` loads xlwings Server's ``static/js`` modules (``xlwings.runPython``), the
project's ``static/js/ribbon.js`` and the generated custom-functions code as served, with
only Office's globals stubbed (``office_stub.mjs``: an in-memory workbook). So the requests
checked here are the ones the real add-in makes, and the workbook changes are the ones its
action handlers apply; the task pane's buttons are clicked the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xlwings as xw
from injection_names import INJECTION_NAMES
from node_client import run_client
from office_js import excel_range, serials
from openpyxl.utils import get_column_letter, range_boundaries

import xlfactor as xf
from xlfactor.excel import report_sheets, server_project
from xlfactor.report.build import report_analysis
from xlfactor.report.sheets import summary

ASSETS = ["NoDur", "Durbl", "Manuf"]
WEIGHTS = {"NoDur": 0.5, "Durbl": 0.2, "Manuf": 0.3}
TOL = {"rtol": 1e-12, "atol": 1e-15}
# Build report first (the workbook is still untouched); refresh last (it changes the server's data).
ORDER = ["xlfactor-report", "xlfactor-help", "xlfactor-status", "xlfactor-recalculate", "xlfactor-refresh"]


@pytest.fixture(scope="module")
def returns():
    return xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]


def workbook(returns: pd.DataFrame, weights: dict[str, float] = WEIGHTS) -> dict:
    """Sheet1: a ``Returns`` table (dates formatted as dates, as Excel holds them) and a ``Weights`` table."""
    serial = [day for (day,) in serials(returns.index, header=None)]
    n = len(returns.columns)
    rows = [["Date", *returns.columns, None, "Asset", "Weight"]]
    pairs = [[asset, weight] for asset, weight in weights.items()]
    for i, (day, values) in enumerate(zip(serial, returns.to_numpy(), strict=True)):
        rows.append([float(day), *map(float, values), None, *(pairs[i] if i < len(pairs) else [None, None])])
    last = len(returns) + 1
    weights_at = get_column_letter(n + 3)
    return {
        "name": "Portfolio.xlsx",
        "sheets": [
            {
                "name": "Sheet1",
                "values": rows,
                "column_formats": {"0": "yyyy-mm-dd"},
                "tables": [
                    {"name": "Returns", "address": f"A1:{get_column_letter(n + 1)}{last}"},
                    {"name": "Weights", "address": f"{weights_at}1:{get_column_letter(n + 4)}{len(pairs) + 1}"},
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def client_run(server, tokens, returns, tmp_path_factory):
    """Signed in as an admin (Refresh data needs the role)."""
    values, dates = excel_range(returns), serials(returns.index)
    plan = {
        "token": tokens["admin"],
        "workbook": workbook(returns),
        "functions": [{"name": "FM_BETA", "args": [values, [["FF3"]], dates, None, None]}],
        "ribbon": ORDER,
        "taskpane": [s for s, *_ in server_project.BUTTONS],
    }
    return run_client(server.url, tmp_path_factory.mktemp("node"), plan)


def sheet(snapshot: dict, name: str) -> list[list]:
    return next(s["values"] for s in snapshot["sheets"] if s["name"] == name)


def test_ribbon_js_associates_every_button(client_run):
    assert sorted(client_run["associated"]) == sorted(a for _, a, _, _ in server_project.BUTTONS)


def test_custom_function_through_the_client_equals_the_python_api(client_run, returns):
    call = client_run["functions"][0]
    (request,) = call["requests"]
    assert request["method"] == "POST" and request["url"].endswith("/xlwings/custom-functions-call")
    body = request["body"]
    assert body["client"] == "Office.js" and body["func_name"] == "FM_BETA" and body["version"] == xw.__version__
    assert request["status"] == 200
    aligned = xf.align(returns, xf.load_factors("FF3", "M"))
    fit = xf.regress(aligned.returns, aligned.factors, rf=aligned.factors["RF"], periods_per_year=12)
    result = call["value"]
    assert result[0][1:] == list(fit.betas.columns)
    np.testing.assert_allclose(np.array([r[1:] for r in result[1:]], float), fit.betas.to_numpy(), **TOL)


@pytest.mark.parametrize("action", ORDER)
def test_each_button_posts_its_script_as_the_real_client(client_run, action):
    run = client_run["ribbon"][action]
    script = next(s for s, a, _, _ in server_project.BUTTONS if a == action)
    assert run["completed"]  # event.completed() was called, so Excel releases the button
    assert run["dialogs"] == []  # runPython shows errors in a dialog: none
    (request,) = run["requests"]
    assert request["method"] == "POST" and request["url"].endswith(f"/xlwings/custom-scripts-call/{script}")
    assert request["status"] == 200
    body = request["body"]
    assert body["client"] == "Office.js" and body["version"] == xw.__version__
    assert body["book"]["name"] == "Portfolio.xlsx"
    assert [t["name"] for t in body["sheets"][0]["tables"]] == ["Returns", "Weights"]
    assert body["sheets"][0]["values"][1][0] == "2014-01-31T00:00:00.000Z"  # dates sent as ISO text, like Excel


def test_help_and_status_sheets_are_written(client_run):
    after = client_run["ribbon"]["xlfactor-help"]["workbook"]
    help_rows = sheet(after, "xlfactor help")
    assert help_rows[0][:2] == ["Function", "Argument"]
    assert {"FM_BETA", "FM_PORT_RISK"} <= {row[0] for row in help_rows}
    status = sheet(client_run["ribbon"]["xlfactor-status"]["workbook"], "xlfactor status")
    assert status[0][0] == "Model" and {row[0] for row in status[1:]} >= {"CAPM", "FF3", "FF5"}


@pytest.fixture(scope="module")
def analysis(returns):
    """What Build report shows, computed here in Python from the same workbook data."""
    return report_analysis(returns, pd.Series(WEIGHTS), source="workbook Portfolio.xlsx")


def block_cells(sheet: dict, address: str) -> tuple[list[list], list[list], tuple[int, int]]:
    """Values and number formats of ``address`` (``Sheet!A5:E11``) in a snapshot sheet, and its 0-based top-left."""
    left, top, right, bottom = range_boundaries(address.split("!")[-1])
    rows = slice(top - 1, bottom)
    values = [row[left - 1 : right] for row in sheet["values"][rows]]
    formats = [row[left - 1 : right] for row in sheet["number_formats"][rows]]
    return values, formats, (top - 1, left - 1)


def numbers(cells: list) -> np.ndarray:
    return np.array([np.nan if c == "" else c for c in cells], dtype=float)


def as_text(value) -> str:
    return f"{value:%Y-%m-%d}" if isinstance(value, pd.Timestamp) else str(value)


def test_report_sheets_hold_every_table_with_its_formats_and_charts(client_run, analysis):
    """Every block of the report layout is in its sheet as the client applied it: an Excel table at the
    block's place with the layout's header, values (numbers to 1e-12), number formats and chart."""
    after = client_run["ribbon"]["xlfactor-report"]["workbook"]
    layout = report_sheets.layout(*analysis)
    assert [s["name"] for s in after["sheets"]] == ["Sheet1", *layout]
    assert after["active_sheet"] == "xlfactor report"
    sheets = {s["name"]: s for s in after["sheets"]}
    for number, (name, blocks) in enumerate(layout.items()):
        sheet = sheets[name]
        tables = {t["name"]: t for t in sheet["tables"]}
        charts = {c["name"]: c for c in sheet["charts"]}
        framed = {f"xlf_{number}_{i}": block for i, block in enumerate(blocks) if block.frame is not None}
        assert sorted(tables) == sorted(framed)
        assert sorted(charts) == sorted(f"{t}_chart" for t, block in framed.items() if block.chart)
        for table_name, block in framed.items():
            table = tables[table_name]
            values, formats, (top, left) = block_cells(sheet, table["address"])
            frame = block.frame
            assert sheet["values"][top - 1][left] == block.title
            assert table["style"] == report_sheets.TABLE_STYLE
            assert table["columns"] == values[0] == [block.index_label, *map(str, frame.columns)]
            assert len(values) == len(frame) + 1
            assert [row[0] for row in values[1:]] == [as_text(i) for i in frame.index]
            assert {row[0] for row in formats[1:]} == {block.index_format or "General"}
            for j, column in enumerate(frame.columns, start=1):
                got = [row[j] for row in values[1:]]
                if pd.api.types.is_numeric_dtype(frame[column]):
                    np.testing.assert_allclose(numbers(got), frame[column].to_numpy(float), **TOL)
                else:
                    assert got == [as_text(v) for v in frame[column]]
                assert {row[j] for row in formats[1:]} == {(block.formats or {}).get(str(column), "General")}
            if block.chart:
                kind, n = block.chart
                chart = charts[f"{table_name}_chart"]
                assert chart["chartType"] == {"bar_clustered": "BarClustered", "line": "Line"}[kind]
                last = top + len(values)
                assert chart["source"] == f"{name}!A{top + 1}:{get_column_letter(1 + n)}{last}"


def test_report_key_numbers_equal_the_python_analysis(client_run, analysis, returns):
    """The headline numbers in the workbook equal report_analysis in Python (1e-12), and the
    top-down betas equal a plain least-squares fit of the portfolio's excess returns."""
    a, info = analysis
    sheets = {s["name"]: s for s in client_run["ribbon"]["xlfactor-report"]["workbook"]["sheets"]}

    def table(sheet: str, title: str) -> pd.DataFrame:
        rows = sheets[sheet]["values"]
        top = next(r for r, row in enumerate(rows) if row[0] == title) + 1
        bottom = next((r for r in range(top, len(rows)) if rows[r][0] == ""), len(rows))
        header = rows[top]
        body = [[np.nan if c == "" else c for c in row] for row in rows[top + 1 : bottom]]
        return pd.DataFrame([r[1 : len(header)] for r in body], index=[r[0] for r in body], columns=header[1:])

    by_factor = table("xlfactor risk", "Risk contributions by factor (annualised volatility, Euler)")
    total = by_factor.loc["Total volatility"]
    by_factor = by_factor.drop("Total volatility")
    assert list(by_factor.index) == [*a.factor_names, "Specific"]
    for label, column in [("Contribution", "contribution"), ("Marginal", "marginal"), ("% of risk", "percent")]:
        np.testing.assert_allclose(by_factor[label].astype(float), a.risk.by_factor[column], **TOL)
    np.testing.assert_allclose(total["Contribution"], a.risk.total_vol, **TOL)
    np.testing.assert_allclose(by_factor["Contribution"].sum(), a.risk.total_vol, rtol=1e-12)  # Euler: adds up

    exposures = table("xlfactor exposures", "Factor exposures (betas): top-down vs bottom-up")
    np.testing.assert_allclose(exposures["Top-down beta"].astype(float), a.exposures["top_down"], **TOL)
    np.testing.assert_allclose(exposures["Bottom-up beta"].astype(float), a.exposures["bottom_up"], **TOL)
    factors = xf.load_factors("FF5", "M").loc[returns.index]
    portfolio = returns @ pd.Series(WEIGHTS)[returns.columns]
    design = np.column_stack([np.ones(len(returns)), factors[a.factor_names].to_numpy()])
    coef, *_ = np.linalg.lstsq(design, (portfolio - factors["RF"]).to_numpy(), rcond=None)
    np.testing.assert_allclose(exposures["Top-down beta"].astype(float), coef[1:], rtol=1e-9)

    covariance = table("xlfactor covariance", "Factor covariance (annualised)")
    np.testing.assert_allclose(covariance.astype(float), a.factor_cov.loc[covariance.index, covariance.columns], **TOL)
    var = table("xlfactor stress", f"Value at risk and expected shortfall (normal, one {info.period_name})")
    np.testing.assert_allclose(var[["VaR", "Expected shortfall"]].astype(float), a.var_es[["var", "es"]], **TOL)
    rolling = table("xlfactor rolling betas", f"Rolling {a.window}-{info.period_name} portfolio betas")
    np.testing.assert_allclose(rolling["Mkt-RF"].astype(float), a.rolling["Mkt-RF"], **TOL)

    rows = sheets["xlfactor report"]["values"]
    top = next(r for r, row in enumerate(rows) if row[0] == "Risk (annualised)") + 1
    expected = summary.risk_figures(a, info)
    got = rows[top : top + len(expected)]
    assert [row[0] for row in got] == [label for label, _, _ in expected]
    np.testing.assert_allclose([row[1] for row in got], [value for _, value, _ in expected], **TOL)
    assert [f[1] for f in sheets["xlfactor report"]["number_formats"][top : top + len(expected)]] == [
        fmt for _, _, fmt in expected
    ]


def test_bad_input_reaches_the_user_as_the_xlfactor_alert(server, returns, tmp_path_factory):
    """A workbook without a Weights table: the script's message comes back as ribbon.dispatch's alert
    (title "xlfactor", as in every runtime), shown by the client's dialog; nothing is written."""
    book = workbook(returns)
    book["sheets"][0]["tables"] = book["sheets"][0]["tables"][:1]
    plan = {"workbook": book, "ribbon": ["xlfactor-report"], "token": server.token}
    run = run_client(server.url, tmp_path_factory.mktemp("node-bad"), plan)["ribbon"]["xlfactor-report"]
    assert run["completed"] and run["requests"][0]["status"] == 200
    (dialog,) = run["dialogs"]
    assert dialog["title"] == "xlfactor"
    assert dialog["prompt"].startswith("Weights: no Excel table or named range called 'Weights' in this workbook")
    assert [s["name"] for s in run["workbook"]["sheets"]] == ["Sheet1"]


def test_recalculate_asks_excel_for_a_full_calculation(client_run):
    before = client_run["ribbon"]["xlfactor-status"]["workbook"]["calculations"]
    assert client_run["ribbon"]["xlfactor-recalculate"]["workbook"]["calculations"] == [*before, "Full"]


def test_refresh_downloads_from_the_configured_server_and_recalculates(client_run, french):
    run = client_run["ribbon"]["xlfactor-refresh"]
    assert french.bodies_sent() > 0  # the server's refresh downloaded from the local French server
    text = "\n".join(str(c) for row in sheet(run["workbook"], "xlfactor status") for c in row if c)
    assert "updated" in text and "failed" not in text
    assert run["workbook"]["calculations"][-1] == "Full"


def test_task_pane_buttons_run_every_script(client_run, analysis):
    """The served taskpane.html's xw-click buttons, wired by the client's init(), post each script."""
    for script, *_ in server_project.BUTTONS:
        run = client_run["taskpane"][script]
        (request,) = run["requests"]
        assert request["url"].endswith(f"/xlwings/custom-scripts-call/{script}") and request["status"] == 200
        assert request["body"]["client"] == "Office.js"
    names = [s["name"] for s in run["workbook"]["sheets"]]
    assert {"xlfactor help", "xlfactor status"} <= set(names)
    # Build report ran a second time: its sheets were deleted and written again, once each, with the same tables
    again = [(s["name"], s["tables"]) for s in client_run["taskpane"]["xlfactor_report"]["workbook"]["sheets"]]
    first = {s["name"]: s["tables"] for s in client_run["ribbon"]["xlfactor-report"]["workbook"]["sheets"]}
    for name in report_sheets.layout(*analysis):
        assert [tables for n, tables in again if n == name] == [first[name]]


def test_the_report_and_every_sheet_write_no_formula(server, tmp_path_factory):
    """Asset names Excel would enter as formulas (``=HYPERLINK(...)``, ``=cmd|...``, ``@SUM(1+9)``,
    ``+1+1``, ``-2+3``, a leading tab, a full-width equals sign) are written by Build report as
    text: in cells formatted as Text before the value arrives, so the client's writes enter no
    formula (office_stub records what Excel would enter as one); the names read back unchanged."""
    returns = xf.industry_portfolios().loc["2014-01":"2023-12"].iloc[:, : len(INJECTION_NAMES)]
    returns.columns = INJECTION_NAMES
    weights = dict.fromkeys(INJECTION_NAMES, 1 / len(INJECTION_NAMES))
    ribbon = ["xlfactor-report", "xlfactor-help", "xlfactor-status"]
    plan = {"workbook": workbook(returns, weights), "ribbon": ribbon, "token": server.token}
    runs = run_client(server.url, tmp_path_factory.mktemp("node-injection"), plan)["ribbon"]
    assert all(run["dialogs"] == [] and run["requests"][0]["status"] == 200 for run in runs.values())
    after = runs["xlfactor-status"]["workbook"]
    written = [s for s in after["sheets"] if s["name"] != "Sheet1"]
    assert len(written) == len(report_sheets.layout(*report_analysis(returns, pd.Series(weights)))) + 2
    assert {s["name"]: s["formulas"] for s in written} == {s["name"]: [] for s in written}
    regressions = sheet(after, "xlfactor regressions")
    top = next(r for r, row in enumerate(regressions) if row[0] == "Asset")
    names = [name.strip() for name in INJECTION_NAMES]
    assert [row[0] for row in regressions[top + 1 : top + 1 + len(names)]] == names
    formats = next(s for s in written if s["name"] == "xlfactor regressions")["number_formats"]
    assert {row[0] for row in formats[top + 1 : top + 1 + len(names)]} == {"@"}
