"""The Excel functions (UDFs): one module for every xlwings runtime.

The cross-sectional functions are written in
:mod:`xlfactor.excel.cross_section_functions` and re-exported here.

Classic desktop imports it through the add-in's UDF modules setting, xlwings Lite through
``install/lite/main.py``, xlwings Server through its custom-functions module. Each
function only converts: Excel values -> engine inputs (:mod:`xlfactor.excel.inputs`,
:mod:`xlfactor.excel.convert`), engine calls, result -> labelled 2-D list. Errors become
``#FM! ...`` text (:mod:`xlfactor.excel.guard`).

Memoising: every function registered with ``depends=`` (all but FM_DATA_INFO, whose
metadata can change without a new data vintage) serves a repeat with identical cells from
the result memo (:func:`xlfactor.excel.memo.cell_memo`). The regressions and risk models
are also shared between functions through :mod:`xlfactor.excel.cached` (one regression
serves FM_BETA, FM_ALPHA and FM_REGRESS); the cheaper single-use engine calls
(FM_ROLLING_BETA, FM_COV, FM_HEDGE, ...) are memoised by the result memo only.

Units: returns in decimals; volatilities and variances annual unless ``annualize`` is
FALSE; alphas per period unless ``annualize``. Annual figures need the frequency, so a
factor range without dates gives them only with ``annualize`` FALSE.
"""

from __future__ import annotations

from typing import Any, get_args

import pandas as pd

import xlfactor as xf
from xlfactor import data
from xlfactor.data.catalog import normalize_freq
from xlfactor.excel import cached, convert, inputs, results
from xlfactor.excel.cross_section_functions import (  # noqa: F401  (re-exported: this is the one UDF module)
    FM_ALPHA_TEST,
    FM_CHAR_PORTFOLIO,
    FM_FAMA_MACBETH,
    FM_NEUTRALIZE,
    FM_PCA,
    FM_XS_FACTOR_RETURNS,
    FM_ZSCORE,
)
from xlfactor.excel.udf import HEADERS, excel_function, rng
from xlfactor.models.covariance import CovMethod
from xlfactor.models.hedging import HORIZONS
from xlfactor.models.regression import COV_TYPES

# ------------------------------------------------------------------ argument descriptions
RETURNS = rng(
    "Asset returns in decimals (0.01 = 1%), one column per asset. An optional header row names the assets. "
    "Blank cells are missing values, not zeros."
)
FACTORS = rng(
    'Factor returns (a range in decimals, header optional) or a model name: "CAPM", "FF3", "FF5", "FF6", '
    '"CARHART4" (then dates are required).'
)
DATES = rng(
    "Dates of the rows (dates, serials or YYYY-MM-DD text). Required with a model name; the frequency is "
    "inferred. Optional with a factor range, but annualised figures need them (else set annualize FALSE)."
)
EXCESS = (
    "TRUE (default): subtract the factors' RF column (models have one) from the returns first. "
    "FALSE: the returns are already excess returns."
)
COV = 'Standard errors: "nonrobust" (default), "hc1" (heteroskedasticity-robust) or "hac" (Newey-West).'
LAGS = 'Newey-West lags for cov "hac". Default: floor(4 (n/100)^(2/9)).'
METHOD = 'Factor covariance: "sample" (default), "ewma" (needs halflife) or "ledoit_wolf" (shrinkage).'
HALFLIFE = 'EWMA half-life in rows (periods); required with method "ewma".'
ANNUALIZE = "TRUE (default): annual figures (variance times periods per year). FALSE: per period."
WEIGHTS = rng(
    "Portfolio weights, one per asset: a row or column in the order of the returns columns, or labelled "
    "with the asset names (unlisted assets get 0)."
)
BENCHMARK = rng("Optional benchmark weights, same layout as weights: then every figure is active risk.")
MODEL = 'Model name: "CAPM", "FF3", "FF5", "FF6" or "CARHART4" (or a registered factor set).'
FREQ = 'Data frequency: "M" or "monthly" (default), "W" or "weekly", "D" or "daily".'

_METHODS: tuple[str, ...] = get_args(CovMethod)


FACTOR_DATA = inputs.factors_depend()


def _freq(value: Any) -> str:
    """A model data frequency: D, W, M or the words daily, weekly, monthly (any case); blank gives M."""
    value = convert.single(value, "freq")
    return "M" if convert.is_blank(value) else normalize_freq(value)


