"""Per-date standard errors of cross-sectional factor returns (classic and White/HC1).

For date t with weights ``w`` (times the Huber weights of a robust fit), design ``Z = X R``
(``R`` the restriction matrix, the identity when unconstrained), ``A = Z' W Z``, residuals ``e``,
``n`` assets and ``p`` free parameters (excluding those of industries empty on the date):

* ``"nonrobust"``: ``Cov(g) = s^2 A^-1`` with ``s^2 = sum_n w_n e_n^2 / (n - p)``;
* ``"hc1"`` (White with the small-sample factor):
  ``Cov(g) = n / (n - p) A^-1 (sum_n w_n^2 e_n^2 z_n z_n') A^-1``;

and ``Cov(f) = R Cov(g) R'``. These are statsmodels ``WLS(y, Z, weights=w).fit()`` and
``.fit(cov_type="HC1")`` on the date's universe, mapped to the factors through ``R``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section import wls_kernel
from xlfactor.models.cross_section.design import DesignBlock, PanelDesign, copy_rows
from xlfactor.models.cross_section.wls import reduce_normal, reduced_normal_equations, rows_constraint
from xlfactor.models.cross_section.wls_kernel import AssetRows, as_asset_rows

COV_TYPES = ("nonrobust", "hc1")

#: Target number of float64 elements per block (dates x assets x factors), as in the fit.
BLOCK_ELEMENTS = 4_000_000


def check_cov(cov: object) -> str:
    """``cov`` lower-cased if it is one of :data:`COV_TYPES`, else an :class:`XLFactorError`."""
    if not isinstance(cov, str) or cov.lower() not in COV_TYPES:
        raise XLFactorError.at("cov", f"{cov!r} is not one of {', '.join(COV_TYPES)}")
    return cov.lower()


def factor_return_cov(
    design: PanelDesign,
    y: np.ndarray,
    coef: np.ndarray,
    resid: np.ndarray,
    cov: str,
    huber_weights: np.ndarray | None = None,
    normals: np.ndarray | None = None,
) -> np.ndarray:
    """Covariance of the factor returns of every date (T, K, K); NaN on unusable dates and for
    factors without a return (see the module docstring for the formulas). ``normals`` (T, K', K'):
    the fit's reduced normal matrices ``A`` (recomputed from the panel when None)."""
    cov = check_cov(cov)
    n_t, n_a = y.shape
    k = len(design.factor_names)
    if wls_kernel.compiled(y.size):
        return _cov_compiled(design, y, coef, resid, cov, huber_weights, normals)
    out = np.full((n_t, k, k), np.nan)
    step = max(1, BLOCK_ELEMENTS // max(1, n_a * k))
    for t0 in range(0, n_t, step):
        t1 = min(n_t, t0 + step)
        block = design.block(t0, t1, copy_rows(y, t0, t1))
        w = block.w if huber_weights is None else block.w * np.nan_to_num(huber_weights[t0:t1], nan=1.0)
        a = _gram(block, w) if normals is None else normals[t0:t1].copy()
        a[~np.isfinite(coef[t0:t1]).any(axis=1)] = np.eye(a.shape[1])  # unusable dates: NaN below
        e2 = np.where(block.valid, np.nan_to_num(resid[t0:t1]), 0.0) ** 2
        n = block.valid.sum(axis=1)
        p = a.shape[1] - block.empty.sum(axis=1)  # an industry without assets has no free parameter
        with np.errstate(invalid="ignore", divide="ignore"):
            a_inv = np.linalg.inv(a)
            if cov == "nonrobust":
                cov_g = ((w * e2).sum(axis=1) / (n - p))[:, None, None] * a_inv
            else:
                cov_g = (n / (n - p))[:, None, None] * (a_inv @ _gram(block, w * w * e2) @ a_inv)
        out[t0:t1] = cov_g if block.r is None else block.r @ cov_g @ np.swapaxes(block.r, 1, 2)
    missing = ~np.isfinite(coef)
    out[missing[:, :, None] | missing[:, None, :]] = np.nan
    return out


def _cov_compiled(
    design: PanelDesign,
    y: np.ndarray,
    coef: np.ndarray,
    resid: np.ndarray,
    cov: str,
    huber_weights: np.ndarray | None,
    normals: np.ndarray | None,
) -> np.ndarray:
    """:func:`factor_return_cov` through the compiled kernels: one pass over the panel per block of
    dates gives the HC1 meat ``X' diag(w^2 e^2) X`` (or ``sum w e^2``) and the constraint."""
    n_t = len(y)
    k = len(design.factor_names)
    out = np.full((n_t, k, k), np.nan)
    rows = AssetRows.of(design)
    yt = as_asset_rows(y)[0]
    mode = wls_kernel.HC1_MEAT if cov == "hc1" else wls_kernel.VARIANCE
    for lo in range(0, n_t, wls_kernel.COMPILED_DATES):
        hi = min(n_t, lo + wls_kernel.COMPILED_DATES)
        meat, _, n, ind, tot = rows.normal_sums(yt, lo, hi, mode, huber_weights, resid)
        empty, r = rows_constraint(rows, ind, k)
        if normals is None:
            a, _ = reduce_normal(*rows.normal_sums(yt, lo, hi, wls_kernel.FIT, huber_weights)[:2], r)
        else:
            a = normals[lo:hi].copy()
        a[~np.isfinite(coef[lo:hi]).any(axis=1)] = np.eye(a.shape[1])  # unusable dates: NaN below
        p = a.shape[1] - empty.sum(axis=1)  # an industry without assets has no free parameter
        with np.errstate(invalid="ignore", divide="ignore"):
            a_inv = np.linalg.inv(a)
            if cov == "nonrobust":
                cov_g = (tot[:, 0] / (n - p))[:, None, None] * a_inv
            else:
                meat, _ = reduce_normal(meat, np.zeros(meat.shape[:2]), r)
                cov_g = (n / (n - p))[:, None, None] * (a_inv @ meat @ a_inv)
        out[lo:hi] = cov_g if r is None else r @ cov_g @ np.swapaxes(r, 1, 2)
    missing = ~np.isfinite(coef)
    out[missing[:, :, None] | missing[:, None, :]] = np.nan
    return out


def _gram(block: DesignBlock, weights: np.ndarray) -> np.ndarray:
    """``Z' diag(weights) Z`` per date, ``Z = X R``, from the block's factored sums (no dense design)."""
    a, _ = reduced_normal_equations(replace(block, w=weights, unit_weights=False), np.zeros(weights.shape))
    return a
