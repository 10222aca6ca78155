"""Issue 18, item 3: messages that point at the fix, through xlwings' Office.js engine and the Python API.

Each case gave a message that named the wrong thing (``k`` when no ``k`` was typed, the engine's
``window`` for Excel's ``window_size``: now both are ``window``), advice that does not apply (a tail
sample for Cornish-Fisher), Python syntax in a cell (``['CMA']``, ``2020-01-31 00:00:00``), or
numbers where a refusal was due (a covariance of two rows). Data: the shipped industry portfolios
and French factors (monthly).
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from excel.office_js import excel_range, message, serials, spilled

import xlfactor as xf
import xlfactor.excel.functions as functions
from xlfactor.errors import XLFactorError

WEIGHTS = [[0.3], [0.5], [0.2]]


def no_python(text: str) -> str:
    """The message holds no Python list or timestamp."""
    assert "['" not in text and "00:00:00" not in text, text
    return text


def test_transposed_returns_say_transpose(engine, returns, cells):
    """A returns range given sideways said "row 1, column 1 of the range holds 'NoDur'"."""
    rets, dates = cells
    sideways = [list(row) for row in zip(*rets, strict=True)]
    text = message(engine.call("FM_BETA", sideways, "FF5", dates))
    assert text == (
        "#FM! returns: the range looks transposed (names down its first column, one row per series); transpose it "
        "(Paste Special > Transpose) so that each series is a column with its name on top"
    )
    assert spilled(engine.call("FM_BETA", rets, "FF5", dates)).shape == (3, 5)  # the same data upright works


def test_rolling_window_named_as_typed(engine, cells):
    rets, dates = cells
    text = message(engine.call("FM_ROLLING_BETA", rets, "FF5", dates, 500))
    assert text.startswith("#FM! window: 500 rows is longer than the 120 dates"), text
    assert "window" in inspect.signature(functions.FM_ROLLING_BETA).parameters  # the argument as the user typed it


def test_cornish_fisher_needs_no_tail_sample(engine, returns, cells):
    """FM_VAR cornish_fisher at 99.99% asked for 10001 periods, as historical simulation needs."""
    rets, dates = cells
    out = engine.call("FM_VAR", WEIGHTS, rets, "FF5", dates, 0.9999, None, None, None, None, None, "cornish_fisher")
    got = {row[0]: row[1] for row in out}
    ff5 = xf.load_factors("FF5").loc[returns.index]
    model = xf.FactorRiskModel.from_regression(
        xf.regress(returns, ff5.drop(columns="RF"), rf=ff5["RF"]), ff5.drop(columns="RF")
    )
    ref = xf.var_es(model, dict(zip(returns.columns, (0.3, 0.5, 0.2), strict=True)), 0.9999, 1,
                    method="cornish_fisher", factors=ff5.drop(columns="RF"))  # fmt: skip
    assert got["VaR"] == pytest.approx(ref.var, rel=1e-10) and ref.var > 0
    historical = message(engine.call("FM_VAR", WEIGHTS, rets, "FF5", dates, 0.9999, *[None] * 5, "historical"))
    assert "hold no 0.01% tail; give at least 10001 periods" in historical


def test_covariance_needs_more_rows_than_factors(engine, ff3_monthly):
    """FM_COV of two rows gave a singular matrix (every correlation +/-1)."""
    f = ff3_monthly.drop(columns="RF").iloc[-3:]
    text = message(engine.call("FM_COV", excel_range(f), serials(f.index)))
    assert text == (
        "#FM! factors: 3 complete rows for 3 factors; a covariance matrix needs more rows than factors (at least 4; "
        "a reliable one many more); select more rows"
    )
    assert message(engine.call("FM_CORR", excel_range(f), serials(f.index))).startswith("#FM! factors: 3 complete rows")
    with pytest.raises(XLFactorError, match="^factors: 3 complete rows for 3 factors"):
        xf.factor_cov(f)
    four = ff3_monthly.drop(columns="RF").iloc[-4:]
    np.testing.assert_allclose(xf.factor_cov(four, annualize=False).to_numpy(), four.cov().to_numpy(), rtol=1e-12)


def test_pca_does_not_blame_k_when_k_was_not_given(engine, returns):
    """FM_PCA(returns) with two assets said "k: 3 factors need at least 3 assets" though no k was typed."""
    text = message(engine.call("FM_PCA", excel_range(returns.iloc[:, :2])))
    assert text == (
        "#FM! returns: 2 asset(s) have 60 or more returns, fewer than the 3 components asked for (k = 3); add assets "
        "or rows, or ask for fewer components"
    )
    assert spilled(engine.call("FM_PCA", excel_range(returns.iloc[:, :2]), 2)).shape == (2, 2)


def test_no_python_lists_or_timestamps_in_a_cell(engine, cells):
    rets, dates = cells
    text = no_python(message(engine.call("FM_STRESS", [["NoDur", 0.5], ["AAPL", 0.5]], rets, "FF5", dates,
                                         [["Mkt-RF", -0.1]])))  # fmt: skip
    assert text.startswith("#FM! weights: 'AAPL' not among the returns' assets"), text


def test_python_messages_list_names_as_text(returns):
    ff5 = xf.load_factors("FF5").loc[returns.index]
    res = xf.regress(returns, ff5.drop(columns="RF"))
    model = xf.FactorRiskModel.from_regression(res, ff5.drop(columns="RF"))
    with pytest.raises(XLFactorError) as err:
        xf.stress(model, {"NoDur": 1.0}, {"Market": -0.1})
    assert no_python(str(err.value)) == (
        "shocks: unknown factors 'Market'; the model's factors are 'Mkt-RF', 'SMB', 'HML', 'RMW', 'CMA'"
    )
    with pytest.raises(XLFactorError) as err:
        xf.expected_return(res, ff5, rf=ff5["RF"].iloc[3:])
    assert str(err.value).startswith("rf: no risk-free rate on 2014-01-31;")  # a date, not a timestamp
    with pytest.raises(XLFactorError) as err:
        model.portfolio_risk({f"X{i}": 0.01 for i in range(12)})
    assert str(err.value) == (
        "weights: assets not in the risk model: 'X0', 'X1', 'X2', 'X3', 'X4', 'X5', 'X6', 'X7', 'X8', 'X9' and 2 more"
    )


def test_scenario_ambiguous_date_called_ambiguous(engine, cells):
    """FM_SCENARIO with episode "03/04/2020" said it was neither an episode nor a date."""
    rets, dates = cells
    text = message(engine.call("FM_SCENARIO", WEIGHTS, rets, "FF5", dates, "03/04/2020", "2020-04-30"))
    assert "ambiguous (day/month or month/day)" in text and text.startswith("#FM! episode: "), text
    other = message(engine.call("FM_SCENARIO", WEIGHTS, rets, "FF5", dates, "Dotcom"))
    assert "is neither a library episode" in other


def test_factors_empty_window_says_so(engine):
    """FM_FACTORS of a window with no data spilled an empty table."""
    text = message(engine.call("FM_FACTORS", "FF3", "M", "2040-01-01", "2040-12-31"))
    assert text.startswith("#FM! start_date: no FF3 monthly factor data from 2040-01-31 to 2040-12-31 (the stored "
                           "data cover 1926-07-31 to "), text  # fmt: skip
    assert text.endswith("choose dates inside that span")
    with pytest.raises(XLFactorError, match=r"^start: no FF3 daily factor data from 2024-03-16 to 2024-03-17"):
        xf.load_factors("FF3", "D", "2024-03-16", "2024-03-17")  # a weekend
    assert len(xf.load_factors("FF3", "D", "2024-03-15", "2024-03-18")) == 2
    assert isinstance(xf.load_factors("FF3", "M", "2020-01-01", "2020-03-31"), pd.DataFrame)
