"""risk_backtest: incremental forecasts against brute-force refits, bias statistic on simulated data, breach tests.

References: at chosen dates the forecast equals ``regress`` + ``FactorRiskModel.from_regression``
(per period) refitted on exactly the rows before the refit date, then ``portfolio_risk`` (rtol
1e-10), on the real 10 industries and FF3 monthly factors, for every covariance method, expanding
and rolling windows. Kupiec and Christoffersen statistics by hand from counts, with p-values from
scipy.stats.chi2 (rtol 1e-12). The bias statistic on simulated returns with known constant
volatility lies in its band; with the volatility doubled after the (single) fit it is about 2.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm

from xlfactor.errors import XLFactorError
from xlfactor.models.backtest import christoffersen_independence, kupiec_pof, risk_backtest
from xlfactor.models.regression import regress
from xlfactor.models.risk_model import FactorRiskModel

FF3 = ["Mkt-RF", "SMB", "HML"]


@pytest.fixture(scope="module")
def sample(industries10, ff3_monthly):
    dates = industries10.index.intersection(ff3_monthly.index)
    return industries10.loc[dates], ff3_monthly.loc[dates]


@pytest.fixture(scope="module")
def weights(sample):
    returns, _ = sample
    return pd.Series([0.15, 0.05, 0.2, 0.1, -0.05, 0.12, 0.08, 0.1, 0.05, 0.2], index=returns.columns)


def _refit_vol(returns, factors, weights, lo, tau, cov_method, halflife):
    excess = returns.iloc[lo:tau].sub(factors["RF"].iloc[lo:tau], axis=0)
    f = factors[FF3].iloc[lo:tau]
    model = FactorRiskModel.from_regression(
        regress(excess, f), f, cov_method=cov_method, halflife=halflife, annualize=False
    )
    return model.portfolio_risk(weights).total_vol


@pytest.mark.parametrize(
    ("window", "cov_method", "halflife", "step"),
    [(None, "sample", None, 1), (120, "sample", None, 1), (96, "ewma", 24, 3), (None, "ledoit_wolf", None, 12)],
)
def test_incremental_forecast_equals_brute_force_refit(sample, weights, window, cov_method, halflife, step):
    returns, factors = sample
    res = risk_backtest(
        returns, weights, factors, window=window, cov_method=cov_method, halflife=halflife, refit_every=step
    )
    start = res.first_forecast
    assert start == (window or 60) and len(res.table) == len(returns) - start
    for t in (start, start + 1, start + 37, start + 500, len(returns) - 1):
        tau = start + (t - start) // step * step
        lo = 0 if window is None else tau - window
        expected = _refit_vol(returns, factors, weights, lo, tau, cov_method, halflife)
        assert res.table["forecast_vol"].iloc[t - start] == pytest.approx(expected, rel=1e-10)
    realised = returns.sub(factors["RF"], axis=0).iloc[start:] @ weights
    np.testing.assert_allclose(res.table["realised"].to_numpy(), realised.to_numpy(), rtol=1e-12, atol=1e-15)


def _simulated(scale_after=None, n=3000, seed=7):
    """Two normal factors and five assets with constant volatility (business days)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2000-01-03", periods=n)
    f = rng.multivariate_normal([0, 0], [[1e-4, 2e-5], [2e-5, 4e-5]], size=n)
    betas = rng.uniform(0.5, 1.5, size=(5, 2))
    r = f @ betas.T + rng.normal(0, 0.008, size=(n, 5))
    if scale_after is not None:
        r[scale_after:] *= 2
        f[scale_after:] *= 2
    factors = pd.DataFrame(f, index=dates, columns=["A", "B"])
    return pd.DataFrame(r, index=dates, columns=list("pqrst")), factors


def test_bias_of_a_correct_forecast_is_inside_its_band():
    returns, factors = _simulated()
    res = risk_backtest(returns, {"p": 0.4, "q": 0.3, "t": 0.3}, factors, first_forecast=250)
    n = len(res.table)
    assert res.band == pytest.approx((1 - np.sqrt(2 / n), 1 + np.sqrt(2 / n)), rel=1e-14)
    assert res.band[0] < res.bias < res.band[1]
    assert res.bias == pytest.approx(np.std(res.table["z"], ddof=1), rel=1e-14)
    assert res.periods_per_year == 252 and res.bias_window == 252
    assert res.rolling_bias.iloc[-1] == pytest.approx(np.std(res.table["z"].iloc[-252:], ddof=1), rel=1e-12)


