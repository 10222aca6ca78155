"""Hedges sheet: minimum-variance factor hedges and the hedge to a target factor share."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models import labels as L
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import bar_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import (
    NUM3,
    PCT,
    PCT1,
    note,
    page_setup,
    rows_for,
    section,
    set_widths,
    title,
    write_pairs,
    write_table,
)

NAME = "Hedges"
LABELS = {"vol_before": "Vol before", "vol_after": "Vol after", "variance_reduction": "Variance reduction"}


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Hedge table (positions to sell per factor, volatility before/after), a chart, the target hedge detail."""
    row = title(
        ws,
        "Factor hedges",
        "Positions are amounts of each factor-mimicking portfolio to SELL SHORT per 1 of portfolio capital "
        "(negative = buy).",
    )
    target_row = f"Factor share to {a.target_factor_share:.0%} (risk model)"
    sample = a.hedges.drop(index=target_row, errors="ignore")
    vol_before = float(sample["vol_before"].iloc[0])  # the same portfolio series for every row
    series = "realised excess returns" if a.realised else "excess returns at today's weights"
    row = section(ws, row, "Minimum-variance hedges (annualised sample volatility)")
    row = write_pairs(ws, row, [("Vol before (sample)", vol_before, PCT)])
    frame = sample.drop(columns="vol_before").rename(columns=LABELS)
    formats = {f: NUM3 for f in a.factor_names} | {"Vol after": PCT, "Variance reduction": PCT1}
    ref = write_table(ws, frame, row + 1, 1, formats=formats, index_label="Hedge")
    vols = pd.DataFrame(
        {"Volatility": [vol_before, *sample["vol_after"]]}, index=["Unhedged", *[f"{n}" for n in sample.index]]
    )
    chart_table = write_table(ws, vols, ref.next_row, 1, formats=PCT, index_label="Sample volatility")
    row = note(
        ws,
        chart_table.next_row,
        f"Vol before: the sample volatility of the portfolio's {series}, the same for every hedge. "
        f"Minimum variance: h = Cov(f)^-1 Cov(f, r_p) estimated on the portfolio's {series} "
        "(the factors are the hedge instruments); vol after = sample volatility of r_p - h'f, so "
        "variance reduction = 1 - (vol after / vol before)^2. The target hedge below works on the risk "
        f"model's volatility instead: it scales the factor exposures so that factors explain "
        f"{a.target_factor_share:.0%} of the variance; specific risk cannot be hedged with factors.",
        width_cols=len(frame.columns) + 1,
    )
    bar_chart(
        ws,
        chart_table,
        [chart_table.first_col + 1],
        f"A{row + 1}",
        title="Volatility before and after hedging (sample)",
        number_format="0%",
        width=20,
        height=8,
    )
    row += rows_for(8)
    row = section(ws, row, f"Target hedge: factor share of variance to {a.target_factor_share:.0%}")
    t = a.target_hedge
    detail = pd.DataFrame(
        {"Exposure before": t.exposures_before, "Hedge (sell)": t.hedge, "Exposure after": t.exposures_after}
    )
    ref = write_table(ws, detail, row, 1, formats=NUM3, index_label="Factor")
    rows = pd.DataFrame(
        {
            "Before": [t.total_vol_before, t.factor_vol_before, t.specific_vol, t.factor_share_before],
            "After": [t.total_vol_after, t.factor_vol_after, t.specific_vol, t.factor_share_after],
        },
        index=[L.TOTAL_VOL.short, L.FACTOR_VOL.short, L.SPECIFIC_VOL.short, L.FACTOR_SHARE.short],
    )
    write_table(ws, rows, row, 6, formats=PCT, index_label="Risk model (not sample)")
    set_widths(ws, {6: 22}, default=12, first=34)
    page_setup(ws, header_text=info.title, one_page=True)
