"""A real HTTP server on 127.0.0.1 serving French zips built from the test copies of the files, and the
other libraries' files (tests/data/libraries) under their published names."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from french_files import french_bytes
from library_files import LAST_MODIFIED, LIBRARY_FILES, library_bytes

from xlfactor.data.catalog import US_DATASETS
from xlfactor.data.sources import SOURCES


def make_zip(members: dict[str, bytes]) -> bytes:
    """A zip archive (deflated) holding ``members`` under exactly the given names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class Route:
    body: bytes
    status: int = 200
    etag: str | None = None
    delay: float = 0.0
    drip: float = 0.0  # > 0: send the body one byte at a time, this many seconds apart
    content_type: str = "application/x-zip-compressed"
    last_modified: str | None = None  # sent as Last-Modified; an equal If-Modified-Since gets 304


@dataclass
class FrenchServer:
    """Routes by file name; records each request's path and whether a body was sent."""

    base_url: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[tuple[str, int]] = field(default_factory=list)  # (file name, status sent)

    def serve_folder(self, folder: str = "current") -> None:
        """Serve every US factor zip built from tests/data/french/<folder>, each with an ETag."""
        for d in US_DATASETS.values():
            self.routes[d.zip_name] = Route(
                make_zip({d.file: french_bytes(d.file, folder)}), etag=f'"{folder}-{d.name}"'
            )

    def serve_libraries(self) -> None:
        """Serve every test file of the other libraries under its published name (Last-Modified where the
        publisher's vintage is the file's date)."""
        for name in LIBRARY_FILES:
            self.routes[name] = Route(
                library_bytes(name), content_type="application/octet-stream", last_modified=LAST_MODIFIED.get(name)
            )

    def bodies_sent(self) -> int:
        return sum(1 for _, status in self.log if status == 200)


class _Handler(BaseHTTPRequestHandler):
    server_state: FrenchServer

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        name = self.path.rsplit("/", 1)[-1]
        route = self.server_state.routes.get(name)
        if route is None:
            self._reply(404, b"not found", "text/plain", None)
            return
        if route.delay:
            time.sleep(route.delay)
        unchanged = route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or unchanged:
            self._reply(304, b"", None, route.etag)
        else:
            self._reply(route.status, route.body, route.content_type, route.etag, route.drip, route.last_modified)

    def _reply(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        etag: str | None,
        drip: float = 0.0,
        last_modified: str | None = None,
    ) -> None:
        self.server_state.log.append((self.path.rsplit("/", 1)[-1], status))
        try:
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            if last_modified:
                self.send_header("Last-Modified", last_modified)
            if status != 304:
                self.send_header("Content-Type", content_type or "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304 and drip:
                for k in range(len(body)):
                    self.wfile.write(body[k : k + 1])
                    self.wfile.flush()
                    time.sleep(drip)
            elif status != 304:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet
        pass


@contextmanager
def running_server() -> Iterator[FrenchServer]:
    """Start a :class:`FrenchServer` on an ephemeral port; stop it on exit."""
    state = FrenchServer()
    handler = type("Handler", (_Handler,), {"server_state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/ftp/"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def mirror_of_every_source(monkeypatch) -> Iterator[FrenchServer]:
    """:func:`running_server` with every ``XLFACTOR_<SOURCE>_BASE_URL`` pointing to it, serving the other
    libraries' test files (add French's with :meth:`FrenchServer.serve_folder`)."""
    with running_server() as state:
        for source in SOURCES.values():
            monkeypatch.setenv(source.env_var, state.base_url)
        state.serve_libraries()
        yield state