def _factors_vintage(arguments: dict[str, Any]) -> str:
    """What FM_FACTORS depends on besides its cells: the data vintage of the model."""
    return data.data_vintage(inputs.model_or_error(arguments["model"]), _freq(arguments["freq"]))


def _portfolio(weights: Any, benchmark: Any, assets: pd.Index) -> tuple[pd.Series, pd.Series | None]:
    """Weights and optional benchmark weights matched to the returns' assets."""
    bench = None if benchmark is None else inputs.weights_for(benchmark, assets, "benchmark")
    return inputs.weights_for(weights, assets), bench


def _cov(value: Any) -> str:
    return convert.text_option(value, "cov", COV_TYPES, "nonrobust")


def _lags(value: Any) -> int | None:
    return convert.number_option(value, "lags", None, integer=True, low=0)  # type: ignore[return-value]


def _method(value: Any) -> str:
    return convert.text_option(value, "method", _METHODS, "sample")


def _halflife(value: Any) -> float | None:
    return convert.number_option(value, "halflife", None, low=0, inclusive=False)


def _risk_inputs(
    returns: Any,
    factors: Any,
    dates: Any,
    method: Any,
    halflife: Any,
    annualize: Any,
    excess: Any,
    *,
    fix: str | None = inputs.ANNUALIZE_FIX,
) -> tuple[inputs.Sample, xf.FactorRiskModel]:
    """The sample and its risk model; annual figures without dates raise (``fix``: the remedy offered)."""
    sample = inputs.sample(returns, factors, dates)
    annual = convert.flag(annualize, "annualize", True)
    if annual:
        inputs.need_frequency(sample.periods_per_year, fix)
    model = cached.risk_model(
        sample, _method(method), _halflife(halflife), annual, convert.flag(excess, "excess", True)
    )
    return sample, model


def _var_inputs(
    returns: Any, factors: Any, dates: Any, method: Any, halflife: Any, excess: Any
) -> tuple[inputs.Sample, xf.FactorRiskModel]:
    """The risk model for FM_VAR and FM_STRESS, whose figures are per data period (horizon in
    periods, shocks as given): the frequency cancels, so without dates the model is simply
    kept per period (with dates it is the annual model the other risk functions share)."""
    sample = inputs.sample(returns, factors, dates)
    annual = sample.periods_per_year is not None
    model = cached.risk_model(
        sample, _method(method), _halflife(halflife), annual, convert.flag(excess, "excess", True)
    )
    return sample, model


# ------------------------------------------------------------------ regressions
@excel_function(depends=FACTOR_DATA, returns=RETURNS, factors=FACTORS, dates=DATES, excess=EXCESS, headers=HEADERS)
def FM_BETA(returns, factors, dates=None, excess=True, headers=True):
    """Factor betas (OLS slopes) of each asset's returns on the factors: one row per asset, one column per factor."""
    sample = inputs.sample(returns, factors, dates)
    result = cached.regression(sample, "nonrobust", None, convert.flag(excess, "excess", True))
    return convert.table(result.betas, convert.flag(headers, "headers", True))


