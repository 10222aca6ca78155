"""Argument validators shared by the models: each returns the clean value or raises
:class:`~xlfactor.errors.XLFactorError` naming the argument and what it expects.

Strings are refused even when they look like numbers (``"20"``): a model argument given as
text is a caller's mistake, and silently converting it hides where it came from.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError


def positive_number(value: object, name: str, what: str = "a positive number") -> float:
    """``value`` as a finite float > 0 (ints, floats, numpy scalars; not bool or text)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise XLFactorError.at(name, f"expected {what}, got {value!r}")
    out = float(value)
    if not np.isfinite(out) or out <= 0:
        raise XLFactorError.at(name, f"expected {what}, got {value!r}")
    return out


def whole_number(value: object, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``; floats with a fraction (2.5), bool and text are refused.

    An integral float (``2.0``, what Excel hands over) is accepted as the integer it equals.
    """
    bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise XLFactorError.at(name, f"expected a whole number {bounds}, got {value!r}")
    if not np.isfinite(float(value)) or float(value) != int(value):
        raise XLFactorError.at(name, f"expected a whole number {bounds}, got {value!r}")
    out = int(value)
    if out < minimum or (maximum is not None and out > maximum):
        raise XLFactorError.at(name, f"expected a whole number {bounds}, got {value!r}")
    return out


def fraction_pair(value: object, name: str, *, closed: bool = False) -> tuple[float, float]:
    """``value`` as two fractions ``(low, high)`` with ``0 < low < high < 1``
    (``0 <= low < high <= 1`` when ``closed``)."""
    rule = "0 <= low < high <= 1" if closed else "0 < low < high < 1"
    try:
        low, high = value  # type: ignore[misc]
        low, high = _finite_real(low), _finite_real(high)
    except (TypeError, ValueError):
        raise XLFactorError.at(name, f"expected two fractions {rule}, e.g. (0.3, 0.7); got {value!r}") from None
    ok = (0 <= low < high <= 1) if closed else (0 < low < high < 1)
    if not ok:
        raise XLFactorError.at(name, f"expected two fractions {rule}, e.g. (0.3, 0.7); got {value!r}")
    return low, high


def increasing_fractions(value: object, name: str, example: str) -> tuple[float, ...]:
    """``value`` as one or more strictly increasing fractions, each in ``(0, 1)``.

    ``example`` shows a valid value in the message, e.g. ``"(0.3, 0.7)"``.
    """
    try:
        out = tuple(_finite_real(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise XLFactorError.at(
            name, f"expected increasing fractions in (0, 1), e.g. {example}; got {value!r}"
        ) from None
    if not out or not all(0 < v < 1 for v in out) or any(np.diff(out) <= 0):
        raise XLFactorError.at(name, f"expected increasing fractions in (0, 1), e.g. {example}; got {value!r}")
    return out


def numeric_frame(frame: pd.Series | pd.DataFrame, name: str, what: str = "numbers") -> pd.Series | pd.DataFrame:
    """``frame`` as floats; text or other non-numbers and +/-inf raise (NaN stays: it means missing).

    ``what`` names the expected values in the message, e.g. ``"weights"``.
    """
    try:
        out = frame.astype(float)
    except (TypeError, ValueError):
        raise XLFactorError.at(name, f"contains non-numeric values; use {what} (blank/NaN for missing)") from None
    if np.isinf(out.to_numpy()).any():
        raise XLFactorError.at(name, "contains infinite values; replace them with NaN or fix the data")
    return out


def fraction(value: object, name: str, *, include_zero: bool = False, example: str) -> float:
    """``value`` as a finite float in ``(0, 1)``, or ``[0, 1)`` when ``include_zero`` (not bool or text).

    ``example`` ends the out-of-range message, e.g. ``"use e.g. 0.99 for 99%"``.
    """
    interval = "[0, 1)" if include_zero else "(0, 1)"
    try:
        out = _finite_real(value)
    except ValueError:
        raise XLFactorError.at(name, f"expected a number in {interval}, got {value!r}") from None
    if not (0 <= out < 1 if include_zero else 0 < out < 1):
        raise XLFactorError.at(name, f"{value!r} is outside {interval}; {example}")
    return out


def _finite_real(value: object) -> float:
    """A finite real number (not bool or text) as float; ValueError otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)):
        raise ValueError(value)
    return float(value)


def listed(items: object, limit: int = 10) -> str:
    """Names for a message, as a reader (not Python) writes them: ``'A', 'B', 'C'``; past ``limit``,
    ``'A', ..., 'J' and 5 more``. Dates show as ``2020-01-31``."""
    names = [f"'{day(v)}'" for v in items]  # type: ignore[union-attr]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def day(value: object) -> str:
    """A date as ``2020-01-31`` (a Timestamp without its time of day); anything else as text."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return f"{value:%Y-%m-%d}"
    return str(value)
