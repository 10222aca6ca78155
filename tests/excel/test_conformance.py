"""One rule, every path: each input rule refuses the same input the same way through the Python API,
FM_BETA / FM_PORT_RISK on a factor range and on a model name, the CLI report and the Lite/Server
Build report script, each worded for its front end (issue: a -150% return was refused through one
path and accepted through another).

Every case puts one bad value (or a bad column) into the same three industry portfolios. The
expected core of the message, the part every front end shares, is stated once per rule; each path
adds its own place (a date in Python and the CLI, the cell in Excel) and its own advice.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pandas as pd
import pytest
import xlwings as xw
from office_js import excel_range, serials
from test_report_sheets import office_js_book
from xlwings import server

import xlfactor as xf
from xlfactor.cli import main
from xlfactor.errors import XLFactorError
from xlfactor.excel import scripts
from xlfactor.models.regression import check_factor_frame

ASSETS = ["NoDur", "BusEq", "Hlth", "Money"]  # the report script's workbook carries these four
WEIGHTS = [0.3, 0.3, 0.2, 0.2]
ROW, COL = 7, 2  # the bad cell: 8th date, third asset (Hlth)


def _floor(r: pd.DataFrame) -> pd.DataFrame:
    r = r.copy()
    r.iloc[ROW, COL] = -1.5
    return r


def _huge(r: pd.DataFrame) -> pd.DataFrame:
    r = r.copy()
    r.iloc[ROW, COL] = 1e308
    return r


def _percent(r: pd.DataFrame) -> pd.DataFrame:
    return r.assign(Hlth=r["Hlth"] * 100)


def _constant(r: pd.DataFrame) -> pd.DataFrame:
    return r.assign(Hlth=0.01)


#: rule -> (bad returns, the words every front end shows, whether the message points at the bad row)
RULES = {
    "floor": (_floor, "holds -1.5, a loss of more than 100%, which no asset can have", True),
    "impossible": (_huge, "holds 1e+308, which no return can be", True),
    "percent": (_percent, "looks like percentages (median size above 20%); divide by 100", False),
    "constant": (_constant, "is constant (every value 0.01, to rounding)", False),
}


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2016":"2023", ASSETS]


@pytest.fixture(scope="module")
def ff5(returns) -> pd.DataFrame:
    return xf.load_factors("FF5").loc[returns.index]


def _python_place(returns: pd.DataFrame, at_row: bool) -> str:
    return f"returns: column 'Hlth' on {returns.index[ROW]:%Y-%m-%d} " if at_row else "returns: column 'Hlth' "


def _excel_place(at_row: bool) -> str:
    # the range has a header row: data row ROW is sheet row ROW + 2 of the selection
    return f"#FM! returns: row {ROW + 2}, column {COL + 1} of the range " if at_row else "#FM! returns: column 'Hlth' "


@pytest.mark.parametrize("rule", list(RULES))
def test_python_api_refuses(rule, returns, ff5):
    bad, words, at_row = RULES[rule]
    expected = _python_place(returns, at_row) + words
    for call in (
        lambda: xf.regress(bad(returns), ff5.drop(columns="RF"), rf=ff5["RF"]),
        lambda: xf.regress(bad(returns), check_factor_frame(ff5)),
        lambda: xf.analyze_portfolio(bad(returns), pd.Series(WEIGHTS, index=ASSETS), ff5),
    ):
        with pytest.raises(XLFactorError) as raised:
            call()
        assert str(raised.value).startswith(expected), str(raised.value)


@pytest.mark.parametrize("factors_as", ["range", "model"])
@pytest.mark.parametrize("rule", list(RULES))
def test_excel_refuses_on_a_range_and_on_a_model_name(engine, rule, factors_as, returns, ff5):
    bad, words, at_row = RULES[rule]
    factors = excel_range(ff5) if factors_as == "range" else "FF5"
    cells, dates = excel_range(bad(returns)), serials(returns.index)
    expected = _excel_place(at_row) + words
    for function, before in (("FM_BETA", ()), ("FM_PORT_RISK", ([[w] for w in WEIGHTS],))):
        text = engine.call(function, *before, cells, factors, dates)[0][0]
        assert text.startswith(expected), (function, text)
        assert "='" not in text and "=None" not in text  # no Python advice in a cell


@pytest.mark.parametrize("rule", list(RULES))
def test_cli_report_refuses(rule, returns, tmp_path, capsys):
    bad, words, at_row = RULES[rule]
    bad(returns).rename_axis("Date").to_csv(tmp_path / "r.csv")
    pd.DataFrame({"Asset": ASSETS, "Weight": WEIGHTS}).to_csv(tmp_path / "w.csv", index=False)
    out = tmp_path / "report.xlsx"
    code = main(["report", str(tmp_path / "r.csv"), "--weights", str(tmp_path / "w.csv"), "-o", str(out)])
    progress, err = "report: ", capsys.readouterr().err  # plain progress lines come first when not a terminal
    err = "".join(line for line in err.splitlines(keepends=True) if not line.startswith(progress))
    assert code == 2 and not out.exists()
    assert err.startswith("error: " + _python_place(returns, at_row) + words), err
    assert "='" not in err and "=None" not in err  # command-line advice, not Python's


@pytest.mark.parametrize("rule", list(RULES))
def test_lite_and_server_report_script_refuses(rule, returns):
    bad, words, at_row = RULES[rule]
    book = office_js_book(bad(returns))
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(
            server.custom_scripts_call(scripts, "xlfactor_report", typehint_to_value={xw.Book: book})
        )
    finally:
        loop.close()
    actions = book.json()["actions"]
    alerts = [a for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1 and not [a for a in actions if a["func"] == "addSheet"], actions
    text = alerts[0]["args"][0]
    assert text.startswith(_python_place(returns, at_row) + words), text
    assert "='" not in text and "=None" not in text


def test_the_floor_case_of_the_issue_is_refused_on_both_excel_paths(engine, returns, ff5):
    """The issue's case: FM_BETA(returns, "FF3", dates) gave Mkt-RF 1.51, SMB -2.23 for a -150% return."""
    cells, dates = excel_range(_floor(returns)), serials(returns.index)
    by_range = engine.call("FM_BETA", cells, excel_range(xf.load_factors("FF3").loc[returns.index]), dates)[0][0]
    by_name = engine.call("FM_BETA", cells, "FF3", dates)[0][0]
    assert by_range == by_name and "a loss of more than 100%" in by_name
    clean = engine.call("FM_BETA", excel_range(returns), "FF3", dates)
    assert np.isfinite(np.asarray([row[1:] for row in clean[1:]], dtype=float)).all()
