"""Factor arguments of the FM_ functions: a model name or a range, aligned with the returns.

A factor argument is either

- a **model name** (``"FF5"``, ``"CAPM"``, ...): then ``dates`` is required; the frequency
  is inferred from the dates (daily, weekly or monthly), the data come from
  ``xlfactor.data.load_factors`` and are matched to the dates by
  ``xlfactor.data.align`` (monthly by year-month, weekly by week); return rows with no
  factor row are dropped. The aligned factors are memoised per (model, frequency, data
  vintage, dates).
- a **range** of factor returns (header row optional, blanks missing): it must have as
  many rows as the returns. With ``dates`` both are indexed by them; without, the rows are
  taken as consecutive months (``DEFAULT_PERIODS_PER_YEAR``), stated in every argument
  description.

Either way an ``RF`` column (the models carry one) is the risk-free rate, never a factor.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlfactor import data
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert
from xlfactor.excel.memo import Memo, content_key, factor_cache
from xlfactor.models.frequency import frequency_code, periods_per_year

RF = "RF"
MODEL_FREQS = ("D", "W", "M")
DEFAULT_PERIODS_PER_YEAR = 12
dates_cache = Memo(64)
ppy_cache = Memo(64)
_FREQ_NAMES = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "A": "annual"}


@dataclass(frozen=True)
class Sample:
    """Returns and factors on the same rows, ready for the engine.

    Attributes
    ----------
    returns : DataFrame
        Rows x assets (decimals, NaN missing).
    factors : DataFrame
        Same index; factor columns, plus ``RF`` when the source has one.
    periods_per_year : int
        From the dates, or ``DEFAULT_PERIODS_PER_YEAR`` when none were given.
    key : str
        Content key of the whole sample, including the data vintage of a model.
    """

    returns: pd.DataFrame
    factors: pd.DataFrame
    periods_per_year: int
    key: str

    @property
    def factor_names(self) -> list[str]:
        """The factor columns (``RF`` excluded)."""
        return [c for c in self.factors.columns if c != RF]

    @property
    def regressors(self) -> pd.DataFrame:
        """The factor columns without ``RF``."""
        return self.factors[self.factor_names]

    def rf(self, excess: bool) -> pd.Series | None:
        """The risk-free rate to subtract from returns: ``RF`` when ``excess`` and present, else None."""
        return self.factors[RF] if excess and RF in self.factors.columns else None


def optional_dates(value: Any, arg: str = "dates") -> pd.DatetimeIndex | None:
    """``dates`` when given (memoised by the raw cells, as a recalculation repeats them), None when omitted."""
    if value is None:
        return None
    try:
        key: Hashable = ("dates", arg, tuple(map(tuple, value)) if isinstance(value, list) else value)
        hash(key)
    except TypeError:  # unhashable cells (e.g. Office.js error dicts): convert without the cache
        return convert.dates(value, arg)
    return dates_cache.get(key, lambda: convert.dates(value, arg))


def frequency(index: pd.DatetimeIndex, arg: str = "dates") -> str:
    """The model data frequency ("D", "W" or "M") matching ``index``; others raise."""
    code = frequency_code(_ppy(index))
    if code not in MODEL_FREQS:
        raise XLFactorError(
            f"{arg}: the dates are {_FREQ_NAMES[code]}; model factors come daily, weekly or monthly. "
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
            raise XLFactorError(
                f"{arg}: unknown model {name!r}; use one of {', '.join(models)} or a range of factor returns"
            ) from None
        if match == name:
            raise
        return match, data.data_vintage(match, freq)


def _aligned_model(model: str, freq: str, dates: pd.DatetimeIndex, vintage: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Positions of the return rows kept, and the model's factors on those rows (memoised)."""

    def compute() -> tuple[np.ndarray, pd.DataFrame]:
        factors = data.load_factors(model, freq)
        probe = pd.DataFrame({"row": np.arange(len(dates), dtype=float)}, index=dates)
        aligned = data.align(probe, factors)
        if len(aligned.factors) == 0:
            raise XLFactorError(
                f"dates: none of the dates ({_span(dates)}) overlap the {model} {_FREQ_NAMES[freq]} factor data "
                f"({_span(factors.index)}); check the dates, or refresh the factor data"
            )
        return aligned.returns["row"].to_numpy().astype(np.intp), aligned.factors

    return factor_cache.get(content_key("model", model, freq, vintage, dates), compute)


def _span(index: pd.Index) -> str:
    return f"{index.min():%Y-%m-%d} to {index.max():%Y-%m-%d}" if len(index) else "none"


def _same_length(n: int, other: int, arg: str, against: str) -> None:
    if n != other:
        raise XLFactorError(f"{arg}: {n} rows but {against} has {other}; select ranges with the same number of rows")


def _model_rows(value: Any, dates: pd.DatetimeIndex | None, arg: str) -> tuple[np.ndarray, pd.DataFrame, str]:
    """Kept row positions, aligned model factors and a key (model, frequency, vintage, dates)."""
    name = convert.model_name(value) or ""
    if dates is None:
        raise XLFactorError(f'dates: required when {arg} is a model name such as "{name}"; give the dates')
    freq = frequency(dates)
    name, version = resolve_model(name, freq, arg)
    rows, factors = _aligned_model(name, freq, dates, version)
    return rows, factors, content_key("model", name, freq, version, dates)


