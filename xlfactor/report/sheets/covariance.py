"""Factor covariance and correlation sheet: matrices with colour scales."""

from __future__ import annotations

from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import NUM2, PCT, TableRef, note, page_setup, section, set_widths, title, write_table

NAME = "Factor covariance"


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Annualised factor volatilities, covariance matrix and correlation matrix."""
    row = title(
        ws,
        "Factor covariance and correlation (annualised)",
        f"Estimator: {a.cov_method}; sample {a.factors.index[0]:%Y-%m-%d} to {a.factors.index[-1]:%Y-%m-%d}.",
    )
    row = section(ws, row, "Factor volatility (annualised)")
    ref = write_table(ws, a.factor_vol.to_frame("Volatility").T, row, 1, formats=PCT, index_label="")
    row = section(ws, ref.next_row, "Covariance matrix (annualised)")
    ref = write_table(ws, a.factor_cov, row, 1, formats="0.0000", index_label="Factor")
    _scale(ws, ref, ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="5B9BD5"))
    row = section(ws, ref.next_row, "Correlation matrix")
    ref = write_table(ws, a.factor_corr, row, 1, formats=NUM2, index_label="Factor")
    _scale(
        ws,
        ref,
        ColorScaleRule(
            start_type="num",
            start_value=-1,
            start_color="F8696B",
            mid_type="num",
            mid_value=0,
            mid_color="FFFFFF",
            end_type="num",
            end_value=1,
            end_color="5A8AC6",
        ),
    )
    note(
        ws,
        ref.next_row,
        "Red: negative correlation, blue: positive. Covariances are per year (variance of 0.04 "
        f"= 20% volatility); multiply by 1/{a.periods_per_year} for one {info.period_name}.",
        width_cols=7,
    )
    set_widths(ws, default=11, first=12)
    page_setup(ws, header_text=info.title, one_page=True)


def _scale(ws: Worksheet, ref: TableRef, rule: ColorScaleRule) -> None:
    cells = f"{get_column_letter(ref.first_col + 1)}{ref.first_row}:{get_column_letter(ref.last_col)}{ref.last_row}"
    ws.conditional_formatting.add(cells, rule)
