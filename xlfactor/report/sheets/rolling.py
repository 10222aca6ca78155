"""Rolling betas sheet: the portfolio's rolling-window betas as a table and a line chart."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models import labels as L
from xlfactor.models.rolling import RSQUARED
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import line_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import DATE, NUM3, PCT, PCT1, page_setup, rows_for, set_widths, title, write_table

CHART_HEIGHT = 11
NAME = "Rolling betas"
FORMATS = {L.ALPHA.short: PCT, L.RSQUARED.short: PCT1}


def table(a: PortfolioAnalysis) -> pd.DataFrame:
    """Alpha, the betas and R2 of each window, labelled."""
    columns = {"alpha": L.ALPHA.short, RSQUARED: L.RSQUARED.short}
    return a.rolling[["alpha", *a.factor_names, RSQUARED]].rename(columns=columns)


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """A line chart of the betas, then the dates x (alpha, betas, R2) table (an Excel table with filters)."""
    row = title(
        ws,
        f"Rolling {a.window}-{info.period_name} portfolio betas",
        f"Each row: OLS of the portfolio's {'realised ' if a.realised else ''}excess return on the "
        f"factors over the {a.window} "
        f"{info.period_name}s ending on that date.",
    )
    factors = a.factor_names
    frame = table(a)
    formats = {f: NUM3 for f in factors} | FORMATS
    chart_row, row = row, row + rows_for(CHART_HEIGHT)  # the chart above the table: it prints on the first page
    ref = write_table(ws, frame, row, 1, formats=formats, index_label="Date", index_format=DATE, filters=True)
    line_chart(
        ws,
        ref,
        list(range(ref.first_col + 2, ref.first_col + 2 + len(factors))),
        f"A{chart_row}",
        title=f"Rolling {a.window}-{info.period_name} betas",
        y_title="beta",
        number_format="0.0",
        width=22,
        height=CHART_HEIGHT,
    )
    set_widths(ws, default=10, first=12)
    page_setup(ws, header_text=info.title)  # scrolled, the Excel table's header replaces the column letters
