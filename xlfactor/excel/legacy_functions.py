"""The FM_ functions for Excel without dynamic arrays (Excel 2016 and 2019), classic desktop only.

In an Excel without dynamic arrays a formula whose result is a table shows only its top-left value.
xlwings' classic UDF server has a mechanism for exactly this, its ``expand`` return option
(``@xw.ret(expand="table")``): after a calculation whose result is larger or smaller than the
calling range, it re-enters the formula as a legacy array formula (``Range.FormulaArray``, the
``{=...}`` of Ctrl+Shift+Enter) over the result's size, so the whole table appears and resizes
with the inputs. This module re-exports :mod:`xlfactor.excel.functions` with that option on every
FM_ function. ``xlfactor install`` points the add-in's ``UDF Modules`` setting here instead of at
:mod:`xlfactor.excel.functions` when the Excel it configures has no dynamic arrays (or when asked
with ``--legacy-arrays``).

What the mechanism implies (xlwings' own behaviour, not xlfactor's): the result is written over
the cells below and to the right of the formula, so keep them empty; a result that grows clears
and rewrites the block; formulas referring into the block see it as an array. Excel with dynamic
arrays (Microsoft 365, 2021 and later) spills natively and uses :mod:`xlfactor.excel.functions`;
xlwings Lite and Server need Excel with dynamic arrays anyway (Office.js custom functions).
"""

from __future__ import annotations

import inspect
from types import ModuleType

import xlwings as xw

from xlfactor.excel import functions
from xlfactor.excel.functions import *  # noqa: F403 - the same FM_ functions, re-exported for xlwings to find

EXPAND = "table"


def use_legacy_arrays(module: ModuleType) -> list[str]:
    """Give every Excel function of ``module`` xlwings' ``expand`` return option; return their names."""
    names = []
    for name, func in inspect.getmembers(module, lambda f: hasattr(f, "__xlfunc__")):
        xw.ret(expand=EXPAND)(func)
        names.append(name)
    return names


LEGACY_ARRAYS = use_legacy_arrays(functions)
