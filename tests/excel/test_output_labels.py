"""Every label of a statistic shown by the FM_ functions (through xlwings' Office.js engine), the report
workbook and the report sheets of xlwings Lite and Server comes from xlfactor.models.labels, in the form its
place takes (tests/output_labels.py; ``summary()``: tests/test_labels.py). On the shipped data.

Before the module these outputs showed R2 and R-squared, t and t-stat, Std error, std err and Std. error,
Idio vol, Resid. vol and Residual vol, p-value and P>|t| for the same statistics."""

from __future__ import annotations

import numbers

import pandas as pd
import pytest
from office_js import excel_range, long_cells, long_panel, serials
from openpyxl import load_workbook
from output_labels import statistics, violations

import xlfactor as xf
from xlfactor.excel import report_sheets
from xlfactor.report.build import report_analysis, write_report
from xlfactor.report.workbook import HEADER_FILL

ASSETS = ["NoDur", "BusEq", "Hlth", "Money"]
WEIGHTS = pd.Series([0.3, 0.3, 0.2, 0.2], index=ASSETS)
W_CELLS = [[w] for w in WEIGHTS]


@pytest.fixture(scope="module")
def data():
    returns = xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]
    return returns, excel_range(returns), serials(returns.index)


def _calls(data):
    """(function, arguments, "table" or "record"): the statistics-bearing FM_ outputs."""
    returns, r, d = data
    one, ff5 = excel_range(returns[["NoDur"]]), xf.align(returns, xf.load_factors("FF5", "M")).factors
    panel = long_cells(long_panel(), ["Return", "Value", "Momentum"])
    return [
        ("FM_REGRESS", (one, "FF5", d), "table"),
        ("FM_REGRESS", (one, "FF5", d, "hac", 3), "table"),
        ("FM_REGRESS", (one, excel_range(ff5)), "table"),  # no dates: per-period figures
        ("FM_BETA", (r, "FF5", d), "table"),
        ("FM_ALPHA", (r, "FF5", d), "table"),
        ("FM_ALPHA", (r, "FF5", d, True, "hc1"), "table"),
        ("FM_ADJUST_BETA", (r, "FF5", d), "table"),
        ("FM_ADJUST_BETA", (r, "FF5", d, "vasicek"), "table"),
        ("FM_ROLLING_BETA", (one, "FF5", d, 36), "table"),
        ("FM_ROLLING_BETA", (r, "FF5", d, 36), "table"),
        ("FM_GRS", (r, "FF5", d), "record"),
        ("FM_ALPHA_TEST", (r, "CAPM, FF3, FF5", d), "table"),
        ("FM_HEDGE", (one, "FF5", d), "record"),
        ("FM_HEDGE", (one, excel_range(ff5[["Mkt-RF"]])), "record"),
        ("FM_STYLE", (one, excel_range(returns[ASSETS[1:]]), d), "record"),
        ("FM_STYLE", (one, excel_range(returns[ASSETS[1:]]), d, 36), "table"),
        ("FM_PORT_RISK", (W_CELLS, r, "FF5", d), "record"),
        ("FM_VAR", (W_CELLS, r, "FF5", d), "record"),
        ("FM_RISK_BACKTEST", (W_CELLS, r, "FF5", d), "record"),
        ("FM_RISK_HISTORY", (W_CELLS, r, "FF5", d), "table"),
        ("FM_RISK_BACKTEST", (W_CELLS, r, "FF5", d, *[None] * 8, "series"), "table"),
        ("FM_HEDGE_TARGET", (W_CELLS, r, "FF5", d, 0.2), "table"),
        ("FM_SCENARIO", (W_CELLS, r, "FF5", d, "Covid crash 2020"), "table"),
        ("FM_SCENARIO", (W_CELLS, r, "FF5", d, "Covid crash 2020", *[None] * 7, "summary"), "record"),
        ("FM_SPECIFIC_RISK", (long_cells(long_panel(), ["Return", "Value", "Momentum", "Cap"]),), "table"),
        ("FM_PERFORMANCE", (r, d), "table"),
        ("FM_FAMA_MACBETH", (panel, 2), "table"),
        ("FM_XS_FACTOR_RETURNS", (panel,), "table"),
    ]


#: Each output shows each of these statistics somewhere (so each was checked).
CHECKED = {"rsquared", "bse", "tvalues", "pvalues", "resid_vol", "nobs", "risk"}


def _statistics(texts: list) -> set[str]:
    return {s for text in texts if isinstance(text, str) for s in statistics(text)}


def _labels(cells: list[list], kind: str) -> tuple[list, list]:
    """(column headers, row labels) of a spilled result."""
    if kind == "record":
        return [], [row[0] for row in cells]
    return cells[0][1:], [row[0] for row in cells[1:]]


def test_fm_outputs(engine, data):
    found, seen = [], set()
    for function, args, kind in _calls(data):
        out = engine.call(function, *args)
        assert not str(out[0][0]).startswith("#FM!"), (function, out[0][0])
        columns, rows = _labels(out, kind)
        found += violations(columns, rows, function)
        seen |= _statistics([*columns, *rows])
    assert found == []
    assert seen >= CHECKED


@pytest.fixture(scope="module")
def analysis(data):
    returns = data[0]
    return report_analysis(returns, WEIGHTS, benchmark="equal", source="shipped industry portfolios")


def test_report_workbook(analysis, tmp_path):
    """The report file (openpyxl): every header cell of a table (the workbook's header fill) and the label
    beside each value (a table's row labels, label/value pairs, total rows)."""
    path = write_report(*analysis, tmp_path / "report.xlsx")
    found, seen = [], set()
    for ws in load_workbook(path):
        columns, rows = [], []
        for line in ws.iter_rows():
            for cell, right in zip(line, [*line[1:], None], strict=True):
                if cell.fill.fgColor.rgb == HEADER_FILL.fgColor.rgb:
                    columns.append(cell.value)
                elif right is not None and isinstance(right.value, numbers.Number):
                    rows.append(cell.value)
        found += violations(columns, rows, ws.title)
        seen |= _statistics([*columns, *rows])
    assert found == []
    assert seen >= CHECKED


def test_lite_and_server_report_sheets(analysis):
    """The blocks the Lite/Server renderer writes (report_sheets.layout: each table's header and index, the
    label/value pairs, the total rows)."""
    found, seen = [], set()
    for sheet, blocks in report_sheets.layout(*analysis).items():
        for block in blocks:
            columns, rows = [], [label for label, _, _ in block.pairs or []]
            if block.frame is not None:
                columns = [block.index_label, *map(str, block.frame.columns)]
                rows += list(block.frame.index)
            if block.total is not None:
                rows.append(block.total[0])
            found += violations(columns, rows, f"{sheet}: {block.title}")
            seen |= _statistics([*columns, *rows])
    assert found == []
    assert seen >= CHECKED
