"""Rolling-window factor regressions of many assets at once (statsmodels RollingOLS semantics).

For each asset ``n`` and each date ``t`` the regression uses the ``window`` rows ending
at ``t`` (rows of the common dates, see :func:`rolling_regress`), drops the rows where
the asset's return is missing, and fits ``y = alpha + f' beta + e`` when at least
``min_periods`` rows remain. With window sums ``S`` over those rows

    C_xx = S_xx - S_x S_x'/n,  C_xy = S_xy - S_x S_y/n,  C_yy = S_yy - S_y^2/n
    beta = C_xx^-1 C_xy,  alpha = (S_y - S_x' beta)/n,  R2 = beta' C_xy / C_yy

computed for all dates and assets at once. Window sums are formed blockwise (see
:func:`window_sums`) from factors standardised on the whole sample and returns
centred on their own mean, so each sum adds at most ``2 * window`` terms of modest
size: no long running sums whose differences lose precision. Where numba runs, the same
sums and formulas run as compiled loops over time (:mod:`xlfactor.models._rolling_kernel`:
add one row, drop one, exact block sums every ``window`` rows); these numpy kernels are
the fallback (xlwings Lite) and the reference the compiled ones are tested against. Where the
fit runs compiled, so does the pass that applies the input rules to the returns
(:func:`~xlfactor.models._ols_inputs.prepare` with the kernel's weight), and it also gives each
asset's mean and count of returns, which the fit then need not compute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models import _jit
from xlfactor.models._ols_inputs import prepare
from xlfactor.models._rolling_kernel import factor_moments, rolling_fit
from xlfactor.models._validate import whole_number

ALPHA = "alpha"
RSQUARED = "rsquared"
#: Windows whose factor correlation matrix has a determinant below this (a factor
#: constant, or factors collinear, within the window) give NaN, not a fit.
SINGULAR_DET = 1e-10
#: Saving of the compiled rolling kernel per asset-day, in :data:`xlfactor.models._jit.COMPILED_FROM`'s units
#: (about 45 ns against the numpy kernels, quiet machine 2026-12-08): compiled from 50,000 asset-days.
COMPILED_WEIGHT = 20
#: Assets per chunk: keeps per-asset temporaries small (cache-resident, no fresh pages).
_CHUNK = 16


def rolling_regress(
    returns: pd.Series | pd.DataFrame,
    factors: pd.DataFrame | pd.Series,
    window: int,
    min_periods: int | None = None,
    *,
    rf: pd.Series | None = None,
    units: str = "auto",
) -> pd.DataFrame:
    """Rolling OLS alpha, betas and R-squared for every asset.

    Equals, per asset, statsmodels
    ``RollingOLS(y, add_constant(F), window=window, min_nobs=min_periods, missing="drop")``
    on the same rows: the window is the last ``window`` rows up to and including each
    date; rows where the asset's return is missing are dropped from that window; a
    fit needs at least ``min_periods`` remaining rows. As in RollingOLS (not
    expanding), the first ``window - 1`` dates are always NaN.

    Parameters
    ----------
    returns : Series or DataFrame
        Decimal returns, one column per asset, indexed by date.
    factors : DataFrame or Series
        Factor returns indexed by date; an ``RF`` column is ignored (as in
        :func:`~xlfactor.models.regression.regress`). Rows are the dates common to
        returns and factors where every factor is present; windows count these rows.
    window : int
        Rows per window, at least the number of parameters (K + 1).
    min_periods : int, optional
        Fewest non-missing rows a window needs (K + 1 <= min_periods <= window);
        default ``window`` (any missing return in the window gives NaN).
    rf : Series, optional
        Risk-free returns subtracted from returns, aligned by date.
    units : {"auto", "decimal"}
        As in :func:`~xlfactor.models.regression.regress`: ``"auto"`` refuses percent-looking
        data (see :mod:`xlfactor.models.units`), ``"decimal"`` skips that test.

    Returns
    -------
    pandas.DataFrame
        Index = dates; columns = MultiIndex ``(asset, field)`` (level names
        ``"asset"``, ``"field"``) with fields ``["alpha", *factors, "rsquared"]``.
        NaN where the window is incomplete, has fewer than ``min_periods`` usable
        rows, or its factors are singular there (a factor constant within the window,
        or a factor correlation determinant below ``SINGULAR_DET``; RollingOLS would
        fail or return meaningless numbers there).
    """
    data = prepare(returns, factors, rf, units=units, weight=COMPILED_WEIGHT)  # compiled where the fit is
    k = len(data.factors)
    window, min_periods = _check_window(window, min_periods, k + 1, len(data.index))
    _check_not_empty(data.y, data.assets, data.nobs)
    values = _rolling_fit(data.y, data.x, window, min_periods, data.total, data.nobs)  # (T, N * (K+2))
    fields = [ALPHA, *data.factors, RSQUARED]
    columns = pd.MultiIndex.from_product([data.assets, fields], names=["asset", "field"])
    return pd.DataFrame(values, index=data.index, columns=columns, copy=False)


def window_sums(a: np.ndarray, window: int) -> np.ndarray:
    """Sums of ``a`` over the ``window`` positions ending at each position of the last axis.

    The last axis is cut into blocks of ``window`` and summed cumulatively within each
    block (``P_b``). The window ending at position ``j`` of block ``b`` is
    ``P_b[j] + (P_{b-1}[w-1] - P_{b-1}[j])``: the prefix of its own block plus the
    part of the previous block after ``j``. Each result therefore involves at most
    ``2 * window`` terms, so its rounding error is that of a direct sum; a running
    sum over the whole history minus a lagged running sum would carry the error of
    the whole history. Positions before ``window - 1`` hold partial (prefix) sums.
    """
    t = a.shape[-1]
    padded = _padded(a.shape[:-1], t, window)
    padded[..., :t] = a
    return _window_sums_inplace(padded, t, window)


def _padded(lead: tuple, t: int, window: int) -> np.ndarray:
    """Zeros of shape ``(*lead, T')`` with ``T'`` the multiple of ``window`` at or above ``t``."""
    return np.zeros((*lead, -(-t // window) * window))


def _window_sums_inplace(padded: np.ndarray, t: int, window: int) -> np.ndarray:
    """:func:`window_sums` on a zero-padded buffer (overwritten); returns the first ``t`` positions."""
    blocks = padded.reshape(*padded.shape[:-1], -1, window)
    np.cumsum(blocks, axis=-1, out=blocks)
    blocks[..., 1:, :-1] += blocks[..., :-1, -1:] - blocks[..., :-1, :-1]
    return padded[..., :t]


def _check_not_empty(y: np.ndarray, assets: pd.Index, present: np.ndarray | None = None) -> None:
    """Refuse an asset without a return on the common dates (``present``: the count per asset, if known)."""
    empty = np.isnan(y).all(axis=0) if present is None else present == 0
    if empty.any():
        raise XLFactorError.at(
            "returns",
            f"column '{assets[int(np.argmax(empty))]}' has no usable rows (all missing on the dates the "
            "factors cover); drop it or supply data for those dates",
        )


def _check_window(window: object, min_periods: object, n_params: int, n_rows: int) -> tuple[int, int]:
    window = whole_number(window, "window", 1)
    if window < n_params:
        raise XLFactorError.at(
            "window", f"{window} rows cannot fit {n_params} parameters (alpha + factors); use a longer window"
        )
    if window > n_rows:
        raise XLFactorError.at("window", f"{window} rows is longer than the {n_rows} dates returns and factors share")
    if min_periods is None:
        return window, window
    try:
        return window, whole_number(min_periods, "min_periods", n_params, window)
    except XLFactorError:
        raise XLFactorError.at(
            "min_periods",
            f"expected a whole number from {n_params} (the parameter count) to the window ({window}), "
            f"got {min_periods!r}",
        ) from None


def _rolling_fit(
    y: np.ndarray,
    x: np.ndarray,
    window: int,
    min_periods: int,
    total: np.ndarray | None = None,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """(T, N * (K+2)) array of [alpha, beta..., R2] per date and asset (NaN where not fitted).

    Works in standardised units ``z = (x - g)/s`` and ``y - mu`` (``mu`` the asset's
    mean). Assets without missing values share the factor moments; the others are
    fitted with their masks. The compiled loop writes date-major, (T, N, K+2); the numpy
    kernels work with time on the last axis, (N, K+2, T), returned as a transposed view.
    ``total`` and ``present``: each asset's sum and count of present returns, when the input
    checks took them (else the compiled path computes them).
    """
    t, n_assets = y.shape
    g, s = x.mean(axis=0), x.std(axis=0)
    z = np.ascontiguousarray(((x - g) / s).T)
    if _jit.use(y.size, COMPILED_WEIGHT):
        out = np.empty((t, n_assets, x.shape[1] + 2))
        if total is None or present is None:
            present = t - np.count_nonzero(np.isnan(y), axis=0)
            total = np.nansum(y, axis=0)
        _fit_compiled(z, y, g, s, window, min_periods, total / present, present == t, out)
        return out.reshape(t, -1)
    out = np.empty((n_assets, x.shape[1] + 2, t))
    y = y.T
    complete = ~np.isnan(y.sum(axis=1))
    if complete.all():
        mu = y.mean(axis=1)
        _fit_group(z, y - mu[:, None], mu, None, g, s, window, min_periods, out)
        return out.reshape(-1, t).T
    if complete.any():
        yc = y[complete]
        mu = yc.mean(axis=1)
        out[complete] = _fit_group(z, yc - mu[:, None], mu, None, g, s, window, min_periods)
    yp = y[~complete]
    mask = ~np.isnan(yp)
    mu = np.nanmean(yp, axis=1)
    out[~complete] = _fit_group(
        z, np.where(mask, yp - mu[:, None], 0.0), mu, mask.astype(float), g, s, window, min_periods
    )
    return out.reshape(-1, t).T


def _fit_compiled(
    z: np.ndarray,
    y: np.ndarray,
    g: np.ndarray,
    s: np.ndarray,
    window: int,
    min_periods: int,
    mu: np.ndarray,
    complete: np.ndarray,
    out: np.ndarray,
) -> None:
    """:func:`_rolling_fit` through the compiled loops (:mod:`xlfactor.models._rolling_kernel`).

    Factor moments as in the numpy path: computed once for the assets without missing
    values (``complete``), per chunk of ``_CHUNK`` assets from their own rows for the others.
    When ``min_periods == window`` (the default) a window holding a missing return is never
    fitted, so every fitted window has all its rows and the shared moments serve every
    asset. ``y`` (T, N) is read in place; ``mu`` is each asset's mean return.
    """
    shared = np.flatnonzero(complete | (min_periods == window))
    if shared.size:
        moments = factor_moments(z, y, None, window, min_periods, g / s, SINGULAR_DET)
        rolling_fit(z, y, shared, mu[shared], complete[shared], moments, s, window, out, shared=True)
    own = np.flatnonzero(~complete) if min_periods < window else np.zeros(0, dtype=int)
    for lo in range(0, own.size, _CHUNK):
        cols = own[lo : lo + _CHUNK]
        moments = factor_moments(z, y, cols, window, min_periods, g / s, SINGULAR_DET)
        rolling_fit(z, y, cols, mu[cols], complete[cols], moments, s, window, out, shared=False)


@dataclass(frozen=True)
class _FactorMoments:
    """Window moments of the factors over some rows; leading dim ``M`` is 1 when shared.

    ``n_fit`` (M, T): usable rows per window, NaN where no fit is made (window not yet
    full, fewer than ``min_periods`` rows, or singular factors), so NaN flows into
    every estimate there. ``sx`` (K, M, T) factor sums; ``inv`` (K, K, M, T) ``C_xx^-1``.
    """

    n_fit: np.ndarray
    sx: np.ndarray
    inv: np.ndarray


def _factor_moments(z: np.ndarray, m: np.ndarray, window: int, min_periods: int) -> _FactorMoments:
    """Window moments of the factors ``z`` (K, T) over the rows ``m`` (M, T) marks usable."""
    k, t = z.shape
    n = window_sums(m, window)
    sx = window_sums(m * z[:, None, :], window)
    sxx = window_sums(m * (z[:, None, :] * z[None, :, :])[:, :, None, :], window)
    with np.errstate(invalid="ignore", divide="ignore"):
        cxx = (sxx - sx[:, None] * sx[None, :] / n).transpose(2, 3, 0, 1)  # (M, T, K, K)
        fitted = (np.arange(t) >= window - 1) & (n >= min_periods) & _regular(cxx, n)
    inv = np.linalg.inv(np.where(fitted[..., None, None], cxx, np.eye(k)))
    return _FactorMoments(n_fit=np.where(fitted, n, np.nan), sx=sx, inv=np.ascontiguousarray(inv.transpose(2, 3, 0, 1)))


def _fit_group(
    z: np.ndarray,
    y0: np.ndarray,
    mu: np.ndarray,
    m: np.ndarray | None,
    g: np.ndarray,
    s: np.ndarray,
    window: int,
    min_periods: int,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Rolling [alpha, beta..., R2] (N, K+2, T) for assets with usable rows ``m`` (None: all rows).

    ``y0`` (N, T) is the return minus ``mu``, 0 where missing; ``m`` (N, T) is 1 on
    usable rows. Assets are processed in chunks of ``_CHUNK`` so temporaries stay
    small (cache-resident, reused memory); factor moments are computed once when
    ``m`` is None. Writes into ``out`` when given.
    """
    k, t = z.shape
    if out is None:
        out = np.empty((y0.shape[0], k + 2, t))
    shared = _factor_moments(z, np.ones((1, t)), window, min_periods) if m is None else None
    for lo in range(0, y0.shape[0], _CHUNK):
        rows = slice(lo, lo + _CHUNK)
        moments = shared if shared is not None else _factor_moments(z, m[rows], window, min_periods)
        _fit_chunk(z, y0[rows], mu[rows], moments, g, s, window, out[rows])
    return out


def _fit_chunk(
    z: np.ndarray,
    y0: np.ndarray,
    mu: np.ndarray,
    mom: _FactorMoments,
    g: np.ndarray,
    s: np.ndarray,
    window: int,
    out: np.ndarray,
) -> None:
    """Write [alpha, beta..., R2] in original units for one chunk of assets into ``out`` (N, K+2, T).

    With window sums ``S`` of ``[y, y z_1..y z_K, y^2]`` (one blockwise pass):
    ``C_xy = S_xy - S_x ybar``, ``b = C_xx^-1 C_xy``, ``beta = b/s``,
    ``alpha = mu + ybar - sum_i (S_x,i/n + g_i/s_i) b_i``,
    ``R2 = b'C_xy / (S_yy - n ybar^2)``.
    """
    k, t = z.shape
    sums = _padded((k + 2, *y0.shape[:-1]), t, window)
    sums[0, :, :t] = y0
    np.multiply(y0, z[:, None, :], out=sums[1:-1, :, :t])
    np.multiply(y0, y0, out=sums[-1, :, :t])
    sums = _window_sums_inplace(sums, t, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = sums[0] / mom.n_fit
        cxy = sums[1:-1] - mom.sx * ybar
        alpha = ybar + mu[:, None]
        explained = np.zeros(y0.shape)
        for i in range(k):
            b = mom.inv[i, 0] * cxy[0]
            for j in range(1, k):
                b += mom.inv[i, j] * cxy[j]
            np.divide(b, s[i], out=out[:, 1 + i])
            alpha -= (mom.sx[i] / mom.n_fit + g[i] / s[i]) * b
            explained += b * cxy[i]
        out[:, 0] = alpha
        np.divide(explained, sums[-1] - ybar * sums[0], out=out[:, -1])


def _regular(cxx: np.ndarray, n: np.ndarray) -> np.ndarray:
    """True where no factor is constant and the factors are not collinear in the window.

    ``cxx`` (..., K, K) centred cross-products of standardised factors over ``n``
    rows. Constant: window variance ``C_ii / n`` below 1e-12 (sd under 1e-6 of the
    full-sample sd; the same rule as :func:`~xlfactor.models.regression.regress`).
    Collinear: the correlation matrix ``D^-1/2 C D^-1/2`` has determinant below
    ``SINGULAR_DET``.
    """
    var = np.einsum("...ii->...i", cxx)
    varying = (var > 1e-12 * n[..., None]).all(axis=-1)
    d = np.sqrt(np.where(varying[..., None], var, 1.0))
    corr = cxx / d[..., :, None] / d[..., None, :]
    det = np.linalg.det(np.where(np.isfinite(corr), corr, 0.0))
    return varying & (det >= SINGULAR_DET)
