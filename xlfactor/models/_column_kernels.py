"""Compiled per-column summaries of a returns panel: one read, in the data's memory order.

:func:`column_stats` gives, per column of ``values`` (T, N): the minimum and maximum of the present
values (NaN for a column with none), their sum of squares, their count, and how many exceed
``limit`` in size (NaN compares False everywhere, so it is neither a minimum, a maximum nor beyond
the limit). :func:`xlfactor.models.units.summarize` uses it on large panels where numba runs; its
numpy code is the reference and the fallback (and serves small panels, where numpy is already fast
and a first call would pay the compile).

Two kernels, one per memory order: column by column for column-major panels (what pandas hands
over), row by row for row-major ones. Both run at about the speed of one plain sum over the panel
(memory-bound) because every loop vectorises: the minimum and maximum are taken over int64 keys
ordered as the doubles are (``bits ^ ((bits >> 63) & TOP)`` flips the magnitude bits of negatives),
with NaN given a neutral key (a compare-and-select minimum over doubles is one long chain the
compiler keeps scalar), and the sums are reassociated (``fastmath={"reassoc", "contract"}``:
reordered and fused, NaN and infinity keep their meaning).
"""

from __future__ import annotations

import functools

import numpy as np

from xlfactor.models._jit import available, kernel

#: What the compiled sums may do: reorder additions and fuse multiply-adds (not assume away NaN).
REORDER = {"reassoc", "contract"}
#: The largest int64: the mask of a double's non-sign bits, and the neutral key of a running minimum.
TOP = np.int64(0x7FFFFFFFFFFFFFFF)


def _by_column(values, bits, limit, low, high, sumsq, present, over):  # pragma: no cover - compiled
    """Column-major ``values`` (``bits``: the same memory as int64), one column after the other."""
    t_n, n_n = values.shape
    for n in range(n_n):
        lowest = TOP
        highest = -TOP - 1
        squares = 0.0
        missing = 0
        beyond = 0
        for t in range(t_n):
            v = values[t, n]
            b = bits[t, n]
            key = b ^ ((b >> 63) & TOP)  # ordered as the doubles are
            gap = v != v
            lowest = min(lowest, TOP if gap else key)
            highest = max(highest, -TOP - 1 if gap else key)
            v0 = 0.0 if gap else v
            squares += v0 * v0
            missing += gap
            beyond += abs(v) > limit
        low[n] = lowest
        high[n] = highest
        sumsq[n] = squares
        present[n] = t_n - missing
        over[n] = beyond


def _by_row(values, bits, limit, low, high, sumsq, present, over):  # pragma: no cover - compiled
    """Row-major ``values``: rows read in order, every column's running figures updated side by side."""
    t_n, n_n = values.shape
    low[:] = TOP
    high[:] = -TOP - 1
    sumsq[:] = 0.0
    present[:] = t_n
    over[:] = 0
    for t in range(t_n):
        for n in range(n_n):
            v = values[t, n]
            b = bits[t, n]
            key = b ^ ((b >> 63) & TOP)
            gap = v != v
            low[n] = min(low[n], TOP if gap else key)
            high[n] = max(high[n], -TOP - 1 if gap else key)
            v0 = 0.0 if gap else v
            sumsq[n] += v0 * v0
            present[n] -= gap
            over[n] += abs(v) > limit


def _unkey(keys: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The doubles whose order keys are ``keys`` (NaN where a column has no present value)."""
    out = (keys ^ ((keys >> 63) & TOP)).view(np.float64)
    out[present == 0] = np.nan
    return out


@functools.cache
def _compiled() -> tuple:
    return kernel(_by_column, fastmath=REORDER), kernel(_by_row, fastmath=REORDER)


def column_stats(values: np.ndarray, limit: float) -> tuple[np.ndarray, ...] | None:
    """``(low, high, sumsq, present, over)`` per column of the float panel ``values`` (T, N), compiled;
    None where compiled kernels do not run or ``values`` is neither row- nor column-contiguous."""
    if not available() or values.dtype != np.float64:
        return None
    by_column, by_row = _compiled()
    if values.flags.f_contiguous:
        run = by_column
    elif values.flags.c_contiguous:
        run = by_row
    else:
        return None
    n = values.shape[1]
    low, high, present, over = (np.empty(n, dtype=np.int64) for _ in range(4))
    sumsq = np.empty(n)
    run(values, values.view(np.int64), float(limit), low, high, sumsq, present, over)
    return _unkey(low, present), _unkey(high, present), sumsq, present, over
