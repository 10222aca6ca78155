"""xf.adjust_beta: Blume and Vasicek against hand-worked numbers and an independent numpy formula."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.beta_adjust import adjust_beta
from xlfactor.models.regression import regress

FF3 = ["Mkt-RF", "SMB", "HML"]


def test_blume_hand_worked():
    betas = pd.Series({"A": 1.2, "B": 0.5, "C": np.nan})
    adjusted = adjust_beta(betas)
    assert_allclose(adjusted[["A", "B"]].to_numpy(), [0.67 * 1.2 + 0.33, 0.67 * 0.5 + 0.33], rtol=1e-15)
    assert_allclose(adjusted[["A", "B"]].to_numpy(), [1.134, 0.665], rtol=1e-14)
    assert np.isnan(adjusted["C"])
    assert adjust_beta(1.5) == pytest.approx(1.335, rel=1e-15)
    assert adjust_beta(1.5, blume_weight=2 / 3, blume_target=0.9) == pytest.approx(1.3, rel=1e-15)
    assert xf.adjust_beta is adjust_beta


def test_vasicek_hand_worked():
    """Three betas 0.8, 1.0, 1.5: mean 1.1, variance (ddof=1) 0.13."""
    betas = pd.Series({"A": 0.8, "B": 1.0, "C": 1.5})
    se = pd.Series({"C": 0.3, "A": 0.1, "B": 0.2})  # order differs: aligned by asset
    adjusted = adjust_beta(betas, "vasicek", se=se)
    expected = {
        "A": 0.13 / 0.14 * 0.8 + 0.01 / 0.14 * 1.1,
        "B": 0.13 / 0.17 * 1.0 + 0.04 / 0.17 * 1.1,
        "C": 0.13 / 0.22 * 1.5 + 0.09 / 0.22 * 1.1,
    }
    assert_allclose(adjusted.to_numpy(), list(expected.values()), rtol=1e-14)


def test_vasicek_limits():
    betas = pd.Series([0.7, 1.1, 1.4, 0.9])
    assert_allclose(adjust_beta(betas, "vasicek", se=pd.Series([1e-9] * 4)).to_numpy(), betas.to_numpy(), rtol=1e-12)
    assert_allclose(adjust_beta(betas, "vasicek", se=pd.Series([1e6] * 4)).to_numpy(), betas.mean(), rtol=1e-9)


def test_vasicek_on_regression_result(industries49, ff3_monthly):
    """A RegressionResult supplies betas and their standard errors; each factor is shrunk on its own."""
    res = regress(industries49, ff3_monthly, rf=ff3_monthly["RF"])
    adjusted = adjust_beta(res, "vasicek")
    assert list(adjusted.columns) == FF3 and list(adjusted.index) == list(industries49.columns)
    b = res.params[FF3].to_numpy()
    se = res.bse[FF3].to_numpy()
    mean, var = b.mean(axis=0), b.var(axis=0, ddof=1)
    w = var / (var + se**2)
    assert_allclose(adjusted.to_numpy(), w * b + (1 - w) * mean, rtol=1e-14)
    # shrinkage moves every beta toward the cross-sectional mean, noisier betas more
    assert (np.abs(adjusted.to_numpy() - mean) <= np.abs(b - mean)).all()
    market = adjust_beta(res.betas["Mkt-RF"], "vasicek", se=res.bse["Mkt-RF"])
    assert_allclose(market.to_numpy(), adjusted["Mkt-RF"].to_numpy(), rtol=1e-15)
    blume = adjust_beta(res.betas["Mkt-RF"])
    assert_allclose(blume.to_numpy(), 0.67 * b[:, 0] + 0.33, rtol=1e-15)


def test_vasicek_single_asset_needs_prior():
    with pytest.raises(XLFactorError, match="at least two non-missing betas"):
        adjust_beta(1.3, "vasicek", se=0.2)
    assert adjust_beta(1.3, "vasicek", se=0.2, prior_mean=1.0, prior_var=0.09) == pytest.approx(
        0.09 / 0.13 * 1.3 + 0.04 / 0.13 * 1.0, rel=1e-15
    )


def test_errors():
    betas = pd.Series({"A": 1.2, "B": 0.5})
    cases = [
        (dict(method="bayes"), r"method: 'bayes' is not one of blume, vasicek"),
        (dict(method="vasicek"), r"se: Vasicek shrinkage needs the standard error"),
        (dict(method="vasicek", se=pd.Series({"A": 0.1})), r"se: no standard error for asset 'B'"),
        (dict(method="vasicek", se=pd.Series({"A": 0.1, "B": -0.2})), r"se: standard errors must be positive"),
        (dict(method="vasicek", se=0.1), r"se: expected a Series matching beta"),
        (dict(blume_weight=1.5), r"blume_weight: 1.5 must be between 0 and 1"),
    ]
    for kwargs, match in cases:
        with pytest.raises(XLFactorError, match=match):
            adjust_beta(betas, **kwargs)
    with pytest.raises(XLFactorError, match=r"beta: expected a number, Series or DataFrame"):
        adjust_beta([1.0, 2.0])
    with pytest.raises(XLFactorError, match=r"beta: contains values that are not numbers"):
        adjust_beta(pd.Series(["x", 1.0]))
