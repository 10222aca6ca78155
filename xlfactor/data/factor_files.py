"""A user's factor file (CSV or XLSX) read into a cache :class:`~xlfactor.data.records.Record`.

This module stores nothing. The file has a header row, one date column (the
first, unless named) and one column per factor; a column headed ``RF`` (any case)
is the risk-free rate and is stored as ``RF``.

Rules, checked cell by cell and column by column:

- **Missing values.** A cell is missing when it is blank or reads ``NA``, ``N/A``,
  ``#N/A``, ``null`` or ``NaN`` (any case; :data:`MISSING_TOKENS`). Any other
  text is refused, Excel error values such as ``#DIV/0!`` or ``#VALUE!`` included
  (they mean a broken formula, not a missing value), and so are ``inf`` and booleans.
- **Formulas.** An XLSX formula cell must carry the value Excel saved with it; a
  workbook written by a program without Excel has none, and is refused.
- **Units.** ``units`` states how the file writes returns; every factor column
  must look like it (:func:`check_column_units`), so a mixed file is refused.
- **Separators.** A CSV must separate fields with ``,``; a ``;`` or tab file is
  refused with the fix.
"""

from __future__ import annotations

import hashlib
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from xlfactor.data.periods import DIGITS, parse_dates, period_labels
from xlfactor.data.records import Record
from xlfactor.errors import XLFactorError
from xlfactor.models import RF_COLUMN
from xlfactor.models.frequency import frequency_code, periods_per_year
from xlfactor.models.units import check_not_percent

UNITS = {"percent": 100.0, "decimal": 1.0}
MISSING_TOKENS = frozenset({"", "na", "n/a", "#n/a", "null", "nan"})
#: A factor column declared in percent whose median absolute value is below this (0.05% a
#: period) and whose largest stays below 1 looks like decimals: real factors in percent have a
#: median size of 0.14 (daily CMA) to 3 (monthly market), decimal ones 0.001 to 0.035.
DECIMAL_LIKE_MEDIAN = 0.05
_EXCEL_ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")
_MISSING_RULE = "leave missing values blank (or write NA)"


def read_factor_file(
    path: Path,
    *,
    name: str,
    units: str,
    date_column: str | None = None,
    sheet: str | int | None = None,
    source: str | None = None,
) -> Record:
    """Read, validate and convert a factor file to a ``kind="user"`` record (decimals).

    Returns
    -------
    Record
        ``frame``: decimals (``value / 100`` for percent files), index = the dates
        as period ends for monthly/quarterly/annual data; ``sha256`` of the file bytes.

    Raises
    ------
    XLFactorError
        Unreadable file, dates that do not parse, repeat or decrease, cells that
        are not numbers under the rules above (row and column named), a column
        whose size contradicts ``units``.
    """
    if units not in UNITS:
        raise XLFactorError.at("units", f"{units!r} is not one of 'percent' (1.5 = 1.5%) or 'decimal' (0.015 = 1.5%)")
    table = _read_table(path, sheet)
    source = source or str(path.resolve())
    table = table.rename(columns=_column_name)
    if table.columns.has_duplicates:
        repeated = sorted({c for c in table.columns if list(table.columns).count(c) > 1})
        raise XLFactorError.at("path", f"{path.name} has more than one column headed {', '.join(map(repr, repeated))}")
    if date_column is None:
        if table.shape[1] == 0:
            raise XLFactorError.at("path", f"{source} has no columns")
        date_column = table.columns[0]
    if date_column not in table.columns:
        raise XLFactorError.at("date_column", f"{date_column!r} is not a column; columns are {list(table.columns)}")
    factors = table.drop(columns=[date_column])
    if factors.shape[1] == 0:
        raise XLFactorError.at("path", f"{source} has a date column but no factor columns")
    if list(factors.columns) == [RF_COLUMN]:
        raise XLFactorError.at(
            "path", f"{source} holds only the risk-free rate (RF); add at least one factor column beside it"
        )
    if len(table) < 2:
        raise XLFactorError.at("path", f"{source} needs at least two rows of data")
    dates = _parse_dates(table[date_column])
    columns = {}
    for column in factors.columns:
        values = _column_numbers(factors[column], column)
        check_column_units(values, column, units)
        columns[column] = values / UNITS[units]
    code = frequency_code(periods_per_year(dates))
    labels = period_labels(dates, code) if code in ("M", "Q", "A") else dates
    if labels.has_duplicates:
        repeated = dates[labels.duplicated(keep=False)]
        raise XLFactorError.at(
            "dates",
            f"{', '.join(f'{d:%Y-%m-%d}' for d in repeated[:6])} fall in the same period; keep one row per period",
        )
    frame = pd.DataFrame(columns, index=pd.DatetimeIndex(labels, name="date"))
    return Record(
        name=name,
        kind="user",
        origin="file",
        freq=code,
        source=source,
        vintage=None,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        frame=frame,
    )


