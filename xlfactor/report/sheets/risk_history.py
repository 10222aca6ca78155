"""Risk history sheet: the ex-ante volatility at each date from earlier data only, beside the realised volatility."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models import labels as L
from xlfactor.models.risk_history import RiskHistory
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import line_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.sheets.forecast import too_short
from xlfactor.report.workbook import DATE, PCT, note, page_setup, rows_for, set_widths, title, write_table

NAME = "Risk history"
TRACKING_ERROR = "Tracking error"


def table(h: RiskHistory) -> pd.DataFrame:
    """Per date: total, factor and specific vol, tracking error (with a benchmark), each factor's and the specific
    contribution to the total vol, the realised return and the trailing realised vol (FM_RISK_HISTORY's columns)."""
    columns = {"total_vol": L.TOTAL_VOL.short, "factor_vol": L.FACTOR_VOL.short, "specific_vol": L.SPECIFIC_VOL.short,
               "tracking_error": TRACKING_ERROR}  # fmt: skip
    out = h.table[[c for c in columns if c in h.table]].rename(columns=columns)
    for name in h.contributions.columns:
        out[f"{name} contribution"] = h.contributions[name]
    out["Realised"] = h.table["realised"]
    out[realised_vol(h)] = h.table["realised_vol"]
    return out


def realised_vol(h: RiskHistory) -> str:
    return f"Realised vol ({h.realised_window})"


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """The dated ex-ante risk table with a line chart of ex-ante vol, realised vol and tracking error."""
    h = a.risk_history
    row = title(
        ws,
        "Risk through time",
        f"Each {info.period_name}'s ex-ante volatility of today's weights from the data before it only (expanding "
        f"window, {a.cov_method} factor covariance), annualised, beside the realised volatility of the trailing "
        f"{h.realised_window if h else ''} {info.period_name}s.",
    )
    if h is None:
        note(ws, row, too_short(a, info.period_name), width_cols=10)
        page_setup(ws, header_text=info.title)
        return
    frame = table(h)
    height = 11.0
    chart_row, row = row, row + rows_for(height) + 1  # the chart above the table, which is wide
    ref = write_table(ws, frame, row, 1, formats=PCT, index_label="Date", index_format=DATE)
    names = list(frame.columns)
    charted = [L.TOTAL_VOL.short, realised_vol(h), *([TRACKING_ERROR] if TRACKING_ERROR in names else [])]
    line_chart(
        ws,
        ref,
        [ref.first_col + 1 + names.index(c) for c in charted],
        f"A{chart_row}",
        title="Ex-ante and realised volatility (annualised)",
        y_title="volatility",
        number_format="0%",
        width=24,
        height=height,
    )
    ws.row_dimensions[ref.header_row].height = 45  # three lines: '<factor> contribution'
    set_widths(ws, default=13, first=14)
    page_setup(ws, freeze=f"B{ref.first_row}", header_text=info.title)
