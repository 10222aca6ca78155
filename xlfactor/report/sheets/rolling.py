"""Rolling betas sheet: the portfolio's rolling-window betas as a table and a line chart."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import line_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import DATE, NUM3, PCT, PCT1, page_setup, set_widths, title, write_table

NAME = "Rolling betas"


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Dates x (alpha, betas, R2) with a line chart of the betas next to the table."""
    row = title(
        ws,
        f"Rolling {a.window}-{info.period_name} portfolio betas",
        f"Each row: OLS of the portfolio's {'realised ' if a.realised else ''}excess return on the "
        f"factors over the {a.window} "
        f"{info.period_name}s ending on that date.",
    )
    factors = a.factor_names
    frame = a.rolling[["alpha", *factors, "rsquared"]].rename(columns={"alpha": "Alpha", "rsquared": "R2"})
    formats = {f: NUM3 for f in factors} | {"Alpha": PCT, "R2": PCT1}
    ref = write_table(ws, frame, row, 1, formats=formats, index_label="Date", index_format=DATE)
    anchor_col = ref.last_col + 2
    line_chart(
        ws,
        ref,
        list(range(ref.first_col + 2, ref.first_col + 2 + len(factors))),
        f"{get_column_letter(anchor_col)}{row}",
        title=f"Rolling {a.window}-{info.period_name} betas",
        y_title="beta",
        number_format="0.0",
        width=22,
        height=11,
    )
    set_widths(ws, default=10, first=12)
    page_setup(ws, freeze=f"B{ref.first_row}", header_text=info.title)
