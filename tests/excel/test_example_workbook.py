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
