"""``align(returns, factors)``: put returns and factors on the same dates, frequency-aware.

Both indexes are labelled by period before matching: monthly data by calendar
month (a return stamped on the 1st, the 15th or the last business day matches
French's month-end row), weekly data by ISO week (Monday to Sunday; French weekly
rows are labelled by the Friday), daily data by calendar day, quarterly/annual by
quarter/year. The frequency of each side is inferred from its median date gap
(:func:`xlfactor.models.frequency.periods_per_year`); they must agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xlfactor.data.periods import period_labels
from xlfactor.errors import Advice, XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models.frequency import frequency_code, frequency_name, period_name, periods_per_year


@dataclass(frozen=True)
class Aligned:
    """Returns and factors on common periods.

    Attributes
    ----------
    returns : Series or DataFrame
        The matched return rows, re-stamped with the factors' dates (month end for
        French monthly data, Friday for weekly), sorted by date.
    factors : DataFrame
        The factor rows of those periods, same index as ``returns``.
    dropped : DatetimeIndex
        Return dates (as given) with no factor row, e.g. after the factor data end.
    """

    __repr__ = short_repr

    returns: pd.Series | pd.DataFrame
    factors: pd.DataFrame
    dropped: pd.DatetimeIndex


def align(returns: pd.Series | pd.DataFrame, factors: pd.DataFrame) -> Aligned:
    """Match each return row to the factor row of the same period.

    Raises
    ------
    XLFactorError
        Non-date indexes; returns at a different frequency than the factors (the
        message says which ``freq`` to load); two return rows in one period
        (named); duplicate factor periods.
    """
    r_index = _dates(returns, "returns")
    f_index = _dates(factors, "factors")
    if len(f_index) < 2:
        raise XLFactorError.at("factors", "need at least two dates to tell their frequency")
    f_code = frequency_code(periods_per_year(f_index))
    if len(r_index.unique()) >= 2:
        r_code = frequency_code(periods_per_year(r_index))
        if r_code != f_code:
            raise XLFactorError.at(
                "returns",
                f"the returns look {frequency_name(r_code)} but the factors are {frequency_name(f_code)}",
                advice=Advice("freq", r_code, "load the factors at the returns' frequency")
                if r_code in ("D", "W", "M")
                else (),
            )
    r_keys = period_labels(r_index, f_code)
    f_keys = period_labels(f_index, f_code)
    _no_duplicates(r_index, r_keys, "returns", f_code)
    _no_duplicates(f_index, f_keys, "factors", f_code)

    order = r_keys.argsort(kind="stable")
    returns = returns.iloc[order]
    r_index, r_keys = r_index[order], r_keys[order]
    position = pd.Index(f_keys).get_indexer(r_keys)
    matched = position >= 0
    out_returns = returns.iloc[matched].copy()
    out_factors = factors.iloc[position[matched]].copy()
    out_returns.index = out_factors.index = pd.DatetimeIndex(f_index[position[matched]], name=factors.index.name)
    return Aligned(out_returns, out_factors, pd.DatetimeIndex(r_index[~matched], name=r_index.name))


def _dates(obj, label: str) -> pd.DatetimeIndex:
    if not isinstance(obj, (pd.Series, pd.DataFrame)):
        raise XLFactorError.at(
            label, f"expected a pandas Series or DataFrame indexed by date, got {type(obj).__name__}"
        )
    index = obj.index
    if not isinstance(index, pd.DatetimeIndex):
        raise XLFactorError.at(label, f"the index must be dates (a DatetimeIndex), got {type(index).__name__}")
    if index.hasnans:
        raise XLFactorError.at(label, "the index has missing dates (NaT); remove those rows")
    return index.tz_localize(None) if index.tz is not None else index


def _no_duplicates(dates: pd.DatetimeIndex, keys: pd.DatetimeIndex, label: str, code: str) -> None:
    repeated = keys.duplicated(keep=False)
    if repeated.any():
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in dates[repeated][:6])
        raise XLFactorError.at(
            label, f"dates {shown} fall in the same {_period_word(code)}; keep one row per {_period_word(code)}"
        )


def _period_word(code: str) -> str:
    """The period that rows are matched on: weeks are ISO weeks."""
    return "ISO week" if code == "W" else period_name(code)
