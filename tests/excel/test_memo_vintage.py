"""Memoisation: repeats are served from the cache; new factor data (a new vintage) is never stale.

The cell memo (raw argument values + function + data vintage, checked before any
conversion) is tested at the end, with the bounds of a memo.

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
from xlfactor.excel.memo import Memo, cells, factor_cache, fit_cache, result_cache


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


# ---------------------------------------------------------------- the cell memo (raw argument values)
def test_cell_memo_serves_repeats_before_conversion_and_sees_a_refresh(engine, tmp_path):
    returns = xf.industry_portfolios().loc["2015-01":"2022-12", ["Manuf", "Enrgy"]]
    base = xf.load_factors("FF5").loc["2015-01":"2022-12"].drop(columns="RF")
    path = tmp_path / "cell_memo_factors.csv"
    _write_factors(path, base)
    xf.register_factors("CellMemoFactors", path)
    args = (excel_range(returns), "CellMemoFactors", serials(returns.index), False)

    first = engine.call("FM_BETA", *args)
    fits = fit_cache.hits + fit_cache.misses
    cells = result_cache.hits
    assert engine.call("FM_BETA", *args) == first
    assert result_cache.hits == cells + 1  # served from the cell memo ...
    assert fit_cache.hits + fit_cache.misses == fits  # ... before any conversion or engine lookup

    changed = base * 1.5 - 0.002
    _write_factors(path, changed)
    xf.register_factors("CellMemoFactors", path)  # new numbers: a new data vintage
    misses = result_cache.misses
    second = engine.call("FM_BETA", *args)
    assert result_cache.misses == misses + 1 and second != first
    reloaded = xf.load_factors("CellMemoFactors", "M")
    expected = xf.regress(returns, reloaded.loc[returns.index], periods_per_year=12).betas
    np.testing.assert_allclose(np.array([r[1:] for r in second[1:]], float), expected.to_numpy(), rtol=1e-12)


def test_cell_memo_keys_on_function_and_every_argument(engine):
    returns = xf.industry_portfolios().loc["2018-01":"2022-12", ["Shops"]]
    cells, dates = excel_range(returns), serials(returns.index)
    beta = engine.call("FM_BETA", cells, "FF3", dates)
    alpha = engine.call("FM_ALPHA", cells, "FF3", dates)
    bare = engine.call("FM_BETA", cells, "FF3", dates, True, False)
    assert beta != alpha and bare == [row[1:] for row in beta[1:]]
    assert engine.call("FM_BETA", cells, "FF5", dates)[0] != beta[0]  # another model
    shifted = excel_range(returns + 0.001)
    assert engine.call("FM_BETA", shifted, "FF3", dates) != beta  # another cell value
    hit = engine.call("FM_BETA", cells, "FF3", dates)
    assert hit == beta
    hit[1][1] = "changed by the caller"  # a caller altering a served result does not alter the memo
    assert engine.call("FM_BETA", cells, "FF3", dates) == beta


def test_errors_are_not_memoised(engine, tmp_path):
    returns = xf.industry_portfolios().loc["2016-01":"2021-12", ["Telcm"]]
    args = (excel_range(returns), "NotYetThere", serials(returns.index))
    assert engine.call("FM_BETA", *args)[0][0].startswith("#FM! factors: unknown model 'NotYetThere'")
    path = tmp_path / "later.csv"
    _write_factors(path, xf.load_factors("FF3").loc["2016-01":"2021-12"].drop(columns="RF"))
    xf.register_factors("NotYetThere", path)
    result = engine.call("FM_BETA", *args)
    assert result[0] == ["Asset", "Mkt-RF", "SMB", "HML"] and isinstance(result[1][1], float)


def test_memo_bounds_entries_and_cells():
    memo = Memo(3, weigh=cells, max_weight=10)
    for k in range(3):
        memo.get(k, lambda k=k: [[k, k]])  # 2 cells each
    assert len(memo) == 3 and memo.weight == 6
    memo.get(0, lambda: None)  # a hit moves 0 to the most recent end
    memo.get(3, lambda: [[3] * 4])  # 4 cells: 1 (least recent) leaves on the count bound
    assert memo.get(1, lambda: "recomputed") == "recomputed" and memo.weight <= 10 and len(memo) <= 3
    big = [[0.0] * 11]
    assert memo.get("big", lambda: big) is big and memo.get("big", lambda: "again") == "again"  # never stored
    assert memo.weight <= memo.max_weight and len(memo) <= memo.maxsize


def test_cell_memo_keeps_cell_types_apart_and_equal_cells_together():
    """The memo key tells 1, 1.0, True, "1", blank and -0.0 apart, also for a value marshal cannot write (a
    classic-Excel datetime goes through pickle); equal cells hit, whether or not they share objects."""
    from datetime import datetime

    from xlfactor.excel.memo import NO_DATA
    from xlfactor.excel.udf import excel_function

    calls = []

    @excel_function(depends=NO_DATA)
    def PROBE(returns):  # noqa: N802 - an Excel function's name
        """Counts its computations."""
        calls.append(returns)
        return [[len(calls)]]

    kinds = [1, 1.0, True, "1", None, 0.0, -0.0, datetime(2024, 1, 31), "2024-01-31"]
    for kind in kinds:
        PROBE([[kind], [0.5]])
    assert len(calls) == len(kinds)  # every kind computed, none served another's result
    for kind in kinds:
        PROBE([[kind], [0.5]])
    assert len(calls) == len(kinds)  # repeats are hits
    name = "".join(["Ma", "nuf"])
    PROBE([[name], [name]])  # one text object twice ...
    PROBE([["Manuf"], ["".join(["Man", "uf"])]])  # ... then equal text in two objects: a hit
    assert len(calls) == len(kinds) + 1
