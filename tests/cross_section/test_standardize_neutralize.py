"""standardize, dummy_exposures and neutralize against direct per-date references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from xs_helpers import make_panel

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section import dummy_exposures, neutralize, standardize

# every test runs through the compiled kernels and the numpy reference path (conftest.py)
pytestmark = pytest.mark.usefixtures("kernel_path")


@pytest.fixture(scope="module")
def panel():
    return make_panel()


@pytest.fixture(scope="module")
def raw(panel):
    rng = np.random.default_rng(5)
    x = panel.styles["S0"].copy() ** 3 + rng.standard_t(3, panel.styles["S0"].shape)  # fat tails
    return x


def test_standardize_std_winsor_matches_per_date_reference(raw, panel):
    z = standardize(raw, panel.caps, winsor=3.0)
    for t in range(0, len(raw), 9):
        x = raw.iloc[t].dropna()
        lo, hi = x.mean() - 3 * x.std(ddof=0), x.mean() + 3 * x.std(ddof=0)
        xw = x.clip(lo, hi)
        cap = panel.caps.iloc[t][x.index]
        expected = (xw - np.average(xw, weights=cap)) / xw.std(ddof=0)
        np.testing.assert_allclose(z.iloc[t][x.index].to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-14)
        assert z.iloc[t].drop(x.index).isna().all()
    ok = z.notna()
    cap_mean = (z * panel.caps).where(ok).sum(axis=1) / panel.caps.where(ok).sum(axis=1)
    np.testing.assert_allclose(cap_mean.to_numpy(), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=1, ddof=0).to_numpy(), 1, rtol=1e-12)


def test_standardize_then_clip_z_matches_per_date_reference(raw, panel):
    """The course notes' order: z = (x - cap-weighted mean) / sd of the raw values, then z clipped at +/- 3."""
    z = standardize(raw, panel.caps, winsor=3.0, method="clip_z")
    clipped = 0
    for t in range(0, len(raw), 9):
        x = raw.iloc[t].dropna()
        cap = panel.caps.iloc[t][x.index]
        expected = ((x - np.average(x, weights=cap)) / x.std(ddof=0)).clip(-3, 3)
        clipped += int((expected.abs() == 3).sum())
        np.testing.assert_allclose(z.iloc[t][x.index].to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-14)
    assert clipped > 0  # the fat tails reach the clip
    assert not np.allclose(z.to_numpy(), standardize(raw, panel.caps, winsor=3.0).to_numpy(), equal_nan=True)
    unclipped = standardize(raw, panel.caps, winsor=None, method="clip_z")
    pd.testing.assert_frame_equal(unclipped, standardize(raw, panel.caps, winsor=None))


def test_standardize_percentile_equal_weights(raw):
    z = standardize({"x": raw}, method="percentile", percentiles=(0.05, 0.95))["x"]
    x = raw.iloc[7].dropna()
    xw = x.clip(*np.quantile(x, [0.05, 0.95]))
    np.testing.assert_allclose(
        z.iloc[7][x.index].to_numpy(), ((xw - xw.mean()) / xw.std(ddof=0)).to_numpy(), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(z.mean(axis=1).to_numpy(), 0, atol=1e-12)


def test_standardize_constant_date_is_nan_and_bad_args(raw):
    x = raw.copy()
    x.iloc[2] = 1.5
    z = standardize(x)
    assert z.iloc[2].isna().all() and z.iloc[3].notna().any()
    with pytest.raises(XLFactorError, match="method"):
        standardize(raw, method="rank")
    with pytest.raises(XLFactorError, match="winsor"):
        standardize(raw, winsor=-1)


def test_dummy_exposures_equal_get_dummies(panel):
    dates = panel.returns.index[:3]
    d = dummy_exposures(panel.industries, dates)
    ref = pd.get_dummies(panel.industries).astype(float)
    assert list(d) == list(ref.columns)
    for name, frame in d.items():
        assert (frame.to_numpy() == ref[name].to_numpy()[None, :]).all()


def test_neutralized_signal_is_weighted_orthogonal_to_every_control(panel, raw):
    controls = {"S1": panel.styles["S1"], "S2": panel.styles["S2"]}
    w = panel.caps
    out = neutralize(raw, controls, w, industries=panel.industries)
    ok = out.notna()
    wn = w.where(ok)
    wn = wn.div(wn.sum(axis=1), axis=0)  # weights summing to one per date
    for c in [*controls.values(), *dummy_exposures(panel.industries, raw.index).values()]:
        np.testing.assert_allclose((wn * out * c).sum(axis=1).to_numpy(), 0, atol=1e-12)
    np.testing.assert_allclose((wn * out).sum(axis=1).to_numpy(), 0, atol=1e-12)  # and to the constant
    # the residual is statsmodels' WLS residual
    t = 11
    keep = ok.iloc[t]
    xmat = np.c_[
        pd.get_dummies(panel.industries).astype(float)[keep].to_numpy(),
        controls["S1"].iloc[t][keep],
        controls["S2"].iloc[t][keep],
    ]
    fit = sm.WLS(raw.iloc[t][keep].to_numpy(), xmat, weights=w.iloc[t][keep].to_numpy()).fit()
    np.testing.assert_allclose(out.iloc[t][keep].to_numpy(), fit.resid, rtol=1e-10, atol=1e-13)
    # neutralising twice changes nothing
    again = neutralize(out, controls, w, industries=panel.industries)
    np.testing.assert_allclose(again.to_numpy(), out.to_numpy(), atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"winsor": "3"}, "winsor: expected a positive number of standard deviations or None, got '3'"),
        ({"winsor": np.nan}, "winsor: expected a positive number"),
        ({"method": "percentile", "percentiles": (0.1,)}, r"percentiles: expected two fractions 0 <= low < high <= 1"),
        ({"method": "percentile", "percentiles": (0.9, 0.1)}, r"percentiles: expected two fractions"),
        ({"method": "percentile", "percentiles": "ab"}, r"percentiles: expected two fractions"),
    ],
)
def test_standardize_bad_argument_types(raw, kwargs, match):
    with pytest.raises(XLFactorError, match=match):
        standardize(raw, **kwargs)
