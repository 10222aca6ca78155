"""The ribbon actions as ``@xw.script`` entry points, for xlwings Lite and xlwings Server.

Lite's ``main.py`` (``install/lite/main.py``) and the ``custom_scripts/__init__.py`` that
``xlfactor server init`` writes import them with ``from xlfactor.excel.scripts import *``.
Each receives the workbook from the runtime and runs :func:`xlfactor.excel.ribbon.dispatch`,
the one code path of every runtime (the classic desktop's VBA calls it too), so a bad input
reaches the user as the same ``xlfactor`` alert everywhere. The one difference is
:data:`ACTIONS`: here Build report writes the report into new sheets of the open workbook
(:mod:`xlfactor.excel.report_sheets`), since a file written on a server is out of the user's
reach; in xlwings Lite the report file is also written to Lite's download area (``/data``).
"""

import sys
from pathlib import Path

import xlwings as xw

from xlfactor.excel import ribbon

__all__ = ["xlfactor_refresh", "xlfactor_recalculate", "xlfactor_report", "xlfactor_status", "xlfactor_help"]


#: xlwings Lite's file area: what Python writes under /data appears in Lite's menu > Files > Import/Export,
#: from where the user downloads it (https://lite.xlwings.org/files).
LITE_FILES = Path("/data")


def lite_files() -> Path | None:
    """Lite's download folder when running in xlwings Lite (Pyodide with /data), else None."""
    return LITE_FILES if sys.platform == "emscripten" and LITE_FILES.is_dir() else None


def _report_into_sheets(book: xw.Book) -> list[str]:
    """The report into new sheets; in xlwings Lite also as a file in Lite's download area, and the user is told."""
    from xlfactor.excel import report_sheets  # the report layer loads only when a report is built
    from xlfactor.report.build import report_analysis, write_report

    returns, weights, realised = ribbon.portfolio_inputs(book)
    analysis, info = report_analysis(returns, weights, source=f"workbook {book.name}", portfolio_returns=realised)
    names = report_sheets.write_report_sheets(book, analysis, info)
    folder = lite_files()
    if folder is not None:
        path = write_report(analysis, info, folder / f"{Path(book.name).stem}-xlfactor-report.xlsx")
        book.app.alert(
            f"The report is in the new 'xlfactor' sheets and in the file {path.name}: xlwings Lite menu > Files > "
            "Import/Export > download it.",
            title="xlfactor",
        )
    return names


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
