"""The course notes' cross-section items in cells: sort factors, quantile spreads, characteristic-adjusted
returns, holdings exposures, per-date inference, robust fits, Fama-MacBeth without intercept, specific risk.

Every function is called through xlwings' Office.js engine with the ranges a user would select,
and its numbers are checked against a direct computation written here with numpy, pandas and
statsmodels (a loop over dates and assets, no xlfactor code), to ``rtol=1e-10`` unless stated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from office_js import EPOCH, Engine, excel_range, long_cells, serials, spilled

import xlfactor.excel.functions as functions

TOL = {"rtol": 1e-10, "atol": 1e-13}


@pytest.fixture(scope="module")
def engine():
    eng = Engine(functions)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """6 months x 120 assets (names deliberately not sorted): return, cap, BM, momentum, NYSE flag."""
    rng = np.random.default_rng(7)
    dates = pd.date_range("2022-01-31", periods=6, freq="ME")
    assets = [f"Z{i:02d}" if i % 2 else f"A{i:02d}" for i in range(120)][::-1]
    idx = pd.MultiIndex.from_product([dates, assets], names=["Date", "Asset"])
    n = len(idx)
    frame = pd.DataFrame(
        {
            "Return": rng.normal(0.01, 0.06, n),
            "Cap": np.exp(rng.normal(7, 1.2, n)),
            "BM": rng.lognormal(0, 0.5, n),
            "Mom": rng.standard_normal(n),
            "NYSE": np.tile(np.arange(120) % 3 != 0, 6),
        },
        index=idx,
    )
    frame.iloc[[3, 50, 130], 0] = np.nan  # blank returns: out of that date's universe
    return frame


def got(result) -> pd.DataFrame:
    return spilled(result).astype(float)


# ------------------------------------------------------------------ reference computations (loops)
def bucket(values: np.ndarray, universe_values: np.ndarray, percentiles) -> np.ndarray:
    """Bucket j = number of breakpoints strictly below the value (np.quantile, linear)."""
    bp = np.quantile(universe_values, percentiles)
    return np.array([(v > bp).sum() for v in values])


def ref_sorts(panel, size_p, char_p, weighting, nyse=False, char="BM"):
    rows = []
    for _, g in panel.groupby(level=0):
        g = g[g["Return"].notna()]
        base = g[g["NYSE"]] if nyse else g
        s = bucket(g["Cap"].to_numpy(), base["Cap"].to_numpy(), size_p)
        c = bucket(g[char].to_numpy(), base[char].to_numpy(), char_p)
        ports, counts = {}, {}
        for i in range(len(size_p) + 1):
            for j in range(len(char_p) + 1):
                m = (s == i) & (c == j)
                w = g["Cap"].to_numpy()[m] if weighting == "value" else np.ones(m.sum())
                ports[(i, j)] = np.sum(w * g["Return"].to_numpy()[m]) / np.sum(w)
                counts[(i, j)] = m.sum()
        ns, nc = len(size_p) + 1, len(char_p) + 1
        smb = np.mean([ports[(0, j)] for j in range(nc)]) - np.mean([ports[(ns - 1, j)] for j in range(nc)])
        hml = np.mean([ports[(i, nc - 1)] for i in range(ns)]) - np.mean([ports[(i, 0)] for i in range(ns)])
        rows.append([smb, hml, *[counts[(i, j)] for i in range(ns) for j in range(nc)]])
    return np.array(rows, dtype=float)


def ref_spread(panel, n, weighting, signal="Mom"):
    rows = []
    for _, g in panel.groupby(level=0):
        g = g[g["Return"].notna()]
        q = bucket(g[signal].to_numpy(), g[signal].to_numpy(), [k / n for k in range(1, n)])
        out = []
        for k in range(n):
            m = q == k
            w = g["Cap"].to_numpy()[m] if weighting == "value" else np.ones(m.sum())
            out.append(np.sum(w * g["Return"].to_numpy()[m]) / np.sum(w))
        rows.append([out[-1] - out[0], *[np.sum(q == k) for k in range(n)]])
    return np.array(rows, dtype=float)


def wls_by_date(panel, chars, weights=None, lag=0):
    """statsmodels WLS of each date's returns on [const, chars] (chars lagged ``lag`` dates)."""
    dates = panel.index.get_level_values(0).unique()
    fits = {}
    for t in range(lag, len(dates)):
        y = panel.loc[dates[t], "Return"]
        x = panel.loc[dates[t - lag], chars]
        w = None if weights is None else panel.loc[dates[t - lag], weights]
        keep = y.notna() & x.notna().all(axis=1)
        design = sm.add_constant(x[keep])
        fits[dates[t]] = sm.WLS(y[keep], design, weights=1.0 if w is None else w[keep]).fit()
    return fits


