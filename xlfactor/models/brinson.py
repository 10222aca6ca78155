"""Brinson-Fachler attribution: allocation, selection and interaction by group, over one or many periods.

For groups ``g`` (sectors, regions) with portfolio and benchmark weights ``W_g``, ``V_g`` and
returns ``r_g``, ``b_g`` in one period, and the benchmark's return ``B = sum_g V_g b_g``:

.. math::
    A_g = (W_g - V_g)(b_g - B), \\quad S_g = V_g (r_g - b_g), \\quad I_g = (W_g - V_g)(r_g - b_g)

and ``sum_g (A_g + S_g + I_g) = R - B`` with ``R = sum_g W_g r_g`` when both weights sum to 1
(Brinson and Fachler 1985; the allocation term measures a group's over-weight against how the
group did relative to the whole benchmark). Over many periods each effect of each group is
linked (:mod:`xlfactor.models.linking`) with the period returns ``R_t`` and ``B_t`` so that the
linked effects add up to the compounded ``prod (1 + R_t) - prod (1 + B_t)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import numeric_frame
from xlfactor.models.linking import check_linking, compound, link_coefficients
from xlfactor.models.units import check_gross, check_return_columns

EFFECTS = ["allocation", "selection", "interaction"]
#: Weights must sum to 1 to this tolerance (the effects add up to R - B only then).
SUM_TOL = 1e-6


@dataclass(frozen=True)
class BrinsonResult:
    """Brinson-Fachler effects by group, per period and linked.

    Attributes
    ----------
    by_group : DataFrame
        Groups x ``[allocation, selection, interaction, total]``: the effects (linked over the
        periods when there are several); they add up (over groups and effects) to ``active``.
    periods : DataFrame
        Dates (or a single row 0) x ``[portfolio, benchmark, active, allocation, selection,
        interaction]``: each period's returns ``R_t``, ``B_t``, ``R_t - B_t`` and its effects summed
        over groups.
    weights, benchmark_weights, returns, benchmark_returns : DataFrame
        Periods x groups: ``W``, ``V``, ``r``, ``b`` as used (a group a side does not hold has the
        other side's return: see :func:`brinson`).
    portfolio_return, benchmark_return, active : float
        Compounded ``R``, ``B`` and ``R - B``.
    linking : str
    """

    by_group: pd.DataFrame
    periods: pd.DataFrame
    weights: pd.DataFrame
    benchmark_weights: pd.DataFrame
    returns: pd.DataFrame
    benchmark_returns: pd.DataFrame
    portfolio_return: float
    benchmark_return: float
    active: float
    linking: str


def brinson(
    weights: pd.Series | pd.DataFrame,
    benchmark: pd.Series | pd.DataFrame,
    returns: pd.Series | pd.DataFrame,
    benchmark_returns: pd.Series | pd.DataFrame | None = None,
    *,
    groups: pd.Series | dict | None = None,
    linking: str = "carino",
) -> BrinsonResult:
    """Brinson-Fachler allocation, selection and interaction by group, for one period or linked over many.

    Per period and group (module docstring): ``A_g = (W_g - V_g)(b_g - B)``, ``S_g = V_g (r_g - b_g)``,
    ``I_g = (W_g - V_g)(r_g - b_g)``, adding up to ``R - B``. Several periods are linked by
    ``linking`` (``"carino"`` or ``"menchero"``) to the compounded ``R - B``.

    Two layouts:

    * **By group** (``groups`` None): the columns (or the index of a Series) are the groups;
      ``returns`` are the portfolio's group returns ``r_g`` and ``benchmark_returns`` the
      benchmark's ``b_g`` (required).
    * **By asset** (``groups`` maps each asset to its group): the columns are assets with one
      return each (``returns``; ``benchmark_returns`` must be None); group weights are sums,
      ``W_g = sum_{i in g} w_i``, and group returns weight averages, ``r_g = sum_{i in g} w_i r_i / W_g``
      (``b_g`` the same with benchmark weights).

    A group the portfolio does not hold (``W_g = 0``) takes ``r_g = b_g`` (no selection or
    interaction); a group outside the benchmark (``V_g = 0``, no ``b_g``) takes ``b_g = r_g``, so
    the whole bet is allocation ``W_g (r_g - B)``.

    Parameters
    ----------
    weights, benchmark : Series, dict or DataFrame
        Portfolio and benchmark weights: a Series or dict (fixed over the periods) or a DataFrame, periods
        x columns. Each must sum to 1 in every period (include cash as a group).
    returns : Series, dict or DataFrame
        One period (a Series or dict) or periods x columns, decimals.
    benchmark_returns : Series, dict or DataFrame, optional
        The benchmark's group returns (by-group layout only).
    groups : Series or dict, optional
        Asset -> group label (by-asset layout).
    linking : {"carino", "menchero"}

    Returns
    -------
    BrinsonResult

    Raises
    ------
    XLFactorError
        Naming the argument: weights that do not sum to 1, columns that do not match, a missing
        weight or return of a held column, returns that break the units rule, a missing group,
        ``benchmark_returns`` with ``groups`` (or neither), an unknown ``linking``.
    """
    method = check_linking(linking)
    r = _frame(returns, "returns")
    columns, index = r.columns, r.index
    w = _weights(weights, "weights", columns, index)
    v = _weights(benchmark, "benchmark", columns, index)
    if groups is None:
        if benchmark_returns is None:
            raise XLFactorError.at(
                "benchmark_returns",
                "required when the columns are groups; give the benchmark's return of each "
                "group, or give groups (asset -> group) to compute them from asset returns",
            )
        b = _frame(benchmark_returns, "benchmark_returns")
        if not b.columns.equals(columns) or not b.index.equals(index):
            raise XLFactorError.at("benchmark_returns", "must have the same groups and periods as returns")
        labels = columns
        w_g, v_g = w.to_numpy(), v.to_numpy()
        r_g = _held_values(r.to_numpy(), w_g, "returns", columns, index)
        b_g = _held_values(b.to_numpy(), v_g, "benchmark_returns", columns, index)
    else:
        if benchmark_returns is not None:
            raise XLFactorError.at(
                "benchmark_returns",
                "not used with groups (each asset has one return); leave it out, or give group returns without groups",
            )
        one_hot, labels = _membership(groups, columns)
        y = _held_values(r.to_numpy(), np.abs(w.to_numpy()) + np.abs(v.to_numpy()), "returns", columns, index)
        w_g, v_g = w.to_numpy() @ one_hot, v.to_numpy() @ one_hot
        r_g = _group_returns(w.to_numpy(), y, one_hot, w_g, "weights", labels)
        b_g = _group_returns(v.to_numpy(), y, one_hot, v_g, "benchmark", labels)
    r_g = np.where(w_g == 0, np.where(np.isnan(b_g), 0.0, b_g), r_g)
    b_g = np.where(np.isnan(b_g), r_g, b_g)
    r_g = np.where(np.isnan(r_g), b_g, r_g)
    port, bench = (w_g * r_g).sum(axis=1), (v_g * b_g).sum(axis=1)
    effects = np.stack(
        [(w_g - v_g) * (b_g - bench[:, None]), v_g * (r_g - b_g), (w_g - v_g) * (r_g - b_g)], axis=2
    )  # periods x groups x effects
    coef = link_coefficients(port, bench, method)
    linked = np.einsum("t,tge->ge", coef, effects)
    by_group = pd.DataFrame(linked, index=labels, columns=EFFECTS)
    by_group["total"] = by_group.sum(axis=1)
    periods = pd.DataFrame({"portfolio": port, "benchmark": bench, "active": port - bench}, index=index)
    for j, name in enumerate(EFFECTS):
        periods[name] = effects[:, :, j].sum(axis=1)
    total_r, total_b = compound(port), compound(bench)
    return BrinsonResult(
        by_group=by_group,
        periods=periods,
        weights=pd.DataFrame(w_g, index=index, columns=labels),
        benchmark_weights=pd.DataFrame(v_g, index=index, columns=labels),
        returns=pd.DataFrame(r_g, index=index, columns=labels),
        benchmark_returns=pd.DataFrame(b_g, index=index, columns=labels),
        portfolio_return=total_r,
        benchmark_return=total_b,
        active=total_r - total_b,
        linking=method,
    )


def _frame(values: pd.Series | pd.DataFrame, name: str) -> pd.DataFrame:
    """Returns as periods x columns (a Series or dict is one period), numeric, within the units rule."""
    if isinstance(values, dict):
        values = pd.Series(values, dtype=float)
    if isinstance(values, pd.Series):
        values = values.to_frame().T.reset_index(drop=True)
    if not isinstance(values, pd.DataFrame) or values.empty:
        raise XLFactorError.at(name, "expected a Series (one period) or a DataFrame (periods x columns)")
    if values.columns.has_duplicates:
        raise XLFactorError.at(name, f"column '{values.columns[values.columns.duplicated()][0]}' appears twice")
    frame = numeric_frame(values, name, "returns")
    check_return_columns(frame.to_numpy(), frame.columns, name, index=frame.index, floor=True)
    return frame


def _weights(values: pd.Series | pd.DataFrame, name: str, columns: pd.Index, index: pd.Index) -> pd.DataFrame:
    """Weights on the periods and columns of the returns, each period summing to 1."""
    if isinstance(values, dict):
        values = pd.Series(values, dtype=float)
    if isinstance(values, pd.Series):
        unknown = [str(c) for c in values.index if c not in columns]
        if unknown:
            raise XLFactorError.at(name, f"{unknown[:5]} are not columns of returns; match the names")
        values = pd.DataFrame([values.reindex(columns).to_numpy()] * len(index), index=index, columns=columns)
    elif isinstance(values, pd.DataFrame):
        unknown = [str(c) for c in values.columns if c not in columns]
        if unknown:
            raise XLFactorError.at(name, f"{unknown[:5]} are not columns of returns; match the names")
        if not values.index.equals(index):
            raise XLFactorError.at(name, "a table of weights must have the periods of returns (one row each)")
        values = values.reindex(columns=columns)
    else:
        raise XLFactorError.at(name, "expected a Series (fixed weights) or a DataFrame (periods x columns)")
    frame = numeric_frame(values, name, "weights").fillna(0.0)
    sums = frame.sum(axis=1).to_numpy()
    off = np.abs(sums - 1.0) > SUM_TOL
    if off.any():
        t = int(np.argmax(off))
        when = "" if len(index) == 1 else f" in period {index[t]}"
        raise XLFactorError.at(
            name,
            f"the weights sum to {sums[t]:.6g}{when}; Brinson attribution needs weights that sum to 1 "
            "(add a cash group for money not invested)",
        )
    for row in frame.to_numpy():
        check_gross(row, name)
    return frame


def _held_values(values: np.ndarray, held: np.ndarray, name: str, columns: pd.Index, index: pd.Index) -> np.ndarray:
    """``values`` with a refusal of a blank where the column is held (non-zero weight)."""
    bad = np.isnan(values) & (held != 0)
    if bad.any():
        t, j = np.argwhere(bad)[0]
        when = "" if len(index) == 1 else f" in period {index[t]}"
        raise XLFactorError.at(name, f"'{columns[j]}' is held{when} but its return is blank; fill it in")
    return values


def _membership(groups: pd.Series | dict, columns: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Assets x groups one-hot matrix and the group labels in order of first appearance."""
    if isinstance(groups, dict):
        groups = pd.Series(groups, dtype=object)
    if not isinstance(groups, pd.Series):
        raise XLFactorError.at("groups", "expected a Series or dict, asset -> group label")
    missing = [str(c) for c in columns if c not in groups.index]
    if missing:
        raise XLFactorError.at("groups", f"no group for the asset(s) {missing[:5]}; give every returns column a group")
    labels = groups.reindex(columns)
    if labels.isna().any() or (labels.astype(str).str.strip() == "").any():
        blank = columns[(labels.isna() | (labels.astype(str).str.strip() == "")).to_numpy()][0]
        raise XLFactorError.at("groups", f"the group of '{blank}' is blank; give every asset a group")
    names = pd.Index(pd.unique(labels.astype(str).to_numpy()))
    one_hot = (labels.astype(str).to_numpy()[:, None] == names.to_numpy()[None, :]).astype(float)
    return one_hot, names


def _group_returns(
    w: np.ndarray, y: np.ndarray, one_hot: np.ndarray, w_g: np.ndarray, name: str, labels: pd.Index
) -> np.ndarray:
    """``sum_{i in g} w_i y_i / W_g`` (NaN where ``W_g = 0``; refused when the holdings net to 0 but earn)."""
    earned = np.where(w == 0, 0.0, w * np.where(np.isnan(y), 0.0, y)) @ one_hot
    empty = np.abs(w_g) < 1e-12
    if (empty & (np.abs(earned) > 1e-12)).any():
        g = int(np.argwhere(empty & (np.abs(earned) > 1e-12))[0][1])
        raise XLFactorError.at(
            name,
            f"the positions in group '{labels[g]}' net to zero weight but earn a return; its group return "
            "is undefined (give it a net weight, or split it into two groups)",
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(empty, np.nan, earned / np.where(empty, 1.0, w_g))
