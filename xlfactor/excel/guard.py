"""Turn every failure of an Excel function into a readable ``#FM! ...`` cell value.

Every ``FM_`` function gets :func:`guarded` from
:func:`xlfactor.excel.udf.excel_function`, which applies it beneath the xlwings decorators
(so xlwings registers the guarded function, with its signature and docstring):

- :class:`xlfactor.errors.XLFactorError` (bad input) becomes ``"#FM! <message>"``; the
  message already names the argument and the fix. Advice the engine words in Python terms
  (``units='decimal'``, ``max_gross=None``) is reworded as Excel arguments are written
  (``units "decimal"``, ``max_gross "none"``) by :func:`excel_wording`, here only; advice in
  parentheses about an argument the function does not have is left out.
- Any other exception becomes ``"#FM! internal error: <type>: <message>"``; the traceback
  goes to the ``xlfactor.excel`` logger, never to the cell.

The result is a plain string, which every xlwings runtime writes into the calling cell
(strings starting with ``#`` are only turned into Excel errors by xlwings when they are
exactly an Excel error literal such as ``#N/A``; ``#FM! ...`` stays text).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from xlfactor.errors import XLFactorError

ERROR_PREFIX = "#FM! "

_F = TypeVar("_F", bound=Callable[..., Any])
_log = logging.getLogger("xlfactor.excel")

#: ``name=value`` as the engine writes an argument in its advice (optionally after "pass").
_PYTHON_ARGUMENT = re.compile(r"\b(?:(pass) )?([a-z][a-z_]*)=(None|True|False|'[^']*'|<[^>]*>)")
#: Arguments whose Python ``None`` is a word in Excel (elsewhere None is a blank cell).
_NONE_WORDS = {"max_gross": '"none"'}


def excel_wording(message: str, arguments: Collection[str] | None = None) -> str:
    """An engine message with its Python argument advice in Excel terms.

    ``units='decimal'`` -> ``units "decimal"``; ``max_gross=None`` -> ``max_gross "none"``
    (other ``x=None`` -> ``x blank``); ``excess=False`` -> ``excess FALSE``;
    ``pass max_gross=<its gross exposure>`` -> ``set max_gross to its gross exposure``.
    With ``arguments`` (the function's argument names), a parenthesis advising any other
    argument (`` (for ...: units='decimal')`` in a function without ``units``) is left out.
    """
    if arguments is not None:

        def keep(match: re.Match[str]) -> str:
            advised = {m.group(2) for m in _PYTHON_ARGUMENT.finditer(match.group(0))}
            return match.group(0) if advised <= set(arguments) else ""

        message = re.sub(r" \([^()]*\)", keep, message)

    def reword(match: re.Match[str]) -> str:
        verb, name, value = match.groups()
        if value == "None":
            value = _NONE_WORDS.get(name, "blank")
        elif value in ("True", "False"):
            value = value.upper()
        elif value.startswith("'"):
            value = f'"{value[1:-1]}"'
        else:  # <placeholder>
            value = value[1:-1]
            return f"set {name} to {value}" if verb else f"{name} = {value}"
        return f"set {name} {value}" if verb else f"{name} {value}"

    return _PYTHON_ARGUMENT.sub(reword, message)


def error_text(exc: BaseException, arguments: Collection[str] | None = None) -> str:
    """The cell text for an exception: ``#FM! <message>`` (in Excel terms for a function with these
    ``arguments``, :func:`excel_wording`) or ``#FM! internal error: <type>: <message>``."""
    if isinstance(exc, XLFactorError):
        return f"{ERROR_PREFIX}{excel_wording(str(exc), arguments)}"
    return f"{ERROR_PREFIX}internal error: {type(exc).__name__}: {exc}"


@contextmanager
def excel_names(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise an engine error about a Python argument (``"window: ..."``) under the name the Excel function
    gives that argument (``"rolling_window: ..."``; the name is replaced throughout that message); other errors
    pass unchanged."""
    try:
        yield
    except XLFactorError as exc:
        text = str(exc)
        for python, excel in names.items():
            if text.startswith(f"{python}:"):
                raise XLFactorError(re.sub(rf"\b{re.escape(python)}\b", excel, text)) from None
        raise


def guarded(func: _F, arguments: Collection[str] | None = None) -> _F:
    """Decorator: return :func:`error_text` (for a function with these ``arguments``) instead of raising.

    ``functools.wraps`` keeps the signature, annotations and docstring, which xlwings reads
    to build the Excel function (argument names, optional defaults, descriptions).
    """

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        try:
            return func(*args)
        except XLFactorError as exc:
            return error_text(exc, arguments)
        except Exception as exc:  # noqa: BLE001 - nothing may escape into a cell
            _log.exception("internal error in %s", func.__name__)
            return error_text(exc)

    return wrapper  # type: ignore[return-value]
