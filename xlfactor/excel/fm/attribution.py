"""FM_ functions for return attribution: by factor (FM_ATTRIBUTION) and Brinson-Fachler by group (FM_BRINSON).

Both link many periods (Carino or Menchero) so that the contributions add up to the compounded
return (or the compounded portfolio minus benchmark return).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert, inputs
from xlfactor.excel.fm.holdings import HOLDINGS, beta_table, holdings_history
from xlfactor.excel.guard import excel_names
from xlfactor.excel.inputs import FACTOR_DATA
from xlfactor.excel.memo import NO_DATA
from xlfactor.excel.results import Table
from xlfactor.excel.specs import DATES, WEIGHTS, choice, rng
from xlfactor.excel.udf import excel_function
from xlfactor.models import RF_COLUMN
from xlfactor.models.attribution import attribution_summary
from xlfactor.models.linking import LINKING_METHODS
from xlfactor.models.units import MAX_GROSS
from xlfactor.report.sheets.attribution import SUMMARY_LABELS

LINKING = choice(
    'How periods are linked so that contributions add up to the compounded return: "carino" (default) or "menchero".',
    LINKING_METHODS,
)
ATTRIBUTION_VIEW = choice(
    '"summary" (default): each factor, RF, alpha and specific linked over the periods, beside their plain sums. '
    '"periods": the contributions of each date. "exposures": the exposures of each date.',
    ("summary", "periods", "exposures"),
)


@excel_function(
    depends=FACTOR_DATA,
    weights=rng(WEIGHTS.doc + " Leave empty when holdings is given."),
    dates=rng(DATES.doc, need="give the dates of the rows (periods are linked in date order)"),
    benchmark=rng("Optional benchmark weights, same layout as weights: then every figure is active return."),
    linking=LINKING,
    view=ATTRIBUTION_VIEW,
    holdings=rng(HOLDINGS.doc + " A row applies from the next period on (no look-ahead). Instead of weights."),
    betas=rng(
        "Optional: asset betas estimated elsewhere (e.g. on earlier data), asset names down the first column and "
        "factor names across the header; then alpha is part of specific. Default: regressions on the rows."
    ),
)
def FM_ATTRIBUTION(
    weights,
    returns,
    factors,
    dates,
    benchmark=None,
    linking="carino",
    view="summary",
    holdings=None,
    excess=True,
    betas=None,
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Return attribution by factor: each period's return (active with a benchmark) split into RF, exposure x
    factor return, alpha and specific, with exposures known at the period's start; linked totals add up to the
    compounded return."""
    if (weights is None) == (holdings is None):
        raise XLFactorError("weights: give the portfolio's weights or a holdings history (holdings), one of them")
    sample = inputs.sample(returns, factors, dates)
    if holdings is None:
        held, names = inputs.weights_for(weights, sample.assets), {}
    else:
        held, names = holdings_history(holdings), {"weights": "holdings"}
    bench = None if benchmark is None else inputs.weights_for(benchmark, sample.assets, "benchmark")
    frame = sample.factors if excess else sample.factors.drop(columns=[RF_COLUMN], errors="ignore")
    with excel_names(names):
        result = xf.factor_attribution(
            sample.returns,
            held,
            frame,
            benchmark=bench,
            betas=None if betas is None else beta_table(betas),
            linking=linking,
            max_gross=max_gross,
            units=units,
        )
    if view == "periods":
        return Table(result.periods, "Date")
    if view == "exposures":
        return Table(result.exposures, "Date")
    summary = attribution_summary(result).rename(columns=SUMMARY_LABELS)
    return Table(summary, f"Component ({result.linking})")


BRINSON_VIEW = choice(
    '"groups" (default): allocation, selection, interaction and total by group (linked over the periods), then a '
    'Total row. "periods": per period the portfolio, benchmark and active return and the three effects.',
    ("groups", "periods"),
)
GROUP_COLUMNS = {
    "allocation": "Allocation",
    "selection": "Selection",
    "interaction": "Interaction",
    "total": "Total",
}


