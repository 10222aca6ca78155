"""register_factors file rules (issue 10): units decided column by column, ``rf`` is RF, one
rule for missing values, ``;``-separated CSV, ``inf``, formula cells without saved values."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlfactor.data import available_models, load_factors, register_factors
from xlfactor.errors import XLFactorError

MONTHS = pd.date_range("2018-01-31", periods=24, freq="ME")


def _csv(tmp_path, columns: dict[str, list], name: str = "f.csv"):
    path = tmp_path / name
    frame = pd.DataFrame(columns, index=MONTHS[: len(next(iter(columns.values())))])
    frame.index.name = "date"
    frame.to_csv(path, date_format="%Y-%m-%d")
    return path


def _decimal_returns(seed: int, scale: float = 0.02) -> list[float]:
    return np.round(np.random.default_rng(seed).normal(0.0, scale, len(MONTHS)), 4).tolist()


def test_decimal_file_with_one_large_value_is_refused_not_stored_100x_too_small(tmp_path):
    """Registered with the default units='percent': one 0.55 used to lift the whole-file check."""
    values = _decimal_returns(1)
    values[5] = 0.55
    path = _csv(tmp_path, {"F1": values})
    with pytest.raises(XLFactorError, match=r"column 'F1' looks like decimal returns .* pass units='decimal'"):
        register_factors("DEC", path)
    register_factors("DEC", path, units="decimal")
    assert load_factors("DEC", "M")["F1"].tolist() == values


def test_file_mixing_a_percent_and_a_decimal_column_is_refused_either_way(tmp_path):
    percent = (np.array(_decimal_returns(2, 0.04)) * 100).round(2).tolist()
    path = _csv(tmp_path, {"MKT": percent, "SMB": _decimal_returns(3)})
    with pytest.raises(XLFactorError, match=r"column 'SMB' looks like decimal returns .* multiply this column by 100"):
        register_factors("MIX", path)
    with pytest.raises(XLFactorError, match=r"column 'MKT' has values above 1 .* divide this column by 100"):
        register_factors("MIX", path, units="decimal")
    assert "MIX" not in available_models()


def test_percent_median_rule_for_a_decimal_declared_column(tmp_path):
    """Percent values all below 1 in size still have a percent-sized median (models.units rule)."""
    path = _csv(tmp_path, {"F": [0.5, -0.6, 0.7, -0.4, 0.9, 0.3]})
    with pytest.raises(XLFactorError, match=r"column 'F': values look like percentages .* units='percent'"):
        register_factors("P", path, units="decimal")


def test_lower_case_rf_is_the_risk_free_rate(tmp_path):
    """A percent RF of 0.00-0.01 (2010s) is not mistaken for decimals: RF is exempt from that rule."""
    path = _csv(tmp_path, {"Mkt": [1.5, -2.0, 0.8, 3.1], " rf ": [0.0, 0.01, 0.0, 0.01]})
    register_factors("WITHRF", path)
    frame = load_factors("WITHRF", "M")
    assert list(frame.columns) == ["Mkt", "RF"]
    assert frame["RF"].tolist() == [0.0, 0.0001, 0.0, 0.0001]


def test_rf_and_Rf_together_are_refused(tmp_path):  # noqa: N802 - the header spelling is the point
    path = tmp_path / "two.csv"
    path.write_text("date,Mkt,RF,rf\n2020-01-31,1,0.1,0.1\n2020-02-29,2,0.1,0.1\n")
    with pytest.raises(XLFactorError, match="more than one column headed 'RF'"):
        register_factors("TWO", path)


def test_missing_value_rule(tmp_path):
    """Blank, NA, N/A, #N/A, null and NaN (any case) are missing; every other text is refused."""
    path = tmp_path / "na.csv"
    rows = ["", "NA", "n/a", "#N/A", "null", "NaN", "1.5", "-2"]
    path.write_text("date,F\n" + "".join(f"{d:%Y-%m-%d},{v}\n" for d, v in zip(MONTHS, rows, strict=False)))
    register_factors("NAS", path)
    got = load_factors("NAS", "M")["F"]
    assert got.isna().tolist() == [True] * 6 + [False, False] and got.iloc[6:].tolist() == [0.015, -0.02]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "#DIV/0!",
            r"has '#DIV/0!', an Excel error value \(a broken formula\), not a number; leave missing values "
            r"blank \(or write NA\)",
        ),
        ("None", r"has 'None', not a number; leave missing values blank \(or write NA\)"),
        ("-", "has '-', not a number"),
        ("inf", "has 'inf', not a finite number"),
        ("-Infinity", "has '-Infinity', not a finite number"),
        ("1e400", "has '1e400', not a finite number"),
    ],
)
def test_other_text_and_infinities_are_refused(tmp_path, cell, message):
    path = tmp_path / "bad.csv"
    path.write_text(f"date,F\n2020-01-31,1\n2020-02-29,{cell}\n2020-03-31,2\n")
    with pytest.raises(XLFactorError, match=f"column 'F' row 3 {message}"):
        register_factors("BAD", path)


def test_semicolon_separated_csv_says_so(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("date;Mkt;SMB\n2020-01-31;1,5;0,2\n2020-02-29;-2,0;0,1\n")
    with pytest.raises(XLFactorError, match=r"eu.csv separates its fields with ';', not ','.* '.' as the decimal mark"):
        register_factors("EU", path)


def _formula_book(path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "F", "G"])
    for i, (date, value) in enumerate(zip(MONTHS[:6], [1.0, -2.0, 0.5, 1.5, -1.0, 2.0], strict=True), start=2):
        sheet.append([date.to_pydatetime(), value, f"=B{i}*2"])
    book.save(path)


def test_formula_cells_without_saved_values_are_refused(tmp_path):
    """openpyxl writes formulas without values; they used to become missing values silently."""
    path = tmp_path / "formulas.xlsx"
    _formula_book(path)
    with pytest.raises(XLFactorError, match=r"cell C2 of sheet 'Sheet' holds a formula with no saved value .* save it"):
        register_factors("FORM", path)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_formula_cells_with_values_saved_by_a_spreadsheet_are_read(tmp_path):
    """The same workbook recalculated and saved by LibreOffice carries the values: it registers."""
    source = tmp_path / "src" / "formulas.xlsx"
    source.parent.mkdir()
    _formula_book(source)
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    register_factors("FORM", out / "formulas.xlsx")
    assert load_factors("FORM", "M")["G"].tolist() == [0.02, -0.04, 0.01, 0.03, -0.02, 0.04]


def test_xlsx_error_cells_follow_the_same_rule(tmp_path):
    path = tmp_path / "errors.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "F"])
    for date, value in zip(MONTHS[:4], [1.0, "#N/A", 2.0, 3.0], strict=True):
        sheet.append([date.to_pydatetime(), value])
    book.save(path)
    register_factors("ERRNA", path)
    assert load_factors("ERRNA", "M")["F"].isna().tolist() == [False, True, False, False]
    sheet["B3"] = "#DIV/0!"
    book.save(path)
    with pytest.raises(XLFactorError, match="row 3 has '#DIV/0!', an Excel error value"):
        register_factors("ERRDIV", path)
