"""Build ``workbooks/xlfactor_example.xlsx``: the FM_ functions on the shipped industry portfolios.

Sheets:

- ``Start here``: what the workbook shows, how to use it, one row per sheet (topic, functions) with a link.
- ``Data``: 120 months (2015-01 to 2024-12) of the 12 Fama-French industry portfolios
  (value-weighted, decimals; ``xlfactor.data.samples.industry_portfolios``), dates in column A.
- ``Portfolio``: weights per industry and two factor shocks.
- ``Analysis``: the formulas, each a dynamic-array formula that spills its labelled result.
- ``Expected``: the same results computed by Python when the workbook was built (the FM_
  functions called directly, with the data as the classic add-in passes it), to compare
  after opening the workbook in Excel with the add-in.
- ``Course notes`` and ``Course notes expected``: the course-notes functions (performance,
  expected-return split, adjusted betas, position P&L, hedged / tracking / residual return
  series) in formulas and as Python computed them (:func:`add_course_notes`).
- ``Cross-section notes``: the course notes' cross-sectional items on the 12 industries as a
  panel (``xlfactor.data.samples.industry_panel``: return, market cap, book-to-market; 2022 to
  2024): sort factors, quantile spreads, per-date t-statistics, characteristic-adjusted
  returns over a holdings history, holdings exposures, Fama-MacBeth without intercept and
  specific risk; each formula with its Python value beside it.

The formulas use the classic add-in's names (``FM_BETA``); xlwings Lite and Server show the
functions under their add-in namespace. openpyxl cannot mark a formula as a dynamic array,
so :func:`mark_dynamic_arrays` adds the cell metadata Excel uses for spilled formulas.

Run: ``python workbooks/build_example.py [output.xlsx]``.
"""

from __future__ import annotations

import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink

import xlfactor as xf
import xlfactor.excel.functions as fm
from xlfactor.data.samples import industry_panel
from xlfactor.report.charts import bar_chart
from xlfactor.report.workbook import DATE, FONT_NAME, NOTE_FONT, SECTION_FONT, TITLE_FONT, TableRef, page_setup

OUT = Path(__file__).with_name("xlfactor_example.xlsx")
FIRST, LAST = "2015-01", "2024-12"
WEIGHTS = [0.10, 0.05, 0.10, 0.08, 0.05, 0.20, 0.05, 0.04, 0.10, 0.10, 0.08, 0.05]
SHOCKS = [["Mkt-RF", -0.15], ["HML", 0.05]]


def _blocks(n_rows: int, n_assets: int) -> list[tuple[str, str, tuple]]:
    """(title, formula, Python arguments) per analysis block; ranges refer to the Data/Portfolio sheets."""
    last_col = get_column_letter(1 + n_assets)
    rets = f"Data!$B$1:${last_col}${n_rows + 1}"
    one = f"Data!$B$1:$B${n_rows + 1}"
    dates = f"Data!$A$1:$A${n_rows + 1}"
    weights = f"Portfolio!$B$2:$B${n_assets + 1}"
    shocks = f"Portfolio!$D$2:$E${len(SHOCKS) + 1}"
    return [
        ("Betas (FF5)", f'FM_BETA({rets},"FF5",{dates})', ("R", "FF5", "D")),
        ("Alphas, annual (FF5)", f'FM_ALPHA({rets},"FF5",{dates})', ("R", "FF5", "D")),
        ("Regression table, first industry (FF3)", f'FM_REGRESS({one},"FF3",{dates})', ("R1", "FF3", "D")),
        ("Factor covariance, annual (FF5)", f'FM_COV("FF5",{dates})', ("FF5", "D")),
        ("Factor correlation (FF5)", f'FM_CORR("FF5",{dates})', ("FF5", "D")),
        ("Variance decomposition (FF5)", f'FM_VAR_DECOMP({rets},"FF5",{dates})', ("R", "FF5", "D")),
        ("Portfolio risk (FF5)", f'FM_PORT_RISK({weights},{rets},"FF5",{dates})', ("W", "R", "FF5", "D")),
        ("Risk contributions by factor", f'FM_RISK_CONTRIB({weights},{rets},"FF5",{dates})', ("W", "R", "FF5", "D")),
        ("VaR and ES, 99%, one month", f'FM_VAR({weights},{rets},"FF5",{dates})', ("W", "R", "FF5", "D")),
        ("Stress: market -15%, HML +5%", f'FM_STRESS({weights},{rets},"FF5",{dates},{shocks})',
         ("W", "R", "FF5", "D", "S")),
        ("Hedge to 20% factor share", f'FM_HEDGE_TARGET({weights},{rets},"FF5",{dates},0.2)',
         ("W", "R", "FF5", "D", 0.2)),
        ("Factor data source", 'FM_DATA_INFO("FF5")', ("FF5",)),
    ]  # fmt: skip


