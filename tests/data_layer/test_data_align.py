"""align: monthly returns stamped on any day, weekly by ISO week, daily by date, dropped rows, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlfactor.data import align, load_factors
from xlfactor.errors import XLFactorError


@pytest.fixture
def ff3m():
    return load_factors("FF3", "M", start="2015-01", end="2025-11")


@pytest.mark.parametrize(
    "stamp",
    [
        lambda months: months.to_timestamp(how="start"),  # first calendar day
        lambda months: pd.DatetimeIndex([m.to_timestamp(how="start") + pd.Timedelta(days=14) for m in months]),  # 15th
        lambda months: pd.DatetimeIndex(
            [pd.offsets.BMonthEnd().rollback(m.to_timestamp(how="end").normalize()) for m in months]
        ),  # last business day
    ],
    ids=["first-day", "15th", "last-business-day"],
)
def test_monthly_returns_on_any_day_match_the_french_month(ff3m, stamp):
    months = pd.period_range("2019-07", "2026-02", freq="M")  # runs past the factor data (end 2025-11)
    dates = pd.DatetimeIndex(stamp(months))
    assert (dates.to_period("M") == months).all()
    returns = pd.DataFrame({"A": np.arange(len(dates)) / 1000.0, "B": 1.0}, index=dates)
    out = align(returns, ff3m)
    assert len(out.returns) == len(months) - 3
    pd.testing.assert_index_equal(out.returns.index, ff3m.loc["2019-07":].index)
    pd.testing.assert_index_equal(out.factors.index, out.returns.index)
    pd.testing.assert_frame_equal(out.factors, ff3m.loc["2019-07":])
    assert out.returns["A"].iloc[0] == 0.0 and out.returns["A"].iloc[-1] == (len(months) - 4) / 1000.0
    pd.testing.assert_index_equal(out.dropped, dates[-3:], check_names=False, check_freq=False)  # 2025-12 .. 2026-02


def test_series_keeps_its_type_and_unsorted_input_is_sorted(ff3m):
    dates = pd.DatetimeIndex(["2020-03-15", "2020-01-15", "2020-02-14"])
    out = align(pd.Series([3.0, 1.0, 2.0], index=dates, name="fund"), ff3m)
    assert isinstance(out.returns, pd.Series) and out.returns.name == "fund"
    assert out.returns.tolist() == [1.0, 2.0, 3.0]
    assert list(out.returns.index) == list(pd.to_datetime(["2020-01-31", "2020-02-29", "2020-03-31"]))
    assert len(out.dropped) == 0


def test_weekly_returns_match_by_iso_week():
    weekly = load_factors("FF5", "W", start="2024-01-01", end="2024-12-31")
    assert (weekly.index.day_of_week == 4).all()  # labelled by the Friday
    # a fund reporting on Wednesdays, one on Sundays (the Sunday ends the ISO week Mon..Sun)
    for offset in (-2, 2):
        dates = weekly.index + pd.Timedelta(days=offset)
        assert (dates.isocalendar().week.to_numpy() == weekly.index.isocalendar().week.to_numpy()).all()
        out = align(pd.Series(1.0, index=dates), weekly)
        pd.testing.assert_index_equal(out.returns.index, weekly.index)
        assert len(out.dropped) == 0


def test_daily_by_date_and_dropped_rows_reported():
    daily = load_factors("FF5", "D", start="2025-06-01")
    dates = pd.DatetimeIndex(["2025-06-02", "2025-06-03", "2025-06-07", "2025-07-04", "2025-07-07", "2025-12-01"])
    out = align(pd.Series(0.01, index=dates), daily)
    assert list(out.returns.index.strftime("%Y-%m-%d")) == ["2025-06-02", "2025-06-03", "2025-07-07"]
    # a Saturday, Independence Day and a date after the data end have no factor row
    assert list(out.dropped.strftime("%Y-%m-%d")) == ["2025-06-07", "2025-07-04", "2025-12-01"]


def test_frequency_mismatch_says_which_freq_to_load(ff3m):
    daily_returns = pd.Series(0.0, index=pd.bdate_range("2020-01-01", periods=60))
    with pytest.raises(XLFactorError, match=r"returns look daily but the factors are monthly \(.*freq='D'\)"):
        align(daily_returns, ff3m)
    monthly_returns = pd.Series(0.0, index=pd.date_range("2020-01-31", periods=24, freq="ME"))
    with pytest.raises(XLFactorError, match=r"look monthly but the factors are daily \(.*freq='M'\)"):
        align(monthly_returns, load_factors("FF3", "D", start="2019"))


def test_two_returns_in_one_month_are_named(ff3m):
    dates = pd.DatetimeIndex(["2020-01-31", "2020-02-03", "2020-02-28", "2020-03-31", "2020-04-30"])
    with pytest.raises(XLFactorError, match="returns: dates 2020-02-03, 2020-02-28 fall in the same month"):
        align(pd.Series(0.0, index=dates), ff3m)


def test_non_date_index_is_refused(ff3m):
    with pytest.raises(XLFactorError, match="returns: the index must be dates"):
        align(pd.Series([0.1, 0.2]), ff3m)
