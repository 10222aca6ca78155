"""FM_STYLE through xlwings' Office.js engine: equal to the engine called directly (1e-12), which
tests/test_style.py checks against scipy's optimiser. Data: the shipped 12 industry portfolios
2014-2023 monthly, fund "Chems" on six other industries, laid out as Excel sends them.
"""

from __future__ import annotations

import numpy as np
import pytest
from office_js import excel_range, serials, spilled

import xlfactor as xf

INDICES = ["NoDur", "Manuf", "BusEq", "Money", "Utils", "Enrgy"]
TOL = {"rtol": 1e-12, "atol": 1e-15}


@pytest.fixture(scope="module")
def cells(industry_returns):
    fund, idx = industry_returns[["Chems"]], industry_returns[INDICES]
    return excel_range(fund), excel_range(idx), serials(fund.index)


def test_style_in_cells_equals_engine(engine, cells, industry_returns):
    res = xf.style_analysis(industry_returns["Chems"], industry_returns[INDICES], periods_per_year=12)
    out = engine.call("FM_STYLE", *cells)
    assert out[0] == ["Chems", ""]
    got = {row[0]: row[1] for row in out[1:]}
    assert list(got) == [*INDICES, "R-squared", "Selection return (per period)", "Tracking vol (ann.)", "Observations"]
    np.testing.assert_allclose([got[k] for k in INDICES], res.weights.to_numpy(), **TOL)
    np.testing.assert_allclose(
        [got["R-squared"], got["Selection return (per period)"], got["Tracking vol (ann.)"]],
        [res.rsquared, res.selection, res.tracking_vol_annualized],
        **TOL,
    )
    assert got["Observations"] == 120 and got["Money"] == 0 and got["Enrgy"] == 0


def test_rolling_style_in_cells_equals_engine(engine, cells, industry_returns):
    res = xf.style_analysis(industry_returns["Chems"], industry_returns[INDICES], window=36)
    got = spilled(engine.call("FM_STYLE", *cells, 36))
    assert list(got.columns) == [*INDICES, "R2"] and len(got) == 85
    np.testing.assert_allclose(got.to_numpy(float), res.rolling.to_numpy(), **TOL)


def test_style_bad_input_names_the_argument(engine, cells):
    fund, idx, dates = cells
    text = engine.call("FM_STYLE", fund, idx, dates, 5)[0][0]
    assert text.startswith("#FM! window: expected a whole number from 8 to 120"), text
    text = engine.call("FM_STYLE", idx, idx, dates)[0][0]
    assert text.startswith("#FM! returns: FM_STYLE analyses one fund"), text
