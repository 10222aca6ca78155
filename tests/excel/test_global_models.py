"""Regional model names (FF5-DEV, FF6-EUR, ...) in the FM_ functions, through xlwings' Office.js engine.

Arguments are passed positionally (returns, model, dates), as a user types them in a cell.
Expected betas come from statsmodels OLS on the excess returns, per asset, over the dates
the returns share with the model's factors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from french_files import french_block
from office_js import excel_range, serials, spilled

import xlfactor as xf
from xlfactor.data import cache

DAILY_VW = "Average Value Weighted Returns -- Daily"


def _statsmodels_betas(returns: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    common = returns.index.intersection(factors.index)
    X = sm.add_constant(factors.loc[common].drop(columns="RF"))
    rows = {}
    for asset in returns.columns:
        y = returns.loc[common, asset] - factors.loc[common, "RF"]
        rows[asset] = sm.OLS(y, X).fit().params.drop("const")
    return pd.DataFrame(rows).T


def _assert_betas(result, expected: pd.DataFrame) -> None:
    got = spilled(result)
    assert [str(i) for i in got.index] == list(expected.index)
    assert [str(c) for c in got.columns] == list(expected.columns)
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)


def test_fm_beta_with_developed_daily_factors(engine):
    """US daily industry returns on the shipped Developed five factors (Bloomberg 202101), 2019-2020."""
    returns = french_block("5_Industry_Portfolios_Daily.csv", DAILY_VW).loc["2019-01-01":"2020-12-31"]
    out = engine.call("FM_BETA", excel_range(returns), "FF5-DEV", serials(returns.index))
    expected = _statsmodels_betas(returns, xf.load_factors("FF5-DEV", "D"))
    assert list(expected.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
    _assert_betas(out, expected)
    us = spilled(engine.call("FM_BETA", excel_range(returns), "FF5", serials(returns.index)))
    assert not np.allclose(us.to_numpy(dtype=float), expected.to_numpy(dtype=float), atol=0.02)


def test_fm_beta_with_europe_six_factors_monthly_any_case(engine):
    returns = xf.industry_portfolios().loc["2011-01":"2020-12", ["Money", "Enrgy", "Hlth"]]
    out = engine.call("FM_BETA", excel_range(returns), "ff6-eur", serials(returns.index))
    expected = _statsmodels_betas(returns, xf.load_factors("FF6-EUR", "M"))
    assert list(expected.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "MOM"]
    _assert_betas(out, expected)


def test_fm_data_info_says_older_bloomberg_vintage(engine):
    rows = {row[0]: row[1] for row in engine.call("FM_DATA_INFO", "FF5-DEV", "D")}
    assert "202101" in rows.values() and "FF5-DEV" in rows.values()
    summary = next(v for v in rows.values() if isinstance(v, str) and v.startswith("FF5-DEV daily:"))
    assert "an OLDER vintage (Bloomberg 202101, data end 2021-01-29)" in summary
    assert "click Refresh data on the xlfactor ribbon, with internet access, for French's current files" in summary
    assert "xlfactor refresh" not in summary and "refresh_factors" not in summary  # no command in a cell

    assert "FF5-DEV" in cache.wanted_models()  # so the ribbon's Refresh data fetches what the cell advises


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("FF5-JPN", "FF5-JPN monthly data are not stored yet"),
        ("FF5-MARS", "unknown model 'FF5-MARS'; built-in models are CAPM, FF3, FF5, FF6, CARHART4 (US), or one of"),
    ],
)
def test_fm_beta_with_a_region_not_available_says_why(engine, model, message):
    returns = xf.industry_portfolios().loc["2011-01":"2020-12", ["Money"]]
    text = engine.call("FM_BETA", excel_range(returns), model, serials(returns.index))[0][0]
    assert text.startswith("#FM! ") and message in text


def test_a_region_not_stored_points_at_the_ribbon_not_a_command(engine):
    """A cell said "run `xlfactor refresh --model FF5-JPN` or xlfactor.refresh_factors('FF5-JPN')": advice for a
    terminal, in a cell. It now points at the ribbon's Refresh data, which fetches the region asked for."""
    returns = xf.industry_portfolios().loc["2011-01":"2020-12", ["Money"]]
    text = engine.call("FM_BETA", excel_range(returns), "FF5-JPN", serials(returns.index))[0][0]
    assert text == (
        "#FM! model: FF5-JPN monthly data are not stored yet (xlfactor ships the US factors and the Developed and "
        "Europe five-factor and momentum files; Japan_5_Factors_CSV.zip must be downloaded): click Refresh data on "
        "the xlfactor ribbon once, with internet access; formulas then recalculate"
    )
    assert "FF5-JPN" in cache.wanted_models()  # the ribbon's refresh_factors() now includes it


def test_fm_alpha_test_across_us_and_regional_models(engine):
    returns = xf.industry_portfolios().loc["2011-01":"2020-12", ["NoDur", "BusEq"]]
    out = spilled(engine.call("FM_ALPHA_TEST", excel_range(returns), "CAPM,FF5-DEV,FF6-EUR", serials(returns.index)))
    assert list(out.columns) == [f"{m} {k}" for m in ["CAPM", "FF5-DEV", "FF6-EUR"] for k in ["alpha", "t"]]
    sets = {m: xf.align(returns, xf.load_factors(m, "M")) for m in ["CAPM", "FF5-DEV", "FF6-EUR"]}
    common = sets["FF6-EUR"].returns.index
    rf = sets["CAPM"].factors.loc[common, "RF"]  # one left-hand side for every model: excess of the first's RF
    for m, aligned in sets.items():
        X = sm.add_constant(aligned.factors.loc[common].drop(columns="RF"))
        for asset in returns.columns:
            fit = sm.OLS(returns.loc[common, asset] - rf, X).fit()
            np.testing.assert_allclose(out.loc[asset, f"{m} alpha"], 12 * fit.params["const"], rtol=1e-9)
            np.testing.assert_allclose(out.loc[asset, f"{m} t"], fit.tvalues["const"], rtol=1e-9)
