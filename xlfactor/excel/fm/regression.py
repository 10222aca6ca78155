"""FM_ functions for time-series regressions: betas, alphas, full tables, rolling windows, adjusted betas,
and the return series a regression splits a return into (hedged, tracking, residual)."""

from __future__ import annotations

from typing import Any

import pandas as pd

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert, inputs
from xlfactor.excel.inputs import FACTOR_DATA, Fit, Sample
from xlfactor.excel.results import Record, Table, rolling_table
from xlfactor.excel.specs import Spec, choice, flag, number, text
from xlfactor.excel.udf import excel_function
from xlfactor.models import labels as L
from xlfactor.models.beta_adjust import BLUME_WEIGHT, METHODS
from xlfactor.models.regression import RegressionResult
from xlfactor.models.return_series import CUMULATION

ALPHA_ANNUALIZE = flag("TRUE (default): alpha times periods per year. FALSE: alpha per period.")
NOT_CUMULATIVE = "none"


def _cumulative(value: Any, name: str, default: Any) -> str:
    """TRUE/FALSE (compound / per period) or one of the words none, compound, sum; blank gives the default."""
    value = convert.single(value, name)
    if convert.is_blank(value):
        return default
    if isinstance(value, str) and value.strip().lower() in (NOT_CUMULATIVE, *CUMULATION):
        return value.strip().lower()
    try:
        return CUMULATION[0] if convert.flag(value, name, False) else NOT_CUMULATIVE
    except XLFactorError:
        raise XLFactorError(f'{name}: expected TRUE, FALSE, "compound" or "sum", got {value!r}') from None


CUMULATIVE = Spec(
    'FALSE (default): the return of each period. TRUE or "compound": cumulative return up to each date, '
    'prod(1 + r) - 1. "sum": running sum of the returns.',
    _cumulative,
)


def asset_corner(given: int, dropped: int) -> str:
    """The top-left label of a per-asset table: "Asset", and how many of the ``given`` rows were used when
    some (``dropped``) had no factor data (dates outside a model's data, blank factor cells)."""
    if not dropped:
        return "Asset"
    return f"Asset ({given - dropped} of {given} rows used, {dropped} without factor data)"


@excel_function(depends=FACTOR_DATA)
def FM_BETA(returns, factors, dates=None, excess=True, *, units="auto"):
    """Factor betas (OLS slopes) of each asset's returns on the factors: one row per asset, one column per factor."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess, units=units))
    return Table(sample.regression.betas, asset_corner(sample.given, sample.dropped))


@excel_function(depends=FACTOR_DATA, annualize=ALPHA_ANNUALIZE)
def FM_ALPHA(returns, factors, dates=None, annualize=True, cov="nonrobust", lags=None, excess=True, *, units="auto"):
    """Alpha (regression intercept) of each asset with its t-statistic and p-value."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(cov, lags, excess, units))
    result = sample.regression
    if annualize:
        inputs.need_frequency(sample.periods_per_year)
    alpha = result.alpha_annualized if annualize else result.alpha
    frame = pd.DataFrame(
        {
            "alpha": alpha,
            L.TVALUES.short: result.tvalues["alpha"],
            L.pvalues(result.use_t).short: result.pvalues["alpha"],
        }
    )
    return Table(frame, asset_corner(sample.given, sample.dropped))


@excel_function(depends=FACTOR_DATA)
def FM_REGRESS(returns, factors, dates=None, cov="nonrobust", lags=None, excess=True, *, units="auto"):
    """Full regression table for one asset, as statsmodels: coefficients, std errors, t, p, 95% interval; R2,
    residual vol, alpha (annual given dates), obs; F test, Durbin-Watson, Breusch-Pagan, Jarque-Bera; rows
    dropped."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(cov, lags, excess, units))
    if sample.returns.shape[1] != 1:
        raise xf.XLFactorError(
            f"returns: FM_REGRESS takes one asset column, got {sample.returns.shape[1]}; "
            "use FM_BETA or FM_ALPHA for several assets"
        )
    result = sample.regression
    asset = sample.returns.columns[0]
    summary = result.summary(asset)
    summary.loc["Rows without factor data", "coef"] = float(sample.dropped)
    return Table(summary, asset)


@excel_function(depends=FACTOR_DATA)
def FM_GRS(returns, factors, dates=None, excess=True, *, units="auto"):
    """Gibbons-Ross-Shanken test that all assets' alphas are zero: F statistic, p-value, degrees of freedom, on
    the dates where every asset has a return."""
    sample = inputs.sample(returns, factors, dates)
    result = xf.grs_test(sample.returns, sample.factors, rf=sample.rf(excess), units=units)
    fields = {
        "GRS F": result.statistic,
        L.PVALUES.long: result.pvalue,
        "df (assets)": result.df_num,
        "df (denominator)": result.df_denom,
        L.NOBS.long: result.nobs,
        "Rows without every asset": result.dropped,
        "Max Sharpe of factors (per period)": result.sharpe_factors,
        "Sharpe of alphas (per period)": result.sharpe_alpha,
    }
    return Record(fields, title="GRS test")


@excel_function(depends=FACTOR_DATA)
def FM_ROLLING_BETA(returns, factors, dates=None, window=36, min_periods=None, excess=True, *, units="auto"):
    """Rolling-window regressions: alpha, betas and R-squared at each date (blank until a window is complete).
    Several assets give one block of columns per asset."""
    sample = inputs.sample(returns, factors, dates)
    frame = xf.rolling_regress(sample.returns, sample.factors, window, min_periods, rf=sample.rf(excess), units=units)
    return Table(rolling_table(frame), "Date")


@excel_function(
    depends=FACTOR_DATA,
    method=choice(
        '"blume" (default): blume_weight x beta + (1 - blume_weight) x blume_target. "vasicek": each beta shrunk '
        "toward the cross-sectional mean, more the larger its standard error.",
        METHODS,
    ),
    factor=text("Header of the factor whose betas to adjust; default Mkt-RF when present, else the first factor."),
    blume_weight=number("Blume: weight on the raw beta (default 0.67), between 0 and 1.", low=0, high=1),
    blume_target=number("Blume: the value betas revert to (default 1)."),
    prior_mean=number("Vasicek: prior mean of the betas (default: the mean of the assets' betas)."),
    prior_var=number(
        "Vasicek: prior variance of the betas (default: their cross-sectional variance).", low=0, inclusive=False
    ),
)
def FM_ADJUST_BETA(
    returns,
    factors,
    dates=None,
    method="blume",
    factor=None,
    blume_weight=BLUME_WEIGHT,
    blume_target=1.0,
    prior_mean=None,
    prior_var=None,
    excess=True,
    *,
    units="auto",
):
    """Adjusted betas on one factor: raw OLS beta, its standard error, and the Blume (0.67 b + 0.33) or Vasicek
    (shrunk toward the cross-sectional mean by w = s2/(s2 + se2)) adjusted beta."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess, units=units))
    result = sample.regression
    name = _factor_name(factor, result.factor_names)
    raw, se = result.betas[name], result.bse[name]
    if method == "vasicek" and (prior_mean is None or prior_var is None) and raw.notna().sum() < 2:
        raise XLFactorError(
            "returns: Vasicek shrinkage toward the cross-sectional mean needs at least two assets; "
            "add assets, or give prior_mean and prior_var"
        )
    adjusted = xf.adjust_beta(
        raw,
        method,
        se=se,
        blume_weight=blume_weight,
        blume_target=blume_target,
        prior_mean=prior_mean,
        prior_var=prior_var,
    )
    return Table(pd.DataFrame({"Raw beta": raw, L.BSE.short: se, "Adjusted beta": adjusted}), "Asset")


