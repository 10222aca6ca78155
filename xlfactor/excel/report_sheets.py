"""Build report in xlwings Lite and xlwings Server: the report goes into new sheets of the open workbook.

In Lite (Pyodide in the browser) and on a Server (a remote machine), a report file would land
where the user cannot reach it, so these runtimes lay the report out through the ``xw.Book``
API instead: one sheet per part of the report (``xlfactor report``, ``xlfactor exposures``,
...), each a series of Excel tables with number formats and, where the runtime draws them
(both do, through Office.js), native charts. The classic desktop keeps the report file
(:func:`xlfactor.excel.ribbon.build_report`).

The numbers come from :func:`xlfactor.report.build.report_analysis` (the same analysis and
facts as the report file); :func:`layout` arranges them as blocks (pure data, no Excel) and
:func:`write_report_sheets` writes the blocks. Running it again replaces the sheets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlwings as xw

from xlfactor.excel import ribbon
from xlfactor.models import labels as L
from xlfactor.models.risk_model import PortfolioRisk
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.build import report_analysis
from xlfactor.report.info import ReportInfo
from xlfactor.report.reading import reading
from xlfactor.report.sheets import (
    attribution,
    exposures,
    forecast,
    hedges,
    regressions,
    risk,
    risk_history,
    rolling,
    scenarios,
    summary,
)
from xlfactor.report.workbook import DATE, NUM2, NUM3, PCT, PCT1

PREFIX = "xlfactor "
TABLE_STYLE = "TableStyleMedium2"
NO_EPISODES = "No library episode falls inside the factor data of the model."


@dataclass(frozen=True)
class Block:
    """One table of a report sheet.

    ``frame`` is written with its index as the first column (headed ``index_label``);
    ``formats`` maps column names to Excel number formats (``index_format`` for the
    index). ``chart`` = (xlwings chart type, n): a chart of the first ``n`` data columns
    against the index. ``total`` is a row written under the table, outside it.
    ``pairs`` blocks are label/value rows, each with its own format (no Excel table).
    """

    title: str
    frame: pd.DataFrame | None = None
    index_label: str = ""
    formats: dict[str, str] | None = None
    index_format: str | None = None
    chart: tuple[str, int] | None = None
    total: tuple[str, dict[str, float]] | None = None
    pairs: list[tuple[str, Any, str | None]] | None = None


def layout(a: PortfolioAnalysis, info: ReportInfo) -> dict[str, list[Block]]:
    """Sheet name -> its blocks, in report order (the numbers are the analysis's, only arranged)."""
    period = info.period_name
    factors = a.factor_names
    expo = a.exposures[list(exposures.COLUMNS)].rename(columns=exposures.COLUMNS)
    expo["Differs materially"] = expo["Differs materially"].map({True: "yes", False: "no"})
    expo = expo[["Top-down beta", "Bottom-up beta", L.BSE.short, L.TVALUES.short, "Bottom-up minus top-down",
                 "Differs materially"]]  # fmt: skip
    roll = rolling.table(a)
    roll = roll[[*factors, *[c for c in roll.columns if c not in factors]]]  # the betas first: charted
    stress = a.stress.rename(columns={"pnl": "Portfolio P&L"})
    stress = stress[["Portfolio P&L", *[c for c in stress.columns if c != "Portfolio P&L"]]]
    var = a.var_es.rename(columns={"var": "VaR", "es": "Expected shortfall"})
    var.index = pd.Index([f"{c:.0%}" for c in var.index])
    worst = a.worst_periods.rename(
        columns={"portfolio": "Portfolio return", "excess": "Excess over RF", "factor_part": "Factor part (beta x f)"}
    )
    sheets = {
        "report": [
            Block("Portfolio and data", pairs=summary.facts(a, info)),
            Block("Risk (annualised)", pairs=summary.risk_figures(a, info)),
            Block("Reading", pairs=[(sentence, None, None) for sentence in reading(a, info)]),
        ],
        "exposures": [
            Block(
                "Factor exposures (betas): top-down vs bottom-up",
                expo,
                "Factor",
                exposures.FORMATS,
                chart=("bar_clustered", 2),
            ),
        ],
        "risk": [
            _risk_block("Risk contributions by factor (annualised volatility, Euler)", a.risk, "Factor"),
            _risk_block("Risk contributions by asset", a.risk, "Asset"),
        ],
        "attribution": _attribution_blocks(a, period),
        "regressions": [
            Block(
                "Per-asset factor regressions (OLS, classical t-stats)",
                regressions.table(a, period),
                "Asset",
                regressions.formats(factors, period),
            ),
        ],
        "rolling betas": [
            Block(
                f"Rolling {a.window}-{period} portfolio betas",
                roll,
                "Date",
                {f: NUM3 for f in factors} | rolling.FORMATS,
                DATE,
                chart=("line", len(factors)),
            ),
        ],
        "covariance": [
            Block("Factor volatility (annualised)", a.factor_vol.to_frame("Volatility"), "Factor", {"Volatility": PCT}),
            Block("Factor covariance (annualised)", a.factor_cov, "Factor", dict.fromkeys(factors, "0.0000")),
            Block("Factor correlation", a.factor_corr, "Factor", dict.fromkeys(factors, NUM2)),
        ],
        "hedges": [
            Block(
                "Hedges: amount of each factor portfolio to sell short per 1 of capital",
                a.hedges.rename(columns=hedges.LABELS),
                "Hedge",
                {f: NUM3 for f in factors} | {"Vol before": PCT, "Vol after": PCT, "Variance reduction": PCT1},
            ),
        ],
        "stress": [
            Block(
                f"Stress scenarios: one-{period} factor moves and portfolio P&L",
                stress,
                "Scenario",
                dict.fromkeys(stress.columns, PCT),
                chart=("bar_clustered", 1),
            ),
            Block(
                f"Worst {len(worst)} {period}s in the sample", worst, "Date", dict.fromkeys(worst.columns, PCT), DATE
            ),
            Block(
                f"Value at risk and expected shortfall (normal, one {period})",
                var,
                "Confidence",
                dict.fromkeys(var.columns, PCT),
            ),
        ],
        "historical scenarios": _scenario_blocks(a),
        "forecast check": _forecast_blocks(a, period),
        "risk history": _risk_history_blocks(a, period),
    }
    if a.active_risk is not None:
        sheets["risk"].append(_risk_block("Active risk against the benchmark, by factor", a.active_risk, "Factor"))
    return {PREFIX + name: blocks for name, blocks in sheets.items()}


def build_report_sheets(book: xw.Book) -> list[str]:
    """The report for the workbook's portfolio (:func:`xlfactor.excel.ribbon.portfolio_inputs`), in its sheets."""
    returns, weights, realised = ribbon.portfolio_inputs(book)
    analysis, info = report_analysis(returns, weights, source=f"workbook {book.name}", portfolio_returns=realised)
    return write_report_sheets(book, analysis, info)


def write_report_sheets(book: xw.Book, a: PortfolioAnalysis, info: ReportInfo) -> list[str]:
    """Write the report into sheets of ``book`` (replacing earlier ones); return their names.

    The first sheet is activated and carries the title and when the report was made.
    """
    names = []
    for number, (name, blocks) in enumerate(layout(a, info).items()):
        sheet = _fresh_sheet(book, name)
        title = info.title if number == 0 else name[len(PREFIX) :].capitalize()
        generated = f"Generated {info.generated:%Y-%m-%d %H:%M} by xlfactor from {info.portfolio_source}"
        ribbon.write_rows(sheet, 1, 1, [[title], [generated]])
        row = 4
        for i, block in enumerate(blocks):
            row = _write_block(sheet, row, block, f"xlf_{number}_{i}") + 1
        names.append(name)
    book.sheets[names[0]].activate()
    return names


def _risk_block(title: str, r: PortfolioRisk, index_label: str) -> Block:
    """Euler contributions by factor or by asset: Contribution first (charted), then the other risk columns
    with the report's labels, and the total (volatility, or tracking error for active risk) below."""
    frame, labels = (r.by_factor, risk.FACTOR_LABELS) if index_label == "Factor" else (r.by_asset, risk.ASSET_LABELS)
    table = frame[list(labels)].rename(columns=labels)
    table = table[["Contribution", *[c for c in table.columns if c != "Contribution"]]]
    total = "Tracking error" if r.active else L.TOTAL_VOL.long
    return Block(
        title,
        table,
        index_label,
        risk.FORMATS,
        chart=("bar_clustered", 1),
        total=(total, {"Contribution": r.total_vol, "% of risk": 1.0}),
    )


def _scenario_blocks(a: PortfolioAnalysis) -> list[Block]:
    """The library episodes replayed on today's exposures (Portfolio P&L first, charted), and their descriptions."""
    if a.historical_scenarios.empty:
        return [Block("Historical scenarios", pairs=[(NO_EPISODES, None, None)])]
    table = a.historical_scenarios.rename(columns=scenarios.COLUMNS)
    table = table[["Portfolio P&L", *[c for c in table.columns if c != "Portfolio P&L"]]]
    return [
        Block(
            "Historical episodes replayed on today's factor exposures (P&L, factor parts, specific band, worst period)",
            table,
            "Episode",
            scenarios.formats(table),
            chart=("bar_clustered", 1),
        ),
        Block("The episodes", scenarios.descriptions(a), "Episode"),
    ]


def _forecast_blocks(a: PortfolioAnalysis, period: str) -> list[Block]:
    """The bias statistic and breach tests, then the forecasts by date (forecast vol and |realised| charted)."""
    b = a.backtest
    if b is None:
        return [Block("Forecast check", pairs=[(forecast.too_short(a, period), None, None)])]
    return [
        Block("Bias statistic and VaR breach tests (out of sample)", pairs=forecast.figures(b)),
        Block(
            f"Forecasts by {period}: each from the data before it",
            forecast.table(b),
            "Date",
            forecast.formats(b),
            DATE,
            chart=("line", 2),
        ),
    ]


def _attribution_blocks(a: PortfolioAnalysis, period: str) -> list[Block]:
    """Compounded returns, the linked contributions (Linked charted, Total below), the contributions by date."""
    res = a.attribution
    if res is None:
        return [Block("Attribution", pairs=[(attribution.NOT_ENOUGH, None, None)])]
    parts, total = attribution.summary(res)
    return [
        Block("Compounded returns", pairs=attribution.figures(res)),
        Block(
            "Linked contributions (Carino): they add up to the compounded " + ("active " if res.active else "")
            + "return",
            parts, "Component", dict.fromkeys(parts.columns, PCT), chart=("bar_clustered", 1),
            total=("Total", total.to_dict()),
        ),
        Block(f"Contributions by {period}", res.periods, "Date", dict.fromkeys(res.periods.columns, PCT), DATE),
    ]  # fmt: skip


def _risk_history_blocks(a: PortfolioAnalysis, period: str) -> list[Block]:
    """Ex-ante risk by date: total vol, realised vol and tracking error first (charted), then the other columns."""
    h = a.risk_history
    if h is None:
        return [Block("Risk history", pairs=[(forecast.too_short(a, period), None, None)])]
    frame = risk_history.table(h)
    first = [c for c in (L.TOTAL_VOL.short, risk_history.realised_vol(h), risk_history.TRACKING_ERROR) if c in frame]
    frame = frame[[*first, *[c for c in frame.columns if c not in first]]]
    return [
        Block(
            f"Ex-ante risk by {period}, each from the data before it (annualised)",
            frame, "Date", dict.fromkeys(frame.columns, PCT), DATE, chart=("line", len(first)),
        )
    ]  # fmt: skip


def _fresh_sheet(book: xw.Book, name: str) -> xw.Sheet:
    if name in [s.name for s in book.sheets]:
        book.sheets[name].delete()
    return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])


