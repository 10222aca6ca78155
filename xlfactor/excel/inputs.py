"""Factor arguments of the FM_ functions: a model name or a range, aligned with the returns.

A factor argument is either

- a **model name** (``"FF5"``, ``"CAPM"``, ...): then ``dates`` is required; the frequency
  is inferred from the dates (daily, weekly or monthly), the data come from
  ``xlfactor.data.load_factors`` and are matched to the dates by
  ``xlfactor.data.align`` (monthly by year-month, weekly by week); return rows with no
  factor row are dropped. The aligned factors are memoised per (model, frequency, data
  vintage, dates).
- a **range** of factor returns (header row optional, blanks missing): it must have as
  many rows as the returns. With ``dates`` both are indexed by them; without, the
  frequency is unknown: betas, t-statistics, R-squared and per-period figures work,
  annualised figures raise (:func:`need_frequency`).

Either way an ``RF`` column (the models carry one) is the risk-free rate, never a factor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from xlfactor import data
from xlfactor.data.catalog import MODEL_FREQS, MODELS, model_names_hint
from xlfactor.data.periods import period_labels
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert
from xlfactor.excel.convert import Grid
from xlfactor.excel.guard import locate
from xlfactor.excel.memo import MISSING, Depends, Memo, content_key, factor_cache, fit_cache, once_per_call
from xlfactor.models import RF_COLUMN
from xlfactor.models.frequency import frequency_code, frequency_name, periods_per_year
from xlfactor.models.regression import CheckedFactors, RegressionResult, check_factor_frame, regress

ANNUALIZE_FIX = "or set annualize FALSE"
#: More than this share of the dates without a factor row (of a model) is an error naming them.
MAX_DROPPED_SHARE = 0.1
dates_cache = Memo(64)
date_keys = Memo(64)


@dataclass(frozen=True)
class Fit:
    """The regression :func:`sample` runs when asked (``fit=``): ``xf.regress`` of the returns on the factors
    with these options (``excess``: the factors' RF subtracted from the returns)."""

    cov: str = "nonrobust"
    lags: int | None = None
    excess: bool = True
    units: str = "auto"


@dataclass(frozen=True)
class Sample:
    """Returns and factors on the same rows, ready for the engine.

    Attributes
    ----------
    returns : DataFrame
        Returns, rows x assets (decimals, NaN missing), on the rows of ``factors``; the columns are the
        returns' header, or ``Asset 1``, ...
    factors : DataFrame
        Factor columns, plus ``RF`` when the source has one.
    periods_per_year : int or None
        From the dates; None for a factor range without dates: the frequency is unknown,
        which the engine takes as is (annualised figures raise; see :func:`need_frequency`).
    key : str
        Content key of the whole sample, including the data vintage of a model.
    model : ModelData or None
        The aligned model data when the factors came from a model name.
    given : int
        Rows of returns given (after trailing blank rows are cut).
    dropped : int
        Of those, rows left out because they have no complete factor row (dates outside a
        model's data, blank factor cells): the regressions run on ``given - dropped`` rows
        at most (fewer for an asset with blank returns).
    regression : RegressionResult or None
        The regression asked for with ``sample(..., fit=...)`` (memoised by content), else None.
    """

    returns: pd.DataFrame
    factors: pd.DataFrame
    periods_per_year: int | None
    key: str
    model: ModelData | None = None
    given: int = 0
    dropped: int = 0
    regression: RegressionResult | None = None

    @property
    def assets(self) -> pd.Index:
        """Asset names (the returns' header, or ``Asset 1``, ...)."""
        return self.returns.columns

    @property
    def factor_names(self) -> list[str]:
        """The factor columns (``RF`` excluded)."""
        return [c for c in self.factors.columns if c != RF_COLUMN]

    @property
    def regressors(self) -> pd.DataFrame:
        """The factor columns without ``RF``."""
        return self.factors[self.factor_names]

    def rf(self, excess: bool) -> pd.Series | None:
        """The risk-free rate to subtract from returns (:func:`risk_free`)."""
        return risk_free(self.factors, self.model, excess)


def risk_free(factors: pd.DataFrame, model: ModelData | None, excess: bool) -> pd.Series | None:
    """The risk-free rate to subtract from returns: ``RF`` when ``excess`` and present, else None (the engine
    checks that it covers the returns)."""
    if not excess:
        return None
    if model is not None:
        return model.checked.rf  # None when the model has no RF
    return factors[RF_COLUMN] if RF_COLUMN in factors.columns else None


def optional_dates(value: Any) -> pd.DatetimeIndex | None:
    """The ``dates`` argument (raw cells, or a date Grid from :func:`common_rows`) as dates, memoised by
    the cells (a recalculation repeats them): parsed only on a miss. None when omitted."""
    if value is None:
        return None
    return once_per_call(("dates", id(value)), value, lambda: _cached_dates(value))


def _cached_dates(value: Any) -> pd.DatetimeIndex:
    rows = value.rows if isinstance(value, Grid) else value
    try:
        key: Hashable = ("dates", tuple(map(tuple, rows)) if isinstance(rows, list) else rows)
        hash(key)
    except TypeError:  # unhashable cells (e.g. Office.js error dicts): convert without the cache
        return _parse_dates(value)
    return dates_cache.get(key, lambda: _parse_dates(value))


def _parse_dates(value: Any) -> pd.DatetimeIndex:
    return convert.grid_dates(value if isinstance(value, Grid) else Grid.of(value, "dates", dates=True))


def frequency(index: pd.DatetimeIndex, arg: str = "dates", *, ppy: int | None = None) -> str:
    """The model data frequency ("D", "W" or "M") matching ``index`` (``ppy``: its periods per year); others raise."""
    code = frequency_code(_ppy(index) if ppy is None else ppy)
    if code not in MODEL_FREQS:
        raise XLFactorError(
            f"{arg}: the dates are {frequency_name(code)}; model factors come daily, weekly or monthly. "
            "Give a factor range instead of a model name"
        )
    return code


def resolve_model(name: str, freq: str, arg: str = "factors") -> tuple[str, str]:
    """The model's canonical name and ``data_vintage``; an unknown model raises, listing the known ones.

    Built-in names are case-insensitive in the data layer; registered names are matched
    case-insensitively here (one extra lookup, only when the first attempt fails).
    """
    try:
        return name, data.data_vintage(name, freq)
    except XLFactorError:
        models = data.available_models()
        match = next((m for m in models if m.lower() == name.lower()), None)
        if match is None:
            fix = "" if arg == "models" else "; or select a range of factor returns"
            raise XLFactorError(f"{arg}: unknown model {name!r}; {known_models(models)}{fix}") from None
        if match == name:
            raise
        return match, data.data_vintage(match, freq)


@dataclass(frozen=True)
class ModelData:
    """A model's factors matched to the rows of one ``dates`` column (memoised in ``factor_cache``).

    Attributes
    ----------
    rows : np.ndarray
        Positions of the return rows that have a factor row, in date order.
    factors : DataFrame
        The model's factors (then ``RF``) on those rows, indexed by the factors' dates.
    complete : np.ndarray
        Per row of ``factors``: True when every factor (``RF`` aside) is present.
    periods_per_year : int
        From the dates.
    key : str
        Content key: model, frequency, data vintage, dates. It identifies ``factors``.
    """

    rows: np.ndarray
    factors: pd.DataFrame
    complete: np.ndarray
    periods_per_year: int
    key: str

    @cached_property
    def checked(self) -> CheckedFactors:
        """The factors checked by the engine's factor rules, once per (model, vintage, dates); raises like
        ``xf.regress`` for a constant or collinear factor (and is then not kept)."""
        return check_factor_frame(self.factors)


def model_data(value: Any, dates: pd.DatetimeIndex | None, arg: str = "factors") -> ModelData:
    """The factors of the model named by ``value`` on ``dates``, for the current data vintage.

    The vintage is read on every call (one small query; once per Excel function call,
    shared with the cell memo's lookup), so a refresh is seen at once; the alignment
    itself is computed once per (model, frequency, vintage, dates).
    """
    name = convert.model_name(value) or ""
    if dates is None:
        raise XLFactorError(f'dates: required when {arg} is a model name such as "{name}"; give the dates')
    return once_per_call(("model_data", name, arg, id(dates)), dates, lambda: _model_data(name, dates, arg))


def _model_data(name: str, dates: pd.DatetimeIndex, arg: str) -> ModelData:
    ppy = _ppy(dates)
    freq = frequency(dates, ppy=ppy)
    name, version = resolve_model(name, freq, arg)
    dates_id = dates_key(dates)

    def align() -> ModelData:
        return _align_model(name, freq, version, dates, ppy, content_key("model", name, freq, version, dates_id))

    return factor_cache.get(("model", name, freq, version, dates_id), align)  # the content key: on a miss only


@dataclass(frozen=True)
class _FactorTable:
    """A model's full factor frame at one data vintage, with the period label of each row.

    ``keys`` (the rows' unique period labels as sorted nanosecond stamps), ``order`` (the row of
    each key) and ``code`` (the frame's frequency) are None when the frame is unusual (fewer
    than two rows, repeated periods, dates with a time zone): then alignment goes through
    ``xlfactor.data.align``, which reports it. ``values`` (the factors as one float matrix) is
    None unless every column is a float.
    """

    frame: pd.DataFrame
    keys: np.ndarray | None
    order: np.ndarray | None
    code: str | None
    values: np.ndarray | None = None


def _factor_table(model: str, freq: str, version: str) -> _FactorTable:
    """The model's factors and their period labels, computed once per (model, frequency, vintage)."""

    def build() -> _FactorTable:
        frame = data.load_factors(model, freq)
        if len(frame) < 2 or getattr(frame.index, "tz", None) is not None:
            return _FactorTable(frame, None, None, None)
        code = frequency_code(periods_per_year(frame.index))
        labels = _stamps(period_labels(frame.index, code))
        order = np.argsort(labels, kind="stable")
        keys = labels[order]
        if (keys[1:] == keys[:-1]).any():
            return _FactorTable(frame, None, None, None)
        values = frame.to_numpy()
        return _FactorTable(frame, keys, order, code, values if values.dtype == np.float64 else None)

    return factor_cache.get(("table", model, freq, version), build)


def _stamps(index: pd.DatetimeIndex) -> np.ndarray:
    """The dates of a time-zone-free index as int64 nanoseconds."""
    return np.asarray(index.values, dtype="datetime64[ns]").view(np.int64)


def stored_history(value: Any, freq: str, arg: str = "factors") -> tuple[str, pd.DataFrame]:
    """The canonical name and the full stored factor history of the model named by ``value`` at ``freq``
    (memoised per data vintage); a model not stored at ``freq`` raises."""
    name, version = resolve_model(convert.model_name(value) or "", freq, arg)
    return name, _factor_table(name, freq, version).frame


def history_vintages(value: Any) -> Hashable:
    """The data vintages of the model named by ``value`` at every frequency it is stored at ("range" for a
    factor range): what a result replaying its stored history depends on, besides the cells."""
    name = convert.model_name(value)
    if name is None:
        return "range"
    vintages = []
    for freq in MODEL_FREQS:
        try:
            vintages.append(resolve_model(name, freq)[1])
        except XLFactorError:
            vintages.append(None)  # not stored at this frequency
    return tuple(vintages)


def _align_model(model: str, freq: str, version: str, dates: pd.DatetimeIndex, ppy: int, key: str) -> ModelData:
    """Match each date to the factor row of its period, exactly as ``xlfactor.data.align`` does.

    Fast path: the factor rows' period labels are kept per vintage, so only the dates'
    labels are computed here; anything unusual (frequencies that differ, two dates in
    one period) goes through ``data.align`` for its checks and messages.
    """
    table = _factor_table(model, freq, version)
    factors = table.frame
    labels = None
    if table.keys is not None and table.code == freq and dates.tz is None:
        labels = _stamps(period_labels(dates, freq))
        order = np.argsort(labels, kind="stable")
        labels = labels[order]
    if labels is None or (labels[1:] == labels[:-1]).any():
        probe = pd.DataFrame({"row": np.arange(len(dates), dtype=float)}, index=dates)
        aligned = data.align(probe, factors)
        rows, matched = aligned.returns["row"].to_numpy().astype(np.intp), aligned.factors
    else:  # each label's row in the table, by binary search over the table's sorted labels
        at = np.minimum(np.searchsorted(table.keys, labels), len(table.keys) - 1)
        found = table.keys[at] == labels
        rows, position = order[found], table.order[at[found]]
        index = pd.DatetimeIndex(factors.index.values[position], name=factors.index.name)
        if table.values is None:
            matched = factors.iloc[position].copy()
            matched.index = index
        else:
            matched = pd.DataFrame(table.values[position], index=index, columns=factors.columns, copy=False)
    _check_coverage(dates, rows, factors.index, model, freq)
    if len(matched) == 0:
        raise XLFactorError(
            f"dates: none of the dates ({_span(dates)}) overlap the {model} {frequency_name(freq)} factor data "
            f"({_span(factors.index)}); check the dates, or refresh the factor data"
        )
    return ModelData(rows, matched, _complete_rows(matched), ppy, key)


def _check_coverage(dates: pd.DatetimeIndex, rows: np.ndarray, factor_dates: pd.Index, model: str, freq: str) -> None:
    """Refuse dates of which more than :data:`MAX_DROPPED_SHARE` have no factor row: those rows
    would silently drop out. A few unmatched dates (a holiday, the latest month not published
    yet) pass; the functions that show observations show how many rows were used."""
    dropped = len(dates) - len(rows)
    if dropped <= MAX_DROPPED_SHARE * len(dates) or len(rows) == 0:  # none at all: the "none overlap" message
        return
    missing = dates[np.setdiff1d(np.arange(len(dates)), rows)].sort_values()
    first, last = factor_dates.min(), factor_dates.max()
    if (missing > last).any():
        fix = f"run Refresh data, or end the range by {last:%Y-%m-%d}"
    elif (missing < first).any():
        fix = f"start the range on or after {first:%Y-%m-%d}"
    else:
        fix = "check those dates"
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in missing[:3]) + (f", ... {missing[-1]:%Y-%m-%d}" if dropped > 3 else "")
    raise XLFactorError(
        f"dates: {dropped} of {len(dates)} dates have no {model} {frequency_name(freq)} factor data ({shown}); "
        f"the factor data run from {first:%Y-%m-%d} to {last:%Y-%m-%d}, and more than "
        f"{MAX_DROPPED_SHARE:.0%} of the rows may not be dropped; {fix}"
    )


