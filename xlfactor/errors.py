"""The one exception type xlfactor raises for bad input or unusable data, and how each front end words it.

An error raised by an input rule carries its facts as fields: the ``argument`` at fault (its Python
name), where in it (``column`` label, ``row`` label), the ``problem``, the ``advice`` (an argument
and the value that would fix it, e.g. ``units="decimal"``) and the ``action`` (a step the user takes
in their front end, e.g. download a model's data). Each front end renders its own wording from these
fields through a :class:`Wording`: the Python wording is ``str(error)``; Excel names the argument as
its function does, points at the cell and names the ribbon's button; the CLI speaks of its flags and
commands. Nothing rewrites a finished message.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    """A fix that is an argument value: ``units="decimal"``, ``max_gross=None``, ``excess=False``.

    ``when`` says for which case it applies (``"for an asset more volatile than 100% a year"``);
    ``value`` is the Python value. A front end without this argument leaves the advice out.
    """

    argument: str
    value: object
    when: str = ""


@dataclass(frozen=True)
class Action:
    """A fix that is a step the user takes in their front end rather than an argument value.

    ``name`` says which step (:data:`REFRESH`: download a model's factor data), ``target`` what it
    applies to (the model). Each front end words it as its own command (:meth:`Wording.action`).
    """

    name: str
    target: str = ""


#: The :attr:`Action.name` of downloading a model's factor data.
REFRESH = "refresh"


@dataclass(frozen=True)
class Placeholder:
    """An advised value the user fills in (``max_gross=<its gross exposure>``)."""

    text: str

    def __repr__(self) -> str:
        return f"<{self.text}>"


class XLFactorError(ValueError):
    """Bad input or unusable data.

    ``XLFactorError(message)`` carries a finished message naming the argument (or dataset) at fault
    and the fix. An input rule raises :meth:`at` instead, with the fields each front end words
    for itself (:meth:`render`); ``str(error)`` is then the Python wording.
    """

    def __init__(
        self,
        message: str = "",
        *,
        argument: str | None = None,
        problem: str = "",
        column: Hashable | None = None,
        row: Hashable | None = None,
        advice: Advice | tuple[Advice, ...] = (),
        action: Action | None = None,
    ) -> None:
        self.argument = argument
        self.action = action
        self.problem = problem
        self.column = column
        self.row = row
        self.advice = (advice,) if isinstance(advice, Advice) else tuple(advice or ())
        super().__init__(message or (self.render(PYTHON) if argument is not None else ""))

    @classmethod
    def at(
        cls,
        argument: str,
        problem: str,
        *,
        column: Hashable | None = None,
        row: Hashable | None = None,
        advice: Advice | tuple[Advice, ...] = (),
        action: Action | None = None,
    ) -> XLFactorError:
        """An error with fields: ``argument``, where (``column``, ``row`` labels), the ``problem``
        (its text after the place, starting with a verb: ``"holds 1e+308, which ..."``), ``advice``
        and ``action`` (rendered after a colon: ``"...: run xlfactor.refresh_factors('FF5-JPN')"``)."""
        return cls(argument=argument, problem=problem, column=column, row=row, advice=advice, action=action)

    def advising(self, advice: Advice) -> XLFactorError:
        """This error with ``advice`` offered first: a front end's own fix for the engine's finding (the command
        line's ``--prices`` for returns read from a file that may hold prices). A plain-message error is returned
        as is."""
        if self.argument is None:
            return self
        return type(self).at(
            self.argument, self.problem, column=self.column, row=self.row, advice=(advice, *self.advice)
        )

    @property
    def structured(self) -> bool:
        """True when the error carries fields a front end can word (raised with :meth:`at`)."""
        return self.argument is not None

    def render(self, wording: Wording) -> str:
        """The message as ``wording`` (a front end) words it; a plain-message error is returned as is."""
        if self.argument is None:
            return str(self)
        place = wording.place(self.argument, self.column, self.row)
        text = f"{wording.argument(self.argument)}: {place}{self.problem}"
        shown = [(a.when, wording.advice(a)) for a in self.advice]
        shown = [f"{when}: {fix}" if when else f"or {fix}" for when, fix in shown if fix]
        text += f" ({'; '.join(shown)})" if shown else ""
        return text if self.action is None else f"{text}: {wording.action(self.action)}"


class Wording:
    """How a front end writes an argument, a place in it and an advised value (Python's by default)."""

    def argument(self, name: str) -> str:
        """The argument as this front end calls it."""
        return name

    def place(self, argument: str, column: Hashable | None, row: Hashable | None) -> str:
        """``"column 'A' on 2020-03-31 "`` (empty when the error has no place)."""
        text = "" if column is None else f"column '{column}'"
        if row is not None:
            text += (" " if text else "") + _row_text(row)
        return f"{text} " if text else ""

    def advice(self, advice: Advice) -> str:
        """``units='decimal'``; empty when this front end has no such argument."""
        return f"{advice.argument}={advice.value!r}"

    def action(self, action: Action) -> str:
        """The step to take, as a command of this front end (Python's: the library function)."""
        if action.name == REFRESH:
            return f"run xlfactor.refresh_factors({action.target!r}) once, with internet access"
        raise ValueError(f"unknown action {action.name!r}")


def _row_text(row: Hashable) -> str:
    stamp = getattr(row, "strftime", None)
    return f"on {stamp('%Y-%m-%d')}" if stamp is not None else f"at row {row}"


#: The Python API's wording.
PYTHON = Wording()
