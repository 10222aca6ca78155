"""The other factor libraries' models (Q5, SY4, ...) by name in the FM_ functions, through xlwings' Office.js engine.

The data are refreshed into a private data folder from a real HTTP server on 127.0.0.1 serving the publishers'
layouts (tests/data/libraries). Expected numbers come from statsmodels OLS per asset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from office_js import excel_range, serials, spilled

import xlfactor as xf
from xlfactor.data import refresh_factors


def _ols(
    returns: pd.DataFrame, factors: pd.DataFrame, rf: pd.Series
) -> dict[str, sm.regression.linear_model.RegressionResults]:
    X = sm.add_constant(factors.drop(columns="RF"))
    return {a: sm.OLS(returns[a] - rf, X).fit() for a in returns.columns}


def test_fm_beta_with_q5_equals_statsmodels(engine, library_mirror):
    refresh_factors("Q5", "M")
    returns = xf.industry_portfolios().loc["2000-01":"2019-12", ["NoDur", "BusEq", "Money"]]
    out = spilled(engine.call("FM_BETA", excel_range(returns), "Q5", serials(returns.index)))
    q5 = xf.load_factors("Q5", "M").loc[returns.index]
    fits = _ols(returns, q5, q5["RF"])
    expected = pd.DataFrame({a: f.params.drop("const") for a, f in fits.items()}).T
    assert list(out.columns) == ["MKT", "ME", "IA", "ROE", "EG"]
    np.testing.assert_allclose(out.to_numpy(dtype=float), expected.to_numpy(), rtol=1e-9, atol=1e-12)


def test_fm_alpha_test_compares_ff5_q5_and_sy4_on_the_same_assets(engine, library_mirror):
    refresh_factors(["Q5", "SY4"], "M")
    returns = xf.industry_portfolios().loc["2000-01":"2016-12", ["NoDur", "BusEq", "Money"]]  # SY4 ends 2016-12
    out = spilled(engine.call("FM_ALPHA_TEST", excel_range(returns), "FF5, Q5, SY4", serials(returns.index)))
    assert list(out.columns) == ["FF5 alpha", "FF5 t", "Q5 alpha", "Q5 t", "SY4 alpha", "SY4 t"]
    rf = xf.load_factors("FF5", "M").loc[returns.index, "RF"]  # excess of the first model's RF
    for model in ("FF5", "Q5", "SY4"):
        factors = xf.load_factors(model, "M").loc[returns.index]
        fits = _ols(returns, factors, rf)
        alpha = np.array([fits[a].params["const"] * 12 for a in returns.columns])
        t = np.array([fits[a].tvalues["const"] for a in returns.columns])
        np.testing.assert_allclose(out[f"{model} alpha"].to_numpy(float), alpha, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(out[f"{model} t"].to_numpy(float), t, rtol=1e-9)
    assert not np.allclose(out["FF5 alpha"].to_numpy(float), out["SY4 alpha"].to_numpy(float), atol=1e-3)


def test_fm_data_info_shows_source_citation_vintage_and_licence(engine, library_mirror):
    refresh_factors("Q5", "M")
    rows = {row[0]: row[1] for row in engine.call("FM_DATA_INFO", "Q5", "M")}
    assert rows["Vintage"] == "2019" and rows["Database"] == "global-q" and rows["Origin"] == "download"
    assert rows["Source"] == "Hou-Xue-Zhang q-factors data library (global-q.org)"
    assert rows["Citation"].startswith("Hou, K., C. Xue and L. Zhang (2015), Digesting anomalies")
    assert "no redistribution licence" in rows["Licence"]
    assert rows["Column sources"].startswith("MKT: global-q (q5_factors_monthly_<year>.csv); ME: global-q")


def test_a_model_not_stored_says_how_to_get_it(engine, library_mirror):
    returns = xf.industry_portfolios().loc["2000-01":"2016-12", ["NoDur", "BusEq"]]
    out = engine.call("FM_BETA", excel_range(returns), "SY4", serials(returns.index))
    text = out[0][0] if isinstance(out, list) else out
    assert text.startswith("#FM! model: SY4 monthly data are not stored yet")
    assert "M4.csv from Stambaugh must be downloaded" in text and "click Refresh data on the xlfactor ribbon" in text
    assert "xlfactor refresh" not in text  # no command in a cell


def test_fm_factors_returns_aqr4_and_bs6_by_name(engine, library_mirror):
    refresh_factors(["AQR4", "Q5"], "M")  # BS6's French columns come from the shipped files
    for model in ("AQR4", "BS6", "AQR4-GLOBAL"):
        got = spilled(engine.call("FM_FACTORS", model, "M"))
        expected = xf.load_factors(model, "M")
        assert [str(c) for c in got.columns] == list(expected.columns)
        np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), rtol=0, atol=0)


def test_the_ribbons_refresh_fetches_a_model_a_formula_asked_for(engine, library_mirror):
    """xlwings Server runs the ribbon's Refresh script on the Office.js workbook: the model a formula named while
    it was not stored is downloaded, the status sheet says so, and the formula then computes."""
    import asyncio

    import xlwings as xw
    from test_report_sheets import ASSETS, office_js_book
    from xlwings import server

    from xlfactor.excel import scripts

    library_mirror.serve_folder("current")  # French's files too: the plain refresh also renews the US models
    returns = xf.industry_portfolios().loc["2005-01":"2016-12", ASSETS]
    first = engine.call("FM_BETA", excel_range(returns), "SY4", serials(returns.index))
    assert str(first[0][0] if isinstance(first, list) else first).startswith("#FM! model: SY4 monthly data are not")
    book = office_js_book(returns)
    loop = asyncio.new_event_loop()
    try:
        with pytest.warns(RuntimeWarning, match="sy4_daily: download of .*M4d.csv failed"):  # no daily file here
            call = server.custom_scripts_call(scripts, "xlfactor_refresh", typehint_to_value={xw.Book: book})
            loop.run_until_complete(call)
    finally:
        loop.close()
    written = [str(v) for a in book.json()["actions"] if a["func"] == "setValues" for row in a["values"] for v in row]
    assert any(v.startswith("sy4_monthly") and "first download: Stambaugh 2017-04-04, 648 rows" in v for v in written)
    out = spilled(engine.call("FM_BETA", excel_range(returns), "SY4", serials(returns.index)))
    sy4 = xf.load_factors("SY4", "M").loc[returns.index]
    fits = _ols(returns, sy4, sy4["RF"])
    expected = pd.DataFrame({a: f.params.drop("const") for a, f in fits.items()}).T
    np.testing.assert_allclose(out.to_numpy(dtype=float), expected.to_numpy(), rtol=1e-9, atol=1e-12)
