"""build_sort_factors, single_sort_factor and quantile_spread against per-date pandas references (groupby, qcut), a
hand-checked 2x3 date and the 49 industry portfolios. Tolerance rtol 1e-12 unless stated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from french_files import french_block
from xs_helpers import make_panel

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section.sorts import build_sort_factors, quantile_spread, single_sort_factor


@pytest.fixture(scope="module")
def panel():
    return make_panel()


def _reference(r, me, x, nyse, lo_p=0.3, hi_p=0.7, weighted=True):
    """Straight per-date pandas implementation of the 2x3 sort (buckets right-closed: x <= lo is L)."""
    out = {}
    for date in r.index:
        d = pd.DataFrame({"r": r.loc[date], "me": me.loc[date], "x": x.loc[date]}).dropna()
        d = d[d.me > 0]
        bp = d[nyse.reindex(d.index).fillna(False).to_numpy(dtype=bool)]
        med, lo, hi = bp.me.median(), bp.x.quantile(lo_p), bp.x.quantile(hi_p)
        s = np.where(d.me <= med, "S", "B")
        c = np.where(d.x <= lo, "L", np.where(d.x > hi, "H", "M"))
        d["p"] = pd.Series(s, index=d.index) + "/" + pd.Series(c, index=d.index)
        if weighted:
            out[date] = d.groupby("p").apply(lambda g: np.average(g.r, weights=g.me), include_groups=False)
        else:
            out[date] = d.groupby("p")["r"].mean()
    return pd.DataFrame(out).T


def test_equals_per_date_reference_with_nyse_breakpoints(panel):
    r = panel.returns.iloc[:20]
    rng = np.random.default_rng(3)
    nyse = pd.Series(rng.random(r.shape[1]) < 0.4, index=r.columns)
    res = build_sort_factors(r, panel.caps, panel.styles["S1"], breakpoints=nyse)
    ref = _reference(r, panel.caps, panel.styles["S1"], nyse)[list(res.portfolios.columns)]
    np.testing.assert_allclose(res.portfolios.to_numpy(), ref.to_numpy(), rtol=1e-12)
    p = res.portfolios
    smb = (p["S/L"] + p["S/M"] + p["S/H"] - p["B/L"] - p["B/M"] - p["B/H"]) / 3
    np.testing.assert_allclose(res.factors["SMB"], smb)
    np.testing.assert_allclose(res.factors["HML"], (p["S/H"] + p["B/H"] - p["S/L"] - p["B/L"]) / 2)
    assert (res.counts.sum(axis=1) == (r.notna() & panel.styles["S1"].iloc[:20].notna()).sum(axis=1)).all()


def test_industry_sorts_track_fama_french_factors(ff3_monthly):
    """2x3 sorts of the 49 industries on last month's size and lagged BE/ME.

    Industries are diversified portfolios, so the industry SMB/HML only partly track the stock-level
    Fama-French factors; the correlations (0.50 and 0.54 over 1964-2025) must be clearly positive.
    """
    name = "49_Industry_Portfolios.csv"
    r = french_block(name, "Average Value Weighted Returns -- Monthly").loc["1964":]
    size = french_block(name, "Number of Firms in Portfolios") * french_block(name, "Average Firm Size")
    beme = french_block(name, "Sum of BE / Sum of ME")
    beme.index = beme.index + pd.DateOffset(months=18)
    beme = beme.reindex(r.index, method="ffill")
    res = build_sort_factors(r, size.reindex(r.index.union(size.index)).shift(1).reindex(r.index), beme)
    assert res.factors.notna().all().all()
    both = res.factors.join(ff3_monthly[["SMB", "HML"]].add_suffix("_ff")).dropna()
    assert both["SMB"].corr(both["SMB_ff"]) > 0.3
    assert both["HML"].corr(both["HML_ff"]) > 0.3
    assert (res.counts.min() >= 1).all()


def test_hand_checked_date():
    """Eight assets, sizes 1..8, returns i%: breakpoints and portfolios worked out by hand.

    Size median 4.5 (A-D small, E-H big). x = 1,8,4,2,5,7,3,6: 30th/70th percentiles by linear
    interpolation over the sorted 1..8 are 3 + 0.1 = 3.1 and 5 + 0.9 = 5.9, so
    S/L = {A, D}, S/M = {C}, S/H = {B}, B/L = {G}, B/M = {E}, B/H = {F, H}.
    """
    assets = list("ABCDEFGH")
    dates = pd.date_range("2020-01-31", periods=2, freq="ME")
    r = pd.DataFrame([[0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08]] * 2, index=dates, columns=assets)
    me = pd.DataFrame([[1.0, 2, 3, 4, 5, 6, 7, 8]] * 2, index=dates, columns=assets)
    x = pd.DataFrame([[1.0, 8, 4, 2, 5, 7, 3, 6]] * 2, index=dates, columns=assets)
    res = build_sort_factors(r, me, x)
    assert res.breakpoints.iloc[0].tolist() == pytest.approx([4.5, 3.1, 5.9], rel=1e-14)
    sl, sm, sh = (1 * 0.01 + 4 * 0.04) / 5, 0.03, 0.02
    bl, bm, bh = 0.07, 0.05, (6 * 0.06 + 8 * 0.08) / 14
    assert res.portfolios.iloc[0].tolist() == pytest.approx([sl, sm, sh, bl, bm, bh], rel=1e-14)
    assert res.counts.iloc[0].tolist() == [2, 1, 1, 1, 1, 2]
    assert res.factors.iloc[0]["SMB"] == pytest.approx(-0.0358095238095238, rel=1e-12)
    assert res.factors.iloc[0]["HML"] == pytest.approx(-0.0062857142857143, rel=1e-12)


@pytest.mark.parametrize("percentiles", [(), (0.7, 0.3), ("a", "b"), 0.3, (0.0, 0.7), (0.3, 0.3)])
def test_bad_percentiles(panel, percentiles):
    with pytest.raises(XLFactorError, match=r"percentiles: expected increasing fractions in \(0, 1\)"):
        build_sort_factors(panel.returns, panel.caps, panel.styles["S1"], percentiles=percentiles)


@pytest.mark.parametrize("weighting", ["value", "equal"])
def test_10_90_split_equal_and_value_weighted(panel, weighting):
    """The notes' 10/90 split: L = bottom 10%, H = top 10% of the characteristic."""
    r = panel.returns.iloc[:12]
    everyone = pd.Series(True, index=r.columns)
    res = build_sort_factors(r, panel.caps, panel.styles["S2"], percentiles=(0.1, 0.9), weighting=weighting)
    ref = _reference(r, panel.caps, panel.styles["S2"], everyone, 0.1, 0.9, weighting == "value")
    np.testing.assert_allclose(res.portfolios.to_numpy(), ref[list(res.portfolios.columns)].to_numpy(), rtol=1e-12)
    assert list(res.breakpoints.columns) == ["size_p50", "x_p10", "x_p90"]
    share_low = res.counts[["S/L", "B/L"]].sum(axis=1) / res.counts.sum(axis=1)
    assert share_low.between(0.09, 0.11).all()


