"""Excel values -> clean pandas inputs; results -> labelled 2-D lists.

What Excel hands a function differs by runtime; this module accepts all of it:

- **Ranges** arrive as lists of lists (declare them with ``@xw.arg(name, ndim=2,
  err_to_str=True)``); a single cell may arrive unwrapped (a scalar).
- **Blanks** arrive as ``None`` (classic, xlwings' Office.js engine) or ``""``; both are
  missing values (NaN), never zero.
- **Excel error values** arrive as strings (``"#N/A"``, ``"#DIV/0!"``: Office.js, or classic
  with ``err_to_str=True``), Office.js error dicts (``{"type": "Error", "basicValue": "#N/A"}``)
  or classic COM error codes (ints such as ``-2146826246``). All are reported, never blanked.
- **Dates** arrive as datetimes (classic) or Excel serial numbers (Office.js: days since
  1899-12-30); date text such as ``"2024-01-31"`` is accepted too, read by the library's one
  date reader, :func:`xlfactor.data.periods.parse_dates` (same rules as portfolio and factor files).
- **Header rows** are detected: a first row holding text and no numbers gives the labels.

Every problem raises :class:`~xlfactor.errors.XLFactorError` naming the argument and the fix;
:func:`xlfactor.excel.guard.error_text` turns it into the ``#FM! ...`` cell text. Positions in
messages are 1-based within the range the user selected, header row included.

Results go back with :func:`table` (a labelled DataFrame), :func:`record` (label/value
pairs); NaN becomes a blank cell. Both take ``headers``: ``False`` drops the labels.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from xlfactor.data import periods
from xlfactor.errors import XLFactorError

EXCEL_ERRORS = frozenset(
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
        "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
    }
)  # fmt: skip
CLASSIC_ERROR_CODES = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}
_PLAIN_FLOAT_TYPES = frozenset({float, type(None)})
_NUMBER_TYPES = (int, float, np.integer, np.floating)


# ---------------------------------------------------------------- cell classification
def excel_error(value: Any) -> str | None:
    """The Excel error literal (e.g. ``"#N/A"``) if ``value`` is an error in any runtime's form, else None."""
    if isinstance(value, str):
        text = value.strip().upper()
        return text if text in EXCEL_ERRORS else None
    if isinstance(value, dict) and value.get("type") == "Error":
        return str(value.get("basicValue") or f"#{value.get('errorType', 'ERROR')}")
    if type(value) is int and value in CLASSIC_ERROR_CODES:
        return CLASSIC_ERROR_CODES[value]
    return None


def is_blank(value: Any) -> bool:
    """True for an empty cell: ``None`` or a string of only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_number(value: Any) -> bool:
    """True for a real number (not a bool, not an Excel error code)."""
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool) and excel_error(value) is None


def is_label(value: Any) -> bool:
    """True for header text: a non-blank string that is not an Excel error."""
    return isinstance(value, str) and not is_blank(value) and excel_error(value) is None


def cell_position(arg: str, row: int, col: int, shape: tuple[int, int]) -> str:
    """``"<arg>: <cell_place>"``: the argument and the cell's place in the user's range."""
    return f"{arg}: {cell_place(row, col, shape)}"


def cell_place(row: int, col: int, shape: tuple[int, int]) -> str:
    """Human position of a cell inside the user's range (1-based; ``row``, ``col`` 0-based, header row included)."""
    if shape[1] == 1:
        return f"cell {row + 1} of the range"
    if shape[0] == 1:
        return f"cell {col + 1} of the range"
    return f"row {row + 1}, column {col + 1} of the range"


def _bad_cell(arg: str, value: Any, row: int, col: int, shape: tuple[int, int], expected: str) -> XLFactorError:
    where = cell_position(arg, row, col, shape)
    error = excel_error(value)
    if error is not None:
        return XLFactorError(
            f"{where} holds the Excel error {error}; fix that cell or clear it (blank cells count as missing)"
        )
    meant = number_text(value)
    if meant is not None:
        return _number_as_text(where, value, meant)
    return XLFactorError(f"{where} holds {value!r}; this range must hold {expected} (leave missing values blank)")


_NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)(%?)$")


