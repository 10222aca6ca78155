"""The units rule: what decimal returns, factor returns, weights and shocks can look like.

Every engine entry point that takes returns, factors, weights or shocks applies these
checks, so that a 100x units mistake or an impossible value is refused with its fix
instead of giving a plausible wrong number.

Thresholds (and why):

* Percent, not decimals: a return series whose median absolute value exceeds
  ``percent_threshold(periods_per_year) = PERCENT_LIKE_MEDIAN * sqrt(12 / periods_per_year)``
  (0.20 monthly, 0.096 weekly, 0.044 daily; :data:`PERCENT_LIKE_MEDIAN` = 0.20 when the
  frequency is unknown). For normal returns ``median |r| = 0.674 sigma``, so a median of
  0.20 a month is an annual volatility of ``0.20 / 0.674 * sqrt(12) = 103%``: decimal
  returns of stocks, portfolios and factors lie far below (monthly ``|median|`` about
  0.02-0.08), while the same data in percent lies at 1-10. Volatile assets above 100% a
  year can pass ``units="decimal"`` where the API offers it.
* Impossible values: ``|r| > MAX_ABS_RETURN`` (100, i.e. 10,000% in one period), +/-inf,
  and for an asset's return ``r < -1`` (an asset cannot lose more than 100%).
* A constant asset: its regression has no residual variance and meaningless
  t-statistics (an alpha t of 1e16). Constant means a range ``max - min`` at most
  ``CONSTANT_RTOL`` (1e-10) of the largest ``|r|`` (variation at rounding level), or every
  ``|r|`` below ``NEGLIGIBLE_RETURN`` (1e-12).
* Risk-free rate: median ``|rf|`` above ``0.20 / periods_per_year`` (20% a year) looks like
  percent.
* Weights: gross exposure ``sum_i |w_i|`` above ``max_gross`` (:data:`MAX_GROSS` = 2 by
  default: a long-only book has 1, a 130/30 book 1.6, a 100/100 market-neutral book 2).
  Percent weights (sum near 100) fail this; a leveraged or long-short book passes its own
  ``max_gross``, weights in currency ``max_gross=None``.
* Shocks: a factor move at or below -100% is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError

#: Returns whose median absolute size exceeds this (20% a period) look like percentages (monthly
#: rule; :func:`percent_threshold` scales it to other frequencies).
PERCENT_LIKE_MEDIAN = 0.2
#: No return of a traded asset or factor is this large in one period (10,000%): a typo, a price or percent.
MAX_ABS_RETURN = 100.0
#: A column whose range is at most this fraction of its largest size varies at rounding level only.
CONSTANT_RTOL = 1e-10
#: Returns all below this in size carry no information (their squares underflow toward denormals).
NEGLIGIBLE_RETURN = 1e-12
#: A risk-free rate whose median exceeds this per year looks like percent.
MAX_ANNUAL_RF = 0.2
#: Default bound on gross exposure ``sum |w|`` of portfolio weights (fractions of capital).
MAX_GROSS = 2.0
#: ``units`` values accepted where the API offers them.
UNITS = ("auto", "decimal")

PERCENT_FIX = "divide by 100 so that 0.012 means 1.2%"


def percent_threshold(periods_per_year: int | None = None) -> float:
    """Median ``|r|`` above which returns at this frequency look like percent.

    ``PERCENT_LIKE_MEDIAN * sqrt(12 / periods_per_year)``: the median absolute return of a
    normal series with about 100% annual volatility; ``PERCENT_LIKE_MEDIAN`` when unknown.
    """
    if not periods_per_year:
        return PERCENT_LIKE_MEDIAN
    return PERCENT_LIKE_MEDIAN * float(np.sqrt(12.0 / periods_per_year))


def check_units_argument(units: object) -> bool:
    """``units`` as given to an engine function; True when the percent check applies (``"auto"``)."""
    if not isinstance(units, str) or units.lower() not in UNITS:
        raise XLFactorError(
            f"units: {units!r} is not one of 'auto' (refuse data that looks like percent) or "
            "'decimal' (the data are decimals, however large)"
        )
    return units.lower() == "auto"


def check_not_percent(values: np.ndarray, name: str, hint: str = "", periods_per_year: int | None = None) -> None:
    """Refuse returns given in percent (1.2 for 1.2%), a silent 100x error otherwise.

    They are taken as percent when ``median(|r|) > percent_threshold(periods_per_year)``
    over the non-missing values (all values pooled).

    Raises
    ------
    XLFactorError
        ``"<name>: values look like percentages ...; divide by 100 ..."`` plus ``hint``.
    """
    size = np.abs(np.asarray(values, dtype=float))
    size = size[~np.isnan(size)]
    limit = percent_threshold(periods_per_year)
    if size.size and float(np.median(size)) > limit:
        raise XLFactorError(
            f"{name}: values look like percentages (median size above {_pct(limit)}); {PERCENT_FIX}{hint}"
        )


def check_return_columns(
    values: np.ndarray,
    columns: pd.Index,
    name: str,
    *,
    index: pd.Index | None = None,
    periods_per_year: int | None = None,
    percent: bool = True,
    floor: bool = False,
    constant: bool = False,
    fix: str = "",
) -> None:
    """Apply the units rule to each column of ``values`` (T, N), NaN = missing.

    Checks, in order, naming the first offending column (and date, from ``index``):
    non-finite or ``|r| > MAX_ABS_RETURN``; with ``percent``, ``median |r| >
    percent_threshold(periods_per_year)`` per column (computed as: more than half of the
    column's values exceed it in size); with ``floor``, ``r < -1``; with ``constant``,
    a column that is constant: ``max - min <= CONSTANT_RTOL * max|r|`` or ``max|r| < NEGLIGIBLE_RETURN``.

    ``fix`` ends the percent message (e.g. ``", or pass units='decimal'"``).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.size == 0:
        return
    top = np.fmax.reduce(values, axis=0)  # column max and min ignoring NaN (NaN: all missing)
    low = np.fmin.reduce(values, axis=0)
    with np.errstate(invalid="ignore"):
        bad = (top > MAX_ABS_RETURN) | (low < -MAX_ABS_RETURN)  # +/-inf is caught here
        if bad.any():
            col = int(np.argmax(bad))
            row = int(np.argmax(np.abs(values[:, col]) > MAX_ABS_RETURN))
            if np.isinf(values[row, col]):
                raise XLFactorError(
                    f"{name}: column '{columns[col]}' contains infinite values "
                    f"(first{_at(index, row)}); replace them with NaN or fix the data"
                )
            raise XLFactorError(
                f"{name}: column '{columns[col]}'{_at(index, row)} holds {values[row, col]:.6g}, which no return can "
                f"be (limit +/-{MAX_ABS_RETURN:g} = {MAX_ABS_RETURN:.0%} a period); fix the value or blank it"
            )
        if percent:
            limit = percent_threshold(periods_per_year)
            candidates = np.flatnonzero(np.maximum(top, -low) > limit)  # only these can have median |r| > limit
            if candidates.size:
                block = values[:, candidates]
                present = block.shape[0] - np.count_nonzero(np.isnan(block), axis=0)
                over = 2 * np.count_nonzero(np.abs(block) > limit, axis=0) > present  # median |r| > limit
                if over.any():
                    col = int(candidates[np.argmax(over)])
                    raise XLFactorError(
                        f"{name}: values look like percentages (median size above {_pct(limit)}); {PERCENT_FIX}{fix} "
                        f"(column '{columns[col]}')"
                    )
        if floor and (low < -1.0).any():
            col = int(np.argmax(low < -1.0))
            row = int(np.argmax(values[:, col] < -1.0))
            raise XLFactorError(
                f"{name}: column '{columns[col]}'{_at(index, row)} holds {values[row, col]:.6g}, a loss of more "
                "than 100%, which no asset can have; returns must be decimals (0.012 = 1.2%)"
            )
    if constant:
        largest = np.maximum(np.abs(top), np.abs(low))
        flat = (top - low <= CONSTANT_RTOL * largest) | (largest < NEGLIGIBLE_RETURN)
        if flat.any():
            col = int(np.argmax(flat))
            raise XLFactorError(
                f"{name}: column '{columns[col]}' is constant (every value {top[col]:.6g}, to rounding); a regression "
                "on it has no residual variance and meaningless t-statistics; drop it or check the data"
            )


def check_rf(values: np.ndarray, periods_per_year: int | None = None) -> None:
    """Refuse a risk-free rate that is impossible or looks like percent.

    Refused: ``|rf| > MAX_ABS_RETURN`` (or infinite), and ``median |rf| > MAX_ANNUAL_RF / periods_per_year``
    (20% a year; monthly when the frequency is unknown).
    """
    rf = np.asarray(values, dtype=float)
    rf = rf[~np.isnan(rf)]
    if rf.size == 0:
        return
    if not np.all(np.abs(rf) <= MAX_ABS_RETURN):
        raise XLFactorError(
            "rf: holds infinite or impossibly large values; risk-free rates are decimals (0.004 = 0.4% a period)"
        )
    limit = MAX_ANNUAL_RF / (periods_per_year or 12)
    median = float(np.median(np.abs(rf)))
    if median > limit:
        raise XLFactorError(
            f"rf: the risk-free rate looks like percent (median {median:.3g} a period, above "
            f"{limit:.3g} = {MAX_ANNUAL_RF:.0%} a year); {PERCENT_FIX}"
        )


def check_gross(weights: np.ndarray, name: str, max_gross: float | None = MAX_GROSS) -> None:
    """Refuse weights whose gross exposure ``sum_i |w_i|`` exceeds ``max_gross`` (None: no bound).

    Weights are fractions of capital (0.25 = 25%); a sum near 100 means percent weights.
    """
    if max_gross is None:
        return
    gross = float(np.abs(weights).sum())
    if gross > max_gross:
        net = float(np.sum(weights))
        looks = " (they look like percentages: divide by 100)" if 50 <= abs(net) <= 150 else ""
        raise XLFactorError(
            f"{name}: gross exposure sum |w| = {gross:.6g} is above {max_gross:g}{looks}; weights are fractions of "
            "capital (0.25 = 25%); for a leveraged or long-short book pass max_gross=<its gross exposure>, "
            "for weights in currency max_gross=None"
        )


def check_max_gross(max_gross: object) -> float | None:
    """``max_gross`` as a positive float, or None (no bound)."""
    if max_gross is None:
        return None
    if (
        isinstance(max_gross, (bool, np.bool_))
        or not isinstance(max_gross, (int, float, np.number))
        or not np.isfinite(float(max_gross))
        or float(max_gross) <= 0
    ):
        raise XLFactorError(f"max_gross: expected a positive number (e.g. 2 for 200% gross) or None, got {max_gross!r}")
    return float(max_gross)


def check_shock_floor(values: np.ndarray, names: pd.Index | list, name: str = "shocks") -> None:
    """Refuse factor moves at or below -100% (no return can lose more than everything)."""
    bad = np.asarray(values, dtype=float) <= -1.0
    if bad.any():
        i = int(np.argmax(bad))
        raise XLFactorError(
            f"{name}: the move of '{names[i]}' is {values[i]:.6g}, at or below -100%; moves are decimal returns "
            "(-0.10 for -10%)"
        )


def _pct(value: float) -> str:
    """0.2 -> ``"20%"``, 0.0436 -> ``"4.36%"``."""
    return f"{value * 100:.3g}%"


def _at(index: pd.Index | None, row: int) -> str:
    if index is None:
        return f" (row {row + 1})"
    label = index[row]
    return f" on {label:%Y-%m-%d}" if isinstance(label, pd.Timestamp) else f" at {label}"
