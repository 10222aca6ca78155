"""Returns-based style analysis against scipy's optimiser and exact constructions.

Reference: scipy.optimize.minimize (SLSQP) of Var(r - R w) with w >= 0 and sum(w) = 1; ours is
never above it (1e-12 relative) and the weights agree to 1e-6 (SLSQP's own accuracy); R2, the
selection return and the tracking volatility by hand from the weights (1e-12). A fund built as an
exact long-only mix of the indices is recovered to 1e-10 with R2 = 1. Data: the shipped 12
industry portfolios 2014-2023 monthly (fund "Chems" on six other industries).
"""

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import xlfactor as xf
from xlfactor.errors import XLFactorError

INDICES = ["NoDur", "Manuf", "BusEq", "Money", "Utils", "Enrgy"]


@pytest.fixture(scope="module")
def industries() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2014-01":"2023-12"]


def scipy_style(fund: np.ndarray, idx: np.ndarray) -> np.ndarray:
    m = idx.shape[1]

    def variance(w):
        return np.var(fund - idx @ w, ddof=1)

    res = optimize.minimize(
        variance, np.full(m, 1 / m), method="SLSQP", bounds=[(0, None)] * m,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}], options={"ftol": 1e-16, "maxiter": 1000},
    )  # fmt: skip
    assert res.success
    return res.x


def test_style_weights_equal_scipy(industries):
    fund, idx = industries["Chems"], industries[INDICES]
    res = xf.style_analysis(fund, idx)
    ref = scipy_style(fund.to_numpy(), idx.to_numpy())
    w = res.weights.to_numpy()
    assert (w >= 0).all() and abs(w.sum() - 1) < 1e-14
    e = fund.to_numpy() - idx.to_numpy() @ w
    e_ref = fund.to_numpy() - idx.to_numpy() @ ref
    assert np.var(e, ddof=1) <= np.var(e_ref, ddof=1) * (1 + 1e-12)
    np.testing.assert_allclose(w, ref, atol=1e-6)
    np.testing.assert_allclose(res.rsquared, 1 - np.var(e, ddof=1) / fund.var(), rtol=1e-12)
    np.testing.assert_allclose([res.selection, res.tracking_vol], [e.mean(), e.std(ddof=1)], rtol=1e-12)
    np.testing.assert_allclose(res.tracking_vol_annualized, e.std(ddof=1) * np.sqrt(12), rtol=1e-12)
    assert res.unused.any() and (res.weights[res.unused] == 0).all() and res.nobs == 120


def test_an_exact_mix_is_recovered(industries):
    idx = industries[INDICES]
    mix = np.array([0.5, 0.0, 0.3, 0.2, 0.0, 0.0])
    res = xf.style_analysis((idx @ mix).rename("Fund"), idx)
    np.testing.assert_allclose(res.weights.to_numpy(), mix, atol=1e-10)
    np.testing.assert_allclose(res.rsquared, 1.0, atol=1e-12)


def test_rolling_windows_are_each_a_style_analysis(industries):
    fund, idx = industries["Chems"], industries[INDICES]
    res = xf.style_analysis(fund, idx, window=36)
    roll = res.rolling
    assert len(roll) == 120 - 35 and roll.index[0] == fund.index[35]
    assert list(roll.columns) == [*INDICES, "R2"]
    np.testing.assert_allclose(roll[INDICES].sum(axis=1), 1.0, rtol=1e-14)
    for end in [35, 80, 119]:
        window = slice(end - 35, end + 1)
        one = xf.style_analysis(fund.iloc[window], idx.iloc[window])
        np.testing.assert_allclose(roll.iloc[end - 35][INDICES].to_numpy(float), one.weights.to_numpy(), atol=1e-14)
        np.testing.assert_allclose(roll.iloc[end - 35]["R2"], one.rsquared, rtol=1e-12)
    ref = scipy_style(fund.iloc[45:81].to_numpy(), idx.iloc[45:81].to_numpy())
    np.testing.assert_allclose(roll.iloc[45][INDICES].to_numpy(float), ref, atol=1e-6)


def test_style_refuses_bad_input(industries):
    fund, idx = industries["Chems"], industries[INDICES]
    with pytest.raises(XLFactorError, match="window: expected a whole number from 8 to 120"):
        xf.style_analysis(fund, idx, window=5)
    with pytest.raises(XLFactorError, match="indices: columns .* are collinear"):
        xf.style_analysis(fund, idx.assign(Twice=idx["NoDur"] * 2))
    with pytest.raises(XLFactorError, match="returns/indices: 3 common dates"):
        xf.style_analysis(fund.iloc[:3], idx)
    with pytest.raises(XLFactorError, match="percent"):
        xf.style_analysis(fund * 100, idx)
    flat = idx.copy()
    flat.iloc[:40, 2] = 0.01  # constant over the first rolling windows only
    with pytest.raises(XLFactorError, match="indices: 'BusEq' is constant in the window ending 2016-12-31; use longer"):
        xf.style_analysis(fund, flat, window=36)
    twin = idx.copy()
    twin.iloc[50:90, 1] = twin.iloc[50:90, 0] * 2  # collinear with NoDur in the windows inside rows 50-89 only
    with pytest.raises(XLFactorError, match=r"indices: columns 'NoDur', 'Manuf' are collinear in the window ending"):
        xf.style_analysis(fund, twin, window=36)
