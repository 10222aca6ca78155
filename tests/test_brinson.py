"""Brinson-Fachler attribution against a published textbook example worked by hand, and its linking.

The one-period example is the three-market portfolio of Carl Bacon, *Practical Portfolio Performance
Measurement and Attribution* (2nd ed., Wiley 2008), chapter 5: UK, Japanese and US equities with
portfolio weights 40/30/30%, benchmark weights 40/20/40%, portfolio returns 20%, -5%, 6% and benchmark
returns 10%, -4%, 8%; portfolio 8.3%, benchmark 6.4%. Every expected number below is written out as
its arithmetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.models.brinson import brinson
from xlfactor.models.linking import link_coefficients

MARKETS = ["UK", "Japan", "US"]
W = pd.Series([0.40, 0.30, 0.30], index=MARKETS)
V = pd.Series([0.40, 0.20, 0.40], index=MARKETS)
R = pd.Series([0.20, -0.05, 0.06], index=MARKETS)
B = pd.Series([0.10, -0.04, 0.08], index=MARKETS)


def test_bacon_three_markets_by_hand():
    res = brinson(W, V, R, B)
    port = 0.4 * 0.20 + 0.3 * -0.05 + 0.3 * 0.06  # 8.3%
    bench = 0.4 * 0.10 + 0.2 * -0.04 + 0.4 * 0.08  # 6.4%
    assert port == pytest.approx(0.083, abs=1e-15) and bench == pytest.approx(0.064, abs=1e-15)
    allocation = [0.0 * (0.10 - bench), 0.1 * (-0.04 - bench), -0.1 * (0.08 - bench)]  # 0, -1.04%, -0.16%
    selection = [0.4 * (0.20 - 0.10), 0.2 * (-0.05 + 0.04), 0.4 * (0.06 - 0.08)]  # 4.0%, -0.2%, -0.8%
    interaction = [0.0, 0.1 * (-0.05 + 0.04), -0.1 * (0.06 - 0.08)]  # 0, -0.1%, 0.2%
    np.testing.assert_allclose(allocation, [0.0, -0.0104, -0.0016], atol=1e-15)
    np.testing.assert_allclose(res.by_group["allocation"], allocation, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(res.by_group["selection"], selection, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(res.by_group["interaction"], interaction, rtol=1e-13, atol=1e-16)
    totals = res.by_group[["allocation", "selection", "interaction"]].sum()
    np.testing.assert_allclose(totals, [-0.012, 0.030, 0.001], atol=1e-15)  # -1.2% + 3.0% + 0.1% = 1.9%
    assert res.active == pytest.approx(0.019, abs=1e-15)
    assert res.portfolio_return == pytest.approx(port, abs=1e-15)
    np.testing.assert_allclose(res.by_group["total"].sum(), 0.019, atol=1e-15)
    # one period: no linking (both methods give a coefficient of exactly 1)
    for method in ("carino", "menchero"):
        same = brinson(W, V, R, B, linking=method)
        np.testing.assert_allclose(same.by_group.to_numpy(), res.by_group.to_numpy(), rtol=1e-12, atol=1e-16)


def test_by_asset_with_group_labels_equals_the_group_layout():
    """Assets in sectors: group weights are sums, group returns weight averages."""
    assets = ["a", "b", "c", "d", "e"]
    groups = {"a": "Tech", "b": "Tech", "c": "Energy", "d": "Energy", "e": "Cash"}
    w = pd.Series([0.3, 0.2, 0.1, 0.3, 0.1], index=assets)
    v = pd.Series([0.2, 0.2, 0.3, 0.3, 0.0], index=assets)
    r = pd.Series([0.05, -0.02, 0.01, 0.03, 0.004], index=assets)
    res = brinson(w, v, r, groups=groups)
    w_g = pd.Series([0.5, 0.4, 0.1], index=["Tech", "Energy", "Cash"])
    v_g = pd.Series([0.4, 0.6, 0.0], index=w_g.index)
    r_g = pd.Series([(0.3 * 0.05 + 0.2 * -0.02) / 0.5, (0.1 * 0.01 + 0.3 * 0.03) / 0.4, 0.004], index=w_g.index)
    b_g = pd.Series([(0.2 * 0.05 + 0.2 * -0.02) / 0.4, (0.3 * 0.01 + 0.3 * 0.03) / 0.6, 0.004], index=w_g.index)
    by_hand = brinson(w_g, v_g, r_g, b_g)  # Cash outside the benchmark: b_g = r_g, all allocation
    np.testing.assert_allclose(res.by_group.to_numpy(), by_hand.by_group.to_numpy(), rtol=1e-12, atol=1e-16)
    bench = float(v_g @ b_g)
    assert res.by_group.loc["Cash", "allocation"] == pytest.approx(0.1 * (0.004 - bench), rel=1e-12)
    assert res.by_group.loc["Cash", ["selection", "interaction"]].abs().max() == 0
    assert res.active == pytest.approx(float(w @ r - v @ r), abs=1e-15)


def test_linked_periods_add_up_to_the_compounded_excess():
    rng = np.random.default_rng(11)
    dates = pd.date_range("2020-01-31", periods=12, freq="ME")
    r = pd.DataFrame(rng.normal(0.01, 0.05, (12, 3)), index=dates, columns=MARKETS)
    b = pd.DataFrame(rng.normal(0.01, 0.04, (12, 3)), index=dates, columns=MARKETS)
    w = pd.DataFrame(rng.dirichlet(np.ones(3), 12), index=dates, columns=MARKETS)
    for method in ("carino", "menchero"):
        res = brinson(w, V, r, b, linking=method)
        port, bench = (w * r).sum(axis=1), (b * V).sum(axis=1)
        active = (np.prod(1 + port) - 1) - (np.prod(1 + bench) - 1)
        assert res.active == pytest.approx(active, rel=1e-12)
        np.testing.assert_allclose(res.by_group["total"].sum(), active, rtol=1e-11)
        # each period by hand (the one-period function), linked with the published coefficients
        coef = link_coefficients(port.to_numpy(), bench.to_numpy(), method)
        by_period = [brinson(w.iloc[t], V, r.iloc[t], b.iloc[t]).by_group for t in range(12)]
        linked = sum(c * table for c, table in zip(coef, by_period, strict=True))
        np.testing.assert_allclose(res.by_group.to_numpy(), linked.to_numpy(), rtol=1e-11, atol=1e-16)
        np.testing.assert_allclose(res.periods["active"], port - bench, rtol=1e-12)
        np.testing.assert_allclose(res.periods[["allocation", "selection", "interaction"]].sum(axis=1),
                                   port - bench, rtol=1e-10, atol=1e-16)  # fmt: skip


def test_bad_inputs_name_the_argument():
    cases = [
        (dict(weights=W * 100), "weights: the weights sum to 100"),
        (dict(benchmark=V * 0.5), "benchmark: the weights sum to 0.5"),
        (dict(returns=R * 100), "returns: "),
        (dict(benchmark_returns=None), "benchmark_returns: required when the columns are groups"),
        (dict(weights=pd.Series([1.0], index=["Mars"])), "weights: ['Mars'] are not columns of returns"),
        (dict(linking="arithmetic"), "linking: 'arithmetic' is not one of"),
        (dict(returns=R.where(R.index != "Japan")), "returns: 'Japan' is held but its return is blank"),
    ]
    for change, start in cases:
        args = dict(weights=W, benchmark=V, returns=R, benchmark_returns=B) | change
        with pytest.raises(XLFactorError) as err:
            brinson(args.pop("weights"), args.pop("benchmark"), args.pop("returns"), args.pop("benchmark_returns"),
                    **args)  # fmt: skip
        assert str(err.value).startswith(start), (change, str(err.value))
    with pytest.raises(XLFactorError, match="groups: no group for the asset"):
        brinson(W, V, R, groups={"UK": "Europe"})
    with pytest.raises(XLFactorError, match="benchmark_returns: not used with groups"):
        brinson(W, V, R, B, groups={m: "All" for m in MARKETS})
