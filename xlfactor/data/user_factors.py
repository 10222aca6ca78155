"""``register_factors``: a user's own factor file (CSV or XLSX) stored under a name, then used like ``"FF5"``.

The file is read and checked by :mod:`xlfactor.data.factor_files` (one date column,
one column per factor, an ``RF`` column in any case kept as the risk-free rate,
units checked column by column, one rule for missing values). The numbers are
stored in the cache (decimals), and the cache keeps a normalised copy in
``$XLFACTOR_DATA_DIR/user_factors/<name>.csv`` so the factors survive a rebuild.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from xlfactor.data import cache
from xlfactor.data.catalog import DATASETS, MODELS
from xlfactor.data.factor_files import read_factor_file
from xlfactor.data.loader import factor_info
from xlfactor.errors import XLFactorError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,39}$")


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
        A ``.csv`` (comma-separated) or ``.xlsx`` file saved by Excel: a header row,
        then one row per date.
    units : {"percent", "decimal"}
        How the file states returns: ``1.5`` meaning 1.5% ("percent", as French
        does) or ``0.015`` ("decimal"). Stored as decimals, ``value / 100`` for
        percent. Every factor column must look like these units: in "decimal" no
        value above 1 and no percent-sized median; in "percent" no column (other
        than ``RF``) with a median size below 0.05 and no value above 1.
    date_column : str, optional
        The date column's header (default: the first column).
    sheet : str or int, optional
        XLSX sheet (default: the first).

    Missing values are blank cells or ``NA``, ``N/A``, ``#N/A``, ``null``, ``NaN``;
    any other text (Excel errors such as ``#DIV/0!`` included), ``inf`` and formula
    cells without a value saved by Excel are refused.

    Returns
    -------
    dict
        :func:`factor_info` of the registered factors at their own frequency.

    Raises
    ------
    XLFactorError
        Bad name or units; unreadable file; dates that do not parse, repeat or
        decrease; cells that are not numbers (row and column named); a column whose
        size contradicts ``units``; a cache that cannot be written (``XLFACTOR_DATA_DIR``).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise XLFactorError.at(
            "name", f"{name!r} must start with a letter and use only letters, digits, _ or - (max 40)"
        )
    if name.upper() in MODELS or name.lower() in DATASETS:
        raise XLFactorError.at("name", f"{name!r} is a built-in model or French dataset name; choose another name")
    record = read_factor_file(Path(path).expanduser(), name=name, units=units, date_column=date_column, sheet=sheet)
    cache.store_user_record(record)
    return factor_info(name, record.freq)
