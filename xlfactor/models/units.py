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
* Shocks: a factor move at or below -100% is refused, and so is one above +100%
  (:data:`MAX_SHOCK`): no stress scenario moves a factor by more than its whole value in
  one step, while the same moves typed in percent (5 for 5%) are 5 and above.
* Premia and alphas per year: ``|E[f]|`` or ``|alpha|`` above :data:`MAX_ANNUAL_PREMIUM` (1 =
  100% a year) looks like percent (4 for 4%): the equity premium is about 0.05-0.08 a year and
  no factor's long-run premium approaches 100%. A premium per period is scaled to a year first.
* Panels (dates x assets, the cross-sectional functions): returns follow the rules above cell
  by cell (the first bad cell is named by asset and date, never dropped); characteristics,
  caps, regression weights, holdings and money amounts must be finite and at most
  :data:`MAX_MAGNITUDE` (1e18) in size; caps must be positive and regression weights
  non-negative (blank a cell whose value is unknown). 1e18 is above any market cap, holding or
  amount in any currency (world equity is about 1e14 US dollars, 1e18 Indonesian rupiah) and
  far enough below the float limit (1.8e308) that squares and sums over millions of assets
  stay finite; larger values are typos or overflow markers (1e308) and reach cells as inf.
* Portfolio weights over time (holdings histories, panel weights, backtests): each date's
  gross exposure obeys ``max_gross`` as above.
* A constant series where a function divides by its volatility (Sharpe, Sortino, information
  ratio): constant as for a regression above; the ratio would be a rounding artefact (1e15).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import Advice, Placeholder, XLFactorError
