"""Ex-ante risk through time: every date against a fresh regression and risk model on the rows before it
(statsmodels-exact ``xf.regress`` and ``FactorRiskModel.from_regression``), the realised volatility by hand,
and the risk backtest's forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.risk_history import risk_history

ASSETS = ["NoDur", "Durbl", "Manuf", "Enrgy", "HiTec"]
W = pd.Series([0.3, 0.1, 0.2, 0.15, 0.25], index=ASSETS)
WB = pd.Series(0.2, index=ASSETS)


@pytest.fixture(scope="module")
def data(industries10, ff5_monthly):
    rets = industries10.loc["2012-01":"2019-12", ASSETS]
    return rets, ff5_monthly.loc[rets.index]


@pytest.mark.parametrize("window", [None, 36])
def test_each_date_equals_a_fresh_model_on_earlier_rows(data, window):
    rets, facs = data
    hist = risk_history(rets, W, facs, benchmark=WB, window=window, first_forecast=48, realised_window=12)
    assert len(hist.table) == len(rets) - 48 and hist.table.index[0] == rets.index[48]
    for pos in (48, 61, len(rets) - 1):
        lo = 0 if window is None else pos - window
        rows, frows = rets.iloc[lo:pos], facs.iloc[lo:pos]
        fit = xf.regress(rows, frows, rf=frows["RF"], periods_per_year=12)
        model = xf.FactorRiskModel.from_regression(fit, frows)  # annual
        risk = model.portfolio_risk(W)
        got = hist.table.loc[rets.index[pos]]
        np.testing.assert_allclose(
            got[["total_vol", "factor_vol", "specific_vol"]], [risk.total_vol, risk.factor_vol, risk.specific_vol],
            rtol=1e-10,
        )  # fmt: skip
        np.testing.assert_allclose(hist.contributions.loc[rets.index[pos]], risk.by_factor["contribution"], rtol=1e-9)
        np.testing.assert_allclose(got["tracking_error"], model.portfolio_risk(W, WB).total_vol, rtol=1e-10)
        excess = (rets.iloc[pos - 11 : pos + 1].sub(facs["RF"].iloc[pos - 11 : pos + 1], axis=0) @ W).to_numpy()
        np.testing.assert_allclose(got["realised_vol"], np.std(excess, ddof=1) * np.sqrt(12), rtol=1e-10)
        np.testing.assert_allclose(got["realised"], excess[-1], rtol=1e-12)
    np.testing.assert_allclose(hist.contributions.sum(axis=1), hist.table["total_vol"], rtol=1e-12)


def test_total_vol_is_the_backtests_forecast_and_refits_hold_between(data):
    rets, facs = data
    hist = risk_history(rets, W, facs, window=36, refit_every=3, annualize=False)
    back = xf.risk_backtest(rets, W, facs, window=36, refit_every=3)
    np.testing.assert_allclose(hist.table["total_vol"], back.table["forecast_vol"], rtol=1e-13)
    vols = hist.table["total_vol"].to_numpy()
    assert vols[0] == vols[1] == vols[2] and vols[3] != vols[2]  # one refit per three dates
    assert "tracking_error" not in hist.table
    assert hist.realised_window == 12 and hist.table["realised_vol"].notna().all()  # 36 rows before the first


def test_ewma_covariance_and_the_first_realised_blanks(data):
    rets, facs = data
    hist = risk_history(rets, W, facs, first_forecast=10, cov_method="ewma", halflife=12, realised_window=24)
    assert hist.table["realised_vol"].iloc[:13].isna().all() and hist.table["realised_vol"].iloc[13:].notna().all()
    rows, frows = rets.iloc[:30], facs.iloc[:30]
    fit = xf.regress(rows, frows, rf=frows["RF"], periods_per_year=12)
    model = xf.FactorRiskModel.from_regression(fit, frows, cov_method="ewma", halflife=12)
    np.testing.assert_allclose(hist.table["total_vol"].iloc[20], model.portfolio_risk(W).total_vol, rtol=1e-10)


def test_bad_inputs_name_the_argument(data):
    rets, facs = data
    cases = [
        (dict(weights=W * 100), "weights: gross exposure"),
        (dict(benchmark=WB * 100), "benchmark: gross exposure"),
        (dict(window=3), "window: expected a whole number >= 8"),
        (dict(first_forecast=95), "first_forecast: 95 leaves 1 of the 96 dates"),
        (dict(realised_window=1), "realised_window: expected a whole number >= 2"),
        (dict(cov_method="garch"), "cov_method: 'garch' is not one of"),
        (dict(weights={"Gold": 1.0}), "weights: assets not in the columns of returns"),
    ]
    for change, start in cases:
        args = dict(weights=W) | change
        with pytest.raises(XLFactorError) as err:
            risk_history(rets, args.pop("weights"), facs, **args)
        assert str(err.value).startswith(start), (change, str(err.value))


def volatile(rets: pd.DataFrame, facs: pd.DataFrame) -> pd.DataFrame:
    """Lognormal returns of about 170% annual volatility (never below -100%): decimals that look like percent."""
    rng = np.random.default_rng(3)
    shocks = rng.normal(0.0, 0.5, rets.shape) + 2 * facs[["Mkt-RF"]].to_numpy()
    return pd.DataFrame(np.exp(shocks) - 1.0, index=rets.index, columns=rets.columns)


def test_units_decimal_declares_volatile_assets(data):
    """risk_history took no ``units``: volatile decimal returns were refused with no way through (the pooled
    percent rule), as in the report's risk history under --units decimal. Now as risk_backtest."""
    rets, facs = data
    wild = volatile(rets, facs)
    with pytest.raises(XLFactorError, match=r"^returns: .*looks? like percentages.*units='decimal'"):
        risk_history(wild, W, facs, window=36, annualize=False)
    hist = risk_history(wild, W, facs, window=36, annualize=False, units="decimal")
    back = xf.risk_backtest(wild, W, facs, window=36, units="decimal")
    np.testing.assert_allclose(hist.table["total_vol"], back.table["forecast_vol"], rtol=1e-13)
    pos = len(rets) - 1
    rows, frows = wild.iloc[pos - 36 : pos], facs.iloc[pos - 36 : pos]
    fit = xf.regress(rows, frows, rf=frows["RF"], units="decimal")
    model = xf.FactorRiskModel.from_regression(fit, frows, annualize=False)
    np.testing.assert_allclose(hist.table["total_vol"].iloc[-1], model.portfolio_risk(W).total_vol, rtol=1e-10)
    with pytest.raises(XLFactorError, match="^units: 'percent' is not one of"):
        risk_history(wild, W, facs, units="percent")


def test_report_passes_units_to_the_risk_history(data):
    """The report's risk history applied the pooled percent rule under --units decimal (no units argument)."""
    rets, facs = data
    wild = volatile(rets, facs)
    with pytest.raises(XLFactorError, match="looks? like percentages"):
        xf.analyze_portfolio(wild, W, facs)
    analysis = xf.analyze_portfolio(wild, W, facs, units="decimal")
    assert analysis.risk_history is not None
    expected = risk_history(wild, W, facs, first_forecast=analysis.backtest.first_forecast, units="decimal")
    pd.testing.assert_frame_equal(analysis.risk_history.table, expected.table, rtol=1e-13)
