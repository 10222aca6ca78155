"""Adversarial suite, issue 10: report and input files.

Control characters in names or the title, a print header past Excel's 255 characters, a stray
cell at XFD1048576, a zip bomb, formulas saved without their results. Each gave a crash, gigabytes
of memory or silently dropped data; each now gives a report or one clear message.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import xlfactor as xf
from xlfactor.cli import main
from xlfactor.data.portfolio_files import read_portfolio
from xlfactor.data.xlsx_input import MAX_CELLS, MAX_UNPACKED_BYTES
from xlfactor.errors import XLFactorError
from xlfactor.report.workbook import MAX_PAGE_HEADER

ASSETS = ["NoDur", "Manuf", "BusEq", "Hlth"]


@pytest.fixture(scope="module")
def industries():
    """Five years of four shipped industry portfolios (real monthly returns)."""
    return xf.industry_portfolios().loc["2019-01":"2023-12", ASSETS]


def _book(path, returns: pd.DataFrame, *, extra=None) -> None:
    """A Returns sheet and a Weights sheet (equal weights); ``extra(wb)`` may add to it before saving."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Returns"
    ws.append(["Date", *returns.columns])
    for date, row in zip(returns.index, returns.to_numpy(), strict=True):
        ws.append([date.to_pydatetime(), *row])
    weights = wb.create_sheet("Weights")
    weights.append(["Asset", "Weight"])
    for name in returns.columns:
        weights.append([name, 1 / returns.shape[1]])
    if extra is not None:
        extra(wb)
    wb.save(path)


def _peak_mb(call) -> tuple[float, BaseException | None]:
    """Peak Python memory (MB) while ``call()`` runs, and the exception it raised (None if none)."""
    tracemalloc.start()
    raised = None
    try:
        call()
    except Exception as exc:  # the test inspects it
        raised = exc
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak, raised


def test_limits_are_the_documented_ones():
    assert MAX_UNPACKED_BYTES == 128 * 2**20
    assert MAX_CELLS == 1_000_000
    assert MAX_PAGE_HEADER == 255


# --- report text --------------------------------------------------------------------------------------------------


def test_control_characters_in_asset_names_and_title(tmp_path, industries, capsys):
    """openpyxl raised IllegalCharacterError on these; they are removed from the report's text."""
    returns = industries.rename(columns={"NoDur": "No\x01Dur", "Hlth": "Hl\x1bth"})
    returns.rename_axis("Date").to_csv(tmp_path / "returns.csv")
    (tmp_path / "weights.csv").write_text("asset,weight\nNo\x01Dur,0.5\nManuf,0.2\nBusEq,0.2\nHl\x1bth,0.1\n")
    out = tmp_path / "out.xlsx"
    code = main(
        [
            "report",
            str(tmp_path / "returns.csv"),
            "--weights",
            str(tmp_path / "weights.csv"),
            "-o",
            str(out),
            "--model",
            "FF3",
            "--title",
            "Fund\x07 A\x00",
        ]
    )
    assert code == 0, capsys.readouterr().err
    wb = load_workbook(out)
    assert wb["Summary"]["A1"].value == "Fund A"
    names = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"NoDur", "Hlth"} <= names
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", n) for n in names)


def test_print_header_within_excel_limit(tmp_path, industries):
    """A long title made a 338-character page header; Excel allows 255 (the title cell keeps it whole)."""
    title = "Quarterly risk review & attribution for the " + "very long fund name " * 20
    path = xf.build_report(
        industries, dict.fromkeys(ASSETS, 0.25), tmp_path / "r.xlsx", model="FF3", window=24, title=title
    )
    with zipfile.ZipFile(path) as archive:
        headers = [
            html.unescape(h)
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
            for h in re.findall(r"<oddHeader>(.*?)</oddHeader>", archive.read(name).decode())
        ]
    assert headers and max(len(h) for h in headers) <= 255
    assert all(h.startswith("&LQuarterly risk review && attribution") and h.endswith("...") for h in headers)
    assert load_workbook(path)["Summary"]["A1"].value == title


# --- input workbooks in bounded memory -----------------------------------------------------------------------------