def _complete_rows(factors: pd.DataFrame) -> np.ndarray:
    """True for the rows where every factor column (``RF`` aside) is present."""
    keep = [j for j, c in enumerate(factors.columns) if c != RF_COLUMN]
    return ~np.isnan(factors.to_numpy(dtype=float)[:, keep]).any(axis=1)


def data_token(factors_value: Any, dates_value: Any, arg: str = "factors") -> Hashable:
    """What, besides the raw cells, a result over these factors depends on (for the cell memo).

    A model name gives its :class:`ModelData` key (model, frequency, data vintage, dates);
    a range of numbers gives ``"range"`` (its content is in the cells themselves).
    Raises like :func:`sample` when the model or dates are unusable.
    """
    if convert.model_name(factors_value) is None:
        return "range"
    return model_data(factors_value, common_rows(dates_value, [])[0], arg).key


def factors_depend(factors: str = "factors", dates: str = "dates") -> Depends:
    """``depends`` for :func:`xlfactor.excel.udf.excel_function`: :func:`data_token` of two arguments."""
    return Depends((factors, dates), lambda value, dates_value: data_token(value, dates_value, factors))


#: ``depends`` of the functions whose ``factors`` argument may name a model (with ``dates``).
FACTOR_DATA = factors_depend()


def _span(index: pd.Index) -> str:
    return f"{index.min():%Y-%m-%d} to {index.max():%Y-%m-%d}" if len(index) else "none"


