"""FM_ functions for hedging and sizing: minimum-variance hedge ratios, factor hedges to a target factor share,
the capital a volatility budget allows and the P&L that capital is expected to earn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import xlfactor as xf
from xlfactor.excel import cached, convert, inputs
from xlfactor.excel.fm.performance import PREMIA, expected_split
from xlfactor.excel.inputs import FACTOR_DATA
from xlfactor.excel.results import Record, Table, hedge_fields, risk_share_table, size_fields
from xlfactor.excel.udf import excel_function
from xlfactor.models.expected_return import ALPHA_ROW
from xlfactor.models.units import MAX_GROSS


@excel_function(depends=inputs.factors_depend("instruments"))
def FM_HEDGE(target, instruments, dates=None, *, units="auto", lower=None, upper=None):
    """Minimum-variance hedge ratios (amounts to SELL per unit of target), within optional bounds (saying which
    bind), hedge effectiveness (R-squared), annual residual and unhedged volatility."""
    sample = inputs.sample(target, instruments, dates, returns_arg="target", factors_arg="instruments")
    if sample.returns.shape[1] != 1:
        raise xf.XLFactorError(f"target: give one column of returns, got {sample.returns.shape[1]}")
    result = xf.hedge_ratios(
        sample.returns.iloc[:, 0],
        sample.regressors,
        periods_per_year=sample.periods_per_year,
        units=units,
        lower=bounds(lower, "lower"),
        upper=bounds(upper, "upper"),
    )
    return Record(hedge_fields(result), title=str(sample.returns.columns[0]))


def bounds(value: Any, arg: str) -> float | np.ndarray | pd.Series | None:
    """A ``lower``/``upper`` range as the engine takes it: None (blank), one number for all, numbers in order, or a
    Series labelled by name (the engine checks the values)."""
    if value is None or convert.is_blank(value):
        return None
    series, origin = convert.labelled_vector(value, arg, label="Bound")
    if origin != convert.NO_LABELS:
        return series
    return float(series.iloc[0]) if len(series) == 1 else series.to_numpy()


@excel_function(depends=FACTOR_DATA)
def FM_HEDGE_TARGET(
    weights,
    returns,
    factors,
    dates=None,
    target_share=0,
    benchmark=None,
    cov_method="sample",
    halflife=None,
    excess=True,
    *,
    max_gross=MAX_GROSS,
    units="auto",
    lower=None,
    upper=None,
):
    """Factor hedge (amounts of each factor portfolio to SELL) that brings the factor share of variance to a
    target, within optional bounds (saying which bind); exposures and annual risk before and after."""
    sample, model = cached.risk_sample(
        returns, factors, dates, cov_method, halflife, True, excess, fix=None, units=units
    )
    held, bench = inputs.portfolio(weights, benchmark, sample.returns.columns)
    result = xf.hedge_to_risk_share(
        model,
        held,
        target_share,
        benchmark=bench,
        max_gross=max_gross,
        lower=bounds(lower, "lower"),
        upper=bounds(upper, "upper"),
    )
    return Table(risk_share_table(result), "Factor")


@excel_function(depends=FACTOR_DATA)
def FM_POSITION_SIZE(
    vol_budget,
    returns,
    factors,
    dates=None,
    asset=None,
    horizon="annual",
    cov_method="sample",
    halflife=None,
    excess=True,
    *,
    units="auto",
):
    """Capital a volatility budget allows in one asset, unhedged and with its factor exposure hedged (square-root-
    of-time scaling)."""
    _, name, size = _sized_position(
        vol_budget, returns, factors, dates, asset, horizon, cov_method, halflife, excess, units
    )
    return Record(size_fields(size), title=name)


def _sized_position(vol_budget, returns, factors, dates, asset, horizon, cov_method, halflife, excess, units):
    """The sample, the asset's name and its :func:`xlfactor.position_size` (FM_POSITION_SIZE, FM_POSITION_PNL)."""
    sample, model = cached.risk_sample(
        returns, factors, dates, cov_method, halflife, True, excess, fix=None, units=units
    )
    name = inputs.asset_name(asset, sample.returns.columns)
    return sample, name, xf.position_size(vol_budget, model, name, horizon=horizon)


PNL_LABELS = {
    "unhedged": "Unhedged",
    "hedged": "Hedged",
    "capital": "Capital",
    "expected_pnl": "Expected P&L (per year)",
    "risk_adjusted_pnl": "Risk-adjusted P&L (per year)",
}


@excel_function(depends=FACTOR_DATA, premia=PREMIA)
def FM_POSITION_PNL(
    vol_budget,
    returns,
    factors,
    dates=None,
    asset=None,
    horizon="annual",
    premia=None,
    cov_method="sample",
    halflife=None,
    excess=True,
    *,
    units="auto",
):
    """Capital a volatility budget allows in one asset (as FM_POSITION_SIZE), its expected P&L x (b'E[f] + alpha)
    and risk-adjusted P&L x alpha per year, unhedged and factor-hedged."""
    sample, name, size = _sized_position(
        vol_budget, returns, factors, dates, asset, horizon, cov_method, halflife, excess, units
    )
    result = sample.regression
    split = expected_split(sample, result, premia, True, excess)[0][name]
    pnl = xf.position_pnl(size, split[ALPHA_ROW], split[list(result.factor_names)].sum())
    return Table(pnl.rename(index=PNL_LABELS, columns=PNL_LABELS), name)
