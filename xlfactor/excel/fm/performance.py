"""FM_ functions for performance figures and expected returns: annual mean, volatility, Sharpe and Sortino
ratios, drawdowns, tracking error (``FM_PERFORMANCE``), and the split of an expected return into risk-free
rate, alpha and factor premia (``FM_EXPECTED_RETURN``).

Every number is the engine's (:func:`xlfactor.performance`, :func:`xlfactor.expected_return`); this module
reads the cells, lines up the rows and labels the result.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert, inputs
from xlfactor.excel.fm.regression import ALPHA_ANNUALIZE
from xlfactor.excel.inputs import FACTOR_DATA, Fit, Sample
from xlfactor.excel.results import Table
from xlfactor.excel.specs import DATES, rng
from xlfactor.excel.udf import excel_function
from xlfactor.models import RF_COLUMN
from xlfactor.models import labels as L
from xlfactor.models.expected_return import ALPHA_ROW, RF_ROW, TOTAL_ROW
from xlfactor.models.regression import RegressionResult

#: Row labels of FM_PERFORMANCE, in the order shown (the hedged Sharpe beside the unhedged one).
FIGURES = {
    "mean": "Mean (ann.)",
    "mean_excess": "Mean excess over RF (ann.)",
    "volatility": "Volatility (ann.)",
    "sharpe": "Sharpe",
    "hedged_sharpe": "Hedged Sharpe",
    "sortino": "Sortino",
    "max_drawdown": "Max drawdown",
    "peak": "Peak",
    "trough": "Trough",
    "recovery": "Recovery",
    "hit_rate": "Hit rate",
    "tracking_error": "Tracking error",
    "information_ratio": "Information ratio",
    "nobs": L.NOBS.long,
}
PREMIUM = "Premium"
PREMIA = rng(
    "Optional factor premia E[f], annual when annualize is TRUE (else per period): labelled with factor names, "
    "or one per factor in order. Factors left out use their sample mean."
)


@excel_function(
    depends=FACTOR_DATA,
    dates=rng(DATES.doc, need="give the dates of the rows (the frequency and the drawdown dates)"),
    benchmark=rng(
        "Optional benchmark returns: one column in decimals, same rows as returns. Adds tracking error and "
        "information ratio."
    ),
    rf=rng(
        "Optional risk-free return per period: one column with the rows of returns, or one number. Omitted: the "
        "factors' RF column (models have one), else 0."
    ),
)
def FM_PERFORMANCE(returns, dates, benchmark=None, rf=None, factors=None, *, units="auto"):
    """Annual mean and mean excess over RF, volatility, Sharpe (hedged Sharpe with factors), Sortino, max drawdown
    with its dates, hit rate, tracking error and information ratio: one column per asset."""
    frame, bench, rf_series, regressors = _performance_inputs(returns, dates, benchmark, rf, factors)
    table = xf.performance(frame, bench, rf_series, factors=regressors, units=units)
    table = table[[c for c in FIGURES if c in table.columns]].rename(columns=FIGURES)
    shown = table.astype(object).where(table.notna(), None).T
    shown.columns = [str(c) for c in shown.columns]
    return Table(shown, "Figure")


def _performance_inputs(
    returns: Any, dates: Any, benchmark: Any, rf: Any, factors: Any
) -> tuple[pd.DataFrame, pd.Series | None, pd.Series | None, pd.DataFrame | None]:
    """Returns, benchmark, risk-free rate and factors (RF dropped) indexed by the dates of the rows.

    With a model name only the rows with factor data are kept (as in every FM_ function); the
    risk-free rate defaults to the factors' RF column when they have one.
    """
    model = convert.model_name(factors) is not None
    rf_number = _single_number(rf)
    ranges = {"returns": returns}
    given = {"benchmark": benchmark, "rf": None if rf_number is not None else rf, "factors": None if model else factors}
    ranges.update({k: v for k, v in given.items() if v is not None})
    cells = {k: convert.read_numbers(v, k, label="Asset" if k == "returns" else "Factor") for k, v in ranges.items()}
    when, cut = inputs.common_rows(dates, [(len(c.values), c.filled) for c in cells.values()])
    frame = pd.DataFrame(cells["returns"].values[:cut], columns=cells["returns"].labels)
    if len(frame) != len(when):
        raise XLFactorError(
            f"dates: {len(when)} rows but returns has {len(frame)}; select ranges with the same number of rows"
        )
    frame.index = when
    extra = {k: _column(inputs.factor_range(cells[k], when, cut), k) for k in ("benchmark", "rf") if k in cells}
    bench, rf_series = extra.get("benchmark"), extra.get("rf")
    if rf_number is not None:
        rf_series = pd.Series(rf_number, index=when)
    if factors is None:
        return frame, bench, _covering(rf_series, frame), None
    if model:
        found = inputs.model_data(factors, when)
        rows = found.rows
        frame, table = frame.iloc[rows], found.factors.set_axis(when[rows])
        bench = None if bench is None else bench.iloc[rows]
        rf_series = None if rf_series is None else rf_series.iloc[rows]
    else:
        table = inputs.factor_range(cells["factors"], when, cut)
    if rf_series is None and RF_COLUMN in table.columns:
        rf_series = table[RF_COLUMN]
    regressors = table.drop(columns=[RF_COLUMN], errors="ignore")
    if regressors.shape[1] == 0:
        raise XLFactorError("factors: no factor columns besides RF; give at least one factor")
    return frame, bench, _covering(rf_series, frame), regressors


def _covering(rf: pd.Series | None, frame: pd.DataFrame) -> pd.Series | None:
    """``rf`` when it has a value on every row with a return; a blank there raises (it is not a zero rate)."""
    if rf is None:
        return None
    gap = rf.isna().to_numpy() & frame.notna().any(axis=1).to_numpy()
    if gap.any():
        raise XLFactorError.at(
            "rf",
            f"no risk-free rate on {rf.index[gap.argmax()]:%Y-%m-%d} where returns has a value; "
            "fill every row of rf (0 for none)",
        )
    return rf


def _single_number(value: Any) -> float | None:
    """The number in a one-cell argument (a constant risk-free rate), else None."""
    if value is None:
        return None
    rows = convert.grid(value, "rf")
    if len(rows) == 1 and len(rows[0]) == 1 and convert.is_number(rows[0][0]):
        return float(rows[0][0])
    return None


def _column(frame: pd.DataFrame, arg: str) -> pd.Series:
    if frame.shape[1] != 1:
        raise XLFactorError(f"{arg}: give one column of returns, got {frame.shape[1]}")
    return frame.iloc[:, 0].rename(arg)


@excel_function(depends=FACTOR_DATA, premia=PREMIA, annualize=ALPHA_ANNUALIZE)
def FM_EXPECTED_RETURN(returns, factors, dates=None, premia=None, annualize=True, excess=True, *, units="auto"):
    """Expected return split E[r] = rf + alpha + sum of b_k E[f_k], one row per piece and one column per asset
    (premia: sample means unless given); last column the premium E[f] used. Annual with dates."""
    sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess, units=units))
    result = sample.regression
    split, used = expected_split(sample, result, premia, annualize, excess)
    labels = {RF_ROW: "Risk-free", ALPHA_ROW: "Alpha", TOTAL_ROW: "Total E[r]"}
    table = split.assign(**{PREMIUM: used.reindex(split.index)}).rename(index=labels)
    return Table(table, "Component")


def expected_split(
    sample: Sample, result: RegressionResult, premia: Any, annualize: bool, excess: bool
) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`xlfactor.expected_return` of a regression (annual with ``annualize``) and the premia it used,
    in the same units. ``premia`` (raw cells) are in those units too; factors it leaves out take their
    sample mean over the regression's dates."""
    scale = inputs.need_frequency(sample.periods_per_year) if annualize else 1
    names = list(result.factor_names)
    per_period = sample.factors.loc[result.dates, names].mean()
    if premia is not None:
        given = inputs.factor_values(premia, pd.Index(names), "premia", what="premia")
        per_period[given.index] = given.to_numpy() / scale
    split = xf.expected_return(result, rf=sample.rf(excess), premia=per_period, annualize=annualize)
    return split, per_period * scale