from xlfactor.models import _jit
from xlfactor.models._column_kernels import column_stats

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
#: Largest size of a characteristic, cap, weight, holding or money amount (see the module docstring).
MAX_MAGNITUDE = 1e18
#: Largest size of a factor move in a stress scenario (100%).
MAX_SHOCK = 1.0
#: Largest size of an annual premium or alpha (100% a year).
MAX_ANNUAL_PREMIUM = 1.0
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
        raise XLFactorError.at(
            "units",
            f"{units!r} is not one of 'auto' (refuse data that looks like percent) or "
            "'decimal' (the data are decimals, however large)",
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
        raise XLFactorError.at(
            name, f"values look like percentages (median size above {_pct(limit)}); {PERCENT_FIX}{hint}"
        )


@dataclass(frozen=True)
class ColumnSummary:
    """Per column of a (T, N) block of returns: ``low``, ``high`` (NaN only for an all-missing column),
    ``sumsq`` (sum of squares of the present values), ``present`` (their count) and ``gaps`` (True
    where a value is missing); ``over``, when counted in the same pass, how many values exceed
    ``limit`` in size (the percent rule's count); ``cross``, when taken in the same pass, ``Z'y``
    (K+1, N) for the regression design ``Z`` given to :func:`summarize` (missing values as 0); ``total``,
    when taken in the same (compiled) pass, the sum of the present values."""

    low: np.ndarray
    high: np.ndarray
    sumsq: np.ndarray
    present: np.ndarray
    gaps: np.ndarray
    over: np.ndarray | None = None
    limit: float | None = None
    cross: np.ndarray | None = None
    total: np.ndarray | None = None

    def beyond(self, limit: float) -> np.ndarray | None:
        """How many values of each column exceed ``limit`` in size, if counted in the summary's pass."""
        return self.over if self.over is not None and self.limit == limit else None


#: Rows per block of :func:`summarize`: a block of a few thousand columns stays in the CPU cache while
#: its minimum, maximum and sum of squares are taken, so the data are read from memory once.
SUMMARY_BLOCK_ROWS = 128
#: Up to this many bytes (a factor matrix, a small panel) the values stay in cache as one block.
SUMMARY_ONE_BLOCK = 256 * 1024
#: Columns per block when the values are stored column by column (a DataFrame's usual layout).
SUMMARY_BLOCK_COLUMNS = 64


def _blocks(values: np.ndarray):
    """``(columns, block, axis)`` covering ``values`` (T, N) in cache-sized pieces read in memory order:
    blocks of rows for row-major data (reduce over ``axis=0``), of columns for column-major data
    (``block`` is then (n, T), one contiguous row per column, reduce over ``axis=1``). Values that fit
    in the cache together (:data:`SUMMARY_ONE_BLOCK`) are one block."""
    t, n = values.shape
    if values.nbytes <= SUMMARY_ONE_BLOCK:
        yield slice(None), values, 0
    elif values.flags.f_contiguous and not values.flags.c_contiguous:
        by_column = values.T
        for start in range(0, n, SUMMARY_BLOCK_COLUMNS):
            yield slice(start, start + SUMMARY_BLOCK_COLUMNS), by_column[start : start + SUMMARY_BLOCK_COLUMNS], 1
    else:
        for start in range(0, t, SUMMARY_BLOCK_ROWS):
            yield slice(None), values[start : start + SUMMARY_BLOCK_ROWS], 0


def summarize(
    values: np.ndarray, limit: float | None = None, design: np.ndarray | None = None, *, weight: float = 1.0
) -> ColumnSummary:
    """Minimum, maximum and sum of squares of every column in one pass over ``values`` (T, N); compiled
    where numba runs and the panel is large enough (:func:`xlfactor.models._jit.use` with ``weight``: 1 for
    the checks alone, the caller's kernel weight when a compiled kernel of the caller reads the same panel,
    numba's start-up being paid anyway), the same pass also counts the values beyond ``limit`` in size (if
    given), sums each column (``total``) and takes ``design' values`` for a regression design (T, K+1) whose
    first column is ones (if given). The numpy path reads ``values`` in blocks that stay in the CPU cache
    (:func:`_blocks`), redoes columns with missing values NaN-aware and does none of these."""
    t, n = values.shape
    compiled = _jit.use(values.size, max(weight, 1.0))
    found = column_stats(values, np.inf if limit is None else limit, design) if compiled else None
    if found is not None:
        low, high, sumsq, present, over, cross, total = found
        return ColumnSummary(
            low,
            high,
            sumsq,
            present,
            present < t,
            over=None if limit is None else over,
            limit=limit,
            cross=cross,
            total=total,
        )
    low, high, sumsq = np.full(n, np.inf), np.full(n, -np.inf), np.zeros(n)
    with np.errstate(invalid="ignore", over="ignore"):
        for cols, block, axis in _blocks(values):  # NaN propagates: marks a column with a gap
            np.minimum(low[cols], block.min(axis=axis), out=low[cols])
            np.maximum(high[cols], block.max(axis=axis), out=high[cols])
            sumsq[cols] += np.einsum("tn,tn->n" if axis == 0 else "nt,nt->n", block, block)
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
    pooled: bool = False,
    constant_why: str = "a regression on it has no residual variance and meaningless t-statistics",
) -> None:
    """Apply the units rule to each column of ``values`` (T, N), NaN = missing.

    Checks, in order, naming the first offending column (and row, by its ``index`` label):
    non-finite or ``|r| > MAX_ABS_RETURN``; with ``percent``, ``median |r| >
    percent_threshold(periods_per_year)`` per column (computed as: more than half of the
    column's values exceed it in size); with ``floor``, ``r < -1``; with ``constant``,
    a column that is constant: ``max - min <= CONSTANT_RTOL * max|r|`` or ``max|r| < NEGLIGIBLE_RETURN``.

    ``advice`` is offered with the percent message (e.g. ``units="decimal"`` for a volatile asset).
    ``summary``: :func:`summarize` of ``values`` when the caller has it (the regression keeps its
    sums of squares). ``pooled``: the percent rule applies to all values together (a panel, whose
    assets may have a handful of dates each). ``constant_why`` says what a constant column breaks.

    Cost: one pass over the data (:func:`summarize`); the percent count then runs only on the
    columns that could fail it (see :func:`_check_percent`), the rest on the offending column.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.size == 0:
        return
    limit = percent_threshold(periods_per_year) if percent else None
    found = summarize(values, limit) if summary is None else summary
    low, high = found.low, found.high
    with np.errstate(invalid="ignore"):
        suspect = (high > MAX_ABS_RETURN) | (low < -MAX_ABS_RETURN)  # +/-inf is caught here
        if suspect.any():
            _check_magnitude(values, columns, name, index, np.flatnonzero(suspect))
        if percent and pooled:
            _check_pooled_percent(values, name, found, periods_per_year, advice)
        elif percent:
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
                    f"is constant (every value {high[col]:.6g}, to rounding); {constant_why}; drop it or check the "
                    "data",
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
    values beyond ``L`` add more than ``n L^2 / 2`` to the sum of squares). The count is
    :func:`_count_beyond`.
    """
    limit = percent_threshold(periods_per_year)
    could = (np.maximum(found.high, -found.low) > limit) & (2 * found.sumsq > found.present * limit**2)
    candidates = np.flatnonzero(could)
    if not candidates.size:
        return
    counted = found.beyond(limit)
    few = 2 * candidates.size < values.shape[1]  # else counting every column beats copying the candidates out
    if counted is not None:
        over = counted[candidates]
    else:
        over = _count_beyond(values[:, candidates] if few else values, limit)
        over = over if few else over[candidates]
    looks = 2 * over > found.present[candidates]
    if looks.any():
        raise XLFactorError.at(
            name,
            f"looks like percentages (median size above {_pct(limit)}); {PERCENT_FIX}",
            column=columns[int(candidates[np.argmax(looks)])],
            advice=advice,
        )


