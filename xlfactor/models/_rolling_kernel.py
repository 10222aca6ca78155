"""Compiled rolling-window fit: one pass over time per asset, adding one row and dropping one.

Per asset the loop keeps the window sums of ``y``, ``y z_i`` and ``y^2`` (``y`` the return
minus the asset's mean, 0 where missing; ``z`` the standardised factors) and, beside them,
the sums over the current block of ``window`` rows: at each block's last row the window
is exactly that block, so the running sums are replaced by the block's own sums. Every
sum therefore adds and drops at most ``2 * window`` terms since it was last formed from
scratch, the same bound as :func:`~xlfactor.models.rolling.window_sums`.

The factor moments of each window (row count, factor sums, the inverse of the centred
factor cross-products, NaN row counts where no fit is made) come from the caller, shared
by every asset without missing values; the loop turns them and the sums into
``[alpha, beta..., R2]`` with the formulas of :func:`~xlfactor.models.rolling._fit_chunk`.
"""

from __future__ import annotations

import numpy as np

from xlfactor.models import _jit

try:
    from numba import prange
except ImportError:  # pragma: no cover - without numba the kernel is never called
    prange = range


def rolling_fit(
    z: np.ndarray,
    y: np.ndarray,
    assets: np.ndarray,
    mu: np.ndarray,
    moments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    scale: np.ndarray,
    window: int,
    out: np.ndarray,
) -> bool:
    """Write ``[alpha, beta..., R2]`` of the columns ``assets`` of ``y`` into ``out[assets]``; False without numba.

    ``z`` (K, T) standardised factors; ``y`` (T, N) returns, NaN where missing (any memory
    order); ``mu`` (len(assets),) the assets' mean returns; ``moments`` = ``(n_fit (M, T),
    sx (K, M, T), inv (K, K, M, T), shift (K, M, T))`` with ``M`` 1 (shared) or
    ``len(assets)`` (one column per asset); ``shift = sx / n_fit + g / s``; ``scale`` (K,)
    the factors' standard deviations ``s``; ``out`` (N, K+2, T).
    """
    loop = _jit.compiled(_fit_loop)
    if loop is None:
        return False
    n_fit, sx, inv, shift = moments
    loop(z, y, np.ascontiguousarray(assets, dtype=np.int64), mu, n_fit, sx, inv, shift, scale, window, out)
    return True


def _fit_loop(z, y, assets, mu, n_fit, sx, inv, shift, scale, window, out):  # pragma: no cover - compiled
    """The per-asset loop of :func:`rolling_fit` (see the module notes)."""
    k, t_len = z.shape
    shared = n_fit.shape[0] == 1
    for a in prange(assets.shape[0]):
        col = assets[a]
        m = 0 if shared else a
        mean = mu[a]
        sxy = np.zeros(k)
        bxy = np.zeros(k)
        cxy = np.empty(k)
        sy = 0.0
        syy = 0.0
        by = 0.0
        byy = 0.0
        block_end = window - 1
        for t in range(t_len):
            v = y[t, col]
            v = 0.0 if v != v else v - mean
            sy += v
            by += v
            syy += v * v
            byy += v * v
            for i in range(k):
                p = v * z[i, t]
                sxy[i] += p
                bxy[i] += p
            if t >= window:
                old = y[t - window, col]
                if old == old:
                    old -= mean
                    sy -= old
                    syy -= old * old
                    for i in range(k):
                        sxy[i] -= old * z[i, t - window]
            if t == block_end:
                block_end += window
                sy = by
                syy = byy
                by = 0.0
                byy = 0.0
                for i in range(k):
                    sxy[i] = bxy[i]
                    bxy[i] = 0.0
            nf = n_fit[m, t]
            if nf != nf:
                for f in range(k + 2):
                    out[col, f, t] = np.nan
                continue
            ybar = sy / nf
            for i in range(k):
                cxy[i] = sxy[i] - sx[i, m, t] * ybar
            alpha = ybar + mean
            explained = 0.0
            for i in range(k):
                b = 0.0
                for j in range(k):
                    b += inv[i, j, m, t] * cxy[j]
                out[col, 1 + i, t] = b / scale[i]
                alpha -= shift[i, m, t] * b
                explained += b * cxy[i]
            out[col, 0, t] = alpha
            total = syy - ybar * sy
            out[col, k + 1, t] = explained / total if total != 0.0 else np.nan
