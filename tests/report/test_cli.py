"""``xlfactor demo`` and ``xlfactor report``: output, headline numbers, and bad input -> one message, no file."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.cli import main


@pytest.fixture(scope="module")
def industries():
    """Five years of four shipped industry portfolios (real monthly returns)."""
    return xf.industry_portfolios().loc["2019-01":"2023-12", ["NoDur", "Manuf", "BusEq", "Hlth"]]


def _inputs(folder, returns, weights: str):
    returns.rename_axis("Date").to_csv(folder / "returns.csv")
    (folder / "weights.csv").write_text("asset,weight\n" + weights)
    return folder / "returns.csv", folder / "weights.csv"


def test_demo_prints_where_and_headline(tmp_path, capsys):
    out = tmp_path / "demo.xlsx"
    assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"Wrote {out.resolve()}" in printed
    for phrase in ("total volatility", "factor volatility", "specific volatility", "factor share of variance",
                   "tracking error", "market beta", "top asset contributors"):
        assert phrase in printed
    assert load_workbook(out).sheetnames[0] == "Summary"


def test_report_from_csv_pair(tmp_path, industries, capsys):
    returns, weights = _inputs(tmp_path, industries, "NoDur,0.4\nManuf,0.3\nBusEq,0.2\nHlth,0.1\n")
    out = tmp_path / "out.xlsx"
    code = main(["report", str(returns), "--weights", str(weights), "-o", str(out), "--model", "FF3",
                 "--benchmark", "equal", "--window", "24", "--long-only", "--title", "=My fund"])
    assert code == 0, capsys.readouterr().err
    wb = load_workbook(out)
    assert wb["Summary"]["A1"].value == "=My fund" and wb["Summary"]["A1"].data_type == "s"
    assert wb["Rolling betas"]["A1"].value == "Rolling 24-month portfolio betas"
    assert {"Tracking error", "Active share"} <= {c.value for c in wb["Summary"]["A"]}


def _text_in_returns(folder, returns):
    bad = returns.astype(object)
    bad.iloc[5, 1] = "n/a"
    return _inputs(folder, bad, "NoDur,1\n")


def _unknown_asset(folder, returns):
    return _inputs(folder, returns, "NoDur,0.5\nTSLA,0.5\n")


def _negative(folder, returns):
    return _inputs(folder, returns, "NoDur,1.2\nManuf,-0.2\n")


def _not_summing(folder, returns):
    return _inputs(folder, returns, "NoDur,0.5\nManuf,0.2\n")


def _no_overlap(folder, returns):
    early = returns.set_axis(pd.date_range("1900-01-31", periods=len(returns), freq="ME"), axis=0)
    return _inputs(folder, early, "NoDur,1\n")


@pytest.mark.parametrize(("make", "message"), [
    (_text_in_returns, "returns: 'Manuf' on 2019-06-30 holds text 'n/a', not a number"),
    (_unknown_asset, "weights: ['TSLA'] are not columns of the returns table"),
    (_negative, "weights: ['Manuf'] have negative weights but the portfolio is declared long-only"),
    (_not_summing, "weights: long-only weights sum to 0.7, not 1"),
    (_no_overlap, "returns: no dates in common with the FF5 factor data"),
])
def test_bad_input_one_message_no_file(tmp_path, industries, capsys, make, message):
    returns, weights = make(tmp_path, industries)
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["report", str(returns), "--weights", str(weights), "-o", str(tmp_path / "r.xlsx"), "--long-only"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no report, no temporary file


def test_bad_output_path_and_exit_code_from_fresh_process(tmp_path, industries):
    returns, weights = _inputs(tmp_path, industries, "NoDur,1\n")
    result = subprocess.run([sys.executable, "-m", "xlfactor", "report", str(returns), "--weights", str(weights),
                             "-o", str(tmp_path / "missing" / "r.xlsx")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: output: directory")
    assert "Traceback" not in result.stderr
