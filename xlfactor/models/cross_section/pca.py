"""Statistical factors: principal components of the asset covariance, with missing data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import whole_number
from xlfactor.models.cross_section.regression import check_returns


@dataclass(frozen=True)
class PCAResult:
    """Result of :func:`pca_factors`.

    Attributes
    ----------
    factors : DataFrame
        Factor returns, dates x ["PC1", ...].
    loadings : DataFrame
        Unit-length eigenvectors, assets x factors (sign: loadings sum to a positive number).
    eigenvalues : Series
        Variances of the k components.
    explained_variance_ratio : Series
        eigenvalue / sum of the positive eigenvalues of the covariance.
    cov : DataFrame
        The (pairwise) covariance whose eigenvectors are used, as estimated: with missing data it
        may have small negative eigenvalues (no repaired matrix is built; see :func:`pca_factors`).
    dropped : list
        Assets left out for having fewer than ``min_obs`` returns.
    """

    __repr__ = short_repr

    factors: pd.DataFrame
    loadings: pd.DataFrame
    eigenvalues: pd.Series
    explained_variance_ratio: pd.Series
    cov: pd.DataFrame
    dropped: list


def pairwise_cov(x: np.ndarray) -> np.ndarray:
    """Pairwise-complete sample covariance (ddof 1), as pandas ``DataFrame.cov``.

    .. math::
        C_{ij} = \\frac{1}{n_{ij}-1}\\Big[\\sum_{t \\in ij} x_{ti}x_{tj}
        - \\frac{1}{n_{ij}} \\sum_{t \\in ij} x_{ti} \\sum_{t \\in ij} x_{tj}\\Big]

    over the :math:`n_{ij}` dates where both assets have a return (three matrix products).
    """
    m = np.isfinite(x).astype(float)
    x0 = np.where(m > 0, x, 0.0)
    n = m.T @ m
    sx = x0.T @ m  # sum of x_i over dates where j is present
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x0.T @ x0 - sx * sx.T / n) / (n - 1)


def pca_factors(returns: pd.DataFrame, k: int, *, min_obs: int | None = None, units: str = "auto") -> PCAResult:
    """Principal-component factors of a returns panel.

    Covariance: pairwise-complete (:func:`pairwise_cov`, equal to pandas ``DataFrame.cov``) over
    assets with at least ``min_obs`` returns (default: half the dates). A pairwise matrix need not
    be positive semi-definite. No repaired matrix is built: the loadings are the leading
    eigenvectors of :math:`C = V \\Lambda V'` itself, which are also those of its nearest PSD matrix
    in Frobenius norm (:math:`C` with negative eigenvalues clipped to zero) as long as the k leading
    eigenvalues are positive; negative eigenvalues count as zero only in the explained-variance
    denominator below. This keeps every observation (no imputation) and needs no iteration; with
    complete data :math:`C` is the ordinary sample covariance.

    Loadings are the k leading eigenvectors :math:`v_1..v_k`; explained variance ratio
    :math:`\\lambda_i / \\sum_j \\max(\\lambda_j, 0)`. Factor returns on date t are the OLS
    cross-sectional regression of the de-meaned returns on the loadings over the assets present
    that date, :math:`f_t = (V_t' V_t)^{-1} V_t' (r_t - \\bar r)`, which with complete data is the
    projection :math:`V'(r_t - \\bar r)` (the principal component scores).

    ``units`` as in :func:`~xlfactor.models.cross_section.regression.cross_sectional_regress`.
    """
    returns = check_returns(returns, units=units)
    k = whole_number(k, "k", 1)
    min_obs = max(2, len(returns) // 2) if min_obs is None else whole_number(min_obs, "min_obs", 2)
    counts = returns.notna().sum()
    keep = counts >= min_obs
    data = returns.loc[:, keep]
    if k > data.shape[1]:
        raise XLFactorError.at(
            "returns",
            f"{data.shape[1]} asset(s) have {min_obs} or more returns, fewer than the {k} components "
            f"asked for (k = {k}); add assets or rows, or ask for fewer components",
        )
    x = data.to_numpy()
    cov = pairwise_cov(x)
    if not np.isfinite(cov).all():
        i, j = np.argwhere(~np.isfinite(cov))[0]
        raise XLFactorError.at(
            "returns",
            f"assets {data.columns[i]!r} and {data.columns[j]!r} have returns on fewer than 2 common "
            "dates, so their covariance is undefined; leave one of them out or give them overlapping dates",
        )
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:k]
    lam, v = values[order], vectors[:, order]
    v = v * np.where(v.sum(axis=0) < 0, -1.0, 1.0)
    centred = x - np.nanmean(x, axis=0)
    present = np.isfinite(centred)
    c0 = np.where(present, centred, 0.0)
    gram = np.einsum("tn,ni,nj->tij", present.astype(float), v, v)
    ok = np.linalg.matrix_rank(gram) == k
    gram[~ok] = np.eye(k)
    f = np.linalg.solve(gram, (c0 @ v)[:, :, None])[:, :, 0]
    f[~ok] = np.nan
    names = [f"PC{i + 1}" for i in range(k)]
    total = np.clip(values, 0, None).sum()
    return PCAResult(
        factors=pd.DataFrame(f, index=returns.index, columns=names),
        loadings=pd.DataFrame(v, index=data.columns, columns=names),
        eigenvalues=pd.Series(lam, index=names, name="eigenvalue"),
        explained_variance_ratio=pd.Series(lam / total, index=names, name="explained_variance_ratio"),
        cov=pd.DataFrame(cov, index=data.columns, columns=data.columns),
        dropped=list(returns.columns[~keep]),
    )
