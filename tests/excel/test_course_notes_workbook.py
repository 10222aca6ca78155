"""The example workbook's ``Course notes`` sheets: spilling formulas of the course-notes functions, and
expected values equal to direct computations (statsmodels OLS, numpy; rtol 1e-9).

The ``Course notes expected`` sheet holds, block by block, what the FM_ functions returned when the
workbook was built; each check here recomputes a figure from the shipped data without xlfactor's
engine.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import statsmodels.api as sm

import xlfactor as xf

BUILD = Path(__file__).resolve().parents[2] / "workbooks" / "build_example.py"
FF5 = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
NEW = {
    "FM_PERFORMANCE", "FM_EXPECTED_RETURN", "FM_ADJUST_BETA", "FM_POSITION_PNL", "FM_HEDGED_RETURNS",
    "FM_TRACKING_RETURNS", "FM_RESIDUALS",
}  # fmt: skip
RTOL = 1e-9


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("build_example", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(tmp_path_factory.mktemp("wb") / "example.xlsx")


@pytest.fixture(scope="module")
def blocks(workbook) -> dict[str, pd.DataFrame]:
    """Each block of the expected sheet by title: first row = columns, first column = index."""
    ws = openpyxl.load_workbook(workbook)["Course notes expected"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    out, i = {}, 0
    while i < len(rows):
        title = rows[i][0]
        j = i + 1
        while j < len(rows) and rows[j][0] is not None:
            j += 1
        table = rows[i + 1 : j]
        width = max(k for k, v in enumerate(table[0]) if v is not None) + 1
        out[title] = pd.DataFrame(
            [r[1:width] for r in table[1:]], index=[r[0] for r in table[1:]], columns=table[0][1:width]
        )
        i = j + 2
    return out


@pytest.fixture(scope="module")
def data():
    returns = xf.industry_portfolios("value").loc["2015-01":"2024-12"]
    factors = xf.load_factors("FF5", "M").loc[returns.index]
    excess = returns.sub(factors["RF"], axis=0)
    fits = {a: sm.OLS(excess[a], sm.add_constant(factors[FF5])).fit() for a in returns.columns}
    return returns, factors, fits


def test_course_notes_formulas_spill(workbook, blocks):
    wb = openpyxl.load_workbook(workbook)
    number = wb.sheetnames.index("Course notes") + 1  # openpyxl writes sheet1.xml, ... in order
    formulas = [c.value for row in wb["Course notes"].iter_rows() for c in row if hasattr(c.value, "text")]
    assert {f.text.lstrip("=").split("(")[0] for f in formulas} == NEW
    with zipfile.ZipFile(workbook) as z:
        assert z.read(f"xl/worksheets/sheet{number}.xml").decode().count('cm="1"><f t="array"') == len(formulas)
    spilled = [b for b in blocks.values() if b.shape[0] > 1]
    assert len(spilled) == len(blocks) and len(formulas) == len(blocks) - 1  # the benchmark block is an input


def test_expected_values_equal_direct_computations(blocks, data):
    returns, factors, fits = data
    bench = returns.mean(axis=1)
    perf = blocks["Performance vs the benchmark, hedged Sharpe on FF5"]
    split = blocks["Expected return split, annual (FF5, sample premia)"]
    vasicek = blocks["Adjusted market betas, Vasicek (FF5)"]
    raw = np.array([fits[a].params["Mkt-RF"] for a in returns.columns])
    se = np.array([fits[a].bse["Mkt-RF"] for a in returns.columns])
    w = np.var(raw, ddof=1) / (np.var(raw, ddof=1) + se**2)
    np.testing.assert_allclose(vasicek["Adjusted beta"].to_numpy(float), w * raw + (1 - w) * raw.mean(), rtol=RTOL)
    for asset in returns.columns:
        r, fit = returns[asset], fits[asset]
        x, active = r - factors["RF"], r - bench
        hedged = fit.params["const"] + fit.resid
        expected = {
            "Sharpe": np.sqrt(12) * x.mean() / x.std(ddof=1),
            "Hedged Sharpe": np.sqrt(12) * hedged.mean() / hedged.std(ddof=1),
            "Information ratio": np.sqrt(12) * active.mean() / active.std(ddof=1),
        }
        for label, value in expected.items():
            np.testing.assert_allclose(perf.loc[label, asset], value, rtol=RTOL, err_msg=(asset, label))
        np.testing.assert_allclose(split.loc["Alpha", asset], 12 * fit.params["const"], rtol=RTOL)
        np.testing.assert_allclose(split.loc["Total E[r]", asset], 12 * r.mean(), rtol=RTOL)

    pnl = blocks["P&L of Durbl sized to 50,000 a day (FF5)"]
    alpha = 12 * fits["Durbl"].params["const"]
    ratio = pnl["Risk-adjusted P&L (per year)"] / pnl["Capital"]
    np.testing.assert_allclose(ratio.to_numpy(float), [alpha, alpha], rtol=RTOL)

    cumulative = blocks["Hedged returns r - b'f, cumulative (FF5)"]
    first = returns.columns[0]
    fit = fits[first]
    hedged = returns[first] - factors["RF"] - factors[FF5].to_numpy() @ fit.params[FF5].to_numpy()
    np.testing.assert_allclose(cumulative[first].to_numpy(float), np.cumprod(1 + hedged) - 1, rtol=RTOL)
    running = blocks["Residual returns, running sum (FF5)"]
    np.testing.assert_allclose(running[first].to_numpy(float), np.cumsum(fit.resid), rtol=RTOL, atol=1e-12)
