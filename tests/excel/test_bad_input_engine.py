"""Wrong inputs through xlwings' Office.js engine: a cell reading ``#FM! ...`` that names the
argument and the fix, never a traceback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from office_js import excel_range, serials

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2019-01":"2023-12", ASSETS]


def message(result) -> str:
    """The text of a one-cell error result; fails if the result is anything else."""
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    text = result[0][0]
    assert text.startswith("#FM! ") and "Traceback" not in text, text
    return text


def test_text_in_number_range(engine, cells):
    rets, dates = cells
    bad = [row[:] for row in rets]
    bad[3][1] = "n/a"
    text = message(engine.call("FM_BETA", bad, "FF5", dates))
    assert text == (
        "#FM! returns: row 4, column 2 of the range holds 'n/a'; this range must hold numbers "
        "(leave missing values blank)"
    )


@pytest.mark.parametrize(
    "runtime, error",
    [("1.4", {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}), ("1.3", "#N/A")],
)
def test_excel_error_in_range_is_reported(engine, cells, runtime, error):
    rets, dates = cells
    bad = [row[:] for row in rets]
    bad[10][0] = error
    text = message(engine.call("FM_BETA", bad, "FF5", dates, runtime=runtime))
    assert text.startswith("#FM! returns: row 11, column 1 of the range holds the Excel error #N/A;")


def test_excel_error_in_dates(engine, cells):
    rets, dates = cells
    bad = [row[:] for row in dates]
    bad[2][0] = {"type": "Error", "basicValue": "#VALUE!", "errorType": "Value"}
    assert "dates: cell 3 of the range holds the Excel error #VALUE!" in message(
        engine.call("FM_BETA", rets, "FF5", bad)
    )


def test_lengths_differ(engine, cells, returns):
    rets, dates = cells
    assert message(engine.call("FM_BETA", rets, "FF5", dates[:-1])) == (
        f"#FM! dates: {len(returns) - 1} rows but returns has {len(returns)}; "
        "select ranges with the same number of rows"
    )
    factors = excel_range(xf.load_factors("FF3").iloc[-40:])
    assert "factors: 40 rows but returns has 60" in message(engine.call("FM_BETA", rets, factors))


def test_too_few_rows_for_the_factors(engine, returns):
    short = returns.iloc[:6]
    text = message(engine.call("FM_BETA", excel_range(short), "FF5", serials(short.index)))
    assert text.startswith("#FM! returns: column 'NoDur' has 6 usable rows but the model has 6 parameters")


BUILT_IN = "built-in models are CAPM, FF3, FF5, FF6, CARHART4 (US), or one of them with a region suffix"


def test_unknown_model(engine, cells):
    rets, dates = cells
    text = message(engine.call("FM_BETA", rets, "FF7", dates))
    assert text.startswith(f"#FM! factors: unknown model 'FF7'; {BUILT_IN}")
    assert "e.g. FF5-DEV, FF6-EUR, CAPM-EUR; other libraries: Q5, Q4, SY4, PS, DHS3, AQR4, AQR6, BS6" in text
    assert text.endswith("such as AQR4-JPN, AQR6-GLOBAL); or select a range of factor returns")
    assert message(engine.call("FM_FACTORS", "XYZ")).startswith(f"#FM! model: 'XYZ' is not a model; {BUILT_IN}")


def test_model_needs_dates(engine, cells):
    rets, _ = cells
    assert message(engine.call("FM_BETA", rets, "FF5")) == (
        '#FM! dates: required when factors is a model name such as "FF5"; give the dates'
    )


def test_dates_do_not_overlap_factor_data(engine, returns):
    old = pd.date_range("1950-01-31", periods=len(returns), freq="ME")
    text = message(engine.call("FM_BETA", excel_range(returns), "FF5", serials(old)))
    assert text.startswith("#FM! dates: none of the dates (1950-01-31 to 1954-12-31) overlap the FF5 monthly")


def test_weights_do_not_match_assets(engine, cells):
    rets, dates = cells
    text = message(engine.call("FM_PORT_RISK", [[0.5], [0.5]], rets, "FF5", dates))
    assert text.startswith("#FM! weights: 2 weights for 3 assets; give one weight per returns column")
    text = message(engine.call("FM_PORT_RISK", [["NoDur", 0.5], ["Tech", 0.5]], rets, "FF5", dates))
    assert text.startswith("#FM! weights: 'Tech' not among the returns' assets (NoDur, Durbl, Manuf)")
    text = message(engine.call("FM_PORT_RISK", [[0.5], [None], [0.5]], rets, "FF5", dates))
    assert text == "#FM! weights: the weight of 'Asset 2' is blank; enter 0 for no position"


def test_singular_factor_matrix(engine, returns):
    f = xf.load_factors("FF3").loc["2019-01":"2023-12"].drop(columns="RF")
    f["HML2"] = 2.0 * f["HML"]
    text = message(engine.call("FM_BETA", excel_range(returns), excel_range(f), serials(returns.index)))
    assert "factors: columns 'HML', 'HML2' are collinear" in text and "drop one of them" in text


def test_bad_options(engine, cells):
    rets, dates = cells
    assert message(engine.call("FM_ALPHA", rets, "FF5", dates, True, "white")) == (
        "#FM! cov: 'white' is not one of nonrobust, hc1, hac"
    )
    assert message(engine.call("FM_VAR", [[1 / 3]] * 3, rets, "FF5", dates, 1.5)) == (
        "#FM! confidence: 1.5 is outside (0, 1)"
    )
    assert message(engine.call("FM_COV", "FF5", dates, "ewma")).startswith("#FM! halflife")


def test_empty_required_range(engine):
    assert message(engine.call("FM_BETA", None, "FF5", None)) == (
        "#FM! returns: the range is empty; select the cells that hold the data"
    )


def test_blank_returns_stay_missing(engine, returns):
    """A blank is dropped for that asset only; zero would change the betas."""
    r = returns.copy()
    r.iloc[7, 0] = np.nan
    al = xf.align(r, xf.load_factors("FF5"))
    expected = xf.regress(al.returns, al.factors, rf=al.factors["RF"], periods_per_year=12).betas
    blanks = excel_range(r)
    blanks[8][0] = ""  # Office.js may also send "" for an empty cell
    out = engine.call("FM_BETA", blanks, "FF5", serials(r.index), None, False)
    np.testing.assert_allclose(np.array(out, dtype=float), expected.to_numpy(), rtol=1e-12)
    zeros = excel_range(r.fillna(0.0))
    assert not np.allclose(np.array(engine.call("FM_BETA", zeros, "FF5", serials(r.index), None, False)), out)
