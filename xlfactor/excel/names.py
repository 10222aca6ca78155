"""The one table of Excel argument names that differ from the engine's Python names.

Every FM_ function names its arguments as the engine function it feeds does (``window``,
``min_periods``, ``halflife``, ...). An engine argument appears here only when the Excel
function cannot take it under its Python name:

- VBA or Excel claims the name (``end`` is a VBA statement; ``start`` goes with it);
- the Excel function reads it from another argument: the columns of the long ``data`` table
  (returns, characteristics), the RF column of ``factors``, a holdings history in ``holdings``;
- the engine name already means something else in Excel (``weight`` of :func:`xlfactor.adjust_beta`
  is ``blume_weight``, as ``weight`` is a column of ``data``).

:class:`xlfactor.excel.guard.ExcelWording` words every message with it: an engine argument is
named as the function's own argument of that name when the user gave it, else as the first
entry here whose argument (the word before any bracket) the user gave, else the first the
function has, else its Python name.
"""

from __future__ import annotations

#: Engine (Python) argument -> the Excel argument(s) that carry it, in order of preference.
EXCEL_NAMES: dict[str, tuple[str, ...]] = {
    # the risk-free rate is the RF column of the factors (a model has one)
    "rf": ("factors (its RF column)",),
    # VBA reserves End (a statement); start keeps its pair's spelling
    "start": ("start_date",),
    "end": ("end_date", "episode_end"),
    # the long data table of the cross-section and sort functions
    "returns": ("data (its Return column)",),
    "exposures": ("data (its characteristic columns)",),
    "characteristics": ("data (its characteristic columns)",),
    "signal": ("data (its signal column)",),
    "controls": ("data (its control columns)",),
    "caps": ("cap",),
    "name": ("factor_name",),
    # panel weights name a column of data (weight); weights that may be a history (factor_attribution,
    # characteristic_adjusted_returns take either) are their own range when they are one (holdings)
    "weights": ("holdings", "weight"),
    "betas_or_result": ("betas",),
    # one Excel halflife sets every half-life of the cross-sectional risk model
    "vol_halflife": ("halflife",),
    "corr_halflife": ("halflife",),
    "specific_halflife": ("halflife",),
    # an engine name that means something else in Excel: weight is a column of data, target the returns to
    # hedge
    "weight": ("blume_weight",),
    "target": ("blume_target",),
}


def excel_name(name: str, given: set[str] | frozenset[str], declared: set[str] | frozenset[str] | None) -> str:
    """The Excel wording of engine argument ``name`` in a function with the ``declared`` arguments (None:
    unknown), of which the user ``given`` some: see the module docstring."""
    candidates = (name, *EXCEL_NAMES.get(name, ()))
    for pool in (given, declared or ()):
        for candidate in candidates:
            if candidate.split(" ", 1)[0] in pool:
                return candidate
    return name
