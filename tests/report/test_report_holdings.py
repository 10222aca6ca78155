"""A holdings history in the report: the Exposures sheet adds each date's bottom-up betas, equal to the
weights times statsmodels OLS betas of each asset's excess returns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.report.build import report_analysis

TITLE = "Bottom-up betas of the holdings history"


@pytest.fixture(scope="module")
def inputs():
    returns = xf.industry_portfolios().loc["2015-01":"2024-12"]
    weights = pd.Series(1 / 12, index=returns.columns)
    history = pd.DataFrame(
        0.0, index=pd.to_datetime(["2023-12-31", "2024-06-30", "2024-12-31"]), columns=returns.columns
    )
    history.loc["2023-12-31", ["NoDur", "BusEq"]] = [0.6, 0.4]
    history.loc["2024-06-30", ["BusEq", "Hlth", "Money"]] = [0.5, 0.3, 0.2]
    history.loc["2024-12-31", ["Enrgy", "Utils"]] = [0.7, np.nan]  # NaN: not held
    return returns, weights, history


def ols_betas(returns: pd.DataFrame) -> pd.DataFrame:
    factors = xf.align(returns, xf.load_factors("FF3", "M")).factors
    excess = returns.loc[factors.index].sub(factors["RF"], axis=0)
    x = sm.add_constant(factors[["Mkt-RF", "SMB", "HML"]])
    return pd.DataFrame({a: sm.OLS(excess[a], x).fit().params.iloc[1:] for a in returns}).T


def test_exposures_sheet_shows_the_holdings_betas(inputs, tmp_path):
    returns, weights, history = inputs
    path = xf.build_report(returns, weights, tmp_path / "r.xlsx", model="FF3", holdings=history)
    ws = load_workbook(path)["Exposures"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == TITLE)
    header_row = next(r for r in range(cell.row + 1, cell.row + 6) if ws.cell(r, 1).value == "Date")
    assert [ws.cell(header_row, c).value for c in range(2, 5)] == ["Mkt-RF", "SMB", "HML"]
    got = np.array([[ws.cell(header_row + 1 + i, c).value for c in range(2, 5)] for i in range(3)], float)
    dates = [ws.cell(header_row + 1 + i, 1).value for i in range(3)]
    expected = history.fillna(0.0).to_numpy() @ ols_betas(returns).loc[history.columns].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert [pd.Timestamp(d) for d in dates] == list(history.index)


def test_without_a_history_the_table_is_absent_and_bad_histories_raise(inputs, tmp_path):
    returns, weights, history = inputs
    path = xf.build_report(returns, weights, tmp_path / "r.xlsx", model="FF3")
    ws = load_workbook(path)["Exposures"]
    assert all(c.value != TITLE for row in ws.iter_rows() for c in row)
    bad = history.assign(Crypto=0.1)
    with pytest.raises(xf.XLFactorError, match=r"holdings: held asset\(s\) 'Crypto' have no exposures"):
        report_analysis(returns, weights, model="FF3", holdings=bad)
