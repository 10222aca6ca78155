"""Summary sheet: what the portfolio is, its headline risk, top contributors and a plain-English reading."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from xlfactor import __version__
from xlfactor.models import labels as L
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.info import ReportInfo
from xlfactor.report.reading import reading
from xlfactor.report.workbook import (
    DATE,
    INT,
    NUM2,
    PCT,
    PCT1,
    note,
    page_setup,
    section,
    set_widths,
    title,
    write_pairs,
    write_table,
)

NAME = "Summary"
TOP = 5


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Portfolio facts, annualised risk, VaR, top contributors and the reading."""
    row = title(
        ws, info.title, f"Factor risk report - generated {info.generated:%Y-%m-%d %H:%M} by xlfactor {__version__}"
    )
    row = section(ws, row, "Portfolio and data")
    row = write_pairs(ws, row, facts(a, info))
    row = section(ws, row + 1, "Risk (annualised)")
    risk = a.risk
    row = write_pairs(ws, row, risk_figures(a, info))

    row = section(ws, row + 1, "Top risk contributors")
    by_factor = risk.by_factor.sort_values("contribution", ascending=False).head(TOP)
    factors = write_table(
        ws,
        by_factor[["contribution", "percent"]].set_axis(["Contribution", "% of risk"], axis=1),
        row,
        1,
        formats={"Contribution": PCT, "% of risk": PCT1},
        index_label="Factor",
    )
    by_asset = risk.by_asset.sort_values("contribution", ascending=False).head(TOP)
    assets = write_table(
        ws,
        by_asset[["weight", "contribution", "percent"]].set_axis(["Weight", "Contribution", "% of risk"], axis=1),
        row,
        5,
        formats={"Weight": PCT1, "Contribution": PCT, "% of risk": PCT1},
        index_label="Asset",
    )
    row = max(factors.next_row, assets.next_row)

    row = section(ws, row, "Reading")
    for sentence in reading(a, info):
        row = note(ws, row, sentence, width_cols=8, plain=True)
    set_widths(ws, {2: 16, 5: 18}, default=13, first=30)
    page_setup(ws, landscape=False, header_text=info.title, one_page=True)


def facts(a: PortfolioAnalysis, info: ReportInfo) -> list[tuple[str, object, str | None]]:
    """(label, value, number format) rows describing the portfolio and its data."""
    held = a.weights[a.weights != 0]
    return [
        ("Portfolio", info.portfolio_source, None),
        ("Assets", int(a.weights.size), INT),
        ("Assets held (non-zero weight)", int(held.size), INT),
        ("Total weight (sum)", a.total_weight, PCT1),
        ("Gross exposure (sum of |w|)", a.gross_weight, PCT1),
        ("Cash / uncovered (1 - total)", a.cash_weight, PCT1),
        ("Sample start", a.start, DATE),
        ("Sample end", a.end, DATE),
        (L.NOBS.long, int(a.portfolio_returns.size), INT),
        (
            "Top-down return series",
            "the portfolio's realised history"
            if a.realised
            else "today's weights held constant (no realised history given)",
            None,
        ),
        ("Frequency", info.frequency_name, None),
        ("Factor model", f"{info.model}: {', '.join(a.factor_names)}", None),
        ("Factor data", info.factor_source.get("summary", "user-supplied factor returns"), None),
        ("Benchmark", "none" if a.benchmark is None else "given (active figures below)", None),
    ]


def risk_figures(a: PortfolioAnalysis, info: ReportInfo) -> list[tuple[str, object, str | None]]:
    """(label, value, number format) rows of the headline risk: volatilities, active risk, VaR/ES, market beta."""
    risk = a.risk
    pairs = [
        (L.TOTAL_VOL.long, risk.total_vol, PCT),
        (L.FACTOR_VOL.long, risk.factor_vol, PCT),
        (L.SPECIFIC_VOL.long, risk.specific_vol, PCT),
        (L.FACTOR_SHARE.long, risk.factor_share, PCT1),
    ]
    if a.active_risk is not None:
        pairs += [
            ("Tracking error", a.active_risk.total_vol, PCT),
            ("Active share", a.active_share, PCT1),
            (L.ACTIVE_FACTOR_SHARE.long, a.active_risk.factor_share, PCT1),
        ]
    pairs += [(f"VaR {c:.0%}, one {info.period_name}", a.var_es.loc[c, "var"], PCT) for c in a.var_es.index]
    pairs += [(f"Expected shortfall {c:.0%}", a.var_es.loc[c, "es"], PCT) for c in a.var_es.index]
    if "Mkt-RF" in a.exposures.index:
        pairs.append(("Market beta (top-down)", a.exposures.loc["Mkt-RF", "top_down"], NUM2))
        pairs.append(("Market beta (bottom-up)", a.exposures.loc["Mkt-RF", "bottom_up"], NUM2))
    return pairs
