"""Compiled kernels: numba where it is installed, numpy everywhere else.

The hot loops (the one pass that checks and sums a returns panel, rolling window sums,
HAC scores, per-date normal equations) reach the machine's floor only as compiled loops.
numba is a dependency on every platform except Emscripten (xlwings Lite's Pyodide, where
no JIT compiler runs); there the numpy kernels serve, and they stay the reference the
compiled ones are tested against.

``kernel(fn)`` returns ``fn`` compiled on its first call (``cache=True``: once per
machine, kept in numba's cache folder) or ``None`` where numba is absent or
``XLFACTOR_NO_JIT`` is set (tests and benchmarks compare both paths that way). A caller
writes ``if _sums is not None: ... else: <numpy kernel>``; both return the same values.

Which inputs are compiled is one rule, :func:`use`: where the compiled kernel saves about
2 ms or more (:data:`COMPILED_FROM`). Below that numpy takes milliseconds, while a process's first compiled call pays
numba's start-up (about 1 s, the kernel read from its disk cache) and, once per machine,
the compilation itself (seconds; tens of seconds for the cross-sectional kernels on a
loaded machine). So an Excel range of ordinary size never waits for a compiler.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable

#: Set to any non-empty value to run the numpy kernels even where numba is installed.
NO_JIT = "XLFACTOR_NO_JIT"
#: A compiled kernel runs where it saves about 2 ms or more on the call: when ``values * weight`` reaches
#: this, ``weight`` being the kernel's saving per input value over its numpy kernel in units of the
#: column checks' ~2 ns (1 for the checks: 1M values, 8 MB; each kernel states its weight, measured).
#: Tests set it to 0 to run the compiled kernels on small data.
COMPILED_FROM = 1_000_000


def available() -> bool:
    """Whether compiled kernels run in this process (numba installed, ``XLFACTOR_NO_JIT`` unset)."""
    return not os.environ.get(NO_JIT) and _installed()


def use(values: int, weight: float = 1.0) -> bool:
    """Whether a kernel of saving ``weight`` (see :data:`COMPILED_FROM`) runs compiled on ``values`` numbers."""
    return values * weight >= COMPILED_FROM and available()


@functools.cache
def _installed() -> bool:
    return importlib.util.find_spec("numba") is not None


def kernel(fn: Callable | None = None, *, parallel: bool = False, fastmath: bool | set[str] = False):
    """``fn`` compiled by numba (lazily, on first call, cached on disk), or None without numba.

    ``fastmath``: numba's flags, e.g. ``{"reassoc", "contract"}`` to let sums be reordered (and so
    vectorised) while NaN and infinity keep their meaning."""

    def wrap(f: Callable):
        if not available():
            return None
        import numba

        return numba.njit(cache=True, nogil=True, fastmath=fastmath, parallel=parallel)(f)

    return wrap if fn is None else wrap(fn)


def compiled(fn: Callable, *, parallel: bool = False):
    """``fn`` compiled, looked up at call time: None when numba is absent or ``XLFACTOR_NO_JIT`` is set now.

    Kernels call this on every use (one dictionary look-up once compiled), so switching
    ``XLFACTOR_NO_JIT`` in a running process (tests, benchmarks) switches the path.
    """
    return _dispatcher(fn, parallel) if available() else None


@functools.cache
def _dispatcher(fn: Callable, parallel: bool):
    return kernel(fn, parallel=parallel)
