"""The report workbook: sheets and charts in order, numbers equal to the engine's, user text never a formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.report.build import DEMO_PERIODS, DEMO_REBALANCE_EVERY, DEMO_WEIGHTS
from xlfactor.report.sheets.regressions import DIAGNOSTICS

SHEETS = [
    "Summary",
    "Exposures",
    "Risk contributions",
    "Attribution",
    "Regressions",
    "Rolling betas",
    "Factor covariance",
    "Hedges",
    "Stress",
    "Historical scenarios",
    "Forecast check",
    "Risk history",
    "Methodology and data",
]
CHARTS = {
    "Exposures": 1,
    "Risk contributions": 2,
    "Rolling betas": 1,
    "Hedges": 1,
    "Stress": 1,
    "Historical scenarios": 1,
    "Forecast check": 1,
    "Attribution": 1,
    "Risk history": 1,
}
REL = 1e-12


@pytest.fixture(scope="module")
def demo(demo_report):
    """The demo report reloaded by openpyxl, and the analysis it shows."""
    path, analysis = demo_report
    return load_workbook(path), analysis


def drifting_history(returns: pd.DataFrame, weights: pd.Series, every: int) -> pd.Series:
    """Reference for the demo's realised history: hold positions in currency, rebalance to ``weights`` every
    ``every`` periods from the first date; return = P&L / value at the start of the period."""
    out, value, holdings = [], 1.0, None
    for t, (_, r) in enumerate(returns.iterrows()):
        if t % every == 0:
            holdings = weights * value
        pnl = float((holdings * r).sum())
        out.append(pnl / value)
        holdings = holdings * (1 + r)
        value += pnl
    return pd.Series(out, index=returns.index)


@pytest.fixture(scope="module")
def engine():
    """The demo's numbers computed straight from the engine, without the report code.

    The demo's top-down series is its realised history (annual rebalancing, drift in between), so the
    top-down betas, rolling betas, minimum-variance hedges and worst months come from that series; the
    risk model, stress and VaR from the current (= target) weights."""
    factors = xf.load_factors("FF6", "M")
    aligned = xf.align(xf.industry_portfolios(), factors)
    returns = aligned.returns.iloc[-DEMO_PERIODS:]
    factors = aligned.factors.loc[returns.index]
    names = [c for c in factors.columns if c != "RF"]
    excess = returns.sub(factors["RF"], axis=0)
    weights = pd.Series(DEMO_WEIGHTS).reindex(returns.columns)
    bench = pd.Series(1 / 12, index=returns.columns)
    reg = xf.regress(excess, factors[names])
    realised = drifting_history(returns, weights, DEMO_REBALANCE_EVERY)
    port = realised.sub(factors["RF"]).rename("Portfolio").to_frame()
    model = xf.FactorRiskModel.from_regression(reg, factors[names])
    return {
        "factors": factors[names],
        "weights": weights,
        "reg": reg,
        "model": model,
        "port_reg": xf.regress(port, factors[names]),
        "risk": model.portfolio_risk(weights),
        "active": model.portfolio_risk(weights, bench),
        "rolling": xf.rolling_regress(port, factors[names], 36)["Portfolio"].dropna(how="all"),
        "port": port["Portfolio"],
        "port_total": realised,
        "returns": returns,
        "rf": factors["RF"],
    }


def table(ws, index_label: str, first_header: str) -> pd.DataFrame:
    """Read the table whose header row starts with ``index_label``, ``first_header`` (stops at a blank label)."""
    for row in ws.iter_rows():
        if row[0].value == index_label and len(row) > 1 and row[1].value == first_header:
            start = row[0].row
            break
    else:
        raise AssertionError(f"{ws.title}: no table headed {index_label!r}, {first_header!r}")
    headers = [c.value for c in ws[start] if c.value is not None]
    records, r = {}, start + 1
    while ws.cell(row=r, column=1).value not in (None, ""):
        records[ws.cell(row=r, column=1).value] = [ws.cell(row=r, column=c).value for c in range(2, len(headers) + 1)]
        r += 1
    return pd.DataFrame.from_dict(records, orient="index", columns=headers[1:])


def label_value(ws, label: str):
    """The value right of the first cell in column A equal to ``label``."""
    for row in ws.iter_rows(max_col=2):
        if row[0].value == label:
            return row[1].value
    raise AssertionError(f"{ws.title}: no row labelled {label!r}")


def test_sheets_in_order_with_charts(demo):
    wb, _ = demo
    assert wb.sheetnames == SHEETS
    for name in SHEETS:
        ws = wb[name]
        assert len(ws._charts) == CHARTS.get(name, 0), name
        assert ws.page_setup.orientation in ("landscape", "portrait")
        # fit to the page, or a fixed readable scale (whole charts, or column blocks): test_print.py
        assert ws.sheet_properties.pageSetUpPr.fitToPage or ws.page_setup.scale >= 73, name
    assert wb["Regressions"].freeze_panes == "B5"
    assert wb["Regressions"].conditional_formatting


def test_summary_and_risk_equal_engine(demo, engine):
    wb, analysis = demo
    risk, active = engine["risk"], engine["active"]
    summary = wb["Summary"]
    for label, value in [
        ("Total volatility", risk.total_vol),
        ("Factor volatility", risk.factor_vol),
        ("Specific volatility", risk.specific_vol),
        ("Factor share of variance", risk.factor_share),
        ("Tracking error", active.total_vol),
    ]:
        assert label_value(summary, label) == pytest.approx(value, rel=REL), label
    ws = wb["Risk contributions"]
    by_factor = table(ws, "Factor", "Exposure (beta)")
    expected = risk.by_factor
    np.testing.assert_allclose(
        by_factor.loc[expected.index, "Contribution"].astype(float), expected["contribution"], rtol=REL
    )
    np.testing.assert_allclose(
        by_factor.loc[expected.index, "Marginal"].astype(float).dropna(), expected["marginal"].dropna(), rtol=REL
    )
    total = by_factor.loc["Total volatility", "Contribution"]
    assert total == pytest.approx(risk.total_vol, rel=REL)
    assert by_factor.loc[expected.index, "Contribution"].sum() == pytest.approx(total, rel=1e-12)
    by_asset = table(ws, "Asset", "Weight")
    np.testing.assert_allclose(
        by_asset.loc[risk.by_asset.index, "Contribution"].astype(float), risk.by_asset["contribution"], rtol=REL
    )
    assert by_asset.loc[risk.by_asset.index, "% of risk"].sum() == pytest.approx(1.0, rel=1e-12)
    assert analysis.risk.total_vol == pytest.approx(risk.total_vol, rel=REL)


def test_regressions_exposures_rolling_equal_engine(demo, engine):
    wb, _ = demo
    reg, port_reg = engine["reg"], engine["port_reg"]
    names = list(engine["factors"].columns)
    got = table(wb["Regressions"], "Asset", "Weight")
    np.testing.assert_allclose(got["Alpha (ann.)"].astype(float), reg.alpha_annualized.loc[got.index], rtol=REL)
    np.testing.assert_allclose(got[names].astype(float), reg.betas.loc[got.index, names], rtol=REL)
    np.testing.assert_allclose(got["t(alpha)"].astype(float), reg.tvalues.loc[got.index, "alpha"], rtol=REL)
    np.testing.assert_allclose(got["R2"].astype(float), reg.rsquared.loc[got.index], rtol=REL)
    resid_vol = got["Resid. vol (ann.)"].astype(float)
    np.testing.assert_allclose(resid_vol, reg.resid_vol_annualized.loc[got.index], rtol=REL)
    for column, label in DIAGNOSTICS.items():
        np.testing.assert_allclose(got[label].astype(float), reg.diagnostics.loc[got.index, column], rtol=REL)
    grs = xf.grs_test(engine["returns"], engine["factors"], rf=engine["rf"])
    texts = [c.value for row in wb["Regressions"].iter_rows() for c in row if isinstance(c.value, str)]
    line = next(t for t in texts if t.startswith("GRS test"))
    assert f"F = {grs.statistic:.4f}" in line and f"p-value = {grs.pvalue:.4f}" in line, line
    exposures = table(wb["Exposures"], "Factor", "Top-down beta")
    np.testing.assert_allclose(
        exposures["Top-down beta"].astype(float), port_reg.betas.loc["Portfolio", names], rtol=REL
    )
    np.testing.assert_allclose(exposures["t"].astype(float), port_reg.tvalues.loc["Portfolio", names], rtol=REL)
    np.testing.assert_allclose(
        exposures["Bottom-up beta"].astype(float), engine["weights"] @ reg.betas[names], rtol=1e-10
    )
    rolling = table(wb["Rolling betas"], "Date", "Alpha")
    expected = engine["rolling"]
    assert len(rolling) == len(expected)
    np.testing.assert_allclose(rolling[names].astype(float), expected[names], rtol=1e-10)


def test_covariance_hedges_stress_equal_engine(demo, engine):
    wb, _ = demo
    model, weights, factors = engine["model"], engine["weights"], engine["factors"]
    ws = wb["Factor covariance"]
    headers = [r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "Factor"]
    assert len(headers) == 2
    expected_cov = xf.factor_cov(factors, "sample", periods_per_year=12)
    got_cov = np.array(
        [
            [ws.cell(row=headers[0] + 1 + i, column=2 + j).value for j in range(len(factors.columns))]
            for i in range(len(factors.columns))
        ],
        dtype=float,
    )
    np.testing.assert_allclose(got_cov, expected_cov.to_numpy(), rtol=1e-10)
    got_corr = np.array(
        [
            [ws.cell(row=headers[1] + 1 + i, column=2 + j).value for j in range(len(factors.columns))]
            for i in range(len(factors.columns))
        ],
        dtype=float,
    )
    np.testing.assert_allclose(got_corr, xf.cov_to_corr(expected_cov).to_numpy(), rtol=1e-10)

    hedges = table(wb["Hedges"], "Hedge", factors.columns[0])
    minvar = xf.hedge_ratios(engine["port"], factors)
    row = hedges.loc["Minimum variance, all factors"]
    np.testing.assert_allclose(row[list(factors.columns)].astype(float), minvar.ratios, rtol=1e-10)
    assert row["Vol after"] == pytest.approx(minvar.hedged.std(ddof=1) * np.sqrt(12), rel=1e-10)
    (before_label,) = [c.value for c in wb["Hedges"]["A"] if str(c.value).startswith("Vol before (")]
    before = label_value(wb["Hedges"], before_label)  # one "Vol before": the sample volatility of the portfolio
    assert before == pytest.approx(engine["port"].std(ddof=1) * np.sqrt(12), rel=1e-10)
    ols = sm.OLS(engine["port"], sm.add_constant(factors)).fit()  # reference: reduction = OLS R^2
    assert row["Variance reduction"] == pytest.approx(ols.rsquared, rel=1e-10)
    for _, r in hedges.iterrows():  # every row reconciles: reduction = 1 - (after / before)^2
        assert r["Variance reduction"] == pytest.approx(1 - (r["Vol after"] / before) ** 2, abs=1e-12)

    stress = table(wb["Stress"], "Scenario", factors.columns[0])
    expected = xf.stress(model, weights, {"Mkt-RF": -0.10})
    assert stress.loc["Equity market -10%", "Portfolio P&L"] == pytest.approx(expected.pnl, rel=1e-12)
    np.testing.assert_allclose(
        stress.loc["Equity market -10%", list(factors.columns)].astype(float), expected.factor_moves, rtol=1e-12
    )
    assert stress.loc["Momentum crash -15%", "MOM"] == pytest.approx(-0.15)
    var = table(wb["Stress"], "Confidence", "VaR")
    assert var.loc["99%", "VaR"] == pytest.approx(xf.var_es(model, weights, 0.99).var, rel=1e-12)
    worst = table(wb["Stress"], "Date", "Portfolio return")
    expected_worst = engine["port_total"].nsmallest(10)
    assert [pd.Timestamp(d) for d in worst.index] == list(expected_worst.index)
    np.testing.assert_allclose(worst["Portfolio return"].astype(float), expected_worst, rtol=1e-12)


def test_historical_scenarios_and_forecast_check_equal_engine(demo, engine):
    """Episodes replayed on the full FF6 histories; the forecast check on the demo's 120 months from month 60."""
    wb, analysis = demo
    model, weights = engine["model"], engine["weights"]
    episodes = table(wb["Historical scenarios"], "Episode", "Start")
    daily, monthly = xf.load_factors("FF6", "D"), xf.load_factors("FF6", "M")
    expected = {
        name: xf.scenario(model, weights, name, factors=data)
        for name, data in [("Covid crash 2020", daily), ("LTCM 1998", monthly), ("1987 crash", daily)]
    }
    for name, res in expected.items():
        row = episodes.loc[name]
        assert row["Portfolio P&L"] == pytest.approx(res.pnl, rel=1e-10)
        assert row["Low (95% band)"] == pytest.approx(res.band[0], rel=1e-10)
        assert row["Worst period P&L"] == pytest.approx(res.worst_pnl, rel=1e-10)
        assert pd.Timestamp(row["Worst period"]) == res.worst_date
        np.testing.assert_allclose(row[list(model.factors)].astype(float), res.pnl_by_factor, rtol=1e-10)
    assert "Great Crash 1929-32" not in episodes.index  # FF6 starts in 1963
    assert list(episodes.index) == list(analysis.historical_scenarios.index)

    factors = engine["factors"].assign(RF=engine["rf"])
    check = xf.risk_backtest(engine["returns"], weights, factors, first_forecast=60, confidence=0.95)
    ws = wb["Forecast check"]
    for label, value in [
        ("Bias statistic", check.bias),
        ("95% band, high", check.band[1]),
        ("Breaches", check.breaches),
        ("Kupiec p-value", check.kupiec_pvalue),
        ("Christoffersen LR (independence)", check.christoffersen_lr),
    ]:
        assert label_value(ws, label) == pytest.approx(value, rel=1e-10), label
    forecasts = table(ws, "Date", "Forecast vol")
    np.testing.assert_allclose(forecasts["Forecast vol"].astype(float), check.table["forecast_vol"], rtol=1e-10)
    assert len(forecasts) == 60 and (forecasts["Breach"] == "Yes").sum() == check.breaches