def _same_length(n: int, other: int, arg: str, against: str) -> None:
    if n != other:
        raise XLFactorError(f"{arg}: {n} rows but {against} has {other}; select ranges with the same number of rows")


def factor_range(cells: convert.Numbers, dates: pd.DatetimeIndex | None, rows: int | None = None) -> pd.DataFrame:
    """A range of factor returns (its first ``rows`` data rows; None: all) indexed by ``dates`` (or by row
    number when no dates).

    A column headed ``RF`` in any case (``rf``, ``Rf``) is the risk-free rate, renamed ``RF``.
    """
    arg = cells.arg
    frame = pd.DataFrame(cells.values[:rows], columns=cells.labels, copy=False)
    rf = [c for c in frame.columns if str(c).upper() == RF_COLUMN]
    if len(rf) > 1:
        raise XLFactorError(f"{arg}: {len(rf)} columns are headed RF ({', '.join(rf)}); keep one risk-free column")
    if rf and rf[0] != RF_COLUMN:
        frame = frame.rename(columns={rf[0]: RF_COLUMN})
    if dates is not None:
        _same_length(len(frame), len(dates), arg, "dates")
        frame.index = dates
    header = int(cells.header)
    shape = (len(frame) + header, len(frame.columns))
    locate(arg, _cell_locator(header, shape, frame.columns, frame.index, np.arange(len(frame))))
    return frame


