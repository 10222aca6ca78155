"""xlwings Server entry points: the FM_ functions and the ribbon actions as custom scripts.

Point the server's custom functions and custom scripts modules at this file (see
manifest_snippet.xml for the ribbon buttons that call the scripts by name).
"""

import importlib.util
import sys

if importlib.util.find_spec("pyodide") is None:
    # xlwings (0.37) checks every input cell with `from pyodide.ffi import JsNull`, and Python
    # does not remember failed imports: each check searches sys.path again. Outside Pyodide the
    # answer is always "not installed"; recording that (the standard `sys.modules[name] = None`)
    # gives the same answer without the search: ~5.2 -> ~0.9 ms of xlwings time per formula
    # (benchmarks/RESULTS.md). Nothing else changes.
    sys.modules["pyodide"] = None

from xlfactor.excel.functions import *  # noqa: E402, F403 - the FM_ custom functions
from xlfactor.excel.scripts import *  # noqa: E402, F403 - the ribbon actions as custom scripts
