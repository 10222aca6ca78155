"""Turn every failure of an Excel function into a readable ``#FM! ...`` cell value.

Every ``FM_`` function gets :func:`guarded` from
:func:`xlfactor.excel.udf.excel_function`, which applies it beneath the xlwings decorators
(so xlwings registers the guarded function, with its signature and docstring):

- :class:`xlfactor.errors.XLFactorError` (bad input) becomes ``"#FM! <message>"``; the
  message already names the argument and the fix.
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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from xlfactor.errors import XLFactorError

ERROR_PREFIX = "#FM! "

_F = TypeVar("_F", bound=Callable[..., Any])
_log = logging.getLogger("xlfactor.excel")


def error_text(exc: BaseException) -> str:
    """The cell text for an exception: ``#FM! <message>`` or ``#FM! internal error: <type>: <message>``."""
    if isinstance(exc, XLFactorError):
        return f"{ERROR_PREFIX}{exc}"
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


def guarded(func: _F) -> _F:
    """Decorator: return :func:`error_text` instead of raising.

    ``functools.wraps`` keeps the signature, annotations and docstring, which xlwings reads
    to build the Excel function (argument names, optional defaults, descriptions).
    """

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        try:
            return func(*args)
        except XLFactorError as exc:
            return error_text(exc)
        except Exception as exc:  # noqa: BLE001 - nothing may escape into a cell
            _log.exception("internal error in %s", func.__name__)
            return error_text(exc)

    return wrapper  # type: ignore[return-value]
