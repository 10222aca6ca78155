"""The FM_ functions as an xlwings Server serves them: off the event loop, with a time limit.

The ``custom_functions/__init__.py`` that ``xlfactor server init`` writes imports everything
from here. xlwings Server awaits a coroutine function and calls a plain one inside its async
route, where a long call would hold up every other request of that worker. So each FM_
function of :mod:`xlfactor.excel.functions` is served as an ``async`` function (same name,
signature, xlwings metadata) that runs it

- in a thread of a pool of ``$XLFACTOR_THREADS`` (default 4) when its arguments hold at most
  ``$XLFACTOR_PROCESS_CELLS`` cells (default 20,000): the usual call, no copying;
- in a separate process (a pool of ``$XLFACTOR_PROCESSES``, default 1, per server worker,
  started on the first such call) when they hold more: a heavy call then holds neither the
  worker's event loop nor its interpreter lock, so other users' calls go on beside it;
- directly, when an argument is over the cells limit: the function refuses it at once
  (:func:`xlfactor.excel.limits.max_cells`).

A call waits at most :func:`xlfactor.excel.limits.time_limit` seconds (queueing included) and
then answers ``#FM!`` with what to do. A heavy call past the limit is stopped: its process is
killed (with any other heavy call of that worker running in it, which answers ``#FM!`` asking
to recalculate) and a new one starts with the next heavy call. Python cannot stop a thread,
so a light call past the limit computes to its end in the background; only its answer is
given up.

Importing this module also applies :func:`skip_pyodide_checks`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from xlwings.pro import _xlofficejs, udfs_officejs

from xlfactor.errors import XLFactorError
from xlfactor.excel import functions
from xlfactor.excel.guard import ERROR_PREFIX, error_text
from xlfactor.excel.limits import TIME_LIMIT_ENV, cell_count, max_cells, time_limit


def _pyodide_absent(value: Any) -> bool:
    return False


def _as_is(value: Any) -> Any:
    return value


def skip_pyodide_checks() -> bool:
    """Outside Pyodide, make xlwings' ``JsNull`` checks constants; True if applied.

    xlwings' Office.js engine asks ``_is_jsnull(value)`` for every input cell
    (``xlwings.pro._xlofficejs._clean_value_data_element``) and ``js_to_none(arg)`` for every
    argument (``xlwings.pro.udfs_officejs.to_scalar``); both try ``from pyodide.ffi import
    JsNull`` each time, an import attempt through every entry of ``sys.path`` (per cell, about
    a third of a server call). Outside Pyodide the first always answers False and the second
    returns its argument, so the two module-level names are replaced by functions doing just
    that (tests/server checks xlwings still looks them up there, and that the answers are
    unchanged).
    """
    try:
        import pyodide  # noqa: F401
    except ImportError:
        _xlofficejs._is_jsnull = _pyodide_absent
        udfs_officejs.js_to_none = _as_is
        return True
    return False


THREADS_ENV = "XLFACTOR_THREADS"
PROCESSES_ENV = "XLFACTOR_PROCESSES"
PROCESS_CELLS_ENV = "XLFACTOR_PROCESS_CELLS"
DEFAULT_PROCESS_CELLS = 20_000


def _count(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    return int(text) if text.isdigit() else default


@functools.cache
def _threads() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max(1, _count(THREADS_ENV, 4)), thread_name_prefix="xlfactor")


class _Processes:
    """The worker's process pool for heavy calls: started when first needed, killed past the time limit."""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max(1, _count(PROCESSES_ENV, 1)), mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def kill(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list((pool._processes or {}).values()):  # no public API stops a running task
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)


_processes = _Processes()


def _run_by_name(name: str, args: tuple, kwargs: dict) -> Any:
    """In a pool process: the FM_ function ``name`` (functions travel by name, not pickled)."""
    return getattr(functions, name)(*args, **kwargs)


def too_slow(name: str, seconds: float) -> str:
    return (
        f"{ERROR_PREFIX}{name} took longer than {seconds:g} s, the limit of this server ({TIME_LIMIT_ENV}); "
        "use fewer dates or assets, or ask the administrator to raise the limit"
    )


STOPPED = (
    f"{ERROR_PREFIX}stopped together with another long calculation on this server that went past its time limit; "
    "recalculate"
)


def off_loop(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a coroutine function run in a thread or a process, answering :func:`too_slow` past the limit."""
    name = func.__name__

    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            limit = time_limit()
            cells = [cell_count(a) for a in args]
            refuse = max_cells() and max(cells, default=0) > max_cells()
        except XLFactorError as exc:
            return error_text(exc)
        if refuse:
            return func(*args, **kwargs)  # refused at once by the cells check, with its message
        loop = asyncio.get_running_loop()
        heavy = sum(cells) > _count(PROCESS_CELLS_ENV, DEFAULT_PROCESS_CELLS)
        if heavy:
            future = loop.run_in_executor(_processes.pool(), _run_by_name, name, args, kwargs)
        else:
            future = loop.run_in_executor(_threads(), functools.partial(func, *args, **kwargs))
        try:
            return await asyncio.wait_for(future, limit or None)
        except TimeoutError:
            if heavy:
                _processes.kill()
            return too_slow(name, limit)
        except BrokenProcessPool:
            return STOPPED

    return run


skip_pyodide_checks()
__all__ = []
for _name, _func in inspect.getmembers(functions, lambda f: hasattr(f, "__xlfunc__")):
    globals()[_name] = off_loop(_func)
    __all__.append(_name)
