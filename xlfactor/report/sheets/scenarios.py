"""Historical scenarios sheet: library episodes replayed on today's exposures, table and bar chart."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.report.analysis import SCENARIO_BAND, PortfolioAnalysis
from xlfactor.report.charts import bar_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import DATE, INT, PCT, note, page_setup, rows_for, section, set_widths, title, write_table

NAME = "Historical scenarios"
#: Labels of the columns of ``PortfolioAnalysis.historical_scenarios`` (factor columns keep their names).
COLUMNS = {
    "start": "Start",
    "end": "End",
    "frequency": "Data",
    "periods": "Periods",
    "pnl": "Portfolio P&L",
    "band_low": f"Low ({SCENARIO_BAND:.0%} band)",
    "band_high": f"High ({SCENARIO_BAND:.0%} band)",
    "worst_date": "Worst period",
    "worst_pnl": "Worst period P&L",
}


def formats(frame: pd.DataFrame) -> dict[str, str]:
    """Number formats of the labelled table: dates, whole periods, percentages for every P&L column."""
    fixed = {"Start": DATE, "End": DATE, "Periods": INT, "Worst period": DATE}
    return {c: fixed.get(c, PCT) for c in frame.columns if c != "Data"}


def descriptions(a: PortfolioAnalysis) -> pd.DataFrame:
    """One line of description per replayed episode."""
    return pd.DataFrame(
        {"Description": [res.description for res in a.scenario_results.values()]}, index=list(a.scenario_results)
    )


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """P&L by factor and in total per episode, specific band, worst period; bar chart; the episodes described."""
    row = title(
        ws,
        "Historical scenarios",
        "Market episodes from the Ken French factor history replayed on today's factor exposures x = B'w: "
        "P&L = sum over factors of x_k F_k, F_k the factor's compounded return over the episode.",
    )
    table = a.historical_scenarios
    if table.empty:
        note(
            ws,
            row,
            "No library episode falls inside the factor data given to the report; pass longer factor "
            "histories (build_report loads the full French files when it loads the model itself).",
            width_cols=10,
        )
        page_setup(ws, header_text=info.title)
        return
    row = section(ws, row, "P&L of today's portfolio in each episode")
    frame = table.rename(columns=COLUMNS)
    ref = write_table(ws, frame, row, 1, formats=formats(frame), index_label="Episode", filters=True)
    pnl_col = ref.first_col + 1 + list(frame.columns).index("Portfolio P&L")
    row = note(
        ws,
        ref.next_row,
        "Factor columns: each factor's part x_k F_k. The band adds the specific returns "
        "(normal, the model's specific variance over the episode's length) around the factor P&L. Worst "
        "period: the single day or month of the episode with the lowest x' f_t. Episodes the factor data "
        "does not cover are left out.",
        width_cols=len(frame.columns) + 1,
    )
    bar_chart(
        ws,
        ref,
        [pnl_col],
        f"A{row + 1}",
        title="Portfolio P&L by historical episode",
        number_format="0%",
        horizontal=True,
        width=20,
        height=9,
    )
    row += rows_for(9) + 1
    row = section(ws, row, "The episodes")
    about = descriptions(a)
    ref = write_table(ws, about, row, 1, index_label="Episode")
    set_widths(ws, default=11, first=26)
    page_setup(ws, header_text=info.title, one_page=True)
