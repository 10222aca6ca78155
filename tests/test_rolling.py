"""xf.rolling_regress against statsmodels RollingOLS on real French data.

Reference per asset: ``RollingOLS(y, add_constant(F), window=w, min_nobs=min_periods,
missing="drop").fit(method="pinv")`` on the same rows (pinv is statsmodels' most
accurate method; the default "inv" is checked too). Tolerance 1e-10 relative on alpha,
betas and R2, with absolute floors where values cross zero: 1e-13 on alpha and 1e-12
on betas (RollingOLS' own alpha is off by up to ~3e-14 on monthly data;
``test_matches_extended_precision`` shows ours agrees with long-double OLS to 1e-12).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from french_files import french_block
from numpy.testing import assert_allclose
from statsmodels.regression.rolling import RollingOLS
from test_regression import _extended_precision_ols

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.rolling import rolling_regress, window_sums

FF3 = ["Mkt-RF", "SMB", "HML"]
FF5 = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
PKL = Path(__file__).parent / "data" / "df_WarrenBAndCathieW_monthly.pkl"
#: Every test runs on the compiled rolling kernel and on the numpy one.
pytestmark = pytest.mark.usefixtures("kernels")


def assert_matches_rolling_ols(
    ours: pd.DataFrame, y: pd.Series, factors: pd.DataFrame, window: int, min_periods: int | None, method: str = "pinv"
) -> None:
    data = pd.concat([y.rename("y"), factors], axis=1, join="inner")
    ref = RollingOLS(
        data["y"],
        sm.add_constant(data[factors.columns]),
        window=window,
        min_nobs=min_periods if min_periods is not None else window,
        missing="drop",
    ).fit(method=method)
    asset = ours[y.name]
    assert asset.index.equals(ref.params.index)
    params = ref.params.to_numpy()
    assert np.array_equal(np.isnan(asset["alpha"].to_numpy()), np.isnan(params[:, 0]))
    assert np.isfinite(params).any()
    assert_allclose(asset["alpha"].to_numpy(), params[:, 0], rtol=1e-10, atol=1e-13)
    assert_allclose(asset[list(factors.columns)].to_numpy(), params[:, 1:], rtol=1e-10, atol=1e-12)
    assert_allclose(asset["rsquared"].to_numpy(), ref.rsquared.to_numpy(), rtol=1e-10)


@pytest.fixture(scope="module")
def industries_with_gaps(industries49):
    data = industries49.copy()
    data.iloc[600:612, data.columns.get_loc("Food")] = np.nan
    data.iloc[[700, 703, 730], data.columns.get_loc("Chips")] = np.nan
    return data


# Soda, Softw: late starts; Rubbr: real 1940s gap; Food, Chips: our gaps; Agric, Banks: complete.
SAMPLE = ["Soda", "Softw", "Rubbr", "Food", "Chips", "Agric", "Banks"]


@pytest.mark.parametrize("min_periods", [None, 40, 12])
def test_industries49_ff3_against_rolling_ols(industries_with_gaps, ff3_monthly, min_periods):
    ours = rolling_regress(industries_with_gaps, ff3_monthly, 60, min_periods)
    for asset in SAMPLE:
        assert_matches_rolling_ols(ours, industries_with_gaps[asset], ff3_monthly[FF3], 60, min_periods)


def test_every_asset_with_scattered_gaps(industries49, ff3_monthly):
    """Random missing months in all 49 assets: the masked path in several chunks of assets."""
    data = industries49.mask(np.random.default_rng(7).random(industries49.shape) < 0.03)
    ours = rolling_regress(data, ff3_monthly, 60, 50)
    for asset in ["Agric", "Hlth", "Coal", "Fin", "Other"]:
        assert_matches_rolling_ols(ours, data[asset], ff3_monthly[FF3], 60, 50)


def test_default_inv_method_too(industries_with_gaps, ff3_monthly):
    ours = rolling_regress(industries_with_gaps, ff3_monthly, 36)
    for asset in ["Rubbr", "Banks"]:
        assert_matches_rolling_ols(ours, industries_with_gaps[asset], ff3_monthly[FF3], 36, None, method="inv")


def test_daily_ff5(ff5_daily):
    daily = french_block("5_Industry_Portfolios_Daily.csv", "Average Value Weighted Returns -- Daily")
    daily = daily.loc["2000":]
    ours = rolling_regress(daily, ff5_daily, 252, rf=ff5_daily["RF"])
    excess = daily.sub(ff5_daily["RF"], axis=0).dropna(how="all")
    for asset in ["Cnsmr", "HiTec"]:
        assert_matches_rolling_ols(ours, excess[asset].loc[ours.index], ff5_daily.loc[ours.index, FF5], 252, None)


def test_brk_arkk_late_start():
    data = pd.read_pickle(PKL).rename(columns=str.strip)
    factors = data[["Mkt-RF", "SMB", "HML", "Mom"]]
    ours = rolling_regress(data[["BRK", "ARKK"]], factors, 36, 24)
    for asset in ["BRK", "ARKK"]:
        assert_matches_rolling_ols(ours, data[asset], factors, 36, 24)
    assert ours["ARKK"]["alpha"].notna().sum() == 59 - 24 + 1


def test_matches_extended_precision(industries_with_gaps, ff3_monthly):
    ours = rolling_regress(industries_with_gaps, ff3_monthly, 60, 40)
    aligned = pd.concat([industries_with_gaps, ff3_monthly[FF3]], axis=1, join="inner")
    for asset in ["Soda", "Rubbr", "Food"]:
        fitted = np.flatnonzero(ours[asset]["alpha"].notna().to_numpy())
        for row in fitted[:: max(1, len(fitted) // 25)]:
            rows = aligned.iloc[row - 59 : row + 1][[asset, *FF3]].dropna()
            exact = _extended_precision_ols(rows[asset].to_numpy(), rows[FF3].to_numpy()).astype(float)
            got = ours[asset].iloc[row][["alpha", *FF3]].to_numpy()
            assert_allclose(got, exact, rtol=1e-12, atol=1e-17)


def test_layout(industries10, ff3_monthly):
    ours = rolling_regress(industries10[["NoDur", "Durbl"]], ff3_monthly, 24)
    assert ours.columns.names == ["asset", "field"]
    assert list(ours.columns) == [(a, f) for a in ["NoDur", "Durbl"] for f in ["alpha", *FF3, "rsquared"]]
    assert ours.index.equals(industries10.index.intersection(ff3_monthly.index))
    assert ours.iloc[:23].isna().all().all() and ours.iloc[23:].notna().all().all()
    series = rolling_regress(industries10["NoDur"], ff3_monthly[FF3], 24)
    assert_allclose(series.to_numpy(), ours["NoDur"].to_numpy(), rtol=1e-14)
    assert xf.rolling_regress is rolling_regress


def test_singular_window_is_nan(industries10, ff3_monthly):
    """A factor that is constant for 50 months: windows inside that stretch are NaN, the rest match."""
    factors = ff3_monthly[FF3].copy()
    factors.iloc[300:350, 1] = 0.0
    ours = rolling_regress(industries10[["NoDur"]], factors, 24)
    inside = ours["NoDur"]["alpha"].iloc[323:350]
    assert inside.isna().all()
    ref = RollingOLS(industries10["NoDur"], sm.add_constant(factors.loc[industries10.index]), window=24).fit(
        method="pinv"
    )
    ok = ours["NoDur"]["alpha"].notna().to_numpy()
    assert ok.sum() == len(ok) - 23 - 27
    assert_allclose(ours["NoDur"][["alpha", *FF3]].to_numpy()[ok], ref.params.to_numpy()[ok], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("t", [1, 7, 10, 11, 23, 100])
def test_window_sums_equal_direct_sums(t):
    a = np.random.default_rng(t).normal(size=(3, t))
    window = 5 if t > 5 else t
    direct = np.array([[a[r, max(0, j - window + 1) : j + 1].sum() for j in range(t)] for r in range(3)])
    assert_allclose(window_sums(a, window), direct, rtol=1e-13, atol=1e-15)


def test_errors(industries10, ff3_monthly):
    cases = [
        (dict(window=3), r"window: 3 rows cannot fit 4 parameters"),
        (dict(window=5000), r"window: 5000 rows is longer than the 1186 dates"),
        (dict(window=24.5), r"window: expected a whole number"),
        (dict(window=24, min_periods=30), r"min_periods: expected a whole number from 4 .* to the window \(24\)"),
        (dict(window=24, min_periods=2), r"min_periods: expected a whole number from 4"),
    ]
    for kwargs, match in cases:
        with pytest.raises(XLFactorError, match=match):
            rolling_regress(industries10, ff3_monthly, **kwargs)
    with pytest.raises(XLFactorError, match=r"returns: column 'Empty' has no usable rows"):
        rolling_regress(industries10.assign(Empty=np.nan), ff3_monthly, 24)
    with pytest.raises(XLFactorError, match=r"factors: columns 'SMB', 'HML', 'Combo' are collinear"):
        rolling_regress(industries10, ff3_monthly.assign(Combo=ff3_monthly["SMB"] + ff3_monthly["HML"]), 24)


def test_return_rules_on_both_paths(industries10, ff3_monthly):
    """The units rule on returns refuses the same data with the same message whichever pass checks it:
    the compiled one (where the fit runs compiled, it also gives the fit each asset's mean and count)
    or numpy's."""
    loss, infinite = industries10.copy(), industries10.copy()
    loss.iloc[10, 1] = -1.5
    infinite.iloc[12, 2] = np.inf
    cases = [
        (industries10 * 100, r"^returns: column 'NoDur' looks like percentages \(median size above 20%\)"),
        (industries10.assign(Flat=0.01), r"^returns: column 'Flat' is constant \(every value 0.01"),
        (loss, r"^returns: column 'Durbl' on .* holds -1.5, a loss of more than 100%"),
        (infinite, r"^returns: column 'Manuf' on .* contains infinite values"),
    ]
    for returns, match in cases:
        with pytest.raises(XLFactorError, match=match):
            rolling_regress(returns, ff3_monthly, 24)


def test_window_argument_types(industries10, ff3_monthly):
    for kwargs, match in [
        (dict(window="24"), r"window: expected a whole number >= 1, got '24'"),
        (dict(window=True), r"window: expected a whole number"),
        (dict(window=24, min_periods="12"), r"min_periods: expected a whole number from 4"),
    ]:
        with pytest.raises(XLFactorError, match=match):
            rolling_regress(industries10, ff3_monthly, **kwargs)
    # an integral float (what Excel hands over) is the same window
    a = rolling_regress(industries10.iloc[:60], ff3_monthly, 24.0, 12.0)
    b = rolling_regress(industries10.iloc[:60], ff3_monthly, 24, 12)
    pd.testing.assert_frame_equal(a, b)
