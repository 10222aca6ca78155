"""A server worker's startup: request bounds applied before xlwings Server reads a body (a size
limit and sign-in first), and the garbage collector settled for serving.

``xlfactor server init`` runs ``xlwings-server add lifespan`` and makes the project's
``lifespan.py`` re-export :func:`lifespan`, xlwings Server's documented startup hook. At each
worker's start, before it serves any request, it configures xlwings Server's FastAPI app:

- **Body limit.** FastAPI's own ``max_body_size`` (Starlette's ``RequestBodyLimitMiddleware``)
  is set to ``$XLFACTOR_MAX_BODY_MB`` (:func:`xlfactor.excel.limits.max_body`): a request whose
  ``Content-Length`` says more gets 413 "Content Too Large" (Starlette's answer, which the
  add-in shows on the cell) before a byte of it is read, and a body sent without a length is
  cut off with 413 at the limit.
- **A body that is not JSON** gets 400 saying so (xlwings Server's script route answered 500):
  a handler for ``json.JSONDecodeError`` in FastAPI's exception handlers.
- **Garbage collector settled.** :func:`settle_garbage_collector`: the objects that exist
  once the worker has imported everything (about 370,000: xlwings Server, FastAPI, pandas,
  numpy, xlfactor) are moved out of the collector's reach (``gc.freeze``), and the young
  generation is collected every :data:`YOUNG_GENERATION` allocations instead of 700. A call
  allocates thousands of container objects (pandas frames and indexes, xlwings' cells), so
  with Python's defaults a worker collected its young generation every other call and, every
  few hundred calls, ran a full collection over all 370,000 objects that stopped every call
  in flight on that worker for 0.1-0.3 s (benchmarks/RESULTS.md, "Server throughput").
- **Sign-in before the body.** xlwings Server's routes read the body before they call the
  auth provider (FastAPI reads a route's body before its dependencies), so an anonymous
  caller's body was parsed, and a malformed one got 500. :class:`BeforeTheBody` calls xlwings
  Server's own ``authenticate`` dependency (the same providers, tokens or Entra ID, and the
  same 401/400 answers) on the headers of every function and script call before the body is
  read; the route then checks the caller again, as always, including roles.

xlwings Server builds its app in ``xlwings_server.main`` with no setting for either, and its
documented customisation points are settings, routers, the auth provider, the user model and
this lifespan hook; the hook is the only one that sees the app before requests are served, so
it sets FastAPI's attribute and adds the middleware there, then has FastAPI rebuild its
middleware stack (built when the first event, this startup, reached the app). It is also the
last moment before serving, when everything the worker imports is loaded, so it settles the
garbage collector there.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import json
from collections.abc import AsyncIterator
from typing import Any

import fastapi
from fastapi import FastAPI, HTTPException
from fastapi.exception_handlers import http_exception_handler
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from xlfactor.errors import XLFactorError
from xlfactor.excel.limits import MAX_BODY_ENV, max_body


class BeforeTheBody:
    """ASGI middleware: xlwings Server's ``authenticate`` on a function or script call's headers,
    before its body is read (its 401/400 answer, as the route would give)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.calls = (f"{prefix}/xlwings/custom-functions-call", f"{prefix}/xlwings/custom-scripts-call/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].startswith(self.calls):
            from xlwings_server.dependencies import authenticate

            headers = Headers(scope=scope)
            try:
                await authenticate(headers.get("authorization", ""), headers.get("auth-provider"))
            except HTTPException as exc:
                await (await http_exception_handler(Request(scope), exc))(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def not_json(request: Request, exc: Exception) -> JSONResponse:
    """400 for a request body that is not JSON (the message the add-in shows)."""
    return JSONResponse(
        {"detail": f"xlfactor: the request is not valid JSON ({exc}); reload the add-in and try again"},
        status_code=400,
    )


def fastapi_limits_bodies() -> bool:
    """True if the installed FastAPI enforces ``max_body_size`` (FastAPI with Starlette's body limit)."""
    return "max_body_size" in inspect.signature(FastAPI).parameters


def configure(app: FastAPI) -> None:
    """Set the body limit and add :class:`BeforeTheBody` to xlwings Server's app, then rebuild its middleware.

    Refuses to start (XLFactorError) when a limit is set and the installed FastAPI has none to set,
    rather than serve without it."""
    limit = max_body()
    if limit and not fastapi_limits_bodies():
        raise XLFactorError(
            f"{MAX_BODY_ENV}: the installed FastAPI ({fastapi.__version__}) has no request body limit "
            "(max_body_size); install a newer FastAPI, or set it to 0 to rely on the reverse proxy's limit"
        )
    from xlwings_server.config import settings

    app.max_body_size = limit or None
    app.exception_handlers[json.JSONDecodeError] = not_json
    if not any(m.cls is BeforeTheBody for m in app.user_middleware):
        app.user_middleware.append(Middleware(BeforeTheBody, prefix=settings.app_path))  # inside xlwings' headers
    app.middleware_stack = app.build_middleware_stack()


#: Allocations (container objects created minus freed) between two collections of the young
#: generation in a server worker; CPython's default is 700. The older generations keep their
#: defaults (collected after 10 young and 10 middle collections).
YOUNG_GENERATION = 10_000


def settle_garbage_collector() -> None:
    """Freeze what the worker holds at startup and collect the young generation less often.

    Objects frozen at startup (modules, classes, functions, settings) are never collected,
    which they would not be anyway; objects made later are collected as before, cycles
    included."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, old)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
    """xlwings Server's lifespan hook (``lifespan.py``): :func:`configure`, then
    :func:`settle_garbage_collector`, at startup."""
    configure(app)
    settle_garbage_collector()
    yield
