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
    assert cov.attrs["nobs"] == len(ff5_monthly) and cov.attrs["cov_method"] == "sample"


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
    cov = factor_cov(data, cov_method="ewma", halflife=halflife, annualize=False)
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
    cov = factor_cov(ff5_monthly[FACTORS].iloc[-100:], cov_method="ewma", halflife=halflife)
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
    cov = factor_cov(data, cov_method="ledoit_wolf", annualize=False)
    np.testing.assert_allclose(cov.to_numpy(), expected, rtol=1e-12, atol=0)
    assert cov.attrs["shrinkage"] == pytest.approx(shrink, rel=1e-12)
    assert 0 < shrink < 1


@pytest.mark.parametrize("rows", [24, 754])
def test_ledoit_wolf_matches_scikit_learn(ff5_monthly, rows):
    covariance = pytest.importorskip("sklearn.covariance")
    data = ff5_monthly[FACTORS].iloc[-rows:]
    ref = covariance.LedoitWolf().fit(data.to_numpy())
    cov = factor_cov(data, cov_method="ledoit_wolf", annualize=True)
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
        ({"cov_method": "garch"}, "cov_method"),
        ({"cov_method": "ewma"}, "halflife"),
        ({"cov_method": "ewma", "halflife": 0}, "halflife"),
        ({"cov_method": "ewma", "halflife": "soon"}, "halflife"),
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


# --- shared EWMA helper: both conventions pinned (FF5 monthly 2000-2020, halflife 12) ---------


def _ff5_2000_2020(ff5_monthly):
    return ff5_monthly.loc["2000":"2020", FACTORS]


def test_weighted_cov_bias_corrected_is_pandas_ewm_cov(ff5_monthly):
    from xlfactor.models.covariance import ewma_weights, weighted_cov

    f = _ff5_2000_2020(ff5_monthly)
    ours = weighted_cov(f.to_numpy(), ewma_weights(len(f), 12), bias_corrected=True)
    ref = f.ewm(halflife=12, adjust=True).cov(bias=False).loc[f.index[-1]].to_numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=0)
    np.testing.assert_allclose(factor_cov(f, "ewma", 12, annualize=False).to_numpy(), ref, rtol=1e-10, atol=0)


def test_weighted_cov_uncorrected_is_explicit_formula_and_pandas_bias_true(ff5_monthly):
    from xlfactor.models.covariance import ewma_weights, weighted_cov

    f = _ff5_2000_2020(ff5_monthly)
    x = f.to_numpy()
    t = np.arange(len(x))
    w = 0.5 ** ((len(x) - 1 - t) / 12.0)
    w = w / w.sum()
    mu = w @ x
    explicit = sum(w[i] * np.outer(x[i] - mu, x[i] - mu) for i in range(len(x)))
    ours = weighted_cov(x, ewma_weights(len(x), 12), bias_corrected=False)
    np.testing.assert_allclose(ours, explicit, rtol=1e-12, atol=0)
    ref = f.ewm(halflife=12, adjust=True).cov(bias=True).loc[f.index[-1]].to_numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=0)
    # the two public estimators differ by exactly the documented factor 1 / (1 - sum w^2)
    from xlfactor.models.cross_section.risk import xs_factor_cov

    a = factor_cov(f, "ewma", 12, annualize=False).to_numpy()
    b = xs_factor_cov(f, vol_halflife=12, corr_halflife=12, annualize=False).to_numpy()
    np.testing.assert_allclose(a / b, 1.0 / (1.0 - np.sum(w * w)), rtol=1e-10)


def test_weighted_cov_equal_weights_ddof_conventions(ff5_monthly):
    from xlfactor.models.covariance import ewma_weights, weighted_cov

    x = _ff5_2000_2020(ff5_monthly).to_numpy()
    w = ewma_weights(len(x), None)
    np.testing.assert_allclose(weighted_cov(x, w, bias_corrected=True), np.cov(x, rowvar=False, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(weighted_cov(x, w, bias_corrected=False), np.cov(x, rowvar=False, ddof=0), rtol=1e-12)


def test_weighted_cov_lags_equal_statsmodels_hac(ff5_monthly):
    from statsmodels.stats.sandwich_covariance import S_hac_simple

    from xlfactor.models.covariance import ewma_weights, weighted_cov

    x = _ff5_2000_2020(ff5_monthly).to_numpy()
    ours = weighted_cov(x, ewma_weights(len(x), None), bias_corrected=False, lags=3)
    ref = S_hac_simple(x - x.mean(axis=0), nlags=3) / len(x)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_newey_west_lags_and_bartlett_weight():
    from xlfactor.models.covariance import bartlett_weight, newey_west_lags

    assert newey_west_lags(100) == 4 and newey_west_lags(252) == 4 and newey_west_lags(2520) == 8
    assert isinstance(newey_west_lags(360), int)
    np.testing.assert_array_equal(newey_west_lags(np.array([50, 100, 2520])), [3, 4, 8])
    assert bartlett_weight(1, 3) == 0.75
    np.testing.assert_array_equal(bartlett_weight(2, np.array([0, 1, 3])), [0.0, 0.0, 0.5])


def test_check_nonsingular_names_the_columns():
    from xlfactor.models.covariance import check_nonsingular

    cov = np.array([[1.0, 0.5, 1.5], [0.5, 1.0, 1.5], [1.5, 1.5, 3.0]])  # c = a + b
    with pytest.raises(XLFactorError, match=r"x: columns 'a', 'b', 'c' are collinear over it .*; fix it"):
        check_nonsingular(cov, ["a", "b", "c"], "x", where=" over it", fix="fix it")
    with pytest.raises(XLFactorError, match="x: 'b' has zero variance"):
        check_nonsingular(np.diag([1.0, 0.0]), ["a", "b"], "x")
    check_nonsingular(np.eye(2), ["a", "b"], "x")


def test_maybe_periods_per_year(ff5_monthly):
    from xlfactor.models.frequency import maybe_periods_per_year

    assert maybe_periods_per_year(ff5_monthly.index) == 12
    assert maybe_periods_per_year(pd.RangeIndex(5)) is None


@pytest.mark.parametrize("halflife", ["20", 0, -1.0, np.inf, True])
def test_bad_halflife_types(ff5_monthly, halflife):
    with pytest.raises(XLFactorError, match="halflife: expected a positive number"):
        factor_cov(ff5_monthly, "ewma", halflife)


def test_validators():
    from xlfactor.models._validate import fraction_pair, positive_number, whole_number

    assert positive_number(np.float64(2.5), "h") == 2.5 and whole_number(2.0, "k") == 2
    assert whole_number(np.int64(3), "k", 1, 3) == 3 and fraction_pair([0.3, 0.7], "p") == (0.3, 0.7)
    assert fraction_pair((0, 1), "p", closed=True) == (0.0, 1.0)
    for bad in ("1", None, 0, -2, np.nan, False):
        with pytest.raises(XLFactorError, match="h: expected a positive number"):
            positive_number(bad, "h")
    for bad in ("2", 2.5, -1, np.inf, True, 4):
        with pytest.raises(XLFactorError, match="k: expected a whole number from 0 to 3"):
            whole_number(bad, "k", 0, 3)
    for bad in ((0.1,), (0.7, 0.3), ("a", "b"), 0.3, (0, 0.5), (0.3, 0.7, 0.9)):
        with pytest.raises(XLFactorError, match=r"p: expected two fractions 0 < low < high < 1"):
            fraction_pair(bad, "p")
