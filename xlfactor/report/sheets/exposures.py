"""Exposures sheet: top-down vs bottom-up portfolio betas, side by side, with a bar chart."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models import labels as L
from xlfactor.report.analysis import MATERIAL_BETA_GAP, PortfolioAnalysis
from xlfactor.report.charts import bar_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import (
    DATE,
    NUM2,
    NUM3,
    note,
    page_setup,
    rows_for,
    section,
    set_widths,
    title,
    write_table,
)

NAME = "Exposures"
CHART_HEIGHT = 9
COLUMNS = {
    "top_down": "Top-down beta",
    "top_down_se": L.BSE.short,
    "top_down_t": L.TVALUES.short,
    "bottom_up": "Bottom-up beta",
    "difference": "Bottom-up minus top-down",
    "material": "Differs materially",
}
FORMATS = {
    "Top-down beta": NUM3,
    L.BSE.short: NUM3,
    L.TVALUES.short: NUM2,
    "Bottom-up beta": NUM3,
    "Bottom-up minus top-down": NUM3,
}


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """The exposure table, a clustered bar chart and a note on material differences."""
    if a.realised:
        subtitle = (
            "Top-down: regression of the portfolio's realised excess return (its actual history, with the "
            "weights it held) on the factors. Bottom-up: today's weights times each asset's betas."
        )
    else:
        subtitle = (
            "Top-down: regression on the factors of the portfolio's excess return with today's weights "
            "held constant (no realised history given). Bottom-up: today's weights times each asset's betas."
        )
    row = title(ws, "Factor exposures (betas)", subtitle)
    table = a.exposures[list(COLUMNS)].rename(columns=COLUMNS)
    table["Differs materially"] = table["Differs materially"].map({True: "yes", False: "no"})
    ref = write_table(
        ws,
        table,
        row,
        1,
        index_label="Factor",
        formats=FORMATS,
    )
    row = ref.next_row
    row = note(ws, row, exposure_note(a), width_cols=7)
    bar_chart(
        ws,
        ref,
        [ref.first_col + 1, ref.first_col + 4],
        f"A{row + 1}",
        title="Portfolio betas: top-down vs bottom-up",
        y_title="beta",
        number_format="0.00",
        width=22,
        height=CHART_HEIGHT,
    )
    if a.holdings_exposures is not None:
        row = section(ws, row + 1 + rows_for(CHART_HEIGHT), "Bottom-up betas of the holdings history")
        row = note(
            ws,
            row,
            "Each date's weights times each asset's betas: x_t = sum_i w_t,i beta_i (the betas of "
            "the asset regressions).",
            width_cols=7,
        )
        write_table(ws, a.holdings_exposures, row, 1, index_label="Date", index_format=DATE, formats=NUM3, filters=True)
    set_widths(ws, {7: 16}, default=15, first=14)
    page_setup(ws, freeze=f"B{ref.first_row}", header_text=info.title, one_page=True)


def exposure_note(a: PortfolioAnalysis) -> str:
    """What the gap between the two estimates means, for a realised or a constant-weight top-down series."""
    material = a.exposures.index[a.exposures["material"]].tolist()
    rule = f"more than {MATERIAL_BETA_GAP:.2f} and more than two standard errors apart"
    if a.realised and material:
        return (
            f"Note: the two estimates differ materially ({rule}) for {', '.join(material)}. Top-down shows the "
            "exposures the portfolio actually carried over the sample; bottom-up those of today's holdings. "
            "Usual causes: style drift or trading during the sample (the weights held were not today's), "
            "timing (exposures changed with the market), assets with short or patchy histories, or exposures "
            "that vary over time (see Rolling betas)."
        )
    if a.realised:
        return (
            f"The estimates agree (none {rule}): today's holdings carry about the exposures the portfolio's "
            "realised history shows; small gaps reflect drift and trading during the sample and estimation noise."
        )
    if material:
        return (
            f"Note: the two estimates differ materially ({rule}) for {', '.join(material)}. With no realised "
            "history the top-down series holds today's weights constant, so the gap comes from assets with "
            "short or patchy histories: each asset's betas use its own dates, the portfolio series only the "
            "dates where every held asset has a return."
        )
    return (
        f"The estimates agree (none {rule}). With no realised return history given, the top-down series "
        "holds today's weights constant, and with every asset observed on every date the two are equal by "
        "construction (least squares is linear in the returns). Give the portfolio's realised returns (a "
        "PortfolioReturns sheet, --portfolio-returns, or portfolio_returns=) to compare today's holdings "
        "with its actual history."
    )