def _python_args(spec: tuple, cells: dict) -> list:
    return [cells.get(a, a) if isinstance(a, str) else a for a in spec]


def _write_table(ws, top: int, title: str, rows: list[list], formula: str | None = None, col: int = 1) -> int:
    """Title in column ``col`` (default A) with what the function does beside it, the table (or the
    spilling formula) below it; returns the next free row. The cells get the number formats of the
    values (dates, numbers), also where a formula will spill, so Excel shows its result formatted."""
    head = ws.cell(top, col, title)
    head.font, head.alignment = BOLD, TOP
    if formula is not None:
        about = _about(formula)
        if about:  # merged and wrapped: text running past the last column would widen the printed page
            cell = ws.cell(top, col + DESCRIPTION_OFFSET, about)
            cell.font, cell.alignment = NOTE_FONT, Alignment(wrap_text=True, vertical="top")
            last = col + DESCRIPTION_OFFSET + DESCRIPTION_COLUMNS - 1
            ws.merge_cells(start_row=top, start_column=col + DESCRIPTION_OFFSET, end_row=top, end_column=last)
            ws.row_dimensions[top].height = 15 * -(-len(about) // (DESCRIPTION_COLUMNS * 12))
        first, last = get_column_letter(col), get_column_letter(col + len(rows[0]) - 1)
        ws.cell(top + 1, col).value = ArrayFormula(f"{first}{top + 1}:{last}{top + len(rows)}", "=" + formula)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = ws.cell(top + 1 + i, col + j)
            if formula is None:
                cell.value = value
            cell.number_format = _format(value)
    return top + len(rows) + 3


DESCRIPTION_OFFSET = 2  # the function's description starts two columns right of the block title
DESCRIPTION_COLUMNS = 5
BOLD = Font(name=FONT_NAME, bold=True)
TOP = Alignment(vertical="top")


def _about(formula: str) -> str:
    """The first sentence of the FM_ function's description (its docstring, as Excel's wizard shows it)."""
    doc = " ".join((getattr(fm, formula.split("(")[0]).__doc__ or "").split())
    return doc.split(". ")[0].rstrip(".") + "." if doc else ""


def _format(value: object) -> str:
    if isinstance(value, datetime):
        return DATE
    if isinstance(value, float):
        return "0.0000"
    return "General"


def mark_dynamic_arrays(path: Path) -> None:
    """Turn the array formulas of ``path`` into dynamic-array (spilling) formulas.

    Adds ``xl/metadata.xml`` with the ``XLDAPR`` dynamic-array property, its content type
    and workbook relationship, and ``cm="1"`` on every cell holding an array formula.
    """
    metadata = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
        '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" pasteAll="1" '
        'pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" clearComments="1" assign="1" '
        'coerce="1" cellMeta="1"/></metadataTypes><futureMetadata name="XLDAPR" count="1"><bk><extLst>'
        '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}"><xda:dynamicArrayProperties fDynamic="1" '
        'fCollapsed="0"/></ext></extLst></bk></futureMetadata><cellMetadata count="1"><bk><rc t="1" v="0"/></bk>'
        "</cellMetadata></metadata>"
    )
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/metadata.xml"] = metadata.encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/metadata.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdXlfactorMeta" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata" '
        b'Target="metadata.xml"/></Relationships>',
    )
    for name in [n for n in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]:
        parts[name] = re.sub(rb'<c r="([A-Z]+\d+)"((?: [a-z]+="[^"]*")*)><f t="array"',
                             rb'<c r="\1"\2 cm="1"><f t="array"', parts[name])  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, payload in parts.items():
            dst.writestr(name, payload)


