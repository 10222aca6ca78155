"""Batched weighted least squares: one normal-equations solve for many dates at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xlfactor.models.cross_section.design import DesignBlock

#: A date's (scaled) normal matrix with a larger condition number is treated as singular.
MAX_CONDITION = 1e10


@dataclass(frozen=True)
class BlockFit:
    """Per-date WLS of a block: ``coef`` (T, K) NaN on unusable dates and empty factors,
    ``resid`` (T, N) NaN outside the universe, ``rsquared`` (T,), ``nobs`` (T,), and the
    solver pieces ``inverse`` (T, M, M) = (R'X'WXR)^-1 for the characteristic portfolios."""

    coef: np.ndarray
    resid: np.ndarray
    rsquared: np.ndarray
    nobs: np.ndarray
    inverse: np.ndarray


def reduced_normal_matrix(block: DesignBlock) -> tuple[np.ndarray, np.ndarray]:
    """``M_t = R_t' X_t' W_t X_t R_t`` (identity rows/columns for empty factors) and ``X_t' W_t``."""
    xw = block.x * block.w[:, :, None]
    xtw = np.swapaxes(xw, 1, 2)
    a = xtw @ block.x
    if block.r is not None:
        a = np.swapaxes(block.r, 1, 2) @ a @ block.r
    dead = np.abs(np.diagonal(a, axis1=1, axis2=2)) == 0
    a[dead[:, :, None] & np.eye(a.shape[1], dtype=bool)[None]] = 1.0
    return a, xtw


def solve_block(block: DesignBlock, y: np.ndarray, min_obs: int, centered: bool) -> BlockFit:
    """WLS of ``y_t`` on ``X_t`` for every date of the block, under ``f_t = R_t g_t`` if restricted.

    .. math::
        g_t = (R_t' X_t' W_t X_t R_t)^{-1} R_t' X_t' W_t y_t, \\quad f_t = R_t g_t,
        \\quad e_t = y_t - X_t f_t

    R2 is weighted, centred if ``centered`` (the design spans a constant: an intercept or a full
    set of industry dummies), uncentred otherwise, as statsmodels' WLS:
    :math:`R^2_t = 1 - \\sum w e^2 / \\sum w (y - \\bar y_w)^2`.
    Dates with fewer than ``min_obs`` assets or a condition number of the diagonally scaled
    normal matrix above :data:`MAX_CONDITION` give NaN.
    """
    y0 = np.where(block.valid, y, 0.0)
    a, xtw = reduced_normal_matrix(block)
    b = xtw @ y0[:, :, None]
    if block.r is not None:
        b = np.swapaxes(block.r, 1, 2) @ b
    d = np.sqrt(np.diagonal(a, axis1=1, axis2=2))
    scaled = a / (d[:, :, None] * d[:, None, :])
    nobs = block.valid.sum(axis=1)
    ok = nobs >= min_obs
    if ok.any():
        ok[ok] = np.linalg.cond(scaled[ok]) < MAX_CONDITION
    eye = np.eye(a.shape[1])
    scaled[~ok] = eye
    inv = np.linalg.inv(scaled) / (d[:, :, None] * d[:, None, :])
    g = (inv @ b)[:, :, 0]
    coef = g if block.r is None else (block.r @ g[:, :, None])[:, :, 0]
    resid = y0 - (block.x @ coef[:, :, None])[:, :, 0]
    resid = np.where(block.valid, resid, np.nan)
    w = block.w
    sw = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = (w * y0).sum(axis=1) / sw if centered else np.zeros(len(sw))
        tss = (w * (y0 - ybar[:, None]) ** 2 * block.valid).sum(axis=1)
        ssr = (w * np.nan_to_num(resid) ** 2).sum(axis=1)
        r2 = 1.0 - ssr / tss
    coef[~ok] = np.nan
    coef[block.empty] = np.nan
    resid[~ok] = np.nan
    r2[~ok] = np.nan
    inv[~ok] = np.nan
    return BlockFit(coef=coef, resid=resid, rsquared=r2, nobs=nobs, inverse=inv)

