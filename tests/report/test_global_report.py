"""Reports and the demo on a regional model (``xlfactor report --model FF6-DEV``, ``xlfactor demo --model``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.cli import main


def _cells(path) -> list[str]:
    book = load_workbook(path)
    return [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_report_on_developed_factors(tmp_path, capsys):
    industries = xf.industry_portfolios().loc["2011-01":"2020-12", ["NoDur", "Manuf", "BusEq", "Hlth"]]
    industries.rename_axis("Date").to_csv(tmp_path / "returns.csv")
    (tmp_path / "weights.csv").write_text("asset,weight\nNoDur,0.4\nManuf,0.3\nBusEq,0.2\nHlth,0.1\n")
    out = tmp_path / "out.xlsx"
    code = main(
        [
            "report",
            str(tmp_path / "returns.csv"),
            "--weights",
            str(tmp_path / "weights.csv"),
            "-o",
            str(out),
            "--model",
            "ff6-dev",
        ]
    )
    assert code == 0, capsys.readouterr().err
    cells = _cells(out)
    assert "Bloomberg" in cells and "202101" in cells  # the methodology sheet's Database and Vintage rows
    summary = next(c for c in cells if c.startswith("FF6-DEV monthly: the snapshot shipped with xlfactor"))
    assert "an OLDER vintage (Bloomberg 202101" in summary and "compounded from the daily file" in summary
    assert "run `xlfactor refresh --model FF6-DEV`" in summary


def test_regional_betas_equal_statsmodels():
    """The regional factors feed the same regression: betas equal statsmodels OLS on FF6-EUR to 1e-10."""
    factors = xf.load_factors("FF6-EUR", "M")
    returns = xf.industry_portfolios().loc["1995-01":"2020-12", ["Money", "Enrgy"]]
    aligned = xf.align(returns, factors)
    result = xf.regress(aligned.returns, aligned.factors.drop(columns="RF"), rf=aligned.factors["RF"])
    X = sm.add_constant(aligned.factors.drop(columns="RF"))
    for asset in ["Money", "Enrgy"]:
        ols = sm.OLS(aligned.returns[asset] - aligned.factors["RF"], X).fit()
        np.testing.assert_allclose(result.params.loc[asset].to_numpy(), ols.params.to_numpy(), rtol=1e-10)
    assert len(aligned.returns) == 312


def test_demo_on_europe_factors_ends_with_the_shipped_data(tmp_path, capsys):
    out = tmp_path / "demo.xlsx"
    assert main(["demo", "-o", str(out), "--model", "FF6-EUR"]) == 0
    path, analysis = xf.build_demo_report(tmp_path / "again.xlsx", model="FF6-EUR")
    assert analysis.end == pd.Timestamp("2021-01-31") and analysis.portfolio_returns.size == 120
    assert any(c.startswith("FF6-EUR monthly: the snapshot shipped") for c in _cells(out))


def test_report_on_a_region_not_downloaded_says_how(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path / "d.xlsx"), "--model", "FF6-JPN"]) == 2
    err = capsys.readouterr().err
    assert "FF6-JPN monthly data are not stored yet" in err and "xlfactor refresh --model FF6-JPN" in err
    assert not (tmp_path / "d.xlsx").exists()
