"""Batched weighted least squares: one normal-equations solve for many dates at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xlfactor.models.cross_section.design import DesignBlock, restriction_matrices
from xlfactor.models.cross_section.wls_kernel import AssetRows, solve_dates

#: Smallest acceptable 1 - R2 of a factor column on the others (see :func:`well_conditioned`).
MIN_PIVOT = 1e-10


@dataclass(frozen=True)
class BlockFit:
    """Per-date WLS of a block: ``coef`` (T, K) NaN on unusable dates and empty factors,
    ``resid`` (T, N) NaN outside the universe (None if not asked for), ``rsquared`` (T,), ``nobs`` (T,),
    ``normal`` (T, K', K') the reduced normal matrices solved (see :func:`reduced_normal_equations`)."""

    coef: np.ndarray
    resid: np.ndarray | None
    rsquared: np.ndarray
    nobs: np.ndarray
    normal: np.ndarray


def reduced_normal_equations(block: DesignBlock, y0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``M_t = R_t' X_t' W_t X_t R_t`` (a unit diagonal for empty factors) and ``R_t' X_t' W_t y_t``."""
    return reduce_normal(*block.normal_equations(y0), block.r)


def reduce_normal(a: np.ndarray, b: np.ndarray, r: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``R' a R`` (a unit diagonal where it is zero: empty factors) and ``R' b`` per date (``r`` None: I)."""
    if r is not None:
        rt = np.swapaxes(r, 1, 2)
        a = rt @ a @ r
        b = (rt @ b[:, :, None])[:, :, 0]
    dead = np.diagonal(a, axis1=1, axis2=2) == 0
    a[dead[:, :, None] & np.eye(a.shape[1], dtype=bool)[None]] = 1.0
    return a, b


def solve_normal(
    a: np.ndarray, b: np.ndarray, r: np.ndarray | None, nobs: np.ndarray, min_obs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``g = a^-1 b`` per date (on the unit-diagonal scaling), ``coef = R g`` and the usable dates
    ``ok`` (at least ``min_obs`` assets, :func:`well_conditioned`); ``coef`` is not yet masked."""
    d = np.sqrt(np.diagonal(a, axis1=1, axis2=2))
    scaled = a / (d[:, :, None] * d[:, None, :])
    ok = (nobs >= min_obs) & well_conditioned(scaled)
    scaled[~ok] = np.eye(a.shape[1])
    g = np.linalg.solve(scaled, (b / d)[:, :, None])[:, :, 0] / d
    coef = g if r is None else (r @ g[:, :, None])[:, :, 0]
    return g, coef, ok


def solve_block(block: DesignBlock, y: np.ndarray, min_obs: int, centered: bool, residuals: bool = True) -> BlockFit:
    """WLS of ``y_t`` on ``X_t`` for every date of the block, under ``f_t = R_t g_t`` if restricted.

    .. math::
        g_t = (R_t' X_t' W_t X_t R_t)^{-1} R_t' X_t' W_t y_t, \\quad f_t = R_t g_t,
        \\quad e_t = y_t - X_t f_t

    R2 is weighted, centred if ``centered`` (the design spans a constant: an intercept or a full
    set of industry dummies), uncentred otherwise, as statsmodels' WLS:
    :math:`R^2_t = 1 - \\sum w e^2 / \\sum w (y - \\bar y_w)^2`.
    Dates with fewer than ``min_obs`` assets or a collinear design (:func:`well_conditioned`)
    give NaN. With ``residuals=False`` the residuals are skipped (``resid`` is None) and
    :math:`\\sum w e^2 = y'Wy - g' R'X'Wy` comes from the normal equations.
    """
    y0 = np.where(block.valid, y, 0.0)
    a, b = reduced_normal_equations(block, y0)
    nobs = block.valid.sum(axis=1)
    g, coef, ok = solve_normal(a, b, block.r, nobs, min_obs)
    w = block.w
    sw = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = (w * y0).sum(axis=1) / sw if centered else np.zeros(len(sw))
        tss = (w * (y0 - ybar[:, None]) ** 2).sum(axis=1)
        if residuals:
            resid = np.where(block.valid, y0 - block.predict(coef), np.nan)
            ssr = (w * np.nan_to_num(resid) ** 2).sum(axis=1)
            resid[~ok] = np.nan
        else:
            resid = None
            ssr = (w * y0**2).sum(axis=1) - (g * b).sum(axis=1)
        r2 = 1.0 - ssr / tss
    coef[~ok] = np.nan
    coef[block.empty] = np.nan
    r2[~ok] = np.nan
    return BlockFit(coef=coef, resid=resid, rsquared=r2, nobs=nobs, normal=a)


def rows_constraint(
    rows: AssetRows, ind: np.ndarray, k: int, restrict: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """From :meth:`AssetRows.normal_sums`' industry sums ``ind``: the empty factors (T, K) and the
    restriction matrices (None when unconstrained or not ``restrict``), as :meth:`PanelDesign.block`
    builds them."""
    first = int(rows.intercept)
    empty = np.zeros((len(ind), k), dtype=bool)
    if not rows.n_ind:
        return empty, None
    empty[:, first : first + rows.n_ind] = ind[:, 0] == 0
    return empty, restriction_matrices(ind[:, 1], first, k) if rows.intercept and restrict else None


def solve_rows(
    rows: AssetRows, yt: np.ndarray, lo: int, hi: int, min_obs: int, centered: bool, resid: np.ndarray | None
) -> BlockFit:
    """:func:`solve_block` for dates ``lo .. hi-1`` through the compiled kernels: ``yt`` and
    ``resid`` (filled in place, or None) are assets x dates; the returned ``resid`` is None."""
    a, b, nobs, ind, tot = rows.normal_sums(yt, lo, hi)
    empty = rows_constraint(rows, ind, a.shape[1], restrict=False)[0]
    a, coef, ok = solve_dates(a, b, ind, rows.intercept, nobs, min_obs, MIN_PIVOT)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = tot[:, 1] / tot[:, 0] if centered else np.zeros(hi - lo)
        ssr, tss = rows.residual_sums(yt, lo, hi, coef, ok, ybar, resid)
        r2 = 1.0 - ssr / tss
    coef[~ok] = np.nan
    coef[empty] = np.nan
    r2[~ok] = np.nan
    return BlockFit(coef=coef, resid=None, rsquared=r2, nobs=nobs, normal=a)


def well_conditioned(scaled: np.ndarray) -> np.ndarray:
    """Whether each unit-diagonal normal matrix is safely positive definite.

    The squared Cholesky pivots of a unit-diagonal Gram matrix are :math:`1 - R^2_k`, with
    :math:`R^2_k` from regressing column k on the columns before it; a pivot below
    :data:`MIN_PIVOT` (collinearity) or a failed factorisation marks the date unusable.
    """
    try:
        chol = np.linalg.cholesky(scaled)
    except np.linalg.LinAlgError:
        if len(scaled) == 1:
            return np.zeros(1, dtype=bool)
        return np.concatenate([well_conditioned(m[None]) for m in scaled])
    pivots = np.diagonal(chol, axis1=1, axis2=2) ** 2
    return np.all(np.isfinite(pivots), axis=1) & (pivots.min(axis=1) > MIN_PIVOT)
