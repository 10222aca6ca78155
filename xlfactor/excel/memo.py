"""Bounded memoisation for recalculation storms, keyed by input content and data vintage.

Excel recalculates a formula whenever anything upstream changes, often with the same
inputs. Two caches (one :class:`Memo` each) make repeats cheap:

- aligned factor data (model, frequency, the dates, the data vintage) in
  :data:`factor_cache`;
- finished results (function name, every cleaned input, the vintage of the model used)
  in :data:`result_cache`.

Keys come from :func:`content_key`, a BLAKE2b digest of the inputs' bytes, so equal
inputs hit whichever cell they come from. The data vintage
(``xlfactor.data.data_vintage(model, freq)``) is part of every key that touches stored
factor data: after a refresh the vintage changes and stale entries are simply never
looked up again (the LRU bound pushes them out).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

_T = TypeVar("_T")
DEFAULT_SIZE = 256


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

    Cached values are shared: callers must not mutate them.
    """

    def __init__(self, maxsize: int = DEFAULT_SIZE) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """The cached value for ``key``, computing (outside the lock) and storing it on a miss.

        Exceptions from ``compute`` propagate and nothing is stored.
        """
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry and reset the counters."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


factor_cache = Memo()
result_cache = Memo()
