"""Memoised engine calls shared by several FM_ functions (one regression serves FM_BETA,
FM_ALPHA, FM_REGRESS; one risk model serves every risk function).

Keys are the sample's content key (which includes the data vintage of a model) plus
every option, so a refresh or any changed input computes afresh.
"""

from __future__ import annotations

import xlfactor as xf
from xlfactor.excel.inputs import Sample
from xlfactor.excel.memo import content_key, fit_cache
from xlfactor.models.regression import RegressionResult, regress_prepared
from xlfactor.models.risk_model import FactorRiskModel


def regression(sample: Sample, cov: str, lags: int | None, excess: bool) -> RegressionResult:
    """``xf.regress`` of the sample's returns on its factors (``rf`` = RF when ``excess``).

    For model factors the fit starts from the model's aligned, already checked factor
    matrix (:meth:`Sample.ols_inputs`): the same inputs ``xf.regress`` would build, so the
    same numbers, without re-aligning and re-checking the factors on every call.
    """
    return fit_cache.get(
        content_key("regress", sample.key, cov, lags, excess),
        lambda: _regress(sample, cov, lags, excess),
    )


def _regress(sample: Sample, cov: str, lags: int | None, excess: bool) -> RegressionResult:
    """The regression itself: straight from the model's checked arrays, or ``xf.regress`` for a factor range."""
    data = sample.ols_inputs(excess)
    if data is not None:
        return regress_prepared(data, cov=cov, lags=lags, periods_per_year=sample.engine_periods)
    return xf.regress(
        sample.returns,
        sample.factors,
        cov=cov,
        lags=lags,
        rf=sample.rf(excess),
        periods_per_year=sample.engine_periods,
    )


def risk_model(sample: Sample, method: str, halflife: float | None, annualize: bool, excess: bool) -> FactorRiskModel:
    """``FactorRiskModel.from_regression`` over the sample's (nonrobust) regression."""
    return fit_cache.get(
        content_key("risk_model", sample.key, method, halflife, annualize, excess),
        lambda: xf.FactorRiskModel.from_regression(
            regression(sample, "nonrobust", None, excess),
            sample.factors,
            cov_method=method,
            halflife=halflife,
            annualize=annualize,
        ),
    )
