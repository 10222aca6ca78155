"""Calendar periods shared by loading and alignment: date parsing, week labels, month ends, weekly compounding.

A week is the ISO week (Monday to Sunday) and is labelled by its Friday, so the
label of every day from Monday to Sunday is that week's Friday; a month is
labelled by its last calendar day.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T][0-9:.]*)?")
_YYYYMMDD = re.compile(r"\d{8}")
_YYYYMM = re.compile(r"\d{6}")
_DAY_MONTH = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: 0?0:00(?::00)?)?")
_FIX = "write dates as YYYY-MM-DD"


def parse_dates(cells: Sequence[object] | pd.Series, what: str, *, first_row: int = 2) -> pd.DatetimeIndex:
    """Dates from a user's file column, refusing anything whose reading is a guess.

    Accepted cells: real dates (``datetime``/``date``/``Timestamp``, as openpyxl
    reads Excel date cells; a time zone is dropped); ISO text ``YYYY-MM-DD``
    (also with ``/`` or ``.`` and a time, e.g. ``2020-01-31 00:00:00``);
    French-style ``YYYYMMDD`` / ``YYYYMM`` digits (text or whole numbers; ``YYYYMM``
    is the month's first day); text with a month name (``31 Jan 2020``).
    Day/month text ``dd/mm/yyyy`` or ``mm/dd/yyyy`` is read for the column as a
    whole: a first number above 12 in any row proves day-first, a second number
    above 12 proves month-first; if no row decides, the column is ambiguous and
    refused (so ``01/02/2018`` is never silently 2 January or 1 February).

    Parameters
    ----------
    cells : the column's cells, top to bottom.
    what : the argument named in error messages (``"returns"``, ``"dates"``).
    first_row : the file row of ``cells[0]`` (2 below a header row).

    Raises
    ------
    XLFactorError
        A blank cell, a number or text that is not a date, an ambiguous or mixed
        day/month order.
    """
    values = list(cells)
    stamps: list[pd.Timestamp | None] = [None] * len(values)
    day_month: dict[int, tuple[int, int, int, str]] = {}
    for i, value in enumerate(values):
        stamp, pending = _one_date(value, what, i + first_row)
        if pending is not None:
            day_month[i] = pending
        stamps[i] = stamp
    if day_month:
        order = _day_month_order(list(day_month.values()), what)
        for i, (a, b, year, text) in day_month.items():
            day, month = (a, b) if order == "dm" else (b, a)
            stamps[i] = _ymd(year, month, day, text, what, i + first_row)
    return pd.DatetimeIndex(stamps, name="date")


def _one_date(value: object, what: str, row: int) -> tuple[pd.Timestamp | None, tuple[int, int, int, str] | None]:
    """One cell: its Timestamp, or the numbers of a day/month text left for the column to decide."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT or (
            isinstance(value, str) and value.strip() == ""):
        raise XLFactorError(f"{what}: row {row} has no date; fill it in or delete the row")
    if isinstance(value, (dt.date, np.datetime64)):  # datetime, date, Timestamp
        stamp = pd.Timestamp(value)
        return (stamp.tz_localize(None) if stamp.tzinfo else stamp), None
    if isinstance(value, bool):
        raise XLFactorError(f"{what}: row {row} has {value!r}, not a date; {_FIX}")
    if isinstance(value, (int, float, np.number)) and (
            not float(value).is_integer() or not (_YYYYMMDD.fullmatch(str(int(value))) or
                                                  _YYYYMM.fullmatch(str(int(value))))):
        raise XLFactorError(f"{what}: row {row} has the number {value!r}, not a date; {_FIX}")
    text = str(int(value)) if isinstance(value, (int, float, np.number)) else str(value).strip()
    if re.fullmatch(r"\d{6}(?:\d{2})?\.0", text):  # 20200131.0 from a spreadsheet's number cell
        text = text[:-2]
    if _YYYYMMDD.fullmatch(text):
        return _ymd(int(text[:4]), int(text[4:6]), int(text[6:]), text, what, row), None
    if _YYYYMM.fullmatch(text):
        return _ymd(int(text[:4]), int(text[4:]), 1, text, what, row), None
    iso = _ISO.fullmatch(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return _ymd(year, month, day, text, what, row), None
    dm = _DAY_MONTH.fullmatch(text)
    if dm:
        a, b, year = (int(g) for g in dm.groups())
        return None, (a, b, year, text)
    if re.search(r"[A-Za-z]{3}", text) and not re.search(r"\d{1,2}[-/.]\d{1,2}[-/.]", text):
        try:  # month names are unambiguous
            return pd.Timestamp(text), None
        except (ValueError, TypeError, OverflowError):
            raise XLFactorError(f"{what}: row {row} has {text!r}, not a date; {_FIX}") from None
    raise XLFactorError(f"{what}: row {row} has {text!r}, not a date; {_FIX}")


def _day_month_order(parts: list[tuple[int, int, int, str]], what: str) -> str:
    """``"dm"`` or ``"md"`` for a column of ``a/b/yyyy`` texts, decided by values above 12."""
    day_first = next((p[3] for p in parts if p[0] > 12), None)
    month_first = next((p[3] for p in parts if p[1] > 12), None)
    if day_first and month_first:
        raise XLFactorError(f"{what}: dates {day_first!r} (day first) and {month_first!r} (month first) mix two "
                            f"orders; {_FIX}")
    if day_first or month_first:
        return "dm" if day_first else "md"
    example = next((p[3] for p in parts if p[0] != p[1]), parts[0][3])
    raise XLFactorError(f"{what}: {example!r} is ambiguous (day/month or month/day); {_FIX}")


def _ymd(year: int, month: int, day: int, text: str, what: str, row: int) -> pd.Timestamp:
    try:
        return pd.Timestamp(year=year, month=month, day=day)
    except (ValueError, OverflowError):
        raise XLFactorError(f"{what}: row {row} has {text!r}, not a date; {_FIX}") from None


def week_friday(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The Friday of each date's ISO week: ``date - weekday + 4 days`` (Monday = 0)."""
    days = index.normalize()
    return pd.DatetimeIndex(days - pd.to_timedelta(days.day_of_week - 4, unit="D"), name=index.name)


def month_end(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The last calendar day of each date's month."""
    return pd.DatetimeIndex(index.normalize() + pd.offsets.MonthEnd(0), name=index.name)


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
    labels = week_friday(daily.index)
    grouped = (1.0 + daily).groupby(labels)
    weekly = grouped.prod() - 1.0
    complete = daily.notna().groupby(labels).all()
    weekly = weekly.where(complete)
    if len(daily) and daily.index[-1].day_of_week < 3:
        weekly = weekly.iloc[:-1]
    weekly.index.name = daily.index.name
    return weekly
