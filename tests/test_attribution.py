"""Factor-based return attribution and Carino / Menchero linking.

References: a three-period, two-asset, one-factor example worked by hand (every number below
written out as arithmetic); the linking coefficients recomputed from Carino's and Menchero's
formulas in plain Python loops; statsmodels OLS for the betas and alphas; and empyrical's
``perf_attrib`` (pyfolio's convention: exposures = positions x loadings, common return = sum of
exposure x factor return, specific = return - common) where the two conventions coincide.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from xlfactor.errors import XLFactorError
from xlfactor.models.attribution import attribution_summary, factor_attribution
from xlfactor.models.linking import link_coefficients

DATES = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"])
RETURNS = pd.DataFrame({"A": [0.05, -0.02, 0.03], "B": [0.01, 0.04, -0.01]}, index=DATES)
FACTORS = pd.DataFrame({"MKT": [0.04, -0.01, 0.02], "RF": [0.001, 0.001, 0.002]}, index=DATES)
BETAS = pd.DataFrame({"MKT": [1.2, 0.5]}, index=["A", "B"])
ASSETS = ["NoDur", "Durbl", "Manuf", "Enrgy", "HiTec"]


def test_hand_example_with_given_betas():
    """w = (0.6, 0.4); x = 0.6*1.2 + 0.4*0.5 = 0.92; the rest by hand."""
    res = factor_attribution(RETURNS, {"A": 0.6, "B": 0.4}, FACTORS, betas=BETAS)
    np.testing.assert_allclose(res.exposures["MKT"], [0.92] * 3, rtol=1e-14)
    total = [0.6 * 0.05 + 0.4 * 0.01, 0.6 * -0.02 + 0.4 * 0.04, 0.6 * 0.03 + 0.4 * -0.01]
    np.testing.assert_allclose(res.periods["Total"], total, rtol=1e-14)
    np.testing.assert_allclose(res.periods["RF"], [0.001, 0.001, 0.002], rtol=1e-14)  # sum w = 1
    np.testing.assert_allclose(res.periods["MKT"], [0.92 * 0.04, 0.92 * -0.01, 0.92 * 0.02], rtol=1e-14)
    np.testing.assert_allclose(res.periods["Alpha"], 0.0, atol=0)  # given betas: alpha is in the specific part
    specific = [t - rf - m for t, rf, m in zip(total, [0.001, 0.001, 0.002], res.periods["MKT"], strict=True)]
    np.testing.assert_allclose(res.periods["Specific"], specific, rtol=1e-12)
    # Carino by hand
    big_r = (1 + total[0]) * (1 + total[1]) * (1 + total[2]) - 1
    k = math.log(1 + big_r) / big_r
    k_t = [math.log(1 + r) / r for r in total]
    for col in ["RF", "MKT", "Specific"]:
        expected = sum(c * kt for c, kt in zip(res.periods[col], k_t, strict=True)) / k
        np.testing.assert_allclose(res.linked[col], expected, rtol=1e-13)
    assert res.total == pytest.approx(big_r, rel=1e-14) and res.portfolio_return == pytest.approx(big_r, rel=1e-14)
    np.testing.assert_allclose(res.linked.sum(), big_r, rtol=1e-13)


def _carino(r, b):
    big_r, big_b = np.prod(1 + r) - 1, np.prod(1 + b) - 1
    k = (math.log(1 + big_r) - math.log(1 + big_b)) / (big_r - big_b)
    return [(math.log(1 + x) - math.log(1 + y)) / (x - y) / k for x, y in zip(r, b, strict=True)]


def _menchero(r, b):
    n = len(r)
    big_r, big_b = np.prod(1 + r) - 1, np.prod(1 + b) - 1
    m = (big_r - big_b) / (n * ((1 + big_r) ** (1 / n) - (1 + big_b) ** (1 / n)))
    d = [x - y for x, y in zip(r, b, strict=True)]
    s1, s2 = sum(d), sum(x * x for x in d)
    return [m + (big_r - big_b - m * s1) / s2 * x for x in d]


@pytest.mark.parametrize("method, reference", [("carino", _carino), ("menchero", _menchero)])
def test_linking_coefficients_match_the_published_formulas(method, reference):
    rng = np.random.default_rng(7)
    r, b = rng.normal(0.01, 0.05, 24), rng.normal(0.008, 0.04, 24)
    np.testing.assert_allclose(link_coefficients(r, b, method), reference(r, b), rtol=1e-12)
    # contributions that add up per period then add up to R - B once linked
    c = rng.normal(size=(24, 4))
    c[:, -1] = (r - b) - c[:, :-1].sum(axis=1)
    linked = link_coefficients(r, b, method) @ c
    np.testing.assert_allclose(linked.sum(), (np.prod(1 + r) - 1) - (np.prod(1 + b) - 1), rtol=1e-12)


def test_linking_limits_when_returns_are_equal():
    r = np.array([0.02, -0.01, 0.03])
    carino = link_coefficients(r, r.copy(), "carino")
    np.testing.assert_allclose(carino, (1 / (1 + r)) * (np.prod(1 + r)), rtol=1e-12)  # k_t / k, k = 1/(1+R)
    menchero = link_coefficients(r, r.copy(), "menchero")
    np.testing.assert_allclose(menchero, np.prod(1 + r) ** (1 - 1 / 3), rtol=1e-12)
    assert np.isfinite(link_coefficients(np.array([0.0, 0.01]), None, "carino")).all()  # r_t = 0: k_t = 1


@pytest.fixture(scope="module")
def data(industries10, ff5_monthly):
    rets = industries10.loc["2010-01":"2019-12", ASSETS]
    return rets, ff5_monthly.loc[rets.index]


def test_regression_betas_and_alphas_equal_statsmodels(data):
    rets, facs = data
    w = pd.Series([0.3, 0.1, 0.2, 0.15, 0.25], index=ASSETS)
    res = factor_attribution(rets, w, facs)
    names = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
    for asset in ASSETS:
        fit = sm.OLS(rets[asset] - facs["RF"], sm.add_constant(facs[names])).fit()
        np.testing.assert_allclose(res.betas.loc[asset], fit.params[names], rtol=1e-9)
        np.testing.assert_allclose(res.alpha[asset], fit.params["const"], rtol=1e-9)
    # the split adds up every period, and the specific return has zero mean over the regression sample
    parts = res.periods.drop(columns="Total").sum(axis=1)
    np.testing.assert_allclose(parts, res.periods["Total"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.periods["Total"], rets @ w, rtol=1e-12)
    assert abs(res.periods["Specific"].mean()) < 1e-15
    summary = attribution_summary(res)
    np.testing.assert_allclose(summary.loc["Total", "linked"], np.prod(1 + rets @ w) - 1, rtol=1e-12)
    np.testing.assert_allclose(summary["linked"].drop("Total").sum(), summary.loc["Total", "linked"], rtol=1e-12)


def test_active_attribution_against_a_benchmark(data):
    rets, facs = data
    w = pd.Series([0.3, 0.1, 0.2, 0.15, 0.25], index=ASSETS)
    wb = pd.Series(0.2, index=ASSETS)
    for method in ("carino", "menchero"):
        res = factor_attribution(rets, w, facs, benchmark=wb, linking=method)
        np.testing.assert_allclose(res.periods["Total"], rets @ (w - wb), rtol=1e-10, atol=1e-16)
        np.testing.assert_allclose(res.periods["RF"], 0.0, atol=1e-16)  # both fully invested
        r_p, r_b = np.prod(1 + rets @ w) - 1, np.prod(1 + rets @ wb) - 1
        np.testing.assert_allclose([res.portfolio_return, res.benchmark_return], [r_p, r_b], rtol=1e-12)
        np.testing.assert_allclose(res.linked.sum(), r_p - r_b, rtol=1e-11)
        np.testing.assert_allclose(res.exposures, np.tile((w - wb) @ res.betas, (len(rets), 1)), rtol=1e-12)


def test_holdings_history_has_no_look_ahead(data):
    """Period t uses the last holdings row dated before t; a later row never changes earlier periods."""
    rets, facs = data
    rows = rets.index[[0, 11, 23]]  # rebalanced at the end of Jan 2010, Dec 2010, Dec 2011
    history = pd.DataFrame(
        [[0.5, 0.5, 0, 0, 0], [0, 0, 0.5, 0.5, 0], [0.2, 0.2, 0.2, 0.2, 0.2]], index=rows, columns=ASSETS
    )
    res = factor_attribution(rets, history, facs)
    assert res.periods.index[0] == rets.index[1]  # nothing is held over January 2010
    held = history.reindex(rets.index).ffill().shift(1).iloc[1:]  # the weights known at the start of each period
    np.testing.assert_allclose(res.periods["Total"], (rets.iloc[1:] * held).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(res.exposures, held.to_numpy() @ res.betas.to_numpy(), rtol=1e-12)
    changed = history.copy()
    changed.iloc[2] = [0, 0, 0, 0, 1.0]
    again = factor_attribution(rets, changed, facs, betas=res.betas)
    upto = rets.index[23]
    same = ["RF", *res.betas.columns, "Total"]
    np.testing.assert_allclose(again.periods.loc[:upto, same], res.periods.loc[:upto, same], rtol=1e-12)
    # given betas carry no alpha: it joins the specific part
    np.testing.assert_allclose(again.periods.loc[:upto, "Specific"],
                               res.periods.loc[:upto, ["Alpha", "Specific"]].sum(axis=1), rtol=1e-12)  # fmt: skip
    assert not np.allclose(again.periods.loc[rets.index[24] :, "Total"], res.periods.loc[rets.index[24] :, "Total"])


def test_equals_empyrical_perf_attrib_where_the_conventions_coincide(data):
    """pyfolio's perf_attrib: positions x loadings per date; common = sum exposure x factor; specific = rest.
    Here its positions are the weights held over each period, its loadings our betas, its returns our
    excess portfolio return: its common returns are our factor contributions, its specific our alpha + specific."""
    empyrical = pytest.importorskip("empyrical")
    rets, facs = data
    rows = rets.index[[0, 30, 60]]
    history = pd.DataFrame(np.random.default_rng(3).dirichlet(np.ones(5), size=3), index=rows, columns=ASSETS)
    res = factor_attribution(rets, history, facs)
    names = list(res.betas.columns)
    dates = res.periods.index
    held = history.reindex(rets.index).ffill().shift(1).loc[dates]
    positions = held.stack()
    positions.index.names = ["dt", "ticker"]
    loadings = pd.concat({d: res.betas for d in dates}, names=["dt", "ticker"])
    excess = res.periods["Total"] - res.periods["RF"]
    exposures, perf = empyrical.perf_attrib(excess, positions, facs.loc[dates, names], loadings)
    np.testing.assert_allclose(exposures[names], res.exposures[names], rtol=1e-12)
    np.testing.assert_allclose(perf[names], res.periods[names], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(perf["common_returns"], res.periods[names].sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(perf["specific_returns"], res.periods["Alpha"] + res.periods["Specific"],
                               rtol=1e-10, atol=1e-15)  # fmt: skip


def test_bad_inputs_name_the_argument(data):
    rets, facs = data
    w = pd.Series(0.2, index=ASSETS)
    cases = [
        (dict(linking="geometric"), "linking: 'geometric' is not one of 'carino', 'menchero'"),
        (dict(weights={"Nope": 1.0}), "weights: assets not in the columns of returns"),
        (dict(weights=w * 100), "weights: gross exposure"),
        (dict(benchmark=w * 100), "benchmark: gross exposure"),
        (dict(returns=rets * 100), "returns: column 'NoDur' looks like percentages"),
        (dict(betas=pd.DataFrame({"Mkt-RF": [1.0]}, index=["NoDur"])), "betas: no row for the held asset(s)"),
        (dict(units="percent"), "units:"),
        (
            dict(returns=pd.concat([rets, rets.iloc[:1]])),
            "returns: the date 2010-01-31 appears twice; keep one row per date",
        ),
        (dict(factors=facs[["RF"]]), "factors: no factor columns besides RF"),
        (
            dict(factors=facs * 100, betas=pd.DataFrame(1.0, index=ASSETS, columns=facs.columns.drop("RF"))),
            "factors: column 'Mkt-RF' looks like percentages",
        ),
    ]
    for change, start in cases:
        args = dict(returns=rets, weights=w, factors=facs) | change
        with pytest.raises(XLFactorError) as err:
            factor_attribution(args.pop("returns"), args.pop("weights"), args.pop("factors"), **args)
        assert str(err.value).startswith(start), (change, str(err.value))
    holes = rets.copy()
    holes.iloc[4, 2] = np.nan
    with pytest.raises(XLFactorError, match="returns: 'Manuf' is held on 2010-05-31 but has no return there"):
        factor_attribution(holes, w, facs)
    late = pd.DataFrame([w.to_numpy()], index=[pd.Timestamp("2030-01-31")], columns=ASSETS)
    with pytest.raises(XLFactorError, match="weights: no period to attribute"):
        factor_attribution(rets, late, facs)


def test_readme_attribution_example_runs():
    """The README's "Return attribution" example runs as written and its sums hold."""
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "README.md").read_text()
    section = text[text.index("## Return attribution and risk through time") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    att, bf, hist = namespace["att"], namespace["bf"], namespace["hist"]
    np.testing.assert_allclose(hist.contributions.sum(axis=1), hist.table["total_vol"], rtol=1e-12)
    np.testing.assert_allclose(att.linked.sum(), att.total, rtol=1e-12)
    np.testing.assert_allclose(bf.by_group["total"].sum(), 0.019, atol=1e-15)
