"""Bounds on one FM_ call: cells per argument (every runtime) and, on a server, compute time.

- :func:`max_cells`: an argument of more than ``$XLFACTOR_MAX_CELLS`` cells (default
  1,000,000; ``0`` turns the check off) is refused with ``#FM!`` naming the argument
  (:func:`too_many_cells`), before anything is converted or computed. Applied by
  :func:`xlfactor.excel.udf.excel_function` to every FM_ function.
- :func:`time_limit`: seconds an xlwings Server waits for one call (``$XLFACTOR_TIME_LIMIT``,
  default 60; ``0`` waits without limit), used by :mod:`xlfactor.excel.server_functions`.
- :func:`max_body`: bytes of one request an xlwings Server reads (``$XLFACTOR_MAX_BODY_MB``,
  default 24 MB, room for about a million cells as Excel sends them; ``0``: no limit), used by
  :mod:`xlfactor.excel.server_lifespan`.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from xlfactor.errors import XLFactorError

MAX_CELLS_ENV = "XLFACTOR_MAX_CELLS"
DEFAULT_MAX_CELLS = 1_000_000
TIME_LIMIT_ENV = "XLFACTOR_TIME_LIMIT"
DEFAULT_TIME_LIMIT = 60.0
MAX_BODY_ENV = "XLFACTOR_MAX_BODY_MB"
DEFAULT_MAX_BODY_MB = 24.0


def setting(name: str, default: float) -> float:
    """A number of 0 or more from the environment variable ``name`` (``default`` if unset)."""
    return _parse_setting(name, os.environ.get(name, ""), default)


@functools.lru_cache(maxsize=64)
def _parse_setting(name: str, text: str, default: float) -> float:
    """:func:`setting` of one environment text, parsed once (every FM_ call reads the cell limit)."""
    text = text.strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise XLFactorError(f"{name}: {text!r} is not a number of 0 or more; the administrator sets it on the server")
    return value


def max_cells() -> int:
    """Cells one argument may hold (``$XLFACTOR_MAX_CELLS``; 0: no limit)."""
    return int(setting(MAX_CELLS_ENV, DEFAULT_MAX_CELLS))


def time_limit() -> float:
    """Seconds a server waits for one call (``$XLFACTOR_TIME_LIMIT``; 0: no limit)."""
    return setting(TIME_LIMIT_ENV, DEFAULT_TIME_LIMIT)


def max_body() -> int:
    """Bytes of one request a server reads (``$XLFACTOR_MAX_BODY_MB`` megabytes; 0: no limit)."""
    return int(setting(MAX_BODY_ENV, DEFAULT_MAX_BODY_MB) * 1_000_000)


#: The types of a range's rows as xlwings passes them.
ROW_TYPES = frozenset({list, tuple})


def cell_count(value: Any) -> int:
    """Cells in an argument as xlwings passes it: a list of rows, a list, or one value."""
    if isinstance(value, list | tuple):
        if set(map(type, value)) <= ROW_TYPES:  # a range's rows, the usual case: their lengths, without a loop
            return sum(map(len, value))
        return sum(len(row) if isinstance(row, list | tuple) else 1 for row in value)
    return 1


def too_many_cells(name: str, cells: int, limit: int) -> XLFactorError:
    """The refusal of an argument ``name`` of ``cells`` cells, over the ``limit`` per argument."""
    return XLFactorError(
        f"{name}: {cells:,} cells; at most {limit:,} per argument are taken ({MAX_CELLS_ENV}); select a "
        "smaller range (fewer dates or assets), or ask the administrator to raise the limit"
    )
