"""Risk contributions sheet: Euler contributions to volatility by factor and by asset, with charts."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models import labels as L
from xlfactor.models.risk_model import PortfolioRisk
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import bar_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import (
    NUM3,
    PCT,
    PCT1,
    TableRef,
    note,
    page_setup,
    rows_for,
    section,
    set_widths,
    title,
    write_table,
)

NAME = "Risk contributions"
FACTOR_LABELS = {
    "exposure": "Exposure (beta)",
    "marginal": "Marginal",
    "contribution": "Contribution",
    "percent": "% of risk",
}
ASSET_LABELS = {"weight": "Weight", "marginal": "Marginal", "contribution": "Contribution", "percent": "% of risk"}
FORMATS = {"Exposure (beta)": NUM3, "Weight": PCT1, "Marginal": NUM3, "Contribution": PCT, "% of risk": PCT1}
CHART_COL = "H"
ONE_PAGE_ASSETS = 30


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """By-factor and by-asset tables (each with a total row and a bar chart), then active risk if any."""
    row = title(
        ws,
        "Risk contributions (annualised volatility, Euler allocation)",
        "Contribution = exposure x marginal risk; contributions add up to the total volatility, percentages to 100%.",
    )
    row = section(ws, row, "By factor")
    ref = _block(ws, a.risk.by_factor, FACTOR_LABELS, row, a.risk, "Factor", L.TOTAL_VOL.long)
    height = max(6.0, 0.55 * len(a.risk.by_factor) + 2.5)
    bar_chart(
        ws,
        ref,
        [ref.first_col + 3],
        f"{CHART_COL}{row}",
        title="Contribution to volatility by factor",
        number_format="0.0%",
        horizontal=True,
        last_row=ref.last_row - 1,
        width=15,
        height=height,
    )
    row = max(ref.next_row, row + rows_for(height))
    row = section(ws, row, "By asset")
    ref = _block(ws, a.risk.by_asset, ASSET_LABELS, row, a.risk, "Asset", L.TOTAL_VOL.long)
    height = max(6.0, 0.55 * len(a.risk.by_asset) + 2.5)
    bar_chart(
        ws,
        ref,
        [ref.first_col + 3],
        f"{CHART_COL}{row}",
        title="Contribution to volatility by asset",
        number_format="0.0%",
        horizontal=True,
        last_row=ref.last_row - 1,
        width=15,
        height=height,
    )
    row = max(ref.next_row, row + rows_for(height))
    if a.active_risk is not None:
        row = section(ws, row, "Active risk against the benchmark, by factor")
        ref = _block(ws, a.active_risk.by_factor, FACTOR_LABELS, row, a.active_risk, "Factor", "Tracking error")
        row = note(
            ws,
            ref.next_row,
            "Active exposures are the portfolio's minus the benchmark's betas; the total is the tracking error.",
            width_cols=5,
        )
    set_widths(ws, default=14, first=16)
    page_setup(ws, header_text=info.title, one_page=len(a.risk.by_asset) <= ONE_PAGE_ASSETS)


def _block(
    ws: Worksheet,
    frame: pd.DataFrame,
    labels: dict[str, str],
    row: int,
    risk: PortfolioRisk,
    index_label: str,
    total_label: str,
) -> TableRef:
    table = frame[list(labels)].rename(columns=labels)
    total = pd.Series({"Contribution": risk.total_vol, "% of risk": 1.0})
    return write_table(
        ws, table, row, 1, formats=FORMATS, index_label=index_label, total=total, total_label=total_label
    )
