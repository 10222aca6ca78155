"""Bounds of the live server: a heavy call beside a cheap one, the time limit, cells per argument.

Each test module here starts its own xlwings Server (one worker) on the project made by
``xlfactor server init``; requests are the JSON xlwings Server's client posts.
"""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest
from office_js import excel_range, serials
from test_server_project import payload

import xlfactor as xf

CALL = "/xlwings/custom-functions-call"


def zscore_call(n: int) -> dict:
    """FM_ZSCORE of an n x n table (dates down, assets across): n*n cells plus labels."""
    values = np.random.default_rng(n).normal(size=(n, n))
    rows = [["Date", *[f"A{j}" for j in range(n)]], *[[40000.0 + i, *row] for i, row in enumerate(values.tolist())]]
    return payload("FM_ZSCORE", rows)


@pytest.fixture(scope="module")
def beta_call() -> dict:
    returns = xf.industry_portfolios().loc["2014-01":"2023-12", ["NoDur", "Durbl", "Manuf"]]
    return payload("FM_BETA", excel_range(returns), "FF3", serials(returns.index))


@pytest.fixture(scope="module")
def default_server(project, tokens, tmp_path_factory):
    """The server with its default limits (1,000,000 cells per argument, 60 s per call)."""
    from live_server import live_server

    with live_server(project, tmp_path_factory.mktemp("bounds-data"), token=tokens["user"]) as live:
        yield live


@pytest.fixture(scope="module")
def tight_server(project, tokens, tmp_path_factory):
    """The server with tight limits set by its administrator: 200,000 cells, 0.1 s per call, 5 MB per request."""
    from live_server import live_server

    env = {"XLFACTOR_MAX_CELLS": "200000", "XLFACTOR_TIME_LIMIT": "0.1", "XLFACTOR_MAX_BODY_MB": "5"}
    with live_server(project, tmp_path_factory.mktemp("tight-data"), env=env, token=tokens["user"]) as live:
        yield live


def test_a_heavy_call_does_not_hold_up_cheap_ones(default_server, beta_call):
    """FM_ZSCORE of 900 x 900 cells (seconds of work) is posted; meanwhile another user posts FM_BETA calls
    one after another. Many of them are answered before the heavy call is: the functions run off the
    event loop (a heavy call in its own process). Served inside the event loop, as before, only the calls
    answered while the heavy body was still uploading would be."""
    heavy = zscore_call(900)
    finished: dict[str, float] = {}

    def post_heavy() -> None:
        status, body = default_server.post(CALL, heavy)
        finished["heavy"] = time.perf_counter()
        finished["heavy_ok"] = status == 200 and body["result"][0][:2] == ["Row", "Date"]

    alone = []
    for _ in range(5):  # warm, then the cheap call's own time
        t0 = time.perf_counter()
        assert default_server.post(CALL, beta_call)[0] == 200
        alone.append(time.perf_counter() - t0)
    thread = threading.Thread(target=post_heavy)
    start = time.perf_counter()
    thread.start()
    beside = []  # (latency, finished at)
    while thread.is_alive() and time.perf_counter() - start < 300:
        t0 = time.perf_counter()
        status, body = default_server.post(CALL, beta_call)
        assert status == 200 and body["result"][0][1:] == ["Mkt-RF", "SMB", "HML"]
        beside.append((time.perf_counter() - t0, time.perf_counter()))
    thread.join(timeout=300)
    assert finished["heavy_ok"]
    during = sorted(latency for latency, at in beside if at < finished["heavy"])
    assert len(during) >= 10, (len(during), finished["heavy"] - start)
    print(
        f"\nheavy call {finished['heavy'] - start:.1f} s; {len(during)} cheap calls answered meanwhile, median "
        f"{1e3 * during[len(during) // 2]:.0f} ms, max {1e3 * during[-1]:.0f} ms; alone median "
        f"{1e3 * sorted(alone)[2]:.0f} ms"
    )


