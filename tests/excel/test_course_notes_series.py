"""The course-notes FM_ functions (return series, adjusted betas, performance, expected returns, position P&L)
through xlwings' Office.js engine, against direct computations.

Data: three of the shipped industry portfolios, 2014-2023 monthly, Durbl with one blank cell (the ``returns``
fixture of conftest.py), against the shipped FF5/FF3 factor files, laid out as a user would (header rows,
dates as serials).

References and tolerances:

- statsmodels OLS of each asset's excess return on the factors (alpha, betas, standard errors,
  residuals): series and adjusted betas to rtol 1e-9 (atol 1e-12 for values near zero);
- numpy written out here (annual mean, volatility, Sharpe, Sortino, hit rate, tracking error,
  information ratio, cumulative products and sums): rtol 1e-10;
- a plain loop over the wealth path for the maximum drawdown and its dates (exact dates, rtol 1e-12);
- the hedged series' own statsmodels regression: mean equal to the alpha (rtol 1e-9) and betas
  on the factors zero (|b| < 1e-12).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from office_js import excel_range, serials, spilled

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]
FF5 = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
RTOL, ATOL = 1e-9, 1e-12


@pytest.fixture(scope="module")
def ff5(returns) -> pd.DataFrame:
    return xf.load_factors("FF5", "M").loc[returns.index]


@pytest.fixture(scope="module")
def ols(returns, ff5) -> dict:
    """statsmodels OLS of each asset's excess return on the FF5 factors (its non-blank rows)."""
    excess = returns.sub(ff5["RF"], axis=0)
    fits = {}
    for asset in ASSETS:
        y = excess[asset].dropna()
        fits[asset] = sm.OLS(y, sm.add_constant(ff5.loc[y.index, FF5])).fit()
    return fits


def numbers(frame: pd.DataFrame) -> np.ndarray:
    return frame.to_numpy(dtype=float)


def message(result) -> str:
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    text = result[0][0]
    assert text.startswith("#FM! ") and "Traceback" not in text, text
    return text


# ------------------------------------------------------------------ return series
def test_hedged_returns_mean_is_alpha_and_beta_is_zero(engine, cells, returns, ff5, ols):
    rets, dates = cells
    got = spilled(engine.call("FM_HEDGED_RETURNS", rets, "FF5", dates))
    assert list(got.columns) == ASSETS and list(got.index) == list(returns.index)
    excess = returns.sub(ff5["RF"], axis=0)
    for asset in ASSETS:
        fit = ols[asset]
        expected = excess[asset] - ff5[FF5].to_numpy() @ fit.params[FF5].to_numpy()
        np.testing.assert_allclose(got[asset].to_numpy(float), expected.to_numpy(), rtol=RTOL, atol=ATOL)
        series = got[asset].astype(float).dropna()
        np.testing.assert_allclose(series.mean(), fit.params["const"], rtol=RTOL)
        again = sm.OLS(series, sm.add_constant(ff5.loc[series.index, FF5])).fit()
        assert np.abs(again.params[FF5].to_numpy()).max() < 1e-12
    assert np.isnan(got["Durbl"].iloc[5])  # the blank return stays blank


def test_tracking_plus_alpha_plus_residual_is_the_excess_return(engine, cells, returns, ff5, ols):
    rets, dates = cells
    tracking = spilled(engine.call("FM_TRACKING_RETURNS", rets, "FF5", dates))
    resid = spilled(engine.call("FM_RESIDUALS", rets, "FF5", dates))
    excess = returns.sub(ff5["RF"], axis=0)
    for asset in ASSETS:
        fit = ols[asset]
        np.testing.assert_allclose(
            tracking[asset].to_numpy(float), ff5[FF5].to_numpy() @ fit.params[FF5].to_numpy(), rtol=RTOL, atol=ATOL
        )  # defined on every date, also where the asset's return is blank
        r = resid[asset].astype(float).dropna()
        np.testing.assert_allclose(r.to_numpy(), fit.resid.to_numpy(), rtol=RTOL, atol=ATOL)
        total = fit.params["const"] + tracking[asset].astype(float) + resid[asset].astype(float)
        np.testing.assert_allclose(total.to_numpy(), excess[asset].to_numpy(), rtol=1e-12, atol=ATOL)


