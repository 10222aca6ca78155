"""Calendar periods shared by loading and alignment: date parsing, week labels, month ends, weekly and
monthly compounding.

A week is the ISO week (Monday to Sunday) and is labelled by its Friday, so the
label of every day from Monday to Sunday is that week's Friday; a month is
labelled by its last calendar day.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError

# What a bare number in a date column means.
SERIAL = "serial"  # an Excel serial: days since 1899-12-30 (what Office.js sends for a date cell)
DIGITS = "digits"  # YYYYMMDD or YYYYMM digits, as in French's files
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Excel serials this library can represent: 1 (1900-01-01) up to the last day pandas holds (2262-04-11).
MAX_SERIAL = float((dt.date(2262, 4, 10) - dt.date(1899, 12, 30)).days)
FIX = "write dates as YYYY-MM-DD"

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})?(?:\.0)?")  # YYYYMMDD / YYYYMM (".0": a number cell as text)
_DAY_MONTH = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?: 0?0:00(?::00)?)?")
_MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE)
_FULL_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")

_DayMonth = tuple[int, int, int, str]  # the two leading numbers, the year and the text, order left to the column


class _NotADate(Exception):
    """One cell's problem; the caller prefixes the cell's location."""


def parse_dates(
    cells: Sequence[object] | pd.Series,
    what: str,
    *,
    numbers: str = DIGITS,
    where: Callable[[int], str] | None = None,
    first_row: int = 2,
) -> pd.DatetimeIndex:
    """Dates from a column of user cells (a file column or an Excel range), refusing every guess.

    One reader for every user-supplied date. Accepted cells:

    - real dates (``datetime``/``date``/``Timestamp``/``numpy.datetime64``; a time zone is dropped);
    - bare numbers, read as ``numbers`` says: ``SERIAL``, an Excel serial ``s`` in ``(0, MAX_SERIAL]``
      giving ``1899-12-30 + s`` days; ``DIGITS``, whole ``YYYYMMDD`` or ``YYYYMM`` numbers;
    - text (see :func:`is_date_text`): ISO ``YYYY-MM-DD`` (also ``/`` or ``.``, optionally with a
      time), ``YYYY-MM``, ``YYYYMMDD``, ``YYYYMM`` (``YYYYMM`` and ``YYYY-MM`` give the month's first
      day), text naming the month with a four-digit year (``31 Jan 2020``, ``Jan 31, 2020``), and
      day/month text ``dd/mm/yyyy`` or ``mm/dd/yyyy`` read for the column as a whole: a first number
      above 12 in any cell proves day-first, a second number above 12 proves month-first; if no cell
      decides the column is ambiguous, if both occur it mixes two orders, and both are refused (so
      ``01/02/2018`` is never silently 2 January or 1 February).

    Two-digit years (``01/02/18``, ``31 Jan 18``) are refused: 1918 or 2018 would be a guess.

    Parameters
    ----------
    cells : the column's cells, top to bottom.
    what : the argument named in messages about the whole column (``"returns"``, ``"dates"``).
    numbers : ``SERIAL`` (Excel ranges) or ``DIGITS`` (files): what a bare number means.
    where : ``where(i)`` names cell ``i`` in messages (e.g. ``"dates: cell 3 of the range"``);
        default ``"<what>: row <i + first_row>"``.
    first_row : the file row of ``cells[0]`` for the default ``where`` (2 below a header row).

    Returns
    -------
    pandas.DatetimeIndex
        Unnamed, nanosecond unit, in the cells' order (repeats kept).

    Raises
    ------
    XLFactorError
        A blank cell, a number or text that is not a date, a two-digit year, an ambiguous or
        mixed day/month order.
    """
    locate = where if where is not None else (lambda i: f"{what}: row {i + first_row}")
    values = cells.tolist() if isinstance(cells, pd.Series) else cells
    if numbers == SERIAL and all(type(v) is float for v in values):  # Office.js fast path: serials
        serials = np.asarray(values, dtype=float)
        if ((serials > 0) & (serials <= MAX_SERIAL)).all():
            nanos = np.round(serials * 86_400e9 + EXCEL_EPOCH.value).astype(np.int64)  # no int64 overflow
            return pd.DatetimeIndex(nanos.view("datetime64[ns]"))
    stamps: list[pd.Timestamp | None] = []
    pending: dict[int, _DayMonth] = {}
    for i, value in enumerate(values):
        try:
            stamp = _one_date(value, numbers)
        except _NotADate as problem:
            raise XLFactorError(f"{locate(i)} {problem}") from None
        if isinstance(stamp, tuple):
            pending[i], stamp = stamp, None
        stamps.append(stamp)
    if pending:
        day_first = _day_month_order(list(pending.values()), what)
        for i, (a, b, year, text) in pending.items():
            try:
                stamps[i] = _ymd(year, *((b, a) if day_first else (a, b)), text)
            except _NotADate as problem:
                raise XLFactorError(f"{locate(i)} {problem}") from None
    return pd.DatetimeIndex(stamps).as_unit("ns")


def is_date_text(text: str) -> bool:
    """True when ``text`` is written as a date in one of :func:`parse_dates`' text forms, valid or not.

    A first cell for which this is False is a header (``"Date"``, ``"Date (2024)"``, ``"Mar 2024 returns"``).
    """
    try:
        return _text_date(text) is not None
    except _NotADate:
        return True


def _one_date(value: object, numbers: str) -> pd.Timestamp | _DayMonth:
    """One cell: its Timestamp, or the numbers of a day/month text left for the column to decide."""
    if (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    ):
        raise _NotADate("is blank; every row needs a date: fill it in or delete the row")
    if isinstance(value, (dt.date, np.datetime64)):  # datetime, date, Timestamp
        stamp = pd.Timestamp(value)
        return _in_range(stamp.tz_localize(None) if stamp.tzinfo else stamp, repr(value))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _serial(float(value)) if numbers == SERIAL else _digits(value)
    if isinstance(value, str):
        found = _text_date(value.strip())
        if found is not None:
            return found
    raise _NotADate(f"has {value!r}, not a date; {FIX}")


def _serial(serial: float) -> pd.Timestamp:
    if not 0 < serial <= MAX_SERIAL:
        raise _NotADate(
            f"holds {serial!r}, which is not an Excel date (serial numbers 1 to {MAX_SERIAL:.0f}, years 1900 to "
            "2262); numbers such as 201901 (YYYYMM) are not dates: use real dates or YYYY-MM-DD"
        )
    return EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")


def _digits(value: object) -> pd.Timestamp:
    if float(value).is_integer():
        found = _COMPACT.fullmatch(str(int(value)))
        if found:
            return _ymd(int(found[1]), int(found[2]), int(found[3] or 1), str(value))
    raise _NotADate(f"has the number {value!r}, not a date (dates as numbers are YYYYMMDD or YYYYMM); {FIX}")


def _text_date(text: str) -> pd.Timestamp | _DayMonth | None:
    """A date written as text, its day/month numbers, or None when ``text`` is not date-like."""
    found = _COMPACT.fullmatch(text)
    if found:
        return _ymd(int(found[1]), int(found[2]), int(found[3] or 1), text)
    found = _ISO.fullmatch(text)
    if found:
        day = _ymd(int(found[1]), int(found[2]), int(found[3]), text)
        return day + pd.Timedelta(found[4] + ":00" * (2 - found[4].count(":"))) if found[4] else day
    found = _YEAR_MONTH.fullmatch(text)
    if found:
        return _ymd(int(found[1]), int(found[2]), 1, text)
    found = _DAY_MONTH.fullmatch(text)
    if found:
        if len(found[3]) == 2:
            raise _two_digit_year(text)
        return int(found[1]), int(found[2]), int(found[3]), text
    if _MONTH_NAME.search(text) and any(ch.isdigit() for ch in text) and not _DAY_MONTH.search(text):
        try:  # month names are unambiguous
            stamp = pd.Timestamp(text)
        except (ValueError, TypeError, OverflowError):  # e.g. a header such as "Mar 2024 returns"
            return None
        if not _FULL_YEAR.search(text):
            raise _two_digit_year(text)
        return _in_range(stamp, repr(text))
    return None


def _two_digit_year(text: str) -> _NotADate:
    return _NotADate(
        f"has {text!r}, without a four-digit year (a two-digit year such as 18 could be 1918 or "
        f"2018, so it is refused); {FIX}"
    )


def _day_month_order(parts: list[_DayMonth], what: str) -> bool:
    """True for day-first, False for month-first: a column of ``a/b/yyyy`` texts decided by values above 12."""
    day_first = next((p[3] for p in parts if p[0] > 12), None)
    month_first = next((p[3] for p in parts if p[1] > 12), None)
    if day_first and month_first:
        raise XLFactorError.at(
            what, f"dates {day_first!r} (day first) and {month_first!r} (month first) mix two orders; {FIX}"
        )
    if day_first or month_first:
        return day_first is not None
    example = next((p[3] for p in parts if p[0] != p[1]), parts[0][3])
    raise XLFactorError.at(what, f"{example!r} is ambiguous (day/month or month/day); {FIX}")


def _ymd(year: int, month: int, day: int, text: str) -> pd.Timestamp:
    try:
        return _in_range(pd.Timestamp(year=year, month=month, day=day), repr(text))
    except (ValueError, OverflowError):
        raise _NotADate(f"has {text!r}, not a date; {FIX}") from None


def _in_range(stamp: pd.Timestamp, shown: str) -> pd.Timestamp:
    """``stamp`` if nanosecond timestamps can hold it (years 1677 to 2262)."""
    try:
        return stamp.as_unit("ns")
    except (ValueError, OverflowError):
        raise _NotADate(f"has {shown}, a date outside the years 1677 to 2262; {FIX}") from None


def week_friday(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The Friday of each date's ISO week: ``date - weekday + 4 days`` (Monday = 0)."""
    days = index.normalize()
    return pd.DatetimeIndex(days - pd.to_timedelta(days.day_of_week - 4, unit="D"), name=index.name)


