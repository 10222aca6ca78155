"""The ribbon actions as ``@xw.script`` entry points, for xlwings Lite and xlwings Server.

Lite's ``main.py`` (``install/lite/main.py``) and the ``custom_scripts/__init__.py`` that
``xlfactor server init`` writes import them with ``from xlfactor.excel.scripts import *``.
Each receives the workbook from the runtime and runs :func:`xlfactor.excel.ribbon.dispatch`,
the one code path of every runtime (the classic desktop's VBA calls it too), so a bad input
reaches the user as the same ``xlfactor`` alert everywhere. The one difference is
:data:`ACTIONS`: here Build report writes the report into new sheets of the open workbook
(:mod:`xlfactor.excel.report_sheets`), since a file written by Pyodide or on a server is
out of the user's reach.
"""

import xlwings as xw

from xlfactor.excel import ribbon

__all__ = ["xlfactor_refresh", "xlfactor_recalculate", "xlfactor_report", "xlfactor_status", "xlfactor_help"]


def _report_into_sheets(book: xw.Book) -> list[str]:
    from xlfactor.excel import report_sheets  # the report layer loads only when a report is built

    return report_sheets.build_report_sheets(book)


ACTIONS = {**ribbon.ACTIONS, "report": _report_into_sheets}


@xw.script
def xlfactor_refresh(book: xw.Book):
    """Download fresh factor data (needs network access from the runtime), then recalculate."""
    ribbon.dispatch("refresh", book, ACTIONS)


@xw.script
def xlfactor_recalculate(book: xw.Book):
    """Recalculate every FM_ formula."""
    ribbon.dispatch("recalculate", book, ACTIONS)


@xw.script
def xlfactor_report(book: xw.Book):
    """Build the factor risk report from the Returns and Weights tables into new sheets of this workbook."""
    ribbon.dispatch("report", book, ACTIONS)


@xw.script
def xlfactor_status(book: xw.Book):
    """Write where the factor data come from to the 'xlfactor status' sheet."""
    ribbon.dispatch("status", book, ACTIONS)


@xw.script
def xlfactor_help(book: xw.Book):
    """List the FM_ functions and their arguments on the 'xlfactor help' sheet."""
    ribbon.dispatch("help", book, ACTIONS)
