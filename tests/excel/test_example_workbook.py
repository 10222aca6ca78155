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
    with zipfile.ZipFile(workbook) as z:
        sheet = z.read("xl/worksheets/sheet3.xml").decode()
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