def test_an_argument_over_the_cell_limit_is_refused_with_a_message(default_server):
    status, body = default_server.post(CALL, zscore_call(1000))  # 1000 x 1001 cells with the dates
    assert status == 200
    assert body["result"] == [
        [
            "#FM! x: 1,002,001 cells; at most 1,000,000 per argument are taken (XLFACTOR_MAX_CELLS); "
            "select a smaller range (fewer dates or assets), or ask the administrator to raise the limit"
        ]
    ]


def test_the_administrators_cell_limit_applies(tight_server):
    status, body = tight_server.post(CALL, zscore_call(450))
    assert status == 200 and body["result"][0][0].startswith("#FM! x: 203,401 cells; at most 200,000")


def test_a_call_over_the_time_limit_answers_fm(tight_server):
    status, body = tight_server.post(CALL, zscore_call(440))
    assert status == 200
    assert body["result"] == [
        [
            "#FM! FM_ZSCORE took longer than 0.1 s, the limit of this server (XLFACTOR_TIME_LIMIT); use fewer "
            "dates or assets, or ask the administrator to raise the limit"
        ]
    ]


@pytest.mark.parametrize("path", [CALL, "/xlwings/custom-scripts-call/xlfactor_status"])
def test_a_request_over_the_body_limit_gets_413_before_it_is_read(default_server, tight_server, path):
    """The server itself (no proxy in front) answers 413 to headers declaring more than its limit
    (XLFACTOR_MAX_BODY_MB, default 24 MB), without waiting for the body, signed in or not."""
    for server, size in ((default_server, 24_000_001), (tight_server, 5_000_001)):
        for token in (None, ""):
            status, text = server.declare_only(path, size, token=token)
            assert (status, text) == (413, "Content Too Large")


def test_a_body_over_the_limit_is_refused_and_a_body_under_it_is_served(tight_server):
    """FM_ZSCORE of 450 x 450 cells (4.2 MB as Excel sends it) is read and refused by the cell limit;
    of 500 x 500 (5.2 MB) is refused with 413 by the body limit."""
    under, over = zscore_call(450), zscore_call(500)
    assert len(json.dumps(under)) < 5_000_000 < len(json.dumps(over))
    status, body = tight_server.post(CALL, under)
    assert status == 200 and body["result"][0][0].startswith("#FM! x: 203,401 cells")
    status, text = tight_server.post_bytes(CALL, json.dumps(over).encode())
    assert (status, text) == (413, "Content Too Large")


def test_a_body_limit_without_a_fastapi_to_enforce_it_stops_the_server(monkeypatch):
    """If the installed FastAPI had no ``max_body_size``, the startup hook would refuse to start with a limit
    set, rather than serve without it (this FastAPI has it: the live tests above show the limit applied)."""
    from fastapi import FastAPI

    from xlfactor.errors import XLFactorError
    from xlfactor.excel import server_lifespan

    assert server_lifespan.fastapi_limits_bodies()
    monkeypatch.setattr(server_lifespan, "fastapi_limits_bodies", lambda: False)
    with pytest.raises(XLFactorError, match=r"XLFACTOR_MAX_BODY_MB: the installed FastAPI \(.*\) has no request body"):
        server_lifespan.configure(FastAPI())


def test_the_startup_hook_settles_the_garbage_collector():
    """At a worker's start, after the body limit, the hook freezes what the worker has loaded and collects the
    young generation every YOUNG_GENERATION allocations; the older generations keep CPython's thresholds."""
    import asyncio
    import gc

    from fastapi import FastAPI

    from xlfactor.excel import server_lifespan
    from xlfactor.excel.limits import max_body

    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0

    async def start() -> tuple[int, tuple[int, int, int], int | None]:
        app = FastAPI()
        async with server_lifespan.lifespan(app):
            return gc.get_freeze_count(), gc.get_threshold(), app.max_body_size

    try:
        frozen, threshold, body_limit = asyncio.run(start())
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert frozen > 10_000  # this test process's modules, classes and functions
    assert threshold == (server_lifespan.YOUNG_GENERATION, *before[1:]) and threshold[0] > before[0]
    assert body_limit == (max_body() or None)  # configure() ran first
