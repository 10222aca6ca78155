"""``@excel_function``: register a plain function as an Excel function in every xlwings runtime.

Each argument is stated once: name and default in the signature, description and parser in
the :class:`~xlfactor.excel.specs.Spec` of that name (:data:`xlfactor.excel.specs.SPECS`, or
one passed to the decorator for a name whose meaning is local). See
:mod:`xlfactor.excel.specs` for how to write an FM_ function. The decorator:

- appends the ``headers`` argument (:data:`~xlfactor.excel.specs.HEADERS`) to the signature,
  then the keyword-only parameters (declared after ``*``): an argument added to an existing
  function goes there, so calls written before it existed, ``headers`` included, keep
  their meaning;
- converts every option (flags, choices, numbers, dates, names) before the body runs, so the
  body receives Python values, and ranges as raw 2-D lists;
- renders the returned :class:`~xlfactor.excel.results.Table` or
  :class:`~xlfactor.excel.results.Record` with ``headers`` (a 2-D list passes unchanged);
- with ``depends=...``: applies :func:`xlfactor.excel.memo.cell_memo`, which serves a repeat
  with identical raw cells from the result memo before any conversion. ``depends`` maps the
  raw arguments (by name) to what else the result depends on: the data vintage for model
  names (:data:`xlfactor.excel.inputs.FACTOR_DATA`), or nothing
  (:func:`xlfactor.excel.memo.no_data`). Without ``depends`` nothing is memoised;
- refuses an argument of more cells than :func:`xlfactor.excel.limits.max_cells` before
  anything else (memo included) looks at it;
- :func:`xlfactor.excel.guard.guarded` (errors become ``#FM! ...`` text, worded for a cell);
- ``xw.arg(name, doc=..., err_to_str=True)`` for every parameter, plus ``ndim=2`` for
  ranges (so a single cell still arrives as ``[[x]]``); ``err_to_str`` makes xlwings hand
  over Excel errors as ``"#N/A"`` etc. instead of blanking them; then ``xw.func``.

At import time it refuses a parameter without a spec, a default its own parser would
refuse, and texts (docstring, descriptions) over Excel's 255-character limit.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import xlwings as xw

from xlfactor.errors import XLFactorError
from xlfactor.excel.guard import guarded
from xlfactor.excel.limits import check_cells
from xlfactor.excel.memo import cell_memo
from xlfactor.excel.results import render
from xlfactor.excel.specs import REQUIRED, SPECS, Spec

EXCEL_TEXT_LIMIT = 255
_F = TypeVar("_F", bound=Callable[..., Any])
_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD


def excel_function(*, depends: Callable[[dict[str, Any]], Hashable] | None = None, **local: Spec) -> Callable[[_F], _F]:
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

        @functools.wraps(func)
        def call(*args: Any) -> Any:
            values = [*args, *defaults[len(args) :]]
            converted = {n: specs[n].convert(v, n, d) for n, v, d in zip(names, values, defaults, strict=True)}
            headers = converted.pop("headers")
            return render(func(**converted), headers)

        call.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        inner = call if depends is None else cell_memo(call, depends)

        @functools.wraps(inner)
        def bounded(*args: Any) -> Any:
            check_cells(names, args)
            return inner(*args)

        wrapped = guarded(bounded, names)
        wrapped.__doc__ = doc  # cleaned: xlwings shows the docstring verbatim as the description
        wrapped.__signature__ = call.__signature__  # type: ignore[attr-defined]
        for name in reversed(names):
            spec = specs[name]
            if len(spec.doc) > EXCEL_TEXT_LIMIT:
                raise TypeError(f"{func.__name__}: description of {name!r} exceeds {EXCEL_TEXT_LIMIT} characters")
            options: dict[str, Any] = {"ndim": 2} if spec.is_range else {}
            wrapped = xw.arg(name, doc=spec.doc, err_to_str=True, **options)(wrapped)
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