def factor_range(value: Any, dates: pd.DatetimeIndex | None, *, arg: str = "factors") -> pd.DataFrame:
    """A range of factor returns indexed by ``dates`` (or by row number when no dates)."""
    frame = convert.numbers(value, arg, label="Factor")
    if dates is not None:
        _same_length(len(frame), len(dates), arg, "dates")
        frame.index = dates
    return frame


def _ppy(dates: pd.DatetimeIndex | None) -> int:
    if dates is None:
        return DEFAULT_PERIODS_PER_YEAR
    return ppy_cache.get(content_key("ppy", dates), lambda: periods_per_year(dates))


def factor_data(value: Any, dates_value: Any, *, arg: str = "factors") -> tuple[pd.DataFrame, int, str]:
    """Factor returns from a model name (over ``dates``) or a range; periods per year; content key."""
    dates = optional_dates(dates_value)
    if convert.model_name(value) is not None:
        _, factors, key = _model_rows(value, dates, arg)
        return factors, _ppy(dates), key
    frame = factor_range(value, dates, arg=arg)
    return frame, _ppy(dates), content_key("range", frame)


def sample(returns_value: Any, factors_value: Any, dates_value: Any, *, returns_arg: str = "returns") -> Sample:
    """Returns (a range, header optional) and factors (a model name or a range) on common rows.

    Raises when lengths differ, dates are missing for a model, the dates do not overlap
    the model data, or too few rows remain for the number of factors.
    """
    returns = convert.numbers(returns_value, returns_arg)
    dates = optional_dates(dates_value)
    if dates is not None:
        _same_length(len(dates), len(returns), "dates", returns_arg)
        returns.index = dates
    if convert.model_name(factors_value) is not None:
        rows, factors, source = _model_rows(factors_value, dates, "factors")
        returns = returns.iloc[rows].set_axis(factors.index, axis=0)
    else:
        factors = factor_range(factors_value, dates)
        _same_length(len(factors), len(returns), "factors", returns_arg)
        source = "range"
    _check_rows(returns, factors, returns_arg)
    return Sample(returns, factors, _ppy(dates), content_key(source, returns, factors))


def _check_rows(returns: pd.DataFrame, factors: pd.DataFrame, arg: str) -> None:
    keep = factors.columns != RF
    names = factors.columns[keep]
    complete = ~np.isnan(factors.to_numpy(dtype=float)[:, keep]).any(axis=1)
    present = ~np.isnan(returns.to_numpy(dtype=float))
    usable = int((present & complete[:, None]).sum(axis=0).max()) if len(returns) else 0
    if usable < len(names) + 2:
        raise XLFactorError(
            f"{arg}: {usable} usable rows for {len(names)} factor(s); a regression needs at least {len(names) + 2} "
            "(number of factors + 2). Select more rows"
        )


def weights_for(value: Any, assets: pd.Index, arg: str = "weights") -> pd.Series:
    """Portfolio weights (a row or column, optionally labelled) matched to the returns' assets.

    Unlabelled weights must have one value per asset, in the order of the returns
    columns; labelled weights are matched by name (assets not listed get 0). Blank
    weights raise: a missing weight is not zero.
    """
    weights = convert.vector(value, arg, label="Asset")
    blank = np.flatnonzero(np.isnan(weights.to_numpy()))
    if blank.size:
        raise XLFactorError(f"{arg}: the weight of {weights.index[blank[0]]!r} is blank; enter 0 for no position")
    if all(label == f"Asset {i + 1}" for i, label in enumerate(weights.index)):
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


def model_or_error(value: Any, arg: str = "model") -> str:
    """A known model name (canonical spelling) from a single text cell, else an error listing the models."""
    name = convert.model_name(value)
    models = data.available_models()
    match = next((m for m in models if name is not None and m.lower() == name.lower()), None)
    if match is None:
        shown = "nothing" if name is None else repr(name)
        raise XLFactorError(f"{arg}: {shown} is not a model; use one of {', '.join(models)}")
    return match


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
    """Factor shocks labelled with factor names (label column or label row), or one per factor in order.

    Blank shocks are left out (those factors move by their implied amount).
    """
    shocks = convert.vector(value, arg, label="Shock")
    if all(label == f"Shock {i + 1}" for i, label in enumerate(shocks.index)):
        if len(shocks) != len(factors):
            raise XLFactorError(
                f"{arg}: {len(shocks)} unlabelled shocks for {len(factors)} factors; label them with factor names "
                f"({', '.join(map(str, factors))}) or give one per factor"
            )
        shocks.index = factors
    unknown = [str(s) for s in shocks.index if s not in factors]
    if unknown:
        raise XLFactorError(
            f"{arg}: {', '.join(map(repr, unknown))} not among the factors ({', '.join(map(str, factors))})"
        )
    return shocks.dropna()
