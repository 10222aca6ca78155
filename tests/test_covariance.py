"""factor_cov and cov_to_corr against numpy/pandas/scikit-learn on the real FF5 factors.

Tolerances: rtol 1e-12 where the reference does the same arithmetic (sample covariance,
correlation), 1e-10 where the summation order differs (pandas EWMA recursion,
scikit-learn's blocked Ledoit-Wolf sums).
"""

import numpy as np
import pandas as pd
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.models.covariance import cov_to_corr, factor_cov, validate_cov

FACTORS = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


def test_sample_cov_matches_numpy_annualised_and_drops_rf(ff5_monthly):
    cov = factor_cov(ff5_monthly)
    assert list(cov.columns) == FACTORS and list(cov.index) == FACTORS
    expected = np.cov(ff5_monthly[FACTORS].to_numpy(), rowvar=False, ddof=1) * 12
    np.testing.assert_allclose(cov.to_numpy(), expected, rtol=1e-12, atol=0)
    assert cov.attrs["periods_per_year"] == 12 and cov.attrs["annualized"] is True
    assert cov.attrs["nobs"] == len(ff5_monthly) and cov.attrs["method"] == "sample"


def test_per_period_cov_on_daily_data(ff5_daily):
    cov = factor_cov(ff5_daily, annualize=False)
    np.testing.assert_allclose(cov.to_numpy(), ff5_daily[FACTORS].cov().to_numpy(), rtol=1e-12, atol=0)
    assert cov.attrs["periods_per_year"] == 252 and cov.attrs["annualized"] is False


def test_missing_rows_are_dropped_completely(ff5_monthly):
    data = ff5_monthly[FACTORS].copy()
    data.iloc[5, 1] = np.nan
    data.iloc[40, 3] = np.nan
    cov = factor_cov(data, annualize=False)
    np.testing.assert_allclose(cov.to_numpy(), data.dropna().cov().to_numpy(), rtol=1e-12, atol=0)
    assert cov.attrs["nobs"] == len(data) - 2


@pytest.mark.parametrize("halflife", [6.0, 36.0, 120.5])
def test_ewma_matches_pandas_ewm_cov_at_last_date(ff5_monthly, halflife):
    data = ff5_monthly[FACTORS]
    cov = factor_cov(data, method="ewma", halflife=halflife, annualize=False)
    expected = data.ewm(halflife=halflife, adjust=True).cov().loc[data.index[-1]]
    np.testing.assert_allclose(cov.to_numpy(), expected.loc[FACTORS, FACTORS].to_numpy(), rtol=1e-10, atol=0)
    assert cov.attrs["halflife"] == halflife


def test_ewma_explicit_formula(ff5_monthly):
    x = ff5_monthly[FACTORS].to_numpy()[-100:]
    halflife = 12.0
    w = np.array([0.5 ** ((99 - t) / halflife) for t in range(100)])
    w = w / w.sum()
    mu = sum(w[t] * x[t] for t in range(100))
    s = sum(w[t] * np.outer(x[t] - mu, x[t] - mu) for t in range(100)) / (1 - np.sum(w**2))
    cov = factor_cov(ff5_monthly[FACTORS].iloc[-100:], method="ewma", halflife=halflife)
    np.testing.assert_allclose(cov.to_numpy(), s * 12, rtol=1e-12, atol=0)


def _ledoit_wolf_by_the_paper(x: np.ndarray) -> tuple[np.ndarray, float]:
    """Ledoit & Wolf (2004), Lemma 3.2-3.4, written out literally with a loop over dates."""
    n, p = x.shape
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / n
    ident = np.eye(p)

    def norm2(a):  # ||A||^2 = tr(A A') / p
        return np.trace(a @ a.T) / p

    m = np.trace(s @ ident.T) / p
    d2 = norm2(s - m * ident)
    b2_bar = sum(norm2(np.outer(xc[t], xc[t]) - s) for t in range(n)) / n**2
    b2 = min(b2_bar, d2)
    shrink = b2 / d2
    return shrink * m * ident + (1 - shrink) * s, shrink


