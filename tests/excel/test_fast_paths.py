"""The Excel layer's fast paths give exactly what the general paths give.

- Model factors are matched to the dates with period labels kept per data vintage
  (``inputs.model_data``); reference: ``xlfactor.data.align`` on the same dates.
- A regression on model factors starts from the model's checked factor matrix
  (``inputs.sample(..., fit=...)``); reference: ``xf.regress`` on the sample's DataFrames.
  Same inputs, same arithmetic: equality is exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlfactor as xf
from xlfactor import data
from xlfactor.errors import XLFactorError
from xlfactor.excel import inputs
from xlfactor.excel.memo import fit_cache

EPOCH = pd.Timestamp("1899-12-30")


def _serials(dates: pd.DatetimeIndex) -> list[list]:
    return [["Date"], *[[float((d - EPOCH) / pd.Timedelta(days=1))] for d in dates]]


CASES = {
    "monthly mid-month, unsorted, past the data end": (  # 2 of 30 past the snapshot's 2025-11: within the 10%
        "FF5",
        pd.DatetimeIndex([*pd.date_range("2023-08-01", periods=30, freq="MS") + pd.Timedelta(days=14)][::-1]),
    ),
    "monthly month ends from before the data": ("FF3", pd.date_range("1926-03-31", periods=40, freq="ME")),
    "weekly Wednesdays": ("CAPM", pd.date_range("2019-01-02", periods=80, freq="W-WED")),
    "daily business days": ("FF6", pd.bdate_range("2021-03-01", periods=120)),
}


@pytest.mark.parametrize("case", CASES)
def test_model_alignment_matches_data_align(case):
    model, dates = CASES[case]
    found = inputs.model_data(model, dates)
    freq = inputs.frequency(dates)
    probe = pd.DataFrame({"row": np.arange(len(dates), dtype=float)}, index=dates)
    reference = data.align(probe, data.load_factors(model, freq))
    np.testing.assert_array_equal(found.rows, reference.returns["row"].to_numpy().astype(np.intp))
    pd.testing.assert_frame_equal(found.factors, reference.factors)
    assert found.periods_per_year == inputs._ppy(dates)


def test_two_dates_in_one_month_report_like_data_align():
    dates = pd.DatetimeIndex(["2020-01-15", "2020-01-31", "2020-02-29", "2020-03-31"] * 1).append(
        pd.date_range("2020-04-30", periods=20, freq="ME")
    )
    with pytest.raises(XLFactorError) as ours:
        inputs.model_data("FF3", dates)
    probe = pd.DataFrame({"row": np.arange(len(dates), dtype=float)}, index=dates)
    with pytest.raises(XLFactorError) as reference:
        data.align(probe, data.load_factors("FF3", "M"))
    assert str(ours.value) == str(reference.value)


@pytest.mark.parametrize("cov,lags", [("nonrobust", None), ("hc1", None), ("hac", None), ("hac", 3)])
@pytest.mark.parametrize("excess", [True, False])
def test_regression_from_model_arrays_equals_regress(cov, lags, excess):
    industries = xf.industry_portfolios().loc["1998-01":"2009-12"]
    cells = industries.to_numpy().tolist()
    cells[5][2] = cells[40][2] = None  # blanks: assets on their own rows
    returns_value = [list(industries.columns), *cells]
    fit_cache.clear()
    sample = inputs.sample(returns_value, "FF6", _serials(industries.index), fit=inputs.Fit(cov, lags, excess))
    assert sample.model is not None
    ours = sample.regression
    reference = xf.regress(
        sample.returns, sample.factors, cov=cov, lags=lags, rf=sample.rf(excess), periods_per_year=12
    )
    for name in ("params", "bse", "tvalues", "pvalues", "resid"):
        pd.testing.assert_frame_equal(getattr(ours, name), getattr(reference, name), check_exact=True)
    for name in ("rsquared", "rsquared_adj", "resid_vol", "nobs", "df_resid"):
        pd.testing.assert_series_equal(getattr(ours, name), getattr(reference, name), check_exact=True)
    assert ours.factor_names == reference.factor_names and ours.dates.equals(reference.dates)
    assert (ours.lags, ours.cov_type, ours.periods_per_year) == (reference.lags, reference.cov_type, 12)
