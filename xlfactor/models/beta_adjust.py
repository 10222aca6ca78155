"""Adjusted betas: Blume's mean reversion toward 1 and Vasicek's Bayesian shrinkage.

* Blume: ``b_adj = w b + (1 - w) target`` with ``w = 0.67`` and ``target = 1``, the
  Bloomberg "adjusted beta" convention (0.67 raw + 0.33; Blume 1971/1975 estimated
  roughly 0.68 b + 0.34 for NYSE stocks).
* Vasicek (1973): each beta is shrunk toward the cross-sectional mean in proportion
  to its own estimation noise:
  ``b_adj,i = w_i b_i + (1 - w_i) m``, ``w_i = s2 / (s2 + se_i^2)``,
  ``m`` = cross-sectional mean of the betas, ``s2`` = their cross-sectional variance
  (``ddof=1``), ``se_i`` = the standard error of ``b_i``. The prior ``m`` and ``s2`` may
  be given instead (needed for a single asset).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models.regression import RegressionResult

BLUME_WEIGHT = 0.67
METHODS = ("blume", "vasicek")

Betas = float | pd.Series | pd.DataFrame


def adjust_beta(
    beta: Betas | RegressionResult,
    method: str = "blume",
    *,
    se: Betas | None = None,
    weight: float = BLUME_WEIGHT,
    target: float = 1.0,
    prior_mean: float | None = None,
    prior_var: float | None = None,
) -> Betas:
    """Adjust raw betas by Blume's rule or Vasicek shrinkage.

    Parameters
    ----------
    beta : float, Series, DataFrame or RegressionResult
        Raw betas: a number, a Series (one beta per asset), or a DataFrame (assets x
        factors; each column is adjusted on its own). A RegressionResult stands for
        its ``betas`` with ``se`` = its standard errors of those betas.
        Blume's rule is a market-beta rule: for a multi-factor result pass
        ``result.betas["Mkt-RF"]`` (and ``se=result.bse["Mkt-RF"]`` for Vasicek).
    method : {"blume", "vasicek"}
        ``"blume"``: ``weight * beta + (1 - weight) * target``.
        ``"vasicek"``: ``w beta + (1 - w) m`` with ``w = s2 / (s2 + se^2)``.
    se : same shape as ``beta``, optional
        Standard errors of the betas (required for Vasicek unless ``beta`` is a
        RegressionResult).
    weight, target : float
        Blume weight on the raw beta (default 0.67) and the value betas revert to (1).
    prior_mean, prior_var : float, optional
        Vasicek prior; default the cross-sectional mean and variance (ddof=1) of the
        non-missing betas (per column for a DataFrame).

    Returns
    -------
    Same type as ``beta`` (a DataFrame for a RegressionResult). Missing betas stay NaN.
    """
    if isinstance(beta, RegressionResult):
        if se is None:
            se = beta.bse[beta.factor_names]
        beta = beta.betas
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise XLFactorError.at("method", f"{method!r} is not one of {', '.join(METHODS)}")
    raw = _as_numbers(beta, "beta")
    if method.lower() == "blume":
        if not 0.0 <= weight <= 1.0:
            raise XLFactorError.at("weight", f"{weight!r} must be between 0 and 1 (0.67 is the usual Blume weight)")
        return _rewrap(beta, weight * raw + (1.0 - weight) * target)
    return _rewrap(beta, _vasicek(raw, _standard_errors(se, beta), prior_mean, prior_var))


def _vasicek(raw: np.ndarray, se: np.ndarray, prior_mean: float | None, prior_var: float | None) -> np.ndarray:
    """``w b + (1-w) m`` column by column with ``w = s2/(s2 + se^2)``."""
    two_d = raw.reshape(raw.shape[0] if raw.ndim else 1, -1)
    valid = ~np.isnan(two_d)
    counts = valid.sum(axis=0)
    if (prior_mean is None or prior_var is None) and (counts < 2).any():
        raise XLFactorError.at(
            "beta",
            "the Vasicek prior needs at least two non-missing betas per factor to estimate the "
            "cross-sectional mean and variance; pass more assets or give prior_mean and prior_var",
        )
    if prior_var is not None and not prior_var > 0:
        raise XLFactorError.at("prior_var", f"{prior_var!r} must be a positive variance")
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(two_d, axis=0) if prior_mean is None else np.full(two_d.shape[1], float(prior_mean))
        var = np.nanvar(two_d, axis=0, ddof=1) if prior_var is None else np.full(two_d.shape[1], float(prior_var))
    w = var / (var + se.reshape(two_d.shape) ** 2)
    return (w * two_d + (1.0 - w) * mean).reshape(raw.shape)


def _standard_errors(se: Betas | None, beta: Betas) -> np.ndarray:
    if se is None:
        raise XLFactorError.at(
            "se", "Vasicek shrinkage needs the standard error of each beta; pass se= (e.g. result.bse)"
        )
    if isinstance(beta, (pd.Series, pd.DataFrame)):
        if not isinstance(se, type(beta)):
            raise XLFactorError.at("se", f"expected a {type(beta).__name__} matching beta, got {type(se).__name__}")
        missing = beta.index.difference(se.index)
        if isinstance(beta, pd.DataFrame):
            missing_cols = beta.columns.difference(se.columns)
            if len(missing_cols):
                raise XLFactorError.at("se", f"no standard errors for factor '{missing_cols[0]}'")
            se = se.loc[:, beta.columns]
        if len(missing):
            raise XLFactorError.at("se", f"no standard error for asset '{missing[0]}'")
        se = se.loc[beta.index]
    values = _as_numbers(se, "se")
    if values.shape != np.shape(beta):
        raise XLFactorError.at("se", f"shape {values.shape} does not match beta {np.shape(beta)}")
    if (values[~np.isnan(values)] <= 0).any():
        raise XLFactorError.at("se", "standard errors must be positive")
    return values


def _as_numbers(obj: object, name: str) -> np.ndarray:
    if isinstance(obj, (pd.Series, pd.DataFrame)):
        try:
            return obj.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise XLFactorError.at(name, "contains values that are not numbers; use numbers (NaN for missing)") from exc
    if isinstance(obj, (int, float, np.number)) and not isinstance(obj, (bool, np.bool_)):
        return np.asarray(float(obj))
    raise XLFactorError.at(name, f"expected a number, Series or DataFrame, got {type(obj).__name__}")


def _rewrap(like: Betas, values: np.ndarray) -> Betas:
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=like.name)
    if isinstance(like, pd.DataFrame):
        return pd.DataFrame(values, index=like.index, columns=like.columns)
    return float(values)
