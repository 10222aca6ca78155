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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import Advice, Placeholder, XLFactorError

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
#: The fix for a genuinely volatile asset refused as percent.
VOLATILE_ADVICE = Advice("units", "decimal", "for an asset more volatile than 100% a year")
#: The fix for a leveraged book or weights in currency refused by the gross bound.
GROSS_ADVICE = (
    Advice("max_gross", Placeholder("its gross exposure"), "for a leveraged or long-short book"),
    Advice("max_gross", None, "for weights in currency"),
)


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


@dataclass(frozen=True)
class ColumnSummary:
    """Per column of a (T, N) block of returns: ``low``, ``high`` (NaN only for an all-missing column),
    ``sumsq`` (sum of squares of the present values), ``present`` (their count) and ``gaps`` (True
    where a value is missing)."""

    low: np.ndarray
    high: np.ndarray
    sumsq: np.ndarray
    present: np.ndarray
    gaps: np.ndarray


#: Rows per block of :func:`summarize`: a block of a few thousand columns stays in the CPU cache while
#: its minimum, maximum and sum of squares are taken, so the data are read from memory once.
SUMMARY_BLOCK_ROWS = 128


def summarize(values: np.ndarray) -> ColumnSummary:
    """Minimum, maximum and sum of squares of every column in one pass over ``values`` (T, N), in
    blocks of :data:`SUMMARY_BLOCK_ROWS` rows; columns with missing values are redone NaN-aware."""
    t, n = values.shape
    low, high, sumsq = np.full(n, np.inf), np.full(n, -np.inf), np.zeros(n)
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, t, SUMMARY_BLOCK_ROWS):
            block = values[start : start + SUMMARY_BLOCK_ROWS]
            np.minimum(low, block.min(axis=0), out=low)  # NaN propagates: marks a column with a gap
            np.maximum(high, block.max(axis=0), out=high)
            sumsq += np.einsum("tn,tn->n", block, block)
        gaps = np.isnan(low)
        present = np.full(n, t)
        if gaps.any():
            part = values[:, gaps]
            low[gaps], high[gaps] = np.fmin.reduce(part, axis=0), np.fmax.reduce(part, axis=0)
            sumsq[gaps] = np.nansum(part * part, axis=0)
            present[gaps] -= np.count_nonzero(np.isnan(part), axis=0)
    return ColumnSummary(low=low, high=high, sumsq=sumsq, present=present, gaps=gaps)


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
    advice: Advice | tuple[Advice, ...] = (),
    summary: ColumnSummary | None = None,
) -> None:
    """Apply the units rule to each column of ``values`` (T, N), NaN = missing.

    Checks, in order, naming the first offending column (and row, by its ``index`` label):
    non-finite or ``|r| > MAX_ABS_RETURN``; with ``percent``, ``median |r| >
    percent_threshold(periods_per_year)`` per column (computed as: more than half of the
    column's values exceed it in size); with ``floor``, ``r < -1``; with ``constant``,
    a column that is constant: ``max - min <= CONSTANT_RTOL * max|r|`` or ``max|r| < NEGLIGIBLE_RETURN``.

    ``advice`` is offered with the percent message (e.g. ``units="decimal"`` for a volatile asset).
    ``summary``: :func:`summarize` of ``values`` when the caller has it (the regression keeps its
    sums of squares).

    Cost: one pass over the data (:func:`summarize`); the percent count then runs only on the
    columns that could fail it (see :func:`_check_percent`), the rest on the offending column.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.size == 0:
        return
    found = summarize(values) if summary is None else summary
    low, high = found.low, found.high
    with np.errstate(invalid="ignore"):
        suspect = (high > MAX_ABS_RETURN) | (low < -MAX_ABS_RETURN)  # +/-inf is caught here
        if suspect.any():
            _check_magnitude(values, columns, name, index, np.flatnonzero(suspect))
        if percent:
            _check_percent(values, columns, name, found, periods_per_year, advice)
        if floor:
            if (low < -1.0).any():
                col = int(np.argmax(low < -1.0))
                row = int(np.argmax(values[:, col] < -1.0))
                raise XLFactorError.at(
                    name,
                    f"holds {values[row, col]:.6g}, a loss of more than 100%, which no asset can have; returns must be "
                    "decimals (0.012 = 1.2%)",
                    column=columns[col],
                    row=_label(index, row),
                )
        if constant:
            largest = np.maximum(np.abs(high), np.abs(low))
            flat = (high - low <= CONSTANT_RTOL * largest) | (largest < NEGLIGIBLE_RETURN)
            if flat.any():
                col = int(np.argmax(flat))
                raise XLFactorError.at(
                    name,
                    f"is constant (every value {high[col]:.6g}, to rounding); a regression on it has no residual "
                    "variance and meaningless t-statistics; drop it or check the data",
                    column=columns[col],
                )


def _check_percent(
    values: np.ndarray,
    columns: pd.Index,
    name: str,
    found: ColumnSummary,
    periods_per_year: int | None,
    advice: Advice | tuple[Advice, ...],
) -> None:
    """Raise for the first column whose median ``|r|`` exceeds ``L = percent_threshold(periods_per_year)``.

    The median exceeds ``L`` when more than half of the present values do. Only columns that could
    are counted: their largest ``|r|`` exceeds ``L`` and ``2 sum r^2 > n L^2`` (more than ``n/2``
    values beyond ``L`` add more than ``n L^2 / 2`` to the sum of squares). The count runs in
    blocks of rows, as :func:`summarize` does.
    """
    limit = percent_threshold(periods_per_year)
    could = (np.maximum(found.high, -found.low) > limit) & (2 * found.sumsq > found.present * limit**2)
    candidates = np.flatnonzero(could)
    if not candidates.size:
        return
    block = values if candidates.size == values.shape[1] else values[:, candidates]
    over = np.zeros(candidates.size, dtype=np.int64)
    for start in range(0, len(block), SUMMARY_BLOCK_ROWS):
        part = np.abs(block[start : start + SUMMARY_BLOCK_ROWS]) > limit  # NaN compares False
        over += np.add.reduce(part.view(np.int8), axis=0, dtype=np.int64)
    looks = 2 * over > found.present[candidates]
    if looks.any():
        raise XLFactorError.at(
            name,
            f"looks like percentages (median size above {_pct(limit)}); {PERCENT_FIX}",
            column=columns[int(candidates[np.argmax(looks)])],
            advice=advice,
        )


def _check_magnitude(
    values: np.ndarray, columns: pd.Index, name: str, index: pd.Index | None, suspects: np.ndarray
) -> None:
    """Raise for the first of the ``suspects`` columns holding +/-inf or a value beyond ``MAX_ABS_RETURN``."""
    for col in suspects:
        column = values[:, col]
        bad = np.abs(column) > MAX_ABS_RETURN
        if not bad.any():
            continue
        row = int(np.argmax(bad))
        if np.isinf(column[row]):
            raise XLFactorError.at(
                name,
                "contains infinite values; replace them with NaN or fix the data",
                column=columns[col],
                row=_label(index, row),
            )
        raise XLFactorError.at(
            name,
            f"holds {column[row]:.6g}, which no return can be (limit +/-{MAX_ABS_RETURN:g} = {MAX_ABS_RETURN:.0%} a "
            "period); fix the value or blank it",
            column=columns[col],
            row=_label(index, row),
        )


def _label(index: pd.Index | None, row: int) -> object:
    """The row's label: its date (or index value); the 1-based row number without an index."""
    return row + 1 if index is None else index[row]


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
        raise XLFactorError.at(
            name,
            f"gross exposure sum |w| = {gross:.6g} is above {max_gross:g}{looks}; weights are fractions of "
            "capital (0.25 = 25%)",
            advice=GROSS_ADVICE,
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