def test_stray_cell_at_xfd1048576_refused_in_bounded_memory(tmp_path, industries):
    """One cell at XFD1048576 in an 8 kB workbook used 5.3 GB, then raised MemoryError."""
    path = tmp_path / "stray.xlsx"
    _book(path, industries, extra=lambda wb: wb["Returns"].cell(1048576, 16384, 1.0))
    assert path.stat().st_size < 20_000
    peak, raised = _peak_mb(lambda: read_portfolio(path))
    assert isinstance(raised, XLFactorError), raised
    assert re.match(
        r"input: sheet 'Returns' of 'stray\.xlsx': the range A1:XFD1048576 has 17,179,869,184 cells, "
        r"more than the 1,000,000 an input may have; if cell XFD1048576 is a stray entry, delete it",
        str(raised),
    ), raised
    assert peak < 50


def test_stray_cell_on_a_sheet_that_is_not_read_is_harmless(tmp_path, industries):
    path = tmp_path / "other.xlsx"
    _book(path, industries, extra=lambda wb: wb.create_sheet("Notes").cell(1048576, 16384, "x"))
    got = read_portfolio(path)
    np.testing.assert_allclose(got.returns.to_numpy(), industries.to_numpy(), rtol=0, atol=1e-15)


def test_zip_bomb_refused_before_unpacking(tmp_path, industries):
    """A 1.8 MB workbook unpacking to gigabytes used 1.6 GB; the declared sizes are checked first."""
    plain = tmp_path / "plain.xlsx"
    _book(plain, industries, extra=lambda wb: wb.create_sheet("Notes").cell(1, 1, 1.0))
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet3.xml":
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"<sheetData>")
            with dst.open(info.filename, "w", force_zip64=True) as out:
                out.write(head + b"<sheetData>")
                for _ in range(140):
                    out.write(b" " * 2**20)
                out.write(tail)
    assert bomb.stat().st_size < 2_000_000
    peak, raised = _peak_mb(lambda: read_portfolio(bomb))
    assert isinstance(raised, XLFactorError), raised
    assert re.match(
        r"input: 'bomb\.xlsx' unpacks to 140 MB, more than the 128 MB an input workbook may hold", str(raised)
    )
    assert peak < 50


def test_too_many_cells_refused_while_streaming(tmp_path, monkeypatch, industries):
    """Past MAX_CELLS cells the sheet is refused as it streams (shown with a small limit)."""
    import xlfactor.data.xlsx_input as xlsx_input

    path = tmp_path / "big.xlsx"
    _book(path, industries)
    monkeypatch.setattr(xlsx_input, "MAX_CELLS", 100)
    with pytest.raises(
        XLFactorError,
        match=r"^input: sheet 'Returns' of 'big\.xlsx': more than 100 cells; an input "
        r"may have at most that many",
    ):
        read_portfolio(path)


# --- formulas without saved results -------------------------------------------------------------------------------


def _with_formula(wb) -> None:
    wb["Returns"]["C5"] = "=0.01+0.002"


def test_formula_without_saved_result_refused(tmp_path, industries):
    """openpyxl-written formulas have no cached value; they were read as blanks (30 of 118 values dropped)."""
    path = tmp_path / "formula.xlsx"
    _book(path, industries, extra=_with_formula)
    with pytest.raises(
        XLFactorError,
        match=r"^input: sheet 'Returns' of 'formula\.xlsx': cell C5 holds a formula "
        r"without a saved result, so its value is unknown; open the workbook in "
        r"Excel \(or LibreOffice\), save it, and try again",
    ):
        read_portfolio(path)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_formula_saved_by_an_office_program_is_read(tmp_path, industries):
    path = tmp_path / "formula.xlsx"
    _book(path, industries, extra=_with_formula)
    saved = tmp_path / "saved"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    got = read_portfolio(saved / "formula.xlsx")
    assert got.returns.iloc[3, 1] == pytest.approx(0.012, abs=1e-15)
    expected = industries.copy()
    expected.iloc[3, 1] = 0.012
    np.testing.assert_allclose(got.returns.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-15)