def _ppy(dates: pd.DatetimeIndex | None) -> int | None:
    """Periods per year of the dates (once per index object); None without dates (the frequency is then
    unknown). Irregular dates raise, every time."""
    if dates is None:
        return None
    entry = _dates_entry(dates)
    if entry[2] is MISSING:
        entry[2] = periods_per_year(dates)
    return entry[2]


def dates_key(dates: pd.DatetimeIndex) -> str:
    """The content key of ``dates``, computed once per index object: the dates memo hands the same object to
    every recalculation with the same cells, so a repeat costs a lookup by identity."""
    return _dates_entry(dates)[1]


def _dates_entry(dates: pd.DatetimeIndex) -> list:
    """``[dates, content key, periods per year or MISSING]``, kept per index object in :data:`date_keys`."""
    entry = date_keys.lookup(id(dates))
    if entry is MISSING or entry[0] is not dates:  # the entry holds the index: its id is not reused meanwhile
        entry = date_keys.store(id(dates), [dates, content_key("dates", dates), MISSING])
    return entry


def need_frequency(ppy: int | None, fix: str | None = ANNUALIZE_FIX) -> int:
    """``ppy`` when the frequency is known; without dates (None) a figure that needs it raises.

    A factor range without dates says nothing about its frequency: annualising it would
    guess (12 periods a year turns daily data 21x wrong). Betas, t-statistics, R-squared and
    per-period figures need no frequency.
    """
    if ppy is None:
        raise XLFactorError("dates: give the dates of the rows so the frequency is known" + (f", {fix}" if fix else ""))
    return ppy


