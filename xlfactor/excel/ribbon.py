"""Ribbon actions: plain functions taking an ``xw.Book``, plus ``dispatch(tag)`` for every runtime.

Each runtime has a thin entry point:

- classic desktop: the add-in's VBA ``OnAction`` handler calls
  ``RunPython "import xlfactor.excel.ribbon as r; r.dispatch('<tag>')"`` (see ``xlfactor/excel/classic``);
- xlwings Lite and Server: the ``@xw.script`` functions of :mod:`xlfactor.excel.scripts`
  (imported by ``install/lite/main.py`` and by the ``custom_scripts/__init__.py`` that
  ``xlfactor server init`` writes) call ``dispatch(tag, book, scripts.ACTIONS)`` with the
  injected book: the same actions, except that Build report writes into sheets.

What an action computes (rows to write, the portfolio read from the workbook) lives in
plain functions that take and return Python data (:func:`status_rows`, :func:`help_rows`,
:func:`portfolio_from_values`, :func:`portfolio_returns_from_values`, :func:`report_path`);
the ``xw.Book`` shell only reads ranges, writes sheets and recalculates.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from xlfactor import data
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert
from xlfactor.excel.guard import ExcelWording
from xlfactor.excel.results import info_fields

STATUS_SHEET = "xlfactor status"
HELP_SHEET = "xlfactor help"
RETURNS_NAME = "Returns"
WEIGHTS_NAME = "Weights"
PORTFOLIO_RETURNS_NAME = "PortfolioReturns"
STATUS_MODELS = ("CAPM", "FF3", "FF5", "FF6", "CARHART4")


# ------------------------------------------------------------------ pure parts
def status_rows(models: tuple[str, ...] = STATUS_MODELS, freqs: tuple[str, ...] = ("M", "D")) -> list[list[Any]]:
    """One row per model and frequency: ``factor_info`` fields under a header row."""
    labels = list(info_fields(data.factor_info(models[0], freqs[0])))
    rows: list[list[Any]] = [labels]
    for model in models:
        for freq in freqs:
            rows.append(list(info_fields(data.factor_info(model, freq)).values()))
    return rows


def help_rows(module: Any = None) -> list[list[Any]]:
    """Every FM_ function with its description, then one indented row per argument (name, description)."""
    if module is None:
        from xlfactor.excel import functions as module
    rows: list[list[Any]] = [["Function", "Argument", "Description"]]
    for name, func in sorted(inspect.getmembers(module, lambda f: hasattr(f, "__xlfunc__"))):
        info = func.__xlfunc__
        rows.append([name, "", info["ret"]["doc"]])
        for arg in info["args"]:
            optional = " (optional)" if "optional" in arg else ""
            rows.append(["", arg["name"] + optional, arg["doc"]])
    return rows


def portfolio_from_values(returns_values: Any, weights_values: Any) -> tuple[pd.DataFrame, pd.Series]:
    """The ``Returns`` and ``Weights`` ranges of a workbook as report inputs.

    ``Returns``: a header row (a label over the dates, then asset names), then one row per
    date: the date, then returns in decimals (blanks missing). ``Weights``: asset names
    beside (or above) weights.
    """
    rows = convert.drop_blank_tail(convert.grid(returns_values, RETURNS_NAME), columns=True)
    if len(rows[0]) < 2:
        raise XLFactorError(f"{RETURNS_NAME}: give dates in the first column and one column per asset")
    dates = convert.dates([[r[0]] for r in rows], RETURNS_NAME)
    frame = convert.numbers([r[1:] for r in rows], RETURNS_NAME)
    if len(frame) != len(dates):
        raise XLFactorError(f"{RETURNS_NAME}: the first row must hold the asset names above the returns")
    frame.index = dates
    weights = convert.vector(weights_values, WEIGHTS_NAME, label="Asset")
    if np.isnan(weights.to_numpy()).any():
        raise XLFactorError(f"{WEIGHTS_NAME}: a weight is blank; enter 0 for no position")
    return frame, weights


def portfolio_returns_from_values(values: Any) -> pd.Series:
    """The optional ``PortfolioReturns`` range: the portfolio's realised returns as a dated Series.

    Layout: a header row (e.g. ``Date, Return``), then one row per date: the date
    (datetime, serial or YYYY-MM-DD text), the return in decimals. Trailing blank rows are
    dropped; a blank return is a missing period (left out); rows are sorted by date.
    This is what :func:`xlfactor.report.build_report` takes as ``portfolio_returns``.
    """
    name = PORTFOLIO_RETURNS_NAME
    rows = convert.drop_blank_tail(convert.grid(values, name), columns=True)
    if len(rows[0]) != 2 or not convert.has_header(rows):
        raise XLFactorError(
            f"{name}: give a header row (Date, Return), then one row per date with the date and the "
            f"portfolio's return; found {len(rows)} rows of {len(rows[0])} columns"
        )
    body = rows[1:]
    dates = convert.dates([[r[0]] for r in body], name)
    returns = convert.number_matrix([[r[1]] for r in body], name, row_offset=1)[:, 0]
    series = pd.Series(returns, index=dates, name="Portfolio").sort_index().dropna()
    if len(series) < 2:
        raise XLFactorError(f"{name}: fewer than two dates have a return; fill in the Return column")
    return series


def report_path(book_path: str | None) -> Path:
    """Where the report goes: beside the workbook (``<name>-xlfactor-report.xlsx``), else the working folder."""
    if book_path and Path(book_path).parent.is_dir() and Path(book_path).parent != Path("."):
        source = Path(book_path)
        return source.with_name(f"{source.stem}-xlfactor-report.xlsx")
    return Path.cwd() / "xlfactor-report.xlsx"


# ------------------------------------------------------------------ workbook shell (needs Excel)
def padded(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows padded with blanks to one width (xlwings writes rectangular ranges only)."""
    width = max(len(r) for r in rows)
    return [[*r, *([None] * (width - len(r)))] for r in rows]