def number_text(value: Any) -> float | None:
    """The number a text cell spells, when it is written as a percentage or a decimal ("30%" -> 0.3,
    "0.3" -> 0.3); None otherwise. Whole numbers without "%" ("7203") are not taken: they may be
    names (tickers)."""
    if not isinstance(value, str):
        return None
    match = _NUMBER_TEXT.match(value.strip().replace(" ", ""))
    if match is None or not (match.group(2) or "." in match.group(1)):
        return None
    number = float(value.strip().replace(" ", "").rstrip("%"))
    return number / 100 if match.group(2) else number


def _number_as_text(where: str, value: str, meant: float) -> XLFactorError:
    return XLFactorError(
        f"{where} holds the text {value!r}, not a number; enter the number {meant:.10g} "
        "(Excel stored this cell as text: retype it, or format the cell as a number)"
    )


# ---------------------------------------------------------------- shapes
def grid(value: Any, arg: str) -> list[list[Any]]:
    """Any argument value as a rectangular 2-D list (a scalar becomes 1x1, a flat list one column).

    A list of lists is returned as it is (not copied): callers only read and slice it."""
    if value is None:
        raise XLFactorError(f"{arg}: the range is empty; select the cells that hold the data")
    if isinstance(value, (list, tuple)):
        if not value:
            raise XLFactorError(f"{arg}: the range is empty; select the cells that hold the data")
        if all(type(row) is list for row in value):
            rows = value
        elif all(isinstance(row, (list, tuple)) for row in value):
            rows = [list(row) for row in value]
        else:
            return [[v] for v in value]
        width = len(rows[0])
        if not width or any(len(row) != width for row in rows):
            raise XLFactorError(f"{arg}: rows have different lengths; select a rectangular range")
        return rows
    return [[value]]


def drop_blank_tail(rows: list[list[Any]], *, columns: bool = False) -> list[list[Any]]:
    """``rows`` without trailing rows (and with ``columns``, trailing columns) whose every cell is blank.

    A range selected larger than its data is common; interior blanks are kept (missing values).
    At least one row (column) is always kept.
    """
    end = len(rows)
    while end > 1 and all(is_blank(v) for v in rows[end - 1]):
        end -= 1
    rows = rows[:end]
    if columns:
        width = len(rows[0])
        while width > 1 and all(is_blank(r[width - 1]) for r in rows):
            width -= 1
        rows = [r[:width] for r in rows]
    return rows


@dataclass(frozen=True)
class Grid:
    """A range argument parsed once: its rectangular rows and whether the first is a header.

    Every reader of a range of several kinds of cells (:func:`grid_dates`) starts from a Grid,
    so the raw cells are walked once per call. Date grids (``Grid.of(..., dates=True)``)
    hold one column (a row of dates is turned into a column; ``was_row`` says so) and use
    the date header rule (:func:`date_header`).

    Attributes
    ----------
    arg : str
        The argument's name, for messages.
    rows : list of lists
        Every row, header included.
    header : bool
        True when ``rows[0]`` is a header row.
    was_row : bool
        For dates: the range was a single row.
    """

    arg: str
    rows: list[list[Any]]
    header: bool
    was_row: bool = False

    @classmethod
    def of(cls, value: Any, arg: str, *, dates: bool = False) -> Grid:
        """Parse a raw argument (a 2-D or flat list, or a scalar); with ``dates``, a single row or column of dates."""
        rows = grid(value, arg)
        if not dates:
            return cls(arg, rows, has_header(rows))
        if len(rows[0]) != 1 and len(rows) != 1:
            raise XLFactorError(f"{arg}: give a single column of dates, not {len(rows)} x {len(rows[0])} cells")
        was_row = len(rows[0]) != 1
        if was_row:
            rows = [[v] for v in rows[0]]
        return cls(arg, rows, date_header([rows[0][0], rows[1][0]] if len(rows) > 1 else [rows[0][0]], arg), was_row)

    @property
    def body(self) -> list[list[Any]]:
        """The data rows (header row left out)."""
        return self.rows[1:] if self.header else self.rows

    @property
    def filled(self) -> int:
        """Data rows up to the last one with a non-blank cell (at least 1)."""
        return max(len(drop_blank_tail(self.rows)) - self.header, 1)

    def head(self, n: int) -> Grid:
        """The grid with its header and only its first ``n`` data rows."""
        return Grid(self.arg, self.rows[: self.header + n], self.header, self.was_row)


