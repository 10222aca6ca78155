"""Linking per-period return contributions over many periods so that they add up to the compounded total.

Per-period contributions ``c_{t,j}`` that add up to the period's (active) return
``sum_j c_{t,j} = r_t - b_t`` do not add up over periods to the compounded (active) return
``R - B`` with ``R = prod_t (1 + r_t) - 1`` and ``B = prod_t (1 + b_t) - 1`` (``b = 0``
without a benchmark). A linking method scales each period's contributions so that they do:

* Carino (1999): ``k_t = (ln(1 + r_t) - ln(1 + b_t)) / (r_t - b_t)`` (``1 / (1 + r_t)`` when
  ``r_t = b_t``), ``k = (ln(1 + R) - ln(1 + B)) / (R - B)`` (``1 / (1 + R)`` when ``R = B``);
  linked ``C_j = sum_t c_{t,j} k_t / k``.
* Menchero (2000): ``M = (R - B) / (T ((1 + R)^(1/T) - (1 + B)^(1/T)))`` (``(1 + R)^(1 - 1/T)``
  when ``R = B``), ``A_t = (R - B - M sum_s (r_s - b_s)) (r_t - b_t) / sum_s (r_s - b_s)^2``;
  linked ``C_j = sum_t c_{t,j} (M + A_t)``.

Both give ``sum_j C_j = R - B`` exactly (to rounding).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError

Linking = Literal["carino", "menchero"]
LINKING_METHODS = ("carino", "menchero")
#: Two returns closer than this are treated as equal (the coefficients take their limits).
_EQUAL = 1e-12


def check_linking(linking: object) -> str:
    """``linking`` as one of :data:`LINKING_METHODS` (case-insensitive); anything else raises."""
    if not isinstance(linking, str) or linking.lower() not in LINKING_METHODS:
        raise XLFactorError.at("linking", f"{linking!r} is not one of 'carino', 'menchero'")
    return linking.lower()


def compound(returns: np.ndarray) -> float:
    """``prod_t (1 + r_t) - 1``."""
    return float(np.expm1(np.log1p(np.asarray(returns, dtype=float)).sum()))


def link_coefficients(portfolio: np.ndarray, benchmark: np.ndarray | None, linking: str) -> np.ndarray:
    """The per-period factors ``k_t / k`` (Carino) or ``M + A_t`` (Menchero) that multiply each period's
    contributions (see the module docstring).

    Parameters
    ----------
    portfolio : array (T,)
        The portfolio's total return per period, ``r_t``.
    benchmark : array (T,) or None
        The benchmark's total return per period, ``b_t`` (None: 0, absolute attribution).
    linking : {"carino", "menchero"}

    Raises
    ------
    XLFactorError
        A period return at or below -100% (``1 + r_t <= 0``: no logarithm, no compounding).
    """
    method = check_linking(linking)
    r = np.asarray(portfolio, dtype=float)
    b = np.zeros_like(r) if benchmark is None else np.asarray(benchmark, dtype=float)
    for values, name in ((r, "portfolio"), (b, "benchmark")):
        if (values <= -1.0).any():
            raise XLFactorError.at(
                "returns",
                f"the {name} loses 100% or more in period {int(np.argmax(values <= -1.0)) + 1}; "
                "linking needs 1 + r > 0 in every period (check the weights and the units of the returns)",
            )
    total, base = compound(r), compound(b)
    diff = r - b
    if method == "carino":
        same = np.abs(diff) < _EQUAL
        k_t = np.where(same, 1.0 / (1.0 + r), (np.log1p(r) - np.log1p(b)) / np.where(same, 1.0, diff))
        if abs(total - base) < _EQUAL:
            k = 1.0 / (1.0 + total)
        else:
            k = (np.log1p(total) - np.log1p(base)) / (total - base)
        return k_t / k
    n = len(r)
    if abs(total - base) < _EQUAL:
        m = (1.0 + total) ** (1.0 - 1.0 / n)
    else:
        m = (total - base) / (n * ((1.0 + total) ** (1.0 / n) - (1.0 + base) ** (1.0 / n)))
    squares = float(diff @ diff)
    a_t = np.zeros(n) if squares == 0 else (total - base - m * diff.sum()) / squares * diff
    return m + a_t


def link(contributions: pd.DataFrame, portfolio: np.ndarray, benchmark: np.ndarray | None, linking: str) -> pd.Series:
    """Linked totals ``C_j`` of the columns of ``contributions`` (dates x components).

    Each row must add up to ``portfolio - benchmark`` of its period for the totals to add up
    to the compounded (active) return; see the module docstring for the two methods.
    """
    coef = link_coefficients(portfolio, benchmark, linking)
    return pd.Series(coef @ contributions.to_numpy(dtype=float), index=contributions.columns, name="linked")
