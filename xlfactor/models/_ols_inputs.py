"""The engine's regression input: returns, factors and ``rf`` read once, aligned and checked once.

:func:`prepare` turns the user's ``returns`` / ``factors`` / ``rf`` pandas objects into an
:class:`OLSInputs` (aligned float arrays) and applies every input rule there, once, raising
:class:`~xlfactor.errors.XLFactorError` with the argument at fault for anything a user can get
wrong: wrong type, text, duplicate dates, no common dates, the units rule on returns, factors
and ``rf`` (:mod:`xlfactor.models.units`), constant or collinear factors, ``rf`` not covering the
sample. Every front end (Python, the FM_ functions on a range or a model name, the report)
builds its inputs here, as linearmodels builds its ``IVData``; the fit then runs in a straight line.

A model's factors are the same on every call until the data change: :func:`check_factor_frame`
checks them once into :class:`CheckedFactors`, which :func:`prepare` takes in place of a frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import Advice, Placeholder, XLFactorError
from xlfactor.models import RF_COLUMN
from xlfactor.models.covariance import check_nonsingular
from xlfactor.models.frequency import maybe_periods_per_year
from xlfactor.models.units import (
    VOLATILE_ADVICE,
    check_return_columns,
    check_rf,
    check_units_argument,
    percent_threshold,
    summarize,
)

#: The fix for a risk-free rate that does not cover the sample of returns that are already excess.
EXCESS_ADVICE = Advice("rf", None, "if the returns are already excess returns")
#: The fix for a risk-free rate that does not cover the sample.
RF_ADVICE = Advice("rf", Placeholder("the rate on the same dates as the returns, e.g. factors['RF']"), "pass it")


@dataclass(frozen=True)
class OLSInputs:
    """Aligned, checked regression inputs.

    Attributes
    ----------
    index : pd.Index
        Dates used: intersection of the returns and factors indexes, rows where
        any factor is missing removed, sorted ascending.
    y : np.ndarray
        (T, N) excess returns, NaN where an asset is missing.
    x : np.ndarray
        (T, K) factor returns, no NaN.
    assets, factors : pd.Index
        Column labels of ``y`` and ``x``.
    periods_per_year : int or None
        Inferred from the dates (None without dates).
    yy : np.ndarray or None
        ``sum_t y_tn^2`` per asset over its present values, when the checks computed it (no ``rf``).
    zty, nobs : np.ndarray or None
        ``Z'y`` (K+1, N) for ``Z = design(x)`` over each asset's present values, and their count,
        when the checks' pass took them (``prepare(..., products=True)``, no ``rf``, a large panel
        where compiled kernels run): the fit then needs no second read of ``y``.
    z : tuple or None
        ``design(x)`` when :func:`prepare` formed it (``products=True``, no ``rf``): the fit takes it
        rather than forming it again.
    total : np.ndarray or None
        The sum of each asset's present values, when the checks' compiled pass took it (no ``rf``);
        ``nobs`` is then set too.
    """

    index: pd.Index
    y: np.ndarray
    x: np.ndarray
    assets: pd.Index
    factors: pd.Index
    periods_per_year: int | None = None
    yy: np.ndarray | None = None
    zty: np.ndarray | None = None
    nobs: np.ndarray | None = None
    z: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    total: np.ndarray | None = None


@dataclass(frozen=True)
class CheckedFactors:
    """Factor returns that passed the factor rules (:func:`check_factor_frame`) on their own rows.

    ``index`` the dates with every factor present, ``x`` (T, K) the factors on them, ``names`` the
    factor columns, ``rf`` the ``RF`` column on those rows (None without one) as a Series, ``units``
    the units setting they were checked under (the rules for ``rf`` included) and ``periods_per_year``
    their frequency (None when the dates show none).
    """

    index: pd.Index
    x: np.ndarray
    names: pd.Index
    rf: pd.Series | None
    units: str
    periods_per_year: int | None = None

    @property
    def frame(self) -> pd.DataFrame:
        """The factors (then ``RF``) as a frame."""
        out = pd.DataFrame(self.x, index=self.index, columns=self.names)
        if self.rf is not None:
            out[RF_COLUMN] = self.rf.to_numpy()
        return out


def check_factor_frame(factors: pd.DataFrame | pd.Series, *, units: str = "auto") -> CheckedFactors:
    """Factors checked once, for every regression on their dates (a model's data at one vintage).

    The rows with a missing factor are left out; on the rest the factor rules apply: the units rule,
    no constant factor, no collinear factors (:func:`check_factors`). ``RF`` is kept aside.
    """
    check_percent = check_units_argument(units)
    frame = _as_frame(factors, "factors")
    _check_unique_dates(frame.index, "factors")
    regressors = [i for i, c in enumerate(frame.columns) if c != RF_COLUMN]
    if not regressors:
        raise XLFactorError.at(
            "factors", "no factor columns (an 'RF' column is not a regressor); pass at least one factor"
        )
    names = frame.columns if len(regressors) == frame.shape[1] else frame.columns[_selector(regressors)]
    x_all = _float_values(frame, "factors", regressors)
    keep = ~np.isnan(x_all).any(axis=1)
    if not keep.any():
        raise XLFactorError.at("factors", "every date has a missing factor value; check the factor data")
    index = frame.index if keep.all() else frame.index[keep]
    x = np.ascontiguousarray(x_all if keep.all() else x_all[keep])
    ppy = maybe_periods_per_year(index)
    check_factors(x, names, periods_per_year=ppy, percent=check_percent, index=index)
    rf = frame[RF_COLUMN] if RF_COLUMN in frame.columns else None
    if rf is not None:
        rf = rf if keep.all() else rf[keep]
        if check_percent:
            check_rf(rf.to_numpy(dtype=float), ppy)
    return CheckedFactors(index=index, x=x, names=names, rf=rf, units=units.lower(), periods_per_year=ppy)


def prepare(
    returns: pd.Series | pd.DataFrame,
    factors: pd.DataFrame | pd.Series | CheckedFactors,
    rf: pd.Series | None = None,
    *,
    units: str = "auto",
    periods_per_year: int | None = None,
    products: bool = False,
    weight: float = 1.0,
) -> OLSInputs:
    """Validate and align ``returns`` (minus ``rf``) with ``factors``: the one place the regression's
    input rules apply.

    Rows are matched by exact index label (intersection). An ``RF`` column in
    ``factors`` is never a regressor: it is dropped (and not subtracted unless it is
    passed as ``rf``). Dates where any factor is missing are dropped for every asset.
    ``rf`` must cover the sample: a date with a return but no ``rf`` (absent or NaN)
    raises, rather than silently shrinking the sample to the dates ``rf`` covers.

    The units rule (:mod:`xlfactor.models.units`) applies on the sample, once: factors, ``rf``
    and returns must look like decimals (``units="auto"``; ``"decimal"`` skips the percent
    test) and hold no value no return can take; an asset's return below -100% is refused, and so
    is a constant asset. ``factors`` given as :class:`CheckedFactors` (checked under the same
    ``units``, or under ``"auto"``) are not checked again unless the returns cover only part of
    their dates, and their own ``rf`` passed as ``rf`` neither. ``periods_per_year``, when the
    caller knows it, sets the frequency the percent rule scales to (else it is inferred from the
    dates). ``products``: the pass that checks the returns also takes the fit's ``Z'y`` where it can
    (see :class:`OLSInputs`). ``weight``: the saving per value of the compiled kernel the caller runs
    on the returns (:func:`xlfactor.models._jit.use`): where that kernel runs compiled, the pass that
    checks the returns does too (see :func:`~xlfactor.models.units.summarize`).
    """
    check_percent = check_units_argument(units)
    y_frame = _as_frame(returns, "returns")
    y_all = _float_values(y_frame, "returns")
    _check_unique_dates(y_frame.index, "returns")
    # factors checked under "auto" (the percent rule included) passed every rule "decimal" applies
    checked = factors if isinstance(factors, CheckedFactors) and factors.units in ("auto", units.lower()) else None
    if checked is None:
        checked = check_factor_frame(factors.frame if isinstance(factors, CheckedFactors) else factors, units=units)
        # checked on their own complete rows; the common sample below may be a part of them
    index = _common_dates(y_frame.index, checked.index)
    if len(index) == 0:
        raise XLFactorError(
            f"returns/factors: no dates in common (returns {_span(y_frame.index)}, factors {_span(checked.index)}); "
            "use the same date convention (e.g. month-end) for both"
        )
    same = index is checked.index or index.equals(checked.index)
    ppy = periods_per_year or (checked.periods_per_year if same else maybe_periods_per_year(index))
    if same:
        x = checked.x
    else:
        x = np.ascontiguousarray(checked.x[checked.index.get_indexer(index)])
        check_factor_matrix(x, checked.names, "the common sample")
    y = y_all if y_frame.index.equals(index) else _rows(y_all, y_frame.index.get_indexer(index))
    if not (y.flags.f_contiguous or y.flags.c_contiguous):  # a slice of a frame: one copy, read in order
        y = np.asfortranarray(y)
    # one pass: what every return rule needs (the percent count too), the fit's sums of squares and
    # (compiled, without rf) its products Z'y
    limit = percent_threshold(ppy) if check_percent else None
    z = design(x) if products and rf is None else None
    summary = summarize(y, limit, None if z is None else z[0], weight=weight)
    check_return_columns(
        y,
        y_frame.columns,
        "returns",
        index=index,
        periods_per_year=ppy,
        percent=check_percent,
        floor=True,
        constant=True,
        advice=VOLATILE_ADVICE,
        summary=summary,
    )
    yy = summary.sumsq
    if rf is not None:
        rf_values = _rf_values(rf, index, y)
        if check_percent and not (rf is checked.rf and same):
            check_rf(rf_values, ppy)
        y = y - rf_values[:, None]
        yy = None
    cross = summary.cross
    total = summary.total if rf is None else None
    return OLSInputs(
        index=index,
        y=np.asarray(y, dtype=float),
        x=x,
        assets=y_frame.columns,
        factors=checked.names,
        periods_per_year=ppy,
        yy=yy,
        zty=cross,
        nobs=None if cross is None and total is None else summary.present,
        z=z,
        total=total,
    )


def design(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``Z = [1, (x - g) / s]`` with ``g`` the factor means and ``s`` their standard deviations."""
    g = x.mean(axis=0)
    centred = x - g
    s = np.sqrt((centred * centred).sum(axis=0) / len(x))  # = x.std(axis=0), same operations
    return np.column_stack([np.ones(len(x)), centred / s]), g, s


def _rows(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``values[positions]`` in the memory order of ``values`` (a column-major panel, as pandas holds
    it, stays column-major: the checks' pass reads it column by column)."""
    if values.ndim == 2 and values.strides[0] < values.strides[1]:
        return np.take(values.T, positions, axis=1).T
    return np.take(values, positions, axis=0)


def _selector(positions: list[int]) -> slice | list[int]:
    """``positions`` as a slice when they are a leading run (the usual case: RF last or absent)."""
    return slice(0, len(positions)) if positions == list(range(len(positions))) else positions


def _float_values(frame: pd.DataFrame, name: str, columns: list[int] | None = None) -> np.ndarray:
    """The frame's values (only ``columns`` if given) as a float array; non-numeric columns raise.

    Fast path: a frame whose values come out as a float or integer array is numeric
    throughout (pandas gives ``object`` for any mix with text, dates or booleans).
    """
    values = frame.to_numpy()
    if values.dtype.kind in "fiu":
        values = values.astype(float, copy=False)
        return values if columns is None else values[:, _selector(columns)]
    sub = frame if columns is None else frame.iloc[:, columns]
    _check_numeric(sub, name)
    return sub.to_numpy(dtype=float)


def _common_dates(a: pd.Index, b: pd.Index) -> pd.Index:
    """Sorted intersection of two date indexes (``a`` itself when they are equal and sorted)."""
    if a.equals(b) and a.is_monotonic_increasing:
        return a
    return a.intersection(b).sort_values()


def check_factors(
    x: np.ndarray,
    names: pd.Index,
    *,
    periods_per_year: int | None = None,
    percent: bool = True,
    index: pd.Index | None = None,
) -> None:
    """The checks :func:`prepare` applies to the factor matrix of the common sample (no NaN rows):
    the units rule (no value no return can take, nor infinite; with ``percent``, no column that
    looks like percent at ``periods_per_year``, see :mod:`xlfactor.models.units`), no constant
    factor, no collinear factors. ``index`` (the rows' dates) names the date of a bad value."""
    by_column = np.asfortranarray(x)  # a few long columns: numpy reduces each in one contiguous run
    check_return_columns(by_column, names, "factors", index=index, periods_per_year=periods_per_year, percent=percent)
    check_factor_matrix(by_column, names, "the common sample")


def check_finite(values: np.ndarray, names: pd.Index, name: str) -> None:
    """Raise naming the first column of ``values`` (T, N) that holds +/-inf."""
    infinite = np.isinf(values).any(axis=0)
    if infinite.any():
        column = names[int(np.argmax(infinite))]
        raise XLFactorError.at(
            name, f"column '{column}' contains infinite values; replace them with NaN or fix the data"
        )


def check_factor_matrix(x: np.ndarray, names: pd.Index, where: str) -> None:
    """Raise if a factor is constant or the factors are collinear over rows ``x``.

    A factor is constant when its standard deviation is at most 1e-12 times its
    mean absolute value (or exactly zero). Collinearity: the correlation matrix has
    an eigenvalue below ``COLLINEAR_TOL``
    (:func:`xlfactor.models.covariance.check_nonsingular`); the factors with weight above
    1e-3 in the corresponding eigenvector are named.
    """
    centred = x - x.mean(axis=0)
    sd = np.sqrt((centred**2).mean(axis=0))
    scale = np.abs(x).mean(axis=0)
    for name, s, m in zip(names, sd, scale, strict=True):
        if s <= 1e-12 * m or s == 0.0:
            raise XLFactorError.at(
                "factors", f"column '{name}' is constant over {where}; drop it or use a longer sample"
            )
    if x.shape[1] < 2:
        return
    check_nonsingular(centred.T @ centred / x.shape[0], names, "factors", where=f" over {where}")


def _as_frame(obj: object, name: str) -> pd.DataFrame:
    if isinstance(obj, pd.Series):
        return obj.to_frame(name=obj.name if obj.name is not None else name)
    if isinstance(obj, pd.DataFrame):
        if obj.shape[1] == 0:
            raise XLFactorError.at(name, "the DataFrame has no columns")
        if obj.columns.duplicated().any():
            dup = obj.columns[obj.columns.duplicated()][0]
            raise XLFactorError.at(name, f"column '{dup}' appears more than once; give each column a unique name")
        return obj
    raise XLFactorError.at(name, f"expected a pandas Series or DataFrame with dates as index, got {type(obj).__name__}")


def _check_numeric(frame: pd.DataFrame, name: str) -> None:
    bad_columns = frame.select_dtypes(exclude="number").columns  # text, dates, booleans
    if len(bad_columns):
        column = bad_columns[0]
        bad = _first_non_number(frame[column])
        found = f" (found {bad!r})" if bad is not None else ""
        raise XLFactorError.at(
            name, f"column '{column}' is not numeric{found}; use numbers (blank/NaN for missing values)"
        )


def _first_non_number(column: pd.Series) -> object | None:
    for value in column:
        if value is None or isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
            continue
        return value
    return None


def _check_unique_dates(index: pd.Index, name: str) -> None:
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise XLFactorError.at(name, f"date {dup} appears more than once; keep one row per date")


def _rf_values(rf: object, index: pd.Index, y: np.ndarray) -> np.ndarray:
    if isinstance(rf, pd.DataFrame) and rf.shape[1] == 1:
        rf = rf.iloc[:, 0]
    if not isinstance(rf, pd.Series):
        raise XLFactorError.at(
            "rf", f"expected a pandas Series of risk-free returns indexed by date, got {type(rf).__name__}"
        )
    if not pd.api.types.is_numeric_dtype(rf.dtype) or pd.api.types.is_bool_dtype(rf.dtype):
        raise XLFactorError.at("rf", "the risk-free series is not numeric; use decimal returns")
    _check_unique_dates(rf.index, "rf")
    same = rf.index is index or rf.index.equals(index)
    values = (rf if same else rf.reindex(index)).to_numpy(dtype=float)
    missing = np.isnan(values)
    if missing.any():
        uncovered = missing & ~np.isnan(y).all(axis=1)
        n_missing = int(uncovered.sum())
        if n_missing:
            first = index[int(np.argmax(uncovered))]
            shown = f"{first:%Y-%m-%d}" if isinstance(first, pd.Timestamp) else str(first)
            raise XLFactorError.at(
                "rf",
                f"the risk-free rate is missing on {n_missing} of the {int((~np.isnan(y).all(axis=1)).sum())} "
                f"return dates (first {shown}); it must cover the sample",
                advice=(RF_ADVICE, EXCESS_ADVICE),
            )
    return values


def _span(index: pd.Index) -> str:
    if len(index) == 0:
        return "empty"
    return f"{index.min()} to {index.max()}"
