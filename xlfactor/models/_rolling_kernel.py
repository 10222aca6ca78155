"""Compiled rolling-window fit: one pass over time per asset, adding one row and dropping one.

Per asset the loop keeps the window sums of ``y``, ``y z_i`` and ``y^2`` (``y`` the return
minus the asset's mean, 0 where missing; ``z`` the standardised factors) and, beside them,
the sums over the current block of ``window`` rows: at each block's last row the window
is exactly that block, so the running sums are replaced by the block's own sums. Every
sum therefore adds and drops at most ``2 * window`` terms since it was last formed from
scratch, the same bound as :func:`~xlfactor.models.rolling.window_sums`.

The factor moments of each window (row count, factor sums, the inverse of the centred
factor cross-products, NaN row counts where no fit is made) come from :func:`factor_moments`
(the same add/drop loop over ``[1, z, z z']``), once for all assets without missing values and
per asset for the others; :func:`rolling_fit` turns them and the sums into
``[alpha, beta..., R2]`` with the formulas of :func:`~xlfactor.models.rolling._fit_chunk`:
assets sharing the moments 64 side by side (``_fit_shared``, vectorised over them), the others
one at a time (``_fit_own``).
"""

from __future__ import annotations

import numpy as np

from xlfactor.models import _jit

#: Assets side by side in the loop over time (the compiler vectorises over them).
_LANES = 64


def rolling_fit(
    z: np.ndarray,
    y: np.ndarray,
    assets: np.ndarray,
    mu: np.ndarray,
    moments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    scale: np.ndarray,
    window: int,
    out: np.ndarray,
    *,
    shared: bool,
) -> bool:
    """Write ``[alpha, beta..., R2]`` of the columns ``assets`` of ``y`` into ``out[assets]``; False without numba.

    ``z`` (K, T) standardised factors; ``y`` (T, N) returns, NaN where missing (any memory
    order); ``mu`` (len(assets),) the assets' mean returns; ``moments`` = ``(n_fit (M, T),
    sx (K, M, T), inv (K, K, M, T), shift (K, M, T))``; ``shift = sx / n_fit + g / s``;
    ``scale`` (K,) the factors' standard deviations ``s``; ``out`` (T, N, K+2). ``shared``:
    the moments are over all rows (``M`` = 1) and serve every asset, a window holding a
    missing return of the asset is not fitted; else each asset has its own (``M`` =
    ``len(assets)``).
    """
    n_fit, sx, inv, shift = moments
    loop = _jit.compiled(_fit_shared if shared else _fit_own)
    if loop is None:
        return False
    loop(z, y, np.ascontiguousarray(assets, dtype=np.int64), mu, n_fit, sx, inv, shift, scale, window, out)
    return True


def _fit_own(z, y, assets, mu, n_fit, sx, inv, shift, scale, window, out):  # pragma: no cover - compiled
    """:func:`rolling_fit` for assets with their own moments (column ``a`` of the moments for ``assets[a]``)."""
    k, t_len = z.shape
    for a in range(assets.shape[0]):
        col = assets[a]
        m = a
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
                    out[t, col, f] = np.nan
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
                out[t, col, 1 + i] = b / scale[i]
                alpha -= shift[i, m, t] * b
                explained += b * cxy[i]
            out[t, col, 0] = alpha
            total = syy - ybar * sy
            out[t, col, k + 1] = explained / total if total != 0.0 else np.nan


