"""register_factors: CSV and XLSX user factor files, units, validation messages."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlfactor.data import available_models, data_vintage, factor_info, load_factors, register_factors
from xlfactor.errors import XLFactorError


def test_csv_in_percent_is_stored_as_decimals_like_a_builtin_model(tmp_path):
    ff3 = load_factors("FF3", "M", start="2020-01", end="2021-12")
    path = tmp_path / "my.csv"
    # first-of-month stamps, percent, two decimals as French writes them
    text = "Month,Mkt-RF,SMB,HML\n" + "".join(
        f"{d:%Y-%m-01},{r['Mkt-RF'] * 100:.2f},{r['SMB'] * 100:.2f},{r['HML'] * 100:.2f}\n" for d, r in ff3.iterrows()
    )
    path.write_text(text)
    info = register_factors("MyFactors", path, units="percent")
    assert info["origin"] == "file" and info["freq"] == "M" and info["rows"] == 24
    frame = load_factors("myfactors", "M")
    pd.testing.assert_frame_equal(frame, ff3[["Mkt-RF", "SMB", "HML"]], atol=1e-12, check_freq=False)
    assert "MyFactors" in available_models()
    with pytest.raises(XLFactorError, match="factors 'MyFactors' are stored monthly; use freq='M'"):
        load_factors("MyFactors", "D")


def test_xlsx_daily_decimal_with_weekly_compounding(tmp_path):
    daily = load_factors("FF5", "D", start="2024-01-01", end="2024-03-29")[["Mkt-RF", "RF"]]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "MKT", "RF"])
    for date, row in daily.iterrows():
        sheet.append([date.to_pydatetime(), float(row["Mkt-RF"]), float(row["RF"])])
    path = tmp_path / "daily.xlsx"
    book.save(path)
    register_factors("daily_set", path, units="decimal")
    stored = load_factors("daily_set", "D")
    np.testing.assert_allclose(stored.to_numpy(), daily.to_numpy(), rtol=1e-15, atol=1e-18)  # xlsx float text
    weekly = load_factors("daily_set", "W")
    expected = load_factors("FF5", "W", start="2024-01-01", end="2024-03-29")[["Mkt-RF", "RF"]]
    np.testing.assert_allclose(weekly.to_numpy(), expected.to_numpy(), rtol=1e-13)


def test_registering_again_replaces_and_changes_the_vintage_key(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("date,F\n2020-01-31,1\n2020-02-29,2\n")
    register_factors("F1", path)
    key = data_vintage("F1", "M")
    path.write_text("date,F\n2020-01-31,1\n2020-02-29,3\n")
    register_factors("F1", path)
    assert data_vintage("F1", "M") != key and load_factors("F1")["F"].tolist() == [0.01, 0.03]
    assert factor_info("F1")["summary"].startswith("F1 monthly: registered file ")


def test_a_commit_by_another_process_changes_the_vintage_key_seen_here(tmp_path, data_dir):
    """Excel open in one process, `xlfactor refresh` (here: a re-registration) in another."""
    path = tmp_path / "f.csv"
    path.write_text("date,F\n2020-01-31,1\n2020-02-29,2\n")
    register_factors("F2", path)
    key = data_vintage("F2", "M")
    assert data_vintage("F2", "M") == key  # unchanged data: the same key, served from memory
    path.write_text("date,F\n2020-01-31,1\n2020-02-29,5\n")
    other = subprocess.run(
        [sys.executable, "-c", f"import xlfactor as xf; xf.register_factors('F2', {str(path)!r})"],
        env={**os.environ, "XLFACTOR_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert other.returncode == 0, other.stderr
    assert data_vintage("F2", "M") != key
    assert load_factors("F2")["F"].tolist() == [0.01, 0.05]


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ("date,F\n2020-01-31,1\n2020-02-30,2\n", {}, "dates: row 3 has '2020-02-30', not a date"),
        ("date,F\n2020-01-31,1\n2020-02-29,abc\n", {}, "column 'F' row 3 has 'abc', not a number"),
        ("date,F\n2020-02-29,1\n2020-01-31,2\n2020-03-31,2\n", {}, "strictly increasing; row 3 .2020-01-31."),
        (
            "date,F\n2020-01-15,1\n2020-01-31,2\n2020-02-29,2\n2020-03-31,2\n2020-04-30,1\n",
            {},
            "2020-01-15, 2020-01-31 fall in the same period",
        ),
        ("date,F\n2020-01-31,1.5\n2020-02-29,2\n", {"units": "decimal"}, "look like percent; pass units='percent'"),
        ("date,F\n2020-01-31,0.012\n2020-02-29,-0.03\n", {}, "looks like decimal returns .* pass units='decimal'"),
        ("date,F\n2020-01-31,1\n2020-02-29,2\n", {"units": "bps"}, "units: 'bps' is not one of"),
        ("date\n2020-01-31\n2020-02-29\n", {}, "no factor columns"),
        (
            "date,F\n01/02/2020,1\n01/03/2020,2\n",
            {},
            r"dates: '01/02/2020' is ambiguous \(day/month or month/day\); write dates as YYYY-MM-DD",
        ),
        ("date,F\n13/01/2020,1\n01/13/2020,2\n", {}, "mix two orders; write dates as YYYY-MM-DD"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(tmp_path, content, kwargs, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(XLFactorError, match=message):
        register_factors("BAD", path, **kwargs)
    assert "BAD" not in available_models()


def test_bad_names_and_paths(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("date,F\n2020-01-31,1\n2020-02-29,2\n")
    with pytest.raises(XLFactorError, match="'ff5' is a built-in model"):
        register_factors("ff5", path)
    with pytest.raises(XLFactorError, match="name: '1abc' must start with a letter"):
        register_factors("1abc", path)
    with pytest.raises(XLFactorError, match="is not a file"):
        register_factors("X", tmp_path / "missing.csv")


def test_a_decimal_file_registered_with_the_default_percent_units_is_refused_not_divided_again(tmp_path):
    """The real FF3 monthly factors saved in decimals: without the check, betas would come out 100x too large."""
    ff3 = load_factors("FF3", "M", start="2010-01", end="2019-12")
    path = tmp_path / "ff3_decimal.csv"
    ff3[["Mkt-RF", "SMB", "HML"]].rename_axis("date").to_csv(path)
    with pytest.raises(XLFactorError, match="looks like decimal returns"):
        register_factors("FF3DEC", path)
    register_factors("FF3DEC", path, units="decimal")
    pd.testing.assert_frame_equal(load_factors("FF3DEC", "M"), ff3[["Mkt-RF", "SMB", "HML"]], check_freq=False)


@pytest.mark.parametrize("content", [b"hello", bytes(range(256)) * 8, b"date,F\n2020-01-31,1\n2020-02-29,2\n"])
def test_a_file_named_xlsx_that_is_not_a_workbook(tmp_path, content):
    path = tmp_path / "factors.xlsx"
    path.write_bytes(content)
    with pytest.raises(XLFactorError, match=r"^path: '.*factors\.xlsx' is not a readable \.xlsx file"):
        register_factors("NOTXL", path)
    assert "NOTXL" not in available_models()


def test_day_first_dates_decided_by_the_column(tmp_path):
    """31/12/2019 proves day-first, so 01/03/2020 in the same column is 1 March (not 3 January)."""
    path = tmp_path / "eu.csv"
    path.write_text("date,F\n31/12/2019,1\n31/01/2020,2\n01/03/2020,3\n30/04/2020,4\n")
    register_factors("EUDATES", path)
    got = load_factors("EUDATES", "M")
    assert list(got.index) == list(pd.to_datetime(["2019-12-31", "2020-01-31", "2020-03-31", "2020-04-30"]))
    assert got["F"].tolist() == [0.01, 0.02, 0.03, 0.04]


def test_a_workbook_with_damaged_xml_is_refused_with_the_fix(tmp_path):
    """A workbook whose sheet XML is cut short raised xml.etree's ParseError ("unclosed token") with a traceback."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    for row in (["Date", "MKT", "RF"], ["2020-01-31", 1.0, 0.1], ["2020-02-29", 2.0, 0.1], ["2020-03-31", -1.0, 0.1]):
        book.active.append(row)
    good, bad = tmp_path / "good.xlsx", tmp_path / "damaged.xlsx"
    book.save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(XLFactorError, match=r"^path: '.*damaged\.xlsx' is not a readable \.xlsx file \(damaged"):
        register_factors("DAMAGED", bad)
    assert "DAMAGED" not in available_models()
    register_factors("GOOD", good)
    assert list(load_factors("GOOD", "M").columns) == ["MKT", "RF"]


def test_a_file_with_only_the_risk_free_rate_is_refused(tmp_path):
    """A file holding only RF registered a "model" without a factor: every regression on it failed later."""
    path = tmp_path / "rf.csv"
    path.write_text("Date,rf\n2020-01-31,0.1\n2020-02-29,0.1\n2020-03-31,0.1\n")
    with pytest.raises(XLFactorError, match=r"^path: .*rf\.csv holds only the risk-free rate \(RF\); add at least one"):
        register_factors("ONLYRF", path)
    assert "ONLYRF" not in available_models()
