"""FM_GRS and FM_REGRESS's diagnostics through xlwings' Office.js engine.

Checked against the engine called directly (1e-12; tests/test_diagnostics.py checks the engine's
GRS against statsmodels fits) and against statsmodels (1e-9): the F test, Durbin-Watson,
Breusch-Pagan and Jarque-Bera of FM_REGRESS. Data: the shipped 12 industry portfolios 2014-2023 monthly against
the shipped FF5 factors, laid out as Excel sends them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from office_js import excel_range, serials
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.stattools import durbin_watson, jarque_bera

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf", "Enrgy", "Chems"]
FF5 = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


@pytest.fixture(scope="module")
def ff5(industry_ff5):
    """Five industries and FF5; ``ff5.returns`` are also the cells sent."""
    return xf.align(industry_ff5.returns[ASSETS], industry_ff5.factors)


@pytest.fixture(scope="module")
def returns(ff5) -> pd.DataFrame:
    return ff5.returns


def record(result) -> dict:
    return {row[0]: row[1] for row in result}


def message(result) -> str:
    text = result[0][0]
    assert len(result) == 1 and text.startswith("#FM! ") and "Traceback" not in text, result
    return text


def test_grs_in_cells_equals_engine_and_statsmodels(engine, returns, ff5):
    got = record(engine.call("FM_GRS", excel_range(returns), "FF5", serials(returns.index)))
    res = xf.grs_test(ff5.returns, ff5.factors, rf=ff5.factors["RF"])
    assert got["GRS test"] == ""
    assert (got["df (assets)"], got["df (denominator)"], got["Observations"]) == (5, 120 - 5 - 5, 120)
    np.testing.assert_allclose([got["GRS F"], got["p-value"]], [res.statistic, res.pvalue], rtol=1e-12)


def test_grs_bad_input_names_the_argument(engine, returns):
    short = returns.iloc[:10]
    text = message(engine.call("FM_GRS", excel_range(short), "FF5", serials(short.index)))
    assert "returns: the GRS test needs more common dates than assets plus factors" in text


@pytest.mark.parametrize("cov", ["nonrobust", "hc1"])
def test_regress_diagnostics_in_cells_equal_statsmodels(engine, returns, ff5, cov):
    one = returns[["Enrgy"]]
    out = engine.call("FM_REGRESS", excel_range(one), "FF5", serials(one.index), cov)
    got = {row[0]: row[1] for row in out[1:]}
    y = ff5.returns["Enrgy"] - ff5.factors["RF"]
    model = sm.OLS(y, sm.add_constant(ff5.factors[FF5]))
    ref = model.fit() if cov == "nonrobust" else model.fit(cov_type="HC1")
    lm, lm_p, _, _ = het_breuschpagan(ref.resid, model.exog)
    jb, jb_p, skew, kurt = jarque_bera(ref.resid)
    expected = {
        "F-statistic": ref.fvalue, "Prob (F-statistic)": ref.f_pvalue, "Durbin-Watson": durbin_watson(ref.resid),
        "Breusch-Pagan LM": lm, "Prob (Breusch-Pagan)": lm_p, "Jarque-Bera": jb, "Prob (Jarque-Bera)": jb_p,
        "Skew": skew, "Kurtosis": kurt,
    }  # fmt: skip
    for label, value in expected.items():
        np.testing.assert_allclose(got[label], value, rtol=1e-9, atol=1e-15, err_msg=label)
    rows = [row[0] for row in out]
    assert rows[-1] == "Rows without factor data" and rows.index("Observations") < rows.index("F-statistic")
