"""Compiled Newey-West (Bartlett) meat: moving sums of the scores, O(T K^2) per asset.

The Bartlett weights ``w_l = 1 - |l|/(L+1)`` are the autocorrelation of a box of
length ``L + 1`` divided by ``L + 1``, so with ``u_t = z_t e_t`` (zero outside the
asset's rows ``0..m-1``) and the moving sums ``S_s = sum_{t=s-L..s} u_t``
(``s = 0..m-1+L``),

    sum_{l=-L..L} w_l Gamma_l = (1/(L+1)) sum_s S_s S_s'

exactly: a pair of rows ``t, t'`` appears in ``L + 1 - |t - t'|`` of the windows. This
includes the first and last ``L`` rows the way statsmodels' ``Gamma_l = sum_{t>=l}
u_t u_{t-l}'`` does (windows that run past either end hold fewer rows). The sum costs
``T (2K + K(K+1)/2)`` multiply-adds per asset instead of ``T K(K+1)/2 (L+1)``.

The loop runs over chunks of assets (inner loop over the assets of a chunk, which the
compiler vectorises) and over time; each moving sum is recomputed exactly every
``_EXACT_EVERY`` steps so its rounding error stays that of a short sum.
"""

from __future__ import annotations

import numpy as np

from xlfactor.models import _jit

#: Saving of the compiled meat per residual, in :data:`xlfactor.models._jit.COMPILED_FROM`'s units (about 17 ns
#: against the numpy lag products, 3000 x 2520 x 6, quiet machine 2026-12-08): compiled from 125,000 residuals.
COMPILED_WEIGHT = 8
#: Assets per chunk: the chunk's sums and accumulators stay in the L1 cache.
_CHUNK = 32
#: Steps between exact recomputations of the moving sums.
_EXACT_EVERY = 256


def bartlett_meat(
    z: np.ndarray, e0: np.ndarray, rows: np.ndarray, cols: np.ndarray, lags: np.ndarray, meat: np.ndarray
) -> bool:
    """Write the Newey-West meat of the assets ``cols`` into ``meat[cols]``; False (nothing written)
    without numba, for a panel too small to pay for it (:data:`COMPILED_WEIGHT`), or when every
    bandwidth is 0 (the White meat ``Z' diag(e^2) Z`` is one BLAS
    product, faster than this loop).

    ``z`` (T, K) design; ``e0`` (T, N) residuals (any memory order); ``rows`` the rows of
    ``z`` and ``e0`` the assets use, in order (consecutive in the sum, as statsmodels on
    the NaN-dropped sample); ``lags`` (N,) per-asset bandwidths (assets are grouped by
    bandwidth here).
    """
    loop = _jit.compiled(_box_meat) if _jit.use(e0.size, COMPILED_WEIGHT) else None
    if loop is None or not lags[cols].any():
        return False
    z = np.ascontiguousarray(z)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    for lag in np.unique(lags[cols]):
        group = np.ascontiguousarray(cols[lags[cols] == lag], dtype=np.int64)
        loop(z, e0, rows, group, int(lag), meat)
    return True


def _box_meat(z, e, rows, cols, lag, meat):  # pragma: no cover - compiled (its numpy twin is _ols_fit._meat_on_grid)
    """``meat[c] = (1/(L+1)) sum_s S_s S_s'`` for each asset ``c`` in ``cols`` (see module notes)."""
    m = rows.shape[0]
    k = z.shape[1]
    width = lag + 1
    npairs = k * (k + 1) // 2
    first = np.empty(npairs, np.int64)
    second = np.empty(npairs, np.int64)
    q = 0
    for i in range(k):
        for j in range(i, k):
            first[q] = i
            second[q] = j
            q += 1
    zr = np.empty((m, k))
    for r in range(m):
        for i in range(k):
            zr[r, i] = z[rows[r], i]
    for chunk in range(-(-cols.shape[0] // _CHUNK)):
        c0 = chunk * _CHUNK
        width_c = min(_CHUNK, cols.shape[0] - c0)
        er = np.empty((m, width_c))
        sums = np.zeros((k, width_c))
        acc = np.zeros((npairs, width_c))
        for r in range(m):
            for a in range(width_c):
                er[r, a] = e[rows[r], cols[c0 + a]]
        for s in range(m + lag):
            if s % _EXACT_EVERY == _EXACT_EVERY - 1:
                for i in range(k):
                    for a in range(width_c):
                        sums[i, a] = 0.0
                for r in range(max(0, s - lag), min(s + 1, m)):
                    for i in range(k):
                        zi = zr[r, i]
                        for a in range(width_c):
                            sums[i, a] += zi * er[r, a]
            else:
                if s < m:
                    for i in range(k):
                        zi = zr[s, i]
                        for a in range(width_c):
                            sums[i, a] += zi * er[s, a]
                old = s - width
                if old >= 0:
                    for i in range(k):
                        zi = zr[old, i]
                        for a in range(width_c):
                            sums[i, a] -= zi * er[old, a]
            for q in range(npairs):
                i = first[q]
                j = second[q]
                for a in range(width_c):
                    acc[q, a] += sums[i, a] * sums[j, a]
        for a in range(width_c):
            c = cols[c0 + a]
            for q in range(npairs):
                value = acc[q, a] / width
                meat[c, first[q], second[q]] = value
                meat[c, second[q], first[q]] = value
