"""Factor covariance estimators (sample, EWMA, Ledoit-Wolf) and covariance checks.

All estimators work on complete rows: a date on which any factor is missing is
dropped before estimation. An ``RF`` column (the risk-free rate that French files
carry next to the factors) is never treated as a factor and is dropped.

Units: the input is per-period returns (decimals). With ``annualize=True`` the
covariance is multiplied by the number of periods per year (252, 52, 12, ...), so
a variance of 0.04 means a volatility of 20% a year. The result carries its
metadata in ``DataFrame.attrs``: ``cov_method``, ``halflife``, ``nobs``,
``periods_per_year``, ``annualized`` and, for Ledoit-Wolf, ``shrinkage``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from xlfactor.errors import Advice, XLFactorError
from xlfactor.models import RF_COLUMN
from xlfactor.models._validate import positive_number, whole_number
from xlfactor.models.frequency import maybe_periods_per_year
from xlfactor.models.units import check_return_columns

CovMethod = Literal["sample", "ewma", "ledoit_wolf"]
_METHODS = ("sample", "ewma", "ledoit_wolf")
#: A correlation matrix with an eigenvalue below this is singular: some variable is a linear
#: combination of the others (condition number above ~1e10).
COLLINEAR_TOL = 1e-10


def factor_cov(
    factors: pd.DataFrame,
    cov_method: CovMethod = "sample",
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
    cov_method : {"sample", "ewma", "ledoit_wolf"}
        The estimator (named ``cov_method`` wherever a factor covariance is estimated).
        ``"sample"``: the unbiased sample covariance,
        ``S = X_c' X_c / (T - 1)`` with ``X_c`` the de-meaned returns.

        ``"ewma"``: exponentially weighted, de-meaned with the same weights.
        Weights ``w_t = 0.5 ** ((T - 1 - t) / halflife)`` for rows ``t = 0..T-1``
        (the last row has weight 1), normalised to ``sum(w) = 1``;
        ``mu = sum_t w_t x_t`` and
        ``S = sum_t w_t (x_t - mu)(x_t - mu)' / (1 - sum_t w_t^2)``.
        The last factor is the reliability-weights bias correction
        (:func:`weighted_cov` with ``bias_corrected=True``), so this equals
        pandas ``ewm(halflife=halflife, adjust=True).cov()`` (``bias=False``) at the
        last date, and tends to the sample covariance as ``halflife -> inf``.
        (:func:`~xlfactor.models.cross_section.risk.xs_factor_cov` uses the same weights
        without the correction, as Barra does; the two differ by ``1 / (1 - sum w^2)``.)

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
        values that break the units rule (:mod:`xlfactor.models.units`: percent-looking
        columns, ``|f| > 100``),
        fewer than two complete rows or no more rows than factors (the matrix would be singular), a
        constant factor, no frequency to annualise with.
    """
    if cov_method not in _METHODS:
        raise XLFactorError.at("cov_method", f"{cov_method!r} is not one of {', '.join(_METHODS)}")
    data = _complete_factor_rows(factors)
    x = data.to_numpy(dtype=float)
    if periods_per_year is not None:
        ppy = check_periods_per_year(periods_per_year)
    else:
        ppy = maybe_periods_per_year(data.index)
        if ppy is None and annualize:
            raise XLFactorError.at(
                "periods_per_year",
                "cannot infer the frequency from the factors' index",
                advice=(Advice("periods_per_year", 12, "the periods a year"), Advice("annualize", False)),
            )
    check_return_columns(x, data.columns, "factors", index=data.index, periods_per_year=ppy)
    if len(x) <= x.shape[1]:
        raise XLFactorError.at(
            "factors",
            f"{len(x)} complete rows for {x.shape[1]} factors; a covariance matrix needs more rows than "
            f"factors (at least {x.shape[1] + 1}; a reliable one many more); select more rows",
        )
    shrinkage = None
    if cov_method == "sample":
        cov = np.cov(x, rowvar=False, ddof=1)
    elif cov_method == "ewma":
        if halflife is None:
            raise XLFactorError.at("halflife", "required for the EWMA method (in periods, e.g. 60 for monthly data)")
        cov = weighted_cov(x, ewma_weights(len(x), halflife), bias_corrected=True)
    else:
        cov, shrinkage = _ledoit_wolf(x)
    cov = np.atleast_2d(cov)
    if annualize:
        cov = cov * ppy
    out = pd.DataFrame((cov + cov.T) / 2.0, index=data.columns, columns=data.columns)
    out.attrs.update(
        cov_method=cov_method,
        halflife=halflife if cov_method == "ewma" else None,
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
        raise XLFactorError.at("cov", f"zero variance for {bad}; a correlation is undefined for them")
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
            raise XLFactorError.at(name, "row and column labels must be the same names in the same order")
        labels = pd.Index(cov.columns)
        values = _numeric_array(cov, name)
    else:
        values = _numeric_array(pd.DataFrame(np.atleast_2d(np.asarray(cov))), name)
        labels = pd.RangeIndex(values.shape[1])
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise XLFactorError.at(name, f"expected a non-empty square matrix, got shape {values.shape}")
    scale = max(float(np.max(np.abs(values))), np.finfo(float).tiny)
    if np.max(np.abs(values - values.T)) > 1e-10 * scale:
        raise XLFactorError.at(name, "the matrix is not symmetric")
    values = (values + values.T) / 2.0
    eig = np.linalg.eigvalsh(values)
    if eig[0] < -1e-10 * max(float(np.max(np.abs(eig))), np.finfo(float).tiny):
        raise XLFactorError.at(
            name,
            f"the matrix is not positive semi-definite (smallest eigenvalue {eig[0]:.3g}); "
            "estimate it from data or repair it",
        )
    return values, labels


def check_periods_per_year(value: int) -> int:
    """``value`` as a positive int, or XLFactorError naming ``periods_per_year``."""
    return whole_number(value, "periods_per_year", 1)


def _numeric_array(frame: pd.DataFrame, name: str) -> np.ndarray:
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at(name, "contains non-numeric values") from exc
    if not np.all(np.isfinite(values)):
        raise XLFactorError.at(name, "contains missing or infinite values")
    return values


def _complete_factor_rows(factors: pd.DataFrame) -> pd.DataFrame:
    """The factor columns (RF dropped) as floats, rows with a missing value dropped; checked in one
    array (no infinite value, two rows or more, no constant column)."""
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError.at("factors", "expected a DataFrame with one column per factor")
    data = factors.drop(columns=[RF_COLUMN]) if RF_COLUMN in factors.columns else factors
    if data.shape[1] == 0:
        raise XLFactorError.at("factors", "no factor columns (only RF or nothing)")
    try:
        x = data.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at("factors", "contains non-numeric values") from exc
    infinite = np.isinf(x).any(axis=0)
    if infinite.any():
        raise XLFactorError.at("factors", f"column '{data.columns[int(np.argmax(infinite))]}' contains infinite values")
    complete = ~np.isnan(x).any(axis=1)
    index = data.index
    if not complete.all():
        x, index = x[complete], index[complete]
    if len(x) < 2:
        raise XLFactorError.at("factors", "need at least two dates with every factor present")
    constant = data.columns[x.max(axis=0) - x.min(axis=0) == 0]
    if len(constant):
        raise XLFactorError.at("factors", f"column '{constant[0]}' is constant; drop it or use a longer sample")
    return pd.DataFrame(x, index=index, columns=data.columns)


def check_nonsingular(
    cov: np.ndarray, names: Sequence, arg: str, *, where: str = "", fix: str = "drop one of them"
) -> None:
    """Raise if the covariance matrix ``cov`` of the variables ``names`` is singular.

    A variable with zero variance is named; otherwise the correlation matrix
    ``C = D^-1/2 cov D^-1/2`` is singular when its smallest eigenvalue is below
    ``COLLINEAR_TOL``, and the variables with weight above 1e-3 in that eigenvector are
    named. ``arg`` is the argument named in the message, ``where`` an optional
    " over ..." phrase, ``fix`` the advice.
    """
    cov = np.atleast_2d(np.asarray(cov, dtype=float))
    var = np.diag(cov)
    if np.any(var <= 0):
        raise XLFactorError.at(arg, f"'{names[int(np.argmin(var))]}' has zero variance{where}; drop it")
    if cov.shape[0] < 2:
        return
    sd = np.sqrt(var)
    values, vectors = np.linalg.eigh(cov / np.outer(sd, sd))
    if values[0] < COLLINEAR_TOL:
        involved = [repr(str(n)) for n, v in zip(names, vectors[:, 0], strict=True) if abs(v) > 1e-3]
        raise XLFactorError.at(
            arg,
            f"columns {', '.join(involved)} are collinear{where} (perfectly correlated, or one is a "
            f"linear combination of the others); {fix}",
        )


def ewma_weights(n: int, halflife: float | None) -> np.ndarray:
    """Weights ``w_t = 0.5 ** ((n - 1 - t) / halflife)``, t = 0..n-1, normalised to sum to 1
    (the last row weighs most); equal weights ``1/n`` when ``halflife`` is None."""
    if halflife is None:
        return np.full(n, 1.0 / n)
    h = positive_number(halflife, "halflife", "a positive number of periods (or None for equal weights)")
    w = 0.5 ** ((n - 1 - np.arange(n)) / h)
    return w / w.sum()


def bartlett_weight(lag: int, lags: int | np.ndarray) -> float | np.ndarray:
    """Bartlett (Newey-West) kernel weight ``max(0, 1 - lag / (L + 1))`` of autocovariance ``lag``
    with bandwidth ``L = lags`` (an int or an array of per-series bandwidths)."""
    return np.clip(1.0 - lag / (np.asarray(lags, dtype=float) + 1.0), 0.0, None)


def newey_west_lags(nobs: int | np.ndarray) -> int | np.ndarray:
    """Default Newey-West bandwidth ``floor(4 (T/100)^(2/9))`` (Newey and West, 1994) for sample
    size ``T = nobs``; an int for an int, an int array for an array."""
    lags = np.floor(4.0 * (np.asarray(nobs, dtype=float) / 100.0) ** (2.0 / 9.0)).astype(int)
    return int(lags) if lags.ndim == 0 else lags


def weighted_cov(x: np.ndarray, weights: np.ndarray, *, bias_corrected: bool, lags: int = 0) -> np.ndarray:
    """Weighted covariance of the rows of ``x`` (T, K), optionally with Bartlett-weighted lags.

    With weights ``w`` summing to 1, ``mu = sum_t w_t x_t``, ``d_t = x_t - mu``:

    ``Gamma_l = sum_{t >= l} w_t d_t d_{t-l}'`` and
    ``S = Gamma_0 + sum_{l=1..L} (1 - l/(L+1)) (Gamma_l + Gamma_l')``.

    ``bias_corrected=True`` divides by ``1 - sum_t w_t^2`` (reliability-weights correction:
    the unbiased ``ddof=1`` sample covariance for equal weights, pandas ``ewm(...).cov()``
    for EWMA weights); ``bias_corrected=False`` returns ``S`` as is (``ddof=0`` for equal
    weights; the Barra convention).
    """
    d = x - weights @ x
    wd = d * weights[:, None]
    cov = wd.T @ d
    for lag in range(1, lags + 1):
        gamma = wd[lag:].T @ d[:-lag]
        cov += bartlett_weight(lag, lags) * (gamma + gamma.T)
    if bias_corrected:
        cov /= 1.0 - np.sum(weights * weights)
    return cov


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
