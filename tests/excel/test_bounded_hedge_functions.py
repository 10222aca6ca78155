"""FM_HEDGE and FM_HEDGE_TARGET with bounds, through xlwings' Office.js engine.

Every number equals the engine called directly (1e-12); tests/test_hedging.py and
tests/test_quadratic_program.py check the engine against statsmodels and scipy. Bounds come as
Excel sends them: one cell for all, a row in the instruments' order, or labelled cells.
Data: the shipped 12 industry portfolios 2014-2023 monthly against the shipped FF5 factors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from office_js import excel_range, serials, spilled

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]
FF5 = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
TOL = {"rtol": 1e-12, "atol": 1e-15}


@pytest.fixture(scope="module")
def returns(industry_returns) -> pd.DataFrame:
    return industry_returns[ASSETS]


@pytest.fixture(scope="module")
def ff5(industry_ff5):
    return xf.align(industry_ff5.returns[ASSETS], industry_ff5.factors)


def record(result) -> dict:
    return {row[0]: row[1] for row in result}


def hedge(engine, target, *, lower=None, upper=None):
    return engine.call("FM_HEDGE", excel_range(target), "FF5", serials(target.index), None, None, lower, upper)


@pytest.mark.parametrize(
    "lower,upper,py_lower,py_upper",
    [
        ([[0]], [[1]], 0, 1),  # one cell for every instrument
        ([[0, 0, 0, None, 0]], None, [0, 0, 0, None, 0], None),  # one per instrument, a blank = no bound
        ([["SMB", "HML"], [0, 0]], [["Mkt-RF"], [0.7]], pd.Series({"SMB": 0, "HML": 0}), pd.Series({"Mkt-RF": 0.7})),
    ],
)
def test_bounded_hedge_in_cells_equals_engine(engine, returns, ff5, lower, upper, py_lower, py_upper):
    target = returns[["NoDur"]]
    res = xf.hedge_ratios(ff5.returns["NoDur"], ff5.factors[FF5], periods_per_year=12, lower=py_lower, upper=py_upper)
    got = record(hedge(engine, target, lower=lower, upper=upper)[1:])
    np.testing.assert_allclose([got[f] for f in FF5], res.ratios.to_numpy(), **TOL)
    np.testing.assert_allclose(got["Effectiveness"], res.effectiveness, **TOL)
    for f in FF5:
        assert got[f"Bound binding: {f}"] == (res.binding[f] or "none")
    assert (res.binding != "").any()


def test_unbounded_hedge_layout_is_unchanged(engine, returns):
    got = record(hedge(engine, returns[["NoDur"]])[1:])
    assert not any(k.startswith("Bound binding") for k in got)


def test_bounded_hedge_target_in_cells_equals_engine(engine, returns, ff5):
    reg = xf.regress(ff5.returns, ff5.factors, rf=ff5.factors["RF"], periods_per_year=12)
    model = xf.FactorRiskModel.from_regression(reg, ff5.factors)
    w = pd.Series([0.5, 0.2, 0.3], index=ASSETS)
    res = xf.hedge_to_risk_share(model, w, 0.0, lower=0, upper=0.5)
    args = ([[0.5, 0.2, 0.3]], excel_range(returns), "FF5", serials(returns.index), 0)
    out = spilled(engine.call("FM_HEDGE_TARGET", *args, None, None, None, None, None, None, None, [[0]], [[0.5]]))
    np.testing.assert_allclose(out.loc[FF5, "Hedge (sell)"].to_numpy(float), res.hedge, **TOL)
    np.testing.assert_allclose(out.loc["Factor share", "After"], res.factor_share_after, **TOL)
    assert out.loc[FF5, "Bound binding"].tolist() == [b or "none" for b in res.binding]


def test_bad_bounds_name_the_argument(engine, returns):
    text = hedge(engine, returns[["NoDur"]], lower=[[1]], upper=[[0]])[0][0]
    assert text.startswith("#FM! upper: the bound 0 on 'Mkt-RF' is below its lower bound 1"), text
    text = hedge(engine, returns[["NoDur"]], lower=[[0, 0]])[0][0]
    assert text.startswith("#FM! lower: 2 values for 5 instruments"), text
