"""FM_ functions for portfolios held over time: bottom-up exposures and characteristic-adjusted returns.

A holdings history is a range with a header row (a corner cell, then the asset names) and one
row per date (the date, then each asset's weight; blank = not held). Exposures on date t are
``x_t = X_t' w_t``: fixed betas (a time-series regression, or a table), or the date's own
characteristics from a cross-sectional regression (FM_CHAR_ADJUSTED).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert, inputs
from xlfactor.excel.fm.cross_section import EXPOSURE_LAG, panel_regression, table_date
from xlfactor.excel.guard import excel_names
from xlfactor.excel.inputs import FACTOR_DATA, Fit
from xlfactor.excel.memo import NO_DATA
from xlfactor.excel.results import Table
from xlfactor.excel.specs import date, rng
from xlfactor.excel.udf import excel_function
from xlfactor.models.units import MAX_GROSS

HOLDINGS = rng(
    "Holdings history: a header row (corner cell, then asset names) and one row per date (the date, then each "
    "asset's weight; blank = not held)."
)


def _name(value: Any) -> str:
    """An asset or factor name cell as text (a whole number as written: 7203, not 7203.0)."""
    return str(int(value)) if convert.is_number(value) and float(value).is_integer() else str(value).strip()


def _labelled(value: Any, arg: str, what: str) -> tuple[list[Any], list[str], list[list[Any]]]:
    """Rows of a range with a header row and a label column: (labels down the side, header names, body rows)."""
    rows = convert.drop_blank_tail(convert.grid(value, arg), columns=True)
    if len(rows) < 2 or len(rows[0]) < 2:
        raise XLFactorError(f"{arg}: expected a header row ({what}) and at least one data row")
    names = [_name(v) for v in rows[0][1:]]
    if any(convert.is_blank(v) for v in rows[0][1:]):
        raise XLFactorError(f"{arg}: a header cell is blank; name every column ({what})")
    if len(set(names)) != len(names):
        raise XLFactorError(f"{arg}: the header repeats a name; give each column a distinct name")
    return [r[0] for r in rows[1:]], names, rows[1:]


def holdings_history(value: Any, arg: str = "holdings") -> pd.DataFrame:
    """A holdings history range as a dates x assets DataFrame of weights (blank -> 0, not held)."""
    labels, assets, body = _labelled(value, arg, "a corner cell, then asset names")
    dates = convert.excel_dates(labels, arg, lambda i: f"{arg}: row {i + 2}, column 1")
    if dates.has_duplicates:
        raise XLFactorError(f"{arg}: the date {dates[dates.duplicated()][0]:%Y-%m-%d} appears twice; one row per date")
    weights = convert.number_matrix([[None, *r[1:]] for r in body], arg, row_offset=1)[:, 1:]
    return pd.DataFrame(weights, index=dates, columns=assets).fillna(0.0)


def beta_table(value: Any, arg: str = "betas") -> pd.DataFrame:
    """An assets x factors range (asset names down the first column, factor names across the header)."""
    labels, factors, body = _labelled(value, arg, "a corner cell, then factor names")
    if any(convert.is_blank(v) for v in labels):
        raise XLFactorError(f"{arg}: an asset name (column 1) is blank; name every row")
    betas = convert.number_matrix([[None, *r[1:]] for r in body], arg, row_offset=1)[:, 1:]
    return pd.DataFrame(betas, index=[_name(v) for v in labels], columns=factors)


def _check_held(history: pd.DataFrame, assets: pd.Index, source: str) -> None:
    """Refuse held assets (a non-zero weight on some date) that ``source`` has no exposures for."""
    held = history.columns[(history != 0).any().to_numpy()]
    unknown = [a for a in held if a not in assets]
    if unknown:
        listed = ", ".join(map(str, assets[:12])) + (", ..." if len(assets) > 12 else "")
        raise XLFactorError(
            f"holdings: held asset(s) {', '.join(map(repr, unknown[:5]))} are not among the {source} ({listed}); "
            "match the names or set their weights to 0"
        )


@excel_function(
    depends=FACTOR_DATA,
    holdings=HOLDINGS,
    betas=rng(
        "Optional, instead of returns and factors: asset betas, asset names down the first column and factor "
        "names across the header row."
    ),
)
def FM_HOLDINGS_EXPOSURES(
    holdings, returns=None, factors=None, dates=None, betas=None, excess=True, *, max_gross=MAX_GROSS, units="auto"
):
    """Bottom-up factor exposures of a portfolio held over time: w_t' beta on each date of the holdings, betas from
    a regression of returns on factors or given as a table."""
    history = holdings_history(holdings)
    if betas is not None:
        if returns is not None:
            raise XLFactorError("betas: give either betas or returns and factors, not both")
        table = beta_table(betas)
        source = "betas' assets"
    elif returns is None or factors is None:
        raise XLFactorError("returns: give returns and factors to estimate the betas, or give the betas table")
    else:
        sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess, units=units))
        table = sample.regression.betas
        source = "returns' assets"
    _check_held(history, table.index, source)
    with excel_names({"weights_history": "holdings", "betas_or_result": "betas"}):
        return Table(xf.holdings_exposures(history, table, max_gross=max_gross), "Date")


@excel_function(
    depends=NO_DATA,
    as_of=date("Optional: the one date to compute with weights (a date of the table); blank: every date, the "
               "weights held fixed."),
    holdings=HOLDINGS,
    exposure_lag=EXPOSURE_LAG,
)  # fmt: skip
def FM_CHAR_ADJUSTED(
    data, weights=None, as_of=None, holdings=None, industry=None, cap=None, market=True, weight=None, exposure_lag=0,
    *, max_gross=MAX_GROSS, units="auto",
):  # fmt: skip
    """Characteristic-adjusted return: per date the portfolio's exposures w'X, actual return w'r, implied return
    (w'X)'f from the cross-sectional factor returns f, and adjusted = actual - implied (blank: no regression)."""
    if (weights is None) == (holdings is None):
        raise XLFactorError("weights: give the portfolio's weights (one date or fixed) or a holdings history, one")
    result = panel_regression(data, industry, cap, market, weight, exposure_lag, units=units)
    if holdings is None:
        w = inputs.weights_for(weights, result.returns.columns)
        if as_of is not None:
            day = table_date(as_of, result.factor_returns.index)
            return Table(xf.characteristic_adjusted_returns(result, w, day, max_gross=max_gross), "Date")
        estimated = result.factor_returns.index[result.rsquared.notna().to_numpy()]
        fixed = pd.DataFrame([w.to_numpy()] * len(estimated), index=estimated, columns=w.index)
        out = xf.characteristic_adjusted_returns(result, fixed, max_gross=max_gross)  # no regression: blank
        return Table(out.reindex(result.factor_returns.index), "Date")
    if as_of is not None:
        raise XLFactorError("as_of: only used with weights; a holdings history already has one row per date")
    history = holdings_history(holdings)
    for day in history.index:
        table_date(day, result.factor_returns.index, "holdings")
    _check_held(history, result.returns.columns, "table's assets")
    with excel_names({"weights": "holdings"}):
        return Table(xf.characteristic_adjusted_returns(result, history, max_gross=max_gross), "Date")