def test_cumulative_excess_return_series(engine, cells, returns, ff5):
    """prod(1 + r - RF) - 1 over each asset's non-blank months (the blank Durbl month carries the level over)."""
    rets, dates = cells
    per_period = spilled(engine.call("FM_EXCESS_RETURNS", rets, "FF5", dates))
    grown = spilled(engine.call("FM_EXCESS_RETURNS", rets, "FF5", dates, True))
    for asset in ASSETS:
        x = returns[asset] - ff5["RF"]
        np.testing.assert_allclose(per_period[asset].to_numpy(float), x.to_numpy(), rtol=1e-12, atol=1e-15)
        level, expected = 1.0, []
        for value in x:
            level = level if np.isnan(value) else level * (1 + value)
            expected.append(np.nan if np.isnan(value) else level - 1)
        np.testing.assert_allclose(grown[asset].to_numpy(float), expected, rtol=1e-12, atol=1e-15)
    no_rf = engine.call("FM_EXCESS_RETURNS", rets, excel_range(ff5[FF5]), dates)[0][0]
    assert no_rf.startswith("#FM! factors (its RF column): required; give the risk-free return"), no_rf


@pytest.mark.parametrize("cumulative", [True, "compound", "sum"])
def test_cumulative_series(engine, cells, cumulative):
    rets, dates = cells
    per_period = spilled(engine.call("FM_HEDGED_RETURNS", rets, "FF5", dates))
    got = spilled(engine.call("FM_HEDGED_RETURNS", rets, "FF5", dates, True, cumulative))
    for asset in ASSETS:
        h = per_period[asset].to_numpy(float)
        present = ~np.isnan(h)
        running = np.cumsum(h[present]) if cumulative == "sum" else np.cumprod(1 + h[present]) - 1
        np.testing.assert_allclose(got[asset].to_numpy(float)[present], running, rtol=1e-10)
        assert np.isnan(got[asset].to_numpy(float)[~present]).all()


