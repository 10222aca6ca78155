"""Factor-based return attribution: each period's portfolio (or active) return split by factor, alpha and
specific return, with the exposures known at the start of the period, and linked over many periods.

For asset ``i`` with excess-return model ``r_i,t - rf_t = a_i + B_i' f_t + e_i,t`` and weights
``w_t`` held over period ``t`` (fixed, or the last row of a holdings history dated before ``t``):

.. math::
    r_{p,t} = \\sum_i w_{i,t} r_{i,t}
            = (\\textstyle\\sum_i w_{i,t})\\, rf_t + \\sum_k x_{k,t} f_{k,t} + w_t' a + w_t' e_t,
    \\qquad x_t = B' w_t

Against a benchmark the same split applies to the active weights ``w_t - w^b_t`` and the active
return ``r_{p,t} - r_{b,t}``. Over many periods the contributions are linked
(:mod:`xlfactor.models.linking`: Carino or Menchero) so that they add up to the compounded
total ``prod (1 + r_p) - 1`` (or its difference from the benchmark's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models import RF_COLUMN
from xlfactor.models._validate import numeric_frame
from xlfactor.models.frequency import maybe_periods_per_year
from xlfactor.models.linking import check_linking, compound, link
from xlfactor.models.regression import regress
from xlfactor.models.risk_model import Weights, weight_vector
from xlfactor.models.units import (
    MAX_GROSS,
    VOLATILE_ADVICE,
    check_gross,
    check_max_gross,
    check_return_columns,
    check_units_argument,
)

ALPHA_ROW, SPECIFIC_ROW, TOTAL_ROW = "Alpha", "Specific", "Total"
WeightsOrHistory = Weights | pd.DataFrame


@dataclass(frozen=True)
class AttributionResult:
    """A portfolio's (or active) return split by factor, alpha and specific return.

    Attributes
    ----------
    periods : DataFrame
        Dates x ``[RF, *factors, "Alpha", "Specific", "Total"]`` (``RF`` only when the factors carry
        one): the contributions of each period, ``(sum_i w_i) rf``, ``x_k f_k``, ``w'a``, ``w'e``;
        ``Total`` is their sum, the period's return ``w'r`` (active: ``(w - w^b)'r``).
    exposures : DataFrame
        Dates x factors: ``x_t = B' w_t`` (active weights against a benchmark).
    linked : Series
        The components linked over all periods (``linking``); they add up to ``total``.
    total : float
        The compounded return ``R = prod (1 + r_p,t) - 1``; against a benchmark ``R - B``.
    portfolio_return : float
        ``R``.
    benchmark_return : float or None
        ``B = prod (1 + r_b,t) - 1``; None without a benchmark.
    portfolio, benchmark : Series
        The per-period total returns ``r_p,t`` and ``r_b,t`` (benchmark None without one).
    betas : DataFrame
        Assets x factors used (``B``), for the assets held at some date.
    alpha : Series
        Per-period alpha ``a_i`` per held asset (0 when the betas were given).
    linking : str
    active : bool
    """

    periods: pd.DataFrame
    exposures: pd.DataFrame
    linked: pd.Series
    total: float
    portfolio_return: float
    benchmark_return: float | None
    portfolio: pd.Series
    benchmark: pd.Series | None
    betas: pd.DataFrame
    alpha: pd.Series
    linking: str
    active: bool


def factor_attribution(
    returns: pd.DataFrame,
    weights: WeightsOrHistory,
    factors: pd.DataFrame,
    *,
    benchmark: WeightsOrHistory | None = None,
    betas: pd.DataFrame | None = None,
    linking: str = "carino",
    max_gross: float | None = MAX_GROSS,
    units: str = "auto",
) -> AttributionResult:
    """Split each period's portfolio (or active) return into factor, alpha and specific parts, and link them.

    With the excess-return model ``r_i,t - rf_t = a_i + B_i' f_t + e_i,t`` and ``w_t`` the weights
    held over period ``t``:

        r_p,t = (sum_i w_i,t) rf_t + sum_k x_k,t f_k,t + w_t'a + w_t'e_t,    x_t = B'w_t

    and with a benchmark the same split of the active return ``(w_t - w^b_t)' r_t``. The linked
    totals (``linking="carino"`` or ``"menchero"``, :mod:`xlfactor.models.linking`) add up to the
    compounded ``R = prod_t (1 + r_p,t) - 1`` (minus ``B``, the benchmark's, when given).

    No look-ahead in the weights: fixed weights apply to every date; a holdings history (a
    DataFrame, dates x assets) applies each row from the period after its date on, so period ``t``
    uses the last row dated strictly before ``t`` (held unchanged, no drift, until the next row);
    dates up to the first row are not attributed. The betas ``B`` and alphas ``a`` are the OLS
    estimates of :func:`xlfactor.regress` over the whole common sample of each held asset (an
    in-sample model, as a risk system's current model), unless ``betas`` gives them (estimated
    elsewhere, e.g. on earlier data); then ``a = 0`` and the alpha is part of the specific return.

    Parameters
    ----------
    returns : DataFrame
        Dates x assets, simple total returns in decimals.
    weights : Series, mapping, array or DataFrame
        Fixed weights (one per asset; unlisted assets 0), or a holdings history (dates x assets;
        NaN = not held).
    factors : DataFrame
        Dates x factors; an ``RF`` column is the risk-free rate (its contribution is the ``RF`` row).
    benchmark : same forms as ``weights``, optional
        Then every figure is active.
    betas : DataFrame, optional
        Assets x factors (same factor names); default: regression betas.
    linking : {"carino", "menchero"}
    max_gross : float or None
        Bound on ``sum |w|`` per date (:func:`xlfactor.models.units.check_gross`).
    units : {"auto", "decimal"}
        ``"auto"`` refuses returns that look like percent.

    Returns
    -------
    AttributionResult

    Raises
    ------
    XLFactorError
        Bad inputs (naming the argument): non-DataFrames, unknown assets, a held asset without a
        return on a date it is held, returns that break the units rule, weights above ``max_gross``,
        betas not covering the held assets or factors, fewer than one period to attribute, an
        unknown ``linking``.
    """
    method = check_linking(linking)
    check_percent = check_units_argument(units)
    max_gross = check_max_gross(max_gross)
    if not isinstance(returns, pd.DataFrame):
        raise XLFactorError.at("returns", "expected a DataFrame (dates x assets)")
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError.at("factors", "expected a DataFrame (dates x factors)")
    for table, arg in ((returns, "returns"), (factors, "factors")):
        if table.index.has_duplicates:
            day = _day(table.index[table.index.duplicated()][0])
            raise XLFactorError.at(arg, f"the date {day} appears twice; keep one row per date")
    names = [c for c in factors.columns if c != RF_COLUMN]
    if not names:
        raise XLFactorError.at("factors", "no factor columns besides RF")
    frame = numeric_frame(factors, "factors")
    common = returns.index.intersection(frame.index[frame.notna().all(axis=1).to_numpy()]).sort_values()
    if common.empty:
        raise XLFactorError.at("returns", "no dates in common with the factors; align the two tables")
    w_all, covered = _weights_on(weights, returns.columns, common, "weights", max_gross)
    wb_all = None
    if benchmark is not None:
        wb_all, bench_covered = _weights_on(benchmark, returns.columns, common, "benchmark", max_gross)
        covered &= bench_covered
    if not covered.any():
        raise XLFactorError.at(
            "weights", "no period to attribute; the holdings history must start before the returns end"
        )
    dates = common[covered]
    if not covered.all():
        w_all = w_all[covered]
        wb_all = None if wb_all is None else wb_all[covered]
    held_mask = (w_all != 0).any(axis=0)
    if wb_all is not None:
        held_mask |= (wb_all != 0).any(axis=0)
    held = returns.columns[held_mask]
    if held.empty:
        raise XLFactorError.at("weights", "every weight is zero; give the portfolio some positions")
    held_returns = numeric_frame(returns.iloc[:, np.flatnonzero(held_mask)].reindex(common), "returns")
    y_all = held_returns.to_numpy()
    check_return_columns(
        y_all, held, "returns", index=common, periods_per_year=maybe_periods_per_year(common), percent=check_percent,
        floor=True, advice=VOLATILE_ADVICE,
    )  # fmt: skip
    f_all = frame.loc[common, names]
    check_return_columns(f_all.to_numpy(), pd.Index(names), "factors", index=common,
                         periods_per_year=maybe_periods_per_year(common), percent=check_percent)  # fmt: skip
    b, a = _betas(betas, held_returns, frame.loc[common], names, units)
    f = f_all.to_numpy()[covered]
    rf = frame.loc[common, RF_COLUMN].to_numpy()[covered] if RF_COLUMN in frame.columns else np.zeros(len(dates))
    y = y_all if covered.all() else y_all[covered]
    w_held = w_all if held_mask.all() else w_all[:, held_mask]
    wb_held = None if wb_all is None else (wb_all if held_mask.all() else wb_all[:, held_mask])
    active = w_held if wb_held is None else w_held - wb_held
    missing = np.isnan(y)
    if missing.any():
        _check_held_returns(missing, w_held, wb_held, held, dates)
        y = np.where(missing, 0.0, y)  # missing returns carry zero weight (checked above)
    x = active @ b.to_numpy()
    total = np.einsum("ti,ti->t", active, y)
    parts = {}
    if RF_COLUMN in frame.columns:
        parts[RF_COLUMN] = active.sum(axis=1) * rf
    parts.update({k: x[:, j] * f[:, j] for j, k in enumerate(names)})
    parts[ALPHA_ROW] = active @ a.to_numpy()
    # w'e_t = w'(r_t - rf_t - a - B f_t): the total less the other parts, without forming the T x N residuals
    parts[SPECIFIC_ROW] = total - np.sum(list(parts.values()), axis=0)
    periods = pd.DataFrame(parts, index=dates)
    periods[TOTAL_ROW] = total
    portfolio = pd.Series(np.einsum("ti,ti->t", w_held, y), index=dates, name="portfolio")
    bench = None if wb_held is None else pd.Series(np.einsum("ti,ti->t", wb_held, y), index=dates, name="benchmark")
    linked = link(periods.drop(columns=TOTAL_ROW), portfolio.to_numpy(), None if bench is None else bench.to_numpy(),
                  method)  # fmt: skip
    r_total = compound(portfolio.to_numpy())
    b_total = None if bench is None else compound(bench.to_numpy())
    return AttributionResult(
        periods=periods,
        exposures=pd.DataFrame(x, index=dates, columns=names),
        linked=linked,
        total=r_total - (b_total or 0.0),
        portfolio_return=r_total,
        benchmark_return=b_total,
        portfolio=portfolio,
        benchmark=bench,
        betas=b,
        alpha=a,
        linking=method,
        active=benchmark is not None,
    )


def _weights_on(
    weights: WeightsOrHistory, assets: pd.Index, dates: pd.Index, name: str, max_gross: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Weights held over each of ``dates`` (dates x assets, in the order of ``assets``) and which dates they cover.

    Fixed weights cover every date; a holdings history covers the dates after its first row,
    each date taking the last row dated strictly before it (rows of uncovered dates are 0).
    """
    if not isinstance(weights, pd.DataFrame):
        vector = weight_vector(weights, assets, name, universe="the columns of returns")
        check_gross(vector, name, max_gross)
        return np.tile(vector, (len(dates), 1)), np.ones(len(dates), dtype=bool)
    if weights.empty:
        raise XLFactorError.at(name, "the holdings history is empty; give one row per rebalancing date")
    if weights.columns.has_duplicates:
        raise XLFactorError.at(name, f"asset '{weights.columns[weights.columns.duplicated()][0]}' appears twice")
    if not weights.index.is_unique:
        raise XLFactorError.at(name, f"the date {weights.index[weights.index.duplicated()][0]} appears twice")
    history = numeric_frame(weights, name, "weights").fillna(0.0).sort_index()
    unknown = [str(c) for c in history.columns if c not in assets and (history[c] != 0).any()]
    if unknown:
        raise XLFactorError.at(name, f"held asset(s) {unknown[:10]} are not columns of returns; match the names")
    rows_w = history.reindex(columns=assets, fill_value=0.0).to_numpy()
    check_gross(rows_w[int(np.argmax(np.abs(rows_w).sum(axis=1)))], name, max_gross)  # the largest gross of all rows
    try:
        rows = history.index.searchsorted(dates, side="left") - 1
    except TypeError:
        raise XLFactorError.at(
            name, "the holdings history's dates are not comparable with the returns' dates; index it by date"
        ) from None
    covered = rows >= 0
    held = rows_w[np.maximum(rows, 0)]
    held[~covered] = 0.0
    return held, covered


def _betas(
    given: pd.DataFrame | None, returns: pd.DataFrame, factors: pd.DataFrame, names: list[str], units: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Betas and per-period alphas of the held assets: a regression, or the given table with zero alphas."""
    if given is None:
        rf = factors[RF_COLUMN] if RF_COLUMN in factors.columns else None
        result = regress(returns, factors[names], rf=rf, periods_per_year=maybe_periods_per_year(returns.index),
                         units=units)  # fmt: skip
        return result.betas[names], result.params["alpha"]
    if not isinstance(given, pd.DataFrame):
        raise XLFactorError.at("betas", "expected a DataFrame, assets x factors")
    missing = [str(a) for a in returns.columns if a not in given.index]
    if missing:
        raise XLFactorError.at("betas", f"no row for the held asset(s) {missing[:10]}; add their betas")
    lacking = [k for k in names if k not in given.columns]
    if lacking:
        raise XLFactorError.at("betas", f"no column for the factor(s) {lacking}; give one column per factor")
    table = numeric_frame(given.loc[returns.columns, names], "betas", "betas")
    if table.isna().any().any():
        raise XLFactorError.at("betas", "a held asset's beta is blank; fill it in")
    return table, pd.Series(0.0, index=returns.columns, name="alpha")


def _check_held_returns(
    missing: np.ndarray, w: np.ndarray, wb: np.ndarray | None, assets: pd.Index, dates: pd.Index
) -> None:
    """Refuse a missing return of an asset the portfolio or benchmark holds on that date."""
    bad = missing & ((w != 0) | (wb != 0 if wb is not None else False))
    if bad.any():
        t, i = np.argwhere(bad)[0]
        raise XLFactorError.at(
            "returns",
            f"'{assets[i]}' is held on {_day(dates[t])} but has no return there; fill in the return or "
            "set its weight to 0 on that date",
        )


def _day(label: object) -> str:
    """A date label as YYYY-MM-DD (other labels as written)."""
    return f"{label:%Y-%m-%d}" if isinstance(label, pd.Timestamp) else str(label)


def attribution_summary(result: AttributionResult) -> pd.DataFrame:
    """The linked totals beside the plain sums of the period contributions, with a ``Total`` row.

    Columns ``linked`` (adds up to ``result.total``) and ``sum`` (``sum_t c_t``, which does not
    compound); the ``Total`` row holds ``result.total`` and the sum of the period totals.
    """
    parts = result.periods.drop(columns=TOTAL_ROW)
    table = pd.DataFrame({"linked": result.linked, "sum": parts.sum()})
    table.loc[TOTAL_ROW] = [result.total, float(result.periods[TOTAL_ROW].sum())]
    return table


__all__ = ["AttributionResult", "attribution_summary", "factor_attribution"]
