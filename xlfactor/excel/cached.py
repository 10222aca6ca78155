"""Memoised engine calls shared by several FM_ functions (one regression serves FM_BETA,
FM_ALPHA, FM_REGRESS; one risk model serves every risk function).

Keys are the sample's content key (which includes the data vintage of a model) plus
every option, so a refresh or any changed input computes afresh.
"""

from __future__ import annotations

from typing import Any

import xlfactor as xf
from xlfactor.excel import inputs
from xlfactor.excel.inputs import Sample
from xlfactor.excel.memo import content_key, fit_cache
from xlfactor.models.regression import RegressionResult
from xlfactor.models.risk_model import FactorRiskModel


def regression(sample: Sample, cov: str, lags: int | None, excess: bool, units: str = "auto") -> RegressionResult:
    """``xf.regress`` of the sample's returns on its factors (``rf`` = RF when ``excess``; ``units``
    as ``xf.regress`` takes it), memoised. A model's factors come checked once per data vintage
    (:attr:`Sample.engine_factors`); every other rule applies in ``xf.regress`` as for any caller."""
    return fit_cache.get(
        content_key("regress", sample.key, cov, lags, excess, units),
        lambda: xf.regress(
            sample.returns,
            sample.engine_factors,
            cov=cov,
            lags=lags,
            rf=sample.rf(excess),
            periods_per_year=sample.periods_per_year,
            units=units,
        ),
    )


def risk_model(
    sample: Sample, method: str, halflife: float | None, annualize: bool, excess: bool, units: str = "auto"
) -> FactorRiskModel:
    """``FactorRiskModel.from_regression`` over the sample's (nonrobust) regression."""
    return fit_cache.get(
        content_key("risk_model", sample.key, method, halflife, annualize, excess, units),
        lambda: xf.FactorRiskModel.from_regression(
            regression(sample, "nonrobust", None, excess, units),
            sample.factors,
            cov_method=method,
            halflife=halflife,
            annualize=annualize,
        ),
    )


def risk_sample(
    returns: Any,
    factors: Any,
    dates: Any,
    method: str,
    halflife: float | None,
    annualize: bool,
    excess: bool,
    *,
    fix: str | None = inputs.ANNUALIZE_FIX,
    units: str = "auto",
) -> tuple[Sample, FactorRiskModel]:
    """The sample of three ranges and its risk model; annual figures without dates raise
    (``fix``: the remedy offered, None when the function has no ``annualize``)."""
    sample = inputs.sample(returns, factors, dates)
    if annualize:
        inputs.need_frequency(sample.periods_per_year, fix)
    return sample, risk_model(sample, method, halflife, annualize, excess, units)


def per_period_risk_sample(
    returns: Any, factors: Any, dates: Any, method: str, halflife: float | None, excess: bool, units: str = "auto"
) -> tuple[Sample, FactorRiskModel]:
    """The risk model for FM_VAR and FM_STRESS, whose figures are per data period (horizon in
    periods, shocks as given): the frequency cancels, so without dates the model is simply
    kept per period (with dates it is the annual model the other risk functions share)."""
    sample = inputs.sample(returns, factors, dates)
    return sample, risk_model(sample, method, halflife, sample.periods_per_year is not None, excess, units)