def _check_pooled_percent(
    values: np.ndarray,
    name: str,
    found: ColumnSummary,
    periods_per_year: int | None,
    advice: Advice | tuple[Advice, ...],
) -> None:
    """Raise when the median ``|r|`` of all present values exceeds ``L = percent_threshold(periods_per_year)``:
    more than half of them exceed ``L``, possible only when ``2 sum r^2 > n L^2`` (then counted, in one pass)."""
    limit = percent_threshold(periods_per_year)
    present = int(found.present.sum())
    if not present or 2 * float(found.sumsq.sum()) <= present * limit**2:
        return
    counted = found.beyond(limit)
    if 2 * int((_count_beyond(values, limit) if counted is None else counted).sum()) > present:
        raise XLFactorError.at(
            name, f"values look like percentages (median size above {_pct(limit)}); {PERCENT_FIX}", advice=advice
        )


def _count_beyond(values: np.ndarray, limit: float) -> np.ndarray:
    """Per column of ``values`` (T, N), how many values exceed ``limit`` in size (NaN: not counted), read
    in the cache-sized blocks of :func:`_blocks`."""
    over = np.zeros(values.shape[1], dtype=np.int64)
    for cols, part, axis in _blocks(values):
        beyond = np.abs(part) > limit  # NaN compares False
        over[cols] += np.add.reduce(beyond.view(np.int8), axis=axis, dtype=np.int64)
    return over


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
        raise XLFactorError.at(
            "rf", "holds infinite or impossibly large values; risk-free rates are decimals (0.004 = 0.4% a period)"
        )
    limit = MAX_ANNUAL_RF / (periods_per_year or 12)
    median = float(np.median(np.abs(rf)))
    if median > limit:
        raise XLFactorError.at(
            "rf",
            f"the risk-free rate looks like percent (median {median:.3g} a period, above "
            f"{limit:.3g} = {MAX_ANNUAL_RF:.0%} a year); {PERCENT_FIX}",
        )


def check_gross(weights: np.ndarray, name: str, max_gross: float | None = MAX_GROSS, where: str = "") -> None:
    """Refuse weights whose gross exposure ``sum_i |w_i|`` exceeds ``max_gross`` (None: no bound).

    Weights are fractions of capital (0.25 = 25%); a sum near 100 means percent weights. Whatever
    ``max_gross``, a weight must be finite and at most :data:`MAX_MAGNITUDE` in size.
    ``where`` (e.g. ``" on 2020-01-31"``) places them in a history.
    """
    size = np.abs(np.asarray(weights, dtype=float))
    if not (size <= MAX_MAGNITUDE).all():  # +/-inf and NaN included
        value = np.asarray(weights, dtype=float)[np.argmax(~(size <= MAX_MAGNITUDE))]
        raise XLFactorError.at(
            name,
            f"a weight{where} is {value:.6g}, not a number of a usable size (limit +/-{MAX_MAGNITUDE:.0e}); "
            "fix the value",
        )
    if max_gross is None:
        return
    gross = float(size.sum())
    if gross > max_gross:
        net = float(np.sum(weights))
        looks = " (they look like percentages: divide by 100)" if 50 <= abs(net) <= 150 else ""
        raise XLFactorError.at(
            name,
            f"gross exposure sum |w| = {gross:.6g}{where} is above {max_gross:g}{looks}; weights are fractions of "
            "capital (0.25 = 25%)",
            advice=GROSS_ADVICE,
        )


def check_weight_history(
    weights: np.ndarray, dates: pd.Index, assets: pd.Index, name: str, max_gross: float | None = MAX_GROSS
) -> None:
    """Refuse a history of weights (dates x assets, NaN = not held) with an unusable cell
    (:func:`check_panel_values`) or a date whose gross exposure exceeds ``max_gross`` (:func:`check_gross`)."""
    w = np.asarray(weights, dtype=float)
    check_panel_values(w, dates, assets, name, "weight")
    if max_gross is None or w.size == 0:
        return
    gross = np.nansum(np.abs(w), axis=1)
    bad = gross > max_gross
    if bad.any():
        row = int(np.argmax(bad))
        check_gross(np.nan_to_num(w[row]), name, max_gross, _at(dates, row))


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
        raise XLFactorError.at(
            "max_gross", f"expected a positive number (e.g. 2 for 200% gross) or None, got {max_gross!r}"
        )
    return float(max_gross)


