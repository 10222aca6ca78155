"""Hedges sheet: minimum-variance factor hedges and the hedge to a target factor share."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.report import labels as L
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
    row = section(ws, row, "Hedges and the volatility they leave (annualised)")
    frame = a.hedges.rename(columns=LABELS)
    formats = {f: NUM3 for f in a.factor_names} | {"Vol before": PCT, "Vol after": PCT, "Variance reduction": PCT1}
    ref = write_table(ws, frame, row, 1, formats=formats, index_label="Hedge")
    vol_cols = [ref.first_col + 1 + list(frame.columns).index(c) for c in ("Vol before", "Vol after")]
    series = "realised excess returns" if a.realised else "excess returns at today's weights"
    row = note(
        ws,
        ref.next_row,
        f"Minimum variance: h = Cov(f)^-1 Cov(f, r_p) estimated on the portfolio's {series} "
        "(the factors are the hedge instruments); vol after = sample volatility of r_p - h'f, so "
        "variance reduction = 1 - (vol after / vol before)^2. "
        f"Target hedge: scales the risk model's factor exposures so that factors explain "
        f"{a.target_factor_share:.0%} of the variance; specific risk cannot be hedged with factors.",
        width_cols=len(frame.columns) + 1,
    )
    bar_chart(
        ws,
        ref,
        vol_cols,
        f"A{row + 1}",
        title="Volatility before and after hedging",
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
        index=[L.TOTAL_VOL, L.FACTOR_VOL, L.SPECIFIC_VOL, L.FACTOR_SHARE],
    )
    write_table(ws, rows, row, 6, formats=PCT, index_label="Model risk")
    set_widths(ws, {6: 22}, default=12, first=34)
    page_setup(ws, header_text=info.title, one_page=True)