@excel_function(
    depends=FACTOR_DATA,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    annualize="TRUE (default): alpha times periods per year. FALSE: alpha per period.",
    cov=COV,
    lags=LAGS,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_ALPHA(returns, factors, dates=None, annualize=True, cov="nonrobust", lags=None, excess=True, headers=True):
    """Alpha (regression intercept) of each asset with its t-statistic and p-value."""
    sample = inputs.sample(returns, factors, dates)
    result = cached.regression(sample, _cov(cov), _lags(lags), convert.flag(excess, "excess", True))
    annual = convert.flag(annualize, "annualize", True)
    if annual:
        inputs.need_frequency(sample.periods_per_year)
    alpha = result.alpha_annualized if annual else result.alpha
    frame = pd.DataFrame({"alpha": alpha, "t": result.tvalues["alpha"], "p-value": result.pvalues["alpha"]})
    return convert.table(frame, convert.flag(headers, "headers", True))


@excel_function(
    depends=FACTOR_DATA,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    cov=COV,
    lags=LAGS,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_REGRESS(returns, factors, dates=None, cov="nonrobust", lags=None, excess=True, headers=True):
    """Full regression table for one asset, like LINEST but labelled: coefficients, standard errors, t, p, 95%
    interval, then R-squared, residual vol and alpha (annual when dates are given), observations."""
    sample = inputs.sample(returns, factors, dates)
    if sample.returns.shape[1] != 1:
        raise xf.XLFactorError(
            f"returns: FM_REGRESS takes one asset column, got {sample.returns.shape[1]}; "
            "use FM_BETA or FM_ALPHA for several assets"
        )
    result = cached.regression(sample, _cov(cov), _lags(lags), convert.flag(excess, "excess", True))
    asset = sample.returns.columns[0]
    summary = results.regression_summary(result, asset, annual=sample.periods_per_year is not None)
    return convert.table(summary, convert.flag(headers, "headers", True), corner=asset)


@excel_function(
    depends=FACTOR_DATA,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    window="Rows per regression window (default 36).",
    min_periods="Fewest non-blank rows a window needs (default: window). Windows with fewer give blanks.",
    excess=EXCESS,
    headers=HEADERS,
)
def FM_ROLLING_BETA(returns, factors, dates=None, window=36, min_periods=None, excess=True, headers=True):
    """Rolling-window regressions: alpha, betas and R-squared at each date (blank until a window is complete).
    Several assets give one block of columns per asset."""
    sample = inputs.sample(returns, factors, dates)
    frame = xf.rolling_regress(
        sample.returns,
        sample.factors,
        convert.number_option(window, "window", 36, integer=True, low=2),
        convert.number_option(min_periods, "min_periods", None, integer=True, low=2),
        rf=sample.rf(convert.flag(excess, "excess", True)),
    )
    return convert.table(results.rolling_table(frame), convert.flag(headers, "headers", True), corner="Date")


# ------------------------------------------------------------------ factor data
@excel_function(
    depends=_factors_vintage,
    model=MODEL,
    freq=FREQ,
    start="First date to include (optional).",
    end="Last date to include (optional).",
    headers=HEADERS,
)
def FM_FACTORS(model, freq="M", start=None, end=None, headers=True):
    """The factor returns of a model (decimals) with the risk-free rate RF, one row per date."""
    name = inputs.model_or_error(model)
    first, last = convert.date_option(start, "start"), convert.date_option(end, "end")
    if first is not None and last is not None and first > last:
        raise xf.XLFactorError(f"start: {first:%Y-%m-%d} is after end ({last:%Y-%m-%d}); swap them")
    frame = xf.load_factors(name, _freq(freq), first, last)
    return convert.table(frame, convert.flag(headers, "headers", True), corner="Date")


@excel_function(model=MODEL, freq=FREQ, headers=HEADERS)
def FM_DATA_INFO(model, freq="M", headers=True):
    """Where a model's factor data come from: origin (snapshot, download, file), CRSP vintage, first and last date,
    rows, data key."""
    name = inputs.model_or_error(model)
    info = xf.factor_info(name, _freq(freq))
    return convert.record(results.info_fields(info), convert.flag(headers, "headers", True))


# ------------------------------------------------------------------ covariance
@excel_function(
    depends=FACTOR_DATA,
    factors=FACTORS,
    dates=DATES,
    method=METHOD,
    halflife=HALFLIFE,
    annualize=ANNUALIZE,
    headers=HEADERS,
)
def FM_COV(factors, dates=None, method="sample", halflife=None, annualize=True, headers=True):
    """Covariance matrix of factor returns (RF excluded), annualised by default."""
    frame, ppy, _ = inputs.factor_data(factors, dates)
    annual = convert.flag(annualize, "annualize", True)
    if annual:
        inputs.need_frequency(ppy)
    cov = xf.factor_cov(
        frame, _method(method), _halflife(halflife), annual, periods_per_year=inputs.engine_periods(ppy)
    )
    return convert.table(cov, convert.flag(headers, "headers", True))


@excel_function(depends=FACTOR_DATA, factors=FACTORS, dates=DATES, method=METHOD, halflife=HALFLIFE, headers=HEADERS)
def FM_CORR(factors, dates=None, method="sample", halflife=None, headers=True):
    """Correlation matrix of factor returns (RF excluded)."""
    frame, ppy, _ = inputs.factor_data(factors, dates)
    cov = xf.factor_cov(frame, _method(method), _halflife(halflife), False, periods_per_year=inputs.engine_periods(ppy))
    return convert.table(xf.cov_to_corr(cov), convert.flag(headers, "headers", True))


# ------------------------------------------------------------------ risk model
@excel_function(
    depends=FACTOR_DATA,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    method=METHOD,
    halflife=HALFLIFE,
    annualize=ANNUALIZE,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_ASSET_COV(
    returns, factors, dates=None, method="sample", halflife=None, annualize=True, excess=True, headers=True
):
    """Asset covariance matrix implied by the factor model: B F B' + diag(specific variances)."""
    _, model = _risk_inputs(returns, factors, dates, method, halflife, annualize, excess)
    return convert.table(model.asset_cov(), convert.flag(headers, "headers", True))


@excel_function(
    depends=FACTOR_DATA,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    method=METHOD,
    halflife=HALFLIFE,
    annualize=ANNUALIZE,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_VAR_DECOMP(
    returns, factors, dates=None, method="sample", halflife=None, annualize=True, excess=True, headers=True
):
    """Per asset: total, factor and specific variance and volatility, and the factor share of variance."""
    _, model = _risk_inputs(returns, factors, dates, method, halflife, annualize, excess)
    return convert.table(xf.variance_decomposition(model), convert.flag(headers, "headers", True))


@excel_function(
    depends=FACTOR_DATA,
    weights=WEIGHTS,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    benchmark=BENCHMARK,
    method=METHOD,
    halflife=HALFLIFE,
    annualize=ANNUALIZE,
    excess=EXCESS,
    headers=HEADERS,
)
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
    headers=True,
):
    """Portfolio risk split: total, factor and specific volatility and variance, factor share, and the exposure to
    each factor."""
    sample, model = _risk_inputs(returns, factors, dates, method, halflife, annualize, excess)
    risk = model.portfolio_risk(*_portfolio(weights, benchmark, sample.returns.columns))
    return convert.record(results.risk_fields(risk), convert.flag(headers, "headers", True))


@excel_function(
    depends=FACTOR_DATA,
    weights=WEIGHTS,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    by='"factor" (default): contributions of each factor and of specific risk. "asset": contributions of each asset.',
    benchmark=BENCHMARK,
    method=METHOD,
    halflife=HALFLIFE,
    annualize=ANNUALIZE,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_RISK_CONTRIB(
    weights,
    returns,
    factors,
    dates=None,
    by="factor",
    benchmark=None,
    method="sample",
    halflife=None,
    annualize=True,
    excess=True,
    headers=True,
):
    """Euler risk contributions (exposure or weight, marginal, contribution, percent); contributions sum to the
    total volatility."""
    sample, model = _risk_inputs(returns, factors, dates, method, halflife, annualize, excess)
    risk = model.portfolio_risk(*_portfolio(weights, benchmark, sample.returns.columns))
    table = (
        risk.by_factor if convert.text_option(by, "by", ("factor", "asset"), "factor") == "factor" else risk.by_asset
    )
    return convert.table(table, convert.flag(headers, "headers", True))


# ------------------------------------------------------------------ hedging and sizing
@excel_function(
    depends=inputs.factors_depend("instruments"),
    target=rng("Returns of the position to hedge (one column, decimals; header optional)."),
    instruments=rng('Returns of the hedge instruments (one column each, header optional) or a model name like "FF3".'),
    dates=DATES,
    headers=HEADERS,
)
def FM_HEDGE(target, instruments, dates=None, headers=True):
    """Minimum-variance hedge ratios (amounts to SELL per unit of target), hedge effectiveness (R-squared), annual
    residual and unhedged volatility."""
    sample = inputs.sample(target, instruments, dates, returns_arg="target")
    if sample.returns.shape[1] != 1:
        raise xf.XLFactorError(f"target: give one column of returns, got {sample.returns.shape[1]}")
    result = xf.hedge_ratios(sample.returns.iloc[:, 0], sample.regressors, periods_per_year=sample.periods_per_year)
    return convert.record(
        results.hedge_fields(result), convert.flag(headers, "headers", True), title=str(sample.returns.columns[0])
    )


@excel_function(
    depends=FACTOR_DATA,
    weights=WEIGHTS,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    target_share="Target factor share of portfolio variance, from 0 (hedge all factor risk) up to but excluding 1.",
    benchmark=BENCHMARK,
    method=METHOD,
    halflife=HALFLIFE,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_HEDGE_TARGET(
    weights,
    returns,
    factors,
    dates=None,
    target_share=0,
    benchmark=None,
    method="sample",
    halflife=None,
    excess=True,
    headers=True,
):
    """Factor hedge (amounts of each factor portfolio to SELL) that brings the factor share of variance to a
    target; exposures and annual risk before and after."""
    sample, model = _risk_inputs(returns, factors, dates, method, halflife, True, excess, fix=None)
    held, bench = _portfolio(weights, benchmark, sample.returns.columns)
    share = convert.number_option(target_share, "target_share", 0.0, low=0, high=1)
    result = xf.hedge_to_risk_share(model, held, share, benchmark=bench)
    return convert.table(results.risk_share_table(result), convert.flag(headers, "headers", True))


@excel_function(
    depends=FACTOR_DATA,
    vol_budget="Volatility of P&L allowed over the horizon, in currency (e.g. 50000).",
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    asset="Name of the asset to size (a returns header); optional when returns has one column.",
    horizon='Horizon of the budget: "annual" (default), "quarterly", "monthly", "weekly" or "daily".',
    method=METHOD,
    halflife=HALFLIFE,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_POSITION_SIZE(
    vol_budget,
    returns,
    factors,
    dates=None,
    asset=None,
    horizon="annual",
    method="sample",
    halflife=None,
    excess=True,
    headers=True,
):
    """Capital a volatility budget allows in one asset, unhedged and with its factor exposure hedged (square-root-
    of-time scaling)."""
    sample, model = _risk_inputs(returns, factors, dates, method, halflife, True, excess, fix=None)
    name = inputs.asset_name(asset, sample.returns.columns)
    budget = convert.number_option(vol_budget, "vol_budget", None, low=0, inclusive=False)
    if budget is None:
        raise xf.XLFactorError("vol_budget: required; give the volatility budget in currency")
    size = xf.position_size(budget, model, name, horizon=convert.text_option(horizon, "horizon", HORIZONS, "annual"))
    return convert.record(results.size_fields(size), convert.flag(headers, "headers", True), title=name)


# ------------------------------------------------------------------ scenarios
@excel_function(
    depends=FACTOR_DATA,
    weights=WEIGHTS,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    confidence="Confidence level, between 0 and 1 (default 0.99).",
    horizon="Horizon in data periods (default 1: one month for monthly data, one day for daily).",
    benchmark=BENCHMARK,
    method=METHOD,
    halflife=HALFLIFE,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_VAR(
    weights,
    returns,
    factors,
    dates=None,
    confidence=0.99,
    horizon=1,
    benchmark=None,
    method="sample",
    halflife=None,
    excess=True,
    headers=True,
):
    """Parametric normal value at risk and expected shortfall (positive losses, in the units of the weights) with
    each factor's VaR contribution."""
    sample, model = _var_inputs(returns, factors, dates, method, halflife, excess)
    held, bench = _portfolio(weights, benchmark, sample.returns.columns)
    result = xf.var_es(
        model,
        held,
        convert.number_option(confidence, "confidence", 0.99, low=0, high=1, inclusive=False),
        convert.number_option(horizon, "horizon", 1, low=0, inclusive=False),
        benchmark=bench,
    )
    return convert.record(results.var_fields(result), convert.flag(headers, "headers", True))


@excel_function(
    depends=FACTOR_DATA,
    weights=WEIGHTS,
    returns=RETURNS,
    factors=FACTORS,
    dates=DATES,
    shocks=rng(
        "Factor moves over the scenario (decimals, -0.1 = -10%): factor names beside or above the values. "
        "Factors left out move by their expected amount given the shocked ones."
    ),
    benchmark=BENCHMARK,
    method=METHOD,
    halflife=HALFLIFE,
    excess=EXCESS,
    headers=HEADERS,
)
def FM_STRESS(
    weights,
    returns,
    factors,
    dates,
    shocks,
    benchmark=None,
    method="sample",
    halflife=None,
    excess=True,
    headers=True,
):
    """Scenario P&L: each factor's move (shocked or implied by correlation), the portfolio's exposure and P&L per
    factor, and the total."""
    sample, model = _var_inputs(returns, factors, dates, method, halflife, excess)
    held, bench = _portfolio(weights, benchmark, sample.returns.columns)
    result = xf.stress(model, held, inputs.shocks_for(shocks, model.factors), benchmark=bench)
    return convert.table(results.stress_table(result), convert.flag(headers, "headers", True))