def check_column_units(values: np.ndarray, column: str, units: str) -> None:
    """Refuse a factor column whose size contradicts the declared ``units`` (a silent 100x error).

    ``units="decimal"``: a column with any ``|x| > 1`` (over 100% in one period) or
    whose median size says percent (:func:`xlfactor.models.units.check_not_percent`)
    is refused. ``units="percent"``: a factor column with ``median |x| <``
    :data:`DECIMAL_LIKE_MEDIAN` and ``max |x| < 1`` is refused. ``RF`` is exempt from
    the second rule: a percent risk-free rate is ``0.00`` for years at a time.
    """
    size = np.abs(values[~np.isnan(values)])
    if not size.size:
        raise XLFactorError.at("factors", f"column {column!r} has no numbers; fill it or remove the column")
    largest, median = float(size.max()), float(np.median(size))
    where = f"factors: column {column!r}"
    if units == "decimal":
        if largest > 1.0:
            raise XLFactorError(
                f"{where} has values above 1 (over 100% in one period), which look like percent; "
                "pass units='percent' if the whole file is in percent, or divide this column by 100"
            )
        check_not_percent(values, where, "; or pass units='percent' if the whole file is in percent")
    elif column != RF_COLUMN and median < DECIMAL_LIKE_MEDIAN and largest < 1.0:
        raise XLFactorError(
            f"{where} looks like decimal returns (0.01 = 1%): median size {median:.3g}, largest {largest:.3g}, "
            f"where percent factor returns are larger; pass units='decimal' if the whole file is in decimals, "
            "or multiply this column by 100"
        )


def _column_name(label: object) -> str:
    text = str(label).strip()
    return RF_COLUMN if text.upper() == RF_COLUMN else text


