"""Sampling frequency of a time series: codes, periods per year, inference from dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import positive_number

PERIODS_PER_YEAR = {"D": 252, "W": 52, "M": 12, "Q": 4, "A": 1}
_FREQUENCY_NAMES = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "A": "annual"}
_PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "A": "year"}

#: Horizon names (and their one-letter codes) accepted wherever a horizon is asked for.
HORIZONS = {
    "daily": "D",
    "d": "D",
    "weekly": "W",
    "w": "W",
    "monthly": "M",
    "m": "M",
    "quarterly": "Q",
    "q": "Q",
    "annual": "A",
    "yearly": "A",
    "a": "A",
    "y": "A",
}


def frequency_name(code: str) -> str:
    """``"daily"``, ``"weekly"``, ``"monthly"``, ``"quarterly"`` or ``"annual"`` for a frequency code
    (an unknown code is returned as given)."""
    return _FREQUENCY_NAMES.get(code, code)


def period_name(code: str) -> str:
    """``"day"``, ``"week"``, ``"month"``, ``"quarter"`` or ``"year"`` for a frequency code."""
    return _PERIOD_NAMES.get(code, code)


# Median gap in calendar days between consecutive dates, per frequency (inclusive bands).
_GAP_BANDS = (("D", 0, 4), ("W", 5, 10), ("M", 25, 35), ("Q", 80, 100), ("A", 350, 380))


def periods_per_year(index: pd.Index) -> int:
    """Infer 252 (daily), 52 (weekly), 12 (monthly), 4 (quarterly) or 1 (annual) from dates.

    Uses the median gap in calendar days between consecutive dates, so holidays and
    some missing periods do not change the answer: median gap <= 4 days -> daily,
    5-10 -> weekly, 25-35 -> monthly, 80-100 -> quarterly, 350-380 -> annual.
    Any other spacing (e.g. fortnightly or semi-monthly data) is refused rather than
    annualised with the wrong number of periods.

    Raises
    ------
    XLFactorError
        If the index is not made of dates, has fewer than two distinct dates, or its
        spacing is none of the above.
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise XLFactorError.at(
            "dates", "expected a DatetimeIndex to infer the frequency; pass dates or set periods_per_year"
        )
    values = index.values if index.is_monotonic_increasing and index.is_unique else np.unique(index.values)
    if len(values) < 2:
        raise XLFactorError.at("dates", "need at least two distinct dates to infer the frequency")
    gap_days = _median(np.diff(values).astype("timedelta64[s]").astype(np.int64)) / 86400.0
    for code, low, high in _GAP_BANDS:
        if low <= gap_days <= high:
            return PERIODS_PER_YEAR[code]
    raise XLFactorError.at(
        "dates",
        f"the median spacing of {gap_days:g} days is not daily, weekly, monthly, quarterly or annual; "
        "check the dates, or pass periods_per_year explicitly",
    )


def _median(values: np.ndarray) -> float:
    """``np.median`` of whole numbers, from one partition at the two middle positions: np.median takes
    about 50x longer on the gaps of a few thousand business days (two distinct values, an even count)."""
    n = values.size
    lo, hi = (n - 1) // 2, n // 2
    middle = np.partition(values, [lo, hi])
    return (float(middle[lo]) + float(middle[hi])) / 2.0


def maybe_periods_per_year(index: pd.Index) -> int | None:
    """:func:`periods_per_year`, or None when the index is not dates or its spacing is no known frequency."""
    try:
        return periods_per_year(index)
    except XLFactorError:
        return None


def known_periods_per_year(ppy: int | None, what: str) -> int:
    """``ppy``, the data's periods per year; None means the frequency is unknown (data without
    dates), and then ``what`` (an annualised figure) cannot be computed: XLFactorError.

    Per-period figures never need the frequency; only annualising does (``x * ppy`` or
    ``vol * sqrt(ppy)``), and guessing it would be silently wrong (12 for daily data is 21x off).
    """
    if ppy is None:
        raise XLFactorError.at(
            "periods_per_year",
            f"the frequency is unknown (the data have no dates), so {what} cannot be "
            "annualised; give dates (a DatetimeIndex) or periods_per_year, or use the per-period figure",
        )
    return ppy


def frequency_code(periods: int) -> str:
    """The frequency code ("D", "W", "M", "Q", "A") for a number of periods per year."""
    for code, n in PERIODS_PER_YEAR.items():
        if n == periods:
            return code
    raise XLFactorError.at("periods_per_year", f"{periods} is not one of {sorted(PERIODS_PER_YEAR.values())}")


def horizon_code(horizon: object) -> str | None:
    """The frequency code of a named horizon (``"daily"`` -> ``"D"``), None for a non-text horizon.

    Raises
    ------
    XLFactorError
        Text that is not one of the names.
    """
    if not isinstance(horizon, str):
        return None
    code = HORIZONS.get(horizon.strip().lower())
    if code is None:
        raise XLFactorError.at(
            "horizon",
            "expected a positive number of data periods or one of daily, weekly, monthly, quarterly, "
            f"annual; got {horizon!r}",
        )
    return code


def horizon_periods(horizon: object, periods_per_year: int | None) -> float:
    """A horizon as a number of data periods; the one horizon convention of the package.

    A horizon is either a positive NUMBER of data periods (1 = one month on monthly
    data, 10 = ten days on daily data) or a NAME of a calendar period (``"daily"``,
    ``"weekly"``, ``"monthly"``, ``"quarterly"``, ``"annual"``, or ``D/W/M/Q/A``),
    which is ``h = periods_per_year / P`` data periods with ``P`` = 252, 52, 12, 4, 1
    (``"annual"`` on daily data is 252 periods, ``"daily"`` on monthly data 12/252).
    Volatilities scale with ``sqrt(h)`` (i.i.d. returns).

    Parameters
    ----------
    horizon : float or str
    periods_per_year : int or None
        The data frequency; a named horizon needs it (None raises).

    Raises
    ------
    XLFactorError
        Unknown names, non-positive numbers, a named horizon without a frequency.
    """
    code = horizon_code(horizon)
    if code is None:
        return positive_number(horizon, "horizon", 'a positive number of data periods or a name such as "daily"')
    if periods_per_year is None:
        raise XLFactorError.at("horizon", f"{horizon!r} needs the data frequency; give periods_per_year")
    return periods_per_year / PERIODS_PER_YEAR[code]
