"""Expected returns from a factor model and the P&L they imply for a sized position.

The split of :func:`expected_return` is ``E[r] = rf + alpha + sum_k b_k E[f_k]`` (the time-series
regression ``r - rf = alpha + b' f + e`` taken in expectation); :func:`position_pnl` multiplies
its pieces by the capital that :func:`xlfactor.position_size` allows.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import day, listed
from xlfactor.models.hedging import PositionSize
from xlfactor.models.units import check_annual_premium

if TYPE_CHECKING:
    from xlfactor.models.regression import RegressionResult

RF_ROW, ALPHA_ROW, TOTAL_ROW = "rf", "alpha", "total"


def expected_return(
    result: RegressionResult,
    factors: pd.DataFrame | None = None,
    *,
    rf: pd.Series | float | None = None,
    premia: pd.Series | Mapping[str, float] | None = None,
    annualize: bool = True,
) -> pd.DataFrame:
    """Expected return of each asset split into risk-free rate, alpha and factor premia.

    .. math:: E[r_n] = rf + \\alpha_n + \\sum_k b_{nk} E[f_k]

    with ``alpha`` and ``b`` from ``result`` (a regression of excess returns when ``rf`` was
    used). ``E[f_k]`` defaults to the sample mean of factor k over the regression's dates
    (``result.dates``); then, for an asset with a return on every one of those dates, the total
    equals its sample mean return exactly. With ``annualize`` every piece is multiplied by
    ``result.periods_per_year`` (arithmetic annualisation, like ``alpha_annualized``).

    Parameters
    ----------
    result : RegressionResult
    factors : DataFrame, optional
        Factor returns by date with ``result.factor_names`` as columns; needed unless ``premia``
        is given.
    rf : Series or number, optional
        Risk-free return per period: a Series by date (its mean over ``result.dates`` is used) or
        one number. Omitted: the ``rf`` row is 0 and the total is the expected excess return.
    premia : Series or mapping factor -> number, optional
        ``E[f_k]`` per period (the data's frequency, not annual), one for every factor of
        ``result``; overrides the sample means. A premium above 100% a year (either sign) is
        refused as percent (:func:`xlfactor.models.units.check_annual_premium`).
    annualize : bool
        Multiply by the periods per year (default True).

    Returns
    -------
    DataFrame
        Rows ``rf``, ``alpha``, each factor name (``b_k E[f_k]``) and ``total``; one column per
        asset.

    Raises
    ------
    XLFactorError
        Neither ``factors`` nor ``premia``; a factor missing from either; ``rf`` not covering
        the regression's dates; non-numeric values.
    """
    names = list(result.factor_names)
    if premia is not None:
        mean_f = _premia(premia, names)
        check_annual_premium(mean_f.to_numpy(), names, "premia", result.periods_per_year or 1)
    else:
        mean_f = _sample_means(factors, result.dates, names)
    rf_mean = _rf_mean(rf, result.dates)
    pieces = result.betas[names] * mean_f.to_numpy()
    table = pd.concat(
        [
            pd.DataFrame({RF_ROW: rf_mean, ALPHA_ROW: result.alpha}, index=result.assets),
            pieces,
        ],
        axis=1,
    ).T
    table.loc[TOTAL_ROW] = table.sum()
    table.columns.name = None
    return table * (result.periods_per_year if annualize else 1)


def position_pnl(size: PositionSize, alpha: float, factor_premium: float) -> pd.DataFrame:
    """Expected and risk-adjusted P&L per year of a position sized by :func:`xlfactor.position_size`.

    With capital ``x`` (currency), annual ``alpha`` and annual factor premium ``b' E[f]``
    (e.g. the ``alpha`` row and the sum of the factor rows of :func:`expected_return`):

    * unhedged (capital ``x_u``): expected P&L ``x_u (b' E[f] + alpha)``, risk-adjusted ``x_u alpha``;
    * hedged (capital ``x_h``, factor exposure hedged away): expected P&L ``x_h alpha`` (the hedge
      gives up the factor premium), risk-adjusted ``x_h alpha``.

    The risk-adjusted P&L is what the position earns beyond the premium of the factor risk it
    takes. Excess of the risk-free rate: financing is not included.

    Returns
    -------
    DataFrame
        Rows ``unhedged``, ``hedged``; columns ``capital``, ``expected_pnl``,
        ``risk_adjusted_pnl``. The hedged row is NaN when ``size`` has no hedged capital.

    Raises
    ------
    XLFactorError
        ``size`` not a PositionSize; ``alpha`` or ``factor_premium`` not a finite number.
    """
    if not isinstance(size, PositionSize):
        raise XLFactorError.at("size", "expected the PositionSize returned by position_size(...)")
    a = _number(alpha, "alpha")
    premium = _number(factor_premium, "factor_premium")
    x_u = size.capital_unhedged
    x_h = np.nan if size.capital_hedged is None else size.capital_hedged
    return pd.DataFrame(
        {
            "capital": [x_u, x_h],
            "expected_pnl": [x_u * (premium + a), x_h * a],
            "risk_adjusted_pnl": [x_u * a, x_h * a],
        },
        index=["unhedged", "hedged"],
    )


def _number(value: object, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)):
        raise XLFactorError.at(name, f"expected an annual return as a decimal number (0.02 for 2%), got {value!r}")
    return float(value)


def _premia(premia: object, names: list) -> pd.Series:
    if isinstance(premia, Mapping):
        premia = pd.Series(premia, dtype=object)
    if not isinstance(premia, pd.Series):
        raise XLFactorError.at("premia", "expected a Series or mapping factor -> expected return per period")
    missing = [n for n in names if n not in premia.index]
    if missing:
        raise XLFactorError.at(
            "premia", f"no premium for factor(s) {listed(missing)}; give one per factor of the regression"
        )
    try:
        out = premia[names].astype(float)
    except (TypeError, ValueError):
        raise XLFactorError.at("premia", "values must be numbers (decimal returns per period)") from None
    if not np.isfinite(out.to_numpy()).all():
        raise XLFactorError.at("premia", "values must be finite numbers (decimal returns per period)")
    return out


def _sample_means(factors: object, dates: pd.Index, names: list) -> pd.Series:
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError.at("factors", "expected a DataFrame of factor returns (or give premia)")
    missing = [n for n in names if n not in factors.columns]
    if missing:
        raise XLFactorError.at("factors", f"missing the regression's factor columns {listed(missing)}")
    sample = factors.reindex(dates)[names]
    try:
        sample = sample.astype(float)
    except (TypeError, ValueError):
        raise XLFactorError.at("factors", "values must be numbers") from None
    if sample.isna().any().any():
        raise XLFactorError.at("factors", "missing values on the regression's dates; pass the factors given to regress")
    return sample.mean()


def _rf_mean(rf: object, dates: pd.Index) -> float:
    if rf is None:
        return 0.0
    if isinstance(rf, numbers.Real) and not isinstance(rf, (bool, np.bool_)):
        if not np.isfinite(float(rf)):
            raise XLFactorError.at("rf", f"expected a finite risk-free return per period, got {rf!r}")
        return float(rf)
    if isinstance(rf, pd.DataFrame) and rf.shape[1] == 1:
        rf = rf.iloc[:, 0]
    if not isinstance(rf, pd.Series):
        raise XLFactorError.at("rf", "expected a Series of risk-free returns by date or one number per period")
    try:
        values = rf.reindex(dates).astype(float)
    except (TypeError, ValueError):
        raise XLFactorError.at("rf", "values must be numbers") from None
    if values.isna().any():
        raise XLFactorError.at(
            "rf",
            f"no risk-free rate on {day(values.index[values.isna().argmax()])}; "
            "rf must cover the regression's dates, e.g. rf=factors['RF']",
        )
    return float(values.mean())
