"""Methodology and data sheet: formulas, estimation choices, data sources with vintage and fetch time."""

from __future__ import annotations

import math
import re

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor import __version__
from xlfactor.report.analysis import BACKTEST_CONFIDENCE, MATERIAL_BETA_GAP, SCENARIO_BAND, PortfolioAnalysis
from xlfactor.report.info import ReportInfo
from xlfactor.report.workbook import (
    BOLD,
    DATE,
    INT,
    PCT,
    WRAP,
    page_setup,
    put,
    section,
    set_widths,
    title,
    write_pairs,
    write_table,
)

NAME = "Methodology and data"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?")
DATETIME = "yyyy-mm-dd hh:mm"

FORMULAS = [
    ("Excess returns", "r_i,t - RF_t for every asset and the portfolio (RF from the factor data)."),
    (
        "Regression",
        "r_i,t - RF_t = alpha_i + sum_k beta_i,k f_k,t + e_i,t by ordinary least squares, each asset on "
        "its own dates; t = coefficient / classical standard error.",
    ),
    ("Annualisation", "alpha x P, volatility x sqrt(P), variance x P, with P periods per year."),
    ("Top-down betas", "The regression above applied to the portfolio's excess return r_p,t - RF_t."),
    (
        "Bottom-up betas",
        f"x = B'w: today's weights times each asset's betas. Material gap: |bottom-up - top-down| > "
        f"max({MATERIAL_BETA_GAP:.2f}, 2 x standard error).",
    ),
    ("Risk model", "Sigma = B F B' + D: B asset betas, F factor covariance, D residual variances SSR/(n - K - 1)."),
    ("Volatility", "sigma_p = sqrt(x'Fx + sum_i w_i^2 D_i); factor share = x'Fx / sigma_p^2."),
    (
        "Euler contributions",
        "by factor x_k (F x)_k / sigma_p, specific sum_i w_i^2 D_i / sigma_p; by asset "
        "w_i (B F x + D w)_i / sigma_p; marginal = derivative of sigma_p. Contributions add up to sigma_p.",
    ),
    ("Tracking error", "The same with active weights w - w_benchmark; active share = 0.5 sum_i |w_i - w_b,i|."),
    ("Minimum-variance hedge", "h = Cov(f)^-1 Cov(f, r_p): the factor positions that minimise Var(r_p - h'f)."),
    ("Target hedge", "Scale exposures to c x with c = sqrt(s V_s / ((1 - s) V_f)) so the factor share equals s."),
    ("Stress", "Shocked factors s, others E[f_o | f_s] = F_os F_ss^-1 s; P&L = x'f."),
    (
        "VaR and ES",
        "Normal, zero mean: VaR = z_c sigma, ES = sigma phi(z_c) / (1 - c), over one data period (the "
        "report's figures; FM_VAR also offers the historical and Cornish-Fisher methods below).",
    ),
    (
        "Horizon",
        "A number of data periods h, or a name: daily, weekly, monthly, quarterly, annual = P / P_h periods "
        "(P_h = 252, 52, 12, 4, 1). Volatility, VaR and ES scale with sqrt(h) (independent periods), for every "
        "method; historical VaR does not sum overlapping h-period returns.",
    ),
    (
        "Historical VaR",
        "Today's exposures on every period of the factor history, p_t = x'f_t, plus the specific "
        "part as an independent normal term e ~ N(0, s^2), s^2 = w'Dw per period (the model's specific variance, "
        "not a residual history): VaR solves (1/T) sum_t Phi((-VaR - p_t) / s) = 1 - c; ES is the exact mean loss "
        "of that mixture beyond the VaR. One quantile convention at every level of specific risk: when s = 0 (or "
        "too small to move any p_t past its neighbour) this is its limit, the averaged inverted-CDF quantile of p_t "
        "(numpy method averaged_inverted_cdf: p_(k+1) for k < n = (1 - c) T < k + 1, the midpoint of p_(k) and "
        "p_(k+1) when n = k) and ES = -(p_(1) + ... + p_(k) + (n - k) p_(k+1)) / n. Euler contributions by factor "
        "and specific part: ES_k = -E[x_k f_k | loss beyond VaR], VaR_k = -E[x_k f_k | loss = VaR]; they add up.",
    ),
    (
        "Cornish-Fisher VaR",
        "VaR = -q sigma_h with q = z + (z^2 - 1) S/6 + (z^3 - 3z) K/24 - (2z^3 - 5z) S^2/36, "
        "z = Phi^-1(1 - c), S and K the skewness and excess kurtosis of the historical P&L p_t + e (over h periods "
        "S / sqrt(h), K / h); ES = -sigma_h / (1 - c) x the integral of q over (0, 1 - c).",
    ),
    (
        "Historical scenarios",
        "Each library episode (exact dates, daily or monthly Ken French factor history) "
        "replayed on today's exposures: F_k = prod_t (1 + f_k,t) - 1 over the episode, P&L = sum_k x_k F_k; specific "
        "returns are 0 in the central figure. Worst period: the day or month with the lowest x'f_t.",
    ),
    (
        "Scenario band",
        f"P&L -+ z sigma_s, z = Phi^-1((1 + b) / 2), b = {SCENARIO_BAND:.0%}; sigma_s^2 = w'Dw (annual) "
        "x n / P for the n periods of the episode at P periods a year (normal specific returns).",
    ),
    (
        "Forecast check",
        "At each date t the volatility forecast sigma_t uses the data before t only (expanding "
        "window, refit every period, the model's covariance method); z_t = r_t / sigma_t with r_t the realised "
        "excess return of today's weights. Running cross-products, not a refit from scratch, give the fits.",
    ),
    (
        "Bias statistic",
        "b = standard deviation of z_t over the T forecasts: about 1 when the forecast is right, "
        "above 1 when risk is understated; 95% band 1 -+ sqrt(2 / T) for normal returns.",
    ),
    (
        "Kupiec test",
        f"Breach: r_t < -Phi^-1(c) sigma_t, c = {BACKTEST_CONFIDENCE:.0%}. With x breaches in T and "
        "p = 1 - c: LR = -2 [(T - x) ln(1 - p) + x ln p - (T - x) ln(1 - x/T) - x ln(x/T)], chi-square with 1 "
        "degree of freedom.",
    ),
    (
        "Christoffersen test",
        "Breaches independent from one period to the next: n_ij = periods in state j after "
        "state i (1 = breach), pi_0 = n_01 / (n_00 + n_01), pi_1 = n_11 / (n_10 + n_11), pi = share of breaches; "
        "LR = -2 [ln L(pi) - ln L(pi_0, pi_1)], chi-square with 1 degree of freedom.",
    ),
    ("Rolling betas", "The portfolio regression over a moving window of the last W periods."),
    (
        "Risk history",
        "The forecast check's sigma_t at every date, with its factor part sqrt(x'Fx), specific part "
        "sqrt(sum_i w_i^2 D_i), Euler contributions x_k (F x)_k / sigma_t, and the tracking error (the same for "
        "w - w_b); realised vol = standard deviation of the excess returns of the year up to t (P periods), x sqrt(P).",
    ),
    (
        "Return attribution",
        "r_p,t = (sum_i w_i) RF_t + sum_k x_k f_k,t + w'alpha + w'e_t with x = B'w, today's weights held "
        "constant (active: w - w_b); betas, alphas and residuals from the asset regressions. Carino linking: "
        "C_j = sum_t c_j,t k_t / k, k_t = ln(1 + r_t) / r_t, k = ln(1 + R) / R (active: (ln(1 + r_t) - ln(1 + b_t)) "
        "/ (r_t - b_t) and the same for R - B), so the linked parts add up to the compounded return.",
    ),
]
REALISED_RETURN = (
    "Portfolio return",
    "r_p,t = the portfolio's realised return (its actual history, with the "
    "weights it held), on the dates where it has a value. The top-down betas, rolling betas, "
    "minimum-variance hedges and worst periods use it; the risk model, risk contributions, target "
    "hedge, stress and VaR use today's weights.",
)
CONSTANT_RETURN = (
    "Portfolio return",
    "r_p,t = sum_i w_i r_i,t with today's weights held constant (rebalanced each "
    "period), on dates where every held asset has a return (no realised history was given). Least "
    "squares being linear in the returns, top-down then equals bottom-up when every asset has every "
    "date.",
)


