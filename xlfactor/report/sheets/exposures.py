"""Exposures sheet: top-down vs bottom-up portfolio betas, side by side, with a bar chart."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models.analysis import MATERIAL_BETA_GAP, PortfolioAnalysis
from xlfactor.report.charts import bar_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import NUM2, NUM3, note, page_setup, set_widths, title, write_table

NAME = "Exposures"
COLUMNS = {
    "top_down": "Top-down beta",
    "top_down_se": "Std error",
    "top_down_t": "t-stat",
    "bottom_up": "Bottom-up beta",
    "difference": "Bottom-up minus top-down",
    "material": "Differs materially",
}


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """The exposure table, a clustered bar chart and a note on material differences."""
    row = title(ws, "Factor exposures (betas)",
                "Top-down: regression of the portfolio's excess return on the factors. Bottom-up: current weights "
                "times each asset's betas.")
    table = a.exposures[list(COLUMNS)].rename(columns=COLUMNS)
    table["Differs materially"] = table["Differs materially"].map({True: "yes", False: "no"})
    ref = write_table(ws, table, row, 1, index_label="Factor", formats={
        "Top-down beta": NUM3, "Std error": NUM3, "t-stat": NUM2, "Bottom-up beta": NUM3,
        "Bottom-up minus top-down": NUM3})
    row = ref.next_row
    material = a.exposures.index[a.exposures["material"]].tolist()
    if material:
        text = (f"Note: the two estimates differ materially (by more than {MATERIAL_BETA_GAP:.2f} and two standard "
                f"errors) for {', '.join(material)}. Usual causes: the weights changed during the sample (bottom-up "
                "reflects today's holdings), assets with short or patchy histories (each asset's betas use its own "
                "dates), or exposures that vary over time (see Rolling betas).")
    else:
        text = (f"The estimates agree (no gap above {MATERIAL_BETA_GAP:.2f} and two standard errors). With constant "
                "weights and every asset observed on every date they are equal by construction (least squares is "
                "linear in the returns); gaps come from assets with missing history.")
    row = note(ws, row, text, width_cols=7)
    bar_chart(ws, ref, [ref.first_col + 1, ref.first_col + 4], f"A{row + 1}",
              title="Portfolio betas: top-down vs bottom-up", y_title="beta", number_format="0.00", width=22,
              height=9)
    set_widths(ws, {7: 16}, default=15, first=14)
    page_setup(ws, freeze=f"B{ref.first_row}", header_text=info.title, one_page=True)
