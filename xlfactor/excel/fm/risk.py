"""FM_ functions for covariance and risk: factor covariance and correlation, the asset covariance a factor
model implies, and portfolio risk with its Euler contributions.

Volatilities and variances are annual unless ``annualize`` is FALSE; annual figures need the
frequency, so a factor range without dates gives them only with ``annualize`` FALSE.
"""

from __future__ import annotations

import xlfactor as xf
from xlfactor.excel import cached, inputs
from xlfactor.excel.inputs import FACTOR_DATA
from xlfactor.excel.results import (
    Record,
    Table,
    backtest_fields,
    backtest_table,
    risk_fields,
)
from xlfactor.excel.specs import DATES, choice, number, rng
from xlfactor.excel.udf import excel_function
from xlfactor.models import RF_COLUMN
from xlfactor.models.units import MAX_GROSS
from xlfactor.report.sheets.risk_history import table as risk_history_table


@excel_function(depends=FACTOR_DATA)
def FM_COV(factors, dates=None, cov_method="sample", halflife=None, annualize=True):
    """Covariance matrix of factor returns (RF excluded), annualised by default."""
    frame, ppy, _ = inputs.factor_data(factors, dates)
    if annualize:
        inputs.need_frequency(ppy)
    cov = xf.factor_cov(frame, cov_method, halflife, annualize, periods_per_year=ppy)
    return Table(cov, "Factor")


@excel_function(depends=FACTOR_DATA)
def FM_CORR(factors, dates=None, cov_method="sample", halflife=None):
    """Correlation matrix of factor returns (RF excluded)."""
    frame, ppy, _ = inputs.factor_data(factors, dates)
    cov = xf.factor_cov(frame, cov_method, halflife, False, periods_per_year=ppy)
    return Table(xf.cov_to_corr(cov), "Factor")


@excel_function(depends=FACTOR_DATA)
def FM_ASSET_COV(
    returns, factors, dates=None, cov_method="sample", halflife=None, annualize=True, excess=True, *, units="auto"
):
    """Asset covariance matrix implied by the factor model: B F B' + diag(specific variances)."""
    _, model = cached.risk_sample(returns, factors, dates, cov_method, halflife, annualize, excess, units=units)
    return Table(model.asset_cov(), "Asset")


@excel_function(depends=FACTOR_DATA)
def FM_VAR_DECOMP(
    returns, factors, dates=None, cov_method="sample", halflife=None, annualize=True, excess=True, *, units="auto"
):
    """Per asset: total, factor and specific variance and volatility, and the factor share of variance."""
    _, model = cached.risk_sample(returns, factors, dates, cov_method, halflife, annualize, excess, units=units)
    return Table(xf.variance_decomposition(model), "Asset")


@excel_function(depends=FACTOR_DATA)
def FM_PORT_RISK(
    weights,
    returns,
    factors,
    dates=None,
    benchmark=None,
    cov_method="sample",
    halflife=None,
    annualize=True,
    excess=True,
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Portfolio risk split: total, factor and specific volatility and variance, factor share, and the exposure to
    each factor."""
    sample, model = cached.risk_sample(returns, factors, dates, cov_method, halflife, annualize, excess, units=units)
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
    cov_method="sample",
    halflife=None,
    annualize=True,
    excess=True,
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Euler risk contributions (exposure or weight, marginal, contribution, percent), summing to the total
    volatility; or (breakdown "variance") each factor's Euler variance beside its standalone b_k^2 Var(f_k)."""
    sample, model = cached.risk_sample(returns, factors, dates, cov_method, halflife, annualize, excess, units=units)
    risk = model.portfolio_risk(*inputs.portfolio(weights, benchmark, sample.assets), max_gross=max_gross)
    if breakdown == "variance":
        return Table(risk.variance_view, "Factor")
    return Table(risk.by_factor, "Factor") if breakdown == "factor" else Table(risk.by_asset, "Asset")


BACKTEST_WINDOW = number(
    "Rolling estimation window in rows. Empty (default): expanding, every row before the forecast date.",
    integer=True,
    low=2,
)
FIRST_FORECAST = number(
    "Rows of history before the first forecast (default: window, or 60 with an expanding window).",
    integer=True,
    low=2,
)
REFIT_EVERY = number(
    "Rows between refits of the model (default 1: every row; 21 on daily data is about monthly).", integer=True, low=1
)
BIAS_WINDOW = number("Forecasts per rolling bias statistic (default: one year of rows).", integer=True, low=2)
BACKTEST_VIEW = choice(
    '"summary" (default): bias statistic, band, breaches and tests. "series": per date the forecast vol, realised '
    "return, their ratio, VaR, breach and rolling bias.",
    ("summary", "series"),
)


@excel_function(
    depends=FACTOR_DATA,
    window=BACKTEST_WINDOW,
    dates=rng(DATES.doc, need="give the dates of the rows (the backtest needs the data frequency)"),
    first_forecast=FIRST_FORECAST,
    refit_every=REFIT_EVERY,
    bias_window=BIAS_WINDOW,
    view=BACKTEST_VIEW,
)
def FM_RISK_BACKTEST(
    weights,
    returns,
    factors,
    dates,
    window=None,
    first_forecast=None,
    refit_every=1,
    cov_method="sample",
    halflife=None,
    confidence=0.99,
    bias_window=None,
    excess=True,
    view="summary",
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Does the risk forecast hold up? Each date's volatility forecast from earlier rows only, against the realised
    return: bias statistic with its band, VaR breaches, Kupiec and Christoffersen tests."""
    sample = inputs.sample(returns, factors, dates)
    held = inputs.weights_for(weights, sample.assets)
    frame = sample.factors if excess else sample.factors.drop(columns=[RF_COLUMN], errors="ignore")
    result = xf.risk_backtest(
        sample.returns,
        held,
        frame,
        window=window,
        first_forecast=first_forecast,
        refit_every=refit_every,
        cov_method=cov_method,
        halflife=halflife,
        confidence=confidence,
        bias_window=bias_window,
        units=units,
        max_gross=max_gross,
    )
    if view == "series":
        return Table(backtest_table(result), "Date")
    return Record(backtest_fields(result))


REALISED_WINDOW = number("Rows per realised volatility (default: one year of rows).", integer=True, low=2)


@excel_function(
    depends=FACTOR_DATA,
    window=BACKTEST_WINDOW,
    dates=rng(DATES.doc, need="give the dates of the rows (the history needs the data frequency)"),
    first_forecast=FIRST_FORECAST,
    refit_every=REFIT_EVERY,
    realised_window=REALISED_WINDOW,
)
def FM_RISK_HISTORY(
    weights,
    returns,
    factors,
    dates,
    benchmark=None,
    window=None,
    first_forecast=None,
    refit_every=1,
    cov_method="sample",
    halflife=None,
    annualize=True,
    realised_window=None,
    excess=True,
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Ex-ante risk through time, each date from earlier rows only: total, factor and specific vol, tracking error
    (with a benchmark), each factor's contribution, beside the realised return and trailing realised vol."""
    sample = inputs.sample(returns, factors, dates)
    held, bench = inputs.portfolio(weights, benchmark, sample.assets)
    frame = sample.factors if excess else sample.factors.drop(columns=[RF_COLUMN], errors="ignore")
    result = xf.risk_history(
        sample.returns,
        held,
        frame,
        benchmark=bench,
        window=window,
        first_forecast=first_forecast,
        refit_every=refit_every,
        cov_method=cov_method,
        halflife=halflife,
        annualize=annualize,
        realised_window=realised_window,
        units=units,
        max_gross=max_gross,
    )
    return Table(risk_history_table(result), "Date")
