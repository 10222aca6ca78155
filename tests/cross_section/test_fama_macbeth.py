"""fama_macbeth against linearmodels FamaMacBeth (simulated and real French industry data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from french_files import french_block
from linearmodels import FamaMacBeth
from xs_helpers import make_panel

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section import fama_macbeth

# every test runs through the compiled kernels and the numpy reference path (conftest.py)
pytestmark = pytest.mark.usefixtures("kernel_path")


@pytest.fixture(scope="module")
def panel():
    return make_panel()


def _linearmodels(returns, chars, constant=True, **fit_kw):
    """linearmodels on the long panel (entity, time), with a constant column unless ``constant=False``."""
    long = pd.DataFrame({"y": returns.stack(future_stack=True)})
    for name, frame in chars.items():
        long[name] = frame.reindex_like(returns).stack(future_stack=True)
    long.index.names = ["time", "entity"]
    long = long.swaplevel().sort_index().dropna()
    exog = long[list(chars)].copy()
    if constant:
        exog.insert(0, "const", 1.0)
    return FamaMacBeth(long["y"], exog).fit(**fit_kw)


def _check(ours, ref, nw):
    np.testing.assert_allclose(ours.params.to_numpy(), ref.params.to_numpy(), rtol=1e-8)
    bse = ours.bse_nw if nw else ours.bse
    np.testing.assert_allclose(bse.to_numpy(), ref.std_errors.to_numpy(), rtol=1e-8)
    tvalues, pvalues = (ours.tvalues_nw, ours.pvalues_nw) if nw else (ours.tvalues, ours.pvalues)
    np.testing.assert_allclose(tvalues.to_numpy(), ref.tstats.to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(pvalues.to_numpy(), ref.pvalues.to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours.avg_rsquared, ref.avg_rsquared, rtol=1e-8)
    all_params = ref.all_params.dropna()
    np.testing.assert_allclose(ours.coefficients.dropna().to_numpy(), all_params.to_numpy(), rtol=1e-8)


def test_equals_linearmodels_plain_and_newey_west(panel):
    chars = {"S0": panel.styles["S0"], "S1": panel.styles["S1"]}
    ours = fama_macbeth(panel.returns, chars, lags=3)
    assert ours.n_periods == len(panel.returns) and ours.lags == 3
    _check(ours, _linearmodels(panel.returns, chars), nw=False)
    _check(ours, _linearmodels(panel.returns, chars, cov_type="kernel", kernel="bartlett", bandwidth=3), nw=True)


def test_without_intercept_equals_linearmodels_without_constant(panel):
    chars = {"S0": panel.styles["S0"], "S1": panel.styles["S1"]}
    ours = fama_macbeth(panel.returns, chars, lags=2, intercept=False)
    assert list(ours.params.index) == ["S0", "S1"]
    _check(ours, _linearmodels(panel.returns, chars, constant=False), nw=False)
    ref_nw = _linearmodels(panel.returns, chars, constant=False, cov_type="kernel", kernel="bartlett", bandwidth=2)
    _check(ours, ref_nw, nw=True)


@pytest.fixture(scope="module")
def industry_panel():
    """49 industries: monthly returns, log total size (firms x average size) and BE/ME, both lagged.

    BE/ME of year y (Dec) is used from July of y+1 to June of y+2 (the Fama-French timing);
    size is last month's.
    """
    returns = french_block("49_Industry_Portfolios.csv", "Average Value Weighted Returns -- Monthly")
    firms = french_block("49_Industry_Portfolios.csv", "Number of Firms in Portfolios")
    avg = french_block("49_Industry_Portfolios.csv", "Average Firm Size")
    beme = french_block("49_Industry_Portfolios.csv", "Sum of BE / Sum of ME")
    size = np.log((firms * avg).where(firms > 0)).shift(1)
    beme.index = beme.index + pd.DateOffset(months=18)
    beme = beme.reindex(returns.index, method="ffill")
    sel = slice("1963-07-31", None)
    return returns.loc[sel], {"size": size.loc[sel], "beme": np.log(beme.where(beme > 0)).loc[sel]}


def test_real_industries_equal_linearmodels(industry_panel):
    returns, chars = industry_panel
    assert returns.isna().any().any()  # real missing data (industries that start later)
    ours = fama_macbeth(returns, chars, lags=6)
    _check(ours, _linearmodels(returns, chars, cov_type="kernel", kernel="bartlett", bandwidth=6), nw=True)
    _check(ours, _linearmodels(returns, chars), nw=False)
    # the size premium among industries is negative on average (small industries earn more) but weak
    assert ours.params["size"] < 0 and abs(ours.tvalues["size"]) < 4


def test_shanken_correction_formula(panel):
    rng = np.random.default_rng(9)
    factors = pd.DataFrame(
        rng.normal(0.005, 0.03, (len(panel.returns), 2)), index=panel.returns.index, columns=["S0", "S1"]
    )
    chars = {"S0": panel.styles["S0"], "S1": panel.styles["S1"]}
    plain = fama_macbeth(panel.returns, chars, lags=2)
    corr = fama_macbeth(panel.returns, chars, lags=2, shanken=True, factors=factors)
    lam = plain.params[["S0", "S1"]].to_numpy()
    sigma = factors.cov().to_numpy()
    c = lam @ np.linalg.inv(sigma) @ lam
    assert corr.shanken_factor == pytest.approx(1 + c, rel=1e-12)
    n = plain.n_periods
    expected = np.sqrt((1 + c) * plain.bse**2 + np.r_[0.0, np.diag(sigma)] / n)
    np.testing.assert_allclose(corr.bse.to_numpy(), expected.to_numpy(), rtol=1e-12)
    expected_nw = np.sqrt((1 + c) * plain.bse_nw**2 + np.r_[0.0, np.diag(sigma)] / n)
    np.testing.assert_allclose(corr.bse_nw.to_numpy(), expected_nw.to_numpy(), rtol=1e-12)
    with pytest.raises(XLFactorError, match="factors"):
        fama_macbeth(panel.returns, chars, shanken=True)


def test_default_lags_and_errors(panel):
    res = fama_macbeth(panel.returns, {"S0": panel.styles["S0"]})
    assert res.lags == int(np.floor(4 * (60 / 100) ** (2 / 9)))
    with pytest.raises(XLFactorError, match="lags"):
        fama_macbeth(panel.returns, {"S0": panel.styles["S0"]}, lags=60)
    assert list(res.summary().columns)[:2] == ["coef", "std err"]


@pytest.mark.parametrize(
    "lags, match",
    [
        ("x", "lags: expected a whole number from 0 to 59, got 'x'"),
        (2.5, "lags: expected a whole number from 0 to 59, got 2.5"),
        (-1, "lags: expected a whole number from 0 to 59"),
        (60, "lags: expected a whole number from 0 to 59"),
        (True, "lags: expected a whole number"),
    ],
)
def test_bad_lags(panel, lags, match):
    with pytest.raises(XLFactorError, match=match):
        fama_macbeth(panel.returns, {"S0": panel.styles["S0"]}, lags=lags)


def test_integral_float_lags_accepted(panel):
    chars = {"S0": panel.styles["S0"]}
    assert fama_macbeth(panel.returns, chars, lags=3.0).lags == 3
    assert fama_macbeth(panel.returns, chars).lags == 3  # floor(4 (60/100)^(2/9))