def _ends_blank(value: Any) -> bool:
    """True when a range argument (2-D or flat list) ends with a row of blank cells."""
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return False
    last = value[-1]
    return all(convert.is_blank(c) for c in last) if isinstance(last, (list, tuple)) else convert.is_blank(last)


def factor_data(value: Any, dates_value: Any, *, arg: str = "factors") -> tuple[pd.DataFrame, int | None, str]:
    """Factor returns from a model name (over ``dates``) or a range; periods per year (None: a range
    without dates, frequency unknown); content key."""
    if convert.model_name(value) is not None:
        found = model_data(value, common_rows(dates_value, [])[0], arg)
        return found.factors, found.periods_per_year, found.key
    blank_model(value, arg)
    table = convert.read_numbers(value, arg, label="Factor")
    dates, cut = common_rows(dates_value, [(len(table.values), table.filled)])
    frame = factor_range(table, dates, cut)
    return frame, _ppy(dates), content_key("range", frame)


def _shape_hint(shape: tuple[int, int], header: bool, arg: str, other: int, against: str) -> None:
    """Clearer messages for two common layouts that give a row-count mismatch (``shape``: the data rows and
    columns of ``arg``, ``header``: whether it has a header row)."""
    rows, cols = shape
    if rows == 1 and other > 1:
        raise XLFactorError(
            f"{arg}: one row of {cols} values but {against} has {other} rows; give one column per asset "
            "and one row per date (transpose the range)"
        )
    if rows == other + 1 and not header:
        raise XLFactorError(
            f"{arg}: {rows} rows, one more than {against} ({other}); if the first row names the assets with "
            "numbers (tickers such as 7203), enter them as text (type '7203) so they are read as a header"
        )