def test_size_terciles_by_one_characteristic_split(panel):
    """3 size groups x 2 characteristic groups: SMB = Size1 row mean - Size3 row mean, HML = H - L column means."""
    r = panel.returns.iloc[:6]
    res = build_sort_factors(
        r,
        panel.caps,
        panel.styles["S1"],
        size_percentiles=(1 / 3, 2 / 3),
        percentiles=(0.5,),
        weighting="equal",
        name="X",
    )
    p = res.portfolios
    assert list(p.columns) == ["Size1/L", "Size1/H", "Size2/L", "Size2/H", "Size3/L", "Size3/H"]
    np.testing.assert_allclose(res.factors["SMB"], (p["Size1/L"] + p["Size1/H"] - p["Size3/L"] - p["Size3/H"]) / 2)
    hml = (p.filter(like="/H").sum(axis=1) - p.filter(like="/L").sum(axis=1)) / 3
    np.testing.assert_allclose(res.factors["X"], hml)
    # equal-weighted bucket returns from a groupby of qcut-style buckets on date 0
    d = pd.DataFrame({"r": r.iloc[0], "me": panel.caps.iloc[0], "x": panel.styles["S1"].iloc[0]}).dropna()
    size = pd.cut(d.me, [-np.inf, *d.me.quantile([1 / 3, 2 / 3]), np.inf], labels=["Size1", "Size2", "Size3"])
    char = np.where(d.x <= d.x.median(), "L", "H")
    ref = d.r.groupby([size.astype(str), char]).mean()
    for (s, c), value in ref.items():
        assert p.iloc[0][f"{s}/{c}"] == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("weighting", ["equal", "value"])
