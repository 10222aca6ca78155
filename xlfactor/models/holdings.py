"""Bottom-up portfolio exposures from holdings, and characteristic-adjusted returns.

A holdings history is a DataFrame of weights, dates x assets (fractions of capital; NaN or an
absent asset means not held). Its exposures on date t are ``x_t = X_t' w_t`` (``w_t' X_t`` as a
row), with ``X_t`` the assets' exposures: fixed betas from a time-series regression or a risk
model, or the date's own exposures from a cross-sectional regression.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import day, listed
from xlfactor.models.cross_section.regression import CrossSectionResult, date_position
from xlfactor.models.regression import RegressionResult
from xlfactor.models.risk_model import FactorRiskModel
from xlfactor.models.units import MAX_GROSS, MAX_MAGNITUDE, check_max_gross, check_weight_history

#: Columns :func:`characteristic_adjusted_returns` adds after the exposures.
RETURN_COLUMNS = ["actual", "implied", "adjusted"]

Exposures = pd.DataFrame | RegressionResult | FactorRiskModel | CrossSectionResult


def holdings_exposures(
    holdings: pd.DataFrame, betas_or_result: Exposures, *, max_gross: float | None = MAX_GROSS
) -> pd.DataFrame:
    """Portfolio factor exposures ``x_t = sum_n w_{tn} X_{tn}`` on every date of a holdings history.

    Parameters
    ----------
    holdings : DataFrame
        Dates x assets weights; NaN = not held (weight 0).
    betas_or_result : DataFrame, RegressionResult, FactorRiskModel or CrossSectionResult
        The asset exposures: a DataFrame assets x factors, a regression's ``betas``, a risk model's
        ``exposures`` (all fixed over time), or a cross-sectional result, whose exposures ``X_t``
        of each date are used (the weights' dates must be dates of that result).
    max_gross : float or None
        Largest gross exposure ``sum_n |w_tn|`` of any date (default 2; None: no bound, weights in
        currency); see :mod:`xlfactor.models.units`.

    Returns
    -------
    DataFrame
        Dates x factors (the weights' dates, in their order).

    Raises
    ------
    XLFactorError
        Weights not a numeric DataFrame, infinite or above 1e18 in size; a date whose gross
        exposure exceeds ``max_gross``; a held asset (non-zero weight) without exposures on a
        date; a date not in the cross-sectional result.
    """
    w = _weights(holdings, max_gross=max_gross)
    if isinstance(betas_or_result, CrossSectionResult):
        return _dated_exposures(w, betas_or_result)[0]
    betas = _static_betas(betas_or_result)
    unknown = [a for a in w.columns if a not in betas.index and (w[a] != 0).any()]
    if unknown:
        raise XLFactorError.at(
            "holdings", f"held asset(s) {listed(unknown)} have no exposures; drop them or add their betas"
        )
    b = betas.reindex(w.columns).fillna(0.0)
    return pd.DataFrame(w.to_numpy() @ b.to_numpy(), index=w.index, columns=betas.columns)


def characteristic_adjusted_returns(
    result: CrossSectionResult, weights: pd.Series | pd.DataFrame, date=None, *, max_gross: float | None = MAX_GROSS
) -> pd.DataFrame:
    """A portfolio's return split into its characteristic-implied part and the rest.

    On date t, with the cross-sectional factor returns ``f_t`` and exposures ``X_t`` of ``result``:

    .. math::
        x_t = X_t' w_t, \\quad implied_t = x_t' f_t, \\quad actual_t = w_t' r_t, \\quad
        adjusted_t = actual_t - implied_t = w_t' e_t

    (``e_t`` the regression residuals: the adjusted return is the portfolio's specific return).
    A factor with no return on the date (an empty industry) has zero exposure and adds nothing.

    Parameters
    ----------
    result : CrossSectionResult
    weights : Series (asset -> weight) or DataFrame (dates x assets)
        A Series is one portfolio: on ``date``, or on every date of ``result`` when ``date`` is
        omitted (weights held fixed). A DataFrame is a holdings history (NaN = not held).
    date : date, optional
        With Series weights: the one date to compute.
    max_gross : float or None
        As in :func:`holdings_exposures`.

    Returns
    -------
    DataFrame
        Dates x ``[*factor_names, "actual", "implied", "adjusted"]``: the exposures ``x_t`` then
        the three returns.

    Raises
    ------
    XLFactorError
        As :func:`holdings_exposures`, plus a held asset without a return on a date, and ``date``
        given with a DataFrame.
    """
    if not isinstance(result, CrossSectionResult):
        raise XLFactorError.at("result", "expected the CrossSectionResult of cross_sectional_regress(...)")
    if isinstance(weights, pd.Series):
        dates = (
            result.factor_returns.index
            if date is None
            else [result.factor_returns.index[date_position(result.factor_returns.index, date)]]
        )
        history = pd.DataFrame([weights.to_numpy()] * len(dates), index=pd.Index(dates), columns=weights.index)
    elif date is not None:
        raise XLFactorError.at("date", "only used with a Series of weights; a DataFrame already holds one row per date")
    else:
        history = weights
    w = _weights(history, "weights", max_gross)
    exposures, rows = _dated_exposures(w, result, "weights")
    f = result.factor_returns.to_numpy()[rows]
    implied = np.where(exposures.to_numpy() == 0, 0.0, exposures.to_numpy() * f).sum(axis=1)
    r = result.returns.reindex(columns=w.columns).to_numpy()[rows]
    actual = np.where(w.to_numpy() == 0, 0.0, w.to_numpy() * r).sum(axis=1)
    return exposures.assign(actual=actual, implied=implied, adjusted=actual - implied)


def _dated_exposures(w: pd.DataFrame, result: CrossSectionResult, arg: str = "holdings"):
    """``w_t' X_t`` per date of ``w`` (a DataFrame) and the rows of those dates in ``result``."""
    design = result.design
    index = result.factor_returns.index
    rows = index.get_indexer(w.index)
    if (rows < 0).any():
        missing = listed(w.index[rows < 0], 5)
        raise XLFactorError.at(
            arg,
            f"date(s) {missing} are not dates of the cross-sectional regression "
            f"({day(index[0])} to {day(index[-1])}); keep only its dates",
        )
    unknown = [a for a in w.columns if a not in design.assets and (w[a] != 0).any()]
    if unknown:
        raise XLFactorError.at(arg, f"held asset(s) {listed(unknown)} are not in the cross-sectional regression")
    cols = design.assets.get_indexer(w.columns)
    y = result.returns.to_numpy()
    out = np.zeros((len(w), len(design.factor_names)))
    for i, t in enumerate(rows):
        block = design.block(t, t + 1, y[t][None, :])
        x, valid = block.dense()[0], block.valid[0]
        held = np.flatnonzero(w.iloc[i].to_numpy() != 0)
        outside = [w.columns[j] for j in held if cols[j] < 0 or not valid[cols[j]]]
        if outside:
            raise XLFactorError.at(
                arg,
                f"on {day(index[t])} held asset(s) {listed(outside)} have no return or exposures in the "
                "regression; "
                "set their weight to 0 on that date",
            )
        out[i] = w.iloc[i].to_numpy()[held] @ x[cols[held]]
    return pd.DataFrame(out, index=w.index, columns=design.factor_names), rows


def _static_betas(source: object) -> pd.DataFrame:
    if isinstance(source, RegressionResult):
        return source.betas
    if isinstance(source, FactorRiskModel):
        return source.exposures
    if isinstance(source, pd.DataFrame):
        try:
            betas = source.astype(float)
        except (TypeError, ValueError):
            raise XLFactorError.at("betas_or_result", "the betas must be numbers (assets x factors)") from None
        if not np.isfinite(betas.to_numpy()).all():
            raise XLFactorError.at(
                "betas_or_result", "the betas have missing or infinite values; fill or drop those assets"
            )
        if (np.abs(betas.to_numpy()) > MAX_MAGNITUDE).any():
            raise XLFactorError.at(
                "betas_or_result",
                f"a beta is larger than {MAX_MAGNITUDE:.0e} in size, which no exposure can be; fix the value",
            )
        if betas.index.has_duplicates:
            raise XLFactorError.at("betas_or_result", "an asset appears more than once; keep one row per asset")
        return betas
    raise XLFactorError.at(
        "betas_or_result",
        "expected betas (DataFrame assets x factors), a RegressionResult, a FactorRiskModel or a CrossSectionResult",
    )


def _weights(history: object, arg: str = "holdings", max_gross: float | None = MAX_GROSS) -> pd.DataFrame:
    if not isinstance(history, pd.DataFrame) or history.empty:
        raise XLFactorError.at(arg, "expected a DataFrame of weights, dates x assets")
    if history.columns.has_duplicates:
        raise XLFactorError.at(arg, f"asset '{history.columns[history.columns.duplicated()][0]}' appears twice")
    try:
        w = history.astype(float)
    except (TypeError, ValueError):
        raise XLFactorError.at(arg, "contains non-numeric values; use weights (blank/NaN for missing)") from None
    check_weight_history(w.to_numpy(), w.index, w.columns, arg, check_max_gross(max_gross))
    return w.fillna(0.0)