def _check_rows(shape: tuple[int, int], header: bool, arg: str, other: int, against: str) -> None:
    """Refuse ``arg`` (``shape``: its data rows and columns) when its row count differs from ``against``'s."""
    if shape[0] != other:
        _shape_hint(shape, header, arg, other, against)
        _same_length(other, shape[0], against, arg)


def sample(
    returns_value: Any,
    factors_value: Any,
    dates_value: Any,
    *,
    returns_arg: str = "returns",
    factors_arg: str = "factors",
    fit: Fit | None = None,
) -> Sample:
    """Returns (a range, header optional) and factors (a model name or a range) on common rows; with ``fit``,
    their regression too (memoised by content in :data:`~xlfactor.excel.memo.fit_cache`).

    Each range is read once (:func:`~xlfactor.excel.convert.read_numbers`); the trailing rows blank in
    every row-aligned range are dropped (:func:`_common_rows`). Raises when lengths differ, dates are
    missing for a model, the dates do not overlap the model data (or too many have no factor row). The
    values themselves are checked by the engine, once, when they are used; the cells of the returns (and
    of a factor range) are registered with :func:`~xlfactor.excel.guard.locate`, so that its messages
    point at the cell. ``factors_arg`` names the factors in messages.

    The returns are read, aligned and handed to the engine here and nowhere else in the Excel layer (a
    test counts the functions they pass through), so this function does all three in one place.
    """
    is_model = convert.model_name(factors_value) is not None
    if not is_model:
        blank_model(factors_value, factors_arg)
    cells = convert.read_numbers(returns_value, returns_arg)
    table = None if is_model else convert.read_numbers(factors_value, factors_arg, label="Factor")
    layouts = [(len(cells.values), cells.filled)] + ([] if table is None else [(len(table.values), table.filled)])
    dates, cut = common_rows(dates_value, layouts)
    values = cells.values[:cut]
    given, header = len(values), int(cells.header)
    if dates is not None:
        _check_rows(values.shape, cells.header, returns_arg, len(dates), "dates")
    if table is None:
        model = model_data(factors_value, dates, factors_arg)
        values, factors, complete = values[model.rows], model.factors, model.complete
        source, ppy, rows = model.key, model.periods_per_year, model.rows
    else:
        model = None
        factors = factor_range(table, dates, cut)
        _check_rows(values.shape, cells.header, returns_arg, len(factors), factors_arg)
        complete, source, ppy = _complete_rows(factors), content_key("range", factors), _ppy(dates)
        rows = np.arange(given)
    locate(returns_arg, _cell_locator(header, (given + header, len(cells.labels)), cells.labels, factors.index, rows))
    frame = pd.DataFrame(values, index=factors.index, columns=cells.labels, copy=False)
    digest = hashlib.blake2b(values.tobytes(), digest_size=16)  # the content key: numbers, shape, names, source
    digest.update(repr((source, values.shape, cells.names)).encode())
    key = digest.hexdigest()
    regression = None
    if fit is not None:
        fit_key = ("regress", key, fit)
        regression = fit_cache.lookup(fit_key)
        if regression is MISSING:
            engine_factors = factors if model is None else model.checked  # a model's: checked once per vintage
            regression = fit_cache.store(
                fit_key,
                regress(
                    frame,
                    engine_factors,
                    cov=fit.cov,
                    lags=fit.lags,
                    rf=risk_free(factors, model, fit.excess),
                    periods_per_year=ppy,
                    units=fit.units,
                ),
            )
    return Sample(frame, factors, ppy, key, model, given, given - int(complete.sum()), regression)


