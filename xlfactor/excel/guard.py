"""Turn every failure of an Excel function into a readable ``#FM! ...`` cell value.

Every ``FM_`` function registered by :func:`xlfactor.excel.udf.excel_function` returns
:func:`error_text` for an exception instead of raising it:

- :class:`xlfactor.errors.XLFactorError` (bad input) becomes ``"#FM! <message>"``. An error
  with fields (every engine error that names an argument) is worded here from them
  (:class:`ExcelWording`): the argument as the function names it (:mod:`xlfactor.excel.names`),
  the cell by its position in the selected range (from what the Excel layer registered with
  :func:`locate` during the call), advice as the cell is set (``units "decimal"``, ``max_gross
  "none"``), no advice about an argument the function does not have, and an action as the
  ribbon's button (Refresh data), never a command. A plain-message error (the Excel layer's own,
  written with Excel's names) is shown as it is: no message is reworded.
- Any other exception becomes ``"#FM! internal error: <type>: <message>"``; the traceback
  goes to the ``xlfactor.excel`` logger, never to the cell.

The result is a plain string, which every xlwings runtime writes into the calling cell
(strings starting with ``#`` are only turned into Excel errors by xlwings when they are
exactly an Excel error literal such as ``#N/A``; ``#FM! ...`` stays text).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Hashable, Mapping
from contextvars import ContextVar, Token

from xlfactor.errors import REFRESH, Action, Advice, Placeholder, Wording, XLFactorError
from xlfactor.excel.names import excel_name

ERROR_PREFIX = "#FM! "

_log = logging.getLogger("xlfactor.excel")

#: Engine advice that an Excel function expresses through another argument.
EXCEL_ADVICE = {("rf", None): ("excess", False)}

#: The places of the current call's ranges: argument -> ``(column, row) -> "row 9, column 3 of the range"``.
_places: ContextVar[dict[str, Callable[[Hashable, Hashable], str | None]] | None] = ContextVar("places", default=None)


def locate(argument: str, place: Callable[[Hashable, Hashable], str | None]) -> None:
    """Say where the rows and columns of ``argument``'s frame sit in the user's range, for this call's
    error messages: ``place(column, row)`` gives e.g. ``"row 9, column 3 of the range"`` (None: unknown)."""
    places = _places.get()
    if places is not None:
        places[argument] = place


class ExcelWording(Wording):
    """The wording of an Excel function with these ``arguments``: its argument names, cells by their
    position in the selected range, advice as a cell would be set (``units "decimal"``), and no advice
    about an argument the function lacks."""

    def __init__(
        self,
        arguments: Collection[str] | None,
        places: Mapping[str, Callable] | None = None,
        given: Collection[str] | None = None,
    ) -> None:
        self.arguments = None if arguments is None else set(arguments)
        self.given = set(self.arguments or ()) if given is None else set(given)
        self.places = places or {}

    def argument(self, name: str) -> str:
        return excel_name(name, self.given, self.arguments)

    def place(self, argument: str, column: Hashable | None, row: Hashable | None) -> str:
        locator = self.places.get(argument) or self.places.get(self.argument(argument).split(" ", 1)[0])
        cell = locator(column, row) if locator is not None and row is not None else None
        return f"{cell} " if cell else super().place(argument, column, row)

    def advice(self, advice: Advice) -> str:
        name, value = EXCEL_ADVICE.get((advice.argument, advice.value), (advice.argument, advice.value))
        if self.arguments is not None and name not in self.arguments:
            return ""
        if isinstance(value, Placeholder):
            return f"set {name} to {value.text}"
        if value is None:
            return f'set {name} "none"' if name == "max_gross" else f"leave {name} blank"
        if isinstance(value, bool):
            return f"set {name} {str(value).upper()}"
        return f'set {name} "{value}"' if isinstance(value, str) else f"set {name} {value}"

    def action(self, action: Action) -> str:
        if action.name == REFRESH:  # the ribbon's Refresh data fetches every model a formula asked for
            return "click Refresh data on the xlfactor ribbon once, with internet access; formulas then recalculate"
        return super().action(action)


def error_text(
    exc: BaseException, arguments: Collection[str] | None = None, given: Collection[str] | None = None
) -> str:
    """The cell text for an exception: ``#FM! <message>`` (worded for an Excel function with these
    ``arguments``, of which the user ``given`` some (default all): :class:`ExcelWording`) or
    ``#FM! internal error: <type>: <message>``."""
    if isinstance(exc, XLFactorError):
        wording = ExcelWording(arguments, _places.get(), given)
        return f"{ERROR_PREFIX}{exc.render(wording)}"
    return f"{ERROR_PREFIX}internal error: {type(exc).__name__}: {exc}"


def open_places() -> Token:
    """Open the record of one call's range places for :func:`locate` (close it with :func:`close_places`)."""
    return _places.set({})


def close_places(token: Token) -> None:
    """Close the record opened by :func:`open_places`."""
    _places.reset(token)


def log_internal(function: str) -> None:
    """Log the exception being handled (an internal error in ``function``) with its traceback, which never
    reaches a cell."""
    _log.exception("internal error in %s", function)