def single(value: Any, arg: str) -> Any:
    """The one value of a single-cell argument (``[[x]]`` and ``[x]`` are unwrapped)."""
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            rows = grid(value, arg)
            raise XLFactorError(f"{arg}: expected a single value, got a range of {len(rows)} x {len(rows[0])} cells")
        value = value[0]
    return value


def has_header(rows: Sequence[Sequence[Any]]) -> bool:
    """A first row is a header when it holds text, no numbers (:func:`header_row`), and data rows follow."""
    return len(rows) > 1 and header_row(rows[0])


def header_row(first: Sequence[Any]) -> bool:
    """True for a row of labels: it holds text and no numbers."""
    return any(is_label(v) for v in first) and not any(is_number(v) for v in first)


def _labels(header: Sequence[Any] | None, width: int, arg: str, default: str, *, what: str = "header") -> list[str]:
    if header is None:
        return [f"{default} {j + 1}" for j in range(width)]
    for j, v in enumerate(header):
        where = f"cell {j + 1} of the {what}" if len(header) > 1 else f"the {what} cell"
        error = excel_error(v)
        if error is not None:
            raise XLFactorError(
                f"{arg}: {where} holds the Excel error {error}; type the name there (or clear it for "
                f'"{default} {j + 1}")'
            )
        if number_text(v) is not None:  # "0.012" typed as text would otherwise become a name
            place = cell_position(arg, 0, j, (2, len(header))) if what == "header" else f"{arg}: {where}"
            raise _number_as_text(place, v, number_text(v))
    labels = [str(v).strip() if is_label(v) else f"{default} {j + 1}" for j, v in enumerate(header)]
    seen: set[str] = set()
    for name in labels:
        if name in seen:
            item = "column" if what == "header" else "row"
            raise XLFactorError(f"{arg}: the {what} repeats {name!r}; give each {item} a distinct name")
        seen.add(name)
    return labels


# ---------------------------------------------------------------- numbers
def number_matrix(rows: list[list[Any]], arg: str, *, row_offset: int = 0) -> np.ndarray:
    """A float matrix from a 2-D list of numbers and blanks (NaN); anything else raises.

    ``row_offset`` is added to row numbers in messages (1 when a header row was removed).
    """
    kinds = {type(v) for row in rows for v in row}
    if kinds <= _PLAIN_FLOAT_TYPES:  # fast path: floats and blanks only
        return np.array(rows, dtype=float)
    shape = (len(rows) + row_offset, len(rows[0]))
    out = np.empty((len(rows), len(rows[0])), dtype=float)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if is_blank(v):
                out[i, j] = np.nan
            elif is_number(v):
                out[i, j] = float(v)
            else:
                if j == 0 and _transposed(rows):
                    raise XLFactorError(
                        f"{arg}: the range looks transposed (names down its first column, one row per series); "
                        "transpose it (Paste Special > Transpose) so that each series is a column with its name on top"
                    )
                raise _bad_cell(arg, v, i + row_offset, j, shape, "numbers")
    return out


def _transposed(rows: list[list[Any]]) -> bool:
    """True for a numeric range laid out sideways: a text label starting every row, numbers or blanks after it."""
    return (
        len(rows[0]) > 1
        and all(is_label(r[0]) for r in rows)
        and all(is_blank(v) or is_number(v) for r in rows for v in r[1:])
    )


@dataclass(frozen=True)
class Numbers:
    """A numeric range read once (:func:`read_numbers`).

    Attributes
    ----------
    arg : str
        The argument's name, for messages.
    values : np.ndarray
        The data rows (header left out, trailing blank rows kept) as floats, NaN for a blank cell.
    labels : pd.Index
        Column labels: the header's, or ``"<label> 1"``, ...
    header : bool
        True when the range's first row is a header.
    filled : int
        Data rows up to the last one holding a number (at least 1).
    names : tuple of str
        ``labels`` as a tuple.
    """

    arg: str
    values: np.ndarray
    labels: pd.Index
    header: bool
    filled: int
    names: tuple[str, ...] = ()


#: The cell types of a range of numbers and blanks that numpy converts as Excel means them (None -> NaN).
_PLAIN_NUMBER_TYPES = frozenset({float, int, type(None)})
_NONE = type(None)


