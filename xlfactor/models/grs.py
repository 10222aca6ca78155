"""The Gibbons-Ross-Shanken (1989) test that every asset's alpha is zero, jointly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from xlfactor.errors import XLFactorError
from xlfactor.models.regression import RegressionResult, regress


@dataclass(frozen=True)
class GRSResult:
    """Result of :func:`grs_test`.

    Attributes
    ----------
    statistic : float
        The GRS F statistic.
    pvalue : float
        ``P(F(N, T - N - K) > statistic)``.
    df_num, df_denom : int
        ``N`` and ``T - N - K``.
    nobs : int
        ``T``: dates on which every asset and every factor has a value (the test needs one
        common sample).
    dropped : int
        Dates of the regression sample left out because some asset's return is missing.
    alpha : Series
        Per-period alphas on the common sample.
    sharpe_factors : float
        ``sqrt(mu' Omega^-1 mu)``: the per-period maximum Sharpe ratio of the factors.
    sharpe_alpha : float
        ``sqrt(alpha' Sigma^-1 alpha)`` (``Sigma`` the MLE residual covariance).
    regression : RegressionResult
        The regressions on the common sample.
    """

    statistic: float
    pvalue: float
    df_num: int
    df_denom: int
    nobs: int
    dropped: int
    alpha: pd.Series
    sharpe_factors: float
    sharpe_alpha: float
    regression: RegressionResult


def grs_test(
    returns: pd.DataFrame,
    factors: pd.DataFrame | pd.Series,
    *,
    rf: pd.Series | None = None,
    units: str = "auto",
) -> GRSResult:
    """GRS test of ``H0: alpha_n = 0`` for all N assets of a time-series factor regression.

    On the T dates where every asset and factor is present, with K factors, alphas
    ``a`` (N), residuals ``e`` (T x N) and factor returns ``f`` (T x K)::

        Sigma = e'e / T                       (MLE residual covariance)
        mu = mean(f),  Omega = (f - mu)'(f - mu) / T
        GRS = (T - N - K) / N * a' Sigma^-1 a / (1 + mu' Omega^-1 mu)  ~  F(N, T - N - K)

    exactly under normal errors. With the unbiased ``S = e'e / (T - K - 1)`` the same number is
    ``T (T - N - K) / (N (T - K - 1)) * a' S^-1 a / (1 + mu' Omega^-1 mu)``.

    Parameters
    ----------
    returns : DataFrame
        Asset returns (one column per asset), as for :func:`xlfactor.regress`. Dates where some
        asset is missing are left out (``dropped`` counts them).
    factors, rf, units
        As for :func:`xlfactor.regress`.

    Raises
    ------
    XLFactorError
        Everything :func:`xlfactor.regress` refuses; fewer than ``N + K + 1`` common dates (the
        residual covariance would be singular); residuals that are collinear across assets.
    """
    full = regress(returns, factors, rf=rf, units=units)
    complete = full.resid.notna().all(axis=1)
    reg = full
    if not complete.all():
        dates = complete.index[complete.to_numpy()]
        frame = returns.to_frame() if isinstance(returns, pd.Series) else returns
        reg = regress(frame.loc[dates], factors, rf=rf, units=units)
    return grs_from_regression(reg, dropped=int(len(full.dates) - len(reg.dates)))


def grs_from_regression(reg: RegressionResult, *, dropped: int = 0) -> GRSResult:
    """The GRS test (formula in :func:`grs_test`) of a regression whose assets all use the same dates.

    Raises
    ------
    XLFactorError
        Some asset misses some of the regression's dates (use :func:`grs_test`, which refits on the
        common dates); fewer than ``N + K + 1`` dates; residuals collinear across assets.
    """
    if reg.resid.isna().to_numpy().any():
        raise XLFactorError.at(
            "returns",
            "the GRS test needs every asset on the same dates; give returns without gaps (grs_test drops "
            "the dates where some asset is missing)",
        )
    n, k = len(reg.assets), len(reg.factor_names)
    t = len(reg.dates)
    if t < n + k + 1:
        raise XLFactorError.at(
            "returns",
            f"the GRS test needs more common dates than assets plus factors ({n} + {k}); only {t} dates "
            "have every asset's return: use fewer assets or a longer sample",
        )
    e = reg.resid.to_numpy()
    f = reg._stats.x
    mu = f.mean(axis=0)
    centred = f - mu
    omega = centred.T @ centred / t
    sigma = e.T @ e / t
    a = reg.alpha.to_numpy()
    try:
        alpha_quad = float(a @ np.linalg.solve(sigma, a))
    except np.linalg.LinAlgError:
        alpha_quad = np.nan
    if not np.isfinite(alpha_quad) or np.linalg.cond(sigma) > 1e12:
        raise XLFactorError.at(
            "returns",
            "the assets' residuals are collinear (an asset is a combination of others and the factors); "
            "drop the redundant assets",
        )
    factor_quad = float(mu @ np.linalg.solve(omega, mu))
    df_denom = t - n - k
    stat = df_denom / n * alpha_quad / (1.0 + factor_quad)
    return GRSResult(
        statistic=float(stat),
        pvalue=float(special.fdtrc(n, df_denom, stat)),
        df_num=n,
        df_denom=df_denom,
        nobs=t,
        dropped=dropped,
        alpha=reg.alpha,
        sharpe_factors=float(np.sqrt(factor_quad)),
        sharpe_alpha=float(np.sqrt(alpha_quad)),
        regression=reg,
    )
