"""A dropped weight is never silent: an asset with returns but no weight is carried at 0 and named, and
the total weight and the cash share are stated (command line and Summary sheet).

The issue's case: the 12-industry demo portfolio with its 14% Hlth holding deleted from the weights. The
report still builds (the returns table may hold assets the book does not own), but stderr warns, the
headline prints the total weight, and the Summary states the total, the cash share and the warning.
"""

from __future__ import annotations

import numpy as np
import pytest
from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.cli import main
from xlfactor.report.build import DEMO_WEIGHTS


@pytest.fixture(scope="module")
def twelve():
    """Ten years of the 12 shipped industry portfolios (real monthly returns)."""
    return xf.industry_portfolios().loc["2016-01":"2025-10"]


def _run(tmp_path, returns, weights: dict[str, float], capsys):
    returns.rename_axis("Date").to_csv(tmp_path / "returns.csv")
    (tmp_path / "weights.csv").write_text("asset,weight\n" + "".join(f"{a},{w}\n" for a, w in weights.items()))
    out = tmp_path / "report.xlsx"
    code = main(["report", str(tmp_path / "returns.csv"), "--weights", str(tmp_path / "weights.csv"), "-o", str(out)])
    printed = capsys.readouterr()
    return code, printed.out, printed.err, out


def _summary_values(path) -> dict[str, object]:
    ws = load_workbook(path)["Summary"]
    return {row[0].value: row[1].value for row in ws.iter_rows(min_row=1, max_col=2) if row[0].value}


def test_dropped_holding_is_warned_and_stated(tmp_path, twelve, capsys):
    dropped = {a: w for a, w in DEMO_WEIGHTS.items() if a != "Hlth"}  # Hlth: 14%
    code, out, err, path = _run(tmp_path, twelve, dropped, capsys)
    assert code == 0
    assert "warning: 1 asset(s) with returns have no weight and are carried at 0: Hlth." in err
    assert "Weights sum to 86.0%: the other 14.0% of capital is carried as cash" in err
    assert "total weight              86.0% (cash / uncovered 14.0%)" in out
    values = _summary_values(path)
    assert values["Total weight (sum)"] == pytest.approx(0.86, abs=1e-12)
    assert values["Cash / uncovered (1 - total)"] == pytest.approx(0.14, abs=1e-12)
    assert values["Gross exposure (sum of |w|)"] == pytest.approx(0.86, abs=1e-12)
    sheet_text = " ".join(str(v) for v in load_workbook(path)["Summary"].iter_rows(values_only=True) for v in v if v)
    assert "carried at 0: Hlth" in sheet_text and "Weights sum to 86.0%" in sheet_text


def test_bottom_up_beta_of_a_dropped_holding_is_the_weighted_sum(twelve):
    """The analysis behind the warning: Hlth flagged, and the bottom-up beta is sum_i w_i beta_i over the
    listed weights only (hand computation from the per-asset regressions)."""
    factors = xf.load_factors("FF5", "M")
    data = xf.align(twelve, factors)
    dropped = {a: w for a, w in DEMO_WEIGHTS.items() if a != "Hlth"}
    a = xf.analyze_portfolio(data.returns, dropped, data.factors)
    assert a.unweighted == ("Hlth",)
    assert a.weights["Hlth"] == 0.0
    assert a.total_weight == pytest.approx(0.86, abs=1e-12) and a.cash_weight == pytest.approx(0.14, abs=1e-12)
    betas = a.asset_regression.params["Mkt-RF"]
    expected = sum(w * betas[k] for k, w in dropped.items())
    np.testing.assert_allclose(a.exposures.loc["Mkt-RF", "bottom_up"], expected, rtol=1e-12)


def test_full_weights_give_no_warning(tmp_path, twelve, capsys):
    code, out, err, path = _run(tmp_path, twelve, DEMO_WEIGHTS, capsys)
    assert code == 0 and "warning" not in err
    assert "total weight              100.0% (cash / uncovered 0.0%)" in out
    values = _summary_values(path)
    assert values["Total weight (sum)"] == pytest.approx(1.0, abs=1e-12)
    assert values["Cash / uncovered (1 - total)"] == pytest.approx(0.0, abs=1e-12)


def test_an_explicit_zero_is_not_warned_but_cash_is(tmp_path, twelve, capsys):
    """A row with weight 0 says 'not held' on purpose: no 'no weight' warning; the cash share still is."""
    weights = DEMO_WEIGHTS | {"Hlth": 0.0}
    code, _, err, _ = _run(tmp_path, twelve, weights, capsys)
    assert code == 0
    assert "have no weight" not in err and "Weights sum to 86.0%" in err


def test_a_weight_without_returns_is_refused(tmp_path, twelve, capsys):
    code, _, err, path = _run(tmp_path, twelve.drop(columns="Hlth"), DEMO_WEIGHTS, capsys)
    assert code == 2 and not path.exists()
    assert "weights: ['Hlth'] are not columns of the returns table; fix the names or add their returns" in err
