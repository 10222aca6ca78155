"""build_sort_factors against a per-date pandas reference and on the 49 industry portfolios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from french_files import french_block
from xs_helpers import make_panel

from xlfactor.models.cross_section.sorts import build_sort_factors


@pytest.fixture(scope="module")
def panel():
    return make_panel()


def _reference(r, me, x, nyse):
    """Straight per-date pandas implementation of the 2x3 sort."""
    out = {}
    for date in r.index:
        d = pd.DataFrame({"r": r.loc[date], "me": me.loc[date], "x": x.loc[date]}).dropna()
        d = d[d.me > 0]
        bp = d[nyse.reindex(d.index).fillna(False).to_numpy(dtype=bool)]
        med, lo, hi = bp.me.median(), bp.x.quantile(0.3), bp.x.quantile(0.7)
        s = np.where(d.me <= med, "S", "B")
        c = np.where(d.x <= lo, "L", np.where(d.x >= hi, "H", "M"))
        d["p"] = pd.Series(s, index=d.index) + "/" + pd.Series(c, index=d.index)
        out[date] = d.groupby("p").apply(lambda g: np.average(g.r, weights=g.me), include_groups=False)
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
    size = (french_block(name, "Number of Firms in Portfolios") * french_block(name, "Average Firm Size"))
    beme = french_block(name, "Sum of BE / Sum of ME")
    beme.index = beme.index + pd.DateOffset(months=18)
    beme = beme.reindex(r.index, method="ffill")
    res = build_sort_factors(r, size.reindex(r.index.union(size.index)).shift(1).reindex(r.index), beme)
    assert res.factors.notna().all().all()
    both = res.factors.join(ff3_monthly[["SMB", "HML"]].add_suffix("_ff")).dropna()
    assert both["SMB"].corr(both["SMB_ff"]) > 0.3
    assert both["HML"].corr(both["HML_ff"]) > 0.3
    assert (res.counts.min() >= 1).all()
