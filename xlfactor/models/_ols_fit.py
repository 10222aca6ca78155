"""Vectorised OLS of many assets on one set of factors, each asset on its own rows.

Numerics (all assets at once, no loop over assets):

* The design is ``Z = [1, (X - g) / s]`` with ``g`` the factor means and ``s`` the
  factor standard deviations over the common sample. This affine change of
  coordinates keeps every per-asset Gram matrix well conditioned; estimates and
  covariances are mapped back exactly with ``theta = J theta_z``,
  ``J = [[1, -g/s], [0, diag(1/s)]]`` and ``V = J V_z J'``.
* Asset ``n`` uses the rows ``M[:, n]`` where its return is present. Its Gram matrix
  is ``G_n = sum_t M_tn z_t z_t'`` (one matrix product ``M' (z z')`` for all assets
  with missing rows; assets without missing rows share ``Z'Z``), and
  ``theta_n = G_n^-1 Z' y_n`` (missing returns set to 0).
* Sums of squares come from the cross-products, without residuals:
  ``TSS = y'y - (1'y)^2/n`` and ``ESS = b' C b`` (``b`` the slopes in standardised
  units, ``C`` the asset's centred factor cross-products), ``SSR = TSS - ESS``. The
  subtraction loses about ``log10(TSS/SSR)`` digits, so assets with
  ``SSR < SSR_EXACT_BELOW * TSS`` (R2 above 0.999) get ``SSR = sum e^2`` from explicit
  residuals instead: relative error stays below ~1e-12 either way.
* Residuals ``e = y - Z theta`` (NaN where unused) are formed only when asked for
  (``Fit.residuals()``), or up front for the robust covariances that need them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._bartlett_kernel import bartlett_meat
from xlfactor.models._ols_inputs import check_finite, design
from xlfactor.models.covariance import COLLINEAR_TOL, bartlett_weight, newey_west_lags

#: Below this SSR/TSS ratio, SSR is recomputed from explicit residuals (see module notes).
SSR_EXACT_BELOW = 1e-3


@dataclass(frozen=True)
class Fit:
    """Raw arrays of a many-asset OLS fit (original coordinates, intercept first).

    ``params`` (N, K+1); ``cov`` (N, K+1, K+1); ``ssr``, ``tss`` (centred), ``nobs``
    (N,); ``lags`` (N,) HAC lags or None; ``residuals()`` -> (T, N), NaN where unused.
    """

    params: np.ndarray
    cov: np.ndarray
    ssr: np.ndarray
    tss: np.ndarray
    nobs: np.ndarray
    lags: np.ndarray | None
    residuals: Callable[[], np.ndarray]


def fit_ols(
    y: np.ndarray,
    x: np.ndarray,
    assets: pd.Index,
    factors: pd.Index,
    cov: str,
    lags: int | None,
    *,
    yy: np.ndarray | None = None,
    zty: np.ndarray | None = None,
    nobs: np.ndarray | None = None,
    z: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Fit:
    """Fit ``y[:, n] = alpha_n + x beta_n + e`` for every column ``n`` of ``y``.

    Parameters
    ----------
    y : (T, N) returns, NaN where missing. x : (T, K) factors without NaN.
    assets, factors : labels used in error messages.
    cov : "nonrobust", "hc1" or "hac". lags : HAC lags (None: per-asset default).
    yy : ``sum_t y_tn^2`` per asset over its present values, when the caller has it.
    zty, nobs : ``Z'y`` (K+1, N) for ``Z = design(x)`` over each asset's present values, and their
        count, when the caller has them (:class:`~xlfactor.models._ols_inputs.OLSInputs`): then ``y``
        is read only for the assets with missing values (their rows) and for residuals if needed.
    z : ``design(x)`` when the caller formed it (the one the given ``zty`` was taken with).

    Returns
    -------
    Fit
    """
    z, g, s = design(x) if z is None else z
    cross = _cross_products(y, z, assets, yy) if zty is None else _given_products(y, z, assets, yy, zty, nobs)
    gram = _grams(z, cross.mask, cross.partial, assets, factors)
    gram_inv = _inverses(gram, cross.partial)
    theta = _solve(gram_inv, cross.zty)
    ess = _explained_ss(gram, theta)
    jac = _jacobian(g, s)
    if cov == "nonrobust":
        ssr = _ssr_from_sums(y, z, theta, cross.yy - cross.zty[0] ** 2 / cross.nobs, ess)
        scale = (ssr / (cross.nobs - z.shape[1]))[:, None, None]
        if len(gram_inv) == 1:  # one inverse shared by every asset: J G^-1 J' once, scaled per asset
            cov_orig = (jac @ gram_inv[0] @ jac.T) * scale
        else:
            cov_orig = jac @ (gram_inv * scale) @ jac.T
        hac_lags = None
        resid = None
    else:
        resid = _residuals(y, z, theta)
        e0 = resid if cross.mask is None else np.nan_to_num(resid, nan=0.0)
        ssr = np.einsum("tn,tn->n", e0, e0)
        hac_lags = _hac_lags(cross.nobs, lags, assets) if cov == "hac" else np.zeros(len(ssr), dtype=int)
        meat = _hac_meat(z, e0, cross.partial, cross.mask, hac_lags)
        cov_z = gram_inv @ meat @ gram_inv * (cross.nobs / (cross.nobs - z.shape[1]))[:, None, None]
        cov_orig = jac @ cov_z @ jac.T  # J V J' for all assets
    residuals = functools.partial(_residuals, y, z, theta) if resid is None else functools.partial(_same, resid)
    return Fit(
        params=theta @ jac.T,
        cov=cov_orig,
        ssr=ssr,
        tss=ssr + ess,
        nobs=cross.nobs,
        lags=hac_lags if cov == "hac" else None,
        residuals=residuals,
    )


def centred_rsquared(
    y: np.ndarray, x: np.ndarray, assets: pd.Index, factors: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """``R2 = ESS / TSS`` of each column of ``y`` (NaN where missing) regressed on ``[1, x]``, and its ``nobs``.

    The same sums as :func:`fit_ols` (``ESS = b' C b``, ``TSS = y'y - (1'y)^2/n``) without
    covariances or residuals: for auxiliary regressions such as Breusch-Pagan's.
    """
    z = design(x)[0]
    cross = _cross_products(y, z, assets, None)
    gram = _grams(z, cross.mask, cross.partial, assets, factors)
    theta = _solve(_inverses(gram, cross.partial), cross.zty)
    tss = cross.yy - cross.zty[0] ** 2 / cross.nobs
    return _explained_ss(gram, theta) / tss, cross.nobs


@dataclass(frozen=True)
class _CrossProducts:
    """``zty = Z'y`` (K+1, N), ``yy = y'y`` (N,) over usable rows, ``nobs``; ``partial`` flags
    the assets with missing values and ``mask`` (T, N_partial) their usable rows (None if none)."""

    zty: np.ndarray
    yy: np.ndarray
    nobs: np.ndarray
    partial: np.ndarray
    mask: np.ndarray | None


def _cross_products(y: np.ndarray, z: np.ndarray, assets: pd.Index, yy: np.ndarray | None = None) -> _CrossProducts:
    """``Z'y`` (one matrix product) and ``y'y`` for all assets (``yy`` when given); assets whose sums
    are not finite are redone with missing values set to 0 (after checking for infinities)."""
    with np.errstate(invalid="ignore", over="ignore"):
        zty = z.T @ y  # NaN in the intercept row marks assets with missing (or infinite) values
        yy = np.einsum("tn,tn->n", y, y) if yy is None else yy.copy()
    partial = ~np.isfinite(zty[0])
    nobs = np.full(y.shape[1], y.shape[0])
    mask = None
    if partial.any():
        y_partial = y[:, partial]
        check_finite(y_partial, assets[partial], "returns")
        mask = ~np.isnan(y_partial)
        nobs[partial] = mask.sum(axis=0)
        y0 = np.where(mask, y_partial, 0.0)
        zty[:, partial] = z.T @ y0
        yy[partial] = np.einsum("tn,tn->n", y0, y0)
    _check_nobs(nobs, z.shape[1], assets)
    return _CrossProducts(zty=zty, yy=yy, nobs=nobs, partial=partial, mask=mask)


def _given_products(
    y: np.ndarray, z: np.ndarray, assets: pd.Index, yy: np.ndarray, zty: np.ndarray, nobs: np.ndarray
) -> _CrossProducts:
    """The cross-products taken with the input checks (finite values only), as :func:`_cross_products` gives them."""
    partial = nobs < y.shape[0]
    mask = ~np.isnan(y[:, partial]) if partial.any() else None
    _check_nobs(nobs, z.shape[1], assets)
    return _CrossProducts(zty=zty, yy=yy, nobs=nobs, partial=partial, mask=mask)


def _ssr_from_sums(y: np.ndarray, z: np.ndarray, theta: np.ndarray, tss: np.ndarray, ess: np.ndarray) -> np.ndarray:
    """``SSR = TSS - ESS``, recomputed as ``sum e^2`` where ``SSR < SSR_EXACT_BELOW * TSS``."""
    ssr = tss - ess
    inexact = ssr < SSR_EXACT_BELOW * tss
    if inexact.any():
        ssr[inexact] = np.nansum(_residuals(y[:, inexact], z, theta[inexact]) ** 2, axis=0)
    return ssr


def _same(values: np.ndarray) -> np.ndarray:
    """Identity: residuals already computed."""
    return values


def _residuals(y: np.ndarray, z: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``e = y - Z theta'`` as (T, N), NaN where ``y`` is missing.

    Fitted values are formed in the memory order of ``y`` (column-major from pandas,
    row-major from numpy callers) so the subtraction runs over contiguous memory; a
    product in the other order makes it a strided pass, about three times slower.
    """
    resid = (theta @ z.T).T if np.isfortran(y) else z @ theta.T
    np.subtract(y, resid, out=resid)
    return resid


def _solve(gram_inv: np.ndarray, zty: np.ndarray) -> np.ndarray:
    """``theta_n = G_n^-1 Z'y_n`` (N, K+1): one matrix product when the inverse is shared."""
    if len(gram_inv) == 1:
        return zty.T @ gram_inv[0].T
    return (gram_inv @ zty.T[:, :, None])[:, :, 0]


def _explained_ss(gram: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``ESS_n = b' C b`` with ``C = G_ff - G_f0 G_0f / n`` (centred factor cross-products)."""
    n = gram[:, 0, 0]
    centred = gram[:, 1:, 1:] - gram[:, 1:, :1] * gram[:, :1, 1:] / n[:, None, None]
    b = theta[:, 1:]
    cb = b @ centred[0] if len(gram) == 1 else (centred @ b[:, :, None])[:, :, 0]
    return np.einsum("ni,ni->n", cb, b)


def _check_nobs(nobs: np.ndarray, k: int, assets: pd.Index) -> None:
    empty = np.flatnonzero(nobs == 0)
    if empty.size:
        raise XLFactorError.at(
            "returns",
            f"column '{assets[empty[0]]}' has no usable rows (all missing on the dates the factors cover); "
            "drop it or supply data for those dates",
        )
    short = np.flatnonzero(nobs <= k)
    if short.size:
        n = short[0]
        raise XLFactorError.at(
            "returns",
            f"column '{assets[n]}' has {nobs[n]} usable rows but the model has {k} parameters "
            f"(alpha + {k - 1} factors); need at least {k + 1} rows",
        )


def _grams(
    z: np.ndarray, mask: np.ndarray | None, partial: np.ndarray, assets: pd.Index, factors: pd.Index
) -> np.ndarray:
    """``G_n = sum_t M_tn z_t z_t'``: ``Z'Z`` for complete assets, one matrix product for the rest.

    Returns (1, K+1, K+1) when no asset has missing values (shared, broadcast over
    assets), else (N, K+1, K+1).
    """
    t, k = z.shape
    shared = (z.T @ z)[None]
    if mask is None:
        return shared
    out = np.empty((len(partial), k, k))
    out[~partial] = shared
    zz = (z[:, :, None] * z[:, None, :]).reshape(t, k * k)
    gram = (mask.T.astype(float) @ zz).reshape(-1, k, k)
    _check_gram(gram, assets[partial], factors)
    out[partial] = gram
    return out


def _inverses(gram: np.ndarray, partial: np.ndarray) -> np.ndarray:
    """``G_n^-1``: one inverse shared by the complete assets, a batch for the rest."""
    if len(gram) == 1:
        return np.linalg.inv(gram)
    out = np.empty_like(gram)
    if not partial.all():
        out[~partial] = np.linalg.inv(gram[np.argmin(partial)])
    out[partial] = np.linalg.inv(gram[partial])
    return out


def _check_gram(gram: np.ndarray, assets: pd.Index, factors: pd.Index) -> None:
    """Raise if a factor is constant, or factors collinear, on some asset's own rows.

    From ``G = sum z z'`` (z standardised on the common sample): factor covariance on
    the asset's rows ``C = G[1:,1:]/n - m m'``, ``m = G[0,1:]/n``. A factor is
    constant there when ``C_jj < 1e-12`` (sd below 1e-6 of its full-sample sd);
    collinear when the correlation matrix has an eigenvalue below ``COLLINEAR_TOL``.
    """
    n = gram[:, 0, 0]
    m = gram[:, 0, 1:] / n[:, None]
    c = gram[:, 1:, 1:] / n[:, None, None] - m[:, :, None] * m[:, None, :]
    var = np.einsum("nii->ni", c)
    bad = np.argwhere(var < 1e-12)
    if bad.size:
        a, j = bad[0]
        raise XLFactorError.at(
            "factors",
            f"column '{factors[j]}' is constant over the rows where asset '{assets[a]}' has returns; "
            "drop the factor or give the asset a longer sample",
        )
    if c.shape[1] < 2:
        return
    sd = np.sqrt(var)
    corr = c / sd[:, :, None] / sd[:, None, :]
    values, vectors = np.linalg.eigh(corr)
    bad_assets = np.flatnonzero(values[:, 0] < COLLINEAR_TOL)
    if bad_assets.size:
        a = bad_assets[0]
        involved = [repr(str(f)) for f, v in zip(factors, vectors[a, :, 0], strict=True) if abs(v) > 1e-3]
        raise XLFactorError.at(
            "factors",
            f"columns {', '.join(involved)} are collinear over the rows where asset '{assets[a]}' has "
            "returns; drop one of them or give the asset a longer sample",
        )


def _hac_lags(nobs: np.ndarray, lags: int | None, assets: pd.Index) -> np.ndarray:
    if lags is None:
        return newey_west_lags(nobs)
    too_many = np.flatnonzero(lags >= nobs)
    if too_many.size:
        n = too_many[0]
        raise XLFactorError.at(
            "lags", f"{lags} is not below the {nobs[n]} usable rows of asset '{assets[n]}'; use fewer lags"
        )
    return np.full(len(nobs), lags, dtype=int)


def _hac_meat(
    z: np.ndarray, e0: np.ndarray, partial: np.ndarray, mask: np.ndarray | None, lags: np.ndarray
) -> np.ndarray:
    """Newey-West meat ``S_n = sum_{l=-L..L} w_l Gamma_l``, ``w_l = 1 - |l|/(L_n+1)``.

    ``Gamma_l = sum_t u_t u_{t-l}'`` with ``u_t = z_t e_t`` over the asset's usable rows
    taken consecutively (rows either side of a gap are adjacent, as in statsmodels on
    the NaN-dropped sample). ``L = 0`` gives the White (HC0) meat. Assets whose usable
    rows form one contiguous block are handled together on the full grid (``e = 0``
    outside the block); assets with interior gaps are grouped by missing-value pattern
    (``mask`` holds the patterns of the ``partial`` columns) and their rows compressed.
    Where numba runs, each group goes to the compiled moving-sum kernel
    (:func:`~xlfactor.models._bartlett_kernel.bartlett_meat`, equal to 1e-14); elsewhere
    to :func:`_meat_on_grid`, the numpy kernel and the reference.
    """
    t, k = z.shape
    meat = np.empty((e0.shape[1], k, k))
    if mask is None:
        return (
            meat
            if bartlett_meat(z, e0, np.arange(t), np.arange(e0.shape[1]), lags, meat)
            else _meat_on_grid(z, e0, lags)
        )
    cols = np.flatnonzero(partial)
    first = mask.argmax(axis=0)
    last = t - 1 - mask[::-1].argmax(axis=0)
    contiguous = mask.sum(axis=0) == last - first + 1
    on_grid = np.concatenate([np.flatnonzero(~partial), cols[contiguous]])
    if not bartlett_meat(z, e0, np.arange(t), on_grid, lags, meat):
        meat[on_grid] = _meat_on_grid(z, e0[:, on_grid], lags[on_grid])
    patterns: dict[bytes, list[int]] = {}
    for j in np.flatnonzero(~contiguous):
        patterns.setdefault(np.packbits(mask[:, j]).tobytes(), []).append(j)
    for group in patterns.values():
        rows = np.flatnonzero(mask[:, group[0]])
        if not bartlett_meat(z, e0, rows, cols[group], lags, meat):
            meat[cols[group]] = _meat_on_grid(z[rows], e0[np.ix_(rows, cols[group])], lags[cols[group]])
    return meat


def _meat_on_grid(z: np.ndarray, e0: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """``sum_l w_l,n (Gamma_l + Gamma_l')`` with ``Gamma_l[i,j] = sum_t e_t e_{t-l} z_t,i z_{t-l},j``.

    Only the upper triangle ``i <= j`` is computed (the meat is symmetric). Every lag is
    one matrix product of the lagged score pairs ``z_t,i z_{t-l},j + z_t,j z_{t-l},i``
    (K(K+1)/2, T-l), shared by every asset, with the lagged residual products
    ``e_t e_{t-l}`` of all assets (T-l, N): the per-asset work is one multiplication
    per row and lag, the rest runs in BLAS. The products are formed in one reused
    buffer in the memory order of ``e0`` (no transposed copy); a lag is skipped for
    the assets whose bandwidth is below it (their weight is 0).
    """
    t, k = z.shape
    i, j = np.triu_indices(k)
    products = np.multiply(e0, e0)
    upper = (z[:, i] * z[:, j]).T @ products  # (K(K+1)/2, N)
    for lag in range(1, int(lags.max(initial=0)) + 1):
        weight = bartlett_weight(lag, lags)
        pairs = (z[lag:, i] * z[:-lag, j] + z[lag:, j] * z[:-lag, i]).T
        used = weight > 0
        if used.all():
            lagged = np.multiply(e0[lag:], e0[:-lag], out=products[: t - lag])
            upper += pairs @ lagged * weight
        else:
            cols = np.flatnonzero(used)
            upper[:, cols] += pairs @ (e0[lag:, cols] * e0[:-lag, cols]) * weight[cols]
    meat = np.empty((e0.shape[1], k, k))
    meat[:, i, j] = upper.T
    meat[:, j, i] = upper.T
    return meat


def _jacobian(g: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``J`` mapping standardised-design coefficients to (alpha, beta) in original units."""
    k = len(g) + 1
    jac = np.zeros((k, k))
    jac[0, 0] = 1.0
    jac[0, 1:] = -g / s
    jac[np.arange(1, k), np.arange(1, k)] = 1.0 / s
    return jac