# ------------------------------------------------------------------ sort factors
def test_sort_factors_2x3_value_weighted(engine, panel):
    out = got(engine.call("FM_SORT_FACTORS", long_cells(panel, ["Return", "Cap", "BM", "Mom"]), "Cap", "BM"))
    labels = [f"n {s}/{c}" for s in "SB" for c in "LMH"]
    assert list(out.columns) == ["SMB", "HML", *labels]
    np.testing.assert_allclose(out.to_numpy(), ref_sorts(panel, [0.5], [0.3, 0.7], "value"), **TOL)
    assert list(out.index) == list(panel.index.get_level_values(0).unique())


def test_sort_factors_10_90_equal_weighted_nyse_breakpoints(engine, panel):
    table = long_cells(panel, ["Return", "Cap", "BM", "NYSE"])  # NYSE as TRUE/FALSE cells
    out = got(engine.call("FM_SORT_FACTORS", table, "Cap", "BM", [[10, 90]], "0.3,0.7", "equal", "NYSE", 0, "Value"))
    expected = ref_sorts(panel, [0.3, 0.7], [0.1, 0.9], "equal", nyse=True)
    assert np.isfinite(expected).all()  # every portfolio holds assets on every date
    assert list(out.columns[:2]) == ["SMB", "Value"]
    assert out.shape[1] == 2 + 9  # 3 size groups x 3 characteristic groups
    np.testing.assert_allclose(out.to_numpy(), expected, **TOL)


def test_sort_factors_portfolios_and_breakpoints_views(engine, panel):
    table = long_cells(panel, ["Return", "Cap", "BM"])
    ports = got(engine.call("FM_SORT_FACTORS", table, "Cap", None, None, None, None, None, None, None, "portfolios"))
    assert list(ports.columns) == [f"{s}/{c}" for s in "SB" for c in "LMH"]
    day = panel.index.get_level_values(0)[0]
    g = panel.loc[day]
    g = g[g["Return"].notna()]
    small, high = g["Cap"] <= g["Cap"].median(), g["BM"] > np.quantile(g["BM"], 0.7)
    m = small & high
    vw = (g["Cap"][m] * g["Return"][m]).sum() / g["Cap"][m].sum()
    assert ports.loc[day, "S/H"] == pytest.approx(vw, rel=1e-12)
    bps = got(engine.call("FM_SORT_FACTORS", table, "Cap", "BM", None, None, None, None, None, None, "breakpoints"))
    assert list(bps.columns) == ["Cap p50", "BM p30", "BM p70"]
    assert bps.loc[day].to_numpy() == pytest.approx([g["Cap"].median(), *np.quantile(g["BM"], [0.3, 0.7])])


def test_sort_factors_exposure_lag_uses_previous_characteristics(engine, panel):
    out = got(
        engine.call(
            "FM_SORT_FACTORS", long_cells(panel, ["Return", "Cap", "BM"]), "Cap", "BM", None, None, None, None, 1
        )
    )
    lagged = panel.copy()
    for col in ["Cap", "BM"]:
        lagged[col] = panel[col].unstack().shift(1).stack(future_stack=True).reindex(panel.index)
    lagged = lagged[lagged.index.get_level_values(0) > panel.index.get_level_values(0)[0]]
    lagged = lagged[lagged["Cap"].notna()]
    np.testing.assert_allclose(out.to_numpy()[1:], ref_sorts(lagged, [0.5], [0.3, 0.7], "value"), **TOL)
    assert np.isnan(out.iloc[0, 0])  # no characteristics before the first date


