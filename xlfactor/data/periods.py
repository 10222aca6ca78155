"""Calendar periods shared by loading and alignment: week labels, month ends, weekly compounding.

A week is the ISO week (Monday to Sunday) and is labelled by its Friday, so the
label of every day from Monday to Sunday is that week's Friday; a month is
labelled by its last calendar day.
"""

from __future__ import annotations

import pandas as pd


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
