"""The path of FM_BETA's ``returns`` from xlwings' engine to the regression engine (issue 18).

Two claims, each checked on a real call through xlwings' Office.js engine:

- **At most four Excel-layer functions handle the returns on their way to the engine.** A profiler
  hook records every call of a function defined in ``xlfactor.excel`` that *receives* the returns:
  among its arguments (``*args`` included) is the raw 2-D list, one of its cells, or anything built
  from it (a list, array, frame or an object with such an attribute: a grid, a sample) holding the
  returns' numbers. The numbers are made unmistakable (each return carries a distinct tiny offset), so
  an object holds the returns when it holds those exact floats. Counting stops when a function of
  ``xlfactor.models`` first receives them: from there on the engine owns them. The asset names are not
  tracked (they label the output too), nor are closures (a function that is only defined, not called
  with the data, receives nothing), nor the ``__init__`` that ``dataclasses`` generates for a record
  (it stores its fields and nothing else; its code is generated, not written in ``xlfactor/excel``).
- **``excel/`` applies no value rule of its own.** A -150% return, a 1e308, percent returns and a
  constant asset are each refused by an :class:`XLFactorError` raised in ``xlfactor.models``; the
  Excel layer only words it (``#FM! ...`` naming the cell).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from office_js import excel_range, serials

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert, guard, memo

ASSETS = ["NoDur", "Durbl", "Manuf"]
MAX_EXCEL_FUNCTIONS = 4


@pytest.fixture(scope="module")
def marked() -> pd.DataFrame:
    """Three industry portfolios, 2014-2023, each return shifted by a distinct offset below 1e-9 (so that no
    other float in the call equals one of them)."""
    r = xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS].copy()
    offsets = (np.arange(r.size).reshape(r.shape) + 1) * 1.234567e-12
    return r + offsets


class ReturnsTracer:
    """Records the functions that receive an object holding any of ``markers`` (see the module docstring)."""

    def __init__(self, raw: list, markers: np.ndarray) -> None:
        self.raw = raw
        self.markers = markers
        self.marker_set = set(markers.tolist())
        self.excel: list[str] = []
        self.engine: str | None = None

    def holds(self, value: object, hops: int = 2) -> bool:
        if value is self.raw:
            return True
        if isinstance(value, float):
            return value in self.marker_set
        if isinstance(value, (list, tuple)):
            return any(self.holds(v, hops) for v in value[:10_000])
        if isinstance(value, dict):
            return any(self.holds(v, hops) for v in value.values())
        if isinstance(value, np.ndarray):
            return value.dtype.kind == "f" and bool(np.isin(self.markers, value).any())
        if isinstance(value, (pd.DataFrame, pd.Series)):
            return self.holds(value.to_numpy(dtype=float, na_value=np.nan) if _numeric(value) else np.array([]))
        if hops and type(value).__module__.startswith("xlfactor"):
            fields = getattr(value, "__dict__", None) or {
                s: getattr(value, s, None) for s in getattr(type(value), "__slots__", ())
            }
            return any(self.holds(v, hops - 1) for v in fields.values())
        return False

    def profile(self, frame, event: str, arg: object) -> None:
        if event != "call" or self.engine is not None:
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(("xlfactor.excel", "xlfactor.models")):
            return
        code = frame.f_code
        if code.co_filename == "<string>":  # a record's generated __init__
            return
        n = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)
        received = [frame.f_locals.get(name) for name in code.co_varnames[:n]]
        if not any(self.holds(v) for v in received):
            return
        name = f"{module}.{code.co_qualname}"
        if module.startswith("xlfactor.models"):
            self.engine = name
        elif name not in self.excel:
            self.excel.append(name)


def _numeric(frame: pd.DataFrame | pd.Series) -> bool:
    dtypes = [frame.dtype] if isinstance(frame, pd.Series) else list(frame.dtypes)
    return all(np.issubdtype(d, np.floating) for d in dtypes)


def trace(call: Callable[[], object], raw: list, values: np.ndarray) -> ReturnsTracer:
    tracer = ReturnsTracer(raw, values[~np.isnan(values)].ravel())
    sys.setprofile(tracer.profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return tracer


@pytest.mark.parametrize("factors", ["FF5", "range"])
def test_returns_reach_at_most_four_excel_functions(engine, marked, factors):
    memo.result_cache.clear()
    memo.fit_cache.clear()
    raw = excel_range(marked)
    dates = serials(marked.index)
    factor_cells = "FF5" if factors == "FF5" else excel_range(xf.load_factors("FF3", "M").loc[marked.index])
    tracer = trace(lambda: engine.call("FM_BETA", raw, factor_cells, dates), raw, marked.to_numpy())
    assert tracer.engine is not None and tracer.engine.startswith("xlfactor.models"), tracer.engine
    assert len(tracer.excel) <= MAX_EXCEL_FUNCTIONS, tracer.excel
    result = engine.call("FM_BETA", raw, factor_cells, dates)
    assert result[0][0] == "Asset" and len(result) == 4  # the call computed betas


def test_the_tracer_sees_a_parser_that_receives_the_returns(marked):
    """The count can fail: a function of ``xlfactor.excel`` that receives the returns is seen."""
    raw = excel_range(marked)

    def call() -> None:
        convert.numbers(raw, "returns")
        xf.regress(marked, xf.load_factors("FF3", "M").loc[marked.index])

    tracer = trace(call, raw, marked.to_numpy())
    assert any(name.startswith("xlfactor.excel.convert.") for name in tracer.excel), tracer.excel
    assert tracer.engine is not None


def _bad(marked: pd.DataFrame, case: str) -> pd.DataFrame:
    r = marked.copy()
    if case == "floor":
        r.iloc[7, 2] = -1.5
    elif case == "huge":
        r.iloc[7, 2] = 1e308
    elif case == "percent":
        r["Manuf"] *= 100
    else:
        r["Manuf"] = 0.01
    return r


@pytest.mark.parametrize("factors", ["FF5", "range"])
@pytest.mark.parametrize("case", ["floor", "huge", "percent", "constant"])
def test_value_rules_are_the_engines(engine, marked, monkeypatch, case, factors):
    """Each refusal is an XLFactorError raised in xlfactor.models (the Excel layer words it, no more)."""
    memo.result_cache.clear()
    memo.fit_cache.clear()
    bad = _bad(marked, case)
    raised: list[BaseException] = []
    worded = guard.error_text
    monkeypatch.setattr(guard, "error_text", lambda exc, *more: raised.append(exc) or worded(exc, *more))
    factor_cells = "FF5" if factors == "FF5" else excel_range(xf.load_factors("FF3", "M").loc[marked.index])
    text = engine.call("FM_BETA", excel_range(bad), factor_cells, serials(bad.index))[0][0]
    assert text.startswith("#FM! returns: "), text
    assert len(raised) == 1 and isinstance(raised[0], XLFactorError)
    origin = traceback.extract_tb(raised[0].__traceback__)[-1]
    assert "/xlfactor/models/" in origin.filename.replace("\\", "/"), (origin.filename, origin.name)
