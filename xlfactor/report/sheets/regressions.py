"""Regressions sheet: each asset's alpha, betas, t-stats, R2, idiosyncratic volatility and diagnostics."""

from __future__ import annotations

import pandas as pd
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.errors import XLFactorError
from xlfactor.models import labels as L
from xlfactor.models.grs import grs_from_regression
from xlfactor.models.regression import RegressionResult
from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import BP, INT, NUM2, NUM3, PCT, PCT1, note, page_setup, set_widths, title, write_table

NAME = "Regressions"
T_CRITICAL = 1.96
POSITIVE = PatternFill("solid", fgColor="C6EFCE")
NEGATIVE = PatternFill("solid", fgColor="FFC7CE")
#: The regression diagnostics shown (engine column, the long form -> sheet column, the short form).
DIAGNOSTICS = {d.long: d.short for d in (L.F_PVALUE, L.DURBIN_WATSON, L.BREUSCH_PAGAN_PVALUE, L.JARQUE_BERA_PVALUE)}
ALPHA_ANNUAL = L.annual(L.ALPHA.short)
RESID_VOL_ANNUAL = L.annual(L.RESID_VOL.short)
T_ALPHA = L.TVALUES.of("alpha")


def alpha_bp(period: str) -> str:
    """The column of each asset's alpha in basis points per period."""
    return f"{L.ALPHA.short} (bp per {period})"


def formats(factors: list, period: str) -> dict[str, str]:
    """Number formats of :func:`table`'s columns (both report renderers)."""
    return {
        "Weight": PCT1,
        alpha_bp(period): BP,
        ALPHA_ANNUAL: PCT,
        L.RSQUARED.short: PCT1,
        L.RSQUARED_ADJ.short: PCT1,
        RESID_VOL_ANNUAL: PCT,
        L.NOBS.short: INT,
        T_ALPHA: NUM2,
        L.F_PVALUE.short: NUM3,
        L.DURBIN_WATSON.short: NUM2,
        L.BREUSCH_PAGAN_PVALUE.short: NUM3,
        L.JARQUE_BERA_PVALUE.short: NUM3,
        **{f: NUM3 for f in factors},
        **{L.TVALUES.of(f): NUM2 for f in factors},
    }


def table(a: PortfolioAnalysis, period: str = "period") -> pd.DataFrame:
    """The per-asset table as laid out: engine values, renamed columns (no arithmetic)."""
    reg = a.asset_regression
    factors = list(reg.factor_names)
    return pd.concat(
        [
            a.weights.rename("Weight"),
            reg.alpha_annualized.rename(ALPHA_ANNUAL),
            a.alpha_bp.rename(alpha_bp(period)),
            reg.tvalues["alpha"].rename(T_ALPHA),
            reg.betas[factors],
            reg.tvalues[factors].rename(columns=L.TVALUES.of),
            reg.rsquared.rename(L.RSQUARED.short),
            reg.rsquared_adj.rename(L.RSQUARED_ADJ.short),
            reg.resid_vol_annualized.rename(RESID_VOL_ANNUAL),
            reg.nobs.rename(L.NOBS.short),
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
        f"standard errors. {RESID_VOL_ANNUAL}: sqrt(SSR / (n - K - 1)) annualised, statsmodels' residual scale.",
    )
    frame = table(a, info.period_name)
    factors = list(a.asset_regression.factor_names)
    ref = write_table(ws, frame, row, 1, formats=formats(factors, info.period_name), index_label="Asset", filters=True)
    columns = list(frame.columns)

    def letter(name: str) -> str:
        return get_column_letter(ref.first_col + 1 + columns.index(name))

    for t_name in [T_ALPHA, *map(L.TVALUES.of, factors)]:
        cells = f"{letter(t_name)}{ref.first_row}:{letter(t_name)}{ref.last_row}"
        ws.conditional_formatting.add(
            cells, CellIsRule(operator="greaterThanOrEqual", formula=[str(T_CRITICAL)], fill=POSITIVE)
        )
        ws.conditional_formatting.add(
            cells, CellIsRule(operator="lessThanOrEqual", formula=[str(-T_CRITICAL)], fill=NEGATIVE)
        )
    for value, t_name in [(ALPHA_ANNUAL, T_ALPHA), *[(f, L.TVALUES.of(f)) for f in factors]]:
        cells = f"{letter(value)}{ref.first_row}:{letter(value)}{ref.last_row}"
        rule = FormulaRule(formula=[f"ABS(${letter(t_name)}{ref.first_row})>={T_CRITICAL}"], font=Font(bold=True))
        ws.conditional_formatting.add(cells, rule)
    row = note(
        ws,
        ref.next_row,
        f"Green/red: t >= {T_CRITICAL} / <= -{T_CRITICAL} (significant at about 5%, "
        "two-sided). Bold coefficients are significant. Alpha is per period times periods per year; idiosyncratic "
        "vol is the residual standard deviation times the square root of periods per year. p(F): the F test that all "
        "betas are zero; Durbin-Watson near 2 means no first-order autocorrelation of residuals; p(Breusch-Pagan) "
        "below 0.05 flags heteroskedastic residuals, p(Jarque-Bera) below 0.05 non-normal ones (as statsmodels).",
        width_cols=10,
    )
    note(ws, row, grs_text(a.asset_regression), width_cols=10, plain=True)
    set_widths(ws, default=10.5, first=16)
    page_setup(ws, freeze=f"B{ref.first_row}", header_text=info.title)