def read_numbers(value: Any, arg: str, *, label: str = "Asset") -> Numbers:
    """A numeric range (a raw argument) read once: its float matrix, column labels and layout (:class:`Numbers`).

    A first row of text and no numbers is the header (:func:`has_header`). Blank cells are NaN.
    Text, booleans or Excel errors in the data rows raise, naming the cell (a range laid out
    sideways is told to be transposed). A range of numbers and blanks, as every runtime sends
    one, is converted by numpy in one step; anything else cell by cell (:func:`number_matrix`).
    """
    rows = value
    plain = type(rows) is list and rows and set(map(type, rows)) == {list} and len(set(map(len, rows))) == 1
    if not (plain and rows[0]):
        rows = grid(value, arg)  # a scalar, a flat list, tuples, ragged or empty rows: checked and named
    first = rows[0]
    header = len(rows) > 1 and str in set(map(type, first)) and header_row(first)
    body = rows[1:] if header else rows
    kinds = set(map(type, chain.from_iterable(body)))
    codes = int in kinds and not CLASSIC_ERROR_CODES.keys().isdisjoint(chain.from_iterable(body))
    width = len(first)
    if kinds <= _PLAIN_NUMBER_TYPES and not codes:  # numbers and blanks (None -> NaN) in one step
        cells = chain.from_iterable(body)
        flat = np.array(list(cells), dtype=float) if _NONE in kinds else np.fromiter(cells, float, len(body) * width)
        values = flat.reshape(len(body), width)
    else:
        values = number_matrix(body, arg, row_offset=int(header))
    if values[-1].size and not np.isnan(values[-1]).all():  # the usual range: data to its last row
        filled = len(values)
    else:
        present = np.flatnonzero(~np.isnan(values).all(axis=1))
        filled = int(present[-1]) + 1 if present.size else 1
    labels, names = _column_labels(first, header, width, arg, label)
    return Numbers(arg, values, labels, header, filled, names)


def _column_labels(first: list, header: bool, width: int, arg: str, label: str) -> tuple[pd.Index, tuple[str, ...]]:
    """The column labels of a numeric range (:func:`_labels` of its header, or ``"<label> 1"``, ...), as a
    pandas Index and a tuple, kept for reuse: a recalculation repeats the same header."""
    try:
        return _label_index(tuple(first) if header else None, width, arg, label)
    except TypeError:  # an unhashable header cell (an Office.js error dict): no reuse
        names = tuple(_labels(first if header else None, width, arg, label))
        return pd.Index(names), names


@functools.lru_cache(maxsize=1024)
def _label_index(header: tuple | None, width: int, arg: str, label: str) -> tuple[pd.Index, tuple[str, ...]]:
    """:func:`_column_labels`, once per header (an Index is immutable; a refused header raises and is not kept)."""
    names = tuple(_labels(header, width, arg, label))
    return pd.Index(names), names


def numbers(value: Any, arg: str, *, label: str = "Asset") -> pd.DataFrame:
    """A numeric range (raw, a :class:`Grid` or :class:`Numbers`) as a DataFrame (columns = header labels or
    ``"<label> 1"``, ...; RangeIndex).

    Blank cells are NaN. Text, booleans or Excel errors in the data rows raise, naming the cell.
    """
    if not isinstance(value, Numbers):
        value = read_numbers(value.rows if isinstance(value, Grid) else value, arg, label=label)
    cells = value
    return pd.DataFrame(cells.values, columns=cells.labels, copy=False)


def _tall(rows: list[list[Any]], arg: str) -> list[list[Any]]:
    """A vector range in column form: one column, or a label column and a value column."""
    n_rows, n_cols = len(rows), len(rows[0])
    if n_cols == 1:
        return rows
    if n_rows == 1 or (n_rows == 2 and all(is_label(v) or is_blank(v) for v in rows[0])):
        rows = [list(col) for col in zip(*rows, strict=True)]
        n_cols = len(rows[0])
    if n_cols == 2 and all(is_label(r[0]) for r in rows[1:]):
        return rows
    if n_cols == 1:
        return rows
    raise XLFactorError(f"{arg}: give a single row or column of numbers, not {n_rows} x {len(rows[0])} cells")


LABELS_GIVEN, LABEL_FROM_HEADER, NO_LABELS = "given", "header", "none"