def common_rows(dates_value: Any, layouts: list[tuple[int, int]]) -> tuple[pd.DatetimeIndex | None, int | None]:
    """The dates, and how many data rows of the row-aligned ranges to keep (None: all).

    ``layouts`` gives each numeric range's data rows and its rows up to the last holding a number. A
    range selected larger than its data (``B2:B300`` for 60 rows) is common: the rows are cut to the
    last holding data in any of the ranges (dates included). Interior blanks stay (missing values).
    Nothing is cut when the dates form a row. The dates' raw cells are looked up in their memo
    (:func:`optional_dates`) and parsed only on a miss.
    """
    if not (_ends_blank(dates_value) or any(filled < rows for rows, filled in layouts)):
        return optional_dates(dates_value), None
    if dates_value is None:
        return None, max(filled for _, filled in layouts)
    cells = Grid.of(dates_value, "dates", dates=True)
    if cells.was_row:
        return optional_dates(cells), None
    cut = max(cells.filled, *(filled for _, filled in layouts))
    return optional_dates(cells.head(cut)), cut


def blank_model(value: Any, arg: str = "factors") -> None:
    """Refuse a factor argument that is one blank cell (an empty model-name cell), with the fix."""
    if value is None or (not isinstance(value, (list, tuple)) and convert.is_blank(value)):
        blank = True
    else:
        rows = convert.grid(value, arg)
        blank = len(rows) == 1 and len(rows[0]) == 1 and convert.is_blank(rows[0][0])
    if blank:
        fix = 'model names (e.g. "CAPM, FF3, FF5")' if arg == "models" else 'a model name (e.g. "FF5")'
        alternative = "" if arg == "models" else " or select the range of factor returns"
        raise XLFactorError(f"{arg}: the cell is blank; enter {fix}{alternative}")


def _cell_locator(
    header: int, shape: tuple[int, int], columns: pd.Index, index: pd.Index, rows: np.ndarray
) -> Callable:
    """``(column, row) -> "row 9, column 3 of the range"``: where an engine error's column and row labels
    sit in the selected range (``header``: 1 with a header row, ``shape``: the range's rows and columns,
    ``rows``: the range's data row of each row of the frame the engine got)."""

    def place(column: Hashable, row: Hashable) -> str | None:
        try:
            col = columns.get_loc(column)
            at = index.get_loc(row)
        except (KeyError, TypeError):
            return None
        if not isinstance(col, int) or not isinstance(at, int):
            return None
        return convert.cell_place(int(rows[at]) + header, col, shape)

    return place


def _by_position(values: pd.Series, origin: str, names: pd.Index) -> bool:
    """True when ``values`` are to be matched to ``names`` by position, not by label: no labels
    were given, or one value sits under a text cell that names none of ``names`` while there is
    only one name (a column title such as "Weight" over a single asset's weight)."""
    if origin == convert.NO_LABELS:
        return True
    return origin == convert.LABEL_FROM_HEADER and values.index[0] not in names and len(names) == 1


