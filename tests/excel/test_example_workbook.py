"""The example workbook: formulas in place as dynamic arrays, expected values equal to the Python API,
and a file LibreOffice can open (Excel itself cannot be run here)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import xlfactor as xf

BUILD = Path(__file__).resolve().parents[2] / "workbooks" / "build_example.py"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("build_example", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(tmp_path_factory.mktemp("wb") / "example.xlsx")


def test_formulas_are_dynamic_arrays(workbook):
    wb = openpyxl.load_workbook(workbook)
    formulas = [c.value.text for row in wb["Analysis"].iter_rows() for c in row if hasattr(c.value, "text")]
    names = {f.lstrip("=").split("(")[0] for f in formulas}
    assert {"FM_BETA", "FM_ALPHA", "FM_REGRESS", "FM_COV", "FM_PORT_RISK", "FM_STRESS", "FM_VAR"} <= names
    number = wb.sheetnames.index("Analysis") + 1  # openpyxl writes the sheets as sheet1.xml, ... in order
    with zipfile.ZipFile(workbook) as z:
        sheet = z.read(f"xl/worksheets/sheet{number}.xml").decode()
        assert sheet.count('cm="1"><f t="array"') == len(formulas)
        assert b"XLDAPR" in z.read("xl/metadata.xml") and b"metadata.xml" in z.read("xl/_rels/workbook.xml.rels")


def test_expected_betas_equal_the_api(workbook):
    ws = openpyxl.load_workbook(workbook)["Expected"]
    assert ws["A3"].value == "Betas (FF5)"
    header = [c.value for c in ws[4]][1:6]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 7)] for r in range(5, 17)}
    returns = xf.industry_portfolios().loc["2015-01":"2024-12"]
    al = xf.align(returns, xf.load_factors("FF5"))
    betas = xf.regress(al.returns, al.factors, rf=al.factors["RF"], periods_per_year=12).betas
    assert header == list(betas.columns) and list(rows) == list(betas.index)
    np.testing.assert_allclose(np.array(list(rows.values()), float), betas.to_numpy(), rtol=1e-12)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_workbook(workbook, tmp_path):
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "out"), str(workbook)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    ws = openpyxl.load_workbook(tmp_path / "out" / workbook.name)["Expected"]
    original = openpyxl.load_workbook(workbook)["Expected"]
    assert ws["B5"].value == pytest.approx(original["B5"].value, rel=1e-12)


def test_cross_section_sheet_formulas_and_expected_sort_factors(workbook):
    from xlfactor.data.samples import industry_panel

    ws = openpyxl.load_workbook(workbook)["Cross-section notes"]
    formulas = [c.value.text for row in ws.iter_rows() for c in row if hasattr(c.value, "text")]
    names = {f.lstrip("=").split("(")[0] for f in formulas}
    assert {"FM_SORT_FACTORS", "FM_QUANTILE_SPREAD", "FM_CHAR_ADJUSTED", "FM_HOLDINGS_EXPOSURES"} <= names
    title = "2x3 size x BM factors, value-weighted, last month's cap and BM"
    found = [c for row in ws.iter_rows() for c in row if c.value == title]
    assert len(found) == 2  # above the formula, and above its Python value
    top, col = found[1].row, found[1].column
    assert [ws.cell(top + 1, col + j).value for j in range(3)] == ["Date", "SMB", "HML"]
    got = np.array([[ws.cell(top + 2 + i, col + j).value or np.nan for j in (1, 2)] for i in range(36)], float)
    panel = industry_panel().loc["2022-01":"2024-12"]
    wide = {c: panel[c].unstack()[list(panel.index.get_level_values(1).unique())] for c in panel}
    expected = xf.build_sort_factors(wide["Return"], wide["Cap"], wide["BM"], exposure_lag=1).factors
    np.testing.assert_allclose(got[1:], expected.to_numpy()[1:], rtol=1e-12)
    assert ws.cell(top + 2, col + 1).value in (None, "")  # no characteristics before the first month


def test_showcase_start_sheet_formats_and_explanations(workbook):
    """A first sheet that lists every sheet with a link; formatted dates and percentages; each formula block
    with the first sentence of its function's description; the Expected values where the formulas spill."""
    import xlfactor.excel.functions as fm

    wb = openpyxl.load_workbook(workbook)
    start = wb.worksheets[0]
    assert start.title == "Start here" and wb.active.title == "Start here"
    links = {c.value: c.hyperlink.location for row in start.iter_rows() for c in row if c.hyperlink}
    assert set(links) == set(wb.sheetnames) - {"Start here"}
    assert all(links[name] == f"'{name}'!A1" for name in links)
    data, port = wb["Data"], wb["Portfolio"]
    assert data["A2"].number_format == "yyyy-mm-dd" and data["B2"].number_format == "0.00%"
    assert port["B2"].number_format == "0.0%" and data.column_dimensions["A"].width >= 10  # no ### for a date
    analysis, expected = wb["Analysis"], wb["Expected"]
    assert analysis["C3"].value == fm.FM_BETA.__doc__.split(". ")[0].rstrip(".") + "."
    for row in expected.iter_rows(min_row=3):
        for cell in row:
            twin = analysis[cell.coordinate]
            if isinstance(cell.value, float):  # the formula's spill area is formatted like the expected value
                assert cell.number_format == twin.number_format == "0.0000", cell.coordinate
            elif hasattr(cell.value, "year"):
                assert cell.number_format == twin.number_format == "yyyy-mm-dd", cell.coordinate
    assert not [r for r in analysis.merged_cells.ranges if any(c.value for row in analysis[r.coord] for c in row[1:])]


def test_showcase_prints_fit_to_width_at_8pt(workbook, tmp_path):
    """Every sheet fits the page width at 8 pt or more, or prints by column blocks at 73% (as the report);
    LibreOffice's PDF: every word at least 8 pt tall, and far fewer pages than the 77 of the bare fixture."""
    from pdf_pages import BOX_PER_PT, page_footers, page_words, render_pdf

    wb = openpyxl.load_workbook(workbook)
    for ws in wb.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage or ws.page_setup.scale >= 73, ws.title
    with zipfile.ZipFile(workbook) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    pdf = render_pdf(workbook, tmp_path / "pdf", tmp_path / "profile")
    pages = page_words(pdf)
    assert len(pages) <= 74  # 70 before FM_REGRESS gained its diagnostics rows (F, Durbin-Watson, ...)
    for number, (words, footer) in enumerate(zip(pages, page_footers(pdf), strict=True), 1):
        top, bottom = min(w[1] for w in words), max(w[3] for w in words)
        body = [w for w in words if w[1] > top + 2 and w[3] < bottom - 2]
        smallest = min((w[3] - w[1]) / BOX_PER_PT for w in body)
        assert smallest >= 7.9, f"page {number} ({footer}): text at {smallest:.1f} pt"