def _fit_shared(z, y, assets, mu, n_fit, sx, inv, shift, scale, window, out):  # pragma: no cover - compiled
    """:func:`rolling_fit` for assets sharing the factor moments: chunks of ``_LANES`` assets side by side.

    A window holding a missing return of the asset (``gaps`` counts them) is not fitted: the
    shared moments serve an asset with missing values when ``min_periods == window``.
    """
    k, t_len = z.shape
    count = assets.shape[0]
    for chunk in range(-(-count // _LANES)):
        a0 = chunk * _LANES
        w = min(_LANES, count - a0)
        yv = np.empty((t_len, w))
        missing = np.empty((t_len, w))
        for t in range(t_len):
            for a in range(w):
                v = y[t, assets[a0 + a]]
                yv[t, a] = 0.0 if v != v else v - mu[a0 + a]
                missing[t, a] = 1.0 if v != v else 0.0
        gaps = np.zeros(w)
        sums = np.zeros((k + 2, w))
        blocks = np.zeros((k + 2, w))
        cxy = np.empty((k, w))
        ybar = np.empty(w)
        b = np.empty(w)
        res = np.empty((k + 2, w))  # alpha, beta..., explained sum of squares
        recip = 1.0 / scale
        block_end = window - 1
        for t in range(t_len):
            for a in range(w):
                v = yv[t, a]
                gaps[a] += missing[t, a]
                sums[0, a] += v
                blocks[0, a] += v
                sums[k + 1, a] += v * v
                blocks[k + 1, a] += v * v
            for i in range(k):
                zi = z[i, t]
                for a in range(w):
                    p = yv[t, a] * zi
                    sums[1 + i, a] += p
                    blocks[1 + i, a] += p
            if t >= window:
                for a in range(w):
                    v = yv[t - window, a]
                    gaps[a] -= missing[t - window, a]
                    sums[0, a] -= v
                    sums[k + 1, a] -= v * v
                for i in range(k):
                    zi = z[i, t - window]
                    for a in range(w):
                        sums[1 + i, a] -= yv[t - window, a] * zi
            if t == block_end:
                block_end += window
                for f in range(k + 2):
                    for a in range(w):
                        sums[f, a] = blocks[f, a]
                        blocks[f, a] = 0.0
            nf = n_fit[0, t]
            if nf != nf:
                for a in range(w):
                    for f in range(k + 2):
                        out[t, assets[a0 + a], f] = np.nan
                continue
            # fields in lanes first (vectorised over assets), then one store pass per date
            inv_nf = 1.0 / nf
            for a in range(w):
                ybar[a] = sums[0, a] * inv_nf
                res[0, a] = ybar[a] + mu[a0 + a]
                res[k + 1, a] = 0.0
            for i in range(k):
                sxi = sx[i, 0, t]
                for a in range(w):
                    cxy[i, a] = sums[1 + i, a] - sxi * ybar[a]
            for i in range(k):
                for a in range(w):
                    b[a] = 0.0
                for j in range(k):
                    cij = inv[i, j, 0, t]
                    for a in range(w):
                        b[a] += cij * cxy[j, a]
                ri = recip[i]
                shi = shift[i, 0, t]
                for a in range(w):
                    res[1 + i, a] = b[a] * ri
                    res[0, a] -= shi * b[a]
                    res[k + 1, a] += b[a] * cxy[i, a]
            for a in range(w):
                col = assets[a0 + a]
                if gaps[a] > 0.0:
                    for f in range(k + 2):
                        out[t, col, f] = np.nan
                    continue
                for f in range(k + 1):
                    out[t, col, f] = res[f, a]
                total = sums[k + 1, a] - ybar[a] * sums[0, a]
                out[t, col, k + 1] = res[k + 1, a] / total if total != 0.0 else np.nan


def factor_moments(
    z: np.ndarray,
    y: np.ndarray,
    assets: np.ndarray | None,
    window: int,
    min_periods: int,
    offset: np.ndarray,
    singular_det: float,
) -> tuple[np.ndarray, ...] | None:
    """Window moments of the factors for :func:`rolling_fit`, compiled; None without numba.

    Over all rows (``assets`` None: one column shared by the assets without missing
    values) or over the rows where each column ``assets`` of ``y`` is present. The rules
    of :func:`~xlfactor.models.rolling._factor_moments`: a window is fitted when full,
    with at least ``min_periods`` rows, no factor constant in it (variance below
    ``1e-12``) and a factor correlation determinant at least ``singular_det``.
    ``offset`` (K,) is ``g / s`` (``shift = sx / n + g / s``). Returns ``(n_fit, sx, inv, shift)``.
    """
    loop = _jit.compiled(_moments_loop)
    if loop is None:
        return None
    k, t = z.shape
    cols = np.zeros(0, dtype=np.int64) if assets is None else np.ascontiguousarray(assets, dtype=np.int64)
    m = max(1, cols.size)
    n_fit, sx, inv, shift = np.empty((m, t)), np.empty((k, m, t)), np.empty((k, k, m, t)), np.empty((k, m, t))
    loop(z, y, cols, window, min_periods, singular_det, offset, n_fit, sx, inv, shift)
    return n_fit, sx, inv, shift


def _moments_loop(z, y, cols, window, min_periods, singular_det, offset, n_fit, sx, inv, shift):  # pragma: no cover
    """Per column: window sums of ``[1, z, z z']`` over the used rows (add one row, drop one, exact
    block sums), then per fitted window ``C_xx``, its correlation matrix's determinant and the
    inverse, both from one Gauss-Jordan elimination with partial pivoting of the correlation
    matrix ``R``: ``C_xx^-1 = D^-1/2 R^-1 D^-1/2``."""
    k, t_len = z.shape
    size = 1 + k + k * k
    for a in range(max(1, cols.shape[0])):
        col = cols[a] if cols.shape[0] > 0 else -1
        sums = np.zeros(size)
        blocks = np.zeros(size)
        work = np.empty((k, 2 * k))
        rsd = np.empty(k)  # 1 / standard deviations
        block_end = window - 1
        for t in range(t_len):
            if col < 0 or y[t, col] == y[t, col]:
                sums[0] += 1.0
                blocks[0] += 1.0
                for i in range(k):
                    zi = z[i, t]
                    sums[1 + i] += zi
                    blocks[1 + i] += zi
                    for j in range(k):
                        p = zi * z[j, t]
                        sums[1 + k + i * k + j] += p
                        blocks[1 + k + i * k + j] += p
            r = t - window
            if r >= 0 and (col < 0 or y[r, col] == y[r, col]):
                sums[0] -= 1.0
                for i in range(k):
                    zi = z[i, r]
                    sums[1 + i] -= zi
                    for j in range(k):
                        sums[1 + k + i * k + j] -= zi * z[j, r]
            if t == block_end:
                block_end += window
                for q in range(size):
                    sums[q] = blocks[q]
                    blocks[q] = 0.0
            n = sums[0]
            n_fit[a, t] = np.nan
            for i in range(k):
                sx[i, a, t] = sums[1 + i]
            if t < window - 1 or n < min_periods:
                continue
            regular = True
            for i in range(k):
                var = sums[1 + k + i * k + i] - sums[1 + i] * sums[1 + i] / n
                if not var > 1e-12 * n:
                    regular = False
                rsd[i] = 1.0 / np.sqrt(var) if var > 0.0 else 1.0
            if not regular:
                continue
            for i in range(k):
                for j in range(k):
                    cij = sums[1 + k + i * k + j] - sums[1 + i] * sums[1 + j] / n
                    work[i, j] = cij * rsd[i] * rsd[j]
                    work[i, k + j] = 1.0 if i == j else 0.0
            det = 1.0
            for c in range(k):
                p = c
                for r in range(c + 1, k):
                    if abs(work[r, c]) > abs(work[p, c]):
                        p = r
                if work[p, c] == 0.0:
                    det = 0.0
                    break
                if p != c:
                    det = -det
                    for j in range(2 * k):
                        work[c, j], work[p, j] = work[p, j], work[c, j]
                det *= work[c, c]
                scale = 1.0 / work[c, c]
                for j in range(2 * k):
                    work[c, j] *= scale
                for r in range(k):
                    if r != c:
                        f = work[r, c]
                        for j in range(2 * k):
                            work[r, j] -= f * work[c, j]
            if not det >= singular_det:
                continue
            n_fit[a, t] = n
            for i in range(k):
                shift[i, a, t] = sums[1 + i] / n + offset[i]
                for j in range(k):
                    inv[i, j, a, t] = work[i, k + j] * rsd[i] * rsd[j]