def build(path: Path = OUT) -> Path:
    """Write the example workbook to ``path`` and return it."""
    returns = xf.industry_portfolios("value").loc[FIRST:LAST]
    assets = list(returns.columns)
    wb = Workbook()
    data = wb.active
    data.title = "Data"
    data.append(["Date", *assets])
    for date, row in zip(returns.index, returns.to_numpy().tolist(), strict=True):
        data.append([date.to_pydatetime(), *row])
    for row in data.iter_rows(min_row=2):
        row[0].number_format = DATE
        for cell in row[1:]:
            cell.number_format = "0.00%"
    data.print_title_rows = "1:1"

    port = wb.create_sheet("Portfolio")
    port.append(["Asset", "Weight", None, "Factor", "Shock"])
    for i, (asset, weight) in enumerate(zip(assets, WEIGHTS, strict=True)):
        port.append([asset, weight, None, *(SHOCKS[i] if i < len(SHOCKS) else [None, None])])
        port.cell(i + 2, 2).number_format = "0.0%"
        port.cell(i + 2, 5).number_format = "0%"
    for cell in port[1]:
        cell.font = BOLD
    for cell in data[1]:
        cell.font = BOLD

    cells = {  # what the classic add-in passes for each range (datetimes, header rows)
        "R": [assets, *returns.to_numpy().tolist()],
        "R1": [[assets[0]], *[[v] for v in returns.iloc[:, 0]]],
        "D": [["Date"], *[[d.to_pydatetime()] for d in returns.index]],
        "W": [[w] for w in WEIGHTS],
        "S": SHOCKS,
    }
    analysis, expected = wb.create_sheet("Analysis"), wb.create_sheet("Expected")
    analysis["A1"] = "FM_ formulas (need the xlfactor add-in); compare with the Expected sheet"
    expected["A1"] = f"Computed by Python with xlfactor {xf.__version__} when this workbook was built"
    top = 3
    for title, formula, spec in _blocks(len(returns), len(assets)):
        rows = getattr(fm, formula.split("(")[0])(*_python_args(spec, cells))
        if isinstance(rows, str):
            raise RuntimeError(f"{formula}: {rows}")
        _write_table(analysis, top, title, rows, formula)
        top = _write_table(expected, top, title, rows)
    for ws in (analysis, expected):
        ws["A1"].font = SECTION_FONT
        beta_chart(ws, len(assets))
    add_course_notes(wb, cells, len(returns), assets)
    cross_section_sheet(wb, cells)
    start_sheet(wb)
    for ws in wb.worksheets:
        _widths(ws)
        page_setup(ws, header_text="xlfactor example workbook", landscape=ws.title != START)
    wb.active = 0
    wb.save(path)
    mark_dynamic_arrays(path)
    return path


def beta_chart(ws, n_assets: int) -> None:
    """A bar chart of the market betas of the first block (Betas, FF5), right of the blocks."""
    table = TableRef(header_row=4, first_row=5, last_row=4 + n_assets, first_col=1, last_col=6)
    bar_chart(ws, table, [2], "H3", title="Market beta by industry (FF5)", number_format="0.0", width=12, height=7)


def _widths(ws) -> None:
    """Column A wide enough for dates and labels, the others for numbers (no ### for a date)."""
    for c in range(1, ws.max_column + 1):
        letter = get_column_letter(c)
        if ws.column_dimensions[letter].width in (None, 13):
            ws.column_dimensions[letter].width = 26 if c == 1 and ws.title != "Data" else 11


# ------------------------------------------------------------------ Start here
START = "Start here"
#: Sheet -> (topic, functions, what it shows).
TOPICS = {
    "Data": ("Input", "-", "120 months of the 12 Fama-French industry portfolios (decimal returns), 2015 to 2024"),
    "Portfolio": ("Input", "-", "Weights per industry and two factor shocks for the stress test"),
    "Analysis": ("Time-series factor model", "FM_BETA, FM_ALPHA, FM_REGRESS, FM_COV, FM_CORR, FM_VAR_DECOMP, "
                 "FM_PORT_RISK, FM_RISK_CONTRIB, FM_VAR, FM_STRESS, FM_HEDGE_TARGET, FM_DATA_INFO",
                 "Betas, alphas, a full regression table, factor covariance, portfolio risk and its sources, "
                 "VaR, a stress test and a hedge, with a chart of the market betas"),
    "Expected": ("Check", "-", "The Analysis results as Python computed them, cell for cell at the same addresses"),
    "Course notes": ("Performance and return series", "FM_PERFORMANCE, FM_EXPECTED_RETURN, FM_ADJUST_BETA, "
                     "FM_POSITION_PNL, FM_HEDGED_RETURNS, FM_TRACKING_RETURNS, FM_RESIDUALS",
                     "Performance against a benchmark, expected-return split, adjusted betas, position P&L, "
                     "hedged, tracking and residual return series"),
    "Course notes expected": ("Check", "-", "The Course notes results as Python computed them"),
    "Cross-section notes": ("Cross-sectional models", "FM_SORT_FACTORS, FM_QUANTILE_SPREAD, FM_XS_FACTOR_RETURNS, "
                            "FM_CHAR_ADJUSTED, FM_HOLDINGS_EXPOSURES, FM_FAMA_MACBETH, FM_SPECIFIC_RISK",
                            "Sort factors, quantile spreads, cross-sectional regressions, characteristic-adjusted "
                            "returns and specific risk on a panel; each formula with its Python value to its right"),
}  # fmt: skip


