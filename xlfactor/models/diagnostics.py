"""Per-asset regression diagnostics: F test, Durbin-Watson, Breusch-Pagan, Jarque-Bera.

Computed for all assets at once from a fit's coefficients, their covariance and the
residuals (each asset on its own usable rows, taken consecutively as statsmodels does on
the NaN-dropped sample). Each equals the statsmodels figure for the same fit:

* ``F = b' V_bb^-1 b / K`` with ``b`` the K slopes and ``V_bb`` their covariance (the
  regression's ``cov``), p-value from ``F(K, n - K - 1)``. With the classical covariance this
  is ``(ESS/K) / (SSR/(n-K-1))``; with HC1/HAC it is the robust Wald F. statsmodels
  ``fvalue``, ``f_pvalue``.
* Durbin-Watson ``DW = sum_t (e_t - e_{t-1})^2 / sum_t e_t^2``
  (``statsmodels.stats.stattools.durbin_watson``).
* Breusch-Pagan (Koenker's studentised form): ``LM = n R2_aux`` with ``R2_aux`` the R-squared
  of ``e_t^2`` on ``[1, f_t]``, p-value from chi-square with K degrees of freedom
  (``statsmodels.stats.diagnostic.het_breuschpagan(e, exog)``, its default ``robust=True``).
* Jarque-Bera ``JB = n/6 (S^2 + (C - 3)^2 / 4)`` with the skewness ``S = m3 / m2^1.5`` and
  kurtosis ``C = m4 / m2^2`` from the residuals' central moments ``m_j = mean((e - mean e)^j)``,
  p-value from chi-square with 2 degrees of freedom
  (``statsmodels.stats.stattools.jarque_bera``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from xlfactor.models import labels
from xlfactor.models._ols_fit import centred_rsquared

#: The diagnostics in the order of :func:`diagnostics`' columns (each column headed by the label's long form,
#: statsmodels' summary name).
LABELS = (
    labels.FVALUE,
    labels.F_PVALUE,
    labels.DURBIN_WATSON,
    labels.BREUSCH_PAGAN,
    labels.BREUSCH_PAGAN_PVALUE,
    labels.JARQUE_BERA,
    labels.JARQUE_BERA_PVALUE,
    labels.SKEW,
    labels.KURTOSIS,
)
#: The columns of :func:`diagnostics`, in order.
COLUMNS = tuple(label.long for label in LABELS)


def diagnostics(
    params: np.ndarray,
    cov: np.ndarray,
    resid: np.ndarray,
    x: np.ndarray,
    nobs: np.ndarray,
    assets: pd.Index,
    factors: pd.Index,
) -> pd.DataFrame:
    """Assets x :data:`COLUMNS` (formulas in the module docstring).

    ``params`` (N, K+1) intercept first, ``cov`` (N, K+1, K+1), ``resid`` (T, N) NaN where an
    asset has no row, ``x`` (T, K) the factors, ``nobs`` (N,) usable rows per asset.
    """
    k = x.shape[1]
    df_resid = nobs - (k + 1)
    slopes = params[:, 1:]
    wald = np.einsum("nk,nk->n", slopes, np.linalg.solve(cov[:, 1:, 1:], slopes[:, :, None])[:, :, 0])
    f_stat = wald / k
    r2_aux, _ = centred_rsquared(resid * resid, x, assets, factors)
    lm = nobs * r2_aux
    missing = np.isnan(resid)
    skew, kurt = _moments(resid, missing, nobs)
    jb = nobs / 6.0 * (skew * skew + (kurt - 3.0) ** 2 / 4.0)
    values = [
        f_stat,
        special.fdtrc(k, df_resid, f_stat),
        _durbin_watson(resid, missing),
        lm,
        special.chdtrc(k, lm),
        jb,
        special.chdtrc(2, jb),
        skew,
        kurt,
    ]
    return pd.DataFrame(dict(zip(COLUMNS, values, strict=True)), index=assets)


def _durbin_watson(resid: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """``sum (e_t - e_{t-1})^2 / sum e^2`` over each column's non-missing values taken consecutively."""
    partial = missing.any(axis=0)
    if partial.any():  # move those columns' values to the top, in order (a stable sort on "missing")
        resid = resid.copy()
        order = np.argsort(missing[:, partial], axis=0, kind="stable")
        resid[:, partial] = np.take_along_axis(resid[:, partial], order, axis=0)
        resid = np.nan_to_num(resid, nan=0.0)
        moved = np.take_along_axis(missing[:, partial], order, axis=0)
        step = np.diff(resid, axis=0)
        step[:, partial] = np.where(moved[1:], 0.0, step[:, partial])  # no step into the missing tail
    else:
        step = np.diff(resid, axis=0)
    return np.einsum("tn,tn->n", step, step) / np.einsum("tn,tn->n", resid, resid)


def _moments(resid: np.ndarray, missing: np.ndarray, nobs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Skewness ``m3 / m2^1.5`` and kurtosis ``m4 / m2^2`` (not excess) of each column over its non-missing rows."""
    filled = np.where(missing, 0.0, resid) if missing.any() else resid
    centred = filled - filled.sum(axis=0) / nobs
    if missing.any():
        centred[missing] = 0.0
    sq = centred * centred
    m2 = sq.sum(axis=0) / nobs
    m3 = np.einsum("tn,tn->n", sq, centred) / nobs
    m4 = np.einsum("tn,tn->n", sq, sq) / nobs
    return m3 / m2**1.5, m4 / (m2 * m2)
