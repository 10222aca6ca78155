"""Realised portfolio returns: top-down from the actual history vs bottom-up at today's weights.

The realised series drives the top-down betas, rolling betas, minimum-variance hedges and worst
periods; the risk model keeps today's weights. Inputs: ``analyze_portfolio(portfolio_returns=...)``,
``build_report(portfolio_returns=...)``, a ``PortfolioReturns`` sheet/table, ``--portfolio-returns``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table

import xlfactor as xf
from xlfactor.cli import main
from xlfactor.data.portfolio_files import read_portfolio
from xlfactor.errors import XLFactorError
from xlfactor.report.analysis import MATERIAL_BETA_GAP, analyze_portfolio, buy_and_hold_returns
from xlfactor.report.sheets.exposures import exposure_note

REL = 1e-12
#: Today's weights: a tilt to technology and finance.
TODAY = {"BusEq": 0.4, "Money": 0.3, "Hlth": 0.2, "Utils": 0.1}
#: What the portfolio actually held over the sample: defensive (utilities, staples), a clearly
#: lower market beta than today's holdings.
HELD = {"Utils": 0.5, "NoDur": 0.4, "Money": 0.1}


@pytest.fixture(scope="module")
def data():
    """Ten years of the 12 shipped industry portfolios with FF5 factors, aligned (real monthly data)."""
    factors = xf.load_factors("FF5", "M")
    aligned = xf.align(xf.industry_portfolios(), factors)
    returns = aligned.returns.iloc[-120:]
    return returns, aligned.factors.loc[returns.index]


def _realised(returns: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    return returns[list(weights)] @ pd.Series(weights)


def _excess(series: pd.Series, factors: pd.DataFrame) -> pd.DataFrame:
    return series.sub(factors["RF"]).rename("Portfolio").to_frame()


def test_top_down_is_the_regression_of_the_realised_series(data):
    returns, factors = data
    names = [c for c in factors.columns if c != "RF"]
    realised = _realised(returns, HELD)
    a = analyze_portfolio(returns, TODAY, factors, portfolio_returns=realised)
    assert a.realised
    direct = xf.regress(_excess(realised, factors), factors[names])
    np.testing.assert_allclose(a.exposures["top_down"], direct.betas.loc["Portfolio", names], rtol=REL)
    np.testing.assert_allclose(a.exposures["top_down_se"], direct.bse.loc["Portfolio", names], rtol=REL)
    np.testing.assert_allclose(a.exposures["top_down_t"], direct.tvalues.loc["Portfolio", names], rtol=REL)
    assets = xf.regress(returns.sub(factors["RF"], axis=0), factors[names])
    bottom_up = pd.Series(TODAY).reindex(returns.columns, fill_value=0.0) @ assets.betas[names]
    np.testing.assert_allclose(a.exposures["bottom_up"], bottom_up, rtol=1e-10)
    # The held portfolio is defensive, today's is not: the market betas differ materially.
    gap = a.exposures.loc["Mkt-RF", "difference"]
    assert gap > 0.3 and a.exposures.loc["Mkt-RF", "material"]
    # Everything built on the portfolio series uses the realised one ...
    pd.testing.assert_series_equal(a.portfolio_returns, realised.rename("Portfolio"))
    rolling = xf.rolling_regress(_excess(realised, factors), factors[names], 36)["Portfolio"].dropna(how="all")
    np.testing.assert_allclose(a.rolling[names], rolling[names], rtol=1e-10)
    hedge = xf.hedge_ratios(_excess(realised, factors)["Portfolio"], factors[names])
    np.testing.assert_allclose(
        a.hedges.loc["Minimum variance, all factors", names].astype(float), hedge.ratios, rtol=1e-10
    )
    assert list(a.worst_periods.index) == list(realised.nsmallest(10).index)
    np.testing.assert_allclose(a.worst_periods["portfolio"], realised.nsmallest(10), rtol=REL)
    # ... while the risk model, stress and VaR keep today's weights.
    constant = analyze_portfolio(returns, TODAY, factors)
    assert a.risk.total_vol == pytest.approx(constant.risk.total_vol, rel=REL)
    np.testing.assert_allclose(a.stress["pnl"], constant.stress["pnl"], rtol=REL)


def test_without_realised_series_top_down_equals_bottom_up(data):
    returns, factors = data
    a = analyze_portfolio(returns, TODAY, factors)
    assert not a.realised
    np.testing.assert_allclose(a.exposures["top_down"], a.exposures["bottom_up"], rtol=1e-10, atol=1e-13)
    assert not a.exposures["material"].any()
    text = exposure_note(a)
    assert text.startswith("The estimates agree") and "equal by construction" in text and "PortfolioReturns" in text


def test_material_flag_follows_the_documented_rule(data):
    """material = |bottom_up - top_down| > max(MATERIAL_BETA_GAP, 2 x top-down standard error)."""
    returns, factors = data
    noise = pd.Series(np.random.default_rng(7).normal(0.0, 0.08, len(returns)), index=returns.index)
    cases = {
        "clean": _realised(returns, HELD),
        "noisy": _realised(returns, HELD) + noise,
        "close": _realised(returns, TODAY) + noise / 20,
    }
    seen = set()
    for name, realised in cases.items():
        e = analyze_portfolio(returns, TODAY, factors, portfolio_returns=realised).exposures
        rule = e["difference"].abs() > np.maximum(MATERIAL_BETA_GAP, 2 * e["top_down_se"])
        pd.testing.assert_series_equal(e["material"], rule, check_names=False)
        for gap, flag in zip(e["difference"].abs(), e["material"], strict=True):
            if flag:
                seen.add("material")
            elif gap > MATERIAL_BETA_GAP:
                seen.add("large gap within two standard errors")  # the 2 x se arm of the rule decides
            else:
                seen.add("small gap")
        assert name != "close" or not e["material"].any()
    assert seen == {"material", "large gap within two standard errors", "small gap"}


def test_buy_and_hold_helper_against_plain_formulas(data):
    returns, _ = data
    w = pd.Series(TODAY)
    # Rebalanced every period: the constant-weight series.
    every = buy_and_hold_returns(returns, TODAY, rebalance_every=1)
    np.testing.assert_allclose(every, returns[w.index] @ w, rtol=1e-13, atol=1e-16)
    # Never rebalanced: value V_t = sum_i w_i prod_s<=t (1 + r_i,s), return V_t / V_t-1 - 1.
    value = (1 + returns[w.index]).cumprod() @ w
    never = buy_and_hold_returns(returns, TODAY, rebalance_every=len(returns))
    np.testing.assert_allclose(never, value / value.shift(1, fill_value=1.0) - 1, rtol=1e-12, atol=1e-15)
    # Yearly: each 12-month block is a buy-and-hold from the target weights.
    yearly = buy_and_hold_returns(returns, TODAY, rebalance_every=12)
    for start in range(0, len(returns), 12):
        block = returns.iloc[start : start + 12]
        v = (1 + block[w.index]).cumprod() @ w
        np.testing.assert_allclose(
            yearly.iloc[start : start + 12], v / v.shift(1, fill_value=1.0) - 1, rtol=1e-12, atol=1e-15
        )
    with pytest.raises(XLFactorError, match="weights: sum to 0.9"):
        buy_and_hold_returns(returns, {"BusEq": 0.9}, rebalance_every=12)
    with pytest.raises(XLFactorError, match="rebalance_every"):
        buy_and_hold_returns(returns, TODAY, rebalance_every=0)


def _text(realised):
    bad = realised.astype(object)
    bad.iloc[5] = "n/a"
    return bad


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda r: r.set_axis(pd.date_range("1900-01-31", periods=len(r), freq="ME")),
            "portfolio_returns: no dates with a value in common with the asset returns and factor data",
        ),
        (_text, "portfolio_returns: the value on "),
        (
            lambda r: r.iloc[:4],
            "portfolio_returns: only 4 dates overlap the asset returns and factor data; 5 factor betas need at least 7",
        ),
        (lambda r: r.iloc[:20], "window: 36 periods is longer than the realised portfolio_returns' 20 periods"),
        (lambda r: r * 100, "portfolio_returns: column 'portfolio_returns' looks like percentages"),
        (lambda r: pd.concat([r, r], axis=1), "portfolio_returns: expected one series of portfolio returns, got 2"),
        (lambda r: r.to_numpy(), "portfolio_returns: expected a pandas Series"),
    ],
)
def test_bad_realised_series_named(data, make, message):
    returns, factors = data
    with pytest.raises(XLFactorError, match=re.escape(message)):
        analyze_portfolio(returns, TODAY, factors, portfolio_returns=make(_realised(returns, HELD)))


def test_demo_uses_its_drifting_history(demo_report):
    path, a = demo_report
    assert a.realised
    gap = a.exposures["difference"].abs()
    assert gap.max() > 1e-3  # drift between annual rebalancings: top-down no longer equals bottom-up
    wb = load_workbook(path)
    subtitle = wb["Exposures"]["A2"].value
    assert "realised excess return" in subtitle
    notes = [c.value for row in wb["Exposures"].iter_rows() for c in row if isinstance(c.value, str)]
    expected = "Note: the two estimates differ materially" if a.exposures["material"].any() else "The estimates agree"
    assert any(n.startswith(expected) and "realised" in n for n in notes)
    methodology = [c.value for row in wb["Methodology and data"].iter_rows() for c in row if c.value]
    assert any(isinstance(v, str) and "annual rebalancing" in v for v in methodology)


def test_build_report_aligns_realised_dates(tmp_path, data):
    """Realised returns dated on the 15th of each month are matched to the monthly factor dates."""
    returns, factors = data
    names = [c for c in factors.columns if c != "RF"]
    realised = _realised(returns, HELD)
    mid_month = realised.set_axis(realised.index - pd.offsets.MonthEnd(1) + pd.Timedelta(days=15))
    path = xf.build_report(returns, TODAY, tmp_path / "r.xlsx", model="FF5", portfolio_returns=mid_month)
    wb = load_workbook(path)
    got = _exposure_table(wb)
    direct = xf.regress(_excess(realised, factors), factors[names])
    np.testing.assert_allclose(got["Top-down beta"], direct.betas.loc["Portfolio", names], rtol=REL)
    assert got.loc["Mkt-RF", "Differs materially"] == "yes"
    pairs = {r[0].value: r[1].value for r in wb["Methodology and data"].iter_rows(max_col=2)}
    assert pairs["Top-down return series"].startswith("realised")
    weekly = realised.set_axis(pd.date_range("2015-01-02", periods=len(realised), freq="W-FRI"))
    with pytest.raises(XLFactorError, match="portfolio_returns: the returns look weekly"):
        xf.build_report(returns, TODAY, tmp_path / "w.xlsx", model="FF5", portfolio_returns=weekly)
    assert not (tmp_path / "w.xlsx").exists()


def _exposure_table(wb) -> pd.DataFrame:
    ws = wb["Exposures"]
    start = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "Factor")
    headers = [c.value for c in ws[start] if c.value is not None]
    rows = {}
    r = start + 1
    while ws.cell(row=r, column=1).value:
        rows[ws.cell(row=r, column=1).value] = [ws.cell(row=r, column=c).value for c in range(2, len(headers) + 1)]
        r += 1
    return pd.DataFrame.from_dict(rows, orient="index", columns=headers[1:])


# ---- input files ---------------------------------------------------------------------------------------------


def _workbook(path, returns, weights, realised_rows=None, *, as_table=False):
    wb = Workbook()
    ws = wb.active
    ws.title = "Returns"
    ws.append(["Date", *returns.columns])
    for d, row in zip(returns.index, returns.to_numpy(), strict=True):
        ws.append([d.to_pydatetime(), *row])
    wsw = wb.create_sheet("Weights")
    wsw.append(["Asset", "Weight"])
    for a, w in weights.items():
        wsw.append([a, w])
    if realised_rows is not None:
        wsr = wb.create_sheet("History" if as_table else "PortfolioReturns")
        for row in realised_rows:
            wsr.append(row)
        if as_table:
            wsr.add_table(Table(displayName="PortfolioReturns", ref=f"A1:B{wsr.max_row}"))
    wb.save(path)
    return path


def _realised_rows(series: pd.Series) -> list[list[object]]:
    return [["Date", "Return"], *[[d.to_pydatetime(), float(v)] for d, v in series.items()]]


@pytest.mark.parametrize("as_table", [False, True])
def test_read_portfolio_returns_sheet_or_table(tmp_path, data, as_table):
    returns, _ = data
    realised = _realised(returns, HELD)
    rows = _realised_rows(realised)
    rows[3][1] = None  # a blank is a missing value
    path = _workbook(tmp_path / "p.xlsx", returns, TODAY, rows, as_table=as_table)
    got = read_portfolio(path)
    expected = realised.drop(realised.index[2])
    np.testing.assert_allclose(got.portfolio_returns.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-15)
    assert list(got.portfolio_returns.index) == list(expected.index)
    assert "PortfolioReturns" in got.source
    assert read_portfolio(_workbook(tmp_path / "none.xlsx", returns, TODAY)).portfolio_returns is None


def test_read_portfolio_returns_csv_overrides_sheet(tmp_path, data):
    returns, _ = data
    realised = _realised(returns, HELD)
    path = _workbook(tmp_path / "p.xlsx", returns, TODAY, _realised_rows(realised * 0.5))
    realised.rename("Return").rename_axis("Date").to_csv(tmp_path / "nav.csv")
    got = read_portfolio(path, portfolio_returns_path=tmp_path / "nav.csv")
    np.testing.assert_allclose(got.portfolio_returns.to_numpy(), realised.to_numpy(), rtol=1e-15)
    assert got.source.endswith("nav.csv")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rows: [[*r, 1.0] for r in rows], "PortfolioReturns: need a header row (Date, Return)"),
        (lambda rows: [*rows[:4], [rows[4][0], "n/a"], *rows[5:]], "PortfolioReturns: 'Return' on"),
        (lambda rows: [*rows[:4], ["later", 0.01], *rows[5:]], "PortfolioReturns: row 5 has 'later', not a date"),
        (lambda rows: [*rows, rows[-1]], "PortfolioReturns: date"),
        (lambda rows: [rows[0], [rows[1][0], 0.01]], "PortfolioReturns: need a header row (Date, Return)"),
    ],
)
def test_bad_portfolio_returns_sheet(tmp_path, data, mutate, message):
    returns, _ = data
    path = _workbook(tmp_path / "bad.xlsx", returns, TODAY, mutate(_realised_rows(_realised(returns, HELD))))
    with pytest.raises(XLFactorError, match=re.escape(message)):
        read_portfolio(path)


def test_bad_portfolio_returns_file(tmp_path, data):
    returns, _ = data
    path = _workbook(tmp_path / "p.xlsx", returns, TODAY)
    with pytest.raises(XLFactorError, match=re.escape("--portfolio-returns: 'p.xlsx' must be a .csv")):
        read_portfolio(path, portfolio_returns_path=path)
    with pytest.raises(XLFactorError, match=re.escape("--portfolio-returns: file")):
        read_portfolio(path, portfolio_returns_path=tmp_path / "missing.csv")


# ---- command line ---------------------------------------------------------------------------------------------


def _csv_inputs(folder, returns, realised):
    returns.rename_axis("Date").to_csv(folder / "returns.csv")
    (folder / "weights.csv").write_text("asset,weight\n" + "".join(f"{a},{w}\n" for a, w in TODAY.items()))
    realised.rename("Return").rename_axis("Date").to_csv(folder / "realised.csv")
    return [
        str(folder / "returns.csv"),
        "--weights",
        str(folder / "weights.csv"),
        "--portfolio-returns",
        str(folder / "realised.csv"),
    ]


def test_cli_portfolio_returns_option(tmp_path, data, capsys):
    returns, factors = data
    names = [c for c in factors.columns if c != "RF"]
    realised = _realised(returns, HELD)
    out = tmp_path / "out.xlsx"
    code = main(["report", *_csv_inputs(tmp_path, returns, realised), "-o", str(out), "--long-only"])
    assert code == 0, capsys.readouterr().err
    wb = load_workbook(out)
    direct = xf.regress(_excess(realised, factors), factors[names])
    np.testing.assert_allclose(_exposure_table(wb)["Top-down beta"], direct.betas.loc["Portfolio", names], rtol=REL)
    assert "realised.csv" in {r[1].value for r in wb["Summary"].iter_rows(max_col=2) if r[0].value == "Portfolio"}.pop()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: r.set_axis(pd.date_range("1900-01-31", periods=len(r), freq="ME")),
            "portfolio_returns: no dates with a value in common",
        ),
        (lambda r: r.astype(object).where(np.arange(len(r)) != 3, "n/a"), "--portfolio-returns: 'Return' on"),
    ],
)
def test_cli_bad_portfolio_returns_one_message_no_file(tmp_path, data, capsys, mutate, message):
    returns, _ = data
    args = _csv_inputs(tmp_path, returns, mutate(_realised(returns, HELD)))
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["report", *args, "-o", str(tmp_path / "r.xlsx")])
    err = [
        line for line in capsys.readouterr().err.strip().splitlines() if not line.startswith("report: ")
    ]  # progress lines (not a terminal)
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
