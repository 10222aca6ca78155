"""FM_ functions for scenarios and tail risk: stress P&L and parametric VaR/ES, per data period."""

from __future__ import annotations

import xlfactor as xf
from xlfactor.excel import cached, inputs
from xlfactor.excel.inputs import FACTOR_DATA
from xlfactor.excel.results import Record, Table, stress_table, var_fields
from xlfactor.excel.specs import number
from xlfactor.excel.udf import excel_function
from xlfactor.models.units import MAX_GROSS

HORIZON_PERIODS = number(
    "Horizon in data periods (default 1: one month for monthly data, one day for daily).", low=0, inclusive=False
)


@excel_function(depends=FACTOR_DATA, horizon=HORIZON_PERIODS)
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
):
    """Parametric normal value at risk and expected shortfall (positive losses, in the units of the weights) with
    each factor's VaR contribution."""
    sample, model = cached.per_period_risk_sample(returns, factors, dates, method, halflife, excess)
    held, bench = inputs.portfolio(weights, benchmark, sample.assets)
    return Record(var_fields(xf.var_es(model, held, confidence, horizon, benchmark=bench)))


@excel_function(depends=FACTOR_DATA)
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
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Scenario P&L: each factor's move (shocked or implied by correlation), the portfolio's exposure and P&L per
    factor, and the total."""
    sample, model = cached.per_period_risk_sample(returns, factors, dates, method, halflife, excess, units)
    held, bench = inputs.portfolio(weights, benchmark, sample.assets)
    result = xf.stress(model, held, inputs.shocks_for(shocks, model.factors), benchmark=bench, max_gross=max_gross)
    return Table(stress_table(result), "Factor")