def formulas(a: PortfolioAnalysis) -> list[tuple[str, str]]:
    """The formula rows, with the portfolio return series this report used."""
    return [FORMULAS[0], REALISED_RETURN if a.realised else CONSTANT_RETURN, *FORMULAS[1:]]


FORMULA_CHARS_PER_LINE = 110
SOURCE_FIELDS = {
    "summary": "Factor data",
    "origin": "Origin",
    "database": "Database",
    "vintage": "Vintage",
    "first_date": "First date",
    "last_date": "Last date",
    "rows": "Rows",
    "data_key": "Data key",
}
DATASET_FIELDS = {
    "name": "Dataset",
    "source": "Source",
    "vintage": "Vintage",
    "first_date": "First date",
    "last_date": "Last date",
    "fetched_at": "Fetched (UTC)",
    "checked_at": "Checked (UTC)",
}


def write(ws: Worksheet, a: PortfolioAnalysis, info: ReportInfo) -> None:
    """Formulas, parameters, standard shocks and data provenance."""
    row = title(ws, "Methodology and data", "How every number in this report was computed, and from what data.")
    row = section(ws, row, "Estimation")
    row = write_pairs(
        ws,
        row,
        [
            ("Sample start", a.start, DATE),
            ("Sample end", a.end, DATE),
            (f"Observations ({info.period_name}s)", int(a.portfolio_returns.size), INT),
            ("Frequency", info.frequency_name, None),
            ("Periods per year", int(a.periods_per_year), INT),
            ("Factor model", f"{info.model}: {', '.join(a.factor_names)}", None),
            ("Covariance method", a.cov_method, None),
            (
                "Top-down return series",
                (
                    f"realised: {info.realised_source}"
                    if info.realised_source
                    else "realised returns given with the portfolio"
                )
                if a.realised
                else "today's weights held constant (no realised return history given)",
                None,
            ),
            (f"Rolling window ({info.period_name}s)", int(a.window), INT),
            ("Regression standard errors", a.asset_regression.cov_type, None),
            ("Dates left out (no factor data)", info.dropped_dates, "0"),
            ("Software", f"xlfactor {__version__}", None),
        ],
    )
    row = section(ws, row + 1, "Formulas")
    for label, text in formulas(a):
        put(ws, row, 1, label, font=BOLD).alignment = WRAP
        put(ws, row, 2, text).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
        ws.row_dimensions[row].height = 15 * math.ceil(len(text) / FORMULA_CHARS_PER_LINE)
        row += 1
    row = section(ws, row + 1, "Standard shocks (factor returns over one period)")
    shocks = pd.DataFrame(a.stress_shocks).T.reindex(columns=a.factor_names)
    ref = write_table(ws, shocks, row, 1, formats=PCT, index_label="Scenario")
    row = section(ws, ref.next_row, "Data sources")
    facts = info.factor_source
    row = write_pairs(
        ws,
        row,
        [("Portfolio", info.portfolio_source, None)]
        + [(label, value, _date_format(value)) for label, value in _sources(facts)],
    )
    datasets = facts.get("datasets") or []
    if datasets:
        frame = pd.DataFrame([{label: _text(d.get(key)) for key, label in DATASET_FIELDS.items()} for d in datasets])
        dates = {label: DATE for label in DATASET_FIELDS.values() if "date" in label.lower()}
        dates |= {label: DATETIME for label in DATASET_FIELDS.values() if "(UTC)" in label}
        ref = write_table(ws, frame.set_index("Dataset"), row + 1, 1, formats=dates, index_label="Dataset")
        for r in range(ref.first_row, ref.last_row + 1):
            ws.cell(row=r, column=ref.first_col + 1).alignment = WRAP
            ws.row_dimensions[r].height = 30
    set_widths(ws, {2: 30}, default=19, first=30)
    page_setup(ws, header_text=info.title, one_page=True)


def _date_format(value: object) -> str | None:
    if not isinstance(value, pd.Timestamp):
        return None
    return DATE if value == value.normalize() else DATETIME


def _sources(facts: dict) -> list[tuple[str, object]]:
    return [(label, _text(facts[key])) for key, label in SOURCE_FIELDS.items() if key in facts]


def _text(value: object) -> object:
    """Numbers as they are, an ISO date (``YYYY-MM-DD``) as a date cell, other text as it is; anything
    else (None, lists) as readable text: a number or a date is never written inside a text cell."""
    if value is None:
        return ""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return pd.Timestamp(value).tz_localize(None)
    if isinstance(value, (str, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
