"""`xlfactor server init` and what the live xlwings Server serves from the project.

Manifest, custom-functions metadata and code, and custom-functions-call for FM_BETA and
FM_PORT_RISK with the JSON Excel's Office.js client posts; results equal the Python API.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import xlwings as xw
from live_server import REPO
from office_js import excel_range, serials

import xlfactor as xf
import xlfactor.excel.functions as functions
from xlfactor.errors import XLFactorError
from xlfactor.excel import server_project
from xlfactor.excel.scripts import __all__ as SCRIPTS

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
FM_FUNCTIONS = sorted(name for name, f in inspect.getmembers(functions) if hasattr(f, "__xlfunc__"))
TOL = {"rtol": 1e-12, "atol": 1e-15}
ASSETS = ["NoDur", "Durbl", "Manuf"]


def payload(func_name: str, *args) -> dict:
    """The body xlwings Server's custom-functions-code.js posts for one formula (its ``base()``):
    every argument as a 2-D matrix, omitted optional arguments as null."""
    matrices = [a if a is None or isinstance(a, list) else [[a]] for a in args]
    return {
        "client": "Office.js",
        "func_name": func_name,
        "args": matrices,
        "caller_address": "[Book1.xlsx]Sheet1!$H$2",
        "session_id": "0123456789abcdef",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": xw.__version__,
        "runtime": "1.4",
    }


@pytest.fixture(scope="module")
def sample():
    r = xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS].copy()
    r.iloc[5, 1] = np.nan  # a blank cell: a missing value
    aligned = xf.align(r, xf.load_factors("FF3", "M"))
    fit = xf.regress(aligned.returns, aligned.factors, rf=aligned.factors["RF"], periods_per_year=12)
    return r, fit, aligned


# ------------------------------------------------------------------ the project files
def test_init_wires_xlfactor_into_the_project(project):
    assert not (project / "custom_functions" / "functions.py").exists()  # the hello sample is gone
    assert not (project / "custom_scripts" / "scripts.py").exists()
    assert "from xlfactor.excel.server_functions import *" in (project / "custom_functions" / "__init__.py").read_text()
    assert "from xlfactor.excel.scripts import *" in (project / "custom_scripts" / "__init__.py").read_text()
    ribbon = (project / "static" / "js" / "ribbon.js").read_text()
    for script, action, _, _ in server_project.BUTTONS:
        assert f'Office.actions.associate("{action}", xlfactorCommand("{script}"));' in ribbon
    assert "xlwings.runPython({" in ribbon and "xlwings.runPython(`" not in ribbon
    assert 'functions_namespace = "XLFACTOR"' in (project / "pyproject.toml").read_text()
    assert sorted(s for s, *_ in server_project.BUTTONS) == sorted(SCRIPTS)  # one button per ribbon script


def test_functions_entry_point_serves_the_server_functions(project):
    """The project's custom_functions module is xlfactor.excel.server_functions: every FM_ function, async."""
    code = (
        "import inspect, runpy, sys; ns = runpy.run_path(sys.argv[1]);"
        "fm = [f for n, f in ns.items() if n.startswith('FM_')];"
        "assert len(fm) == int(sys.argv[2]) and all(inspect.iscoroutinefunction(f) for f in fm); print('ok')"
    )
    init = project / "custom_functions" / "__init__.py"
    done = subprocess.run(
        [sys.executable, "-c", code, str(init), str(len(FM_FUNCTIONS))], capture_output=True, text=True, cwd=REPO
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_xlwings_checks_each_cell_through_the_name_that_skip_pyodide_checks_replaces(monkeypatch):
    """xlwings' Office.js engine looks up ``_xlofficejs._is_jsnull`` for every input cell, and outside
    Pyodide its answer is False: so replacing that one name by a constant False (what
    server_functions does on import) changes no result. If xlwings stops calling it per cell, or
    answers otherwise, this fails and the replacement must be revisited."""
    from xlwings import server, utils
    from xlwings.pro import _xlofficejs

    from xlfactor.excel import server_functions

    assert _xlofficejs._is_jsnull is server_functions._pyodide_absent
    assert not any(utils.is_jsnull(v) for v in (None, "", 0.0, "x", True, [[1.0]], {"type": "Error"}))
    seen = []
    monkeypatch.setattr(_xlofficejs, "_is_jsnull", lambda value: seen.append(value) or False)
    rows = [["Date", "A", "B", "C"], *[[40000.0 + i, 0.01 * i, -0.02 * i, 0.5] for i in range(6)]]
    result = asyncio.run(server.custom_functions_call(payload("FM_ZSCORE", rows), functions))
    assert result[0][:2] == ["Row", "Date"] and len(result) == 7
    assert len(seen) >= 4 * 7  # every cell of the range
    assert [v for v in seen if isinstance(v, float)][:4] == [40000.0, 0.0, -0.0, 0.5]


def test_xlwings_checks_each_argument_through_the_js_to_none_that_skip_pyodide_checks_replaces(monkeypatch):
    """The same for ``udfs_officejs.js_to_none``, asked once per argument: outside Pyodide it returns
    its argument, so the replacement (the argument as is) changes no result; if xlwings stops calling
    it through that name, or answers otherwise, this fails."""
    from xlwings import server
    from xlwings.pro import udfs_officejs

    from xlfactor.excel import server_functions

    assert udfs_officejs.js_to_none is server_functions._as_is
    assert udfs_officejs.to_scalar.__globals__ is vars(udfs_officejs)  # to_scalar looks the name up there
    assert importlib.util.find_spec("pyodide") is None  # so xlwings' own js_to_none returns its argument
    marker = object()
    for value in (None, "", 0.0, "x", [[1.0]], marker):
        assert server_functions._as_is(value) is value
    seen = []
    monkeypatch.setattr(udfs_officejs, "js_to_none", lambda value: seen.append(value) or value)
    rows = [["Date", "A", "B", "C"], *[[40000.0 + i, 0.01 * i, -0.02 * i, 0.5] for i in range(6)]]
    result = asyncio.run(server.custom_functions_call(payload("FM_ZSCORE", rows, None, None, None, None), functions))
    assert result[0][:2] == ["Row", "Date"] and len(result) == 7
    assert len(seen) == 5 and seen[0] == rows  # once per argument, the argument itself


def test_init_refuses_an_existing_project(project):
    done = subprocess.run(
        [sys.executable, "-m", "xlfactor", "server", "init", str(project)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 2
    assert "already holds an xlwings Server project" in done.stderr and "Traceback" not in done.stderr


def test_bad_namespace_is_refused_before_anything_is_created(tmp_path):
    with pytest.raises(XLFactorError, match="--namespace: 'XL-FACTOR' is not a name Excel accepts"):
        server_project.init_project(tmp_path / "p", namespace="XL-FACTOR")
    assert not (tmp_path / "p").exists()


def test_unknown_manifest_template_fails_loudly():
    with pytest.raises(XLFactorError, match="xlwings-server version is not supported"):
        server_project.wire_manifest("<OfficeApp><VersionOverrides/></OfficeApp>")


def test_unknown_env_template_fails_loudly():
    with pytest.raises(XLFactorError, match="expected one XLWINGS_AUTH_PROVIDERS line"):
        server_project.configure_env("XLWINGS_CORS_ALLOW_ORIGINS=[]\n")


def test_init_turns_sign_in_on_with_the_custom_provider(project):
    assert "from xlfactor.excel.server_auth import validate_token" in (project / "auth/custom/__init__.py").read_text()
    scripts = (project / "custom_scripts" / "__init__.py").read_text()
    assert "from xlfactor.excel.server_scripts import xlfactor_refresh" in scripts
    assert "globalThis.getAuth" in (project / "static/js/auth.js").read_text()


def test_init_wires_the_request_bounds_through_the_lifespan_hook(project):
    """``lifespan.py`` (made by ``xlwings-server add lifespan``) re-exports the hook that sets the body limit and
    signs calls in before their body is read; the live tests (test_server_bounds, test_server_security) check
    what it does."""
    assert "from xlfactor.excel.server_lifespan import lifespan" in (project / "lifespan.py").read_text()


def test_token_names_and_files_are_checked(tmp_path):
    from xlfactor.excel import server_tokens

    path = tmp_path / "tokens.json"
    with pytest.raises(XLFactorError, match="NAME: 'a b' is not a token name"):
        server_tokens.create("a b", path=path)
    token = server_tokens.create("ann", path=path)
    assert server_tokens.TokenStore(path).user(f"Bearer {token}") == server_tokens.TokenUser("ann", False)
    assert server_tokens.TokenStore(path).user(token[:-1]) is None
    path.write_text("{not json")
    with pytest.raises(XLFactorError, match="XLFACTOR_TOKENS_FILE: cannot read the token file"):
        server_tokens.listing(path)


def test_token_cli_refuses_an_unknown_name_with_a_message(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "xlfactor", "server", "token", "revoke", "nobody", "--project", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "NAME: no token called 'nobody'; `xlfactor server token list` shows the names" in done.stderr


def test_missing_xlwings_server_is_explained(monkeypatch, tmp_path):
    monkeypatch.setattr(server_project.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(XLFactorError, match="pip install xlwings-server"):
        server_project.xlwings_server_command()


# ------------------------------------------------------------------ served by the live server
def test_manifest_is_valid_xml_with_the_xlfactor_ribbon(server):
    status, _, text = server.get("/manifest.xml")
    assert status == 200
    root = ET.fromstring(text.encode())
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iterfind(".//bt:String", NS)}
    assert strings["Functions.Namespace"] == "XLFACTOR_DEV"  # the project's .env says XLWINGS_ENVIRONMENT="dev"
    tab = root.find(".//ov:CustomTab", NS)
    assert tab.get("id") == "xlfactor.Tab"
    buttons = {}
    for control in tab.iterfind(".//ov:Control", NS):
        action = control.find("ov:Action", NS)
        label = strings[control.find("ov:Label", NS).get("resid")]
        if action.get(XSI_TYPE) == "ExecuteFunction":
            buttons[action.find("ov:FunctionName", NS).text] = label
            assert strings[control.find("ov:Supertip/ov:Description", NS).get("resid")]  # every tooltip resolves
    assert buttons == {a: label for _, a, label, _ in server_project.BUTTONS}
    assert root.find(".//ov:FunctionFile", NS).get("resid") == "Taskpane.Url"
    urls = {u.get("id"): u.get("DefaultValue") for u in root.iterfind(".//bt:Url", NS)}
    assert urls["Functions.Metadata.Url"] == f"{server.url}/xlwings/custom-functions-meta.json"


def test_ribbon_js_and_taskpane_are_the_projects(server):
    status, content_type, ribbon = server.get("/static/js/ribbon.js")
    assert status == 200 and "javascript" in content_type
    assert ribbon == server_project.ribbon_js()
    status, _, taskpane = server.get("/taskpane.html")
    assert status == 200
    for script, *_ in server_project.BUTTONS:
        assert f'xw-click="{script}"' in taskpane


def test_custom_functions_meta_lists_every_fm_function(server):
    status, _, text = server.get("/xlwings/custom-functions-meta.json")
    assert status == 200
    import json

    served = json.loads(text)["functions"]
    assert sorted(f["name"] for f in served) == FM_FUNCTIONS
    assert served == xw.server.custom_functions_meta(functions)["functions"]  # exactly what the engine describes
    for func in served:
        assert 20 < len(func["description"]) <= 255, func["name"]
        for param in func["parameters"]:
            assert param["description"] and not param["description"].startswith("Positional"), (func["name"], param)


def test_custom_functions_code_registers_every_function(server, tmp_path):
    status, content_type, js = server.get("/xlwings/custom-functions-code.js")
    assert status == 200 and "javascript" in content_type
    for name in FM_FUNCTIONS:
        assert f'CustomFunctions.associate("{name}", {name});' in js
    assert "/xlwings/custom-functions-call" in js
    path = tmp_path / "custom-functions-code.js"
    path.write_text(js)
    node = shutil.which("node")
    assert node, "node is needed (.ci/run installs it)"
    check = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr  # valid JavaScript


def test_fm_beta_call_equals_the_python_api(server, sample):
    returns, fit, _ = sample
    values, dates = excel_range(returns), serials(returns.index)
    status, body = server.post("/xlwings/custom-functions-call", payload("FM_BETA", values, "FF3", dates, None, None))
    assert status == 200, body
    result = body["result"]
    assert result[0][1:] == list(fit.betas.columns) and [row[0] for row in result[1:]] == ASSETS
    np.testing.assert_allclose(np.array([row[1:] for row in result[1:]], float), fit.betas.to_numpy(), **TOL)


def test_fm_port_risk_call_equals_the_python_api(server, sample):
    returns, fit, aligned = sample
    values, dates = excel_range(returns), serials(returns.index)
    weights = [[0.5], [0.2], [0.3]]
    status, body = server.post(
        "/xlwings/custom-functions-call", payload("FM_PORT_RISK", weights, values, "FF3", dates, *[None] * 6)
    )
    assert status == 200, body
    model = xf.FactorRiskModel.from_regression(fit, aligned.factors)
    risk = model.portfolio_risk(pd.Series([0.5, 0.2, 0.3], index=ASSETS))
    expected = [risk.total_vol, risk.factor_vol, risk.specific_vol, risk.factor_share]
    expected += [risk.total_var, risk.factor_var, risk.specific_var, *risk.exposures.to_numpy()]
    got = [row[1] for row in body["result"] if isinstance(row[1], float)]
    assert len(got) == len(expected)  # one number per figure, labels aside
    for value in expected:
        assert np.isclose(got, value, **TOL).sum() >= 1, value


def test_bad_input_comes_back_as_a_message_not_an_error_status(server):
    status, body = server.post("/xlwings/custom-functions-call", payload("FM_BETA", [[0.01], [0.02]], "NOPE", None))
    assert status == 200
    assert str(body["result"][0][0]).startswith("#FM!") and "NOPE" in str(body["result"])
