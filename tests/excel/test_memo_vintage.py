"""Memoisation: repeats are served from the cache; new factor data (a new vintage) is never stale.

Uses the real data layer: a user factor file registered in the test session's own
data directory, then registered again with different numbers (as a refresh would store
new data), which changes ``data_vintage``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from office_js import excel_range, serials

import xlfactor as xf
from xlfactor.data import data_vintage
from xlfactor.excel.memo import factor_cache, result_cache


def _write_factors(path, frame: pd.DataFrame) -> None:
    out = (frame * 100).round(6)
    out.index = out.index.strftime("%Y-%m-%d")
    out.to_csv(path, index_label="Date")


def test_refresh_changes_vintage_and_results(engine, tmp_path):
    returns = xf.industry_portfolios().loc["2016-01":"2023-12", ["Hlth", "Money"]]
    base = xf.load_factors("FF3").loc["2016-01":"2023-12"].drop(columns="RF")
    path = tmp_path / "my_factors.csv"
    _write_factors(path, base)
    xf.register_factors("MyFactors", path)
    args = (excel_range(returns), "MyFactors", serials(returns.index), False)

    first_vintage = data_vintage("MyFactors", "M")
    first = engine.call("FM_BETA", *args)
    loaded = xf.load_factors("MyFactors", "M")
    expected = xf.regress(returns, loaded.loc[returns.index], periods_per_year=12).betas
    np.testing.assert_allclose(np.array([r[1:] for r in first[1:]], float), expected.to_numpy(), rtol=1e-12)

    hits = result_cache.hits, factor_cache.hits
    assert engine.call("FM_BETA", *args) == first
    assert result_cache.hits > hits[0] and factor_cache.hits > hits[1]  # repeat served from the caches

    changed = base.copy()
    changed["SMB"] = changed["SMB"] * 0.5 + 0.001
    _write_factors(path, changed)
    xf.register_factors("MyFactors", path)
    assert data_vintage("MyFactors", "M") != first_vintage

    second = engine.call("FM_BETA", *args)
    assert second != first
    reloaded = xf.load_factors("MyFactors", "M")
    expected = xf.regress(returns, reloaded.loc[returns.index], periods_per_year=12).betas
    np.testing.assert_allclose(np.array([r[1:] for r in second[1:]], float), expected.to_numpy(), rtol=1e-12)


def test_caches_stay_bounded(engine):
    returns = xf.industry_portfolios().loc["2010-01":"2014-12", ["Utils"]]
    dates = serials(returns.index)
    for k in range(result_cache.maxsize + 10):
        engine.call("FM_BETA", excel_range(returns + k * 1e-4), "CAPM", dates)
    assert len(result_cache) <= result_cache.maxsize
