"""Regressions sheet: each asset's alpha, betas, t-stats, R2, idiosyncratic volatility and diagnostics."""

from __future__ import annotations

import pandas as pd
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.errors import XLFactorError
from xlfactor.models.grs import grs_from_regression
from xlfactor.models.regression import RegressionResult
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import BP, INT, NUM2, NUM3, PCT, PCT1, note, page_setup, set_widths, title, write_table

NAME = "Regressions"
T_CRITICAL = 1.96
POSITIVE = PatternFill("solid", fgColor="C6EFCE")
NEGATIVE = PatternFill("solid", fgColor="FFC7CE")
#: The regression diagnostics shown (engine column -> sheet column).
DIAGNOSTICS = {
    "Prob (F-statistic)": "p(F)",
    "Durbin-Watson": "Durbin-Watson",
    "Prob (Breusch-Pagan)": "p(Breusch-Pagan)",
    "Prob (Jarque-Bera)": "p(Jarque-Bera)",
}


def table(a: PortfolioAnalysis, period: str = "period") -> pd.DataFrame:
    """The per-asset table as laid out: engine values, renamed columns (no arithmetic)."""
    reg = a.asset_regression
    factors = list(reg.factor_names)
    return pd.concat(
        [
            a.weights.rename("Weight"),
            reg.alpha_annualized.rename("Alpha (ann.)"),
            a.alpha_bp.rename(f"Alpha (bp per {period})"),
            reg.tvalues["alpha"].rename("t(alpha)"),
            reg.betas[factors],
            reg.tvalues[factors].rename(columns=lambda f: f"t({f})"),
            reg.rsquared.rename("R2"),
            reg.rsquared_adj.rename("Adj. R2"),
            reg.resid_vol_annualized.rename("Idio vol (ann.)"),
            reg.nobs.rename("Obs"),
            reg.diagnostics[list(DIAGNOSTICS)].rename(columns=DIAGNOSTICS),
        ],
        axis=1,
    )


def grs_text(reg: RegressionResult) -> str:
    """The GRS test of the assets' alphas as a sentence, or why it cannot be computed (never left out silently)."""
    try:
        grs = grs_from_regression(reg)
    except XLFactorError as exc:
        return f"GRS test that every alpha is zero: not computed ({exc})."
    return (
        f"GRS test that every alpha is zero (Gibbons-Ross-Shanken): F = {grs.statistic:.4f} with "
        f"({grs.df_num}, {grs.df_denom}) degrees of freedom, p-value = {grs.pvalue:.4f}."
    )


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """The table with significance highlighting: |t| >= 1.96 shaded, significant betas in bold."""
    row = title(
        ws,
        "Per-asset factor regressions",
        "Excess return on the factors by OLS over each asset's own dates; t-stats with classical "
        "standard errors. Idio vol: sqrt(SSR / (n - K - 1)) annualised, statsmodels' residual scale.",
    )
    frame = table(a, info.period_name)
    factors = list(a.asset_regression.factor_names)
    formats = {
        "Weight": PCT1,
        f"Alpha (bp per {info.period_name})": BP,
        "Alpha (ann.)": PCT,
        "R2": PCT1,
        "Adj. R2": PCT1,
        "Idio vol (ann.)": PCT,
        "Obs": INT,
        "t(alpha)": NUM2,
        "p(F)": NUM3,
        "Durbin-Watson": NUM2,
        "p(Breusch-Pagan)": NUM3,
        "p(Jarque-Bera)": NUM3,
    }
    formats.update({f: NUM3 for f in factors})
    formats.update({f"t({f})": NUM2 for f in factors})
    ref = write_table(ws, frame, row, 1, formats=formats, index_label="Asset", filters=True)
    columns = list(frame.columns)

    def letter(name: str) -> str:
        return get_column_letter(ref.first_col + 1 + columns.index(name))

    for t_name in ["t(alpha)", *[f"t({f})" for f in factors]]:
        cells = f"{letter(t_name)}{ref.first_row}:{letter(t_name)}{ref.last_row}"
        ws.conditional_formatting.add(
            cells, CellIsRule(operator="greaterThanOrEqual", formula=[str(T_CRITICAL)], fill=POSITIVE)
        )
        ws.conditional_formatting.add(
            cells, CellIsRule(operator="lessThanOrEqual", formula=[str(-T_CRITICAL)], fill=NEGATIVE)
        )
    for value, t_name in [("Alpha (ann.)", "t(alpha)"), *[(f, f"t({f})") for f in factors]]:
        cells = f"{letter(value)}{ref.first_row}:{letter(value)}{ref.last_row}"
        rule = FormulaRule(formula=[f"ABS(${letter(t_name)}{ref.first_row})>={T_CRITICAL}"], font=Font(bold=True))
        ws.conditional_formatting.add(cells, rule)
    row = note(
        ws,
        ref.next_row,
        f"Green/red: t-stat >= {T_CRITICAL} / <= -{T_CRITICAL} (significant at about 5%, "
        "two-sided). Bold coefficients are significant. Alpha is per period times periods per year; idiosyncratic "
        "vol is the residual standard deviation times the square root of periods per year. p(F): the F test that all "
        "betas are zero; Durbin-Watson near 2 means no first-order autocorrelation of residuals; p(Breusch-Pagan) "
        "below 0.05 flags heteroskedastic residuals, p(Jarque-Bera) below 0.05 non-normal ones (as statsmodels).",
        width_cols=10,
    )
    note(ws, row, grs_text(a.asset_regression), width_cols=10, plain=True)
    set_widths(ws, default=10.5, first=16)
    page_setup(ws, freeze=f"B{ref.first_row}", header_text=info.title)
