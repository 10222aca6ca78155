"""Frequency inference from dates: the usual spacings, gaps, and spacings that must be refused."""

import pandas as pd
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import frequency_code, periods_per_year


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (pd.bdate_range("2024-01-01", periods=300), 252),
        (pd.date_range("2024-01-05", periods=60, freq="W-FRI"), 52),
        (pd.date_range("2000-01-31", periods=120, freq="ME"), 12),
        (pd.date_range("2000-01-01", periods=120, freq="MS"), 12),
        (pd.date_range("2000-03-31", periods=40, freq="QE"), 4),
        (pd.date_range("1990-12-31", periods=30, freq="YE"), 1),
    ],
)
def test_usual_spacings(dates, expected):
    assert periods_per_year(dates) == expected


def test_missing_periods_do_not_change_the_answer():
    months = pd.date_range("2000-01-31", periods=120, freq="ME")
    assert periods_per_year(months.delete(list(range(3, 120, 4)))) == 12  # every fourth month missing
    days = pd.bdate_range("2024-01-01", periods=300)
    assert periods_per_year(days.delete(list(range(0, 300, 5)))) == 252


@pytest.mark.parametrize("freq", ["2W-FRI", "SME"])
def test_fortnightly_and_semi_monthly_are_refused_not_taken_as_monthly(freq):
    with pytest.raises(XLFactorError, match=r"dates: the median spacing of 1[45]\w* days is not"):
        periods_per_year(pd.date_range("2020-01-03", periods=50, freq=freq))


def test_bad_inputs():
    with pytest.raises(XLFactorError, match="expected a DatetimeIndex"):
        periods_per_year(pd.Index([1, 2, 3]))
    with pytest.raises(XLFactorError, match="at least two distinct dates"):
        periods_per_year(pd.DatetimeIndex(["2020-01-31", "2020-01-31"]))
    assert frequency_code(52) == "W"
    with pytest.raises(XLFactorError, match="periods_per_year: 7 is not one of"):
        frequency_code(7)
