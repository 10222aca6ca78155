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
assets sharing the moments up to ``_LANES`` side by side (``_fit_shared``), the others one at
a time (``_fit_own``).

``_fit_shared`` is written so that the compiler vectorises it across the assets: every loop
over the assets runs over rows of small local arrays (the window sums, the results), reading
the returns from a ring of recent dates into which they are copied, assets side by side, a
tile of dates at a time; and it receives the factor count as the length of a tuple, a
constant of the compiled code, so the loops over factors unroll and each date's results are
stored as contiguous vectors. It is therefore compiled once per factor count (on first use,
then read from numba's cache).
"""

from __future__ import annotations

import numpy as np

from xlfactor.models import _jit

#: Assets side by side in the loop over time (the compiler vectorises over them); their sums stay in cache.
_LANES = 128
#: Dates of returns copied at a time into the ring of rows the loop over time reads.
_TILE = 64


def rolling_fit(
    z: np.ndarray,
    y: np.ndarray,
    assets: np.ndarray,
    mu: np.ndarray,
    complete: np.ndarray,
    moments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    scale: np.ndarray,
    window: int,
    out: np.ndarray,
    *,
    shared: bool,
) -> bool:
    """Write ``[alpha, beta..., R2]`` of the columns ``assets`` of ``y`` into ``out[assets]``; False without numba.

    ``z`` (K, T) standardised factors; ``y`` (T, N) returns, NaN where missing (any memory
    order); ``mu`` (len(assets),) the assets' mean returns, ``complete`` whether they have every
    return (both in the order of ``assets``); ``moments`` = ``(n_fit (M, T),
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
    cols = np.ascontiguousarray(assets, dtype=np.int64)
    if not shared:
        loop(z, y, cols, mu, n_fit, sx, inv, shift, scale, window, out)
        return True
    t, n, q = out.shape
    recip = tuple(1.0 / scale)
    gappy = ~np.asarray(complete, dtype=bool)
    if cols.size == n and bool((cols == np.arange(n)).all()):  # every asset: written in place
        loop(z, y, cols, mu, gappy, n_fit, sx, inv, shift, recip, window, out.reshape(t, n * q))
        return True
    for lo in range(0, cols.size, _LANES):  # some assets: through a buffer of one chunk of them
        part = cols[lo : lo + _LANES]
        target = np.empty((t, part.size * q))
        loop(z, y, part, mu[lo : lo + _LANES], gappy[lo : lo + _LANES], n_fit, sx, inv, shift, recip, window, target)
        out[:, part] = target.reshape(t, part.size, q)
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


def _fit_shared(z, y, assets, mu, gappy, n_fit, sx, inv, shift, recip, window, out):  # pragma: no cover - compiled
    """:func:`rolling_fit` for assets sharing the factor moments: up to ``_LANES`` assets side by side.

    ``recip`` is a tuple (``1 / s`` per factor): its length, K, is a constant of the compiled code,
    so the loops over factors unroll inside the loops over assets. ``out`` (T, len(assets) * (K+2))
    holds the assets in the order given; ``gappy`` flags those with a missing return. Every loop
    over the assets reads and writes rows of local arrays ``_LANES`` wide, which the compiler
    vectorises: the returns are copied a tile of ``_TILE`` dates at a time into a ring of
    ``window`` + ``_TILE`` rows (the row dropped, ``t - window``, is still there; before the first
    full window a row of zeros is dropped), one loop adds and drops a row for every sum, one
    computes every field of the date, which is then stored as one contiguous run. A window holding
    a missing return of the asset (``run[q]`` counts them) is not fitted: the shared moments serve
    an asset with missing values when ``min_periods == window``.
    """
    t_len = z.shape[1]
    k = len(recip)
    q = k + 2
    lanes = _LANES
    count = assets.shape[0]
    ring_rows = (-(-window // _TILE) + 1) * _TILE
    zero = ring_rows  # an extra row of zeros: the row dropped before the first full window
    ring = np.zeros((ring_rows + 1, lanes))
    missing = np.zeros((ring_rows + 1, lanes))
    cols = np.empty(lanes, dtype=np.int64)
    mean = np.zeros(lanes)
    run = np.empty((q + 1, lanes))  # window sums of y, y z_1..y z_K, y^2; missing returns in the window
    block = np.empty((q, lanes))  # the same sums over the current block of ``window`` rows
    fz = np.empty(2 * k)  # factors of the row added, of the row dropped
    coef = np.empty(1 + 2 * k + k * k)  # 1/n, factor sums, shifts, C_xx^-1 of the date's window
    res = np.empty((lanes, q))  # the date's alpha, beta..., R2 per asset
    fields = res.reshape(-1)
    for chunk in range(-(-count // lanes)):
        a0 = chunk * lanes
        base = a0 * q
        w = min(lanes, count - a0)
        gaps = False
        for a in range(w):
            cols[a] = assets[a0 + a]
            mean[a] = mu[a0 + a]
            gaps |= gappy[a0 + a]
        run[:, :] = 0.0
        block[:, :] = 0.0
        block_end = window - 1
        for t in range(t_len):
            if t % _TILE == 0:  # the next tile of returns, centred, 0 where missing
                r0 = t % ring_rows
                for tt in range(min(_TILE, t_len - t)):
                    for a in range(w):
                        v = y[t + tt, cols[a]]
                        ring[r0 + tt, a] = 0.0 if v != v else v - mean[a]
                    if gaps:
                        for a in range(w):
                            v = y[t + tt, cols[a]]
                            missing[r0 + tt, a] = 1.0 if v != v else 0.0
            rn = t % ring_rows
            ro = (t - window) % ring_rows if t >= window else zero
            for i in range(k):
                fz[i] = z[i, t]
                fz[k + i] = z[i, t - window] if t >= window else 0.0
            for a in range(w):  # add row t, drop row t - window
                v = ring[rn, a]
                o = ring[ro, a]
                run[0, a] += v - o
                block[0, a] += v
                run[q - 1, a] += v * v - o * o
                block[q - 1, a] += v * v
                for i in range(k):
                    p = v * fz[i]
                    run[1 + i, a] += p - o * fz[k + i]
                    block[1 + i, a] += p
            if gaps:
                for a in range(w):
                    run[q, a] += missing[rn, a] - missing[ro, a]
            if t == block_end:  # the window is exactly this block: its own sums replace the running ones
                block_end += window
                for f in range(q):
                    for a in range(w):
                        run[f, a] = block[f, a]
                        block[f, a] = 0.0
            row = out[t]
            nf = n_fit[0, t]
            if nf != nf:
                for j in range(w * q):
                    row[base + j] = np.nan
                continue
            coef[0] = 1.0 / nf
            for i in range(k):
                coef[1 + i] = sx[i, 0, t]
                coef[1 + k + i] = shift[i, 0, t]
                for j in range(k):
                    coef[1 + 2 * k + i * k + j] = inv[i, j, 0, t]
            for a in range(w):
                yb = run[0, a] * coef[0]
                alpha = yb + mean[a]
                explained = 0.0
                for i in range(k):
                    b = 0.0
                    for j in range(k):
                        b += coef[1 + 2 * k + i * k + j] * (run[1 + j, a] - coef[1 + j] * yb)
                    res[a, 1 + i] = b * recip[i]
                    alpha -= coef[1 + k + i] * b
                    explained += b * (run[1 + i, a] - coef[1 + i] * yb)
                total = run[q - 1, a] - yb * run[0, a]
                rsq = explained / (total if total != 0.0 else np.nan)
                if run[q, a] > 0.0:
                    alpha = np.nan
                    rsq = np.nan
                res[a, 0] = alpha
                res[a, q - 1] = rsq
            if gaps:
                for a in range(w):
                    if run[q, a] > 0.0:
                        for i in range(k):
                            res[a, 1 + i] = np.nan
            for j in range(w * q):
                row[base + j] = fields[j]


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
    loop(z, y, cols, window, min_periods, singular_det, tuple(offset), n_fit, sx, inv, shift)
    return n_fit, sx, inv, shift


def _moments_loop(z, y, cols, window, min_periods, singular_det, offset, n_fit, sx, inv, shift):  # pragma: no cover
    """Per column: window sums of ``[1, z, z z']`` over the used rows (add one row, drop one, exact
    block sums), then per fitted window ``C_xx``, its correlation matrix's determinant and the
    inverse, both from one Gauss-Jordan elimination with partial pivoting of the correlation
    matrix ``R``: ``C_xx^-1 = D^-1/2 R^-1 D^-1/2``."""
    t_len = z.shape[1]
    k = len(offset)  # a tuple: K is a constant of the compiled code
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