@excel_function(
    depends=NO_DATA,
    weights=rng(
        "Portfolio weights summing to 1: one per column of returns (a row or column, or labelled), fixed; or a "
        "table with one row per period like returns."
    ),
    benchmark=rng("Benchmark weights summing to 1, same layouts as weights.", need="give the benchmark's weights"),
    returns=rng(
        "Returns (decimals): one column per group (or per asset with groups), header optional, one row per period "
        "(one row: a single period)."
    ),
    benchmark_returns=rng(
        "The benchmark's return of each group, same layout as returns. Leave empty when groups is given (assets "
        "then have one return each)."
    ),
    groups=rng("Optional: the group (sector, region) of each column of returns, in column order."),
    dates=rng("Optional: the dates of the periods (labels the periods view)."),
    linking=LINKING,
    view=BRINSON_VIEW,
)
def FM_BRINSON(
    weights, benchmark, returns, benchmark_returns=None, groups=None, dates=None, linking="carino", view="groups"
):
    """Brinson-Fachler attribution of portfolio against benchmark: allocation (w-wb)(rb_g-Rb), selection
    wb(r_g-rb_g) and interaction (w-wb)(r_g-rb_g) by group, one period or many linked (Carino/Menchero)."""
    r = convert.numbers(returns, "returns", label="Group")
    columns = r.columns
    w = _brinson_weights(weights, "weights", columns, len(r))
    v = _brinson_weights(benchmark, "benchmark", columns, len(r))
    b = None
    if benchmark_returns is not None:
        b = convert.numbers(benchmark_returns, "benchmark_returns", label="Group")
        if b.shape != r.shape:
            raise XLFactorError(
                f"benchmark_returns: {b.shape[0]} x {b.shape[1]} values for {r.shape[0]} x {r.shape[1]} returns; "
                "give the same layout as returns"
            )
        b.columns = columns
    labels = None if groups is None else _group_labels(groups, columns)
    index = _period_index(dates, len(r))
    r.index = index
    w.index = index
    v.index = index
    if b is not None:
        b.index = index
    result = xf.brinson(w, v, r, b, groups=labels, linking=linking)
    if view == "periods":
        table = result.periods.rename(columns=str.capitalize)
        return Table(table, "Date" if dates is not None else "Period")
    table = result.by_group.rename(columns=GROUP_COLUMNS)
    if len(r) == 1:
        first = pd.DataFrame(
            {
                "Portfolio weight": result.weights.iloc[0],
                "Benchmark weight": result.benchmark_weights.iloc[0],
                "Portfolio return": result.returns.iloc[0],
                "Benchmark return": result.benchmark_returns.iloc[0],
            }
        )
        table = pd.concat([first, table], axis=1)
    total = table.sum()
    if len(r) == 1:
        total["Portfolio return"], total["Benchmark return"] = result.portfolio_return, result.benchmark_return
    table.loc["Total"] = total
    return Table(table, f"Group ({result.linking})" if len(r) > 1 else "Group")


def _brinson_weights(value: Any, arg: str, columns: pd.Index, periods: int) -> pd.DataFrame:
    """Weights as a periods x columns table: a table with a row per period, or one fixed vector (repeated)."""
    cells = convert.Grid.of(value, arg)
    rows, width = len(cells.body), len(cells.rows[0])
    labelled = any(convert.is_label(r[0]) for r in cells.body)  # a label column: one labelled vector
    if periods > 1 and rows == periods and width == len(columns) and width > 1 and not labelled:
        table = convert.numbers(cells, arg, label="Group")
        if cells.header and list(table.columns) != list(columns):
            raise XLFactorError(f"{arg}: the header does not match the returns' columns; use the same names and order")
        table.columns = columns
        return table.fillna(0.0)
    vector = inputs.weights_for(value, columns, arg)
    return pd.DataFrame(np.tile(vector.to_numpy(), (periods, 1)), columns=columns)


def _group_labels(value: Any, columns: pd.Index) -> pd.Series:
    """One group label per column of returns (a row or a column of cells, blanks at the end ignored)."""
    cells = [v for row in convert.drop_blank_tail(convert.grid(value, "groups"), columns=True) for v in row]
    if len(cells) != len(columns):
        raise XLFactorError(
            f"groups: {len(cells)} labels for {len(columns)} columns of returns; give one group per column, in order"
        )
    if any(convert.is_blank(v) for v in cells):
        raise XLFactorError("groups: a group label is blank; give every column a group")
    labels = [str(int(v)) if convert.is_number(v) and float(v).is_integer() else str(v).strip() for v in cells]
    return pd.Series(labels, index=columns)


def _period_index(dates: Any, periods: int) -> pd.Index:
    if dates is None:
        return pd.RangeIndex(1, periods + 1)
    index = convert.dates(dates, "dates")
    if len(index) != periods:
        raise XLFactorError(f"dates: {len(index)} dates for {periods} rows of returns; give one date per row")
    return index
