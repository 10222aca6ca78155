"""Ribbon actions (the parts that need no Excel), the classic add-in files, Lite/Server entry
points and ``xlfactor install`` on a system without Excel.

The ``xw.Book`` shell of each action runs through xlwings' Office.js engine in
tests/excel/test_report_sheets.py and through a live xlwings Server and its browser-side client
in tests/server. Not testable here (no Excel on Linux): the same shell on the classic desktop
(COM), the VBA import and UDF registration in ``xlfactor.excel.install._configure``, and Lite's
Pyodide runtime.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xlfactor as xf
import xlfactor.excel.functions as functions
from xlfactor.cli import main
from xlfactor.errors import XLFactorError
from xlfactor.excel import install, ribbon, scripts

ROOT = Path(__file__).resolve().parents[2]
CLASSIC = install.CLASSIC_DIR
NS = {"ui": "http://schemas.microsoft.com/office/2006/01/customui"}


def _buttons():
    return ET.parse(CLASSIC / "customUI.xml").getroot().findall(".//ui:button", NS)


def test_custom_ui_buttons_have_tags_for_every_action():
    """(That each onAction callback exists in the VBA: tests/excel/test_classic_install.py.)"""
    buttons = _buttons()
    vba = (CLASSIC / "XlfactorRibbon.bas").read_text()
    assert len(buttons) == 5
    assert sorted(b.get("tag") for b in buttons) == sorted(ribbon.ACTIONS)
    assert "r.dispatch('\" & control.Tag & \"')" in vba and "RunPython" in vba
    assert len({b.get("id") for b in buttons}) == len(buttons)


def test_lite_and_server_scripts_cover_every_action():
    expected = {f"xlfactor_{tag}" for tag in ribbon.ACTIONS}
    assert set(scripts.__all__) == expected
    for name in expected:
        assert hasattr(getattr(scripts, name), "__xlscript__"), name
    path = ROOT / "install" / "lite" / "main.py"  # the Server project's entry points: tests/server
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    assert expected <= set(namespace) and "FM_BETA" in namespace, path


def test_lite_and_server_scripts_run_through_dispatch():
    """One code path: the scripts' actions are the ribbon's, except Build report (sheets, not a file).
    (That a script's bad input becomes dispatch's alert: tests/excel/test_report_sheets.py.)"""
    assert set(scripts.ACTIONS) == set(ribbon.ACTIONS)
    assert {t for t in ribbon.ACTIONS if scripts.ACTIONS[t] is not ribbon.ACTIONS[t]} == {"report"}


def test_dispatch_rejects_unknown_tag():
    with pytest.raises(XLFactorError, match="unknown ribbon action 'explode'"):
        ribbon.dispatch("explode")


def test_help_rows_list_every_function_and_argument():
    rows = ribbon.help_rows()
    assert rows[0] == ["Function", "Argument", "Description"]
    names = [r[0] for r in rows[1:] if r[0]]
    assert names == sorted(n for n in dir(functions) if n.startswith("FM_"))
    beta = next(i for i, r in enumerate(rows) if r[0] == "FM_BETA")
    assert rows[beta][2] == functions.FM_BETA.__xlfunc__["ret"]["doc"]
    assert [r[1] for r in rows[beta + 1 : beta + 7]] == [
        "returns", "factors", "dates (optional)", "excess (optional)", "headers (optional)", "units (optional)"
    ]  # fmt: skip


def test_status_rows_come_from_factor_info():
    rows = ribbon.status_rows(("FF3",), ("M",))
    info = xf.factor_info("FF3", "M")
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Model"] == "FF3" and record["Data key"] == info["data_key"]
    assert record["Last date"] == info["last_date"] and record["Rows"] == info["rows"]


def test_portfolio_from_workbook_values():
    r = xf.industry_portfolios().loc["2020-01":"2020-06", ["NoDur", "Hlth"]]
    body = [[d.to_pydatetime(), *row] for d, row in zip(r.index, r.to_numpy().tolist(), strict=True)]
    table = [["Date", "NoDur", "Hlth"], *body]
    table[3][2] = None  # a blank return stays missing
    returns, weights = ribbon.portfolio_from_values(table, [["Asset", "Weight"], ["NoDur", 0.6], ["Hlth", 0.4]])
    assert list(returns.columns) == ["NoDur", "Hlth"] and list(returns.index) == list(r.index)
    assert np.isnan(returns.iloc[2, 1]) and returns.iloc[0, 0] == r.iloc[0, 0]
    pd.testing.assert_series_equal(weights, pd.Series([0.6, 0.4], index=["NoDur", "Hlth"], name="Weights"))
    with pytest.raises(XLFactorError, match="Weights: a weight is blank"):
        ribbon.portfolio_from_values(table, [["NoDur", 0.6], ["Hlth", None]])


def test_portfolio_returns_from_values():
    r = xf.industry_portfolios().loc["2020-01":"2020-06", "NoDur"]
    body = [[d.to_pydatetime(), v] for d, v in zip(r.index, r.tolist(), strict=True)]
    body[2][1] = None  # a missing period is left out
    body[0][0] = f"{r.index[0]:%Y-%m-%d}"  # ISO text works too
    series = ribbon.portfolio_returns_from_values([["Date", "Return"], *body[::-1], [None, None], [None, None]])
    pd.testing.assert_series_equal(
        series, r.drop(r.index[2]).rename("Portfolio"), check_index_type=False, check_names=False
    )
    assert series.name == "Portfolio" and series.index.is_monotonic_increasing
    with pytest.raises(XLFactorError, match="PortfolioReturns: give a header row"):
        ribbon.portfolio_returns_from_values([[d, v, 1.0] for d, v in body])
    with pytest.raises(XLFactorError, match="PortfolioReturns: cell 3 of the range holds 'x'"):
        ribbon.portfolio_returns_from_values([["Date", "Return"], body[0], [body[1][0], "x"]])
    with pytest.raises(XLFactorError, match="fewer than two dates"):
        ribbon.portfolio_returns_from_values([["Date", "Return"], body[0], [body[1][0], None]])


def test_report_path_and_padding(tmp_path):
    assert ribbon.report_path(str(tmp_path / "book.xlsx")) == tmp_path / "book-xlfactor-report.xlsx"
    assert ribbon.report_path("Book1").name == "xlfactor-report.xlsx"  # unsaved workbook
    assert ribbon.padded([["a"], ["b", 1]]) == [["a", None], ["b", 1]]


@pytest.mark.skipif(sys.platform.startswith("win"), reason="on Windows with Excel this would install the add-in")
def test_install_command_explains_and_exits_nonzero_without_excel(capsys):
    assert main(["install"]) == 1
    out = capsys.readouterr().out
    assert "needs Windows with Excel" in out and "nothing was changed" in out
    assert "xlwings addin install --file" in out and "XlfactorRibbon.bas" in out
    assert "myaddin.conf" in out and "UDF Modules = xlfactor.excel.functions" in out and "pythonw.exe" in out
