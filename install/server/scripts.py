"""xlwings Server entry points: the FM_ functions and the ribbon actions as custom scripts.

Point the server's custom functions and custom scripts modules at this file (see
manifest_snippet.xml for the ribbon buttons that call the scripts by name).
"""

import xlwings as xw

from xlfactor.excel import ribbon
from xlfactor.excel.functions import *  # noqa: F403 - registers the FM_ functions with Lite


@xw.script
def xlfactor_refresh(book: xw.Book):
    """Download fresh factor data (needs network access from Lite), then recalculate."""
    ribbon.refresh(book)


@xw.script
def xlfactor_recalculate(book: xw.Book):
    """Recalculate every FM_ formula."""
    ribbon.recalculate(book)


@xw.script
def xlfactor_report(book: xw.Book):
    """Build the factor risk report from the Returns and Weights tables."""
    ribbon.build_report(book)


@xw.script
def xlfactor_status(book: xw.Book):
    """Write where the factor data come from to the 'xlfactor status' sheet."""
    ribbon.data_status(book)


@xw.script
def xlfactor_help(book: xw.Book):
    """List the FM_ functions and their arguments on the 'xlfactor help' sheet."""
    ribbon.show_help(book)
