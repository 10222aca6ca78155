"""Hedges and position sizing: minimum-variance hedges, factor-share targets, portable alpha.

Sign convention for every hedge in this module: a hedge ratio or hedge position is the
amount of an instrument to SELL SHORT per unit of the target (a positive ratio of 0.9
on the market means: short 0.9 of the market for each 1 held of the target). The
hedged position is ``target - sum_j h_j instrument_j``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import fraction, listed, positive_number, whole_number
from xlfactor.models.covariance import check_nonsingular
from xlfactor.models.frequency import (
    PERIODS_PER_YEAR,
    horizon_code,
    horizon_periods,
    known_periods_per_year,
    maybe_periods_per_year,
)
from xlfactor.models.quadratic_program import bound_vectors, solve_bounded_qp
from xlfactor.models.risk_model import FactorRiskModel, Weights
from xlfactor.models.units import MAX_GROSS, check_magnitude, check_return_columns, check_units_argument

if TYPE_CHECKING:
    from xlfactor.models.regression import RegressionResult

_TARGET = "__target__"  # the target's column while it is joined with the instruments


@dataclass(frozen=True)
class HedgeResult:
    """Minimum-variance hedge of one target with one or more instruments.

    Attributes
    ----------
    ratios : Series
        ``h`` per instrument: amounts to SHORT per unit of the target.
    effectiveness : float
        ``1 - Var(hedged) / Var(target)`` (the OLS R^2 of target on instruments).
    residual_vol : float
        Per-period volatility of the hedged position, ``sqrt(SSR / (n - m - 1))``
        with ``m`` instruments (the OLS residual standard error).
    unhedged_vol : float
        Per-period sample volatility of the target (``ddof=1``).
    residual_vol_annualized, unhedged_vol_annualized : float or None
        The same times ``sqrt(periods_per_year)``; None when the frequency is unknown.
    hedged : Series
        The hedged return series ``t - I h`` on the estimation dates (its mean is
        kept: it is not a residual).
    nobs : int
        Number of dates used (complete rows of target and instruments).
    periods_per_year : int or None
        Data frequency (inferred from dates or given); None when unknown.
    binding : Series or None
        With bounds: per instrument ``"lower"`` or ``"upper"`` where that bound binds at the
        optimum, ``""`` where the ratio is inside its bounds; None when no bounds were given.
    """

    __repr__ = short_repr

    ratios: pd.Series
    effectiveness: float
    residual_vol: float
    unhedged_vol: float
    residual_vol_annualized: float | None
    unhedged_vol_annualized: float | None
    hedged: pd.Series
    nobs: int
    periods_per_year: int | None
    binding: pd.Series | None = None


@dataclass(frozen=True)
class RiskShareHedge:
    """Factor hedge that brings a portfolio's factor share of variance to a target.

    Attributes
    ----------
    hedge : Series
        Per factor, the amount of the factor-mimicking portfolio to SHORT
        (``(1 - scale) x``), in the units of the weights.
    scale : float
        ``c``: the hedged factor exposures are ``c x`` (without binding bounds).
    exposures_before, exposures_after : Series
        ``x = B'w`` and ``x - hedge`` (``c x`` without binding bounds).
    total_vol_before, total_vol_after, factor_vol_before, factor_vol_after, specific_vol : float
        Volatilities in the model's units (annual if the model is annualised);
        the specific volatility is unchanged by factor hedges.
    factor_share_before, factor_share_after, target_share : float
        Factor share of variance before and after hedging; ``factor_share_after``
        equals ``target_share`` (computed, not copied).
    active : bool
        True when a benchmark was given (all figures are active risk).
    binding : Series or None
        With bounds: per factor ``"lower"``/``"upper"`` where that bound on the hedge binds, ``""``
        where it does not; None when no bounds were given.
    """

    __repr__ = short_repr

    hedge: pd.Series
    scale: float
    exposures_before: pd.Series
    exposures_after: pd.Series
    total_vol_before: float
    total_vol_after: float
    factor_vol_before: float
    factor_vol_after: float
    specific_vol: float
    factor_share_before: float
    factor_share_after: float
    target_share: float
    active: bool
    binding: pd.Series | None = None


@dataclass(frozen=True)
class PositionSize:
    """Capital that a volatility budget allows, unhedged and factor-hedged.

    Attributes
    ----------
    capital_unhedged : float
        ``vol_budget / vol_unhedged``.
    capital_hedged : float or None
        ``vol_budget / vol_hedged``; None when no hedged volatility is known.
    vol_unhedged, vol_hedged : float or None
        Volatility per unit of capital over the horizon: total, and specific only
        (the position with its factor exposure hedged away).
    horizon : str
        ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"A"`` for a named horizon; for a
        horizon in data periods, e.g. ``"10 periods"``.
    vol_budget : float
        The budget, in currency per horizon (same unit as the capital).
    """

    __repr__ = short_repr

    capital_unhedged: float
    capital_hedged: float | None
    vol_unhedged: float
    vol_hedged: float | None
    horizon: str
    vol_budget: float


def hedge_ratios(
    target: pd.Series | pd.DataFrame,
    instruments: pd.Series | pd.DataFrame,
    *,
    periods_per_year: int | None = None,
    units: str = "auto",
    lower: object = None,
    upper: object = None,
) -> HedgeResult:
    """Minimum-variance hedge of ``target`` with one or many instruments, optionally within bounds.

    ``h = Cov(I)^-1 Cov(I, t)`` (sample covariances, ``ddof=1``): the ``h`` that
    minimises ``Var(t - I h)``; equal to the OLS slopes of ``t`` on ``I`` with an
    intercept. Positions are amounts to SHORT per unit of target.
    ``effectiveness = 1 - Var(t - I h) / Var(t)``.

    With bounds ``lower <= h <= upper`` the hedge minimises the same variance
    ``h' C_II h - 2 h' C_It + Var(t)`` over the box, solved exactly by the active-set method of
    :mod:`xlfactor.models.quadratic_program`; ``binding`` says which bounds bind (e.g. ``lower=0``
    for short-only hedges, ``upper=1`` for at most one unit sold per unit held).

    Parameters
    ----------
    target : Series or one-column DataFrame
        Returns of the position to hedge.
    instruments : Series or DataFrame
        Returns of the hedge instruments (one column each), aligned by index with
        ``target``; only dates where all are present are used.
    periods_per_year : int, optional
        For the annualised volatilities; inferred from a date index when omitted.
    units : {"auto", "decimal"}
        ``"auto"`` refuses returns that look like percent (:mod:`xlfactor.models.units`);
        ``"decimal"`` skips that test.
    lower, upper : number, sequence or Series, optional
        Bounds on the hedge ratios: one number for every instrument, one per instrument in order,
        or a Series labelled by instrument; None or NaN for no bound.

    Raises
    ------
    XLFactorError
        Fewer than ``m + 2`` common dates, a constant target, a constant or
        collinear instrument (singular instrument covariance), non-numeric data,
        values no return can take, percent-looking returns; bounds that are not
        numbers, of the wrong count, or crossed (upper below lower).
    """
    data = joined_returns(target, instruments, periods_per_year, units)
    values, inst, t, ppy = data.values, data.columns, data.target, data.periods_per_year
    n, m = values.shape[0], len(inst)
    cov = np.cov(values, rowvar=False, ddof=1)
    c_ii, c_it = cov[1:, 1:], cov[1:, 0]
    binding = None
    if lower is None and upper is None:
        h = np.linalg.solve(c_ii, c_it)
    else:
        lo, up = bound_vectors(lower, upper, inst, "instrument")
        solution = solve_bounded_qp(c_ii, c_it, lo, up)
        h, binding = solution.w, pd.Series(solution.binding, index=inst, name="binding")
    hedged = values[:, 0] - values[:, 1:] @ h
    var_hedged = float(np.var(hedged, ddof=1))
    residual_vol = float(np.sqrt(var_hedged * (n - 1) / (n - m - 1)))
    unhedged_vol = float(np.sqrt(cov[0, 0]))
    root = np.sqrt(ppy) if ppy else None
    return HedgeResult(
        ratios=pd.Series(h, index=inst, name=t),
        effectiveness=1.0 - var_hedged / cov[0, 0],
        residual_vol=residual_vol,
        unhedged_vol=unhedged_vol,
        residual_vol_annualized=residual_vol * root if root else None,
        unhedged_vol_annualized=unhedged_vol * root if root else None,
        hedged=pd.Series(hedged, index=data.index, name=t),
        nobs=n,
        periods_per_year=ppy,
        binding=binding,
    )


@dataclass(frozen=True)
class JoinedReturns:
    """A target's returns beside its instruments' on their common complete dates (checked).

    ``values`` (n, 1 + m): the target first; ``columns`` the instruments' names; ``target`` the
    target's name; ``index`` the dates; ``periods_per_year`` given or inferred (None if unknown).
    """

    values: np.ndarray
    columns: pd.Index
    target: object
    index: pd.Index
    periods_per_year: int | None


def joined_returns(
    target: pd.Series | pd.DataFrame,
    instruments: pd.Series | pd.DataFrame,
    periods_per_year: int | None,
    units: str,
    *,
    names: tuple[str, str, str] = ("target", "instruments", "instrument"),
) -> JoinedReturns:
    """``target`` and ``instruments`` on the dates where all are present, checked: numbers, the units rule
    (:mod:`xlfactor.models.units`), at least ``m + 2`` dates, nothing constant, a nonsingular instrument
    covariance. ``names`` are the arguments as the caller's user knows them (target, instruments, one
    instrument), for the messages."""
    arg_t, arg_i, one = names
    check_percent = check_units_argument(units)
    t = _as_series(target, arg_t)
    inst = instruments.to_frame() if isinstance(instruments, pd.Series) else instruments
    if not isinstance(inst, pd.DataFrame) or inst.shape[1] == 0:
        raise XLFactorError.at(arg_i, f"expected a Series or DataFrame of {one} returns")
    joined = pd.concat([t.rename(_TARGET), inst], axis=1, join="inner", sort=True)
    data = _numeric(joined, f"{arg_t}/{arg_i}", target=arg_t).dropna()
    n, m = len(data), inst.shape[1]
    if n < m + 2:
        raise XLFactorError(
            f"{arg_t}/{arg_i}: {n} common dates with no missing value; need at least {m + 2} for {m} {one}(s)"
        )
    values = data.to_numpy()
    if periods_per_year is not None:
        ppy = whole_number(periods_per_year, "periods_per_year", 1)
    else:
        ppy = maybe_periods_per_year(data.index)
    labels = pd.Index([arg_t if t.name is None else t.name, *inst.columns])
    where = f"{arg_t}/{arg_i}"
    check_return_columns(values, labels, where, index=data.index, periods_per_year=ppy, percent=check_percent)
    constant = np.ptp(values, axis=0) == 0
    if constant[0]:
        raise XLFactorError.at(arg_t, "the returns are constant; there is nothing to explain or hedge")
    if constant[1:].any():
        raise XLFactorError.at(arg_i, f"'{inst.columns[int(np.argmax(constant[1:]))]}' is constant; drop it")
    check_nonsingular(
        np.cov(values[:, 1:], rowvar=False, ddof=1).reshape(m, m), inst.columns, arg_i, fix=f"drop redundant {arg_i}"
    )
    return JoinedReturns(values=values, columns=inst.columns, target=t.name, index=data.index, periods_per_year=ppy)


def hedge_to_risk_share(
    model: FactorRiskModel,
    weights: Weights,
    target_share: float,
    *,
    benchmark: Weights | None = None,
    max_gross: float | None = MAX_GROSS,
    lower: object = None,
    upper: object = None,
) -> RiskShareHedge:
    """Factor hedge giving a target factor share of variance (closed form).

    Hedging with the factor-mimicking portfolios (the factors themselves) scales the
    exposures ``x = B'w`` to ``c x`` and leaves the specific variance ``V_s`` alone, so
    ``share(c) = c^2 V_f / (c^2 V_f + V_s)`` with ``V_f = x'Fx``. Solving
    ``share(c) = s`` gives ``c = sqrt(s V_s / ((1 - s) V_f))`` and the hedge
    (amounts to SHORT) ``h = (1 - c) x``. ``target_share = 0`` is the full
    (zero-factor-risk) hedge ``h = x``. If the portfolio's share is already below
    the target, ``c > 1`` and ``h`` has the opposite sign to ``x`` (adds exposure).

    With bounds ``lower <= h <= upper`` on the hedge, ``h`` minimises the risk distance
    ``(x - h - c x)' F (x - h - c x)`` to the unbounded solution's exposures over the box
    (a quadratic program solved exactly, :mod:`xlfactor.models.quadratic_program`): the unbounded
    hedge when it lies within the bounds, else the bounded hedge nearest to it in factor risk.
    With ``target_share = 0`` this is the bounded hedge with the least factor variance. When a
    bound binds, ``factor_share_after`` (computed from ``x - h``) can differ from ``target_share``;
    ``binding`` says which bounds bind.

    Parameters
    ----------
    model : FactorRiskModel
    weights, benchmark, max_gross
        As in :meth:`FactorRiskModel.portfolio_risk` (with a benchmark, the active
        position is hedged).
    target_share : float
        In ``[0, 1)``.
    lower, upper : number, sequence or Series, optional
        Bounds on the hedge per factor (amounts to SHORT), as in :func:`hedge_ratios`.

    Raises
    ------
    XLFactorError
        ``target_share`` outside ``[0, 1)``; a positive target for a portfolio with
        no factor risk or no specific risk (the share is then 0 or 1 whatever the hedge).
    """
    share = fraction(target_share, "target_share", include_zero=True, example="e.g. 0.2 for a 20% factor share")
    w = model.weight_vector(weights, benchmark, max_gross=max_gross)
    x = w @ model.B
    v_f = max(float(x @ model.F @ x), 0.0)
    v_s = float(w @ (model.D * w))
    if share > 0 and v_f == 0:
        raise XLFactorError.at("weights", "the portfolio has no factor risk; only target_share=0 is reachable")
    if share > 0 and v_s == 0:
        raise XLFactorError.at(
            "weights", "the portfolio has no specific risk; its factor share is 1 whatever the hedge"
        )
    scale = float(np.sqrt(share * v_s / ((1.0 - share) * v_f))) if share > 0 else 0.0
    hedge, after, v_f_after, binding = (1.0 - scale) * x, scale * x, scale * scale * v_f, None
    if lower is not None or upper is not None:
        lo, up = bound_vectors(lower, upper, model.factors, "factor")
        solution = solve_bounded_qp(model.F, model.F @ hedge, lo, up)
        hedge, binding = solution.w, pd.Series(solution.binding, index=model.factors, name="binding")
        after = x - hedge
        v_f_after = max(float(after @ model.F @ after), 0.0)
    return RiskShareHedge(
        hedge=pd.Series(hedge, index=model.factors, name="hedge"),
        scale=scale,
        exposures_before=pd.Series(x, index=model.factors, name="exposure"),
        exposures_after=pd.Series(after, index=model.factors, name="exposure"),
        total_vol_before=float(np.sqrt(v_f + v_s)),
        total_vol_after=float(np.sqrt(v_f_after + v_s)),
        factor_vol_before=float(np.sqrt(v_f)),
        factor_vol_after=float(np.sqrt(v_f_after)),
        specific_vol=float(np.sqrt(v_s)),
        factor_share_before=_share(v_f, v_s),
        factor_share_after=_share(v_f_after, v_s),
        target_share=share,
        active=benchmark is not None,
        binding=binding,
    )


def hedged_returns(result: RegressionResult, returns: pd.Series | pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """Portable-alpha return series: each asset with its factor exposure hedged away.

    ``h_t = r_t - f_t' beta`` per asset (the intercept is not removed). On the
    regression's own sample and returns this is ``alpha + resid``, whose in-sample
    betas to the factors are 0. Pass the returns given to :func:`xlfactor.regress`
    (excess returns if ``rf`` was used); with total returns the series is
    ``rf + alpha + resid`` (cash plus alpha).

    Parameters
    ----------
    result : RegressionResult
        Supplies ``betas``.
    returns : Series or DataFrame
        Dates x assets (all in ``result``); a Series is matched by its name, or
        taken as the single asset of a one-asset result.
    factors : DataFrame
        Contains ``result.factor_names``; rows are matched by date (intersection).

    Returns
    -------
    DataFrame
        Dates x assets; NaN where a return or a factor is missing.
    """
    frame = _returns_frame(result, returns)
    betas = result.betas.loc[frame.columns, list(result.factor_names)]
    f = _factor_rows(result, factors, frame.index)
    return frame.loc[f.index] - f.to_numpy() @ betas.to_numpy().T


def tracking_portfolio(result: RegressionResult, factors: pd.DataFrame) -> pd.DataFrame:
    """Factor-replicating return series ``f_t' beta_i`` for every asset of ``result``.

    The return of the portfolio of factor-mimicking positions that tracks each asset
    (``returns = alpha + tracking + resid`` on the regression sample). Dates are
    those of ``factors`` (NaN rows where a factor is missing).
    """
    betas = result.betas.loc[:, list(result.factor_names)]
    f = _factor_rows(result, factors, factors.index)
    return pd.DataFrame(f.to_numpy() @ betas.to_numpy().T, index=f.index, columns=betas.index)


def position_size(
    vol_budget: float,
    model: FactorRiskModel | None = None,
    asset: str | None = None,
    *,
    vol: float | None = None,
    hedged_vol: float | None = None,
    horizon: str | float = "annual",
) -> PositionSize:
    """Capital that a volatility budget allows, for the position unhedged and factor-hedged.

    ``capital = vol_budget / vol_h`` with ``vol_h = vol_annual / sqrt(P)``, ``P`` the
    number of horizon periods in a year (252 daily, 52 weekly, 12 monthly, 4
    quarterly, 1 annual): square-root-of-time scaling of i.i.d. returns. A horizon
    in data periods ``h`` (the convention of :func:`~xlfactor.models.frequency.horizon_periods`)
    is ``P = periods_per_year / h`` and needs a model (for its frequency). With a model,
    ``vol_annual^2 = (b_i' F b_i + D_i) * a`` (unhedged) and ``D_i * a`` (hedged: the
    factor exposure is hedged away, specific risk remains), where ``a = 1`` for an
    annualised model and ``a = periods_per_year`` for a per-period one.

    Parameters
    ----------
    vol_budget : float
        Volatility of P&L allowed over the horizon, in currency (e.g. 50_000 a day).
    model, asset : FactorRiskModel and an asset name in it
        Source of the volatilities; or give ``vol`` (and optionally ``hedged_vol``).
    vol, hedged_vol : float, optional
        ANNUAL volatilities (decimals, 0.25 = 25% a year) of the position and of its
        hedged (specific) part.
    horizon : str or float
        ``"daily"``, ``"weekly"``, ``"monthly"``, ``"quarterly"``, ``"annual"`` (or
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"A"``), or a positive number of the
        model's data periods.

    Raises
    ------
    XLFactorError
        Non-positive budget or volatility, a budget above 1e18, unknown horizon or asset, both or neither
        of ``model``/``vol`` given.
    """
    budget = positive_number(vol_budget, "vol_budget")
    check_magnitude(budget, "vol_budget", "amount of money")
    code = horizon_code(horizon)
    if (model is None) == (vol is None):
        raise XLFactorError("model/vol: give either a model and an asset name, or an annual vol")
    if model is not None:
        annual, annual_hedged = _asset_annual_vols(model, asset)
    else:
        annual = positive_number(vol, "vol")
        annual_hedged = None if hedged_vol is None else positive_number(hedged_vol, "hedged_vol")
    if code is not None:
        per_year = PERIODS_PER_YEAR[code]
    elif model is None:
        raise XLFactorError.at(
            "horizon",
            f"{horizon!r} data periods needs a model (for its frequency); with an annual "
            'vol give a name such as "daily" or "monthly"',
        )
    else:
        h = horizon_periods(horizon, model.periods_per_year)
        per_year, code = model.periods_per_year / h, f"{h:g} periods"
    root = np.sqrt(per_year)
    vol_h = annual / root
    vol_hedged_h = None if annual_hedged is None else annual_hedged / root
    return PositionSize(
        capital_unhedged=budget / vol_h,
        capital_hedged=None if vol_hedged_h is None else budget / vol_hedged_h,
        vol_unhedged=vol_h,
        vol_hedged=vol_hedged_h,
        horizon=code,
        vol_budget=budget,
    )


def _asset_annual_vols(model: FactorRiskModel, asset: str | None) -> tuple[float, float]:
    try:
        known = asset is not None and asset in model.assets
    except TypeError:  # unhashable, e.g. a list
        known = False
    if not known:
        raise XLFactorError.at("asset", f"{asset!r} is not in the risk model; use one of {listed(model.assets)}")
    i = model.assets.get_loc(asset)
    b = model.B[i]
    scale = 1.0 if model.annualized else float(known_periods_per_year(model.periods_per_year, "the position size"))
    total = (float(b @ model.F @ b) + model.D[i]) * scale
    specific = model.D[i] * scale
    if specific <= 0:
        raise XLFactorError.at("asset", f"{asset!r} has zero specific variance; the hedged position is unbounded")
    return float(np.sqrt(total)), float(np.sqrt(specific))


def _share(v_f: float, v_s: float) -> float:
    total = v_f + v_s
    return v_f / total if total > 0 else float("nan")


def _as_series(target: pd.Series | pd.DataFrame, name: str) -> pd.Series:
    if isinstance(target, pd.DataFrame):
        if target.shape[1] != 1:
            raise XLFactorError.at(name, f"expected one return series, got {target.shape[1]} columns")
        target = target.iloc[:, 0]
    if not isinstance(target, pd.Series):
        raise XLFactorError.at(name, "expected a pandas Series of returns")
    return target


def _numeric(frame: pd.DataFrame, name: str, *, units: bool = False, target: str = "target") -> pd.DataFrame:
    """``frame`` as floats; non-numeric or infinite values raise; with ``units``, the units rule too."""
    try:
        out = frame.astype(float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at(name, "contains non-numeric values") from exc
    infinite = np.isinf(out.to_numpy()).any(axis=0)
    if infinite.any():
        column = out.columns[int(np.argmax(infinite))]
        raise XLFactorError.at(name, f"column '{target if column == _TARGET else column}' contains infinite values")
    if units:
        check_return_columns(
            out.to_numpy(), out.columns, name, index=out.index, periods_per_year=maybe_periods_per_year(out.index)
        )
    return out


def _returns_frame(result: RegressionResult, returns: pd.Series | pd.DataFrame) -> pd.DataFrame:
    assets = result.betas.index
    if isinstance(returns, pd.Series):
        name = returns.name if returns.name in assets else (assets[0] if len(assets) == 1 else None)
        if name is None:
            raise XLFactorError.at("returns", f"series name {returns.name!r} is not an asset of the regression")
        returns = returns.rename(name).to_frame()
    if not isinstance(returns, pd.DataFrame):
        raise XLFactorError.at("returns", "expected a Series or DataFrame of asset returns")
    unknown = [c for c in returns.columns if c not in assets]
    if unknown:
        raise XLFactorError.at("returns", f"assets not in the regression result: {listed(unknown)}")
    return _numeric(returns, "returns", units=True)


def _factor_rows(result: RegressionResult, factors: pd.DataFrame, dates: pd.Index) -> pd.DataFrame:
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError.at("factors", "expected a DataFrame of factor returns")
    names = list(result.factor_names)
    missing = [n for n in names if n not in factors.columns]
    if missing:
        raise XLFactorError.at("factors", f"missing the regression's factor columns {listed(missing)}")
    common = dates.intersection(factors.index) if not dates.equals(factors.index) else dates
    if len(common) == 0:
        raise XLFactorError.at("factors", "no dates in common with returns")
    return _numeric(factors.loc[common, names], "factors", units=True)
