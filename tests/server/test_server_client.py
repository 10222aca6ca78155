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
from node_client import run_client
from office_js import excel_range, serials

import xlfactor as xf
from xlfactor.excel import server_project

ASSETS = ["NoDur", "Durbl", "Manuf"]
TOL = {"rtol": 1e-12, "atol": 1e-15}
# Build report first (the workbook is still untouched); refresh last (it changes the server's data).
ORDER = ["xlfactor-report", "xlfactor-help", "xlfactor-status", "xlfactor-recalculate", "xlfactor-refresh"]


@pytest.fixture(scope="module")
def returns():
    return xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]


def workbook(returns: pd.DataFrame) -> dict:
    """Sheet1: a ``Returns`` table (dates formatted as dates, as Excel holds them) and a ``Weights`` table."""
    serial = [day for (day,) in serials(returns.index, header=None)]
    rows = [["Date", *ASSETS, None, "Asset", "Weight"]]
    weights = [["NoDur", 0.5], ["Durbl", 0.2], ["Manuf", 0.3]]
    for i, (day, values) in enumerate(zip(serial, returns.to_numpy(), strict=True)):
        rows.append([float(day), *map(float, values), None, *(weights[i] if i < len(weights) else [None, None])])
    last = len(returns) + 1
    return {
        "name": "Portfolio.xlsx",
        "sheets": [
            {
                "name": "Sheet1",
                "values": rows,
                "column_formats": {"0": "yyyy-mm-dd"},
                "tables": [{"name": "Returns", "address": f"A1:D{last}"}, {"name": "Weights", "address": "F1:G4"}],
            }
        ],
    }


@pytest.fixture(scope="module")
def client_run(server, returns, tmp_path_factory):
    values, dates = excel_range(returns), serials(returns.index)
    plan = {
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


def test_report_writes_into_the_workbook(client_run):
    after = client_run["ribbon"]["xlfactor-report"]["workbook"]
    new = [s for s in after["sheets"] if s["name"] != "Sheet1" and s["values"]]
    assert new, "Build report changed no sheet"


def test_recalculate_asks_excel_for_a_full_calculation(client_run):
    before = client_run["ribbon"]["xlfactor-status"]["workbook"]["calculations"]
    assert client_run["ribbon"]["xlfactor-recalculate"]["workbook"]["calculations"] == [*before, "Full"]


def test_refresh_downloads_from_the_configured_server_and_recalculates(client_run, french):
    run = client_run["ribbon"]["xlfactor-refresh"]
    assert french.bodies_sent() > 0  # the server's refresh downloaded from the local French server
    text = "\n".join(str(c) for row in sheet(run["workbook"], "xlfactor status") for c in row if c)
    assert "updated" in text and "failed" not in text
    assert run["workbook"]["calculations"][-1] == "Full"


def test_task_pane_buttons_run_every_script(client_run):
    """The served taskpane.html's xw-click buttons, wired by the client's init(), post each script."""
    for script, *_ in server_project.BUTTONS:
        run = client_run["taskpane"][script]
        (request,) = run["requests"]
        assert request["url"].endswith(f"/xlwings/custom-scripts-call/{script}") and request["status"] == 200
        assert request["body"]["client"] == "Office.js"
    assert {"xlfactor help", "xlfactor status"} <= {s["name"] for s in run["workbook"]["sheets"]}
