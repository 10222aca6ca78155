"""FM_BETA through xlwings' Office.js engine: xlfactor's own cost per call, separated from xlwings'.

500 calls on one persistent event loop, each on a distinct 60-month series (12 industries x
42 start months of the shipped industry portfolios) against "FF5" monthly, with dates as
Excel serials and a header row, exactly as Office.js sends them. The same 500 payloads go
to a no-op function declared with the same argument converters, which measures xlwings'
own conversion and dispatch. xlfactor's share = (FM_BETA - no-op) / 500; target < 1 ms.
Also timed: 200 of those calls again (served from the memo, as in a recalculation storm;
the memo holds 256 results), and, outside xlwings, the split of xlfactor's share between
the Excel layer (conversion, alignment, labels) and the regression engine (``xf.regress``).

    python benchmarks/bench_excel.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # benchmark runs are noncommercial use

import pandas as pd  # noqa: E402
import xlwings as xw  # noqa: E402
from xlwings import server  # noqa: E402

import xlfactor as xf  # noqa: E402
import xlfactor.excel.functions as functions  # noqa: E402
from xlfactor.excel import convert, inputs, memo  # noqa: E402
from xlfactor.excel.functions import DATES, EXCESS, FACTORS, HEADERS, RETURNS  # noqa: E402
from xlfactor.excel.udf import excel_function  # noqa: E402

N_CALLS, MONTHS = 500, 60
EPOCH = pd.Timestamp("1899-12-30")


@excel_function(returns=RETURNS, factors=FACTORS, dates=DATES, excess=EXCESS, headers=HEADERS)
def NOOP(returns, factors, dates=None, excess=True, headers=True):
    """Does nothing: the same arguments and converters as FM_BETA, to time xlwings alone."""
    return [[0.0]]


def payloads() -> list[dict]:
    """500 Office.js payloads: distinct 60-month industry series with their dates as serials."""
    returns = xf.industry_portfolios().loc["2000-01":]
    out = []
    for start in range(0, N_CALLS // 12 + 1):
        window = returns.iloc[start : start + MONTHS]
        dates = [["Date"], *[[float((d - EPOCH).days)] for d in window.index]]
        for asset in window.columns:
            series = [[asset], *[[float(v)] for v in window[asset]]]
            out.append({
                "func_name": "", "args": [series, [["FF5"]], dates], "caller_address": "[Book1.xlsx]Sheet1!$B$2",
                "version": xw.__version__, "runtime": "1.4", "client": "Office.js", "culture_info_name": "en-US",
                "date_format": "M/d/yyyy",
            })  # fmt: skip
    return out[:N_CALLS]


def timed(loop: asyncio.AbstractEventLoop, module, name: str, batch: list[dict]) -> float:
    """Seconds for all calls of ``batch`` to ``name``; fails loudly if any call returned an error."""
    start = time.perf_counter()
    for data in batch:
        result = loop.run_until_complete(server.custom_functions_call({**data, "func_name": name}, module))
        if isinstance(result[0][0], str) and result[0][0].startswith("#FM!"):
            raise SystemExit(f"{name}: {result[0][0]}")
    return time.perf_counter() - start


def split(batch: list[dict]) -> tuple[float, float]:
    """Seconds per call outside xlwings: Excel layer (inputs + labelled output) and ``xf.regress``."""
    samples = [inputs.sample(d["args"][0], "FF5", d["args"][2]) for d in batch]
    start = time.perf_counter()
    for d in batch:
        inputs.sample(d["args"][0], "FF5", d["args"][2])
    layer = time.perf_counter() - start
    start = time.perf_counter()
    fits = [xf.regress(s.returns, s.factors, rf=s.rf(True), periods_per_year=12) for s in samples]
    engine = time.perf_counter() - start
    start = time.perf_counter()
    for fit in fits:
        convert.table(fit.betas)
    layer += time.perf_counter() - start
    return layer / len(batch), engine / len(batch)


def main() -> int:
    batch = payloads()
    loop = asyncio.new_event_loop()
    noop_module = sys.modules[__name__]
    timed(loop, noop_module, "NOOP", batch[:20])  # warm-up: imports, first load of the factor data
    timed(loop, functions, "FM_BETA", batch[-20:])
    memo.result_cache.clear()
    memo.factor_cache.clear()
    noop = timed(loop, noop_module, "NOOP", batch) / len(batch)
    beta = timed(loop, functions, "FM_BETA", batch) / len(batch)
    repeat = timed(loop, functions, "FM_BETA", batch[-200:]) / 200
    noop_200 = timed(loop, noop_module, "NOOP", batch[-200:]) / 200
    loop.close()
    layer, engine = split(batch)
    print(f"{len(batch)} calls, distinct {MONTHS}-month series vs FF5 monthly, through xlwings.server (ms per call)")
    print(f"  no-op, same arguments (xlwings alone):  {noop * 1e3:8.3f}")
    print(f"  FM_BETA, first calculation:            {beta * 1e3:8.3f}")
    print(f"  xlfactor's own share:                  {(beta - noop) * 1e3:8.3f}   (target < 1 ms)")
    print(f"    of which Excel layer (outside xlwings): {layer * 1e3:6.3f}")
    print(f"    of which xf.regress (outside xlwings):  {engine * 1e3:6.3f}")
    print(f"  FM_BETA repeated, memoised (200 calls): {repeat * 1e3:8.3f}   share {(repeat - noop_200) * 1e3:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
