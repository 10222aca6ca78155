"""FM_ functions for returns-based style analysis: a fund's long-only mix of style indices, whole sample or rolling."""

from __future__ import annotations

import pandas as pd

import xlfactor as xf
from xlfactor.excel import inputs
from xlfactor.excel.results import Record, Table
from xlfactor.excel.specs import number
from xlfactor.excel.udf import excel_function
from xlfactor.models import labels as L


@excel_function(
    depends=inputs.factors_depend("indices"),
    window_size=number(
        "Optional: rows per rolling window (at least the number of indices + 2): then the weights and R2 of each "
        "window, by its last date. Blank: one analysis of the whole sample.",
        integer=True,
        low=2,
    ),
)
def FM_STYLE(returns, indices, dates=None, window_size=None, *, units="auto"):
    """Sharpe style analysis: index weights >= 0 summing to 1 that best track the fund (exact quadratic program),
    R-squared, selection return and tracking volatility; or the same on rolling windows."""
    sample = inputs.sample(returns, indices, dates, factors_arg="indices")
    if sample.returns.shape[1] != 1:
        raise xf.XLFactorError(
            f"returns: FM_STYLE analyses one fund (one column), got {sample.returns.shape[1]}; use one call per fund"
        )
    result = xf.style_analysis(
        sample.returns.iloc[:, 0],
        sample.regressors,
        window_size=window_size,
        periods_per_year=sample.periods_per_year,
        units=units,
    )
    if result.rolling is not None:
        frame = result.rolling
        if isinstance(frame.index, pd.DatetimeIndex):
            return Table(frame, "Date")
        return Table(frame.set_axis(range(window_size, window_size + len(frame))), "Row")
    annual = result.tracking_vol_annualized is not None
    fields = {
        **{str(k): v for k, v in result.weights.items()},
        L.RSQUARED.long: result.rsquared,
        "Selection return (per period)": result.selection,
        ("Tracking vol (ann.)" if annual else "Tracking vol (per period)"): (
            result.tracking_vol_annualized if annual else result.tracking_vol
        ),
        L.NOBS.long: result.nobs,
    }
    return Record(fields, title=str(sample.assets[0]))
