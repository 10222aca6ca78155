"""Memoised risk models shared by the risk functions (one risk model serves every risk function over
the same sample), over the sample's memoised regression (:func:`xlfactor.excel.inputs.sample` with
``fit``, which one regression serves FM_BETA, FM_ALPHA, FM_REGRESS and the risk models).

Keys are the sample's content key (which includes the data vintage of a model) plus
every option, so a refresh or any changed input computes afresh.
"""

from __future__ import annotations

from typing import Any

import xlfactor as xf
from xlfactor.excel import inputs
from xlfactor.excel.inputs import Fit, Sample
from xlfactor.excel.memo import content_key, fit_cache
from xlfactor.models.risk_model import FactorRiskModel


def risk_model(
    sample: Sample, cov_method: str, halflife: float | None, annualize: bool, excess: bool, units: str = "auto"
) -> FactorRiskModel:
    """``FactorRiskModel.from_regression`` over the sample's nonrobust regression (``sample(..., fit=...)``
    with these ``excess`` and ``units``)."""
    if sample.regression is None:
        raise ValueError("risk_model: the sample needs its regression (inputs.sample(..., fit=...))")
    return fit_cache.get(
        content_key("risk_model", sample.key, cov_method, halflife, annualize, excess, units),
        lambda: xf.FactorRiskModel.from_regression(
            sample.regression,
            sample.factors,
            cov_method=cov_method,
            halflife=halflife,
            annualize=annualize,
        ),
    )


def risk_sample(
    returns: Any,
    factors: Any,
    dates: Any,
    cov_method: str,
    halflife: float | None,
    annualize: bool,
    excess: bool,
    *,
    fix: str | None = inputs.ANNUALIZE_FIX,
    units: str = "auto",
) -> tuple[Sample, FactorRiskModel]:
    """The sample of three ranges and its risk model; annual figures without dates raise
    (``fix``: the remedy offered, None when the function has no ``annualize``)."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess, units=units))
    if annualize:
        inputs.need_frequency(sample.periods_per_year, fix)
    return sample, risk_model(sample, cov_method, halflife, annualize, excess, units)


def per_period_risk_sample(
    returns: Any, factors: Any, dates: Any, cov_method: str, halflife: float | None, excess: bool, units: str = "auto"
) -> tuple[Sample, FactorRiskModel]:
    """The risk model for FM_VAR and FM_STRESS, whose figures are per data period (horizon in
    periods, shocks as given): the frequency cancels, so without dates the model is simply
    kept per period (with dates it is the annual model the other risk functions share)."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess, units=units))
    return sample, risk_model(sample, cov_method, halflife, sample.periods_per_year is not None, excess, units)