def check_shock_floor(values: np.ndarray, names: pd.Index | list, name: str = "shocks") -> None:
    """Refuse factor moves at or below -100% (no return can lose more than everything) and above
    :data:`MAX_SHOCK` (+100%: a move typed in percent, or a magnitude that would overflow)."""
    values = np.asarray(values, dtype=float)
    bad = values <= -1.0
    if bad.any():
        i = int(np.argmax(bad))
        raise XLFactorError.at(
            name,
            f"the move of '{names[i]}' is {values[i]:.6g}, at or below -100%; moves are decimal returns "
            "(-0.10 for -10%)",
        )
    bad = ~(values <= MAX_SHOCK)
    if bad.any():
        i = int(np.argmax(bad))
        raise XLFactorError.at(
            name,
            f"the move of '{names[i]}' is {values[i]:.6g}, above +{MAX_SHOCK:.0%}: it looks like percent; "
            "moves are decimal returns (0.05 for +5%)",
        )


def check_panel_values(
    values: np.ndarray,
    dates: pd.Index | None,
    assets: pd.Index,
    name: str,
    what: str,
    *,
    label: str = "",
    low: str = "",
) -> None:
    """Refuse a panel cell (dates x assets, or one value per asset when ``dates`` is None) that is not
    a usable number: infinite, larger than :data:`MAX_MAGNITUDE` in size, or with ``low="positive"``
    not above 0 / ``low="non-negative"`` below 0. NaN is missing and passes.

    The message names the first bad cell by asset and date: ``"<name>: <label> of '<asset>' on
    <date> is <value>; ..."`` (``label`` defaults to ``"the <what>"``, e.g. ``"'BM'"``).
    """
    x = np.asarray(values, dtype=float)
    grid = x if x.ndim == 2 else x[None, :]
    if grid.size == 0:
        return
    top, bottom = np.fmax.reduce(grid, axis=None), np.fmin.reduce(grid, axis=None)  # two passes, no copies
    ok_size = not (top > MAX_MAGNITUDE or bottom < -MAX_MAGNITUDE)  # an all-NaN grid compares False: ok
    ok_sign = not (low == "positive" and bottom <= 0) and not (low == "non-negative" and bottom < 0)
    if ok_size and ok_sign:
        return
    with np.errstate(invalid="ignore"):  # locate the first bad cell (rare path)
        huge = np.abs(grid) > MAX_MAGNITUDE  # +/-inf included
        sign = grid <= 0 if low == "positive" else grid < 0 if low == "non-negative" else None
    for bad, reason in (
        (huge, f"no {what} is that large (limit +/-{MAX_MAGNITUDE:.0e}); fix the value or blank it"),
        (sign, f"a {what} must be {low}; fix the value, or blank it if unknown"),
    ):
        if bad is not None and bad.any():
            row, col = np.unravel_index(int(np.argmax(bad)), bad.shape)
            day = "" if dates is None or x.ndim == 1 else _at(dates, row)
            raise XLFactorError.at(
                name, f"{label or 'the ' + what} of '{assets[col]}'{day} is {grid[row, col]:.6g}; {reason}"
            )


def check_magnitude(value: float, name: str, what: str) -> None:
    """Refuse one amount (a budget, a capital, an exposure) that is not finite or exceeds :data:`MAX_MAGNITUDE`."""
    if not abs(value) <= MAX_MAGNITUDE:
        raise XLFactorError.at(
            name, f"{value:.6g} is not a usable {what} (limit +/-{MAX_MAGNITUDE:.0e}); fix the value"
        )


def check_annual_premium(values: np.ndarray, names: pd.Index | list, name: str, scale: float = 1.0) -> None:
    """Refuse premia or alphas whose annual size (``values * scale``) exceeds :data:`MAX_ANNUAL_PREMIUM`."""
    annual = np.abs(np.asarray(values, dtype=float)) * scale
    bad = ~(annual <= MAX_ANNUAL_PREMIUM)
    if bad.any():
        i = int(np.argmax(bad))
        per = "" if scale == 1 else f" per period ({annual[i]:.6g} a year)"
        raise XLFactorError.at(
            name,
            f"the value for '{names[i]}' is {np.asarray(values, dtype=float)[i]:.6g}{per}, more than "
            f"{MAX_ANNUAL_PREMIUM:.0%} a year: it looks like percent; {PERCENT_FIX}",
        )


def _pct(value: float) -> str:
    """0.2 -> ``"20%"``, 0.0436 -> ``"4.36%"``."""
    return f"{value * 100:.3g}%"


def _at(index: pd.Index | None, row: int) -> str:
    """Where row ``row`` is: its date, its label, or (no index, or positions 0, 1, ...) its 1-based number."""
    if index is None or isinstance(index, pd.RangeIndex):
        return f" (row {row + 1})"
    label = index[row]
    return f" on {label:%Y-%m-%d}" if isinstance(label, pd.Timestamp) else f" at {label}"
