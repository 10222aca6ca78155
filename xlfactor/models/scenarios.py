"""Scenario stress tests and VaR / expected shortfall from a factor risk model.

A stress scenario moves the factors and lets specific returns be 0. VaR and ES
come by one of three methods (:func:`var_es`): parametric (normal P&L with mean 0
and the model's volatility), historical simulation (today's exposures applied to
the factor returns the model was estimated on, plus a normal specific term) and
Cornish-Fisher (the parametric quantile corrected for the skewness and excess
kurtosis of that historical P&L).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import fraction, listed
from xlfactor.models.covariance import check_nonsingular
from xlfactor.models.frequency import horizon_periods
from xlfactor.models.risk_model import FactorRiskModel, Weights, model_history
from xlfactor.models.units import MAX_GROSS, check_shock_floor

VaRMethod = Literal["parametric", "historical", "cornish_fisher"]
VAR_METHODS = ("parametric", "historical", "cornish_fisher")


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

    __repr__ = short_repr

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
    """Value at risk and expected shortfall of a portfolio (see :func:`var_es` for the methods).

    Attributes
    ----------
    var : float
        The loss exceeded with probability ``1 - c`` over the horizon (positive =
        loss), in the units of the weights.
    es : float
        The mean loss beyond the VaR.
    vol : float
        ``sigma_h``, the model's P&L volatility over the horizon.
    z : float
        ``var / vol``: the normal quantile ``z_c`` for the parametric method.
    confidence, horizon : float
        As given (horizon in data periods; a named horizon converted).
    periods_per_year : int or None
        The model's data frequency (so ``horizon / periods_per_year`` is in years); None if unknown.
    by_factor : DataFrame
        Index factors + ``"Specific"``; columns ``var`` and ``es``: Euler contributions,
        each column summing to the total. Parametric: the volatility shares of
        ``PortfolioRisk.by_factor`` scaled to VaR and ES (the exact Euler allocation of a
        normal P&L). Historical: the exact Euler allocation of the simulated P&L, ``ES_k =
        -E[L_k | L <= q]`` and ``VaR_k = -E[L_k | L = q]`` for each factor's P&L ``L_k = x_k f_k``
        and the specific term (formulas in :func:`var_es`). Cornish-Fisher: its totals
        allocated by volatility shares (the expansion has no per-factor form).
    active : bool
        True when a benchmark was given.
    method : str
        ``"parametric"``, ``"historical"`` or ``"cornish_fisher"``.
    skew, excess_kurtosis : float
        Of the one-period historical P&L (factor part plus the normal specific
        term); NaN for the parametric method.
    observations : int
        Historical periods used (0 for the parametric method).
    """

    __repr__ = short_repr

    var: float
    es: float
    vol: float
    z: float
    confidence: float
    horizon: float
    periods_per_year: int | None
    by_factor: pd.DataFrame
    active: bool
    method: str = "parametric"
    skew: float = float("nan")
    excess_kurtosis: float = float("nan")
    observations: int = 0


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
    horizon: float | str = 1,
    *,
    benchmark: Weights | None = None,
    method: VaRMethod = "parametric",
    factors: pd.DataFrame | None = None,
    max_gross: float | None = MAX_GROSS,
) -> VaRResult:
    """VaR and expected shortfall of a portfolio: parametric, historical or Cornish-Fisher.

    Notation: ``x = B'w`` (``w - w_b`` with a benchmark), ``sigma^2 = (x'Fx + w'Dw) *
    scale`` the model's one-period variance (``scale = 1 / periods_per_year`` for an
    annualised model, 1 for a per-period one), ``s^2 = w'Dw * scale`` its specific
    part, ``c`` the confidence, ``a = 1 - c``, ``h`` the horizon in data periods.
    VaR and ES are positive losses; ``phi``/``Phi`` the standard normal density/cdf.

    ``"parametric"``: zero-mean normal P&L. ``sigma_h = sigma sqrt(h)``,
    ``VaR = z_c sigma_h``, ``ES = sigma_h phi(z_c) / a`` with ``z_c = Phi^-1(c)``.

    ``"historical"``: historical simulation. Today's exposures are applied to every
    historical factor-return vector, ``p_t = x' f_t`` (t = 1..T), and the specific
    part is added as an independent NORMAL term with the model's specific variance
    ``s^2`` (not from the residual history: the model keeps no residual series,
    and the normal term makes the result exact, with no sampling noise). The
    one-period P&L is then the mixture ``L = p_T* + e``, ``e ~ N(0, s^2)``,
    ``P(L <= q) = (1/T) sum_t Phi((q - p_t) / s)``; ``q`` solves ``P(L <= q) = a``
    and ``VaR_1 = -q``; ``ES_1 = -(1/(aT)) sum_t [p_t Phi(u_t) - s phi(u_t)]``
    with ``u_t = (q - p_t) / s``, the exact tail mean of the mixture.

    One quantile convention at every level of specific risk: the quantile of that mixture.
    When ``s = 0``, or ``s`` is so small that the normal term cannot move any ``p_t`` past
    its neighbour in double precision (``40 s`` below the smallest gap between distinct
    ``p_t``), the mixture is the empirical distribution of ``p_t`` and its quantile is the
    limit as ``s -> 0``: with ``p_(1) <= ... <= p_(T)``, ``n = aT`` and ``k = floor(n)``,
    ``q = p_(k+1)`` when ``n`` is not whole and ``q = (p_(k) + p_(k+1)) / 2`` when it is
    (numpy's ``method="averaged_inverted_cdf"``, Hyndman-Fan type 2), and
    ``ES_1 = -(sum_{t<=k} p_(t) + (n - k) p_(k+1)) / n`` (the tail mean with the fractional
    weight on the quantile's own date, Acerbi-Tasche). So ``s = 0`` and ``s = 1e-17``
    give the same VaR and ES.

    Euler contributions (historical): with each factor's P&L ``L_k,t = x_k f_k,t`` and the
    specific term ``e``, ``ES_k = -(1/(aT)) sum_t L_k,t Phi(u_t)``,
    ``ES_specific = (1/(aT)) sum_t s phi(u_t)``; ``VaR_k = -sum_t omega_t L_k,t``,
    ``VaR_specific = -sum_t omega_t (q - p_t)`` with ``omega_t = phi(u_t) / sum phi(u)``
    (the mean of each part given ``L = q``). In the ``s = 0`` limit: the tail weights above
    for ES (``ES_specific = 0``) and, for VaR, the date(s) the quantile sits on. Each sums
    to the total.

    Horizon: square-root-of-time,
    ``VaR = VaR_1 sqrt(h)``, ``ES = ES_1 sqrt(h)`` (not overlapping h-period sums,
    which would reuse each period h times and leave few independent tails).

    ``"cornish_fisher"``: the parametric quantile corrected for the skewness ``S``
    and excess kurtosis ``K`` of the one-period historical P&L above (``L``;
    population moments: ``S = m3 / m2^1.5``, ``K = m4 / m2^2 - 3`` with the central
    moments ``m2 = var(p) + s^2``, ``m3 = m3(p)``, ``m4 = m4(p) + 6 var(p) s^2 + 3 s^4``).
    For i.i.d. periods the h-period sum has ``S_h = S / sqrt(h)``, ``K_h = K / h``.
    With ``z = Phi^-1(a)`` (negative), the Cornish-Fisher quantile is
    ``q = z + (z^2 - 1) S_h/6 + (z^3 - 3z) K_h/24 - (2z^3 - 5z) S_h^2/36`` and
    ``VaR = -q sigma_h``. ``ES = -(sigma_h / a) int_0^a q(u) du``, in closed form
    with the truncated normal moments ``I0 = a``, ``I1 = -phi(z)``,
    ``I2 = a - z phi(z)``, ``I3 = -(z^2 + 2) phi(z)``:
    ``int q = I1 + (I2 - I0) S_h/6 + (I3 - 3 I1) K_h/24 - (2 I3 - 5 I1) S_h^2/36``.

    Parameters
    ----------
    model : FactorRiskModel
    weights, benchmark, max_gross
        As in :meth:`FactorRiskModel.portfolio_risk` (with a benchmark: active VaR).
    confidence : float
        In (0, 1), e.g. 0.99.
    horizon : float or str
        A positive number of data periods (1 = one month for a monthly model, 10 =
        ten days for a daily one) or a name, ``"daily"`` ... ``"annual"``
        (:func:`~xlfactor.models.frequency.horizon_periods`).
    method : {"parametric", "historical", "cornish_fisher"}
    factors : DataFrame, optional
        The factor-return history for the historical and Cornish-Fisher methods
        (per-period decimal returns at the model's frequency; columns must include
        the model's factors). Default: ``model.factor_returns``, the returns the
        model was estimated on (kept by :meth:`FactorRiskModel.from_regression`).

    Raises
    ------
    XLFactorError
        ``confidence`` outside (0, 1), a bad horizon, an unknown method, no factor
        history for the historical methods, a history shorter than ``1 / (1 - c)``
        periods, bad weights.
    """
    c = fraction(confidence, "confidence", example="use e.g. 0.99 for 99%")
    h = horizon_periods(horizon, model.periods_per_year)
    if method not in VAR_METHODS:
        raise XLFactorError.at("method", f"{method!r} is not one of {', '.join(VAR_METHODS)}")
    risk = model.portfolio_risk(weights, benchmark, max_gross=max_gross)
    root = np.sqrt(model.per_period_scale * h)
    vol = risk.total_vol * root
    a = 1.0 - c
    skew = kurt = float("nan")
    n_obs = 0
    if method == "parametric":
        z = float(ndtri(c))
        var, es = z * vol, vol * _normal_pdf(z) / a
    else:
        tail = a if method == "historical" else None  # Cornish-Fisher needs moments, not a tail sample
        parts = _historical_pnl(model, weights, benchmark, factors, tail, max_gross)
        pnl = parts.sum(axis=1)
        n_obs = len(pnl)
        s = np.sqrt(risk.specific_var * model.per_period_scale)
        skew, kurt = _mixture_moments(pnl, s)
        if method == "historical":
            var_parts, es_parts = _historical_var_es(parts, s, a)
            contributions = np.column_stack((var_parts, es_parts)) * np.sqrt(h)
            var, es = contributions.sum(axis=0)
        else:
            q, tail = _cornish_fisher(a, skew / np.sqrt(h), kurt / h)
            var, es = -q * vol, -tail * vol / a
    if method != "historical":
        shares = risk.by_factor["percent"].to_numpy() if risk.total_vol > 0 else np.zeros(len(risk.by_factor))
        contributions = np.column_stack((var * shares, es * shares))
    by_factor = pd.DataFrame(contributions, index=risk.by_factor.index, columns=["var", "es"])
    return VaRResult(
        var=float(var),
        es=float(es),
        vol=vol,
        z=float(var / vol) if vol > 0 else float("nan"),
        confidence=c,
        horizon=h,
        periods_per_year=model.periods_per_year,
        by_factor=by_factor,
        active=risk.active,
        method=method,
        skew=skew,
        excess_kurtosis=kurt,
        observations=n_obs,
    )


def _normal_pdf(z: float | np.ndarray) -> float | np.ndarray:
    return np.exp(-0.5 * np.square(z)) / np.sqrt(2.0 * np.pi)


def _historical_pnl(
    model: FactorRiskModel,
    weights: Weights,
    benchmark: Weights | None,
    factors: pd.DataFrame | None,
    tail: float | None,
    max_gross: float | None,
) -> np.ndarray:
    """Each factor's P&L ``x_k f_k,t`` over the factor history (dates x factors; ``p_t`` is the row sum); with
    ``tail`` (historical simulation, which reads the quantile off the sample) the history must hold at least one
    period in it. Cornish-Fisher only needs the history's moments."""
    history = model_history(model, factors, "historical VaR")
    if tail is not None and len(history) * tail < 1:
        raise XLFactorError.at(
            "factors",
            f"{len(history)} periods hold no {tail:.2%} tail; give at least "
            f"{int(np.ceil(1 / tail))} periods or a lower confidence",
        )
    x = model.weight_vector(weights, benchmark, max_gross=max_gross) @ model.B
    return history.to_numpy() * x


def _mixture_moments(pnl: np.ndarray, s: float) -> tuple[float, float]:
    """Skewness and excess kurtosis of ``p + e`` with ``e ~ N(0, s^2)`` independent of ``p``."""
    d = pnl - pnl.mean()
    m2p, m3, m4p = (np.mean(d**k) for k in (2, 3, 4))
    m2 = m2p + s * s
    if m2 <= 0:
        return float("nan"), float("nan")
    m4 = m4p + 6.0 * m2p * s * s + 3.0 * s**4
    return float(m3 / m2**1.5), float(m4 / m2**2 - 3.0)


def _historical_var_es(parts: np.ndarray, s: float, a: float) -> tuple[np.ndarray, np.ndarray]:
    """Euler contributions (factors, then specific) to the one-period VaR and ES of the mixture ``p_t + N(0, s^2)``,
    ``p_t`` the row sums of ``parts``; the empirical limit when ``s`` is negligible (see :func:`var_es`)."""
    pnl = parts.sum(axis=1)
    distinct = np.diff(np.unique(pnl))
    if s <= 0 or 40.0 * s < distinct.min(initial=np.inf):
        return _empirical_var_es(parts, pnl, a)
    lo, hi = pnl.min() - 10.0 * s, pnl.max() + 10.0 * s
    q = brentq(lambda v: float(ndtr((v - pnl) / s).mean()) - a, lo, hi, xtol=1e-15 * max(1.0, abs(hi)), rtol=1e-14)
    u = (q - pnl) / s
    n = a * len(pnl)
    es = np.append(-(ndtr(u) @ parts), s * _normal_pdf(u).sum()) / n
    density = np.exp(-0.5 * (u * u - np.min(u * u)))  # proportional to phi(u_t), without underflow
    omega = density / density.sum()
    var = -np.append(omega @ parts, omega @ (q - pnl))
    return var, es


def _empirical_var_es(parts: np.ndarray, pnl: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``s -> 0`` limit: averaged inverted-CDF quantile and the Acerbi-Tasche tail mean, by part."""
    order = np.argsort(pnl, kind="stable")
    ranked = parts[order]
    n = a * len(pnl)
    whole = abs(n - round(n)) <= 1e-9 * n
    k = round(n) if whole else int(np.floor(n))
    weights = np.zeros(len(pnl))
    weights[:k] = 1.0
    if whole:
        var = -(ranked[k - 1] + ranked[k]) / 2.0
    else:
        weights[k] = n - k
        var = -ranked[k]
    es = -(weights @ ranked) / n
    return np.append(var, 0.0), np.append(es, 0.0)


def _cornish_fisher(a: float, skew: float, kurt: float) -> tuple[float, float]:
    """Cornish-Fisher quantile at ``a`` and the integral of the quantile function over ``(0, a)``."""
    z = float(ndtri(a))
    pdf = float(_normal_pdf(z))
    q = z + (z * z - 1) * skew / 6 + (z**3 - 3 * z) * kurt / 24 - (2 * z**3 - 5 * z) * skew * skew / 36
    i0, i1, i2, i3 = a, -pdf, a - z * pdf, -(z * z + 2) * pdf
    tail = i1 + (i2 - i0) * skew / 6 + (i3 - 3 * i1) * kurt / 24 - (2 * i3 - 5 * i1) * skew * skew / 36
    return q, tail


def _check_shocks(shocks: Mapping[str, float] | pd.Series, factors: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Boolean mask of shocked factors (model order) and the shocks in that order."""
    if isinstance(shocks, Mapping):
        shocks = pd.Series(dict(shocks), dtype=object)
    if not isinstance(shocks, pd.Series) or shocks.empty:
        raise XLFactorError.at("shocks", "give at least one factor move, e.g. {'Mkt-RF': -0.10}")
    if shocks.index.has_duplicates:
        raise XLFactorError.at("shocks", f"factors given twice: {listed(shocks.index[shocks.index.duplicated()])}")
    unknown = [str(k) for k in shocks.index if k not in factors]
    if unknown:
        raise XLFactorError.at(
            "shocks", f"unknown factors {listed(unknown)}; the model's factors are {listed(factors, 20)}"
        )
    try:
        values = shocks.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at("shocks", "moves must be numbers (decimal returns)") from exc
    if not np.all(np.isfinite(values)):
        raise XLFactorError.at("shocks", "moves must be finite numbers (decimal returns)")
    check_shock_floor(values, shocks.index)
    mask = factors.isin(shocks.index)
    return mask, shocks.reindex(factors[mask]).to_numpy(dtype=float)
