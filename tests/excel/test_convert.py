"""Excel value conversion: what every runtime hands over -> clean pandas inputs, and back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.excel import convert
from xlfactor.excel.guard import error_text
from xlfactor.excel.memo import Memo, content_key


def test_numbers_detects_header_and_keeps_blanks_missing():
    frame = convert.numbers([["A", "B"], [0.01, None], ["", 0.02], [1, -0.5]], "returns")
    assert list(frame.columns) == ["A", "B"]
    expected = np.array([[0.01, np.nan], [np.nan, 0.02], [1.0, -0.5]])
    np.testing.assert_array_equal(frame.to_numpy(), expected)


def test_numbers_without_header_gets_default_labels():
    frame = convert.numbers([[0.1, 0.2], [0.3, 0.4]], "returns")
    assert list(frame.columns) == ["Asset 1", "Asset 2"]
    assert frame.shape == (2, 2)


def test_numbers_partial_header_fills_missing_labels():
    frame = convert.numbers([["A", None], [0.1, 0.2]], "returns")
    assert list(frame.columns) == ["A", "Asset 2"]


@pytest.mark.parametrize(
    "bad, shown",
    [
        ("#N/A", "#N/A"),  # Office.js (runtime < 1.4) and classic with err_to_str
        ({"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}, "#DIV/0!"),  # Office.js dict
        (-2146826246, "#N/A"),  # classic COM error code
    ],
)
def test_excel_errors_are_reported_not_blanked(bad, shown):
    with pytest.raises(XLFactorError, match=rf"returns: row 3, column 2 of the range holds the Excel error {shown}"):
        convert.numbers([["A", "B"], [0.1, 0.2], [0.3, bad]], "returns")


def test_text_in_number_range_names_cell():
    with pytest.raises(XLFactorError, match=r"returns: cell 2 of the range holds 'abc'; this range must hold numbers"):
        convert.numbers([[0.1], ["abc"], [0.2]], "returns")


def test_booleans_are_not_numbers():
    with pytest.raises(XLFactorError, match="holds True"):
        convert.numbers([[0.1], [True]], "returns")


def test_duplicate_header_is_rejected():
    with pytest.raises(XLFactorError, match="repeats 'A'"):
        convert.numbers([["A", "A"], [1.0, 2.0]], "returns")


def test_empty_range():
    with pytest.raises(XLFactorError, match="returns: the range is empty"):
        convert.numbers(None, "returns")


def test_dates_from_serials_datetimes_and_text_agree():
    serials = [[45322.0], [45351.0], [45382.0]]  # 2024-01-31, 2024-02-29, 2024-03-31
    expected = pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-03-31"]).as_unit("ns")
    pd.testing.assert_index_equal(convert.dates(serials), expected)
    pd.testing.assert_index_equal(convert.dates([["Date"], *serials]), expected)
    classic = [[dt.datetime(2024, 1, 31)], [dt.datetime(2024, 2, 29)], [dt.datetime(2024, 3, 31)]]
    pd.testing.assert_index_equal(convert.dates(classic), expected)
    pd.testing.assert_index_equal(convert.dates([["2024-01-31", "2024-02-29", "2024-03-31"]]), expected)
    pd.testing.assert_index_equal(convert.dates([[45322], [45351], [45382]]), expected)  # ints too


def test_dates_errors():
    with pytest.raises(XLFactorError, match="dates: cell 2 of the range is blank"):
        convert.dates([[45322.0], [None]])
    with pytest.raises(XLFactorError, match="appears twice"):
        convert.dates([[45322.0], [45322.0]])
    with pytest.raises(XLFactorError, match="Excel error #VALUE!"):
        convert.dates([[45322.0], ["#VALUE!"]])
    with pytest.raises(XLFactorError, match="single column of dates"):
        convert.dates([[45322.0, 1.0], [45351.0, 2.0]])


@pytest.mark.parametrize(
    "value",
    [
        [[0.5], [0.3], [0.2]],  # column
        [[0.5, 0.3, 0.2]],  # row
        [["Weight"], [0.5], [0.3], [0.2]],  # column with header
    ],
)
def test_vector_unlabelled_layouts(value):
    series = convert.vector(value, "weights", label="Asset")
    assert list(series.index) == ["Asset 1", "Asset 2", "Asset 3"]
    np.testing.assert_array_equal(series.to_numpy(), [0.5, 0.3, 0.2])


@pytest.mark.parametrize(
    "value",
    [
        [["A", 0.5], ["B", 0.3], ["C", 0.2]],  # label column + values
        [["Asset", "Weight"], ["A", 0.5], ["B", 0.3], ["C", 0.2]],  # same, with a header row
        [["A", "B", "C"], [0.5, 0.3, 0.2]],  # labels row above values
    ],
)
def test_vector_labelled_layouts(value):
    series = convert.vector(value, "weights")
    assert list(series.index) == ["A", "B", "C"]
    np.testing.assert_array_equal(series.to_numpy(), [0.5, 0.3, 0.2])


def test_vector_rejects_a_matrix():
    with pytest.raises(XLFactorError, match="single row or column"):
        convert.vector([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]], "weights")


def test_options():
    assert convert.text_option(None, "cov", ["nonrobust", "hc1", "hac"], "nonrobust") == "nonrobust"
    assert convert.text_option([["HAC"]], "cov", ["nonrobust", "hc1", "hac"], "nonrobust") == "hac"
    with pytest.raises(XLFactorError, match="cov: 'white' is not one of nonrobust, hc1, hac"):
        convert.text_option("white", "cov", ["nonrobust", "hc1", "hac"], "nonrobust")
    assert convert.number_option(None, "lags", None, integer=True) is None
    assert convert.number_option(3.0, "lags", None, integer=True) == 3
    with pytest.raises(XLFactorError, match="lags: expected a whole number, got 2.5"):
        convert.number_option(2.5, "lags", None, integer=True)
    with pytest.raises(XLFactorError, match=r"confidence: 1.5 is outside \(0, 1\)"):
        convert.number_option(1.5, "confidence", 0.99, low=0, high=1, inclusive=False)
    with pytest.raises(XLFactorError, match="window: expected a number, got the Excel error #N/A"):
        convert.number_option("#N/A", "window", 36)
    with pytest.raises(XLFactorError, match="expected a single value"):
        convert.number_option([[1.0, 2.0]], "window", 36)
    assert convert.flag(None, "headers", True) is True
    assert convert.flag(0.0, "headers", True) is False
    assert convert.flag("false", "headers", True) is False
    with pytest.raises(XLFactorError, match="headers: expected TRUE or FALSE"):
        convert.flag("maybe", "headers", True)


def test_model_name():
    assert convert.model_name([["ff5"]]) == "ff5"
    assert convert.model_name("FF3 ") == "FF3"
    assert convert.model_name([[0.1], [0.2]]) is None
    assert convert.model_name([["#N/A"]]) is None


def test_table_and_record_round_trip_labels_and_blanks():
    frame = pd.DataFrame({"x": [1.5, np.nan]}, index=pd.DatetimeIndex(["2024-01-31", "2024-02-29"]))
    out = convert.table(frame, corner="date")
    assert out == [["date", "x"], [dt.datetime(2024, 1, 31), 1.5], [dt.datetime(2024, 2, 29), None]]
    assert convert.table(frame, headers=False) == [[1.5], [None]]
    assert convert.record({"a": np.float64(2.0), "b": np.nan}) == [["a", 2.0], ["b", None]]
    assert convert.record({"a": 1.0}, headers=False) == [[1.0]]


def test_guard_formats_errors_without_traceback():
    assert (
        error_text(XLFactorError("returns: too short; select more rows")) == "#FM! returns: too short; select more rows"
    )
    crash = pytest.raises(KeyError, lambda: {}["k"]).value
    assert error_text(crash) == "#FM! internal error: KeyError: 'k'"


def test_memo_is_bounded_lru_and_keys_by_content():
    memo = Memo(maxsize=2)
    calls = []
    for key in ("a", "b", "a", "c", "b"):
        memo.get(key, lambda k=key: calls.append(k) or k.upper())
    assert calls == ["a", "b", "c", "b"]  # "b" was evicted by "c" (least recently used)
    assert len(memo) == 2
    x = np.arange(3.0)
    assert content_key(x, "M") == content_key(x.copy(), "M")
    assert content_key(x, "M") != content_key(x + np.array([0, 0, 1e-12]), "M")
    assert content_key(1) != content_key("1")