def labelled_vector(value: Any, arg: str, *, label: str = "Value") -> tuple[pd.Series, str]:
    """A one-row or one-column numeric range as a Series named ``arg``, and where its labels came from.

    Accepted layouts: a column (a text cell on top is a header and skipped), a row, a label
    column beside a value column, or a row of labels above a row of values. Trailing blank
    rows and columns (a range selected larger than the data) are dropped; other blanks are NaN.

    The second value says where the index came from: ``LABELS_GIVEN`` (a label column or
    row), ``LABEL_FROM_HEADER`` (a single value under or beside one text cell, e.g.
    ``"Mkt-RF", -0.1``: the text is its label, or a column title) or ``NO_LABELS`` (index
    ``"<label> 1"``, ``"<label> 2"``, ... generated here, never the user's text).
    """
    rows = _tall(drop_blank_tail(grid(value, arg), columns=True), arg)
    header = has_header(rows)
    meant = number_text(rows[0][-1]) if header else None
    if meant is not None:  # a number typed as text ("30%") on top is a value, not a title or an asset name
        raise _number_as_text(cell_position(arg, 0, len(rows[0]) - 1, (len(rows), len(rows[0]))), rows[0][-1], meant)
    body = rows[1:] if header else rows
    offset = 1 if header else 0
    if len(rows[0]) == 1:
        values = number_matrix(body, arg, row_offset=offset)[:, 0]
        if header and len(values) == 1:
            return pd.Series(values, index=[str(rows[0][0]).strip()], name=arg), LABEL_FROM_HEADER
        return pd.Series(values, index=_labels(None, len(values), arg, label), name=arg), NO_LABELS
    values = number_matrix([[r[1]] for r in body], arg, row_offset=offset)[:, 0]
    index = _labels([r[0] for r in body], len(values), arg, label, what="label column")
    return pd.Series(values, index=index, name=arg), LABELS_GIVEN


def vector(value: Any, arg: str, *, label: str = "Value") -> pd.Series:
    """:func:`labelled_vector` without the origin of the labels."""
    return labelled_vector(value, arg, label=label)[0]


# ---------------------------------------------------------------- dates
def excel_dates(cells: Sequence[Any], arg: str, where: Callable[[int], str]) -> pd.DatetimeIndex:
    """Date cells as a DatetimeIndex: :func:`xlfactor.data.periods.parse_dates` with numbers read as
    Excel serials, ``arg`` naming the argument and ``where(i)`` cell ``i``; repeats are kept.

    The one date reader of every date argument (``dates`` ranges, long tables, single date options).
    When it refuses the cells and one of them holds an Excel error, that error is named instead.
    """
    try:
        return periods.parse_dates(cells, arg, numbers=periods.SERIAL, where=where)
    except XLFactorError:
        for i, v in enumerate(cells):
            error = excel_error(v)
            if error is not None:
                raise XLFactorError(
                    f"{where(i)} holds the Excel error {error}; fix that cell or clear it "
                    "(blank cells count as missing)"
                ) from None
        raise


def date_header(cells: Sequence[Any], arg: str) -> bool:
    """True when the first of several date cells is a header (text not written as a date, see
    :func:`xlfactor.data.periods.is_date_text`)."""
    return len(cells) > 1 and is_label(cells[0]) and not periods.is_date_text(cells[0].strip())


def dates(value: Any, arg: str = "dates") -> pd.DatetimeIndex:
    """A single row or column of dates (datetimes, Excel serials or date text) as a DatetimeIndex.

    A leading text cell that is not a date is taken as a header and skipped. Blanks,
    duplicates, non-dates, numbers outside Excel's date serials, two-digit years and day/month
    text whose order no cell of the column decides (or that mixes both orders) raise.
    """
    return grid_dates(Grid.of(value, arg, dates=True))


def grid_dates(cells: Grid) -> pd.DatetimeIndex:
    """:func:`dates` of a date :class:`Grid`."""
    arg, start, shape = cells.arg, int(cells.header), (len(cells.rows), 1)
    index = excel_dates([r[0] for r in cells.body], arg, lambda i: cell_position(arg, i + start, 0, shape))
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise XLFactorError(f"{arg}: the date {dup:%Y-%m-%d} appears twice; give one row per date")
    return index.rename(None)


# ---------------------------------------------------------------- options
def date_option(value: Any, arg: str) -> pd.Timestamp | None:
    """A single date (datetime, serial or date text, as :func:`dates`); blank gives None."""
    value = single(value, arg)
    return None if is_blank(value) else excel_dates([value], arg, lambda _: arg)[0]