def test_user_text_never_becomes_a_formula(tmp_path):
    nasty = ['=HYPERLINK("http://example.com","click")', "+1", "@SUM(A1)", "-2", "=1+1"]
    returns = xf.industry_portfolios().loc["2015-01":"2024-12"].iloc[:, :6]
    returns.columns = [*nasty, "Plain"]
    weights = pd.Series([0.2, 0.2, 0.2, 0.1, 0.1, 0.2], index=returns.columns)
    path = xf.build_report(
        returns,
        weights,
        tmp_path / "nasty.xlsx",
        model="FF3",
        title="=cmd|' /C calc'!A0",
        source="@evil.csv",
        benchmark="equal",
    )
    wb = load_workbook(path)
    assert all(cell.data_type != "f" for ws in wb for row in ws.iter_rows() for cell in row)
    assert wb["Summary"]["A1"].value == "=cmd|' /C calc'!A0"
    names = table(wb["Regressions"], "Asset", "Weight").index.tolist()
    assert names == list(returns.columns)
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)


def test_attribution_and_risk_history_sheets_equal_the_engine(demo, engine):
    """Attribution: today's weights against the equal-weighted benchmark, Carino-linked; the linked parts add up
    to the compounded active return computed from the returns. Risk history: the forecast check's schedule."""
    wb, _ = demo
    returns, weights, rf = engine["returns"], engine["weights"], engine["rf"]
    bench = pd.Series(1 / 12, index=returns.columns)
    factors = engine["factors"].assign(RF=rf)
    res = xf.factor_attribution(returns, weights, factors, benchmark=bench)
    ws = wb["Attribution"]
    linked = table(ws, "Component", "Linked")
    np.testing.assert_allclose(linked["Linked"].drop("Total").astype(float), res.linked, rtol=1e-10, atol=1e-15)
    active = np.prod(1 + returns @ weights) - np.prod(1 + returns @ bench)
    assert linked.loc["Total", "Linked"] == pytest.approx(active, rel=1e-10)
    assert label_value(ws, "Active return") == pytest.approx(active, rel=1e-10)
    periods = table(ws, "Date", "RF")
    np.testing.assert_allclose(periods.to_numpy(float), res.periods.to_numpy(), rtol=1e-10, atol=1e-15)

    hist = xf.risk_history(returns, weights, factors, benchmark=bench, first_forecast=60)
    got = table(wb["Risk history"], "Date", "Total vol")
    assert len(got) == 60
    np.testing.assert_allclose(got["Total vol"].astype(float), hist.table["total_vol"], rtol=1e-10)
    np.testing.assert_allclose(got["Tracking error"].astype(float), hist.table["tracking_error"], rtol=1e-10)
    np.testing.assert_allclose(got["Realised vol (12)"].astype(float), hist.table["realised_vol"], rtol=1e-10)
    check = xf.risk_backtest(returns, weights, factors, first_forecast=60, confidence=0.95)
    np.testing.assert_allclose(got["Total vol"].astype(float) / np.sqrt(12), check.table["forecast_vol"], rtol=1e-10)