def test_single_sorts_of_the_notes_one_call_each(engine, panel):
    """The notes' simple factors: SMB = EW bottom 10% minus top 10% of Cap, HML = EW top 30% minus bottom 30% of BM
    (breakpoints by np.quantile over each date's assets with a return)."""
    table = long_cells(panel, ["Return", "Cap", "BM"])
    smb = got(engine.call("FM_SINGLE_SORT", table, "Cap", "10,90", None, True, None, None, None, "SMB"))
    hml = got(engine.call("FM_SINGLE_SORT", table, "BM"))
    assert list(smb.columns) == ["SMB", "n L", "n M", "n H"] and list(hml.columns) == ["HML", "n L", "n M", "n H"]
    for day, g in panel.groupby(level=0):
        g = g[g["Return"].notna()]
        size = bucket(g["Cap"].to_numpy(), g["Cap"].to_numpy(), [0.1, 0.9])
        value = bucket(g["BM"].to_numpy(), g["BM"].to_numpy(), [0.3, 0.7])
        r = g["Return"].to_numpy()
        assert smb.loc[day, "SMB"] == pytest.approx(r[size == 0].mean() - r[size == 2].mean(), rel=1e-10)
        assert hml.loc[day, "HML"] == pytest.approx(r[value == 2].mean() - r[value == 0].mean(), rel=1e-10)
        assert smb.loc[day, ["n L", "n M", "n H"]].tolist() == [np.sum(size == k) for k in range(3)]


def test_quantile_spread_deciles_equal_and_quintiles_value(engine, panel):
    table = long_cells(panel, ["Return", "Cap", "Mom"])
    out = got(engine.call("FM_QUANTILE_SPREAD", table, "Mom"))
    assert list(out.columns) == ["spread", *[f"n Q{k}" for k in range(1, 11)]]
    np.testing.assert_allclose(out.to_numpy(), ref_spread(panel, 10, "equal"), **TOL)
    vw = got(engine.call("FM_QUANTILE_SPREAD", table, "Mom", 5, "value", "Cap"))
    np.testing.assert_allclose(vw.to_numpy(), ref_spread(panel, 5, "value"), **TOL)


def test_sort_bad_inputs(engine, panel):
    flagged = long_cells(panel, ["Return", "Cap", "BM", "NYSE"])
    table = long_cells(panel, ["Return", "Cap", "BM"])
    text = engine.call("FM_SORT_FACTORS", table, None)[0][0]
    assert text.startswith("#FM! cap: required; give the header of the market-cap column"), text
    text = engine.call("FM_SORT_FACTORS", flagged, "Size", "BM", None, None, None, "NYSE")[0][0]
    assert text.startswith("#FM! cap: no numeric column named 'Size'"), text
    text = engine.call("FM_SORT_FACTORS", table, "Cap", "BM", [[0.3, 70]])[0][0]
    assert text.startswith("#FM! percentiles: mixes percents and fractions"), text
    text = engine.call("FM_SORT_FACTORS", table, "Cap", "BM", [[70, 30]])[0][0]
    assert text.startswith("#FM! percentiles: expected increasing fractions"), text
    bad = [row[:] for row in flagged]
    bad[4][5] = "maybe"
    text = engine.call("FM_SORT_FACTORS", bad, "Cap", "BM", None, None, None, "NYSE")[0][0]
    assert text.startswith("#FM! nyse: column 'NYSE' holds 'maybe'"), text
    text = engine.call("FM_QUANTILE_SPREAD", table, "BM", 10, "value")[0][0]
    assert text.startswith('#FM! cap: required with weighting "value"'), text
    text = engine.call("FM_QUANTILE_SPREAD", table, "BM", 1)[0][0]
    assert text.startswith("#FM! n_quantiles:"), text


