"""Forecast check sheet: the risk model's out-of-sample volatility forecast against realised returns."""

from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.models import labels as L
from xlfactor.models.backtest import BacktestResult
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.charts import line_chart
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import (
    DATE,
    INT,
    NUM2,
    NUM3,
    PCT,
    note,
    page_setup,
    section,
    set_widths,
    title,
    write_pairs,
    write_table,
)

NAME = "Forecast check"


def too_short(a: PortfolioAnalysis, period: str) -> str:
    """Why there is no forecast check (the analysis has no backtest)."""
    return (
        f"Not enough history: the forecast check needs at least {2 * (len(a.factor_names) + 3)} {period}s with a "
        "return for every held asset."
    )


def figures(b: BacktestResult) -> list[tuple[str, object, str]]:
    """The bias statistic, its band and the breach tests as (label, value, number format) rows."""
    return [
        ("Forecasts", len(b.table), INT),
        ("Bias statistic", b.bias, NUM3),
        ("95% band, low", b.band[0], NUM3),
        ("95% band, high", b.band[1], NUM3),
        ("VaR confidence", b.confidence, "0%"),
        ("Breaches", b.breaches, INT),
        ("Expected breaches", b.expected_breaches, "0.0"),
        ("Kupiec LR (coverage)", b.kupiec_lr, NUM2),
        (L.named("Kupiec", L.PVALUES.long), b.kupiec_pvalue, NUM3),
        ("Christoffersen LR (independence)", b.christoffersen_lr, NUM2),
        (L.named("Christoffersen", L.PVALUES.long), b.christoffersen_pvalue, NUM3),
    ]


def table(b: BacktestResult) -> pd.DataFrame:
    """The forecasts by date: forecast vol and |realised| first (the chart's two series), then realised, their
    ratio, VaR, breach ("Yes" or blank) and the rolling bias statistic."""
    frame = b.table.assign(
        absolute=b.table["realised"].abs(),
        rolling=b.rolling_bias,
        breach=b.table["breach"].map({True: "Yes", False: ""}),
    )
    return frame[["forecast_vol", "absolute", "realised", "z", "var", "breach", "rolling"]].rename(
        columns={
            "forecast_vol": "Forecast vol",
            "absolute": "|Realised|",
            "realised": "Realised",
            "z": "Realised / forecast",
            "var": "VaR",
            "breach": "Breach",
            "rolling": f"Rolling bias ({b.bias_window})",
        }
    )


def formats(b: BacktestResult) -> dict[str, str]:
    """Number formats of :func:`table`'s columns."""
    return {
        "Forecast vol": PCT,
        "|Realised|": PCT,
        "Realised": PCT,
        "VaR": PCT,
        "Realised / forecast": NUM2,
        f"Rolling bias ({b.bias_window})": NUM2,
    }


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Bias statistic and breach tests, then the dated forecasts with a chart of forecast vs |realised|."""
    row = title(
        ws,
        "Does the risk forecast hold up?",
        f"Each {info.period_name}'s volatility forecast uses only the data before it (expanding window, "
        f"refit every {info.period_name}, {a.cov_method} factor covariance), against the realised excess "
        "return of today's weights.",
    )
    b = a.backtest
    if b is None:
        note(
            ws,
            row,
            too_short(a, info.period_name),
            width_cols=10,
        )
        page_setup(ws, header_text=info.title)
        return
    row = section(ws, row, "Bias statistic and VaR breach tests")
    row = write_pairs(ws, row, figures(b))
    row = note(
        ws,
        row,
        "Bias statistic: standard deviation of realised / forecast; about 1 when the forecast is "
        "right, above 1 when risk is understated, outside 1 -+ sqrt(2/T) rarely by chance. A breach is a "
        "loss beyond the normal VaR. Small p-values reject the right number of breaches (Kupiec) or "
        "breaches independent from one period to the next (Christoffersen).",
        width_cols=8,
    )
    row = section(ws, row + 1, f"Forecasts by {info.period_name}")
    frame = table(b)
    ref = write_table(ws, frame, row, 1, formats=formats(b), index_label="Date", index_format=DATE, filters=True)
    line_chart(
        ws,
        ref,
        [ref.first_col + 1, ref.first_col + 2],
        f"{get_column_letter(ref.last_col + 2)}{row}",
        title="Forecast volatility and realised absolute return",
        y_title=f"per {info.period_name}",
        number_format="0%",
        width=22,
        height=11,
    )
    set_widths(ws, default=11, first=30)
    page_setup(ws, freeze=f"B{ref.first_row}", header_text=info.title)
