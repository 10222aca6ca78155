"""Factor covariance estimators (sample, EWMA, Ledoit-Wolf) and covariance checks.

All estimators work on complete rows: a date on which any factor is missing is
dropped before estimation. An ``RF`` column (the risk-free rate that French files
carry next to the factors) is never treated as a factor and is dropped.

Units: the input is per-period returns (decimals). With ``annualize=True`` the
covariance is multiplied by the number of periods per year (252, 52, 12, ...), so
a variance of 0.04 means a volatility of 20% a year. The result carries its
metadata in ``DataFrame.attrs``: ``method``, ``halflife``, ``nobs``,
``periods_per_year``, ``annualized`` and, for Ledoit-Wolf, ``shrinkage``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import periods_per_year as infer_periods_per_year

CovMethod = Literal["sample", "ewma", "ledoit_wolf"]
_METHODS = ("sample", "ewma", "ledoit_wolf")
RF_COLUMN = "RF"


def factor_cov(
    factors: pd.DataFrame,
    method: CovMethod = "sample",
    halflife: float | None = None,
    annualize: bool = True,
    periods_per_year: int | None = None,
) -> pd.DataFrame:
    """Covariance matrix of factor returns.

    Parameters
    ----------
    factors : DataFrame
        Dates x factors, per-period decimal returns. An ``RF`` column is dropped.
        Rows with any missing value are dropped (complete-case estimation).
    method : {"sample", "ewma", "ledoit_wolf"}
        ``"sample"``: the unbiased sample covariance,
        ``S = X_c' X_c / (T - 1)`` with ``X_c`` the de-meaned returns.

        ``"ewma"``: exponentially weighted, de-meaned with the same weights.
        Weights ``w_t = 0.5 ** ((T - 1 - t) / halflife)`` for rows ``t = 0..T-1``
        (the last row has weight 1), normalised to ``sum(w) = 1``;
        ``mu = sum_t w_t x_t`` and
        ``S = sum_t w_t (x_t - mu)(x_t - mu)' / (1 - sum_t w_t^2)``.
        The last factor is the reliability-weights bias correction, so this equals
        pandas ``ewm(halflife=halflife, adjust=True).cov()`` (``bias=False``) at the
        last date, and tends to the sample covariance as ``halflife -> inf``.

        ``"ledoit_wolf"``: Ledoit & Wolf (2004), shrinkage toward a scaled identity.
        With ``S = X_c' X_c / T`` (maximum-likelihood scaling, as in the paper and
        scikit-learn), ``p`` factors, ``m = tr(S) / p``,
        ``d2 = ||S - m I||_F^2 / p``,
        ``b2 = min(d2, (sum_t ||x_t||^4 - T ||S||_F^2) / (T^2 p))`` (``x_t`` de-meaned rows),
        the shrinkage is ``delta = b2 / d2`` and the estimate ``(1 - delta) S + delta m I``.
        ``delta`` is stored in ``attrs["shrinkage"]``.
    halflife : float, optional
        EWMA half-life in periods (rows); required for ``"ewma"``, must be > 0.
    annualize : bool
        Multiply by ``periods_per_year``.
    periods_per_year : int, optional
        Periods per year; inferred from the date index when omitted (needed only
        when ``annualize`` is true).

    Returns
    -------
    DataFrame
        Factors x factors covariance, symmetric, with metadata in ``attrs``.

    Raises
    ------
    XLFactorError
        Unknown method, missing/invalid halflife, non-numeric or infinite values,
        fewer than two complete rows, a constant factor, no frequency to annualise with.
    """
    if method not in _METHODS:
        raise XLFactorError(f"method: {method!r} is not one of {list(_METHODS)}")
    data = _complete_factor_rows(factors)
    x = data.to_numpy(dtype=float)
    shrinkage = None
    if method == "sample":
        cov = np.cov(x, rowvar=False, ddof=1)
    elif method == "ewma":
        cov = _ewma_cov(x, _check_halflife(halflife))
    else:
        cov, shrinkage = _ledoit_wolf(x)
    cov = np.atleast_2d(cov)
    if periods_per_year is not None:
        ppy = check_periods_per_year(periods_per_year)
    else:
        ppy = _infer_ppy(data.index, annualize)
    if annualize:
        cov = cov * ppy
    out = pd.DataFrame((cov + cov.T) / 2.0, index=data.columns, columns=data.columns)
    out.attrs.update(
        method=method,
        halflife=halflife if method == "ewma" else None,
        nobs=len(data),
        periods_per_year=ppy,
        annualized=bool(annualize),
    )
    if shrinkage is not None:
        out.attrs["shrinkage"] = shrinkage
    return out


def cov_to_corr(cov: pd.DataFrame) -> pd.DataFrame:
    """Correlation matrix from a covariance matrix.

    ``C_ij = S_ij / sqrt(S_ii S_jj)``; the diagonal is set to exactly 1.

    Raises
    ------
    XLFactorError
        If ``cov`` is not a square symmetric PSD matrix with positive diagonal.
    """
    values, labels = validate_cov(cov, "cov")
    diag = np.diag(values)
    if np.any(diag <= 0):
        bad = [str(labels[i]) for i in np.flatnonzero(diag <= 0)]
        raise XLFactorError(f"cov: zero variance for {bad}; a correlation is undefined for them")
    inv_sd = 1.0 / np.sqrt(diag)
    corr = values * inv_sd[:, None] * inv_sd[None, :]
    np.fill_diagonal(corr, 1.0)
    return pd.DataFrame(corr, index=labels, columns=labels)


def validate_cov(cov: pd.DataFrame | np.ndarray, name: str) -> tuple[np.ndarray, pd.Index]:
    """Check that ``cov`` is a square, symmetric, positive semi-definite matrix.

    A DataFrame must have identical row and column labels (same order).
    Symmetry is checked to ``1e-10`` relative to the largest entry and the result is
    symmetrised; PSD means the smallest eigenvalue is at least
    ``-1e-10 * max|eigenvalue|``.

    Returns
    -------
    (ndarray, Index)
        The symmetrised float matrix and its labels (0..n-1 for an ndarray).
    """
    if isinstance(cov, pd.DataFrame):
        if not cov.index.equals(cov.columns):
            raise XLFactorError(f"{name}: row and column labels must be the same names in the same order")
        labels = pd.Index(cov.columns)
        values = _numeric_array(cov, name)
    else:
        values = _numeric_array(pd.DataFrame(np.atleast_2d(np.asarray(cov))), name)
        labels = pd.RangeIndex(values.shape[1])
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise XLFactorError(f"{name}: expected a non-empty square matrix, got shape {values.shape}")
    scale = max(float(np.max(np.abs(values))), np.finfo(float).tiny)
    if np.max(np.abs(values - values.T)) > 1e-10 * scale:
        raise XLFactorError(f"{name}: the matrix is not symmetric")
    values = (values + values.T) / 2.0
    eig = np.linalg.eigvalsh(values)
    if eig[0] < -1e-10 * max(float(np.max(np.abs(eig))), np.finfo(float).tiny):
        raise XLFactorError(
            f"{name}: the matrix is not positive semi-definite (smallest eigenvalue {eig[0]:.3g}); "
            "estimate it from data or repair it"
        )
    return values, labels


def check_periods_per_year(value: int) -> int:
    """``value`` as a positive int, or XLFactorError naming ``periods_per_year``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise XLFactorError(f"periods_per_year: expected a positive integer such as 12 or 252, got {value!r}")
    return int(value)


