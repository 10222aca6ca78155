"""Workbook building blocks: formula-like text stays text, tables land where they say, saves are atomic."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pandas as pd
import pytest
from injection_names import INJECTION_NAMES
from openpyxl import Workbook, load_workbook

from xlfactor.errors import XLFactorError
from xlfactor.report.workbook import PCT, formula_like, put, save_atomically, write_table

NASTY = [*INJECTION_NAMES, "+1", "@SUM(A1)", "-2", "=1+1", "  =1+1"]


def test_formula_like_text_is_stored_as_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    for i, text in enumerate(NASTY, start=1):
        put(ws, i, 1, text)
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": [0.1, 0.2]}, index=["+plus", "@at"])
    write_table(ws, frame, 20, 1, formats=PCT, index_label="-minus")
    path = save_atomically(wb, tmp_path / "t.xlsx")
    reloaded = load_workbook(path).active
    for i, text in enumerate(NASTY, start=1):
        cell = reloaded.cell(row=i, column=1)
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert [c.value for c in reloaded[20]][:2] == ["-minus", "=cmd|' /C calc'!A0"]
    assert all(c.data_type != "f" for row in reloaded.iter_rows() for c in row)


def test_formula_like_is_what_excel_could_enter_as_a_formula():
    assert all(formula_like(text) for text in NASTY)
    plain = ["NoDur", "Mkt-RF", "Smith & Co", "1+1", "a=b", "", " ", "\u00a0x", "Total volatility"]
    assert not any(formula_like(text) for text in plain)


def test_table_layout_and_total_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    frame = pd.DataFrame({"a": [1.0, float("nan")], "b": [0.5, 0.25]}, index=["x", "y"])
    ref = write_table(ws, frame, 3, 2, formats={"b": PCT}, index_label="name", total=pd.Series({"b": 0.75}))
    assert (ref.header_row, ref.first_row, ref.last_row, ref.first_col, ref.last_col) == (3, 4, 6, 2, 4)
    assert [ws.cell(row=3, column=c).value for c in range(2, 5)] == ["name", "a", "b"]
    assert ws.cell(row=5, column=3).value is None  # NaN -> blank
    assert ws.cell(row=6, column=2).value == "Total" and ws.cell(row=6, column=4).value == 0.75
    assert ws.cell(row=4, column=4).number_format == PCT


def test_atomic_save_leaves_old_file_and_no_temp_on_failure(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    wb = Workbook()
    wb.active["A1"] = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)  # openpyxl fails on this while saving
    with pytest.raises(TypeError, match="timezones"):
        save_atomically(wb, target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["report.xlsx"]
    with pytest.raises(XLFactorError, match="does not exist"):
        save_atomically(Workbook(), tmp_path / "missing" / "r.xlsx")


def test_atomic_save_turns_os_errors_into_one_message(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "taken.xlsx").mkdir()  # os.replace onto a folder fails after the temp file was written
    for target in (tmp_path / "file.txt" / "r.xlsx", tmp_path / "missing" / "r.xlsx", tmp_path / "taken.xlsx"):
        with pytest.raises(XLFactorError, match=r"^output: cannot write .*; choose a writable folder$"):
            save_atomically(Workbook(), target)
    assert sorted(os.listdir(tmp_path)) == ["file.txt", "taken.xlsx"]
    assert os.listdir(tmp_path / "taken.xlsx") == []


def test_report_info_names_come_from_models_frequency():
    from xlfactor.models.frequency import frequency_name, period_name
    from xlfactor.report.info import ReportInfo

    for code in ("D", "W", "M", "Q", "A"):
        info = ReportInfo(title="t", model="FF5", freq=code, portfolio_source="s")
        assert info.frequency_name == frequency_name(code).capitalize()
        assert info.period_name == period_name(code)
    assert ReportInfo(title="t", model="FF5", freq="M", portfolio_source="s").frequency_name == "Monthly"


def test_saved_report_has_ordinary_permissions_not_the_temp_files_private_ones(tmp_path):
    """mkstemp creates 0600 files; the report must get what open() would give under the umask."""
    old = os.umask(0o022)
    try:
        path = save_atomically(Workbook(), tmp_path / "r.xlsx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
