"""Attribution sheet: where the return came from, by factor, alpha and specific return, linked over the sample."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models.attribution import TOTAL_ROW, AttributionResult, attribution_summary
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import bar_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import (
    DATE,
    PCT,
    note,
    page_setup,
    rows_for,
    section,
    set_widths,
    title,
    write_pairs,
    write_table,
)

NAME = "Attribution"
SUMMARY_LABELS = {"linked": "Linked", "sum": "Sum of periods"}
CHART_COL = "F"


NOT_ENOUGH = "Not enough dates with a return for every held asset to attribute."


def figures(res: AttributionResult) -> list[tuple[str, object, str | None]]:
    """The compounded portfolio (benchmark, active) return and the periods as (label, value, format) rows."""
    pairs: list[tuple[str, object, str | None]] = [("Portfolio return (compounded)", res.portfolio_return, PCT)]
    if res.active:
        pairs += [("Benchmark return (compounded)", res.benchmark_return, PCT), ("Active return", res.total, PCT)]
    dates = res.periods.index
    return [
        *pairs,
        ("Periods", len(res.periods), "0"),
        ("First period", dates[0], DATE),
        ("Last period", dates[-1], DATE),
    ]


def summary(res: AttributionResult) -> tuple[pd.DataFrame, pd.Series]:
    """The linked contributions beside the plain sums (one row per component), and their Total row."""
    table = attribution_summary(res).rename(columns=SUMMARY_LABELS)
    return table.drop(index=TOTAL_ROW), table.loc[TOTAL_ROW]


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Compounded returns, the linked contributions (with a bar chart), then the contributions of each period."""
    res = a.attribution
    active = res is not None and res.active
    row = title(
        ws,
        "Where did the " + ("active " if active else "") + "return come from?",
        f"Each {info.period_name}'s {'active ' if active else ''}return of today's weights (held constant), by source.",
    )
    row = note(
        ws,
        row - 1,
        "Split into the risk-free rate, exposure x factor return for each factor, alpha and specific return; "
        "linked over the sample (Carino) so that the parts add up to the compounded return.",
        width_cols=8,
    )
    if res is None:
        note(ws, row, NOT_ENOUGH, width_cols=8)
        page_setup(ws, header_text=info.title)
        return
    row = write_pairs(ws, row, figures(res), span=3)
    row = section(ws, row + 1, "Linked contributions")
    parts, total = summary(res)
    ref = write_table(ws, parts, row, 1, formats=PCT, index_label="Component", total=total)
    height = max(6.0, 0.55 * (len(parts) + 1) + 2.5)
    bar_chart(
        ws, ref, [ref.first_col + 1], f"{CHART_COL}{row}", title="Linked contribution to the return",
        number_format="0.0%", horizontal=True, last_row=ref.last_row - 1, width=15, height=height,
    )  # fmt: skip
    row = max(ref.next_row, row + rows_for(height))
    row = note(
        ws, row,
        "Linked: each period's contribution times the Carino factor ln(1 + r_t) / r_t over ln(1 + R) / R (with a "
        "benchmark, of r_t - b_t and R - B), so the parts add up to the compounded total. Sum of periods: the plain "
        "sum, which does not compound. Betas and alphas are the assets' regressions over the sample.",
        width_cols=8,
    )  # fmt: skip
    row = section(ws, row + 1, f"Contributions by {info.period_name}")
    write_table(ws, res.periods, row, 1, formats=PCT, index_label="Date", index_format=DATE, filters=True)
    set_widths(ws, default=10, first=12)
    page_setup(ws, freeze=None, header_text=info.title)
