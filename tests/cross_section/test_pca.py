"""pca_factors against numpy's eigen-decomposition and pandas' pairwise covariance."""

from __future__ import annotations

import numpy as np
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section.pca import pca_factors


def test_complete_data_equals_numpy_eigh(industries49):
    r = industries49.loc["1970":].dropna(axis=1)
    res = pca_factors(r, 5)
    cov = np.cov(r.to_numpy(), rowvar=False)
    values, vectors = np.linalg.eigh(cov)
    np.testing.assert_allclose(res.eigenvalues.to_numpy(), values[::-1][:5], rtol=1e-10)
    for i in range(5):
        ref = vectors[:, -1 - i]
        sign = np.sign(ref @ res.loadings.iloc[:, i].to_numpy())
        np.testing.assert_allclose(res.loadings.iloc[:, i].to_numpy(), sign * ref, atol=1e-9)
    np.testing.assert_allclose(res.explained_variance_ratio.to_numpy(), values[::-1][:5] / values.sum(), rtol=1e-10)
    scores = (r - r.mean()).to_numpy() @ res.loadings.to_numpy()
    np.testing.assert_allclose(res.factors.to_numpy(), scores, atol=1e-12)
    assert res.explained_variance_ratio.iloc[0] > 0.5  # the market factor dominates industry returns


def test_missing_data_uses_pandas_pairwise_cov(industries49):
    r = industries49.loc["1960":"1990"]
    assert r.isna().any().any()
    res = pca_factors(r, 3)
    ref = r.loc[:, res.cov.columns].cov()
    np.testing.assert_allclose(res.cov.to_numpy(), ref.to_numpy(), rtol=1e-9)
    values, _ = np.linalg.eigh(ref.to_numpy())
    np.testing.assert_allclose(res.eigenvalues.to_numpy(), values[::-1][:3], rtol=1e-9)
    # factor returns on a date with missing assets: OLS of de-meaned returns on the present loadings
    t = int(np.flatnonzero(r[res.cov.columns].isna().any(axis=1).to_numpy())[0])
    row = (r[res.cov.columns] - r[res.cov.columns].mean()).iloc[t]
    present = row.notna().to_numpy()
    v = res.loadings.to_numpy()[present]
    expected = np.linalg.lstsq(v, row.to_numpy()[present], rcond=None)[0]
    np.testing.assert_allclose(res.factors.iloc[t].to_numpy(), expected, rtol=1e-10)


def test_bad_k(industries10):
    with pytest.raises(XLFactorError, match="k"):
        pca_factors(industries10, 0)
    with pytest.raises(XLFactorError, match="k"):
        pca_factors(industries10, 11)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": "2"}, "k: expected a whole number >= 1, got '2'"),
        ({"k": 1.5}, "k: expected a whole number >= 1, got 1.5"),
        ({"k": 2, "min_obs": "10"}, "min_obs: expected a whole number >= 2"),
    ],
)
def test_bad_argument_types(industries10, kwargs, match):
    with pytest.raises(XLFactorError, match=match):
        pca_factors(industries10, **kwargs)