def _factor_name(factor: str | None, names: list) -> str:
    """The factor whose betas FM_ADJUST_BETA adjusts: ``factor``, else Mkt-RF when present, else the first."""
    if factor is None:
        return "Mkt-RF" if "Mkt-RF" in names else names[0]
    if factor not in names:
        raise XLFactorError(f"factor: {factor!r} is not a factor here; use one of {', '.join(map(str, names))}")
    return factor


def _fit(
    returns: Any, factors: Any, dates: Any, excess: bool, units: str
) -> tuple[Sample, RegressionResult, pd.DataFrame]:
    """The sample, its regression and the returns regressed (minus RF when ``excess`` and the factors have it)."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess, units=units))
    result = sample.regression
    rf = sample.rf(excess)
    return sample, result, sample.returns if rf is None else sample.returns.sub(rf, axis=0)


def _series(frame: pd.DataFrame, cumulative: str) -> Table:
    """A dates x assets series, cumulated if asked; without dates the rows are numbered from 1."""
    if cumulative != NOT_CUMULATIVE:
        frame = xf.cumulative_returns(frame, cumulative)
    if isinstance(frame.index, pd.DatetimeIndex):
        return Table(frame, "Date")
    return Table(frame.set_axis(range(1, len(frame) + 1)), "Row")


@excel_function(depends=FACTOR_DATA, cumulative=CUMULATIVE)
def FM_EXCESS_RETURNS(returns, factors, dates=None, cumulative=False):
    """Excess return series r - RF per asset (RF from the factors: models have one), or cumulated: TRUE or
    "compound" prod(1 + r - RF) - 1, "sum" the running sum. Dates down the side, one column per asset."""
    sample = inputs.sample(returns, factors, dates)
    rf = sample.rf(True)
    excess = xf.excess_returns(sample.returns, rf)
    return _series(excess, cumulative)


@excel_function(depends=FACTOR_DATA, cumulative=CUMULATIVE)
def FM_HEDGED_RETURNS(returns, factors, dates=None, excess=True, cumulative=False, *, units="auto"):
    """Hedged (abnormal) return series r - b'f per asset: alpha + residual, with zero beta on the factors and mean
    the regression alpha. Dates down the side, one column per asset."""
    sample, result, regressed = _fit(returns, factors, dates, excess, units)
    return _series(xf.hedged_returns(result, regressed, sample.regressors), cumulative)


@excel_function(depends=FACTOR_DATA, cumulative=CUMULATIVE)
def FM_TRACKING_RETURNS(returns, factors, dates=None, excess=True, cumulative=False, *, units="auto"):
    """Tracking-portfolio return series b'f per asset: the factor positions that replicate it (return = alpha +
    tracking + residual). Dates down the side, one column per asset."""
    sample, result, _ = _fit(returns, factors, dates, excess, units)
    return _series(xf.tracking_portfolio(result, sample.regressors), cumulative)


@excel_function(depends=FACTOR_DATA, cumulative=CUMULATIVE)
def FM_RESIDUALS(returns, factors, dates=None, excess=True, cumulative=False, *, units="auto"):
    """Residual (specific) return series e = r - alpha - b'f per asset, mean zero over the regression sample.
    Dates down the side, one column per asset."""
    sample, result, regressed = _fit(returns, factors, dates, excess, units)
    return _series(xf.residual_returns(result, regressed, sample.regressors), cumulative)
