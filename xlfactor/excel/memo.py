"""Bounded memoisation for recalculation storms, keyed by input content and data vintage.

Excel recalculates a formula whenever anything upstream changes, often with the same
inputs. Three caches (one :class:`Memo` each) make repeats cheap:

- finished cell values in :data:`result_cache`, keyed by the function name, the raw
  argument values exactly as Excel sent them and the data the result depends on (for a
  model name: model, frequency, data vintage, dates). :func:`xlfactor.excel.udf.excel_function` looks
  them up BEFORE any argument is converted, so recalculating an unchanged formula costs a hash
  of its cells and one vintage query (:class:`Depends`);
- engine results (a regression, a risk model) in :data:`fit_cache`, keyed by the
  content of the cleaned inputs, so FM_BETA, FM_ALPHA and FM_REGRESS over the same
  data share one regression;
- aligned factor data (model, frequency, dates, data vintage) in :data:`factor_cache`.

Content keys come from :func:`content_key`, a BLAKE2b digest of the inputs' bytes, so
equal inputs hit whichever cell they come from. The data vintage
(``xlfactor.data.data_vintage(model, freq)``, read on every call) is part of every key
that touches stored factor data: after a refresh the vintage changes and stale entries
are simply never looked up again (the LRU bound pushes them out).
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

_T = TypeVar("_T")
DEFAULT_SIZE = 256
#: What :meth:`Memo.lookup` returns for a key it does not hold.
MISSING = object()


def _feed(h: Any, part: Any) -> None:
    """Feed one part into a hash with a type tag, so that e.g. ``1`` and ``"1"`` differ."""
    if isinstance(part, np.ndarray):
        h.update(f"nd{part.dtype.str}{part.shape}".encode())
        h.update(np.ascontiguousarray(part).tobytes())
    elif isinstance(part, pd.DataFrame):
        h.update(b"df")
        _feed(h, part.index)
        _feed(h, tuple(map(str, part.columns)))
        _feed(h, part.to_numpy())
    elif isinstance(part, pd.Series):
        h.update(b"se")
        _feed(h, part.index)
        _feed(h, str(part.name))
        _feed(h, part.to_numpy())
    elif isinstance(part, pd.DatetimeIndex):
        h.update(b"di")
        _feed(h, part.asi8)
    elif isinstance(part, pd.Index):
        h.update(b"ix")
        _feed(h, tuple(map(str, part)))
    elif isinstance(part, (tuple, list)):
        h.update(f"tu{len(part)}".encode())
        for item in part:
            _feed(h, item)
    else:
        h.update(f"{type(part).__name__}:{part!r};".encode())


def content_key(*parts: Any) -> str:
    """A hex digest identifying the content of ``parts`` (arrays, pandas objects, scalars, tuples)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


class Memo:
    """A thread-safe least-recently-used cache of at most ``maxsize`` entries.

    With ``weigh`` (value -> size, e.g. a number of cells) the entries' total size is
    also kept at most ``max_weight``; a single value heavier than that is not stored.
    Cached values are shared: callers must not mutate them.
    """

    def __init__(
        self, maxsize: int = DEFAULT_SIZE, *, weigh: Callable[[Any], int] | None = None, max_weight: int = 0
    ) -> None:
        self.maxsize = maxsize
        self.max_weight = max_weight
        self.hits = 0
        self.misses = 0
        self._weigh = weigh
        self._weight = 0
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """The cached value for ``key``, computing (outside the lock) and storing it on a miss.

        Exceptions from ``compute`` propagate and nothing is stored.
        """
        value = self.lookup(key)
        return self.store(key, compute()) if value is MISSING else value

    def lookup(self, key: Hashable) -> Any:
        """The cached value for ``key`` (counted as a hit), or :data:`MISSING` (counted as a miss)."""
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return MISSING
            self._data.move_to_end(key)
            self.hits += 1
            return entry[0]

    def store(self, key: Hashable, value: _T) -> _T:
        """Keep ``value`` under ``key`` (unless heavier than ``max_weight``) and return it."""
        weight = self._weigh(value) if self._weigh is not None else 0
        if self._weigh is not None and weight > self.max_weight:
            return value
        with self._lock:
            old = self._data.pop(key, None)
            self._weight += weight - (old[1] if old is not None else 0)
            self._data[key] = (value, weight)
            while len(self._data) > self.maxsize or self._weight > self.max_weight > 0:
                _, (_, dropped) = self._data.popitem(last=False)
                self._weight -= dropped
        return value

    def clear(self) -> None:
        """Forget every entry and reset the counters."""
        with self._lock:
            self._data.clear()
            self._weight = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    @property
    def weight(self) -> int:
        """Total size of the stored values (0 without ``weigh``)."""
        return self._weight


def cells(value: Any) -> int:
    """Number of cells in a 2-D list result (1 for a single value)."""
    return sum(len(row) for row in value) if isinstance(value, list) and value and isinstance(value[0], list) else 1


#: Finished cell values by raw arguments (at most 512 results and 1 million cells).
result_cache = Memo(512, weigh=cells, max_weight=1_000_000)
#: Engine results (regressions, risk models) by the content of their cleaned inputs.
fit_cache = Memo()
#: Aligned factor data by model, frequency, data vintage and dates.
factor_cache = Memo()


@dataclass(frozen=True)
class Depends:
    """What a memoised Excel result depends on besides its cells: ``token(*values)`` of the raw
    ``arguments`` (by name), e.g. the data vintage of a model named in ``factors`` on ``dates``.

    :func:`xlfactor.excel.udf.excel_function` calls it on every call, before the result memo lookup,
    inside :func:`call_scope`; if it raises, or the cells cannot be hashed, the function simply runs
    (and reports the problem in its usual order).
    """

    arguments: tuple[str, ...]
    token: Callable[..., Hashable]


#: ``depends`` of the functions whose result depends on their cells only.
NO_DATA = Depends((), tuple)


def fresh(value: Any) -> Any:
    """A stored cell value as a new list of new rows, so that no caller alters the stored one."""
    return [list(row) if isinstance(row, list) else row for row in value] if isinstance(value, list) else value


_call_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar("xlfactor_call_scope", default=None)


def call_scope() -> contextvars.Token:
    """Open the scope of one memoised Excel function call for :func:`once_per_call` (reset the token after)."""
    return _call_scope.set({})


def end_call_scope(token: contextvars.Token) -> None:
    """Close the scope opened by :func:`call_scope`."""
    _call_scope.reset(token)


def once_per_call(key: Hashable, anchor: object, compute: Callable[[], _T]) -> _T:
    """``compute()`` at most once per memoised Excel function call (every time outside one).

    Lets ``depends`` and the function share one lookup (e.g. one data-vintage query).
    ``key`` may use ``id(anchor)``: the entry is used only while it holds that very object.
    """
    scope = _call_scope.get()
    if scope is None:
        return compute()
    entry = scope.get(key)
    if entry is not None and entry[0] is anchor:
        return entry[1]
    value = compute()
    scope[key] = (anchor, value)
    return value
