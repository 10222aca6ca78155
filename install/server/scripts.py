"""xlwings Server entry points: the FM_ functions and the ribbon actions as custom scripts.

Point the server's custom functions and custom scripts modules at this file (see
manifest_snippet.xml for the ribbon buttons that call the scripts by name).
"""

from xlfactor.excel.functions import *  # noqa: F403 - the FM_ custom functions
from xlfactor.excel.scripts import *  # noqa: F403 - the ribbon actions as custom scripts