def month_end(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The last calendar day of each date's month (in numpy for dates without a time zone: pandas' month-end
    offset costs a millisecond on a few dozen dates, on every new dates range a function aligns)."""
    if index.tz is not None:
        return pd.DatetimeIndex(index.normalize() + pd.offsets.MonthEnd(0), name=index.name)
    months = index.values.astype("datetime64[M]")
    ends = (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return pd.DatetimeIndex(ends.astype(index.values.dtype), name=index.name)


def period_labels(index: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """Label each date by its period: the day (D), the ISO week's Friday (W), the month end (M),
    the quarter end (Q) or 31 December (A)."""
    if freq == "W":
        return week_friday(index)
    if freq == "M":
        return month_end(index)
    if freq == "Q":
        return pd.DatetimeIndex(index.normalize() + pd.offsets.QuarterEnd(0), name=index.name)
    if freq == "A":
        return pd.DatetimeIndex(index.normalize() + pd.offsets.YearEnd(0), name=index.name)
    return index.normalize()


def compound_weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Weekly returns compounded from daily ones, weeks labelled by their Friday.

    Each column (``RF`` and the excess-return factors alike) is compounded,
    ``r_week = prod(1 + r_day) - 1`` over the days of the ISO week (Saturday
    trading in old data belongs to its week). A week with a missing day is NaN.

    Ends of the sample: the first week is kept even if the data start after its
    Monday (a sample often starts after a holiday, e.g. Tuesday 2 January). The last
    week is dropped if the data end before its Thursday, since it is then clearly
    incomplete (French files end on a month's last trading day); data ending on a
    Thursday count as a complete week (Good Friday, 4 July and Christmas fall on
    Fridays), so a month ending on a Thursday yields a last week that the next
    vintage will extend.
    """
    weekly = _compound(daily, week_friday(daily.index))
    if len(daily) and daily.index[-1].day_of_week < 3:
        weekly = weekly.iloc[:-1]
    return weekly


def compound_monthly(daily: pd.DataFrame) -> pd.DataFrame:
    """Monthly returns compounded from daily ones, months labelled by their last calendar day.

    Each column is compounded, ``r_month = prod(1 + r_day) - 1`` over the days of
    the calendar month; a month with a missing day is NaN. Every month in the data
    is kept (French's daily files run from a month's first to its last trading day).
    Used for the months of regions whose monthly file is not shipped: this is not
    French's monthly figure (his monthly factors are built from monthly portfolio
    returns), so the stored copy says it was compounded.
    """
    return _compound(daily, month_end(daily.index))


def _compound(daily: pd.DataFrame, labels: pd.DatetimeIndex) -> pd.DataFrame:
    """``prod(1 + r) - 1`` per label; NaN where a day of the period is missing."""
    compounded = (1.0 + daily).groupby(labels).prod() - 1.0
    compounded = compounded.where(daily.notna().groupby(labels).all())
    compounded.index.name = daily.index.name
    return compounded
