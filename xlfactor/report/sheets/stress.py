"""Stress sheet: standard factor shocks with conditional moves, worst historical periods, VaR and ES."""

from __future__ import annotations

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import bar_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import (
    DATE,
    FONT_NAME,
    PCT,
    note,
    page_setup,
    rows_for,
    section,
    set_widths,
    title,
    write_table,
)

NAME = "Stress"
SHOCKED_FONT = Font(name=FONT_NAME, bold=True, color="C00000")


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Scenario table (shocked factors in bold red), P&L chart, worst periods, VaR/ES."""
    row = title(
        ws,
        "Stress tests",
        f"One-{info.period_name} factor shocks; factors not shocked move by their conditional expectation "
        "E[f_o | f_s] = F_os F_ss^-1 s under the factor covariance.",
    )
    row = section(ws, row, "Standard scenarios: factor moves and portfolio P&L")
    frame = a.stress.rename(columns={"pnl": "Portfolio P&L"})
    ref = write_table(ws, frame, row, 1, formats=PCT, index_label="Scenario")
    for i, scenario in enumerate(frame.index):
        for j, factor in enumerate(a.factor_names):
            if factor in a.stress_shocks.get(scenario, {}):
                ws.cell(row=ref.first_row + i, column=ref.first_col + 1 + j).font = SHOCKED_FONT
    pnl_col = ref.first_col + 1 + list(frame.columns).index("Portfolio P&L")
    row = note(
        ws,
        ref.next_row,
        "Bold red: the shocked factors; the others are implied. P&L = sum over factors of "
        "portfolio beta x factor move (excess return; specific returns are zero in expectation).",
        width_cols=len(frame.columns) + 1,
    )
    bar_chart(
        ws,
        ref,
        [pnl_col],
        f"A{row + 1}",
        title="Portfolio P&L by scenario",
        number_format="0%",
        horizontal=True,
        width=20,
        height=8,
    )
    row += rows_for(8)
    row = section(
        ws,
        row,
        f"Worst {len(a.worst_periods)} {info.period_name}s in the sample"
        + (" (realised returns)" if a.realised else " (today's weights held constant)"),
    )
    worst = a.worst_periods.rename(
        columns={"portfolio": "Portfolio return", "excess": "Excess over RF", "factor_part": "Factor part (beta x f)"}
    )
    ref = write_table(ws, worst, row, 1, formats=PCT, index_label="Date", index_format=DATE)
    row = section(ws, ref.next_row, f"Value at risk and expected shortfall (normal, one {info.period_name})")
    var = a.var_es.rename(columns={"var": "VaR", "es": "Expected shortfall"})
    var.index = pd.Index([f"{c:.0%}" for c in var.index], name="confidence")
    ref = write_table(ws, var, row, 1, formats=PCT, index_label="Confidence")
    note(
        ws,
        ref.next_row,
        "Losses are positive numbers: the loss exceeded with probability 1 - confidence, and "
        "the average loss beyond it.",
        width_cols=6,
    )
    set_widths(ws, default=11, first=34)
    page_setup(ws, header_text=info.title, one_page=True)
