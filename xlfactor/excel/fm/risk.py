"""FM_ functions for covariance and risk: factor covariance and correlation, the asset covariance a factor
model implies, and portfolio risk with its Euler contributions.

Volatilities and variances are annual unless ``annualize`` is FALSE; annual figures need the
frequency, so a factor range without dates gives them only with ``annualize`` FALSE.
"""

from __future__ import annotations

import xlfactor as xf
from xlfactor.excel import cached, inputs
from xlfactor.excel.inputs import FACTOR_DATA
from xlfactor.excel.results import Record, Table, risk_fields
from xlfactor.excel.udf import excel_function
from xlfactor.models.units import MAX_GROSS


@excel_function(depends=FACTOR_DATA)
def FM_COV(factors, dates=None, method="sample", halflife=None, annualize=True):
    """Covariance matrix of factor returns (RF excluded), annualised by default."""
    frame, ppy, _ = inputs.factor_data(factors, dates)
    if annualize:
        inputs.need_frequency(ppy)
    cov = xf.factor_cov(frame, method, halflife, annualize, periods_per_year=ppy)
    return Table(cov, "Factor")


@excel_function(depends=FACTOR_DATA)
def FM_CORR(factors, dates=None, method="sample", halflife=None):
    """Correlation matrix of factor returns (RF excluded)."""
    frame, ppy, _ = inputs.factor_data(factors, dates)
    cov = xf.factor_cov(frame, method, halflife, False, periods_per_year=ppy)
    return Table(xf.cov_to_corr(cov), "Factor")


@excel_function(depends=FACTOR_DATA)
def FM_ASSET_COV(
    returns, factors, dates=None, method="sample", halflife=None, annualize=True, excess=True, *, units="auto"
):
    """Asset covariance matrix implied by the factor model: B F B' + diag(specific variances)."""
    _, model = cached.risk_sample(returns, factors, dates, method, halflife, annualize, excess, units=units)
    return Table(model.asset_cov(), "Asset")


@excel_function(depends=FACTOR_DATA)
def FM_VAR_DECOMP(
    returns, factors, dates=None, method="sample", halflife=None, annualize=True, excess=True, *, units="auto"
):
    """Per asset: total, factor and specific variance and volatility, and the factor share of variance."""
    _, model = cached.risk_sample(returns, factors, dates, method, halflife, annualize, excess, units=units)
    return Table(xf.variance_decomposition(model), "Asset")


@excel_function(depends=FACTOR_DATA)
def FM_PORT_RISK(
    weights,
    returns,
    factors,
    dates=None,
    benchmark=None,
    method="sample",
    halflife=None,
    annualize=True,
    excess=True,
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Portfolio risk split: total, factor and specific volatility and variance, factor share, and the exposure to
    each factor."""
    sample, model = cached.risk_sample(returns, factors, dates, method, halflife, annualize, excess, units=units)
    risk = model.portfolio_risk(*inputs.portfolio(weights, benchmark, sample.assets), max_gross=max_gross)
    return Record(risk_fields(risk))


@excel_function(depends=FACTOR_DATA)
def FM_RISK_CONTRIB(
    weights,
    returns,
    factors,
    dates=None,
    breakdown="factor",
    benchmark=None,
    method="sample",
    halflife=None,
    annualize=True,
    excess=True,
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Euler risk contributions (exposure or weight, marginal, contribution, percent); contributions sum to the
    total volatility."""
    sample, model = cached.risk_sample(returns, factors, dates, method, halflife, annualize, excess, units=units)
    risk = model.portfolio_risk(*inputs.portfolio(weights, benchmark, sample.assets), max_gross=max_gross)
    return Table(risk.by_factor, "Factor") if breakdown == "factor" else Table(risk.by_asset, "Asset")
