"""Frequency inference from dates: the usual spacings, gaps, and spacings that must be refused; data
without dates have an unknown frequency (per-period figures work, annualised ones raise)."""

import numpy as np
import pandas as pd
import pytest

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import _median, frequency_code, periods_per_year


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (pd.bdate_range("2024-01-01", periods=300), 252),
        (pd.date_range("2024-01-05", periods=60, freq="W-FRI"), 52),
        (pd.date_range("2000-01-31", periods=120, freq="ME"), 12),
        (pd.date_range("2000-01-01", periods=120, freq="MS"), 12),
        (pd.date_range("2000-03-31", periods=40, freq="QE"), 4),
        (pd.date_range("1990-12-31", periods=30, freq="YE"), 1),
    ],
)
def test_usual_spacings(dates, expected):
    assert periods_per_year(dates) == expected


def test_missing_periods_do_not_change_the_answer():
    months = pd.date_range("2000-01-31", periods=120, freq="ME")
    assert periods_per_year(months.delete(list(range(3, 120, 4)))) == 12  # every fourth month missing
    days = pd.bdate_range("2024-01-01", periods=300)
    assert periods_per_year(days.delete(list(range(0, 300, 5)))) == 252


@pytest.mark.parametrize("freq", ["2W-FRI", "SME"])
def test_fortnightly_and_semi_monthly_are_refused_not_taken_as_monthly(freq):
    with pytest.raises(XLFactorError, match=r"dates: the median spacing of 1[45]\w* days is not"):
        periods_per_year(pd.date_range("2020-01-03", periods=50, freq=freq))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 101, 5000])
def test_median_of_gaps_equals_numpy(n):
    """The partition median equals np.median on odd and even counts, ties and spread values."""
    rng = np.random.default_rng(n)
    for values in (rng.integers(0, 10**6, n), rng.choice([86400, 259200], n), np.full(n, 7)):
        assert _median(values) == float(np.median(values))


def test_bad_inputs():
    with pytest.raises(XLFactorError, match="expected a DatetimeIndex"):
        periods_per_year(pd.Index([1, 2, 3]))
    with pytest.raises(XLFactorError, match="at least two distinct dates"):
        periods_per_year(pd.DatetimeIndex(["2020-01-31", "2020-01-31"]))
    assert frequency_code(52) == "W"
    with pytest.raises(XLFactorError, match="periods_per_year: 7 is not one of"):
        frequency_code(7)


# ---------------------------------------------------------------- unknown frequency (no dates)
def _without_dates(returns, factors):
    al = xf.align(returns, factors)
    rows = pd.RangeIndex(len(al.returns))
    return al, al.returns.set_axis(rows), al.factors.set_axis(rows)


def test_regression_without_dates_has_unknown_frequency_and_per_period_figures(industries10, ff3_monthly):
    al, returns, factors = _without_dates(industries10, ff3_monthly)
    dated = xf.regress(al.returns, al.factors, rf=al.factors["RF"])
    plain = xf.regress(returns, factors, rf=factors["RF"])
    assert dated.periods_per_year == 12 and plain.periods_per_year is None
    np.testing.assert_allclose(plain.params.to_numpy(), dated.params.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(plain.resid_vol.to_numpy(), dated.resid_vol.to_numpy(), rtol=1e-12)
    for figure in ("alpha_annualized", "resid_vol_annualized"):
        with pytest.raises(XLFactorError, match="periods_per_year: the frequency is unknown"):
            getattr(plain, figure)
    summary = plain.summary("NoDur")
    fit_rows = list(summary.index[summary.index.get_loc("R-squared") :][:4])
    assert fit_rows == ["R-squared", "Adj. R-squared", "Residual vol (per period)", "Observations"]
    assert summary.loc["Residual vol (per period)", "coef"] == dated.resid_vol["NoDur"]
    expected = dated.summary("NoDur").drop(index=["Residual vol (ann.)", "Alpha (ann.)"])
    pd.testing.assert_frame_equal(summary.drop(index=["Residual vol (per period)"]), expected, check_exact=True)


def test_risk_model_without_dates_is_per_period_only(industries10, ff3_monthly):
    al, returns, factors = _without_dates(industries10, ff3_monthly)
    plain = xf.regress(returns, factors, rf=factors["RF"])
    model = xf.FactorRiskModel.from_regression(plain, factors, annualize=False)
    dated = xf.FactorRiskModel.from_regression(
        xf.regress(al.returns, al.factors, rf=al.factors["RF"]), al.factors, annualize=False
    )
    assert model.periods_per_year is None and "per period" in repr(model)
    np.testing.assert_allclose(model.asset_cov().to_numpy(), dated.asset_cov().to_numpy(), rtol=1e-12)
    with pytest.raises(XLFactorError, match="periods_per_year: the frequency is unknown"):
        xf.FactorRiskModel.from_regression(plain, factors, annualize=True)
    with pytest.raises(XLFactorError, match="periods_per_year: the frequency is unknown"):
        xf.FactorRiskModel(model.exposures, model.factor_cov, model.specific_var, None, annualized=True)
    with pytest.raises(XLFactorError, match="periods_per_year: the frequency is unknown"):
        xf.position_size(1e6, model, "NoDur")