def test_volatility_understated_by_half_gives_a_bias_of_two():
    """One fit on the first 2000 days; every later return has twice the volatility."""
    returns, factors = _simulated(scale_after=2000, n=4000)
    res = risk_backtest(returns, {"p": 0.4, "q": 0.3, "t": 0.3}, factors, first_forecast=2000, refit_every=10_000)
    assert res.bias == pytest.approx(2.0, abs=0.1)
    assert res.breaches > 5 * res.expected_breaches and res.kupiec_pvalue < 1e-10


def _hand_kupiec(hits, p):
    n, x = len(hits), int(np.sum(hits))
    rate = x / n
    lr = -2 * ((n - x) * np.log(1 - p) + x * np.log(p) - (n - x) * np.log(1 - rate) - x * np.log(rate))
    return lr, chi2.sf(lr, 1)


def _hand_christoffersen(hits):
    h = np.asarray(hits, dtype=int)
    n00 = n01 = n10 = n11 = 0
    for a, b in zip(h[:-1], h[1:], strict=True):
        n00 += a == 0 and b == 0
        n01 += a == 0 and b == 1
        n10 += a == 1 and b == 0
        n11 += a == 1 and b == 1
    pi0, pi1, pi = n01 / (n00 + n01), n11 / (n10 + n11), (n01 + n11) / (n00 + n01 + n10 + n11)

    def term(count, prob):  # count * ln(prob), 0 when the count is 0
        return count * np.log(prob) if count else 0.0

    restricted = term(n00 + n10, 1 - pi) + term(n01 + n11, pi)
    free = term(n00, 1 - pi0) + term(n01, pi0) + term(n10, 1 - pi1) + term(n11, pi1)
    lr = -2 * (restricted - free)
    return lr, chi2.sf(lr, 1)


def test_breach_tests_by_hand(sample, weights):
    returns, factors = sample
    res = risk_backtest(returns, weights, factors, window=120, confidence=0.95)
    hits = res.table["breach"].to_numpy()
    assert (res.table["var"] == norm.ppf(0.95) * res.table["forecast_vol"]).all()
    np.testing.assert_array_equal(hits, res.table["realised"] < -res.table["var"])
    assert res.breaches == hits.sum() and res.expected_breaches == pytest.approx(0.05 * len(hits), rel=1e-14)
    assert (res.kupiec_lr, res.kupiec_pvalue) == pytest.approx(_hand_kupiec(hits, 0.05), rel=1e-12)
    assert (res.christoffersen_lr, res.christoffersen_pvalue) == pytest.approx(_hand_christoffersen(hits), rel=1e-12)


def test_breach_tests_on_clustered_and_spread_breaches():
    clustered = np.r_[np.zeros(90), np.ones(10), np.zeros(100)].astype(bool)
    spread = np.zeros(200, dtype=bool)
    spread[::20] = True
    for hits in (clustered, spread):
        assert kupiec_pof(hits, 0.05) == pytest.approx(_hand_kupiec(hits, 0.05), rel=1e-12)
        assert christoffersen_independence(hits) == pytest.approx(_hand_christoffersen(hits), rel=1e-12)
    assert christoffersen_independence(clustered)[1] < 1e-6 < christoffersen_independence(spread)[1]
    # no breach at all: 0 ln 0 = 0
    none = np.zeros(100, dtype=bool)
    assert kupiec_pof(none, 0.01) == pytest.approx((-2 * 100 * np.log(0.99), chi2.sf(-200 * np.log(0.99), 1)))
    assert christoffersen_independence(none) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window": 5}, "window: expected a whole number >= 6"),
        ({"first_forecast": 1200}, "first_forecast: 1200 leaves 0 of the 1186 dates"),
        ({"window": 120, "first_forecast": 60}, "first_forecast: expected a whole number >= 120"),
        ({"refit_every": 0}, "refit_every: expected a whole number >= 1"),
        ({"cov_method": "robust"}, "cov_method: 'robust' is not one of"),
        ({"confidence": 99}, "confidence: 99 is outside"),
        ({"cov_method": "ewma"}, "halflife"),
    ],
)
def test_bad_arguments(sample, weights, kwargs, match):
    returns, factors = sample
    with pytest.raises(XLFactorError, match=match):
        risk_backtest(returns, weights, factors, **kwargs)


def test_bad_inputs(sample, weights):
    returns, factors = sample
    with pytest.raises(XLFactorError, match=r"weights: assets not in the columns of returns: 'Tech'"):
        risk_backtest(returns, {"Tech": 1.0}, factors)
    with pytest.raises(XLFactorError, match="weights: every weight is zero"):
        risk_backtest(returns, weights * 0, factors)
    with pytest.raises(XLFactorError, match=r"^returns: (column .* |values )?looks? like percentages"):
        risk_backtest(returns * 100, weights, factors)
    with pytest.raises(XLFactorError, match="factors: expected a DataFrame"):
        risk_backtest(returns, weights, factors["Mkt-RF"])
