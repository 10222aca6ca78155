"""Scenario stress tests and parametric VaR / expected shortfall from a factor risk model.

Both assume factor returns (and specific returns) with mean zero over the horizon:
a stress scenario moves the factors and lets specific returns be 0; VaR and ES
are those of a normal P&L with mean 0 and the model's volatility.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import fraction, positive_number
from xlfactor.models.covariance import check_nonsingular
from xlfactor.models.risk_model import FactorRiskModel, Weights
from xlfactor.models.units import MAX_GROSS, check_shock_floor


@dataclass(frozen=True)
class StressResult:
    """P&L of a portfolio in a factor scenario.

    Attributes
    ----------
    factor_moves : Series
        Per factor, its return in the scenario: the shock where given, else the
        implied move ``E[f_o | f_s = s]``.
    shocked : Series of bool
        Per factor, True where the move was given, False where implied.
    exposures : Series
        Portfolio exposures ``x = B'w``.
    pnl_by_factor : Series
        ``x_k f_k`` per factor.
    pnl : float
        Total ``x' f`` (the sum of ``pnl_by_factor``; specific returns are 0).
    by_factor : DataFrame
        Index factors; columns ``move``, ``shocked``, ``exposure``, ``pnl``.
    by_asset : DataFrame
        Index assets; columns ``weight``, ``return`` (``(B f)_i``) and ``pnl``
        (``w_i (B f)_i``); ``pnl`` sums to the total.
    active : bool
        True when a benchmark was given (P&L of the active weights).

    Units: moves are returns over the scenario (decimals); P&L is in the units of
    the weights (fraction of capital, or currency for currency weights).
    """

    factor_moves: pd.Series
    shocked: pd.Series
    exposures: pd.Series
    pnl_by_factor: pd.Series
    pnl: float
    by_factor: pd.DataFrame
    by_asset: pd.DataFrame
    active: bool


@dataclass(frozen=True)
class VaRResult:
    """Parametric (normal, zero-mean) value at risk and expected shortfall.

    Attributes
    ----------
    var : float
        ``z_c sigma_h``, a positive loss, in the units of the weights.
    es : float
        ``sigma_h phi(z_c) / (1 - c)``, the mean loss beyond the VaR.
    vol : float
        ``sigma_h``, the P&L volatility over the horizon.
    z : float
        ``z_c``, the standard normal quantile at ``confidence``.
    confidence, horizon : float
        As given (horizon in data periods).
    periods_per_year : int
        The model's data frequency (so ``horizon / periods_per_year`` is in years).
    by_factor : DataFrame
        Index factors + ``"Specific"``; columns ``var`` and ``es``: the Euler
        contributions of ``PortfolioRisk.by_factor`` scaled to VaR and ES; each
        column sums to the total.
    active : bool
        True when a benchmark was given.
    """

    var: float
    es: float
    vol: float
    z: float
    confidence: float
    horizon: float
    periods_per_year: int
    by_factor: pd.DataFrame
    active: bool


def stress(
    model: FactorRiskModel,
    weights: Weights,
    shocks: Mapping[str, float] | pd.Series,
    *,
    benchmark: Weights | None = None,
    max_gross: float | None = MAX_GROSS,
) -> StressResult:
    """Portfolio P&L when some factors move by given amounts and the rest follow.

    Factors not shocked move by their conditional expectation given the shocked
    ones under a zero-mean joint normal with covariance ``F``:
    ``E[f_o | f_s = s] = F_os F_ss^-1 s``. (The ratio is unchanged by annualising
    ``F``, so the model's units do not matter.) With the full move vector ``f``,
    ``P&L = x' f`` with ``x = B'w``, by factor ``x_k f_k`` and by asset
    ``w_i (B f)_i``.

    Parameters
    ----------
    model : FactorRiskModel
    weights, benchmark, max_gross
        As in :meth:`FactorRiskModel.portfolio_risk`.
    shocks : mapping or Series
        Factor name -> return over the scenario (decimals: -0.10 for -10%); a move at
        or below -100% is refused.

    Raises
    ------
    XLFactorError
        Empty shocks, unknown factor names, non-finite moves, moves at or below -100%,
        implausible weights (see ``max_gross``), or shocked factors whose covariance is
        singular (perfectly correlated or zero variance).
    """
    shocked, s = _check_shocks(shocks, model.factors)
    w = model.weight_vector(weights, benchmark, max_gross=max_gross)
    moves = np.zeros(len(model.factors))
    moves[shocked] = s
    others = ~shocked
    if others.any():
        f_ss = model.F[np.ix_(shocked, shocked)]
        check_nonsingular(f_ss, model.factors[shocked], "shocks", where=" in the model", fix="shock only one of them")
        moves[others] = model.F[np.ix_(others, shocked)] @ np.linalg.solve(f_ss, s)
    x = w @ model.B
    asset_returns = model.B @ moves
    pnl_k = x * moves
    factors = model.factors
    by_factor = pd.DataFrame({"move": moves, "shocked": shocked, "exposure": x, "pnl": pnl_k}, index=factors)
    by_asset = pd.DataFrame(
        np.column_stack((w, asset_returns, w * asset_returns)), index=model.assets, columns=["weight", "return", "pnl"]
    )
    return StressResult(
        factor_moves=pd.Series(moves, index=factors, name="move"),
        shocked=pd.Series(shocked, index=factors, name="shocked"),
        exposures=pd.Series(x, index=factors, name="exposure"),
        pnl_by_factor=pd.Series(pnl_k, index=factors, name="pnl"),
        pnl=float(pnl_k.sum()),
        by_factor=by_factor,
        by_asset=by_asset,
        active=benchmark is not None,
    )


def var_es(
    model: FactorRiskModel,
    weights: Weights,
    confidence: float = 0.99,
    horizon: float = 1,
    *,
    benchmark: Weights | None = None,
    max_gross: float | None = MAX_GROSS,
) -> VaRResult:
    """Parametric normal VaR and expected shortfall of a portfolio.

    ``sigma_h = sqrt(w' Sigma w * scale * horizon)`` where ``scale = 1 /
    periods_per_year`` for an annualised model (de-annualising to one data period)
    and 1 for a per-period model; ``horizon`` is in data periods (1 = one month for
    a monthly model, 10 = ten days for a daily one), scaled by square root of time.
    ``VaR = z_c sigma_h`` and ``ES = sigma_h phi(z_c) / (1 - c)`` with
    ``z_c = Phi^-1(c)``; both are positive losses and assume zero mean P&L.

    Parameters
    ----------
    model : FactorRiskModel
    weights, benchmark, max_gross
        As in :meth:`FactorRiskModel.portfolio_risk` (with a benchmark: active VaR).
    confidence : float
        In (0, 1), e.g. 0.99.
    horizon : float
        Positive number of data periods.

    Raises
    ------
    XLFactorError
        ``confidence`` outside (0, 1), non-positive horizon, bad weights.
    """
    c = fraction(confidence, "confidence", example="use e.g. 0.99 for 99%")
    h = positive_number(horizon, "horizon", "a positive number of data periods")
    risk = model.portfolio_risk(weights, benchmark, max_gross=max_gross)
    root = np.sqrt(model.per_period_scale * h)
    z = float(ndtri(c))
    es_factor = float(np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)) / (1.0 - c)
    contributions = risk.by_factor["contribution"].to_numpy() * root
    by_factor = pd.DataFrame(
        np.column_stack((z * contributions, es_factor * contributions)),
        index=risk.by_factor.index,
        columns=["var", "es"],
    )
    vol = risk.total_vol * root
    return VaRResult(
        var=z * vol,
        es=es_factor * vol,
        vol=vol,
        z=z,
        confidence=c,
        horizon=h,
        periods_per_year=model.periods_per_year,
        by_factor=by_factor,
        active=risk.active,
    )


def _check_shocks(shocks: Mapping[str, float] | pd.Series, factors: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Boolean mask of shocked factors (model order) and the shocks in that order."""
    if isinstance(shocks, Mapping):
        shocks = pd.Series(dict(shocks), dtype=object)
    if not isinstance(shocks, pd.Series) or shocks.empty:
        raise XLFactorError("shocks: give at least one factor move, e.g. {'Mkt-RF': -0.10}")
    if shocks.index.has_duplicates:
        raise XLFactorError(f"shocks: factors given twice {shocks.index[shocks.index.duplicated()].tolist()}")
    unknown = [str(k) for k in shocks.index if k not in factors]
    if unknown:
        raise XLFactorError(f"shocks: unknown factors {unknown}; the model's factors are {list(factors)}")
    try:
        values = shocks.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError("shocks: moves must be numbers (decimal returns)") from exc
    if not np.all(np.isfinite(values)):
        raise XLFactorError("shocks: moves must be finite numbers (decimal returns)")
    check_shock_floor(values, shocks.index)
    mask = factors.isin(shocks.index)
    return mask, shocks.reindex(factors[mask]).to_numpy(dtype=float)
