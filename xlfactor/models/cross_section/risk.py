"""Risk model from cross-sectional regressions: factor covariance, specific risk, FactorRiskModel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import positive_number, whole_number
from xlfactor.models.covariance import ewma_weights, weighted_cov
from xlfactor.models.cross_section.regression import CrossSectionResult, date_position
from xlfactor.models.frequency import periods_per_year as infer_periods_per_year
from xlfactor.models.risk_model import FactorRiskModel


def specific_risk(
    residuals: pd.DataFrame,
    halflife: float | None = None,
    *,
    min_periods: int = 2,
    shrink_to: pd.Series | None = None,
    n_buckets: int = 10,
    shrinkage: float = 0.1,
    demean: bool = False,
) -> pd.Series:
    """Specific (residual) variance per asset at the last date, per period.

    By default the EWMA of squared residuals about ZERO (residuals of a regression with a market
    or industry factor have mean ~0, and a persistent mean is risk too), over each asset's
    available dates:

    .. math:: \\hat\\sigma^2_n = \\sum_t w_t e_{tn}^2 1_{tn} / \\sum_t w_t 1_{tn}, \\quad w_t = 0.5^{(T-1-t)/h}

    (pandas ``(e**2).ewm(halflife=h).mean()`` at the last row; ``halflife=None`` averages equally;
    weights from :func:`xlfactor.models.covariance.ewma_weights`). With ``demean=True`` the
    variance is taken about the asset's weighted MEAN residual instead,
    :math:`\\sum_t w_t (e_{tn} - \\bar e_n)^2 1_{tn} / \\sum_t w_t 1_{tn}` with
    :math:`\\bar e_n = \\sum_t w_t e_{tn} 1_{tn} / \\sum_t w_t 1_{tn}` (pandas
    ``e.ewm(halflife=h).var(bias=True)``; ``ddof=0`` when equally weighted).
    Assets with fewer than ``min_periods`` residuals get NaN.

    Optional Bayesian shrinkage (Barra USE4) of the volatility toward its size bucket: with
    ``shrink_to`` a Series of market caps, assets are split into ``n_buckets`` cap quantile buckets;
    in bucket s, :math:`\\bar\\sigma_s` is the cap-weighted mean volatility and
    :math:`\\Delta_s = \\sqrt{\\operatorname{mean}_{n \\in s} (\\sigma_n - \\bar\\sigma_s)^2}`;

    .. math::
        v_n = \\frac{q |\\sigma_n - \\bar\\sigma_s|}{\\Delta_s + q |\\sigma_n - \\bar\\sigma_s|}, \\quad
        \\sigma^{SH}_n = v_n \\bar\\sigma_s + (1 - v_n) \\sigma_n

    with :math:`q` = ``shrinkage``; the result is :math:`(\\sigma^{SH}_n)^2`. Assets without a cap are
    not shrunk.
    """
    if not isinstance(residuals, pd.DataFrame) or residuals.empty:
        raise XLFactorError.at("residuals", "expected a non-empty DataFrame of residual returns (dates x assets)")
    min_periods = whole_number(min_periods, "min_periods", 1)
    e = residuals.to_numpy(dtype=float)
    w = ewma_weights(len(e), halflife)[:, None]
    present = np.isfinite(e)
    if not isinstance(demean, (bool, np.bool_)):
        raise XLFactorError.at(
            "demean", f"expected True (variance about the mean) or False (about zero), got {demean!r}"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        total = (w * present).sum(axis=0)
        e0 = np.where(present, e, 0.0)
        centre = (w * e0).sum(axis=0) / total if demean else 0.0
        var = (w * np.where(present, e0 - centre, 0.0) ** 2).sum(axis=0) / total
    var[present.sum(axis=0) < min_periods] = np.nan
    out = pd.Series(var, index=residuals.columns, name="specific_var")
    if shrink_to is None:
        return out
    if not isinstance(shrink_to, pd.Series):
        raise XLFactorError.at("shrink_to", "expected a Series asset -> market cap (for size buckets) or None")
    n_buckets = whole_number(n_buckets, "n_buckets", 1)
    if shrinkage != 0:
        shrinkage = positive_number(shrinkage, "shrinkage", "a number q >= 0")
    caps = shrink_to.reindex(residuals.columns).astype(float)
    sigma = np.sqrt(out)
    use = sigma.notna() & caps.gt(0)
    if use.sum() < n_buckets:
        raise XLFactorError.at(
            "shrink_to", f"need at least n_buckets={n_buckets} assets with a cap and a specific risk"
        )
    bucket = pd.qcut(caps[use].rank(method="first"), n_buckets, labels=False)
    s, c = sigma[use], caps[use]
    mean = (s * c).groupby(bucket).sum() / c.groupby(bucket).sum()
    dev = (s - bucket.map(mean)).abs()
    delta = np.sqrt((dev**2).groupby(bucket).mean())
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (shrinkage * dev / (bucket.map(delta) + shrinkage * dev)).fillna(0.0)
    shrunk = sigma.copy()
    shrunk[use] = v * bucket.map(mean) + (1 - v) * s
    return (shrunk**2).rename("specific_var")


def xs_factor_cov(
    factors: pd.DataFrame,
    *,
    vol_halflife: float | None = None,
    corr_halflife: float | None = None,
    lags: int = 0,
    annualize: bool = True,
    periods_per_year: int | None = None,
) -> pd.DataFrame:
    """Factor covariance with separate volatility and correlation half-lives (Barra style).

    With weights :math:`w_t \\propto 0.5^{(T-1-t)/h}` (summing to 1), the weighted mean
    :math:`\\mu` and :math:`d_t = f_t - \\mu`,

    .. math::
        \\Gamma_l(h) = \\sum_{t \\ge l} w_t d_t d_{t-l}', \\quad
        \\Sigma(h) = \\Gamma_0 + \\sum_{l=1}^{L} \\Big(1 - \\frac{l}{L+1}\\Big)(\\Gamma_l + \\Gamma_l')

    (Newey-West with ``lags`` = L for autocorrelated, e.g. daily, factor returns). This is
    :func:`xlfactor.models.covariance.weighted_cov` with ``bias_corrected=False``: no small-sample
    factor ``1/(1 - sum w^2)``, as in Barra practice, so with ``halflife=None`` and no lags it is the
    ``ddof=0`` covariance. (:func:`~xlfactor.models.covariance.factor_cov` with ``cov_method="ewma"``
    applies the correction; the two differ by that factor.) Volatilities come from
    :math:`\\Sigma(h_{vol})`, correlations from :math:`\\Sigma(h_{corr})`:
    :math:`F = D_{vol} C_{corr} D_{vol}`. A half-life of None weighs dates equally.
    Dates with any missing factor return are dropped. With ``annualize`` the result is multiplied
    by the periods per year (inferred from the dates unless given).
    """
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError.at("factors", "expected a DataFrame of factor returns (dates x factors)")
    lags = whole_number(lags, "lags", 0)
    f = factors.dropna()
    if len(f) <= max(2, lags + 1):
        raise XLFactorError.at("factors", f"{len(f)} complete dates are too few for {lags} lags")
    x = f.to_numpy(dtype=float)
    vol = np.sqrt(np.diag(weighted_cov(x, ewma_weights(len(x), vol_halflife), bias_corrected=False, lags=lags)))
    corr_cov = weighted_cov(x, ewma_weights(len(x), corr_halflife), bias_corrected=False, lags=lags)
    sd = np.sqrt(np.diag(corr_cov))
    if np.any(sd == 0):
        raise XLFactorError.at("factors", "a factor is constant; drop it")
    cov = corr_cov / np.outer(sd, sd) * np.outer(vol, vol)
    if annualize:
        cov = cov * (periods_per_year or infer_periods_per_year(f.index))
    return pd.DataFrame(cov, index=f.columns, columns=f.columns)


def xs_risk_model(
    result: CrossSectionResult,
    date=None,
    *,
    vol_halflife: float | None = None,
    corr_halflife: float | None = None,
    specific_halflife: float | None = None,
    lags: int = 0,
    caps: pd.Series | None = None,
    min_periods: int = 2,
    annualize: bool = True,
    periods_per_year: int | None = None,
) -> FactorRiskModel:
    """A :class:`~xlfactor.models.risk_model.FactorRiskModel` from a cross-sectional regression.

    As of ``date`` (default the last date): exposures ``B`` = the design ``X_t`` of that date
    (market, industry dummies, styles) for the assets in its universe; factor covariance ``F`` =
    :func:`xs_factor_cov` of the factor returns up to ``date`` (factors that are NaN on
    ``date``, such as empty industries, are dropped from the model); specific variances ``D`` =
    :func:`specific_risk` of the residuals up to ``date``, shrunk toward size buckets if ``caps``
    (a Series of market caps) is given. Assets with fewer than ``min_periods`` residuals are left
    out. Per-period figures are multiplied by the periods per year if ``annualize``.
    """
    t = len(result.factor_returns) - 1 if date is None else date_position(result.factor_returns.index, date)
    when = result.factor_returns.index[t]
    x = result.exposures(when)
    live = result.factor_returns.iloc[t].notna()
    x = x.loc[:, live[x.columns].to_numpy()]
    ppy = periods_per_year or infer_periods_per_year(result.factor_returns.index)
    f_cov = xs_factor_cov(
        result.factor_returns.iloc[: t + 1][x.columns],
        vol_halflife=vol_halflife,
        corr_halflife=corr_halflife,
        lags=lags,
        annualize=False,
    )
    spec = specific_risk(
        result.resid.iloc[: t + 1][x.index], specific_halflife, min_periods=min_periods, shrink_to=caps
    )
    keep = spec.notna()
    if not keep.any():
        raise XLFactorError.at("min_periods", f"no asset has {min_periods} residuals up to {when}")
    scale = ppy if annualize else 1
    return FactorRiskModel(x[keep], f_cov * scale, spec[keep] * scale, ppy, annualized=annualize)
