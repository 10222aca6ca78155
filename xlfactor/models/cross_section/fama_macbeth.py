"""Fama-MacBeth (1973) two-step regressions with plain, Newey-West and Shanken standard errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import whole_number
from xlfactor.models.covariance import bartlett_weight, newey_west_lags
from xlfactor.models.cross_section.design import Characteristics, PanelDesign
from xlfactor.models.cross_section.regression import check_returns, fit_panel


@dataclass(frozen=True)
class FamaMacBethResult:
    """Result of :func:`fama_macbeth`.

    Attributes
    ----------
    coefficients : DataFrame
        Per-period slopes :math:`\\hat\\lambda_t` (periods x ["const"?, characteristics]); NaN rows
        for periods that could not be estimated.
    params : Series
        Average premia :math:`\\bar\\lambda = \\frac1T \\sum_t \\hat\\lambda_t` over the T estimated periods.
    bse, tvalues, pvalues : Series
        Plain Fama-MacBeth standard errors :math:`s(\\hat\\lambda)/\\sqrt{T}` (ddof 1), t = params/bse,
        two-sided p-values from t with T - 1 degrees of freedom.
    bse_nw, tvalues_nw, pvalues_nw : Series
        Newey-West (Bartlett, ``lags``) versions.
    lags : int
    rsquared : Series
        Per-period (weighted) R2; ``avg_rsquared`` its mean over estimated periods.
    nobs : Series
        Assets per period; ``n_periods`` = T.
    shanken_factor : float or None
        :math:`1 + \\bar\\lambda_f' \\Sigma_f^{-1} \\bar\\lambda_f` when the Shanken correction was applied
        (then ``bse`` and ``bse_nw`` are corrected).
    """

    __repr__ = short_repr

    coefficients: pd.DataFrame
    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    bse_nw: pd.Series
    tvalues_nw: pd.Series
    pvalues_nw: pd.Series
    lags: int
    rsquared: pd.Series
    avg_rsquared: float
    nobs: pd.Series
    n_periods: int
    shanken_factor: float | None

    def summary(self) -> pd.DataFrame:
        """Premia with plain and Newey-West standard errors, t-statistics and p-values."""
        return pd.DataFrame(
            {
                "coef": self.params,
                "std err": self.bse,
                "t": self.tvalues,
                "P>|t|": self.pvalues,
                "std err (NW)": self.bse_nw,
                "t (NW)": self.tvalues_nw,
                "P>|t| (NW)": self.pvalues_nw,
            }
        )


def kernel_cov(dev: np.ndarray, lags: int) -> np.ndarray:
    """Bartlett long-run covariance of the mean of deviations ``dev`` (T, K), debiased like linearmodels.

    .. math::
        \\hat V = \\frac{1}{T (T-1)} \\Big[\\Gamma_0 + \\sum_{l=1}^{L} \\big(1 - \\tfrac{l}{L+1}\\big)
        (\\Gamma_l + \\Gamma_l')\\Big], \\quad \\Gamma_l = \\sum_{t>l} d_t d_{t-l}'

    ``lags=0`` gives the plain :math:`s^2/T` (ddof 1).
    """
    n = dev.shape[0]
    s = dev.T @ dev
    for lag in range(1, lags + 1):
        gamma = dev[lag:].T @ dev[:-lag]
        s += bartlett_weight(lag, lags) * (gamma + gamma.T)
    return s / (n * (n - 1))


def fama_macbeth(
    returns: pd.DataFrame,
    characteristics: Characteristics,
    lags: int | None = None,
    *,
    intercept: bool = True,
    weights: pd.Series | pd.DataFrame | None = None,
    exposure_lag: int = 0,
    shanken: bool = False,
    factors: pd.DataFrame | None = None,
    min_assets: int | None = None,
    units: str = "auto",
) -> FamaMacBethResult:
    """Fama-MacBeth regressions of returns on characteristics (or estimated betas).

    Step 1, each period t: (W)LS of the cross-section :math:`r_t = \\lambda_{0t} + X_t \\lambda_t + e_t`.
    Step 2: :math:`\\bar\\lambda = \\frac1T\\sum_t \\hat\\lambda_t`, with

    - plain: :math:`\\widehat{Var}(\\bar\\lambda) = \\frac{1}{T(T-1)} \\sum_t d_t d_t'`,
      :math:`d_t = \\hat\\lambda_t - \\bar\\lambda`;
    - Newey-West: Bartlett weights :math:`1 - l/(L+1)`, lags l = 1..L (:func:`kernel_cov`); this equals
      linearmodels ``FamaMacBeth.fit(cov_type="kernel", kernel="bartlett", bandwidth=L)``.

    Shanken (1992) errors-in-variables correction when the characteristics are betas estimated
    from time-series regressions on ``factors`` (``shanken=True``):

    .. math::
        \\widehat{Var}_{S}(\\bar\\lambda) = (1 + c)\\,\\widehat{Var}(\\bar\\lambda) + \\Sigma^*_f / T,
        \\quad c = \\bar\\lambda_f' \\hat\\Sigma_f^{-1} \\bar\\lambda_f

    where :math:`\\bar\\lambda_f` are the premia of the characteristics named as columns of
    ``factors``, :math:`\\hat\\Sigma_f` their sample covariance (ddof 1) over the estimated
    periods, and :math:`\\Sigma^*_f` is :math:`\\hat\\Sigma_f` bordered with zeros for the constant and
    any other characteristic. The same correction is applied to the Newey-West covariance.

    Parameters
    ----------
    returns : DataFrame
        Dates x assets.
    characteristics : dict name -> DataFrame or (characteristic, asset)-column DataFrame
        Known at t, explaining returns at t (or set ``exposure_lag``).
    lags : int, optional
        Newey-West lags; default :func:`xlfactor.models.covariance.newey_west_lags` of the number of estimated periods.
    intercept : bool
        Include a constant ("const") in each cross-section.
    weights : Series or DataFrame, optional
        Per-period WLS weights (default OLS).
    exposure_lag : int
        Shift characteristics down this many periods.
    shanken : bool
        Apply the Shanken correction; needs ``factors``.
    factors : DataFrame, optional
        Factor returns (dates x factors) whose betas are characteristics with the same names.
    min_assets : int, optional
        Periods with fewer usable assets are skipped; default number of coefficients + 1.
    units : {"auto", "decimal"}
        "auto" (default) refuses returns that look like percent; "decimal" declares them decimals
        however volatile. Impossible values (infinite, above 100 = 10,000%, a loss beyond -100%)
        are refused either way, naming the asset and date
        (:func:`~xlfactor.models.cross_section.regression.check_returns`).

    Notes
    -----
    Periods are skipped (NaN row, not counted in T) when they have fewer than ``min_assets``
    assets or a collinear cross-section, as linearmodels does for rank-deficient periods.
    """
    returns = check_returns(returns, units=units)
    design = PanelDesign.build(
        returns.index,
        returns.columns,
        characteristics,
        weights=weights,
        intercept=intercept,
        intercept_name="const",
        exposure_lag=exposure_lag,
        styles_arg="characteristics",
    )
    names = design.factor_names
    min_obs = len(names) + 1 if min_assets is None else int(min_assets)
    coef, _, r2, nobs = fit_panel(design, returns.to_numpy(), min_obs, residuals=False)
    used = np.isfinite(coef).all(axis=1)
    n = int(used.sum())
    if n < 2:
        raise XLFactorError.at(
            "returns",
            f"only {n} period(s) could be estimated; Fama-MacBeth needs at least 2 "
            f"(each with at least {min_obs} assets and non-collinear characteristics)",
        )
    est = coef[used]
    mean = est.mean(axis=0)
    dev = est - mean
    lags = newey_west_lags(n) if lags is None else whole_number(lags, "lags", 0, n - 1)
    cov = kernel_cov(dev, 0)
    cov_nw = kernel_cov(dev, lags)
    shanken_factor = None
    if shanken:
        cov, cov_nw, shanken_factor = _shanken(cov, cov_nw, mean, names, factors, returns.index[used])
    bse, bse_nw = np.sqrt(np.diag(cov)), np.sqrt(np.diag(cov_nw))

    def series(values, name):
        return pd.Series(values, index=names, name=name)

    return FamaMacBethResult(
        coefficients=pd.DataFrame(coef, index=returns.index, columns=names),
        params=series(mean, "params"),
        bse=series(bse, "bse"),
        tvalues=series(mean / bse, "tvalues"),
        pvalues=series(2 * special.stdtr(n - 1, -np.abs(mean / bse)), "pvalues"),
        bse_nw=series(bse_nw, "bse_nw"),
        tvalues_nw=series(mean / bse_nw, "tvalues_nw"),
        pvalues_nw=series(2 * special.stdtr(n - 1, -np.abs(mean / bse_nw)), "pvalues_nw"),
        lags=lags,
        rsquared=pd.Series(np.where(used, r2, np.nan), index=returns.index, name="rsquared"),
        avg_rsquared=float(np.mean(r2[used])),
        nobs=pd.Series(np.where(used, nobs, 0), index=returns.index, name="nobs"),
        n_periods=n,
        shanken_factor=shanken_factor,
    )


def _shanken(cov, cov_nw, mean, names, factors, dates):
    """Shanken-corrected (plain, Newey-West) covariances and the factor 1 + c (see :func:`fama_macbeth`)."""
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError.at("factors", "shanken=True needs the factor returns (dates x factors) the betas came from")
    common = [n for n in names if n in factors.columns]
    if not common:
        raise XLFactorError.at(
            "factors",
            f"none of its columns {list(factors.columns)} names a characteristic {names}; "
            "name each beta characteristic after its factor",
        )
    f = factors.reindex(dates)[common].astype(float)
    if f.isna().any().any():
        raise XLFactorError.at("factors", "missing factor returns on estimated periods; give factors for every period")
    sigma = np.cov(f.to_numpy(), rowvar=False, ddof=1).reshape(len(common), len(common))
    pos = [names.index(c) for c in common]
    lam = mean[pos]
    try:
        c = float(lam @ np.linalg.solve(sigma, lam))
    except np.linalg.LinAlgError:
        raise XLFactorError.at("factors", "their covariance is singular; drop redundant factors") from None
    border = np.zeros_like(cov)
    border[np.ix_(pos, pos)] = sigma / len(dates)
    return (1 + c) * cov + border, (1 + c) * cov_nw + border, 1 + c