def text_option(value: Any, arg: str, choices: Iterable[str], default: str) -> str:
    """A text option matched case-insensitively against ``choices``; blank gives ``default``."""
    value = single(value, arg)
    if is_blank(value):
        return default
    allowed = {c.lower(): c for c in choices}
    if isinstance(value, str) and value.strip().lower() in allowed:
        return allowed[value.strip().lower()]
    raise XLFactorError(f"{arg}: {value!r} is not one of {', '.join(allowed.values())}")


def number_option(
    value: Any,
    arg: str,
    default: float | None,
    *,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    inclusive: bool = True,
) -> float | int | None:
    """A numeric option; blank gives ``default``. ``low``/``high`` bound it (``inclusive`` or strict)."""
    value = single(value, arg)
    if is_blank(value):
        return default
    if not is_number(value):
        error = excel_error(value)
        what = f"the Excel error {error}" if error else repr(value)
        raise XLFactorError(f"{arg}: expected a number, got {what}")
    number = float(value)
    if integer:
        if number != int(number):
            raise XLFactorError(f"{arg}: expected a whole number, got {number:g}")
        number = int(number)
    below = low is not None and (number < low if inclusive else number <= low)
    above = high is not None and (number > high if inclusive else number >= high)
    if below or above:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        brackets = "[]" if inclusive else "()"
        raise XLFactorError(f"{arg}: {number:g} is outside {brackets[0]}{lo}, {hi}{brackets[1]}")
    return number


def flag(value: Any, arg: str, default: bool) -> bool:
    """A TRUE/FALSE option (also 1/0 or the text TRUE/FALSE); blank gives ``default``."""
    value = single(value, arg)
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    if is_number(value) and float(value) in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE"
    raise XLFactorError(f"{arg}: expected TRUE or FALSE, got {value!r}")


def model_name(value: Any) -> str | None:
    """The model name (stripped, case kept) if a factor argument is a single text cell, else None."""
    if type(value) is list and len(value) == 1 and type(value[0]) is list and len(value[0]) == 1:
        value = value[0][0]  # the common case, one cell as xlwings passes it
    elif isinstance(value, (list, tuple)):
        rows = grid(value, "factors")
        if len(rows) != 1 or len(rows[0]) != 1:
            return None
        value = rows[0][0]
    return value.strip() if is_label(value) else None


# ---------------------------------------------------------------- results
def cell(value: Any) -> Any:
    """One Python value as an Excel cell value: NaN/NaT/None -> blank, numpy -> Python, Timestamp -> datetime."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _values(frame: pd.DataFrame) -> list[list[Any]]:
    values = frame.to_numpy()
    if values.dtype.kind not in "fiu" and _numeric_columns(frame):  # e.g. nullable Float64 with <NA>
        values = frame.to_numpy(dtype=float)
    if values.dtype.kind in "fiu":
        return [[None if x != x else x for x in row] for row in values.astype(float, copy=False).tolist()]
    return [[cell(x) for x in row] for row in frame.to_numpy(dtype=object).tolist()]


def _numeric_columns(frame: pd.DataFrame) -> bool:
    return all(pd.api.types.is_float_dtype(t) or pd.api.types.is_integer_dtype(t) for t in frame.dtypes)


def table(frame: pd.DataFrame, headers: bool = True, *, corner: str = "") -> list[list[Any]]:
    """A DataFrame as a 2-D list: with ``headers``, a label row (``corner`` + columns) and a label column."""
    body = _values(frame)
    if not headers:
        return body if body else [[None]]
    top = [corner, *[cell(c) if not isinstance(c, str) else c for c in frame.columns.tolist()]]
    return [top, *[[cell(label), *row] for label, row in zip(frame.index.tolist(), body, strict=True)]]


def record(items: Mapping[str, Any], headers: bool = True, *, title: str = "") -> list[list[Any]]:
    """Label/value pairs as a two-column 2-D list (one column without ``headers``).

    ``title`` (if given and ``headers``) is a first row ``[title, ""]``.
    """
    if not headers:
        return [[cell(v)] for v in items.values()]
    rows = [[k, cell(v)] for k, v in items.items()]
    return [[title, ""], *rows] if title else rows