def test_residuals_of_a_factor_range_without_dates_are_numbered(engine, returns, ff5):
    one = returns[["Manuf"]]
    factors = ff5[["Mkt-RF", "SMB", "HML"]]
    out = engine.call("FM_RESIDUALS", excel_range(one), excel_range(factors), None, False)
    got = spilled(out)
    assert out[0][0] == "Row" and list(got.index) == list(range(1, len(one) + 1))
    fit = sm.OLS(one["Manuf"], sm.add_constant(factors)).fit()  # excess FALSE: the returns as given
    np.testing.assert_allclose(got["Manuf"].to_numpy(float), fit.resid.to_numpy(), rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ adjusted betas
def test_adjust_beta_blume_and_vasicek(engine, cells, ols):
    rets, dates = cells
    raw = np.array([ols[a].params["Mkt-RF"] for a in ASSETS])
    se = np.array([ols[a].bse["Mkt-RF"] for a in ASSETS])
    blume = spilled(engine.call("FM_ADJUST_BETA", rets, "FF5", dates))
    assert list(blume.columns) == ["Raw beta", "std err", "Adjusted beta"] and list(blume.index) == ASSETS
    np.testing.assert_allclose(numbers(blume), np.column_stack([raw, se, 0.67 * raw + 0.33]), rtol=RTOL)
    custom = spilled(engine.call("FM_ADJUST_BETA", rets, "FF5", dates, "blume", None, 0.5, 1.2))
    np.testing.assert_allclose(custom["Adjusted beta"].to_numpy(float), 0.5 * raw + 0.6, rtol=RTOL)

    vasicek = spilled(engine.call("FM_ADJUST_BETA", rets, "FF5", dates, "Vasicek"))
    s2 = np.var(raw, ddof=1)
    w = s2 / (s2 + se**2)
    np.testing.assert_allclose(vasicek["Adjusted beta"].to_numpy(float), w * raw + (1 - w) * raw.mean(), rtol=RTOL)
    hml = np.array([ols[a].params["HML"] for a in ASSETS])
    se_hml = np.array([ols[a].bse["HML"] for a in ASSETS])
    prior = spilled(engine.call("FM_ADJUST_BETA", rets, "FF5", dates, "vasicek", "HML", None, None, 0.1, 0.04))
    w = 0.04 / (0.04 + se_hml**2)
    np.testing.assert_allclose(prior["Raw beta"].to_numpy(float), hml, rtol=RTOL)
    np.testing.assert_allclose(prior["Adjusted beta"].to_numpy(float), w * hml + (1 - w) * 0.1, rtol=RTOL)


# ------------------------------------------------------------------ performance
def _drawdown(r: pd.Series) -> tuple:
    """Maximum drawdown of a wealth path written out as a loop: (depth, peak, trough, recovery)."""
    wealth, mark, mark_date = 1.0, 1.0, pd.NaT
    depth, peak, trough, level = 0.0, pd.NaT, pd.NaT, 1.0
    path = []
    for day, x in r.items():
        wealth *= 1 + x
        path.append((day, wealth))
        if wealth >= mark:
            mark, mark_date = wealth, day
        elif wealth / mark - 1 < depth:
            depth, peak, trough, level = wealth / mark - 1, mark_date, day, mark
    recovery = next((day for day, w in path if day > trough and w >= level), pd.NaT) if depth < 0 else pd.NaT
    return depth, peak, trough, recovery


def _check_figures(got: pd.DataFrame, asset: str, r: pd.Series, rf: pd.Series, bench: pd.Series | None) -> None:
    x = r - rf
    downside = np.sqrt(np.mean(np.minimum(x, 0) ** 2))
    expected = {
        "Mean (ann.)": 12 * r.mean(),
        "Mean excess over RF (ann.)": 12 * x.mean(),
        "Volatility (ann.)": np.sqrt(12) * r.std(ddof=1),
        "Sharpe": 12 * x.mean() / (np.sqrt(12) * x.std(ddof=1)),
        "Sortino": 12 * x.mean() / (np.sqrt(12) * downside),
        "Hit rate": np.mean(r > 0),
        "Observations": len(r),
    }
    if bench is not None:
        active = r - bench
        te = np.sqrt(12) * active.std(ddof=1)
        expected.update({"Tracking error": te, "Information ratio": 12 * active.mean() / te})
    for label, value in expected.items():
        np.testing.assert_allclose(float(got.loc[label, asset]), value, rtol=1e-10, err_msg=label)
    depth, peak, trough, recovery = _drawdown(r)
    np.testing.assert_allclose(float(got.loc["Max drawdown", asset]), depth, rtol=1e-12)
    for label, day in (("Peak", peak), ("Trough", trough), ("Recovery", recovery)):
        shown = got.loc[label, asset]
        assert (pd.isna(shown) and pd.isna(day)) or pd.Timestamp(shown) == day, (label, shown, day)


def test_performance_plain(engine, cells, returns):
    rets, dates = cells
    out = engine.call("FM_PERFORMANCE", rets, dates)
    got = spilled(out)
    assert out[0][0] == "Figure" and list(got.columns) == ASSETS
    assert list(got.index) == [
        "Mean (ann.)", "Mean excess over RF (ann.)", "Volatility (ann.)", "Sharpe", "Sortino", "Max drawdown", "Peak",
        "Trough", "Recovery", "Hit rate", "Observations",
    ]  # fmt: skip
    for asset in ASSETS:
        r = returns[asset].dropna()
        _check_figures(got, asset, r, pd.Series(0.0, index=r.index), None)


def test_performance_with_benchmark_and_model_rf_and_hedged_sharpe(engine, cells, returns, ff5, ols):
    rets, dates = cells
    bench = returns.mean(axis=1).rename("Bench")  # an equal-weighted benchmark (over the non-blank assets)
    got = spilled(engine.call("FM_PERFORMANCE", rets, dates, excel_range(bench), None, "FF5"))
    assert list(got.index[:5]) == ["Mean (ann.)", "Mean excess over RF (ann.)", "Volatility (ann.)", "Sharpe",
                                   "Hedged Sharpe"]  # fmt: skip
    assert {"Tracking error", "Information ratio"} <= set(got.index)
    for asset in ASSETS:
        r = returns[asset].dropna()
        _check_figures(got, asset, r, ff5.loc[r.index, "RF"], bench[r.index])
        fit = ols[asset]
        hedged = fit.params["const"] + fit.resid  # the hedged series alpha + e on the regression's rows
        expected = 12 * hedged.mean() / (np.sqrt(12) * hedged.std(ddof=1))
        np.testing.assert_allclose(float(got.loc["Hedged Sharpe", asset]), expected, rtol=RTOL)


def test_performance_rf_as_a_number_or_a_range(engine, cells, returns, ff5):
    rets, dates = cells
    flat = spilled(engine.call("FM_PERFORMANCE", rets, dates, None, 0.002))
    column = spilled(engine.call("FM_PERFORMANCE", rets, dates, None, excel_range(ff5[["RF"]])))
    for asset in ASSETS:
        r = returns[asset].dropna()
        _check_figures(flat, asset, r, pd.Series(0.002, index=r.index), None)
        _check_figures(column, asset, r, ff5.loc[r.index, "RF"], None)


# ------------------------------------------------------------------ expected return and position P&L
def test_expected_return_split(engine, cells, returns, ff5, ols):
    rets, dates = cells
    out = engine.call("FM_EXPECTED_RETURN", rets, "FF5", dates)
    got = spilled(out)
    assert out[0][0] == "Component"
    assert list(got.index) == ["Risk-free", "Alpha", *FF5, "Total E[r]"]
    assert list(got.columns) == [*ASSETS, "Premium"]
    premia = ff5[FF5].mean()  # sample means over the regression's dates (every date has all factors)
    np.testing.assert_allclose(got.loc[FF5, "Premium"].to_numpy(float), 12 * premia.to_numpy(), rtol=1e-12)
    for asset in ASSETS:
        fit = ols[asset]
        pieces = [12 * ff5["RF"].mean(), 12 * fit.params["const"], *(12 * fit.params[FF5] * premia)]
        np.testing.assert_allclose(got[asset].to_numpy(float), [*pieces, sum(pieces)], rtol=RTOL, atol=ATOL)
    for asset in ("NoDur", "Manuf"):  # no blank: the total is the asset's annual mean return
        np.testing.assert_allclose(float(got.loc["Total E[r]", asset]), 12 * returns[asset].mean(), rtol=1e-10)


def test_expected_return_with_given_premia(engine, cells, ff5, ols):
    rets, dates = cells
    labelled = spilled(engine.call("FM_EXPECTED_RETURN", rets, "FF5", dates, [["Mkt-RF", 0.06], ["HML", 0.03]]))
    premia = 12 * ff5[FF5].mean()
    premia[["Mkt-RF", "HML"]] = [0.06, 0.03]  # annual, as given; the others keep their sample means
    np.testing.assert_allclose(labelled.loc[FF5, "Premium"].to_numpy(float), premia.to_numpy(), rtol=1e-12)
    in_order = spilled(engine.call("FM_EXPECTED_RETURN", rets, "FF5", dates, [[0.05, 0.01, 0.02, 0.03, 0.0]], False))
    monthly = pd.Series([0.05, 0.01, 0.02, 0.03, 0.0], index=FF5)  # annualize FALSE: per period, as given
    for asset in ASSETS:
        fit = ols[asset]
        np.testing.assert_allclose(
            labelled.loc[FF5, asset].to_numpy(float), fit.params[FF5] * premia, rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(
            in_order.loc[FF5, asset].to_numpy(float), fit.params[FF5] * monthly, rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(float(in_order.loc["Alpha", asset]), fit.params["const"], rtol=RTOL)


def test_position_pnl(engine, cells, ff5, ols):
    """Capital as FM_POSITION_SIZE gives it; P&L per year x (b'E[f] + alpha) and x alpha unhedged, x alpha hedged."""
    rets, dates = cells
    sized = engine.call("FM_POSITION_SIZE", 50_000, rets, "FF5", dates, "Durbl", "daily")
    capital = {row[0]: row[1] for row in sized[1:]}
    x_u, x_h = capital["Capital (unhedged)"], capital["Capital (hedged)"]
    out = engine.call("FM_POSITION_PNL", 50_000, rets, "FF5", dates, "Durbl", "daily", [["Mkt-RF", 0.06]])
    got = spilled(out)
    assert out[0][0] == "Durbl" and list(got.index) == ["Unhedged", "Hedged"]
    assert list(got.columns) == ["Capital", "Expected P&L (per year)", "Risk-adjusted P&L (per year)"]
    fit = ols["Durbl"]
    premia = 12 * ff5[FF5].mean()
    premia["Mkt-RF"] = 0.06  # annual, as given
    alpha, premium = 12 * fit.params["const"], float(fit.params[FF5] @ premia)
    np.testing.assert_allclose(got["Capital"].to_numpy(float), [x_u, x_h], rtol=1e-12)
    expected = [x_u * (premium + alpha), x_h * alpha]
    np.testing.assert_allclose(got["Expected P&L (per year)"].to_numpy(float), expected, rtol=RTOL)
    adjusted = [x_u * alpha, x_h * alpha]
    np.testing.assert_allclose(got["Risk-adjusted P&L (per year)"].to_numpy(float), adjusted, rtol=RTOL)


# ------------------------------------------------------------------ wrong inputs and labels
def test_wrong_inputs_name_the_argument(engine, cells, returns, ff5):
    rets, dates = cells
    gappy_rf = ff5[["RF"]].copy()
    gappy_rf.iloc[3, 0] = np.nan
    cases = [
        (("FM_HEDGED_RETURNS", rets, "FF5", dates, True, "log"),
         "#FM! cumulative: expected TRUE, FALSE, \"compound\" or \"sum\", got 'log'"),
        (("FM_TRACKING_RETURNS", rets, "FF5", dates[:-1]),
         "#FM! dates: 119 rows but returns has 120; select ranges with the same number of rows"),
        (("FM_ADJUST_BETA", rets, "FF5", dates, "bayes"), "#FM! method: 'bayes' is not one of blume, vasicek"),
        (("FM_ADJUST_BETA", rets, "FF5", dates, "blume", "XYZ"),
         "#FM! factor: 'XYZ' is not a factor here; use one of Mkt-RF, SMB, HML, RMW, CMA"),
        (("FM_ADJUST_BETA", rets, "FF5", dates, "blume", None, 1.5), "#FM! blume_weight: 1.5 is outside [0, 1]"),
        (("FM_ADJUST_BETA", rets, "FF5", dates, "vasicek", None, None, None, None, 0),
         "#FM! prior_var: 0 is outside (0, inf)"),
        (("FM_ADJUST_BETA", excel_range(returns[["NoDur"]]), "FF5", dates, "vasicek"),
         "#FM! returns: Vasicek shrinkage toward the cross-sectional mean needs at least two assets; add assets, "
         "or give prior_mean and prior_var"),
        (("FM_PERFORMANCE", rets), "#FM! dates: required; give the dates of the rows (the frequency and the drawdown "
         "dates)"),
        (("FM_PERFORMANCE", rets, dates, excel_range(returns[["NoDur", "Manuf"]])),
         "#FM! benchmark: give one column of returns, got 2"),
        (("FM_PERFORMANCE", rets, dates, excel_range(returns[["NoDur"]].iloc[:-1])),
         "#FM! benchmark: 119 rows but dates has 120; select ranges with the same number of rows"),
        (("FM_PERFORMANCE", rets, dates, None, excel_range(gappy_rf)),
         "#FM! rf: no risk-free rate on 2014-04-30 where returns has a value; fill every row of rf (0 for none)"),
        (("FM_PERFORMANCE", rets, dates, None, None, excel_range(ff5[["RF"]])),
         "#FM! factors: no factor columns besides RF; give at least one factor"),
        (("FM_PERFORMANCE", excel_range(returns * 100), dates),
         "#FM! returns: values look like percentages (median size above 20%); divide by 100 so that 0.012 means "
         '1.2% (for an asset more volatile than 100% a year: set units "decimal")'),
        (("FM_EXPECTED_RETURN", rets, "FF5", dates, [["XYZ", 0.01]]),
         "#FM! premia: 'XYZ' not among the factors (Mkt-RF, SMB, HML, RMW, CMA)"),
        (("FM_EXPECTED_RETURN", rets, "FF5", dates, [[0.01, 0.02]]),
         "#FM! premia: 2 unlabelled premia for 5 factors; label them with factor names (Mkt-RF, SMB, HML, RMW, CMA) "
         "or give one per factor"),
        (("FM_EXPECTED_RETURN", rets, excel_range(ff5[["Mkt-RF"]])),
         "#FM! dates: give the dates of the rows so the frequency is known, or set annualize FALSE"),
        (("FM_POSITION_PNL", None, rets, "FF5", dates, "Durbl"),
         "#FM! vol_budget: required; give the volatility budget in currency"),
        (("FM_POSITION_PNL", 50_000, rets, "FF5", dates),
         "#FM! asset: returns has 3 assets; name the one to size (NoDur, Durbl, Manuf)"),
    ]  # fmt: skip
    for args, expected in cases:
        assert message(engine.call(*args)) == expected, args[0]


def test_no_result_has_an_empty_top_left_cell(engine, cells):
    rets, dates = cells
    for name, *args in [
        ("FM_HEDGED_RETURNS", rets, "FF5", dates),
        ("FM_TRACKING_RETURNS", rets, "FF5", dates),
        ("FM_RESIDUALS", rets, "FF5", dates),
        ("FM_ADJUST_BETA", rets, "FF5", dates),
        ("FM_PERFORMANCE", rets, dates),
        ("FM_EXPECTED_RETURN", rets, "FF5", dates),
        ("FM_POSITION_PNL", 50_000, rets, "FF5", dates, "Durbl"),
    ]:
        out = engine.call(name, *args)
        corner = out[0][0]
        assert isinstance(corner, str) and corner and not corner.startswith("#FM!"), (name, corner)
        assert len({len(row) for row in out}) == 1, name
    bare = engine.call("FM_HEDGED_RETURNS", rets, "FF5", dates, None, None, False)  # headers FALSE: numbers only
    labelled = engine.call("FM_HEDGED_RETURNS", rets, "FF5", dates)
    assert bare == [row[1:] for row in labelled[1:]]


def test_performance_with_a_factor_range_and_rows_after_the_model_data(engine):
    """A factor range with an RF column gives the risk-free rate; with a model name, return rows after the
    factor data's last date are left out of every figure (as in every FM_ function)."""
    r = xf.industry_portfolios().loc["2024-01":"2025-12", ["Manuf"]]
    ff3 = xf.load_factors("FF3", "M")
    inside = r.index[r.index <= ff3.index.max()]
    assert len(inside) == len(r) - 1  # the factor files end one month before the portfolios
    got = spilled(engine.call("FM_PERFORMANCE", excel_range(r), serials(r.index), None, None, "FF3"))
    x = r.loc[inside, "Manuf"] - ff3.loc[inside, "RF"]
    assert got.loc["Observations", "Manuf"] == len(inside)
    np.testing.assert_allclose(got.loc["Sharpe", "Manuf"], np.sqrt(12) * x.mean() / x.std(ddof=1), rtol=1e-10)
    factors = ff3.loc[inside]
    ranged = spilled(
        engine.call("FM_PERFORMANCE", excel_range(r.loc[inside]), serials(inside), None, None, excel_range(factors))
    )
    fit = sm.OLS(x, sm.add_constant(factors[["Mkt-RF", "SMB", "HML"]])).fit()
    hedged = fit.params["const"] + fit.resid
    np.testing.assert_allclose(
        ranged.loc["Hedged Sharpe", "Manuf"], np.sqrt(12) * hedged.mean() / hedged.std(ddof=1), rtol=RTOL
    )
    np.testing.assert_allclose(ranged.loc["Sharpe", "Manuf"], got.loc["Sharpe", "Manuf"], rtol=1e-12)
