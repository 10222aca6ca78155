"""``@excel_function``: register a plain function as an Excel function in every xlwings runtime.

Each argument is stated once: name and default in the signature, description and parser in
the :class:`~xlfactor.excel.specs.Spec` of that name (:data:`xlfactor.excel.specs.SPECS`, or
one passed to the decorator for a name whose meaning is local). See
:mod:`xlfactor.excel.specs` for how to write an FM_ function. The decorator:

- appends the ``headers`` argument (:data:`~xlfactor.excel.specs.HEADERS`) to the signature,
  then the keyword-only parameters (declared after ``*``): an argument added to an existing
  function goes there, so calls written before it existed, ``headers`` included, keep
  their meaning;
- registers ONE function with xlwings, which for each call, in this order:

  1. refuses an argument of more cells than :func:`xlfactor.excel.limits.max_cells` before
     anything else (memo included) looks at it;
  2. with ``depends=...`` (a :class:`xlfactor.excel.memo.Depends`): serves a repeat with
     identical raw cells from the result memo (:data:`xlfactor.excel.memo.result_cache`),
     before any conversion. Its key is a digest of the raw arguments (``pickle`` keeps ``1``,
     ``1.0``, ``True`` and ``"1"`` apart) and of what ``depends`` says the result rests on
     besides the cells: the data vintage for model names
     (:data:`xlfactor.excel.inputs.FACTOR_DATA`), or nothing (:data:`xlfactor.excel.memo.NO_DATA`).
     Without ``depends`` nothing is memoised; exceptions are never memoised;
  3. converts every option (flags, choices, numbers, dates, names), so the body receives
     Python values; ranges reach the body as the raw 2-D lists (a required range that is
     missing is refused here, with its spec's ``need``);
  4. renders the returned :class:`~xlfactor.excel.results.Table` or
     :class:`~xlfactor.excel.results.Record` with ``headers`` (a 2-D list passes unchanged);
  5. turns any exception into ``#FM! ...`` text worded for a cell
     (:func:`xlfactor.excel.guard.error_text`).

  One function, so that the raw ranges pass through one Excel-layer frame on their way to
  the body (``tests/excel/test_returns_path.py`` counts them for FM_BETA);
- ``xw.arg(name, doc=..., err_to_str=True)`` for every parameter, plus ``ndim=2`` for
  ranges (so a single cell still arrives as ``[[x]]``); ``err_to_str`` makes xlwings hand
  over Excel errors as ``"#N/A"`` etc. instead of blanking them; then ``xw.func``.

At import time it refuses a parameter without a spec, a default its own parser would
refuse, and texts (docstring, descriptions) over Excel's 255-character limit.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import pickle
from collections.abc import Callable
from typing import Any, TypeVar

import xlwings as xw

from xlfactor.errors import XLFactorError
from xlfactor.excel import guard, memo
from xlfactor.excel.limits import ROW_TYPES, cell_count, max_cells, too_many_cells
from xlfactor.excel.memo import MISSING, Depends, fresh, result_cache
from xlfactor.excel.results import render
from xlfactor.excel.specs import REQUIRED, SPECS, Spec

EXCEL_TEXT_LIMIT = 255
_F = TypeVar("_F", bound=Callable[..., Any])
_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD


def excel_function(*, depends: Depends | None = None, **local: Spec) -> Callable[[_F], _F]:
    """Decorator factory: convert, render, memoise (with ``depends``), guard and register (see module docstring).

    ``local`` gives specs for parameters whose meaning differs from the shared spec of that
    name (or that only this function has).
    """

    def register(func: _F) -> _F:
        signature = inspect.signature(func)
        if "headers" in signature.parameters:
            raise TypeError(f"{func.__name__}: do not declare headers; excel_function adds it")
        declared = list(signature.parameters.values())
        late = [p.replace(kind=_POSITIONAL) for p in declared if p.kind is inspect.Parameter.KEYWORD_ONLY]
        early = [p for p in declared if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        params = [*early, inspect.Parameter("headers", _POSITIONAL, default=True), *late]
        names = [p.name for p in params]
        missing = [n for n in names if n not in local and n not in SPECS]
        extra = [n for n in local if n not in names]
        if missing or extra:
            raise TypeError(f"{func.__name__}: no spec for {missing}, unknown local specs {extra}")
        specs: dict[str, Spec] = {n: local.get(n) or SPECS[n] for n in names}
        defaults = [p.default for p in params]
        for name, default in zip(names, defaults, strict=True):
            _check_default(func.__name__, name, specs[name], default)
        doc = " ".join((inspect.getdoc(func) or "").split())  # one line, as Excel shows it
        if not doc or len(doc) > EXCEL_TEXT_LIMIT:
            raise TypeError(f"{func.__name__}: the docstring must have 1 to {EXCEL_TEXT_LIMIT} characters")

        positions = {n: i for i, n in enumerate(names)}
        options = [(i, n, specs[n], defaults[i]) for i, n in enumerate(names) if not specs[n].is_range]
        needed = [(i, n, specs[n]) for i, n in enumerate(names) if specs[n].is_range and defaults[i] is REQUIRED]
        uses = () if depends is None else tuple(positions[n] for n in depends.arguments)
        qualname, width = func.__qualname__, len(names)

        @functools.wraps(func)
        def wrapped(*args: Any) -> Any:
            places, scope = guard.open_places(), memo.call_scope()
            try:
                values = [*args, *defaults[len(args) :]]
                limit = max_cells()
                if limit:
                    for name, value in zip(names, values, strict=True):
                        if isinstance(value, list | tuple) and len(value) > 1:  # a few cells: no need to count
                            rows = set(map(type, value))
                            cells = sum(map(len, value)) if rows <= ROW_TYPES else cell_count(value)
                            if cells > limit:
                                raise too_many_cells(name, cells, limit)
                key = None
                if depends is not None:
                    try:
                        raw = pickle.dumps((qualname, values[:width]), protocol=pickle.HIGHEST_PROTOCOL)
                        key = (hashlib.blake2b(raw, digest_size=16).digest(), depends.token(*[values[i] for i in uses]))
                        hash(key)
                    except Exception:  # noqa: BLE001 - unhashable cells, or a problem the function itself reports
                        key = None
                if key is not None:
                    found = result_cache.lookup(key)
                    if found is not MISSING:
                        return fresh(found)
                for i, name, spec in needed:
                    if values[i] is REQUIRED or values[i] is None:
                        spec.refuse_missing(name, values[i])
                for i, name, spec, default in options:
                    values[i] = spec.convert(values[i], name, default)
                arguments = dict(zip(names, values, strict=True))
                headers = arguments.pop("headers")
                cells = render(func(**arguments), headers)
                return cells if key is None else fresh(result_cache.store(key, cells))
            except XLFactorError as exc:
                given = [n for n, v in zip(names, values, strict=True) if v is not None and v is not REQUIRED]
                return guard.error_text(exc, names, given)
            except Exception as exc:  # noqa: BLE001 - nothing may escape into a cell
                guard.log_internal(func.__name__)
                return guard.error_text(exc)
            finally:
                memo.end_call_scope(scope)
                guard.close_places(places)

        wrapped.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapped.__doc__ = doc  # cleaned: xlwings shows the docstring verbatim as the description
        for name in reversed(names):
            spec = specs[name]
            if len(spec.doc) > EXCEL_TEXT_LIMIT:
                raise TypeError(f"{func.__name__}: description of {name!r} exceeds {EXCEL_TEXT_LIMIT} characters")
            shape: dict[str, Any] = {"ndim": 2} if spec.is_range else {}
            wrapped = xw.arg(name, doc=spec.doc, err_to_str=True, **shape)(wrapped)
        return xw.func(wrapped)

    return register


def _check_default(func: str, name: str, spec: Spec, default: Any) -> None:
    """Refuse, at import time, a default that the argument's own parser refuses."""
    if default is REQUIRED or spec.is_range:
        return
    try:
        spec.convert(default, name, default)
    except XLFactorError as exc:
        raise TypeError(f"{func}: the default of {name!r} is refused by its spec: {exc}") from None