def _write_sheet(book: xw.Book, name: str, rows: list[list[Any]]) -> None:
    sheet = book.sheets[name] if name in [s.name for s in book.sheets] else book.sheets.add(name)
    sheet.clear_contents()
    sheet["A1"].value = padded(rows)
    sheet.activate()


def _range_values(book: xw.Book, name: str, *, required: bool = True) -> Any:
    """Values of an Excel table or a workbook-level named range called ``name`` (None if absent
    and not ``required``)."""
    for sheet in book.sheets:
        if name in [t.name for t in sheet.tables]:
            return sheet.tables[name].range.options(ndim=2).value
    if name in [n.name for n in book.names]:
        return book.names[name].refers_to_range.options(ndim=2).value
    if not required:
        return None
    raise XLFactorError(f"{name}: no Excel table or named range called {name!r} in this workbook; create one")


def refresh(book: xw.Book) -> None:
    """Download, validate and store fresh factor data, then recalculate (new vintage, new results)."""
    report = data.refresh_factors()
    book.app.calculate()
    lines = [[line] for line in str(report).splitlines()]
    _write_sheet(book, STATUS_SHEET, [*lines, [None], *status_rows()])


def recalculate(book: xw.Book) -> None:
    """Recalculate every open workbook."""
    book.app.calculate()


def portfolio_inputs(book: xw.Book) -> tuple[pd.DataFrame, pd.Series, pd.Series | None]:
    """The workbook's ``Returns`` and ``Weights`` tables (or named ranges) and, when present, its
    ``PortfolioReturns`` (the realised portfolio returns; else None), as report inputs."""
    returns, weights = portfolio_from_values(_range_values(book, RETURNS_NAME), _range_values(book, WEIGHTS_NAME))
    realised = _range_values(book, PORTFOLIO_RETURNS_NAME, required=False)
    return returns, weights, None if realised is None else portfolio_returns_from_values(realised)


def build_report(book: xw.Book) -> Path:
    """Write the factor risk report file for the workbook's portfolio (:func:`portfolio_inputs`) beside it
    (classic desktop; xlwings Lite and Server write the report into sheets, :mod:`xlfactor.excel.report_sheets`)."""
    from xlfactor.report import build_report as write_report

    returns, weights, realised = portfolio_inputs(book)
    path = write_report(
        returns, weights, report_path(book.fullname), source=f"workbook {book.name}", portfolio_returns=realised
    )
    _write_sheet(book, STATUS_SHEET, [["Report written to", str(path)]])
    return path


def data_status(book: xw.Book) -> None:
    """Write where each model's factor data come from (origin, vintage, dates) to a status sheet."""
    _write_sheet(book, STATUS_SHEET, status_rows())


def show_help(book: xw.Book) -> None:
    """List the FM_ functions and their arguments on a help sheet."""
    _write_sheet(book, HELP_SHEET, help_rows())


ACTIONS: dict[str, Callable[[xw.Book], Any]] = {
    "refresh": refresh,
    "recalculate": recalculate,
    "report": build_report,
    "status": data_status,
    "help": show_help,
}


def dispatch(tag: str, book: xw.Book | None = None, actions: Mapping[str, Callable[[xw.Book], Any]] = ACTIONS) -> None:
    """Run the action for a ribbon button's ``tag`` on ``book`` (default: the calling workbook).

    ``actions``: the runtime's actions (default: the classic desktop's; xlwings Lite and
    Server pass :data:`xlfactor.excel.scripts.ACTIONS`). Bad input (e.g. no ``Returns``
    table) is shown to the user as an alert titled "xlfactor", not a traceback.
    """
    if tag not in actions:
        raise XLFactorError(f"tag: unknown ribbon action {tag!r}; one of {', '.join(actions)}")
    book = book if book is not None else xw.Book.caller()
    try:
        actions[tag](book)
    except XLFactorError as exc:
        book.app.alert(exc.render(ExcelWording(())), title="xlfactor")  # a button takes no arguments to advise
