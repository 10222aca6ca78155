"""FM_ functions for portfolio sorts: Fama-French style size x characteristic factors and quantile spreads.

Both read the long panel table of :mod:`xlfactor.excel.fm.cross_section` (Date, Asset, Return,
then numeric columns such as market cap and book-to-market) and name the columns they sort on
by header. Percentiles are given as percents (``30, 70``) or fractions (``0.3, 0.7``).
Breakpoint universe: every asset of the date, or only those flagged in a ``nyse`` column
(TRUE/1: the asset's values set the breakpoints; FALSE/0/blank: it is sorted but does not).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert
from xlfactor.excel.fm.cross_section import EXPOSURE_LAG, LongTable, long_table
from xlfactor.excel.memo import NO_DATA
from xlfactor.excel.results import Table
from xlfactor.excel.specs import Spec, choice, flag, number, rng, text
from xlfactor.excel.udf import excel_function
from xlfactor.models.cross_section.sorts import WEIGHTINGS, SortResult

_CAP = text("Header of the column holding market caps: the size sort, and the weights of value-weighted portfolios.")
NYSE = text(
    "Optional: header of a column flagging the assets whose values set the breakpoints (TRUE or 1, e.g. NYSE "
    "stocks; FALSE, 0 or blank: sorted but not used for breakpoints)."
)
VIEW = choice(
    '"factors" (default): the long-short factor returns per date, then the count of assets in each portfolio. '
    '"portfolios": each portfolio\'s return. "breakpoints": the breakpoint values per date.',
    ("factors", "portfolios", "breakpoints"),
)
EQUAL_FIRST = choice('"equal" (default): equal-weighted portfolios. "value": weighted by the cap column.', WEIGHTINGS)
CAP_FOR_VALUE = text('Header of the column holding market caps; required with weighting "value".')
TRUE_WORDS, FALSE_WORDS = {"true", "1", "1.0", "yes"}, {"false", "0", "0.0", "no"}


def percent_list(value: Any, arg: str, default: tuple[float, ...]) -> tuple[float, ...]:
    """Percentiles from a range or comma-separated text: all >= 1 are percents (30 -> 0.3), all < 1 fractions;
    blank gives ``default``. The engine checks they increase and lie in (0, 1)."""
    if value is None:
        return default
    cells = [v for row in convert.grid(value, arg) for v in row if not convert.is_blank(v)]
    words = [w for v in cells for w in (v.split(",") if isinstance(v, str) else [v])]
    try:
        values = [float(w) if isinstance(w, str) or convert.is_number(w) else float("x") for w in words if w != ""]
    except ValueError:
        raise XLFactorError(f"{arg}: expected percentiles such as 30, 70 (or 0.3, 0.7); got {cells!r}") from None
    if not values:
        return default
    if all(v >= 1 for v in values):
        return tuple(v / 100 for v in values)
    if all(v < 1 for v in values):
        return tuple(values)
    raise XLFactorError(f"{arg}: mixes percents and fractions ({values}); give 30, 70 or 0.3, 0.7")


def _numeric(table: LongTable, header: str | None, arg: str) -> str:
    """``header`` if it names a numeric column after Return, else an error listing those columns."""
    names = list(table.numbers.columns[1:])
    if header is None:
        raise XLFactorError(f"{arg}: required; give the header of one of the columns {', '.join(names)}")
    if header not in names:
        raise XLFactorError(
            f"{arg}: no numeric column named {header!r} after Return; the columns are {', '.join(names)}"
        )
    return header


def _first_other(table: LongTable, header: str | None, used: tuple[str | None, ...], arg: str) -> str:
    """``header`` checked as :func:`_numeric`; blank gives the first numeric column after Return not in ``used``."""
    if header is not None:
        return _numeric(table, header, arg)
    free = [c for c in table.numbers.columns[1:] if c not in used]
    if not free:
        raise XLFactorError(f"{arg}: no characteristic column left to sort on; add one after the Return column")
    return free[0]


def _flags(table: LongTable, header: str | None) -> pd.DataFrame | None:
    """The ``nyse`` column as a dates x assets boolean DataFrame (None when not given)."""
    if header is None:
        return None
    labels = table.wide_labels(header)
    words = labels.map(lambda v: "" if v is None or v != v else str(v).strip().lower())
    bad = ~(words.isin(TRUE_WORDS | FALSE_WORDS) | (words == ""))
    if bad.to_numpy().any():
        value = labels.to_numpy()[bad.to_numpy()][0]
        raise XLFactorError(f"nyse: column {header!r} holds {value!r}; use TRUE or 1 for breakpoint assets, else FALSE")
    return words.isin(TRUE_WORDS)


def _view(result: SortResult, view: str, sorted_on: dict[str, str]) -> Table:
    """The table of ``view``; breakpoint columns named by the sorted column's header (``BM p30``, not ``x_p30``)."""
    if view == "portfolios":
        return Table(result.portfolios, "Date")
    if view == "breakpoints":
        labels = {c: f"{sorted_on[c.split('_p')[0]]} p{c.split('_p')[1]}" for c in result.breakpoints.columns}
        return Table(result.breakpoints.rename(columns=labels), "Date")
    counts = result.counts.add_prefix("n ").astype(float)
    return Table(pd.concat([result.factors, counts], axis=1), "Date")


