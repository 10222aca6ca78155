"""A user's own factor file (CSV or XLSX) registered under a name, then used like ``"FF5"``.

The file has one date column (the first, unless ``date_column`` names another) and
one column per factor (an ``RF`` column is kept as the risk-free rate). The
numbers are stored in the cache (decimals) and a normalised copy is kept in
``$XLFACTOR_DATA_DIR/user_factors/<name>.csv`` so the factors survive a rebuild
of a corrupted cache.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from xlfactor.data import cache
from xlfactor.data.catalog import DATASETS, MODELS
from xlfactor.data.periods import DIGITS, parse_dates, period_labels
from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import frequency_code, periods_per_year

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,39}$")
_UNITS = {"percent": 100.0, "decimal": 1.0}


def register_factors(
    name: str,
    path: str | os.PathLike,
    *,
    units: str = "percent",
    date_column: str | None = None,
    sheet: str | int | None = None,
) -> dict:
    """Read, validate and store a factor file; afterwards ``load_factors(name, freq)`` returns it.

    Parameters
    ----------
    name : str
        Letters, digits, ``_`` or ``-`` (up to 40, starting with a letter); not a
        built-in model name. Registering an existing name replaces it.
    path : path-like
        A ``.csv`` or ``.xlsx`` file: a header row, then one row per date.
    units : {"percent", "decimal"}
        How the file states returns: ``1.5`` meaning 1.5% ("percent", as French
        does) or ``0.015`` ("decimal"). Stored as decimals.
    date_column : str, optional
        The date column's header (default: the first column).
    sheet : str or int, optional
        XLSX sheet (default: the first).

    Returns
    -------
    dict
        :func:`factor_info` of the registered factors at their own frequency.

    Raises
    ------
    XLFactorError
        Bad name or units; unreadable file; dates that do not parse, repeat or
        decrease; non-numeric cells (row and column named); decimals over 100%.
    """
    from xlfactor.data.loader import factor_info

    if not isinstance(name, str) or not _NAME.match(name):
        raise XLFactorError(f"name: {name!r} must start with a letter and use only letters, digits, _ or - (max 40)")
    if name.upper() in MODELS or name.lower() in DATASETS:
        raise XLFactorError(f"name: {name!r} is a built-in model or French dataset name; choose another name")
    if units not in _UNITS:
        raise XLFactorError(f"units: {units!r} is not one of 'percent' (1.5 = 1.5%) or 'decimal' (0.015 = 1.5%)")
    source = Path(path).expanduser()
    table = _read_table(source, sheet)
    record = _record(name, table, units, date_column, f"{source.resolve()}", hashlib.sha256(source.read_bytes()))
    _save_copy(record)
    cache.write_records([record])
    return factor_info(name, record.freq)


def restore_user_factors() -> None:
    """Re-store every normalised copy under ``user_factors/`` (after a cache rebuild)."""
    folder = cache.data_dir() / cache.USER_DIR
    records = []
    for copy in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        try:
            table = _read_table(copy, None)
            records.append(
                _record(copy.stem, table, "decimal", None, f"{copy} (restored copy)", hashlib.sha256(copy.read_bytes()))
            )
        except XLFactorError as exc:
            warnings.warn(
                f"xlfactor: could not restore registered factors {copy.stem!r}: {exc}", RuntimeWarning, stacklevel=2
            )
    cache.write_records(records)


def _read_table(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The file as a DataFrame of objects (strings, numbers, datetimes), blank cells as NaN."""
    from openpyxl.utils.exceptions import InvalidFileException  # here: the Excel functions never need openpyxl

    if not path.is_file():
        raise XLFactorError(f"path: {str(path)!r} is not a file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, skipinitialspace=True)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, InvalidFileException, EOFError):
        raise XLFactorError(f"path: {str(path)!r} is not a readable {suffix} file; save it from Excel as "
                            "an .xlsx workbook (or as .csv)") from None
    except (ValueError, OSError, KeyError, pd.errors.ParserError) as exc:
        raise XLFactorError(f"path: could not read {path.name}: {exc}") from None
    raise XLFactorError(f"path: {path.name} is not a .csv or .xlsx file")


def _record(name: str, table: pd.DataFrame, units: str, date_column: str | None, source: str, digest) -> cache.Record:
    """Validate the table and build the cache record (decimals, period-end stamps for M/Q/A)."""
    table = table.rename(columns=lambda c: str(c).strip())
    if date_column is None:
        if table.shape[1] == 0:
            raise XLFactorError(f"path: {source} has no columns")
        date_column = table.columns[0]
    if date_column not in table.columns:
        raise XLFactorError(f"date_column: {date_column!r} is not a column; columns are {list(table.columns)}")
    factors = table.drop(columns=[date_column])
    if factors.shape[1] == 0:
        raise XLFactorError(f"path: {source} has a date column but no factor columns")
    if len(table) < 2:
        raise XLFactorError(f"path: {source} needs at least two rows of data")
    dates = _parse_dates(table[date_column])
    raw = _parse_numbers(factors)
    _check_units(raw, units)
    values = raw / _UNITS[units]
    code = frequency_code(periods_per_year(dates))
    labels = period_labels(dates, code) if code in ("M", "Q", "A") else dates
    if labels.has_duplicates:
        repeated = dates[labels.duplicated(keep=False)]
        raise XLFactorError(
            f"dates: {', '.join(f'{d:%Y-%m-%d}' for d in repeated[:6])} fall in the same period; "
            "keep one row per period"
        )
    frame = pd.DataFrame(values, index=pd.DatetimeIndex(labels, name="date"), columns=list(factors.columns))
    return cache.Record(
        name=name,
        kind="user",
        origin="file",
        freq=code,
        source=source,
        vintage=None,
        sha256=digest.hexdigest(),
        frame=frame,
    )


def _check_units(raw: np.ndarray, units: str) -> None:
    """Refuse numbers whose size contradicts the declared units (a silent 100x error otherwise).

    Decimal factor returns above 1 in absolute value (over 100% in one period) are percent;
    percent factor returns that all stay below 0.5 in absolute value (under 0.5% in every
    period, for every factor) are decimals: real factor files in percent exceed that.
    """
    largest = float(np.nanmax(np.abs(raw)))
    if units == "decimal" and largest > 1.0:
        raise XLFactorError("units: values above 1 (over 100% in one period) look like percent; pass units='percent'")
    if units == "percent" and largest < 0.5:
        raise XLFactorError(
            f"units: every value is below 0.5 in absolute size (largest {largest:g}), which looks like decimal "
            "returns (0.01 = 1%); pass units='decimal'"
        )


def _parse_dates(column: pd.Series) -> pd.DatetimeIndex:
    """Dates (see :func:`xlfactor.data.periods.parse_dates`), at midnight, strictly increasing."""
    index = parse_dates(column.tolist(), "dates", numbers=DIGITS).normalize().as_unit("us")  # as stored models
    steps = np.diff(index.asi8)
    if (steps <= 0).any():
        k = int(np.flatnonzero(steps <= 0)[0])
        raise XLFactorError(
            f"dates: must be strictly increasing; row {k + 3} ({index[k + 1]:%Y-%m-%d}) follows {index[k]:%Y-%m-%d}"
        )
    return index


def _parse_numbers(factors: pd.DataFrame) -> np.ndarray:
    """Float values; blank cells become NaN; anything else that is not a number is an error."""
    numbers = factors.apply(pd.to_numeric, errors="coerce")
    blank = factors.isna() | factors.astype(str).apply(lambda s: s.str.strip() == "")
    bad = numbers.isna() & ~blank
    if bad.to_numpy().any():
        row, col = (int(v[0]) for v in np.nonzero(bad.to_numpy()))
        raise XLFactorError(
            f"factors: column {factors.columns[col]!r} row {row + 2} has "
            f"{factors.iat[row, col]!r}, not a number; leave missing values blank"
        )
    return numbers.to_numpy(dtype=float)


def _save_copy(record: cache.Record) -> None:
    """Write the decimals to ``user_factors/<name>.csv`` atomically (exact float text)."""
    folder = cache.data_dir() / cache.USER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):  # names are case-insensitive: drop FOO.csv when saving foo
        if old.stem.lower() == record.name.lower():
            old.unlink()
    target = folder / f"{record.name}.csv"
    tmp = target.with_suffix(".tmp")
    record.frame.to_csv(tmp, date_format="%Y-%m-%d", float_format="%.17g")
    os.replace(tmp, target)
