"""FM_ATTRIBUTION and FM_BRINSON through xlwings' Office.js engine.

Every number is checked against the engine called directly (to 1e-12); the engine itself is
checked by hand and against statsmodels and empyrical in tests/test_attribution.py and
tests/test_brinson.py. FM_BRINSON is also checked on the textbook example (Bacon 2008, ch. 5)
typed as a user would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from office_js import excel_range, serials, spilled

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]
W = pd.Series([0.5, 0.2, 0.3], index=ASSETS)
CELLS_W = [[0.5], [0.2], [0.3]]
CELLS_B = [["NoDur", 1 / 3], ["Durbl", 1 / 3], ["Manuf", 1 / 3]]
TOL = {"rtol": 1e-12, "atol": 1e-15}


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]


def message(result) -> str:
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    text = result[0][0]
    assert text.startswith("#FM! ") and "Traceback" not in text, text
    return text


def attribution_call(engine, cells, *options, weights=CELLS_W):
    rets, dates = cells
    return engine.call("FM_ATTRIBUTION", weights, rets, "FF5", dates, *options)


def test_attribution_summary_equals_the_engine(engine, cells, ff5):
    res = xf.factor_attribution(ff5.returns, W, ff5.factors)
    out = attribution_call(engine, cells)
    assert out[0] == ["Component (carino)", "Linked", "Sum of periods"]
    got = spilled(out)
    expected = xf.attribution_summary(res)
    assert list(got.index) == ["RF", "Mkt-RF", "SMB", "HML", "RMW", "CMA", "Alpha", "Specific", "Total"]
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(), **TOL)
    np.testing.assert_allclose(got.loc["Total", "Linked"], np.prod(1 + ff5.returns @ W) - 1, rtol=1e-12)
    np.testing.assert_allclose(got["Linked"].drop("Total").sum(), got.loc["Total", "Linked"], rtol=1e-12)


def test_attribution_active_menchero_and_period_views(engine, cells, ff5):
    res = xf.factor_attribution(ff5.returns, W, ff5.factors, benchmark=pd.Series(1 / 3, index=ASSETS),
                                linking="menchero")  # fmt: skip
    summary = spilled(attribution_call(engine, cells, CELLS_B, "Menchero"))
    np.testing.assert_allclose(summary["Linked"].to_numpy(float), [*res.linked, res.total], **TOL)
    periods = spilled(attribution_call(engine, cells, CELLS_B, "menchero", "periods"))
    np.testing.assert_allclose(periods.to_numpy(float), res.periods.to_numpy(), **TOL)
    assert list(periods.columns) == list(res.periods.columns)
    exposures = spilled(attribution_call(engine, cells, CELLS_B, None, "exposures"))
    np.testing.assert_allclose(exposures.to_numpy(float), res.exposures.to_numpy(), **TOL)


def test_attribution_with_a_holdings_history(engine, cells, returns, ff5):
    days = returns.index[[0, 40, 80]]
    history = pd.DataFrame([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]], index=days, columns=ASSETS)
    rows = [["Date", *ASSETS], *[[float(s[0]), *map(float, w)] for s, w in
                                 zip(serials(days, None), history.to_numpy(), strict=True)]]  # fmt: skip
    res = xf.factor_attribution(ff5.returns, history, ff5.factors)
    got = spilled(attribution_call(engine, cells, None, None, "periods", rows, weights=None))
    assert got.index[0] == returns.index[1]  # the first holdings row applies from the next period on
    np.testing.assert_allclose(got.to_numpy(float), res.periods.to_numpy(), **TOL)
    assert message(attribution_call(engine, cells, None, None, None, rows)) == (
        "#FM! weights: give the portfolio's weights or a holdings history (holdings), one of them"
    )
    heavy = [rows[0], *[[r[0], *(100 * np.array(r[1:]))] for r in rows[1:]]]
    assert message(attribution_call(engine, cells, None, None, None, heavy, weights=None)).startswith(
        "#FM! holdings: gross exposure"
    )


def test_attribution_excess_false_drops_rf(engine, cells, ff5):
    got = spilled(attribution_call(engine, cells, None, None, None, None, False))
    assert "RF" not in got.index
    res = xf.factor_attribution(ff5.returns, W, ff5.factors.drop(columns="RF"))
    np.testing.assert_allclose(got["Linked"].to_numpy(float), [*res.linked, res.total], **TOL)


def test_attribution_with_betas_estimated_elsewhere(engine, cells, ff5):
    """Betas from the first five years only, applied to all ten: no look-ahead in the betas either."""
    first = ff5.returns.loc[:"2018-12"]
    fit = xf.regress(first, ff5.factors.loc[first.index], rf=ff5.factors.loc[first.index, "RF"])
    res = xf.factor_attribution(ff5.returns, W, ff5.factors, betas=fit.betas)
    table = [["Asset", *fit.betas.columns], *[[a, *map(float, row)] for a, row in fit.betas.iterrows()]]
    got = spilled(attribution_call(engine, cells, None, None, "periods", None, None, table))
    np.testing.assert_allclose(got.to_numpy(float), res.periods.to_numpy(), **TOL)
    assert (got["Alpha"] == 0).all()
    bad = [table[0], *table[1:3]]  # Manuf's betas missing
    assert message(attribution_call(engine, cells, None, None, None, None, None, bad)).startswith(
        "#FM! betas: no row for the held asset(s) ['Manuf']"
    )


def test_attribution_bad_inputs(engine, cells):
    assert message(attribution_call(engine, cells, None, "geometric")) == (
        "#FM! linking: 'geometric' is not one of carino, menchero"
    )
    assert message(attribution_call(engine, cells, weights=[[50], [20], [30]])).startswith("#FM! weights: gross")
    rets, _ = cells
    assert message(engine.call("FM_ATTRIBUTION", CELLS_W, rets, "FF5", None)) == (
        "#FM! dates: required; give the dates of the rows (periods are linked in date order)"
    )


# ------------------------------------------------------------------ FM_BRINSON
BACON_RETURNS = [["UK", "Japan", "US"], [0.20, -0.05, 0.06]]
BACON_BENCH_RETURNS = [["UK", "Japan", "US"], [0.10, -0.04, 0.08]]
BACON_W = [[0.4], [0.3], [0.3]]
BACON_V = [[0.4], [0.2], [0.4]]


def test_brinson_textbook_example_in_cells(engine):
    out = engine.call("FM_BRINSON", BACON_W, BACON_V, BACON_RETURNS, BACON_BENCH_RETURNS)
    assert out[0] == ["Group", "Portfolio weight", "Benchmark weight", "Portfolio return", "Benchmark return",
                      "Allocation", "Selection", "Interaction", "Total"]  # fmt: skip
    got = spilled(out)
    assert list(got.index) == ["UK", "Japan", "US", "Total"]
    # Bacon (2008), ch. 5: allocation 0, -1.04%, -0.16%; selection 4.0%, -0.2%, -0.8%; interaction 0, -0.1%, 0.2%
    np.testing.assert_allclose(got["Allocation"].to_numpy(float), [0, -0.0104, -0.0016, -0.012], atol=1e-15)
    np.testing.assert_allclose(got["Selection"].to_numpy(float), [0.04, -0.002, -0.008, 0.03], atol=1e-15)
    np.testing.assert_allclose(got["Interaction"].to_numpy(float), [0, -0.001, 0.002, 0.001], atol=1e-15)
    np.testing.assert_allclose(got.loc["Total", ["Portfolio weight", "Benchmark weight", "Portfolio return",
                                                 "Benchmark return", "Total"]].to_numpy(float),
                               [1, 1, 0.083, 0.064, 0.019], atol=1e-15)  # fmt: skip


def test_brinson_by_asset_with_groups_and_linked_periods(engine):
    rng = np.random.default_rng(5)
    dates = pd.date_range("2023-01-31", periods=6, freq="ME")
    assets = ["a", "b", "c", "d"]
    r = pd.DataFrame(rng.normal(0.01, 0.04, (6, 4)), index=dates, columns=assets)
    w = pd.DataFrame(rng.dirichlet(np.ones(4), 6), index=dates, columns=assets)
    v = pd.Series([0.25, 0.25, 0.3, 0.2], index=assets)
    groups = {"a": "Tech", "b": "Tech", "c": "Energy", "d": "Utilities"}
    res = xf.brinson(w, v, r, groups=groups, linking="menchero")
    args = (excel_range(w), [list(v)], excel_range(r), None, [["Tech", "Tech", "Energy", "Utilities"]],
            serials(dates))  # fmt: skip
    got = spilled(engine.call("FM_BRINSON", *args, "menchero"))
    assert list(got.columns) == ["Allocation", "Selection", "Interaction", "Total"]
    np.testing.assert_allclose(got.to_numpy(float)[:-1], res.by_group.to_numpy(), **TOL)
    np.testing.assert_allclose(got.loc["Total", "Total"], res.active, rtol=1e-12)
    periods = spilled(engine.call("FM_BRINSON", *args, None, "periods"))
    np.testing.assert_allclose(periods.to_numpy(float), res.periods.to_numpy(), **TOL)
    assert list(periods.index) == list(dates)


def test_brinson_labelled_weights_are_a_vector_even_when_the_shape_fits_a_table(engine):
    returns = [["A", "B"], [0.01, 0.02], [0.03, -0.01]]
    bench_returns = [["A", "B"], [0.0, 0.01], [0.02, 0.0]]
    weights = [["B", 0.6], ["A", 0.4]]  # labelled, 2 x 2 like the returns
    got = spilled(engine.call("FM_BRINSON", weights, [[0.5, 0.5]], returns, bench_returns, None, None, None,
                              "periods"))  # fmt: skip
    w = pd.Series({"A": 0.4, "B": 0.6})
    r = pd.DataFrame([[0.01, 0.02], [0.03, -0.01]], columns=["A", "B"], index=[1, 2])
    b = pd.DataFrame([[0.0, 0.01], [0.02, 0.0]], columns=["A", "B"], index=[1, 2])
    res = xf.brinson(w, pd.Series({"A": 0.5, "B": 0.5}), r, b)
    np.testing.assert_allclose(got.to_numpy(float), res.periods.to_numpy(), **TOL)
    np.testing.assert_allclose(got["Portfolio"].to_numpy(float), r @ w, rtol=1e-14)


def test_brinson_bad_inputs(engine):
    assert message(engine.call("FM_BRINSON", [[40], [30], [30]], BACON_V, BACON_RETURNS, BACON_BENCH_RETURNS)) == (
        "#FM! weights: the weights sum to 100; Brinson attribution needs weights that sum to 1 (add a cash group "
        "for money not invested)"
    )
    assert message(engine.call("FM_BRINSON", BACON_W, BACON_V, BACON_RETURNS)).startswith(
        "#FM! benchmark_returns: required when the columns are groups"
    )
    assert message(engine.call("FM_BRINSON", BACON_W, None, BACON_RETURNS, BACON_BENCH_RETURNS)) == (
        "#FM! benchmark: required; give the benchmark's weights"
    )
    assert message(engine.call("FM_BRINSON", BACON_W, BACON_V, BACON_RETURNS, None, [["A", "B"]])).startswith(
        "#FM! groups: 2 labels for 3 columns of returns"
    )
    percent = [["UK", "Japan", "US"], [20, -5, 6]]
    out = engine.call("FM_BRINSON", BACON_W, BACON_V, percent, BACON_BENCH_RETURNS)
    assert message(out).startswith("#FM! returns: column 'UK' looks like percentages")