def _read_table(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The file as a DataFrame of cells (text, numbers, datetimes, None), first row as header."""
    if not path.is_file():
        raise XLFactorError.at("path", f"{str(path)!r} is not a file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    raise XLFactorError.at("path", f"{path.name} is not a .csv or .xlsx file")


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise XLFactorError.at("path", f"could not read {path.name}: {exc}") from None
    header = "".join(map(str, table.columns))
    for sep, label in ((";", "';'"), ("\t", "tabs")):
        if table.shape[1] == 1 and sep in header:
            raise XLFactorError.at(
                "path",
                f"{path.name} separates its fields with {label}, not ',' (Excel writes such CSV files in "
                "many European locales); save it as CSV with ',' between fields and '.' as the decimal mark, "
                "or save it as .xlsx",
            )
    return table


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """Cells of one sheet with the values Excel saved; formula cells without a saved value are refused.

    The formulas are read (a second pass over the file) only when the sheet has empty cells.
    """
    from openpyxl import load_workbook  # here: the Excel functions never need openpyxl

    values_book = _open_workbook(load_workbook, path, data_only=True)
    try:  # read-only workbooks parse each sheet's XML while its rows are read
        names = values_book.sheetnames
        if sheet is None:
            title = names[0]
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            title = names[sheet]
        elif sheet in names:
            title = sheet
        else:
            raise XLFactorError.at("sheet", f"{sheet!r} is not a sheet of {path.name}; sheets are {names}")
        rows = [list(values) for values in values_book[title].iter_rows(values_only=True)]
    except SyntaxError:  # xml.etree's ParseError (and lxml's): a damaged file
        raise _unreadable(path) from None
    finally:
        values_book.close()
    if any(v is None for row in rows for v in row):
        _refuse_unsaved_formulas(_open_workbook(load_workbook, path, data_only=False), title, rows)
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise XLFactorError.at("path", f"sheet {title!r} of {path.name} is empty")
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    header = rows[0]
    keep = [j for j in range(width) if header[j] is not None or any(r[j] is not None for r in rows[1:])]
    return pd.DataFrame([[r[j] for j in keep] for r in rows[1:]], columns=[header[j] for j in keep], dtype=object)


def _open_workbook(load_workbook, path: Path, *, data_only: bool):
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, InvalidFileException, EOFError, KeyError, OSError, SyntaxError):
        raise _unreadable(path) from None


def _unreadable(path: Path) -> XLFactorError:
    return XLFactorError.at(
        "path",
        f"{str(path)!r} is not a readable {path.suffix} file (damaged or not a workbook); save it again "
        "from Excel as an .xlsx workbook (or as .csv)",
    )


def _refuse_unsaved_formulas(formula_book, title: str, rows: list[list]) -> None:
    """Refuse the first formula cell whose saved value (in ``rows``) is empty."""
    from openpyxl.utils import get_column_letter

    try:
        for r, formulas in enumerate(formula_book[title].iter_rows(values_only=True), start=1):
            for c, formula in enumerate(formulas):
                empty = r > len(rows) or c >= len(rows[r - 1]) or rows[r - 1][c] is None
                if empty and isinstance(formula, str) and formula.startswith("="):
                    raise XLFactorError.at(
                        "path",
                        f"cell {get_column_letter(c + 1)}{r} of sheet {title!r} holds a formula with no saved "
                        "value (the workbook was written by a program, not saved by Excel); open it in Excel and "
                        "save it, or paste the values",
                    )
    finally:
        formula_book.close()


def _parse_dates(column: pd.Series) -> pd.DatetimeIndex:
    """Dates (see :func:`xlfactor.data.periods.parse_dates`), at midnight, strictly increasing."""
    index = parse_dates(column.tolist(), "dates", numbers=DIGITS).normalize().as_unit("us")  # as stored models
    steps = np.diff(index.asi8)
    if (steps <= 0).any():
        k = int(np.flatnonzero(steps <= 0)[0])
        raise XLFactorError.at(
            "dates", f"must be strictly increasing; row {k + 3} ({index[k + 1]:%Y-%m-%d}) follows {index[k]:%Y-%m-%d}"
        )
    return index


def _column_numbers(cells: pd.Series, column: str) -> np.ndarray:
    """Finite floats, NaN for missing cells (the module's rule); anything else is refused."""
    out = np.empty(len(cells))
    for i, cell in enumerate(cells.tolist()):
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            out[i] = np.nan
            continue
        if isinstance(cell, (bool, np.bool_)):
            _refuse(column, i, cell, "a TRUE/FALSE value, not a number")
        if isinstance(cell, (int, float, np.number)):
            number = float(cell)
        else:
            text = str(cell).strip()
            if text.lower() in MISSING_TOKENS:
                out[i] = np.nan
                continue
            if text.upper() in _EXCEL_ERRORS:
                _refuse(column, i, cell, "an Excel error value (a broken formula), not a number")
            try:
                number = float(text)
            except ValueError:
                _refuse(column, i, cell, "not a number")
        if not math.isfinite(number):
            _refuse(column, i, cell, "not a finite number")
        out[i] = number
    return out


def _refuse(column: str, i: int, cell: object, what: str) -> None:
    raise XLFactorError.at("factors", f"column {column!r} row {i + 2} has {cell!r}, {what}; {_MISSING_RULE}")
