"""Compiled per-column summaries of a returns panel: one read, in the data's memory order.

:func:`column_stats` gives, per column of ``values`` (T, N): the minimum and maximum of the present
values (NaN for a column with none), their sum of squares, their count, and how many exceed
``limit`` in size (NaN compares False everywhere, so it is neither a minimum, a maximum nor beyond
the limit); given a regression design ``Z`` (T, K+1), also ``Z'y`` per column over its present
values, so that a regression needs no second read of the panel. :func:`xlfactor.models.units.summarize`
uses it on large panels where numba runs; its numpy code is the reference and the fallback (and
serves small panels, where numpy is already fast and a first call would pay the compile).

Two kernels, one per memory order: column by column for column-major panels (what pandas hands
over), row by row for row-major ones. The figures alone take one plain sum over the panel (the read
from memory) because every loop vectorises: the minimum and maximum are taken over int64 keys ordered
as the doubles are (``bits ^ ((bits >> 63) & TOP)`` flips the magnitude bits of negatives; a
compare-and-select minimum over doubles is one long chain the compiler keeps scalar), and the sums are
reassociated (``fastmath={"reassoc", "contract"}``: reordered and fused, NaN and infinity keep their
meaning). A column is first read as if complete (the fewest operations per value); a NaN makes its sum
of squares NaN (an infinity alone gives +inf), so a column that had one is read again, from the cache,
with each missing value left out. The products with the design are taken per block of eight columns
right after their figures, while the block is in cache: two design rows by eight columns at a time,
sixteen running sums fed by ten loads, as fast as the multiply-add units go (numpy's BLAS product
``Z'y`` alone took longer than the whole pass on the benchmark panel: see benchmarks/RESULTS.md).
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from xlfactor.models._jit import available, kernel

#: What the compiled sums may do: reorder additions and fuse multiply-adds (not assume away NaN).
REORDER = {"reassoc", "contract"}
#: Columns per block of the column-major kernel (written out as eight running sums per design row).
BLOCK = 8
#: Panels of at least this many values are split over threads (below, starting threads costs more
#: than it saves).
THREADED_FROM = 2_000_000
#: The largest int64: the mask of a double's non-sign bits, and the neutral key of a running minimum.
TOP = np.int64(0x7FFFFFFFFFFFFFFF)


def _by_column(
    values, bits, limit, design, rules, start, stop, low, high, sums, sumsq, present, over, cross
):  # pragma: no cover
    """Columns ``start:stop`` of column-major ``values`` (``bits``: the same memory as int64), in blocks
    of ``BLOCK`` columns: each column's figures (read from memory), then the block's products with
    every row of ``design`` (K, T) while the block is in cache. Without ``rules`` the first read takes
    only what a fit needs (sums, sums of squares, counts): the benchmark's measure of the rules' cost."""
    t_n = values.shape[0]
    k_n = design.shape[0]
    for n0 in range(start, stop, BLOCK):
        width = min(BLOCK, stop - n0)
        for n in range(n0, n0 + width):
            lowest = TOP
            highest = -TOP - 1
            total = 0.0
            squares = 0.0
            beyond = 0
            if rules:
                for t in range(t_n):  # no gap expected: every value counts
                    v = values[t, n]
                    b = bits[t, n]
                    key = b ^ ((b >> 63) & TOP)  # ordered as the doubles are
                    lowest = min(lowest, key)
                    highest = max(highest, key)
                    total += v
                    squares += v * v
                    beyond += abs(v) > limit
            else:
                for t in range(t_n):
                    v = values[t, n]
                    total += v
                    squares += v * v
            missing = 0
            if squares != squares:  # a NaN (an infinity alone squares to +inf): read again, NaN-aware
                lowest = TOP
                highest = -TOP - 1
                total = 0.0
                squares = 0.0
                beyond = 0
                for t in range(t_n):  # the column is in cache now
                    v = values[t, n]
                    b = bits[t, n]
                    key = b ^ ((b >> 63) & TOP)
                    gap = v != v
                    lowest = min(lowest, TOP if gap else key)
                    highest = max(highest, -TOP - 1 if gap else key)
                    v0 = 0.0 if gap else v
                    total += v0
                    squares += v0 * v0
                    missing += gap
                    beyond += abs(v) > limit
            low[n] = lowest
            high[n] = highest
            sums[n] = total
            sumsq[n] = squares
            present[n] = t_n - missing
            over[n] = beyond
        clean = True  # no gap in the block: the products need no masking (the compiler splits the loop)
        for n in range(n0, n0 + width):
            clean = clean and present[n] == t_n
        if width < BLOCK:  # the last few columns, one at a time
            for n in range(n0, stop):
                for k in range(k_n):
                    acc = 0.0
                    for t in range(t_n):
                        v = values[t, n]
                        acc += design[k, t] * (0.0 if v != v else v)
                    cross[k, n] = acc
            continue
        for k in range(0, k_n, 2):  # two design rows by eight columns: sixteen sums side by side
            m = min(k + 1, k_n - 1)  # an odd last row is taken twice
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
            b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = 0.0
            for t in range(t_n):
                d = design[k, t]
                e = design[m, t]
                v = values[t, n0]
                v = v if clean else (0.0 if v != v else v)
                a0 += d * v
                b0 += e * v
                v = values[t, n0 + 1]
                v = v if clean else (0.0 if v != v else v)
                a1 += d * v
                b1 += e * v
                v = values[t, n0 + 2]
                v = v if clean else (0.0 if v != v else v)
                a2 += d * v
                b2 += e * v
                v = values[t, n0 + 3]
                v = v if clean else (0.0 if v != v else v)
                a3 += d * v
                b3 += e * v
                v = values[t, n0 + 4]
                v = v if clean else (0.0 if v != v else v)
                a4 += d * v
                b4 += e * v
                v = values[t, n0 + 5]
                v = v if clean else (0.0 if v != v else v)
                a5 += d * v
                b5 += e * v
                v = values[t, n0 + 6]
                v = v if clean else (0.0 if v != v else v)
                a6 += d * v
                b6 += e * v
                v = values[t, n0 + 7]
                v = v if clean else (0.0 if v != v else v)
                a7 += d * v
                b7 += e * v
            cross[k, n0] = a0
            cross[m, n0] = b0
            cross[k, n0 + 1] = a1
            cross[m, n0 + 1] = b1
            cross[k, n0 + 2] = a2
            cross[m, n0 + 2] = b2
            cross[k, n0 + 3] = a3
            cross[m, n0 + 3] = b3
            cross[k, n0 + 4] = a4
            cross[m, n0 + 4] = b4
            cross[k, n0 + 5] = a5
            cross[m, n0 + 5] = b5
            cross[k, n0 + 6] = a6
            cross[m, n0 + 6] = b6
            cross[k, n0 + 7] = a7
            cross[m, n0 + 7] = b7


def _by_row(values, bits, limit, design, low, high, sums, sumsq, present, over, cross):  # pragma: no cover
    """Row-major ``values``: rows read in order, every column's running figures updated side by side
    (the loops run over every column from 0, so the compiler knows no index is negative and vectorises)."""
    t_n, n_n = values.shape
    low[:] = TOP
    high[:] = -TOP - 1
    sums[:] = 0.0
    sumsq[:] = 0.0
    present[:] = t_n
    over[:] = 0
    cross[:] = 0.0
    for t in range(t_n):
        for n in range(n_n):
            v = values[t, n]
            b = bits[t, n]
            key = b ^ ((b >> 63) & TOP)
            gap = v != v
            low[n] = min(low[n], TOP if gap else key)
            high[n] = max(high[n], -TOP - 1 if gap else key)
            v0 = 0.0 if gap else v
            sums[n] += v0
            sumsq[n] += v0 * v0
            present[n] -= gap
            over[n] += abs(v) > limit
        for k in range(design.shape[0]):
            d = design[k, t]
            for n in range(n_n):
                v = values[t, n]
                cross[k, n] += d * (0.0 if v != v else v)


def _unkey(keys: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The doubles whose order keys are ``keys`` (NaN where a column has no present value)."""
    out = (keys ^ ((keys >> 63) & TOP)).view(np.float64)
    out[present == 0] = np.nan
    return out