def _cell(value: Any) -> Any:
    """A value as a cell takes it: numbers as float, missing as blank, dates as datetimes, the rest as text."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return float(value)
    if hasattr(value, "item"):  # numpy scalar
        return _cell(value.item())
    return value if isinstance(value, str) else str(value)


def _write_block(sheet: xw.Sheet, row: int, block: Block, table_name: str) -> int:
    """Write one block from ``row``; return the first free row below it."""
    ribbon.write_rows(sheet, row, 1, [[block.title]])
    row += 1
    if block.pairs is not None:
        ribbon.write_rows(sheet, row, 1, [[label, _cell(value)] for label, value, _ in block.pairs])
        for i, (_, _, fmt) in enumerate(block.pairs):
            if fmt:
                sheet[f"B{row + i}"].number_format = fmt
        return row + len(block.pairs)
    frame = block.frame
    header = [block.index_label, *map(str, frame.columns)]
    body = [
        [_cell(index), *map(_cell, values)]
        for index, values in zip(frame.index, frame.to_numpy().tolist(), strict=True)
    ]
    first, last = row + 1, row + len(body)
    table = sheet.range((row, 1), (last, len(header)))
    ribbon.write_rows(sheet, row, 1, [header, *body])
    sheet.tables.add(source=table, has_headers=True, table_style_name=TABLE_STYLE, name=table_name)
    if block.index_format:
        sheet.range((first, 1), (last, 1)).number_format = block.index_format
    for j, column in enumerate(frame.columns, start=2):
        fmt = (block.formats or {}).get(str(column))
        if fmt:
            sheet.range((first, j), (last, j)).number_format = fmt
    end = last + 1
    if block.total is not None:
        label, values = block.total
        ribbon.write_rows(sheet, end, 1, [[label]])
        for j, column in enumerate(frame.columns, start=2):
            if column in values:
                sheet.range((end, j)).value = float(values[column])
                sheet.range((end, j)).number_format = (block.formats or {}).get(str(column)) or NUM3
        end += 1
    if block.chart is not None:
        kind, n = block.chart
        source = sheet.range((row, 1), (last, 1 + n))
        sheet.charts.add(
            chart_type=kind, source=source, anchor=sheet.range((row, len(header) + 2)), name=f"{table_name}_chart"
        )
        end = max(end, row + 16)  # room for the chart (about 15 rows high) before the next block
    return end