@excel_function(
    depends=NO_DATA,
    cap=Spec(_CAP.doc, _CAP.parse, need="give the header of the market-cap column"),
    characteristic=text("Header of the column to sort on (e.g. BM); default the first numeric column after Return "
                        "other than cap and nyse."),
    percentiles=rng("Characteristic breakpoints in percent, e.g. 30, 70 (default: 2x3 sort) or 10, 90; a range or "
                    'text "30,70" (fractions 0.3, 0.7 also work).'),
    size_percentiles=rng("Size breakpoints in percent (default 50: small and big halves), a range or text."),
    weighting=choice('"value" (default): portfolios weighted by market cap. "equal": equal-weighted.', WEIGHTINGS),
    nyse=NYSE,
    exposure_lag=EXPOSURE_LAG,
    factor_name=text("Name of the high-minus-low factor column (default HML)."),
    view=VIEW,
)  # fmt: skip
def FM_SORT_FACTORS(
    data, cap, characteristic=None, percentiles=None, size_percentiles=None, weighting="value", nyse=None,
    exposure_lag=0, factor_name="HML", view="factors", *, units="auto",
):  # fmt: skip
    """Fama-French style factors from a size x characteristic sort on each date (2x3 by default; any breakpoints):
    SMB and HML per date, then the count of assets in each portfolio."""
    table = long_table(data, "data", (nyse,))
    size = _numeric(table, cap, "cap")
    char = _first_other(table, characteristic, (size,), "characteristic")
    returns = table.wide(table.numbers.columns[0])
    result = xf.build_sort_factors(
        returns,
        table.wide(size),
        table.wide(char),
        breakpoints=_flags(table, nyse),
        percentiles=percent_list(percentiles, "percentiles", (0.3, 0.7)),
        size_percentiles=percent_list(size_percentiles, "size_percentiles", (0.5,)),
        weighting=weighting,
        name=factor_name,
        exposure_lag=exposure_lag,
        units=units,
    )
    return _view(result, view, {"size": size, "x": char})


@excel_function(
    depends=NO_DATA,
    signal=text("Header of the column to sort on; default the first numeric column after Return other than cap."),
    n_quantiles=number("Number of quantile portfolios (default 10: deciles; 5: quintiles).", integer=True, low=2),
    weighting=EQUAL_FIRST,
    cap=CAP_FOR_VALUE,
    nyse=NYSE,
    exposure_lag=EXPOSURE_LAG,
    view=VIEW,
)  # fmt: skip
def FM_QUANTILE_SPREAD(
    data, signal=None, n_quantiles=10, weighting="equal", cap=None, nyse=None, exposure_lag=0, view="factors", *,
    units="auto",
):  # fmt: skip
    """Top-minus-bottom quantile portfolio return of a signal on each date (deciles by default, equal- or
    value-weighted): the spread Qn - Q1, then the count of assets in each quantile."""
    table = long_table(data, "data", (nyse,))
    size = None if cap is None else _numeric(table, cap, "cap")
    if weighting == "value" and size is None:
        raise XLFactorError('cap: required with weighting "value"; give the header of the market-cap column')
    column = _first_other(table, signal, (size,), "signal")
    returns = table.wide(table.numbers.columns[0])
    result = xf.quantile_spread(
        returns,
        table.wide(column),
        n_quantiles=n_quantiles,
        weighting=weighting,
        caps=None if size is None else table.wide(size),
        breakpoints=_flags(table, nyse),
        exposure_lag=exposure_lag,
        units=units,
    )
    return _view(result, view, {"x": column})


@excel_function(
    depends=NO_DATA,
    characteristic=text("Header of the column to sort on (e.g. BM, or Cap for a size factor); default the first "
                        "numeric column after Return other than cap and nyse."),
    percentiles=rng("Breakpoints in percent (default 30, 70; 10, 90 for the notes' size split), a range or text "
                    '"30,70" (fractions 0.3, 0.7 also work).'),
    weighting=EQUAL_FIRST,
    low_minus_high=flag("FALSE (default): the factor is the top portfolio minus the bottom one (value). TRUE: bottom "
                        "minus top (small minus big)."),
    cap=CAP_FOR_VALUE,
    nyse=NYSE,
    exposure_lag=EXPOSURE_LAG,
    factor_name=text("Name of the factor column (default HML; e.g. SMB for a size split)."),
    view=VIEW,
)  # fmt: skip
def FM_SINGLE_SORT(
    data, characteristic=None, percentiles=None, weighting="equal", low_minus_high=False, cap=None, nyse=None,
    exposure_lag=0, factor_name="HML", view="factors",
):  # fmt: skip
    """A long-short factor from one sort on one column each date: top minus bottom portfolio (default equal-weighted
    30/70, the notes' value split), or bottom minus top (10/90 on Cap: their size split)."""
    table = long_table(data, "data", (nyse,))
    size = None if cap is None else _numeric(table, cap, "cap")
    if weighting == "value" and size is None:
        raise XLFactorError('cap: required with weighting "value"; give the header of the market-cap column')
    column = _first_other(table, characteristic, (size,), "characteristic")
    result = xf.single_sort_factor(
        table.wide(table.numbers.columns[0]),
        table.wide(column),
        percentiles=percent_list(percentiles, "percentiles", (0.3, 0.7)),
        weighting=weighting,
        caps=None if size is None else table.wide(size),
        low_minus_high=low_minus_high,
        name=factor_name,
        breakpoints=_flags(table, nyse),
        exposure_lag=exposure_lag,
    )
    return _view(result, view, {"x": column})
