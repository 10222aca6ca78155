"""holdings_exposures and characteristic_adjusted_returns against direct numpy/pandas computations.

References: ``w' B`` by numpy for fixed betas (rtol 1e-12); the date's design matrix rebuilt in the
test (constant, industry dummies, styles) for cross-sectional exposures (rtol 1e-12); the
regression residuals for the adjusted return (``w' e_t``, atol 1e-14).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xs_helpers import make_panel

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section import cross_sectional_regress
from xlfactor.models.holdings import characteristic_adjusted_returns, holdings_exposures
from xlfactor.models.regression import regress
from xlfactor.models.risk_model import FactorRiskModel


@pytest.fixture(scope="module")
def panel():
    return make_panel(n_dates=24, n_assets=120)


@pytest.fixture(scope="module")
def result(panel):
    return cross_sectional_regress(panel.returns, panel.styles, industries=panel.industries, caps=panel.caps)


def _design(panel, t):
    """[Market, industry dummies, styles] of date row t for the assets in its universe."""
    r = panel.returns.iloc[t]
    s = pd.DataFrame({k: v.iloc[t] for k, v in panel.styles.items()})
    ok = r.notna() & s.notna().all(axis=1)
    dummies = pd.get_dummies(panel.industries).astype(float)
    x = pd.concat([pd.Series(1.0, index=r.index, name="Market"), dummies, s], axis=1)
    return x[ok], r[ok]


def _held(panel, t, n=15, seed=1):
    x, _ = _design(panel, t)
    rng = np.random.default_rng(seed + t)
    names = rng.choice(x.index, n, replace=False)
    return pd.Series(rng.dirichlet(np.ones(n)), index=names)


def test_fixed_betas_from_regression_model_and_frame(panel):
    returns = panel.returns.iloc[:, :8].fillna(0.0)
    factors = panel.factor_returns[["Market", "S0"]]
    fit = regress(returns, factors, periods_per_year=12)
    fractions = np.random.default_rng(0).random((5, 8)) / 8  # gross at most 1
    history = pd.DataFrame(fractions, index=returns.index[:5], columns=returns.columns)
    history.iloc[0, 3] = np.nan  # not held
    expected = history.fillna(0).to_numpy() @ fit.betas.to_numpy()
    np.testing.assert_allclose(holdings_exposures(history, fit).to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(holdings_exposures(history, fit.betas).to_numpy(), expected, rtol=1e-12)
    model = FactorRiskModel.from_regression(fit, factors)
    np.testing.assert_allclose(holdings_exposures(history, model).to_numpy(), expected, rtol=1e-12)
    with pytest.raises(XLFactorError, match=r"holdings: held asset\(s\) 'ZZZ' have no exposures"):
        holdings_exposures(history.assign(ZZZ=0.1), fit)
    assert holdings_exposures(history.assign(ZZZ=0.0), fit).shape == (5, 2)  # an unheld unknown asset is fine


def test_cross_sectional_exposures_and_adjusted_returns(panel, result):
    dates = panel.returns.index[[2, 7, 11]]
    history = pd.DataFrame({d: _held(panel, panel.returns.index.get_loc(d)) for d in dates}).T
    out = characteristic_adjusted_returns(result, history)
    assert list(out.columns) == [*result.factor_names, "actual", "implied", "adjusted"]
    np.testing.assert_allclose(holdings_exposures(history, result).to_numpy(), out[result.factor_names].to_numpy())
    for d in dates:
        t = panel.returns.index.get_loc(d)
        w = history.loc[d].dropna()
        x, r = _design(panel, t)
        exposure = w @ x.loc[w.index]
        np.testing.assert_allclose(
            out.loc[d, result.factor_names].to_numpy(), exposure[result.factor_names], rtol=1e-12
        )
        f = result.factor_returns.loc[d]
        assert out.loc[d, "implied"] == pytest.approx(float(exposure @ f[exposure.index]), rel=1e-12)
        assert out.loc[d, "actual"] == pytest.approx(float(w @ r[w.index]), rel=1e-12)
        assert out.loc[d, "adjusted"] == pytest.approx(float(w @ result.resid.loc[d, w.index]), abs=1e-14)


def test_series_weights_on_a_date_and_over_all_dates(panel, result):
    w = _held(panel, 5)
    one = characteristic_adjusted_returns(result, w, panel.returns.index[5])
    assert list(one.index) == [panel.returns.index[5]]
    assert one["adjusted"].iloc[0] == pytest.approx(float(w @ result.resid.iloc[5][w.index]), abs=1e-14)
    always = [
        c for c in w.index if panel.returns[c].notna().all() and all(s[c].notna().all() for s in panel.styles.values())
    ]
    fixed = w[always] / w[always].sum()
    every = characteristic_adjusted_returns(result, fixed)
    assert len(every) == len(panel.returns)
    np.testing.assert_allclose(every["adjusted"], result.resid[fixed.index] @ fixed, atol=1e-14)
    np.testing.assert_allclose(every["Market"], 1.0, rtol=1e-12)  # fully invested


def test_bad_holdings(panel, result):
    t = 4
    w = _held(panel, t)
    missing = panel.returns.columns[panel.returns.iloc[t].isna()][0]
    with pytest.raises(XLFactorError, match=f"held asset\\(s\\) '{missing}' have no return or exposures"):
        characteristic_adjusted_returns(result, pd.concat([w, pd.Series({missing: 0.1})]), panel.returns.index[t])
    with pytest.raises(XLFactorError, match="date: '1900-01-31' is not a date of the panel"):
        characteristic_adjusted_returns(result, w, "1900-01-31")
    with pytest.raises(XLFactorError, match="date: only used with a Series of weights"):
        characteristic_adjusted_returns(result, w.to_frame().T, panel.returns.index[0])
    with pytest.raises(XLFactorError, match="weights: contains non-numeric values; use weights"):
        characteristic_adjusted_returns(result, pd.DataFrame({"A0000": ["x"]}, index=panel.returns.index[:1]))
    with pytest.raises(XLFactorError, match="betas_or_result: expected betas"):
        holdings_exposures(w.to_frame().T, "FF3")


def test_history_dates_must_be_regression_dates(panel, result):
    history = _held(panel, 0).to_frame(pd.Timestamp("1999-12-31")).T
    with pytest.raises(XLFactorError, match=r"holdings: date\(s\) '1999-12-31' are not dates"):
        holdings_exposures(history, result)