# ------------------------------------------------------------------ cross-sectional regressions
def test_xs_standard_errors_and_t_match_statsmodels(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom", "Cap"])
    fits = wls_by_date(panel, ["BM", "Mom"], "Cap")
    # weight column "Cap" (regression weights, not caps): the plain WLS per date
    for view, cov, attr in [("se", "nonrobust", "bse"), ("t", "nonrobust", "tvalues"), ("se", "hc1", "HC1_se")]:
        out = got(engine.call("FM_XS_FACTOR_RETURNS", table, None, None, True, 0, "Cap", view, cov))
        for day, fit in fits.items():
            values = getattr(fit, attr) if cov == "nonrobust" else fit.HC1_se
            np.testing.assert_allclose(out.loc[day].to_numpy(), values.to_numpy(), **TOL)
    t_hc1 = got(engine.call("FM_XS_FACTOR_RETURNS", table, None, None, True, 0, "Cap", "t", "hc1"))
    day, fit = next(iter(fits.items()))
    np.testing.assert_allclose(t_hc1.loc[day].to_numpy(), (fit.params / fit.HC1_se).to_numpy(), **TOL)


def test_xs_exposure_lag_and_weights(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom", "Cap"])
    out = got(engine.call("FM_XS_FACTOR_RETURNS", table, None, None, True, 1, "Cap"))
    assert list(out.columns) == ["Market", "BM", "Mom", "R2"]
    assert out.iloc[0].isna().all()
    for day, fit in wls_by_date(panel, ["BM", "Mom"], "Cap", lag=1).items():
        np.testing.assert_allclose(out.loc[day].to_numpy()[:3], fit.params.to_numpy(), **TOL)
        assert out.loc[day, "R2"] == pytest.approx(fit.rsquared, rel=1e-10)


def test_xs_robust_matches_statsmodels_rlm(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom"])
    out = got(engine.call("FM_XS_FACTOR_RETURNS", table, None, None, True, 0, None, "returns", None, True))
    for day in panel.index.get_level_values(0).unique():
        g = panel.loc[day]
        g = g[g["Return"].notna()]
        rlm = sm.RLM(g["Return"], sm.add_constant(g[["BM", "Mom"]]), M=sm.robust.norms.HuberT()).fit(tol=1e-12)
        np.testing.assert_allclose(out.loc[day].to_numpy()[:3], rlm.params.to_numpy(), rtol=1e-6, atol=1e-9)


def test_fama_macbeth_without_intercept(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom"])
    out = spilled(engine.call("FM_FAMA_MACBETH", table, 0, False))
    slopes = []
    for _, g in panel.groupby(level=0):
        g = g[g["Return"].notna()]
        slopes.append(sm.OLS(g["Return"], g[["BM", "Mom"]]).fit().params.to_numpy())
    slopes = np.array(slopes)
    assert "const" not in out.index
    np.testing.assert_allclose(out.loc[["BM", "Mom"], "coef"].to_numpy(dtype=float), slopes.mean(axis=0), **TOL)
    se = slopes.std(axis=0, ddof=1) / np.sqrt(len(slopes))
    np.testing.assert_allclose(out.loc[["BM", "Mom"], "std err"].to_numpy(dtype=float), se, **TOL)
    with_const = spilled(engine.call("FM_FAMA_MACBETH", table, 0))
    assert "const" in with_const.index  # the default keeps the intercept


def test_char_portfolio_keeps_the_table_order(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom"])
    day = panel.index.get_level_values(0)[2]
    serial = float((day - EPOCH) / pd.Timedelta(days=1))
    out = spilled(engine.call("FM_CHAR_PORTFOLIO", table, serial))
    assert list(out.index) == list(panel.index.get_level_values(1).unique())  # Z39, A38, ... not sorted
    g = panel.loc[day]
    g = g[g["Return"].notna()]
    x = sm.add_constant(g[["BM", "Mom"]]).to_numpy()
    h = np.linalg.solve(x.T @ x, x.T)  # (X'X)^-1 X'
    np.testing.assert_allclose(out.loc[g.index].to_numpy(dtype=float), h.T, **TOL)


def test_specific_risk_about_zero_and_about_the_mean(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom"])
    fits = wls_by_date(panel, ["BM", "Mom"])
    resid = pd.DataFrame({day: fit.resid for day, fit in fits.items()}).T
    resid = resid[panel.index.get_level_values(1).unique()]
    zero = got(engine.call("FM_SPECIFIC_RISK", table))
    np.testing.assert_allclose(zero["Specific var"].to_numpy(), (resid**2).mean().to_numpy() * 12, **TOL)
    np.testing.assert_allclose(zero["Specific vol"].to_numpy(), np.sqrt((resid**2).mean().to_numpy() * 12), **TOL)
    mean = got(engine.call("FM_SPECIFIC_RISK", table, None, None, True, None, True, False))
    np.testing.assert_allclose(mean["Specific var"].to_numpy(), resid.var(ddof=0).to_numpy(), **TOL)
    irregular = [row[:] for row in table]
    for row in irregular[1:]:
        row[0] = row[0] + (row[0] % 7) * 3  # spacing no known frequency
    text = engine.call("FM_SPECIFIC_RISK", irregular)[0][0]
    assert text.startswith("#FM! data: the table's dates are not daily") and "annualize FALSE" in text, text
    weighted = long_cells(panel, ["Return", "BM", "Mom", "Cap"])
    fits = wls_by_date(panel, ["BM", "Mom"], "Cap")
    e = pd.DataFrame({day: fit.resid for day, fit in fits.items()}).T[resid.columns]
    out = got(engine.call("FM_SPECIFIC_RISK", weighted, None, None, True, None, False, False, 0, "Cap"))
    np.testing.assert_allclose(out["Specific var"].to_numpy(), (e**2).mean().to_numpy(), **TOL)
    ewma = got(engine.call("FM_SPECIFIC_RISK", table, None, None, True, 3, False, False))
    expected = (resid**2).ewm(halflife=3).mean().iloc[-1]
    np.testing.assert_allclose(ewma["Specific var"].to_numpy(), expected.to_numpy(), **TOL)


# ------------------------------------------------------------------ holdings and characteristic-adjusted returns
def test_char_adjusted_one_date_and_fixed_weights(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom"])
    assets = panel.index.get_level_values(1).unique()
    held = ["A02", "Z05", "A10", "Z17"]
    weights = [[a, w] for a, w in zip(held, [0.4, 0.3, 0.2, 0.1], strict=True)]
    fits = wls_by_date(panel, ["BM", "Mom"])
    day = panel.index.get_level_values(0)[4]
    serial = float((day - EPOCH) / pd.Timedelta(days=1))
    out = got(engine.call("FM_CHAR_ADJUSTED", table, weights, serial))
    assert list(out.columns) == ["Market", "BM", "Mom", "actual", "implied", "adjusted"]
    w = pd.Series([0.4, 0.3, 0.2, 0.1], index=held)
    x = sm.add_constant(panel.loc[day, ["BM", "Mom"]]).loc[held]
    exposures = w @ x
    implied = exposures.to_numpy() @ fits[day].params.to_numpy()
    actual = w @ panel.loc[day, "Return"].loc[held]
    np.testing.assert_allclose(out.loc[day].to_numpy(), [*exposures, actual, implied, actual - implied], **TOL)
    assert out.loc[day, "adjusted"] == pytest.approx(w @ fits[day].resid.loc[held], rel=1e-10)  # specific return
    every = got(engine.call("FM_CHAR_ADJUSTED", table, weights))
    assert len(every) == 6 and assets.size == 120
    np.testing.assert_allclose(every.loc[day].to_numpy(), out.loc[day].to_numpy(), **TOL)
    lagged = got(engine.call("FM_CHAR_ADJUSTED", table, weights, None, None, None, None, True, None, 1))
    assert lagged.iloc[0].isna().all() and lagged.iloc[1:].notna().all().all()  # no regression on the first date


def test_char_adjusted_over_a_holdings_history(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom"])
    dates = panel.index.get_level_values(0).unique()[3:]
    history = pd.DataFrame({"A02": [0.5, 0.0, 0.2], "Z05": [0.5, 0.6, np.nan], "Z17": [0.0, 0.4, 0.8]}, index=dates)
    fits = wls_by_date(panel, ["BM", "Mom"])
    out = got(engine.call("FM_CHAR_ADJUSTED", table, None, None, holdings_cells(history)))
    for day in dates:
        w = history.loc[day].fillna(0.0)
        x = sm.add_constant(panel.loc[day, ["BM", "Mom"]]).loc[w.index]
        implied = (w @ x).to_numpy() @ fits[day].params.to_numpy()
        actual = w @ panel.loc[day, "Return"].loc[w.index]
        np.testing.assert_allclose(
            out.loc[day, ["actual", "implied", "adjusted"]].to_numpy(), [actual, implied, actual - implied], **TOL
        )


def holdings_cells(history: pd.DataFrame) -> list[list]:
    """A holdings range: header (Date, asset names), then date serials and weights (NaN -> blank)."""
    body = excel_range(history, header=False)
    return [
        ["Date", *history.columns],
        *[[s[0], *row] for s, row in zip(serials(history.index, None), body, strict=True)],
    ]


def test_holdings_exposures_from_a_regression_and_from_betas(engine):
    rng = np.random.default_rng(3)
    dates = pd.date_range("2019-01-31", periods=48, freq="ME")
    factors = pd.DataFrame(rng.normal(0, 0.04, (48, 2)), index=dates, columns=["MKT", "HML"])
    true = np.array([[1.0, 0.3], [0.8, -0.2], [1.2, 0.5]])
    returns = pd.DataFrame(
        factors.to_numpy() @ true.T + rng.normal(0, 0.02, (48, 3)), index=dates, columns=["AAA", "BBB", "CCC"]
    )
    betas = pd.DataFrame(
        {a: sm.OLS(returns[a], sm.add_constant(factors)).fit().params[["MKT", "HML"]] for a in returns}
    ).T
    history = pd.DataFrame({"CCC": [0.2, 0.5], "AAA": [0.8, np.nan]}, index=dates[[10, 20]])
    out = got(
        engine.call(
            "FM_HOLDINGS_EXPOSURES",
            holdings_cells(history),
            excel_range(returns),
            excel_range(factors),
            serials(dates),
            None,
            False,
        )
    )
    expected = history.fillna(0.0).to_numpy() @ betas.loc[["CCC", "AAA"]].to_numpy()
    assert list(out.columns) == ["MKT", "HML"] and list(out.index) == list(history.index)
    np.testing.assert_allclose(out.to_numpy(), expected, **TOL)
    table = [["Asset", "MKT", "HML"], *[[a, *betas.loc[a]] for a in betas.index]]
    given = got(engine.call("FM_HOLDINGS_EXPOSURES", holdings_cells(history), None, None, None, table))
    np.testing.assert_allclose(given.to_numpy(), expected, **TOL)


def test_holdings_bad_inputs(engine, panel):
    table = long_cells(panel, ["Return", "BM", "Mom"])
    history = pd.DataFrame({"A02": [1.0], "NOPE": [0.5]}, index=panel.index.get_level_values(0)[:1])
    text = engine.call("FM_CHAR_ADJUSTED", table, None, None, holdings_cells(history))[0][0]
    assert text.startswith("#FM! holdings: held asset(s) 'NOPE' are not among the table's assets"), text
    text = engine.call("FM_CHAR_ADJUSTED", table)[0][0]
    assert text.startswith("#FM! weights: give the portfolio's weights"), text
    late = history[["A02"]].set_axis([pd.Timestamp("2030-01-31")])
    text = engine.call("FM_CHAR_ADJUSTED", table, None, None, holdings_cells(late))[0][0]
    assert text.startswith("#FM! holdings: 2030-01-31 is not a date of the table"), text
    missing = history[["A02"]].set_axis([panel.index.get_level_values(0)[0]])
    missing.columns = [panel.index.get_level_values(1)[3]]  # its return is blank on that date
    text = engine.call("FM_CHAR_ADJUSTED", table, None, None, holdings_cells(missing))[0][0]
    assert text.startswith("#FM! holdings: on ") and "have no return or exposures" in text, text
    betas = [["Asset", "MKT"], ["A02", 1.0]]
    text = engine.call("FM_HOLDINGS_EXPOSURES", holdings_cells(history), None, None, None, betas)[0][0]
    assert text.startswith("#FM! holdings: held asset(s) 'NOPE' are not among the betas' assets"), text
    text = engine.call("FM_HOLDINGS_EXPOSURES", holdings_cells(history))[0][0]
    assert text.startswith("#FM! returns: give returns and factors"), text
    bad = holdings_cells(history)
    bad[1][2] = "x"
    text = engine.call("FM_HOLDINGS_EXPOSURES", bad, None, None, None, betas)[0][0]
    assert text.startswith("#FM! holdings: row 2, column 3"), text
