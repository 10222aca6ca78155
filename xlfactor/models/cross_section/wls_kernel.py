"""Compiled per-date sums of the cross-sectional WLS: normal equations, residuals, HC1 meat.

The numpy path (:class:`~xlfactor.models.cross_section.design.DesignBlock`) copies each block
of dates from pandas' column-major panels into date rows and then makes one numpy pass per
quantity (industry sums, batched products, prediction, residuals). The compiled kernels here
read the panels in their own memory order instead (asset by asset, a run of dates at a time:
contiguous in a column-major panel, no transposed copy) and make one pass for all sums:

* :meth:`AssetRows.normal_sums` -- per date ``X'ΩX`` (K x K, ``X = [1, D, S]``), ``X'Ωy``, the asset
  count, the industry counts and constraint weights, ``sum ω`` and ``sum ω y``, with
  ``ω = w h`` (fit), ``(w h e)^2`` (the HC1 meat) or ``w h e^2`` (the classic variance);
* :meth:`AssetRows.residual_sums` -- residuals ``e = y - X f``, ``sum w e^2`` and ``sum w (y - ybar)^2``.

Both apply the universe rule of :meth:`PanelDesign.block` (finite return and styles, an
industry, positive finite weight and constraint cap). Panels reach them transposed, assets x
dates, C-contiguous (a column-major dates x assets panel's ``.T``, no copy); a static per-asset
array as an (N, 1) column, read with a date step of 0. :func:`as_asset_rows` makes that form.
The kernels are ``None`` where numba is absent (:mod:`xlfactor.models._jit`); callers then use
the numpy path, which stays the reference the tests hold these to.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from xlfactor.models import _jit
from xlfactor.models.cross_section.design import PanelDesign

#: numba's ``carray`` and ``prange`` and the :func:`_address_pointer` intrinsic, bound by :func:`_dispatchers` on
#: first use (the kernels read them as globals when numba compiles them); importing this module imports no numba.
carray = _pointer = None
prange = range


def _address_pointer(typingctx, address):
    """The float64 pointer at an integer address (the style panels reach the kernels as a table
    of addresses: any number of panels, one compiled version; see :meth:`AssetRows.of`)."""
    from numba import types

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(types.CPointer(types.float64)))

    return types.CPointer(types.float64)(types.intp), codegen


#: Dates read per asset in one run (a column-major panel holds an asset's dates contiguously;
#: short runs cost a cache and TLB miss each). The per-date sums of a run, ~(P+1)^2/2 + J (P+4)
#: values a date, stay in the L2 cache.
RUN_DATES = 256
#: Assets per tile copied into a small buffer (long runs of dates in; the sums' loops read the buffer).
TILE_ASSETS = 8
#: Dates per slice of the sums (the slice's accumulators stay in the L1 cache across a tile).
SUB_DATES = 32
#: Dates per call of the kernels (their per-date outputs, ~K^2 values a date, stay small).
COMPILED_DATES = 512
#: Runs of dates in parallel threads (numba's default: one per core). Off: on the shared 2-core
#: machine it was measured (2026-12-08, load 5-7) no faster in wall-clock time and used more CPU.
PARALLEL = False
#: Saving of the compiled fit and standard errors per asset-date, in :data:`xlfactor.models._jit.COMPILED_FROM`'s
#: units (fit about 95 ns, HC1 73 ns, classic 18 ns against the numpy path, 2520 or 252 dates x 3000 assets x 41,
#: quiet machine 2026-12-08): compiled from about 33,000 asset-dates.
COMPILED_WEIGHT = 30
#: ``mode`` of :meth:`AssetRows.normal_sums`: the observation weight ω (module docstring).
FIT, HC1_MEAT, VARIANCE = 0, 1, 2


def as_asset_rows(values: np.ndarray | None, dtype=float) -> tuple[np.ndarray, int]:
    """``values`` (dates x assets, or (assets,) static) as a read-only C-contiguous assets x dates
    array and the date step (1, or 0 for a static (N, 1) column). A column-major panel is not
    copied. (Read-only views throughout: one compiled version serves pandas' read-only arrays too.)"""
    if values is None:
        out, step = np.ones((1, 1), dtype=dtype), 0
    elif values.ndim == 1:
        out, step = np.ascontiguousarray(values, dtype=dtype).reshape(-1, 1), 0
    else:
        out, step = np.ascontiguousarray(values.T, dtype=dtype), 1
    out = out.view()
    out.flags.writeable = False
    return out, step


def _copy_run(src, n, t0, m, step, dst):
    """``dst[:m]`` = asset ``n``'s dates ``t0 .. t0+m`` of ``src`` (its one value if ``step`` is 0)."""
    if step:
        row = src[n, t0 : t0 + m]
        for i in range(m):
            dst[i] = row[i]
    else:
        dst[:m] = src[n, 0]


def _load_tile(yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, t0, m, n0, nb, buf, om, cap, code, ok):
    """Copy assets ``n0 .. n0+nb`` x dates ``t0 .. t0+m`` (runs of ``m`` dates per asset) into ``buf``
    (nb, P+1, m) (styles, then y), ``om`` (weight w), ``cap`` (constraint weight) and ``code``
    (industry); zero for assets outside the date's universe (``om`` 0, ``buf`` 0, ``code`` 0).
    (Inner loops run over 1-d views from index 0, which the compiler vectorises.)"""
    n_sty = len(styles)
    for p in range(n_sty):
        s = carray(_pointer(styles[p]), yt.shape)
        for a in range(nb):
            src = s[n0 + a, t0 : t0 + m]
            dst = buf[a, p]
            for i in range(m):
                dst[i] = src[i]
    for a in range(nb):
        n = n0 + a
        yrow = yt[n, t0 : t0 + m]
        for i in range(m):
            ok[i] = np.isfinite(yrow[i])
        for p in range(n_sty):
            row = buf[a, p]
            for i in range(m):
                ok[i] = ok[i] and np.isfinite(row[i])
        wrow = om[a]
        if has_w:
            _copy(wt, n, t0, m, ws, wrow)
        else:
            wrow[:m] = 1.0
        for i in range(m):
            ok[i] = ok[i] and np.isfinite(wrow[i]) and wrow[i] > 0.0
        crow = cap[a]
        if has_caps:
            _copy(ct, n, t0, m, cs, crow)
            for i in range(m):
                ok[i] = ok[i] and np.isfinite(crow[i]) and crow[i] > 0.0
        else:
            for i in range(m):
                crow[i] = wrow[i]
        krow = code[a]
        if n_ind > 0:
            _copy(kt, n, t0, m, ks, krow)
            for i in range(m):
                ok[i] = ok[i] and krow[i] >= 0
        else:
            krow[:m] = 0
        ydst = buf[a, n_sty]
        for i in range(m):
            keep = ok[i]
            ydst[i] = yrow[i] if keep else 0.0
            wrow[i] = wrow[i] if keep else 0.0
            crow[i] = crow[i] if keep else 0.0
            krow[i] = krow[i] if keep else 0
        for p in range(n_sty):
            row = buf[a, p]
            for i in range(m):
                row[i] = row[i] if ok[i] else 0.0


def _normal_sums(
    yt,
    styles,
    wt,
    ws,
    ct,
    cs,
    kt,
    ks,
    n_ind,
    has_w,
    has_caps,
    ht,
    hs,
    has_h,
    et,
    mode,
    intercept,
    lo,
    hi,
    a,
    b,
    nobs,
    ind,
    tot,
):
    """Per date ``lo + t`` (``t < hi - lo``): ``a[t]`` = X'ΩX, ``b[t]`` = X'Ωy, ``nobs[t]``, ``ind[t, 0, j]``
    assets and ``ind[t, 1, j]`` constraint weight of industry j, ``tot[t]`` = (sum ω, sum ω y, sum ω y^2).
    Runs of :data:`RUN_DATES` dates are independent (:func:`_sum_run`; in parallel threads)."""
    for c in prange((hi - lo + RUN_DATES - 1) // RUN_DATES):
        t0 = lo + c * RUN_DATES
        _normal_run(
            yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, ht, hs, has_h, et, mode, intercept,
            t0, min(RUN_DATES, hi - t0), lo, a, b, nobs, ind, tot,
        )  # fmt: skip


def _sum_run(
    yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, ht, hs, has_h, et, mode, intercept,
    t0, m1, lo, a, b, nobs, ind, tot,
):  # fmt: skip
    """:func:`_normal_sums` of the dates ``t0 .. t0+m1``, read as runs from the column-major panels:
    assets in tiles of :data:`TILE_ASSETS`, sums in slices of :data:`SUB_DATES` dates (kept in the
    L1 cache)."""
    n_a = yt.shape[0]
    n_sty = len(styles)
    p1 = n_sty + 1
    bins = max(n_ind, 1)
    first = 1 if intercept else 0
    sty = first + n_ind
    run, ta, sub = RUN_DATES, TILE_ASSETS, SUB_DATES
    n_sub = run // sub
    buf = np.empty((ta, p1, run))
    om = np.empty((ta, run))
    cap = np.empty((ta, run))
    code = np.empty((ta, run), dtype=np.int64)
    okb = np.empty(run, dtype=np.bool_)
    buf4 = buf.reshape((ta, p1, n_sub, sub))
    om3 = om.reshape((ta, n_sub, sub))
    cap3 = cap.reshape((ta, n_sub, sub))
    code3 = code.reshape((ta, n_sub, sub))
    wv = np.empty((ta, p1, sub))
    mm = np.empty((n_sty, p1, n_sub, sub))
    g = np.empty((bins, p1 + 3, n_sub, sub))  # per industry: sum ω [s, y], sum ω, count, sum cap
    cnt = np.empty(run)
    yy = np.zeros((n_sub, sub))
    mm[:] = 0.0
    g[:] = 0.0
    cnt[:] = 0.0
    for n0 in range(0, n_a, ta):
        nb = min(ta, n_a - n0)
        _load(yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, t0, m1, n0, nb, buf, om, cap, code, okb)
        for r in range(nb):
            n = n0 + r
            wrow = om[r]
            for i in range(m1):
                cnt[i] += 1.0 if wrow[i] > 0.0 else 0.0
            if has_h:
                hrow = ht[n, t0 : t0 + m1] if hs else ht[n, 0:1]
                for i in range(m1):
                    h = hrow[i * hs]
                    wrow[i] = wrow[i] * h if np.isfinite(h) else wrow[i]
            if mode != FIT:
                erow = et[n, t0 : t0 + m1]
                for i in range(m1):
                    e = erow[i] if np.isfinite(erow[i]) else 0.0
                    w = wrow[i]
                    wrow[i] = w * w * e * e if mode == HC1_MEAT else w * e * e
        for sb in range((m1 + sub - 1) // sub):
            m = min(sub, m1 - sb * sub)
            for r in range(nb):
                for p in range(p1):
                    for i in range(m):
                        wv[r, p, i] = om3[r, sb, i] * buf4[r, p, sb, i]
                for i in range(m):
                    yy[sb, i] += wv[r, n_sty, i] * buf4[r, n_sty, sb, i]
            for p in range(n_sty):
                for q in range(p, p1):
                    r = 0
                    while r + 4 <= nb:  # four assets per update of the sums: a quarter of the traffic
                        for i in range(m):
                            mm[p, q, sb, i] += (
                                wv[r, p, i] * buf4[r, q, sb, i]
                                + wv[r + 1, p, i] * buf4[r + 1, q, sb, i]
                                + wv[r + 2, p, i] * buf4[r + 2, q, sb, i]
                                + wv[r + 3, p, i] * buf4[r + 3, q, sb, i]
                            )
                        r += 4
                    while r < nb:
                        for i in range(m):
                            mm[p, q, sb, i] += wv[r, p, i] * buf4[r, q, sb, i]
                        r += 1
            for r in range(nb):
                if n_ind > 0 and ks == 0:
                    j = kt[n0 + r, 0]  # static: one industry on every date (without one: never used)
                    if j < 0:
                        continue
                    for p in range(p1):
                        for i in range(m):
                            g[j, p, sb, i] += wv[r, p, i]
                    for i in range(m):
                        g[j, p1, sb, i] += om3[r, sb, i]
                        g[j, p1 + 1, sb, i] += 1.0 if cap3[r, sb, i] > 0.0 else 0.0
                        g[j, p1 + 2, sb, i] += cap3[r, sb, i]
                else:
                    for i in range(m):
                        j = code3[r, sb, i]
                        for p in range(p1):
                            g[j, p, sb, i] += wv[r, p, i]
                        g[j, p1, sb, i] += om3[r, sb, i]
                        g[j, p1 + 1, sb, i] += 1.0 if cap3[r, sb, i] > 0.0 else 0.0
                        g[j, p1 + 2, sb, i] += cap3[r, sb, i]
    for i in range(m1):
        sb, u = i // sub, i % sub
        t = t0 + i - lo
        a[t] = 0.0
        b[t] = 0.0
        nobs[t] = int(cnt[i])
        for p in range(n_sty):
            b[t, sty + p] = mm[p, n_sty, sb, u]
            for q in range(p, n_sty):
                a[t, sty + p, sty + q] = mm[p, q, sb, u]
                a[t, sty + q, sty + p] = mm[p, q, sb, u]
        sw = 0.0
        swy = 0.0
        for j in range(bins):
            sw += g[j, p1, sb, u]
            swy += g[j, n_sty, sb, u]
        tot[t, 0] = sw
        tot[t, 1] = swy
        tot[t, 2] = yy[sb, u]
        if intercept:
            a[t, 0, 0] = sw
            b[t, 0] = swy
            for p in range(n_sty):
                s = 0.0
                for j in range(bins):
                    s += g[j, p, sb, u]
                a[t, 0, sty + p] = s
                a[t, sty + p, 0] = s
        for j in range(n_ind):
            c = first + j
            a[t, c, c] = g[j, p1, sb, u]
            b[t, c] = g[j, n_sty, sb, u]
            ind[t, 0, j] = g[j, p1 + 1, sb, u]
            ind[t, 1, j] = g[j, p1 + 2, sb, u]
            if intercept:
                a[t, 0, c] = g[j, p1, sb, u]
                a[t, c, 0] = g[j, p1, sb, u]
            for p in range(n_sty):
                a[t, c, sty + p] = g[j, p, sb, u]
                a[t, sty + p, c] = g[j, p, sb, u]


def _residual_sums(
    yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, coef, ok, ybar, intercept, lo, hi, resid, ssr, tss
):
    """Residuals ``resid[n, lo + t] = y - X f`` (NaN outside the universe and on dates not ``ok``),
    ``ssr[t] = sum w e^2`` and ``tss[t] = sum w (y - ybar)^2`` over the
    universe, for ``t < hi - lo``; ``coef``, ``ok`` and ``ybar`` are indexed by ``t`` too. Runs of
    :data:`RUN_DATES` dates are independent (:func:`_resid_run`; in parallel threads)."""
    for c in prange((hi - lo + RUN_DATES - 1) // RUN_DATES):
        t0 = lo + c * RUN_DATES
        _residual_run(
            yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, coef, ok, ybar, intercept,
            t0, min(RUN_DATES, hi - t0), lo, resid, ssr, tss,
        )  # fmt: skip


def _resid_run(
    yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, coef, ok, ybar, intercept,
    t0, m, lo, resid, ssr, tss,
):  # fmt: skip
    """:func:`_residual_sums` of the dates ``t0 .. t0+m``."""
    n_a = yt.shape[0]
    n_sty = len(styles)
    p1 = n_sty + 1
    k = coef.shape[1]
    first = 1 if intercept else 0
    sty = first + n_ind
    run, ta = RUN_DATES, TILE_ASSETS
    buf = np.empty((ta, p1, run))
    om = np.empty((ta, run))
    cap = np.empty((ta, run))
    code = np.empty((ta, run), dtype=np.int64)
    okb = np.empty(run, dtype=np.bool_)
    cf = np.empty((k, run))
    okr = np.empty(run)
    ybr = np.empty(run)
    fit = np.empty(run)
    sr = np.empty(run)
    st = np.empty(run)
    for i in range(m):
        for c in range(k):
            cf[c, i] = coef[t0 - lo + i, c]
        okr[i] = 1.0 if ok[t0 - lo + i] else np.nan
        ybr[i] = ybar[t0 - lo + i]
        sr[i] = 0.0
        st[i] = 0.0
    for n0 in range(0, n_a, ta):
        nb = min(ta, n_a - n0)
        _load(yt, styles, wt, ws, ct, cs, kt, ks, n_ind, has_w, has_caps, t0, m, n0, nb, buf, om, cap, code, okb)
        for r in range(nb):
            if intercept:
                for i in range(m):
                    fit[i] = cf[0, i]
            else:
                fit[:m] = 0.0
            for p in range(n_sty):
                row = buf[r, p]
                for i in range(m):
                    fit[i] += cf[sty + p, i] * row[i]
            if n_ind > 0:
                krow = code[r]
                for i in range(m):
                    fit[i] += cf[first + krow[i], i]
            yrow = buf[r, n_sty]
            wrow = om[r]
            for i in range(m):
                e = yrow[i] - fit[i]
                d = yrow[i] - ybr[i]
                w = wrow[i]
                sr[i] += w * e * e
                st[i] += w * d * d
                fit[i] = e * okr[i] if w > 0.0 else np.nan  # NaN outside the universe and on unusable dates
            out = resid[n0 + r, t0 : t0 + m]
            for i in range(m):
                out[i] = fit[i]
    for i in range(m):
        ssr[t0 - lo + i] = sr[i]
        tss[t0 - lo + i] = st[i]


def _solve_dates(a, b, caps, first, n_ind, constrained, nobs, min_obs, min_pivot, normal, coef, ok):
    """Per date: the reduced system ``R'a R g = R'b`` (:func:`~xlfactor.models.cross_section.design.
    restriction_matrices`' ``R``, built implicitly, when ``constrained``; the identity otherwise)
    into ``normal`` (empty factors' zero diagonals set to 1), solved by Cholesky on its unit-diagonal
    scaling; ``ok`` as :func:`~xlfactor.models.cross_section.wls.solve_normal` (at least ``min_obs``
    assets, every squared pivot finite and above ``min_pivot``); ``coef = R g`` (``R (b / d^2)``
    where not ``ok``, as the numpy path)."""
    n_t, k = a.shape[0], a.shape[1]
    kr = normal.shape[1]
    free = np.empty(kr, dtype=np.int64)
    c = np.zeros(kr)
    bb = np.empty(kr)
    d = np.empty(kr)
    chol = np.empty((kr, kr))
    z = np.empty(kr)
    for t in range(n_t):
        base = -1
        if constrained:
            base = first + np.argmax(caps[t])
            base_cap = caps[t, base - first]
            for m in range(kr):
                f = m + 1 if m >= base else m
                free[m] = f
                c[m] = 0.0
                if first <= f < first + n_ind:
                    ratio = caps[t, f - first] / base_cap
                    c[m] = -ratio if np.isfinite(ratio) else 0.0
            a_bb = a[t, base, base]
            for m1 in range(kr):
                f1 = free[m1]
                for m2 in range(kr):
                    f2 = free[m2]
                    normal[t, m1, m2] = (
                        a[t, f1, f2] + c[m1] * a[t, base, f2] + c[m2] * a[t, f1, base] + c[m1] * c[m2] * a_bb
                    )
                bb[m1] = b[t, f1] + c[m1] * b[t, base]
        else:
            for m1 in range(kr):
                for m2 in range(kr):
                    normal[t, m1, m2] = a[t, m1, m2]
                bb[m1] = b[t, m1]
        for m in range(kr):
            if normal[t, m, m] == 0.0:
                normal[t, m, m] = 1.0
            d[m] = np.sqrt(normal[t, m, m])
        good = nobs[t] >= min_obs
        for j in range(kr):  # Cholesky of the unit-diagonal scaling, column by column
            if not good:
                break
            s = normal[t, j, j] / (d[j] * d[j])
            for q in range(j):
                s -= chol[j, q] * chol[j, q]
            if not (np.isfinite(s) and s > min_pivot):
                good = False
                break
            chol[j, j] = np.sqrt(s)
            for i in range(j + 1, kr):
                s = normal[t, i, j] / (d[i] * d[j])
                for q in range(j):
                    s -= chol[i, q] * chol[j, q]
                chol[i, j] = s / chol[j, j]
        ok[t] = good
        if good:
            for i in range(kr):  # L z = b / d, then L' z = z
                s = bb[i] / d[i]
                for q in range(i):
                    s -= chol[i, q] * z[q]
                z[i] = s / chol[i, i]
            for i in range(kr - 1, -1, -1):
                s = z[i]
                for q in range(i + 1, kr):
                    s -= chol[q, i] * z[q]
                z[i] = s / chol[i, i]
            for i in range(kr):
                z[i] /= d[i]
        else:
            for i in range(kr):
                z[i] = bb[i] / d[i] / d[i]
        if constrained:
            tot = 0.0
            for m in range(kr):
                coef[t, free[m]] = z[m]
                tot += c[m] * z[m]
            coef[t, base] = tot
        else:
            for m in range(k):
                coef[t, m] = z[m]


#: The kernels as numba dispatchers, made by :func:`_dispatchers` on the first panel that compiles (so
#: importing this module does not import numba); ``_normal_sums`` and ``_residual_sums`` call the first
#: four by these global names, which numba resolves when it compiles them.
_copy = _load = _normal_run = _residual_run = _SOLVE = _NORMAL = _RESID = None


def compiled(values: int) -> bool:
    """Whether the compiled kernels serve a returns panel of ``values`` numbers (:func:`xlfactor.models._jit.use`)."""
    if not _jit.use(values, COMPILED_WEIGHT):
        return False
    _dispatchers()
    return True


@functools.cache
def _dispatchers() -> None:
    global carray, prange, _pointer, _copy, _load, _normal_run, _residual_run, _SOLVE, _NORMAL, _RESID
    from numba import carray, prange
    from numba.extending import intrinsic

    _pointer = intrinsic(_address_pointer)
    _copy = _jit.kernel(_copy_run)
    _load = _jit.kernel(_load_tile)
    _normal_run = _jit.kernel(_sum_run)
    _residual_run = _jit.kernel(_resid_run)
    _SOLVE = _jit.kernel(_solve_dates)
    _NORMAL = _jit.kernel(_normal_sums, parallel=PARALLEL)
    _RESID = _jit.kernel(_residual_sums, parallel=PARALLEL)


def solve_dates(
    a: np.ndarray, b: np.ndarray, ind: np.ndarray, intercept: bool, nobs: np.ndarray, min_obs: int, min_pivot: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_solve_dates` on :meth:`AssetRows.normal_sums`' output: the reduced normal matrices,
    the factor returns (not yet masked) and the usable dates."""
    n_t, k = a.shape[:2]
    n_ind = ind.shape[2]
    constrained = intercept and n_ind > 0
    kr = k - int(constrained)
    normal, coef, ok = np.empty((n_t, kr, kr)), np.empty((n_t, k)), np.empty(n_t, dtype=np.bool_)
    caps = np.ascontiguousarray(ind[:, 1]) if constrained else np.zeros((n_t, 1))
    _SOLVE(a, b, caps, int(intercept), n_ind, constrained, nobs, min_obs, min_pivot, normal, coef, ok)
    return normal, coef, ok


@dataclass(frozen=True)
class AssetRows:
    """The panels of a :class:`~xlfactor.models.cross_section.design.PanelDesign` in the kernels'
    form (assets x dates, C-contiguous; see :func:`as_asset_rows`), each with its date step."""

    styles: np.ndarray  # addresses of the style panels below, each (N, T) C-contiguous float64
    style_panels: tuple[np.ndarray, ...]  # kept referenced: the kernels read them through ``styles``
    w: np.ndarray
    ws: int
    has_w: bool
    c: np.ndarray
    cs: int
    has_caps: bool
    codes: np.ndarray
    ks: int
    n_ind: int
    intercept: bool

    @classmethod
    def of(cls, design: PanelDesign) -> AssetRows:
        panels = tuple(as_asset_rows(s)[0] for s in design.styles)
        styles = np.array([s.ctypes.data for s in panels], dtype=np.intp)
        w, ws = as_asset_rows(design.weights)
        has_caps = design.constrained and design.caps is not None
        c, cs = as_asset_rows(design.caps if has_caps else None)
        codes, ks = as_asset_rows(design.codes, np.int64)
        return cls(
            styles,
            panels,
            w,
            ws,
            design.weights is not None,
            c,
            cs,
            has_caps,
            codes,
            ks,
            len(design.industry_names),
            design.intercept,
        )

    def _panels(self, yt: np.ndarray) -> tuple:
        return (yt, self.styles, self.w, self.ws, self.c, self.cs, self.codes, self.ks, self.n_ind, self.has_w)

    def normal_sums(
        self,
        yt: np.ndarray,
        lo: int,
        hi: int,
        mode: int = FIT,
        huber: np.ndarray | None = None,
        resid: np.ndarray | None = None,
    ) -> tuple[np.ndarray, ...]:
        """Dates ``lo .. hi-1``: ``a`` (m, K, K) = X'ΩX, ``b`` (m, K) = X'Ωy, ``nobs`` (m,), ``ind``
        (m, 2, J) (assets and constraint weight per industry), ``tot`` (m, 3) = (sum ω, sum ω y, sum ω y^2);
        ω by ``mode`` (module docstring) from the dates x assets ``huber`` and ``resid`` panels."""
        m = hi - lo
        k = int(self.intercept) + self.n_ind + len(self.styles)
        a, b = np.empty((m, k, k)), np.empty((m, k))
        nobs, ind, tot = np.empty(m, dtype=np.int64), np.zeros((m, 2, self.n_ind)), np.empty((m, 3))
        ht, hs = as_asset_rows(huber)
        et = as_asset_rows(np.zeros((1, 1)) if resid is None else resid)[0]
        _NORMAL(
            *self._panels(yt),
            self.has_caps,
            ht,
            hs,
            huber is not None,
            et,
            mode,
            self.intercept,
            lo,
            hi,
            a,
            b,
            nobs,
            ind,
            tot,
        )
        return a, b, nobs, ind, tot

    def residual_sums(
        self,
        yt: np.ndarray,
        lo: int,
        hi: int,
        coef: np.ndarray,
        ok: np.ndarray,
        ybar: np.ndarray,
        resid: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fill ``resid`` (assets x dates) on dates ``lo .. hi-1``; ``ssr``, ``tss`` (m,)."""
        m = hi - lo
        ssr, tss = np.empty(m), np.empty(m)
        coef = np.ascontiguousarray(np.nan_to_num(coef))
        _RESID(*self._panels(yt), self.has_caps, coef, ok, ybar, self.intercept, lo, hi, resid, ssr, tss)
        return ssr, tss
