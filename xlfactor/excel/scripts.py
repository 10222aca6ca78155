"""The ribbon actions as ``@xw.script`` entry points, for xlwings Lite and xlwings Server.

Lite's ``main.py`` and a Server project's custom-scripts module import them with
``from xlfactor.excel.scripts import *`` (see ``install/lite`` and ``install/server``);
each receives the workbook from the runtime and calls the matching action of
:mod:`xlfactor.excel.ribbon`. Classic desktop reaches the same actions through the VBA
dispatcher instead.
"""

import xlwings as xw

from xlfactor.excel import ribbon

__all__ = ["xlfactor_refresh", "xlfactor_recalculate", "xlfactor_report", "xlfactor_status", "xlfactor_help"]


@xw.script
def xlfactor_refresh(book: xw.Book):
    """Download fresh factor data (needs network access from the runtime), then recalculate."""
    ribbon.refresh(book)


@xw.script
def xlfactor_recalculate(book: xw.Book):
    """Recalculate every FM_ formula."""
    ribbon.recalculate(book)


@xw.script
def xlfactor_report(book: xw.Book):
    """Build the factor risk report from the Returns and Weights tables into new sheets of this workbook."""
    from xlfactor.excel import report_sheets  # the report layer (openpyxl) loads only when a report is built

    report_sheets.build_report_sheets(book)


@xw.script
def xlfactor_status(book: xw.Book):
    """Write where the factor data come from to the 'xlfactor status' sheet."""
    ribbon.data_status(book)


@xw.script
def xlfactor_help(book: xw.Book):
    """List the FM_ functions and their arguments on the 'xlfactor help' sheet."""
    ribbon.show_help(book)
