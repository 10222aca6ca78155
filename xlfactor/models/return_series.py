"""Return series from a time-series regression: residual (specific) returns and cumulation.

With the fit ``r_t = alpha + beta' f_t + e_t`` of :func:`xlfactor.regress`, a return splits into

* the tracking return ``beta' f_t`` (:func:`xlfactor.tracking_portfolio`),
* the hedged return ``r_t - beta' f_t = alpha + e_t`` (:func:`xlfactor.hedged_returns`),
* the residual (specific) return ``e_t = r_t - alpha - beta' f_t`` (:func:`residual_returns`).

:func:`excess_returns` gives ``r_t - rf_t``; :func:`cumulative_returns` turns any of these series into a
cumulative one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import numeric_frame
from xlfactor.models.hedging import hedged_returns
from xlfactor.models.units import check_not_percent

if TYPE_CHECKING:
    from xlfactor.models.regression import RegressionResult

CUMULATION = ("compound", "sum")


def residual_returns(
    result: RegressionResult, returns: pd.Series | pd.DataFrame, factors: pd.DataFrame
) -> pd.DataFrame:
    """Residual (specific) return series ``e_t = r_t - alpha - beta' f_t`` per asset.

    On the regression's own sample and returns this equals ``result.resid``; on other dates
    (e.g. after the estimation window) it is the out-of-sample specific return. It is
    :func:`xlfactor.hedged_returns` minus the alpha, so its mean over the regression sample is 0.

    Parameters
    ----------
    result : RegressionResult
        Supplies ``alpha`` and ``betas``.
    returns : Series or DataFrame
        Dates x assets, as given to :func:`xlfactor.regress` (excess returns if ``rf`` was used).
    factors : DataFrame
        Contains ``result.factor_names``; rows are matched by date (intersection).

    Returns
    -------
    DataFrame
        Dates x assets; NaN where a return or a factor is missing.
    """
    hedged = hedged_returns(result, returns, factors)
    return hedged - result.alpha[hedged.columns].to_numpy()


def excess_returns(
    returns: pd.Series | pd.DataFrame, rf: pd.Series | None, *, cumulative: str | None = None
) -> pd.Series | pd.DataFrame:
    """Excess return series ``x_t = r_t - rf_t`` per column, optionally cumulated.

    ``cumulative``: None (per period), ``"compound"`` (``prod_{s <= t} (1 + x_s) - 1``, the growth of a
    unit invested and financed at the risk-free rate, rebalanced each period) or ``"sum"``
    (``sum_{s <= t} x_s``), as :func:`cumulative_returns`.

    Raises
    ------
    XLFactorError
        No ``rf``; ``rf`` missing on a date where some column has a return; returns or ``rf`` not
        numeric or in percent (:func:`xlfactor.models.units.check_not_percent`); a bad ``cumulative``.
    """
    if rf is None:
        raise XLFactorError.at("rf", "required; give the risk-free return per period (e.g. the factors' RF column)")
    if not isinstance(returns, (pd.Series, pd.DataFrame)) or not isinstance(rf, pd.Series):
        raise XLFactorError("returns/rf: expected pandas returns and a Series of risk-free returns, indexed by date")
    r = numeric_frame(returns, "returns", "decimal returns")
    check_not_percent(r.to_numpy(), "returns")
    rate = numeric_frame(rf, "rf", "decimal returns").reindex(r.index)
    check_not_percent(rate.to_numpy(), "rf")
    present = r.notna() if isinstance(r, pd.Series) else r.notna().any(axis=1)
    gap = present & rate.isna()
    if gap.any():
        raise XLFactorError.at(
            "rf",
            f"no risk-free rate on {gap.index[gap.to_numpy().argmax()]} where returns has a value; rf must cover "
            "every date with a return",
        )
    excess = r.sub(rate, axis=0)
    return excess if cumulative is None else cumulative_returns(excess, cumulative)


def cumulative_returns(returns: pd.Series | pd.DataFrame, method: str = "compound") -> pd.Series | pd.DataFrame:
    """Cumulative return up to each date, per column.

    * ``"compound"``: ``C_t = prod_{s <= t} (1 + r_s) - 1`` (growth of one unit invested).
    * ``"sum"``: ``C_t = sum_{s <= t} r_s`` (additive P&L per unit, e.g. of log returns or of a
      hedged position rebalanced to a constant notional).

    Missing values are skipped (the cumulative return carries over them) and stay NaN in the output.

    Raises
    ------
    XLFactorError
        ``method`` not ``"compound"`` or ``"sum"``; returns not numeric or in percent
        (:func:`xlfactor.models.units.check_not_percent`).
    """
    if not isinstance(method, str) or method.lower() not in CUMULATION:
        raise XLFactorError.at("method", f"{method!r} is not one of {', '.join(CUMULATION)}")
    if not isinstance(returns, (pd.Series, pd.DataFrame)):
        raise XLFactorError.at("returns", "expected a pandas Series or DataFrame of returns indexed by date")
    r = numeric_frame(returns, "returns", "decimal returns")
    check_not_percent(r.to_numpy(), "returns")
    if method.lower() == "sum":
        return r.cumsum()
    return (1.0 + r).cumprod() - 1.0