def start_sheet(wb: Workbook) -> None:
    """The first sheet: what the workbook shows, how to use it, and one row per sheet with a link."""
    ws = wb.create_sheet(START, 0)
    ws["A1"] = "xlfactor example workbook"
    ws["A1"].font = TITLE_FONT
    lines = [
        "The FM_ functions on the 12 Fama-French industry portfolios shipped with xlfactor. Each block: a title, "
        "what the function does, and one formula that spills its labelled result.",
        "Use it: install the xlfactor add-in (README, 'Install'), open this workbook and recalculate (Ctrl+Alt+F9). "
        "Each result should equal its twin on the Expected sheets (same cells), computed by Python when the "
        "workbook was built.",
        "xlwings Lite and Server show the functions under their add-in namespace; Excel 2016 and 2019 get the "
        "results as legacy array formulas (README, 'Excel 2016 and 2019').",
    ]
    for i, line in enumerate(lines):
        cell = ws.cell(3 + i, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=3 + i, start_column=1, end_row=3 + i, end_column=4)
        ws.row_dimensions[3 + i].height = 45
    top = 4 + len(lines)
    for j, header in enumerate(["Sheet", "Topic", "Functions", "What it shows"]):
        ws.cell(top, 1 + j, header).font = BOLD
    for i, (name, (topic, functions, what)) in enumerate(TOPICS.items()):
        row = top + 1 + i
        link = ws.cell(row, 1, name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")  # a link within the workbook
        link.font = Font(name=FONT_NAME, color="0563C1", underline="single")
        link.alignment = TOP
        ws.cell(row, 2, topic).alignment = Alignment(wrap_text=True, vertical="top")
        for j, text in ((3, functions), (4, what)):
            ws.cell(row, j, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * max(1, -(-len(what) // 36), -(-len(functions) // 32))
    for letter, width in zip("ABCD", (20, 22, 36, 40), strict=True):
        ws.column_dimensions[letter].width = width


# ------------------------------------------------------------------ course notes
SERIES_ASSETS = 3  # the return-series blocks show the first three industries
PNL_ASSET = "Durbl"


def _course_notes_blocks(n_rows: int, n_assets: int) -> list[tuple[str, str | None, tuple]]:
    """(title, formula, Python arguments) per course-notes block; a None formula is an input block of values
    (``spec`` then names the cells to write)."""
    last_col = get_column_letter(1 + n_assets)
    rets = f"Data!$B$1:${last_col}${n_rows + 1}"
    three = f"Data!$B$1:${get_column_letter(1 + SERIES_ASSETS)}${n_rows + 1}"
    dates = f"Data!$A$1:$A${n_rows + 1}"
    bench = f"'Course notes'!$B$4:$B${n_rows + 4}"  # the first block's benchmark column, header included
    return [
        ("Benchmark: equal-weighted average of the industries (input)", None, ("BENCH",)),
        ("Performance vs the benchmark, hedged Sharpe on FF5", f'FM_PERFORMANCE({rets},{dates},{bench},,"FF5")',
         ("R", "D", "BENCH_COL", None, "FF5")),
        ("Expected return split, annual (FF5, sample premia)", f'FM_EXPECTED_RETURN({rets},"FF5",{dates})',
         ("R", "FF5", "D")),
        ("Expected return split with a 6% market premium",
         f'FM_EXPECTED_RETURN({rets},"FF5",{dates},{{"Mkt-RF",0.06}})', ("R", "FF5", "D", [["Mkt-RF", 0.06]])),
        ("Adjusted market betas, Blume (FF5)", f'FM_ADJUST_BETA({rets},"FF5",{dates})', ("R", "FF5", "D")),
        ("Adjusted market betas, Vasicek (FF5)", f'FM_ADJUST_BETA({rets},"FF5",{dates},"vasicek")',
         ("R", "FF5", "D", "vasicek")),
        (f"P&L of {PNL_ASSET} sized to 50,000 a day (FF5)",
         f'FM_POSITION_PNL(50000,{rets},"FF5",{dates},"{PNL_ASSET}","daily")',
         (50000, "R", "FF5", "D", PNL_ASSET, "daily")),
        ("Hedged returns r - b'f, cumulative (FF5)", f'FM_HEDGED_RETURNS({three},"FF5",{dates},TRUE,TRUE)',
         ("R3", "FF5", "D", True, True)),
        ("Tracking-portfolio returns b'f (FF5)", f'FM_TRACKING_RETURNS({three},"FF5",{dates})', ("R3", "FF5", "D")),
        ("Residual returns, running sum (FF5)", f'FM_RESIDUALS({three},"FF5",{dates},TRUE,"sum")',
         ("R3", "FF5", "D", True, "sum")),
    ]  # fmt: skip


def add_course_notes(wb: Workbook, cells: dict, n_rows: int, assets: list[str]) -> None:
    """Add the ``Course notes`` sheet (formulas) and ``Course notes expected`` (the values Python computed)."""
    returns = [row for row in cells["R"][1:]]
    bench = [sum(row) / len(row) for row in returns]
    cells = {
        **cells,
        "R3": [row[:SERIES_ASSETS] for row in cells["R"]],
        "BENCH": [["Date", "Benchmark"], *[[d[0], b] for d, b in zip(cells["D"][1:], bench, strict=True)]],
        "BENCH_COL": [["Benchmark"], *[[b] for b in bench]],
    }
    notes, expected = wb.create_sheet("Course notes"), wb.create_sheet("Course notes expected")
    notes["A1"] = "Course-notes FM_ formulas (need the xlfactor add-in); compare with the Course notes expected sheet"
    expected["A1"] = f"Computed by Python with xlfactor {xf.__version__} when this workbook was built"
    top = 3
    for title, formula, spec in _course_notes_blocks(n_rows, len(assets)):
        if formula is None:
            rows = cells[spec[0]]
            for ws in (notes, expected):
                for row in ws.iter_rows(min_row=top + 2, max_row=top + len(rows), max_col=1):
                    row[0].number_format = DATE
        else:
            rows = getattr(fm, formula.split("(")[0])(*_python_args(spec, cells))
            if isinstance(rows, str) or (len(rows) == 1 and str(rows[0][0]).startswith("#FM!")):
                raise RuntimeError(f"{formula}: {rows}")
        _write_table(notes, top, title, rows, formula)
        top = _write_table(expected, top, title, rows)


# ------------------------------------------------------------------ Cross-section notes
XS_FIRST, XS_LAST = "2022-01", "2024-12"
#: Holdings history of the cross-section sheet: (date, weight per industry in the panel's order).
XS_HOLDINGS = [
    ("2024-06-30", [0.10, 0.05, 0.10, 0.10, 0.05, 0.20, 0.05, 0.05, 0.10, 0.10, 0.05, 0.05]),
    ("2024-09-30", [0.05, 0.05, 0.10, 0.15, 0.05, 0.25, 0.05, 0.05, 0.05, 0.10, 0.10, 0.00]),
    ("2024-12-31", [0.00, 0.10, 0.10, 0.15, 0.05, 0.30, 0.00, 0.05, 0.05, 0.10, 0.10, 0.00]),
]
XS_COLUMN = 17  # column Q: the formulas; their Python values to the right of the widest one


def _xs_blocks(n_rows: int) -> list[tuple[str, str, tuple]]:
    """(title, formula, Python arguments) per block of the cross-section sheet."""
    panel = f"$A$1:$E${n_rows + 1}"
    bm_only = f"$A$1:$D${n_rows + 1}"  # Date, Asset, Return, BM: BM the only characteristic
    holdings = f"$G$1:$S${len(XS_HOLDINGS) + 1}"
    rets, dates = "Data!$B$1:$M$121", "Data!$A$1:$A$121"
    return [
        ("2x3 size x BM factors, value-weighted, last month's cap and BM",
         f'FM_SORT_FACTORS({panel},"Cap","BM",,,,,1)', ("P", "Cap", "BM", None, None, None, None, 1)),
        ("Size x BM halves (50/50 breakpoints), equal-weighted",
         f'FM_SORT_FACTORS({panel},"Cap","BM","50","50","equal",,1)', ("P", "Cap", "BM", "50", "50", "equal", None, 1)),
        ("BM quintile spread (Q5 - Q1), value-weighted",
         f'FM_QUANTILE_SPREAD({panel},"BM",5,"value","Cap",,1)', ("P", "BM", 5, "value", "Cap", None, 1)),
        ("Cross-sectional factor returns (sqrt-cap WLS on last month's BM)",
         f'FM_XS_FACTOR_RETURNS({panel},,"Cap",TRUE,1)', ("P", None, "Cap", True, 1)),
        ("Their t-statistics, White (hc1)",
         f'FM_XS_FACTOR_RETURNS({panel},,"Cap",TRUE,1,,"t","hc1")', ("P", None, "Cap", True, 1, None, "t", "hc1")),
        ("Characteristic-adjusted returns of the holdings",
         f'FM_CHAR_ADJUSTED({panel},,,{holdings},,"Cap",TRUE,,1)', ("P", None, None, "H", None, "Cap", True, None, 1)),
        ("Holdings exposures to FF3 (betas from the Data sheet, 2015-2024)",
         f'FM_HOLDINGS_EXPOSURES({holdings},{rets},"FF3",{dates})', ("H", "R", "FF3", "D")),
        ("Fama-MacBeth premium of BM, no intercept", f"FM_FAMA_MACBETH({bm_only},,FALSE)", ("B", None, False)),
        ("Specific risk about zero (annual)", f'FM_SPECIFIC_RISK({panel},,"Cap")', ("P", None, "Cap")),
        ("Specific risk about the mean (annual)", f'FM_SPECIFIC_RISK({panel},,"Cap",TRUE,,TRUE)',
         ("P", None, "Cap", True, None, True)),
    ]  # fmt: skip


def cross_section_sheet(wb: Workbook, cells: dict) -> None:
    """The ``Cross-section notes`` sheet: the panel (A:E), a holdings history (G:S), then below the
    holdings each block's formula from column Q, and its Python value to the right of the widest block."""
    panel = industry_panel().loc[XS_FIRST:XS_LAST]
    assets = list(panel.index.get_level_values(1).unique())
    ws = wb.create_sheet("Cross-section notes")
    panel = panel[["Return", "BM", "Cap"]]
    rows = [["Date", "Asset", "Return", "BM", "Cap"]]
    rows += [[d.to_pydatetime(), a, *values] for (d, a), values in zip(panel.index, panel.to_numpy().tolist(),
                                                                       strict=True)]  # fmt: skip
    holdings = [["Date", *assets], *[[datetime.strptime(d, "%Y-%m-%d"), *w] for d, w in XS_HOLDINGS]]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(1 + i, 1 + j, value)
    for i, row in enumerate(holdings):
        for j, value in enumerate(row):
            ws.cell(1 + i, 7 + j, value)
    for row in [*ws.iter_rows(min_row=2, max_col=1), *ws.iter_rows(min_row=2, min_col=7, max_col=7)]:
        row[0].number_format = DATE
    args = {**cells, "P": rows, "B": [row[:4] for row in rows], "H": holdings}
    results = []
    for title, formula, spec in _xs_blocks(len(panel)):
        out = getattr(fm, formula.split("(")[0])(*_python_args(spec, args))
        if isinstance(out, str):
            raise RuntimeError(f"{formula}: {out}")
        results.append((title, formula, out))
    expected_col = XS_COLUMN + max(len(out[0]) for _, _, out in results) + 2
    ws.cell(len(holdings) + 2, XS_COLUMN, "FM_ formulas").font = BOLD
    ws.cell(len(holdings) + 2, expected_col, "Expected: computed by Python when this workbook was built")
    top = len(holdings) + 4
    for title, formula, out in results:
        _write_table(ws, top, title, out, formula, XS_COLUMN)
        top = _write_table(ws, top, title, out, col=expected_col)


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