def _numeric_array(frame: pd.DataFrame, name: str) -> np.ndarray:
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError(f"{name}: contains non-numeric values") from exc
    if not np.all(np.isfinite(values)):
        raise XLFactorError(f"{name}: contains missing or infinite values")
    return values


def _complete_factor_rows(factors: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError("factors: expected a DataFrame with one column per factor")
    data = factors.drop(columns=[RF_COLUMN], errors="ignore")
    if data.shape[1] == 0:
        raise XLFactorError("factors: no factor columns (only RF or nothing)")
    try:
        data = data.astype(float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError("factors: contains non-numeric values") from exc
    if np.isinf(data.to_numpy()).any():
        raise XLFactorError("factors: contains infinite values")
    data = data.dropna(how="any")
    if len(data) < 2:
        raise XLFactorError("factors: need at least two dates with every factor present")
    constant = data.columns[(data.max() - data.min()).to_numpy() == 0]
    if len(constant):
        raise XLFactorError(
            f"factors: column '{constant[0]}' is constant; drop it or use a longer sample"
        )
    return data


def _check_halflife(halflife: float | None) -> float:
    if halflife is None:
        raise XLFactorError("halflife: required for method='ewma' (in periods, e.g. 60 for monthly data)")
    try:
        value = float(halflife)
    except (TypeError, ValueError) as exc:
        raise XLFactorError(f"halflife: expected a positive number of periods, got {halflife!r}") from exc
    if not np.isfinite(value) or value <= 0:
        raise XLFactorError(f"halflife: expected a positive number of periods, got {halflife!r}")
    return value


def _infer_ppy(index: pd.Index, required: bool) -> int | None:
    """Periods per year from the dates; None when unknown and not required."""
    try:
        return infer_periods_per_year(index)
    except XLFactorError:
        if not required:
            return None
        raise XLFactorError(
            "periods_per_year: cannot infer the frequency from the factors' index; "
            "pass periods_per_year (e.g. 12) or annualize=False"
        ) from None


def _ewma_cov(x: np.ndarray, halflife: float) -> np.ndarray:
    t = x.shape[0]
    w = 0.5 ** (np.arange(t - 1, -1, -1, dtype=float) / halflife)
    w /= w.sum()
    xc = x - w @ x
    return (xc * w[:, None]).T @ xc / (1.0 - np.sum(w * w))


def _ledoit_wolf(x: np.ndarray) -> tuple[np.ndarray, float]:
    n, p = x.shape
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / n
    m = np.trace(s) / p
    d2 = (np.sum(s * s) - 2.0 * m * np.trace(s) + p * m * m) / p
    row_norm2 = np.sum(xc * xc, axis=1)
    b2_bar = (np.sum(row_norm2**2) - n * np.sum(s * s)) / (n * n * p)
    b2 = min(b2_bar, d2)
    shrinkage = 0.0 if b2 == 0 else float(b2 / d2)
    return (1.0 - shrinkage) * s + shrinkage * m * np.eye(p), shrinkage
