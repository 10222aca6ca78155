"""``@excel_function``: register a plain function as an Excel function in every xlwings runtime.

Convention for ``functions.py`` and ``cross_section_functions.py``::

    @excel_function(
        returns=rng("Asset returns ..."),      # a range: arrives as a 2-D list
        window="Rows per regression ...",      # a single value: arrives as a scalar
        headers=HEADERS,
    )
    def FM_SOMETHING(returns, window=36, headers=True):
        \"\"\"One paragraph of at most 255 characters: the function wizard text.\"\"\"

It applies, using only the public decorators:

- :func:`xlfactor.excel.guard.guarded` (errors become ``#FM! ...`` text);
- with ``depends=...``: :func:`xlfactor.excel.memo.cell_memo`, which serves a repeat
  with identical raw cells from the result memo before any conversion. ``depends``
  maps the arguments (by name) to what else the result depends on: the data vintage
  for model names (:func:`xlfactor.excel.inputs.data_token`), or nothing
  (:func:`xlfactor.excel.memo.no_data`). Functions without ``depends`` (e.g. data
  status, whose metadata change without a new vintage) are not memoised;
- ``xw.arg(name, doc=..., err_to_str=True)`` for every parameter, plus ``ndim=2`` for
  ranges (so a single cell still arrives as ``[[x]]``); ``err_to_str`` makes xlwings
  hand over Excel errors as ``"#N/A"`` etc. instead of blanking them;
- ``xw.func``.

Every parameter needs a description and every text (function docstring, argument
descriptions) must fit Excel's 255-character limit; violations raise at import time.
Omitted optional arguments arrive as the Python default.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import xlwings as xw

from xlfactor.excel.guard import guarded
from xlfactor.excel.memo import cell_memo

EXCEL_TEXT_LIMIT = 255
HEADERS = "TRUE (default): show row and column labels. FALSE: numbers only."
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True)
class RangeArg:
    """Description of an argument that takes a range (converted to a 2-D list)."""

    doc: str


def rng(doc: str) -> RangeArg:
    """Mark an argument description as a range argument."""
    return RangeArg(doc)


def excel_function(
    *, depends: Callable[[dict[str, Any]], Hashable] | None = None, **docs: str | RangeArg
) -> Callable[[_F], _F]:
    """Decorator factory: memoise (with ``depends``), guard and register with xlwings (see module docstring)."""

    def register(func: _F) -> _F:
        names = list(inspect.signature(func).parameters)
        missing = [n for n in names if n not in docs]
        extra = [n for n in docs if n not in names]
        if missing or extra:
            raise TypeError(f"{func.__name__}: argument docs missing for {missing}, unknown {extra}")
        doc = " ".join((inspect.getdoc(func) or "").split())  # one line, as Excel shows it
        if not doc or len(doc) > EXCEL_TEXT_LIMIT:
            raise TypeError(f"{func.__name__}: the docstring must have 1 to {EXCEL_TEXT_LIMIT} characters")
        wrapped = guarded(func if depends is None else cell_memo(func, depends))
        wrapped.__doc__ = doc  # cleaned: xlwings shows the docstring verbatim as the description
        for name in reversed(names):
            spec = docs[name]
            text = spec.doc if isinstance(spec, RangeArg) else spec
            if len(text) > EXCEL_TEXT_LIMIT:
                raise TypeError(f"{func.__name__}: description of {name!r} exceeds {EXCEL_TEXT_LIMIT} characters")
            options: dict[str, Any] = {"ndim": 2} if isinstance(spec, RangeArg) else {}
            wrapped = xw.arg(name, doc=text, err_to_str=True, **options)(wrapped)
        return xw.func(wrapped)

    return register