@pytest.mark.parametrize("rows", [24, 60, 754])
def test_ledoit_wolf_matches_published_formula(ff5_monthly, rows):
    data = ff5_monthly[FACTORS].iloc[-rows:]
    expected, shrink = _ledoit_wolf_by_the_paper(data.to_numpy())
    cov = factor_cov(data, method="ledoit_wolf", annualize=False)
    np.testing.assert_allclose(cov.to_numpy(), expected, rtol=1e-12, atol=0)
    assert cov.attrs["shrinkage"] == pytest.approx(shrink, rel=1e-12)
    assert 0 < shrink < 1


@pytest.mark.parametrize("rows", [24, 754])
def test_ledoit_wolf_matches_scikit_learn(ff5_monthly, rows):
    covariance = pytest.importorskip("sklearn.covariance")
    data = ff5_monthly[FACTORS].iloc[-rows:]
    ref = covariance.LedoitWolf().fit(data.to_numpy())
    cov = factor_cov(data, method="ledoit_wolf", annualize=True)
    np.testing.assert_allclose(cov.to_numpy(), ref.covariance_ * 12, rtol=1e-10, atol=0)
    assert cov.attrs["shrinkage"] == pytest.approx(ref.shrinkage_, rel=1e-10)


def test_cov_to_corr_matches_pandas(ff5_monthly):
    corr = cov_to_corr(factor_cov(ff5_monthly))
    expected = ff5_monthly[FACTORS].corr()
    np.testing.assert_allclose(corr.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-15)
    assert (np.diag(corr.to_numpy()) == 1.0).all()


def test_explicit_periods_per_year_without_dates(ff5_monthly):
    data = ff5_monthly[FACTORS].reset_index(drop=True)
    cov = factor_cov(data, periods_per_year=4)
    np.testing.assert_allclose(cov.to_numpy(), data.cov().to_numpy() * 4, rtol=1e-12)
    with pytest.raises(XLFactorError, match="periods_per_year"):
        factor_cov(data)
    assert factor_cov(data, annualize=False).attrs["periods_per_year"] is None


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"method": "garch"}, "method"),
        ({"method": "ewma"}, "halflife"),
        ({"method": "ewma", "halflife": 0}, "halflife"),
        ({"method": "ewma", "halflife": "soon"}, "halflife"),
        ({"periods_per_year": 0}, "periods_per_year"),
        ({"periods_per_year": 12.5}, "periods_per_year"),
    ],
)
def test_bad_arguments(ff5_monthly, kwargs, match):
    with pytest.raises(XLFactorError, match=match):
        factor_cov(ff5_monthly, **kwargs)


def test_bad_factor_data(ff5_monthly):
    data = ff5_monthly[FACTORS].copy()
    with pytest.raises(XLFactorError, match="'SMB' is constant"):
        factor_cov(data.assign(SMB=0.01))
    with pytest.raises(XLFactorError, match="at least two dates"):
        factor_cov(data.iloc[:1])
    with pytest.raises(XLFactorError, match="non-numeric"):
        factor_cov(data.assign(SMB="x"))
    with pytest.raises(XLFactorError, match="infinite"):
        factor_cov(data.assign(SMB=np.inf))
    with pytest.raises(XLFactorError, match="no factor columns"):
        factor_cov(ff5_monthly[["RF"]])
    with pytest.raises(XLFactorError, match="DataFrame"):
        factor_cov(data.to_numpy())


def test_validate_cov_rejects_bad_matrices():
    labels = ["a", "b"]
    with pytest.raises(XLFactorError, match="cov: .*not symmetric"):
        cov_to_corr(pd.DataFrame([[1.0, 0.5], [0.4, 1.0]], index=labels, columns=labels))
    with pytest.raises(XLFactorError, match="positive semi-definite"):
        cov_to_corr(pd.DataFrame([[1.0, 2.0], [2.0, 1.0]], index=labels, columns=labels))
    with pytest.raises(XLFactorError, match="labels"):
        cov_to_corr(pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["a", "c"], columns=labels))
    with pytest.raises(XLFactorError, match="square"):
        validate_cov(np.ones((2, 3)), "factor_cov")
    with pytest.raises(XLFactorError, match="zero variance"):
        cov_to_corr(pd.DataFrame([[1.0, 0.0], [0.0, 0.0]], index=labels, columns=labels))
    with pytest.raises(XLFactorError, match="missing"):
        cov_to_corr(pd.DataFrame([[1.0, np.nan], [np.nan, 1.0]], index=labels, columns=labels))