def weights_for(value: Any, assets: pd.Index, arg: str = "weights") -> pd.Series:
    """Portfolio weights (a row or column, optionally labelled) matched to the returns' assets.

    Unlabelled weights must have one value per asset, in the order of the returns
    columns; labelled weights are matched by name (assets not listed get 0), also when
    the returns' header reads "Asset 1", "Asset 2", ... Blank weights raise: a missing
    weight is not zero.
    """
    weights, origin = convert.labelled_vector(value, arg, label="Asset")
    blank = np.flatnonzero(np.isnan(weights.to_numpy()))
    if blank.size:
        raise XLFactorError(f"{arg}: the weight of {weights.index[blank[0]]!r} is blank; enter 0 for no position")
    if _by_position(weights, origin, assets):
        if len(weights) != len(assets):
            raise XLFactorError(
                f"{arg}: {len(weights)} weights for {len(assets)} assets; give one weight per returns column "
                "(in the same order) or label the weights with the asset names"
            )
        return pd.Series(weights.to_numpy(), index=assets, name=arg)
    unknown = [str(a) for a in weights.index if a not in assets]
    if unknown:
        raise XLFactorError(
            f"{arg}: {', '.join(map(repr, unknown[:5]))} not among the returns' assets "
            f"({', '.join(map(str, assets[:12]))}{', ...' if len(assets) > 12 else ''}); match the returns header"
        )
    return weights.reindex(assets, fill_value=0.0).rename(arg)


def portfolio(weights: Any, benchmark: Any, assets: pd.Index) -> tuple[pd.Series, pd.Series | None]:
    """Weights and optional benchmark weights matched to the returns' assets (:func:`weights_for`)."""
    bench = None if benchmark is None else weights_for(benchmark, assets, "benchmark")
    return weights_for(weights, assets), bench


def model_or_error(value: Any, arg: str = "model") -> str:
    """A known model name (canonical spelling) from a single text cell, else an error listing the models."""
    name = convert.model_name(value)
    models = data.available_models()
    match = next((m for m in models if name is not None and m.lower() == name.lower()), None)
    if match is None:
        if name is None:
            cell = convert.single(value, arg)
            if convert.is_blank(cell):
                raise XLFactorError(f"{arg}: required; give a model name ({model_names_hint()})")
            name = cell
        raise XLFactorError(f"{arg}: {name!r} is not a model; {known_models(models)}")
    return match


def known_models(models: list[str]) -> str:
    """The models a name may be: the built-in naming scheme, then any registered factor sets."""
    registered = [m for m in models if m not in MODELS]
    return model_names_hint() + (f"; registered factor sets: {', '.join(registered)}" if registered else "")


def asset_name(value: Any, assets: pd.Index, arg: str = "asset") -> str:
    """One of the returns' asset names; may be omitted when there is only one asset."""
    value = convert.single(value, arg)
    listed = ", ".join(map(str, assets[:12])) + (", ..." if len(assets) > 12 else "")
    if convert.is_blank(value):
        if len(assets) == 1:
            return str(assets[0])
        raise XLFactorError(f"{arg}: returns has {len(assets)} assets; name the one to size ({listed})")
    name = str(value).strip()
    if name not in assets:
        raise XLFactorError(f"{arg}: {name!r} is not a returns column ({listed}); use a name from the header row")
    return name


def shocks_for(value: Any, factors: pd.Index, arg: str = "shocks") -> pd.Series:
    """Factor shocks (:func:`factor_values`); blank shocks are left out (those factors move by their
    implied amount)."""
    return factor_values(value, factors, arg, what="shocks")


def factor_values(value: Any, factors: pd.Index, arg: str, *, what: str) -> pd.Series:
    """One number per factor (``what``: "shocks", "premia", ... for messages), labelled with factor names
    (label column or label row; one value may sit beside or under its factor's name), or one per factor
    in order. Blank values are left out; unknown names raise.
    """
    values, origin = convert.labelled_vector(value, arg, label="Value")
    if _by_position(values, origin, factors):
        if len(values) != len(factors):
            raise XLFactorError(
                f"{arg}: {len(values)} unlabelled {what} for {len(factors)} factors; label them with factor names "
                f"({', '.join(map(str, factors))}) or give one per factor"
            )
        values.index = factors
    unknown = [str(s) for s in values.index if s not in factors]
    if unknown:
        raise XLFactorError(
            f"{arg}: {', '.join(map(repr, unknown))} not among the factors ({', '.join(map(str, factors))})"
        )
    return values.dropna()
