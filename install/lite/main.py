"""xlwings Lite entry point: paste into the Lite editor's main.py (with requirements.txt).

Importing the UDF module registers every FM_ function; importing the scripts adds the
ribbon actions as Lite script buttons (each receives the workbook from Lite).
"""

from xlfactor.excel.functions import *  # noqa: F403 - registers the FM_ functions with Lite
from xlfactor.excel.scripts import *  # noqa: F403 - the ribbon actions as @xw.script buttons
