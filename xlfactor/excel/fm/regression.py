"""FM_ functions for time-series regressions: betas, alphas, full tables, rolling windows."""

from __future__ import annotations

import pandas as pd

import xlfactor as xf
from xlfactor.excel import cached, inputs
from xlfactor.excel.inputs import FACTOR_DATA
from xlfactor.excel.results import Table, rolling_table
from xlfactor.excel.specs import flag
from xlfactor.excel.udf import excel_function

ALPHA_ANNUALIZE = flag("TRUE (default): alpha times periods per year. FALSE: alpha per period.")


def asset_corner(sample: inputs.Sample) -> str:
    """The top-left label of a per-asset table: "Asset", and how many rows were used when some had
    no factor data (dates outside a model's data, blank factor cells)."""
    if not sample.dropped:
        return "Asset"
    return f"Asset ({sample.given - sample.dropped} of {sample.given} rows used, {sample.dropped} without factor data)"


@excel_function(depends=FACTOR_DATA)
def FM_BETA(returns, factors, dates=None, excess=True, *, units="auto"):
    """Factor betas (OLS slopes) of each asset's returns on the factors: one row per asset, one column per factor."""
    sample = inputs.sample(returns, factors, dates)
    result = cached.regression(sample, "nonrobust", None, excess, units)
    return Table(result.betas, asset_corner(sample))


@excel_function(depends=FACTOR_DATA, annualize=ALPHA_ANNUALIZE)
def FM_ALPHA(returns, factors, dates=None, annualize=True, cov="nonrobust", lags=None, excess=True, *, units="auto"):
    """Alpha (regression intercept) of each asset with its t-statistic and p-value."""
    sample = inputs.sample(returns, factors, dates)
    result = cached.regression(sample, cov, lags, excess, units)
    if annualize:
        inputs.need_frequency(sample.periods_per_year)
    alpha = result.alpha_annualized if annualize else result.alpha
    frame = pd.DataFrame({"alpha": alpha, "t": result.tvalues["alpha"], "p-value": result.pvalues["alpha"]})
    return Table(frame, asset_corner(sample))


@excel_function(depends=FACTOR_DATA)
def FM_REGRESS(returns, factors, dates=None, cov="nonrobust", lags=None, excess=True, *, units="auto"):
    """Full regression table for one asset, like LINEST but labelled: coefficients, standard errors, t, p, 95%
    interval, then R-squared, residual vol and alpha (annual when dates are given), observations, rows dropped."""
    sample = inputs.sample(returns, factors, dates)
    if sample.returns.shape[1] != 1:
        raise xf.XLFactorError(
            f"returns: FM_REGRESS takes one asset column, got {sample.returns.shape[1]}; "
            "use FM_BETA or FM_ALPHA for several assets"
        )
    result = cached.regression(sample, cov, lags, excess, units)
    asset = sample.returns.columns[0]
    summary = result.summary(asset)
    summary.loc["Rows without factor data", "coef"] = float(sample.dropped)
    return Table(summary, asset)


@excel_function(depends=FACTOR_DATA)
def FM_ROLLING_BETA(returns, factors, dates=None, window_size=36, min_periods=None, excess=True, *, units="auto"):
    """Rolling-window regressions: alpha, betas and R-squared at each date (blank until a window is complete).
    Several assets give one block of columns per asset."""
    sample = inputs.sample(returns, factors, dates)
    frame = xf.rolling_regress(
        sample.returns, sample.factors, window_size, min_periods, rf=sample.rf(excess), units=units
    )
    return Table(rolling_table(frame), "Date")