def _parts(n: int, size: int) -> list[tuple[int, int]]:
    """Column ranges for the threads: one per numba thread (``NUMBA_NUM_THREADS``, default the
    number of cores) for panels of at least :data:`THREADED_FROM` values, cut at block boundaries."""
    threads = min(_threads(), n // BLOCK) if size >= THREADED_FROM else 1
    if threads <= 1:
        return [(0, n)]
    cuts = [round(n * i / threads / BLOCK) * BLOCK for i in range(threads)] + [n]
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def _threads() -> int:
    import numba

    return numba.config.NUMBA_NUM_THREADS


def _pool(workers: int) -> ThreadPoolExecutor:
    """This process's pool (a forked child, e.g. a server worker, gets its own: the parent's threads
    do not exist there)."""
    return _process_pool(workers, os.getpid())


@functools.cache
def _process_pool(workers: int, pid: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="xlfactor-columns")


@functools.cache
def _compiled() -> tuple:
    return kernel(_by_column, fastmath=REORDER), kernel(_by_row, fastmath=REORDER)


def column_stats(
    values: np.ndarray, limit: float, design: np.ndarray | None = None, *, rules: bool = True
) -> tuple[np.ndarray | None, ...] | None:
    """``(low, high, sumsq, present, over, cross, total)`` per column of the float panel ``values`` (T, N),
    compiled; None where compiled kernels do not run or ``values`` is neither row- nor column-contiguous.
    ``total`` is the sum of the present values.

    ``cross`` (None without ``design``): ``design' values`` over each column's present values
    (missing ones count as 0) for a design ``(T, K+1)`` whose first column is ones; its first row,
    the sum of the present values, comes from the same loop as the sums of squares.
    ``rules=False`` (column-major ``values``; benchmarks only): the same pass with only what a fit
    needs, ``low``, ``high`` and ``over`` None.
    """
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
    rows = np.empty((0, len(values))) if design is None else np.ascontiguousarray(design[:, 1:].T)
    low, high, present, over = (np.empty(n, dtype=np.int64) for _ in range(4))
    sumsq = np.empty(n)
    cross = np.empty((len(rows) + 1, n))
    args = (values, values.view(np.int64), float(limit), rows)
    outs = (low, high, cross[0], sumsq, present, over, cross[1:])
    parts = _parts(n, values.size) if run is by_column else []
    if run is by_column:
        args = (*args, rules)
    if not parts:  # row-major: one thread (pandas hands over column-major panels)
        run(*args, *outs)
    elif len(parts) == 1:
        run(*args, 0, n, *outs)
    else:  # the kernels release the GIL: one thread per part of the columns, each writing its own
        for done in [_pool(len(parts)).submit(run, *args, a, b, *outs) for a, b in parts]:
            done.result()
    checked = rules or run is by_row
    return (
        _unkey(low, present) if checked else None,
        _unkey(high, present) if checked else None,
        sumsq,
        present,
        over if checked else None,
        None if design is None else cross,
        cross[0],
    )
