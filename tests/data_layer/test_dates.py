"""The one date reader (``xlfactor.data.periods.parse_dates``): what a bare number means, the forms shared
by files and Excel, and the header check. Expected dates are written out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlfactor.data.periods import DIGITS, SERIAL, is_date_text, month_end, parse_dates
from xlfactor.errors import XLFactorError

TEXT = [
    "2024-01-31",
    "2024/02/29",
    "20240331",
    "202404",
    "2024-05",
    "30 Jun 2024",
    "Jul 31, 2024",
    "2024-08-31 00:00:00",
]
EXPECTED = pd.DatetimeIndex(
    ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-01", "2024-05-01", "2024-06-30", "2024-07-31", "2024-08-31"]
).as_unit("ns")


@pytest.mark.parametrize("numbers", [SERIAL, DIGITS])
def test_text_forms_read_the_same_whatever_numbers_mean(numbers):
    pd.testing.assert_index_equal(parse_dates(TEXT, "dates", numbers=numbers), EXPECTED)


def test_a_bare_number_is_a_serial_or_digits_as_asked():
    serials = [45322.0, 45351, 45382.0]  # 2024-01-31, 2024-02-29, 2024-03-31 (floats, ints, mixed)
    expected = pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-03-31"]).as_unit("ns")
    pd.testing.assert_index_equal(parse_dates(serials, "dates", numbers=SERIAL), expected)
    pd.testing.assert_index_equal(parse_dates([20240131, 20240229.0, 20240331], "dates", numbers=DIGITS), expected)
    with pytest.raises(XLFactorError, match=r"^dates: row 2 holds 201901\.0, which is not an Excel date"):
        parse_dates([201901.0], "dates", numbers=SERIAL)
    with pytest.raises(XLFactorError, match=r"^dates: row 2 has the number 45322\.0, not a date"):
        parse_dates([45322.0], "dates", numbers=DIGITS)


def test_real_dates_and_locations():
    got = parse_dates([dt.datetime(2024, 1, 31, tzinfo=dt.UTC), dt.date(2024, 2, 29)], "dates", numbers=SERIAL)
    assert list(got) == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-29")]
    with pytest.raises(XLFactorError, match=r"^dates: cell 3 of the range is blank; every row needs a date"):
        parse_dates(
            [45322.0, 45351.0, float("nan")],
            "dates",
            numbers=SERIAL,
            where=lambda i: f"dates: cell {i + 1} of the range",
        )


def test_the_column_decides_day_month_order():
    got = parse_dates(["02/01/2024", "13/01/2024", "05/03/2024"], "dates")
    assert list(got) == list(pd.to_datetime(["2024-01-02", "2024-01-13", "2024-03-05"]))
    got = parse_dates(["02/01/2024", "01/13/2024"], "dates")
    assert list(got) == list(pd.to_datetime(["2024-02-01", "2024-01-13"]))
    with pytest.raises(XLFactorError, match=r"^dates: '02/01/2024' is ambiguous \(day/month or month/day\)"):
        parse_dates(["02/01/2024", "05/03/2024"], "dates")


@pytest.mark.parametrize("text", ["01/02/24", "31 Jan 24", "Jan 31"])
def test_two_digit_or_missing_years_are_refused(text):
    refused = r"^dates: row 2 has .*, without a four-digit year .* so it is refused\); write dates as YYYY-MM-DD$"
    with pytest.raises(XLFactorError, match=refused):
        parse_dates([text], "dates", numbers=SERIAL)


def test_header_check():
    assert not any(is_date_text(t) for t in ["Date", "Date (2024)", "Mar 2024 returns", "Period"])
    assert all(is_date_text(t) for t in [*TEXT, "02/01/2024", "2024-02-30", "01/02/24"])


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_month_end_is_pandas_month_end(unit):
    """month_end (numpy) equals pandas' MonthEnd(0) on normalised dates: every day 1900-2030 once a week and
    a few with a time of day, month ends and leap days included, in each resolution; name kept."""
    days = pd.date_range("1900-01-01", "2030-12-31", freq="D")[::5].append(
        pd.DatetimeIndex(["2024-02-29 13:45", "2000-02-29", "1900-02-28 23:59", "2023-12-31"])
    )
    index = pd.DatetimeIndex(days.as_unit(unit), name="Date")
    expected = pd.DatetimeIndex(index.normalize() + pd.offsets.MonthEnd(0), name="Date")
    got = month_end(index)
    assert got.equals(expected) and got.name == "Date" and got.dtype == index.dtype
    zoned = index[:50].tz_localize("Europe/Paris")
    assert month_end(zoned).equals(pd.DatetimeIndex(zoned.normalize() + pd.offsets.MonthEnd(0)))