def test_quantile_spread_equals_qcut_groupby(panel, weighting):
    r = panel.returns.iloc[:15]
    signal = panel.styles["S0"]
    res = quantile_spread(r, signal, weighting=weighting, caps=panel.caps)
    assert list(res.portfolios.columns) == [f"Q{k}" for k in range(1, 11)]
    for t, date in enumerate(r.index):
        d = pd.DataFrame({"r": r.loc[date], "x": signal.loc[date], "me": panel.caps.loc[date]}).dropna()
        q = pd.qcut(d.x, 10, labels=False)
        if weighting == "equal":
            ref = d.r.groupby(q).mean()
        else:
            ref = d.groupby(q).apply(lambda g: np.average(g.r, weights=g.me), include_groups=False)
        np.testing.assert_allclose(res.portfolios.iloc[t].to_numpy(), ref.to_numpy(), rtol=1e-12)
        assert res.counts.iloc[t].tolist() == q.value_counts().sort_index().tolist()
        assert res.factors["spread"].iloc[t] == pytest.approx(ref.iloc[-1] - ref.iloc[0], rel=1e-12)


def test_quantile_spread_nyse_breakpoints_and_quintiles(panel):
    r = panel.returns.iloc[:5]
    signal = panel.styles["S1"]
    nyse = pd.Series(np.arange(r.shape[1]) % 3 == 0, index=r.columns)
    res = quantile_spread(r, signal, n_quantiles=5, breakpoints=nyse)
    for t, date in enumerate(r.index):
        d = pd.DataFrame({"r": r.loc[date], "x": signal.loc[date]}).dropna()
        edges = d.x[nyse.reindex(d.index)].quantile([0.2, 0.4, 0.6, 0.8]).to_numpy()
        q = pd.cut(d.x, [-np.inf, *edges, np.inf], labels=False)
        np.testing.assert_allclose(res.portfolios.iloc[t].to_numpy(), d.r.groupby(q).mean().to_numpy(), rtol=1e-12)


def test_quantile_spread_bad_input(panel):
    with pytest.raises(XLFactorError, match="caps: weighting=.value. needs the market caps"):
        quantile_spread(panel.returns, panel.styles["S0"], weighting="value")
    with pytest.raises(XLFactorError, match="weighting: 'cap' is not one of value, equal"):
        quantile_spread(panel.returns, panel.styles["S0"], weighting="cap")
    with pytest.raises(XLFactorError, match="n_quantiles: expected a whole number >= 2"):
        quantile_spread(panel.returns, panel.styles["S0"], n_quantiles=1)
    with pytest.raises(XLFactorError, match="breakpoints: expected a boolean Series"):
        quantile_spread(panel.returns, panel.styles["S0"], breakpoints=[True, False])


def test_single_sorts_of_the_notes_by_hand(panel):
    """One call each: SMB = EW bottom 10% minus top 10% of caps; HML = EW top 30% minus bottom 30% of the
    characteristic (pandas per date: <= p10 small, > p90 big; <= p30 low, > p70 high)."""
    r = panel.returns.iloc[:10]
    caps, bm = panel.caps, panel.styles["S2"]
    smb = single_sort_factor(r, caps, percentiles=(0.1, 0.9), low_minus_high=True, name="SMB")
    hml = single_sort_factor(r, bm)
    assert list(smb.factors.columns) == ["SMB"] and list(hml.factors.columns) == ["HML"]
    assert list(hml.portfolios.columns) == ["L", "M", "H"] and list(hml.breakpoints.columns) == ["x_p30", "x_p70"]
    for date in r.index:
        d = pd.DataFrame({"r": r.loc[date], "me": caps.loc[date], "x": bm.loc[date]})
        s = d.dropna(subset=["r", "me"])
        small, big = s.r[s.me <= s.me.quantile(0.1)].mean(), s.r[s.me > s.me.quantile(0.9)].mean()
        assert smb.factors.loc[date, "SMB"] == pytest.approx(small - big, rel=1e-12)
        v = d.dropna(subset=["r", "x"])
        high, low = v.r[v.x > v.x.quantile(0.7)].mean(), v.r[v.x <= v.x.quantile(0.3)].mean()
        assert hml.factors.loc[date, "HML"] == pytest.approx(high - low, rel=1e-12)
    weighted = single_sort_factor(r, bm, weighting="value", caps=caps)
    d = pd.DataFrame({"r": r.iloc[0], "me": caps.iloc[0], "x": bm.iloc[0]}).dropna()
    top = d[d.x > d.x.quantile(0.7)]
    assert weighted.portfolios.iloc[0]["H"] == pytest.approx(np.average(top.r, weights=top.me), rel=1e-12)
    with pytest.raises(XLFactorError, match="low_minus_high: expected True or False"):
        single_sort_factor(r, bm, low_minus_high="yes")
