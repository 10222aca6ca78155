"""A live xlwings Server on 127.0.0.1 serving a project made by ``xlfactor server init``.

Used by the tests in this folder and by ``benchmarks/bench_server.py``. The project is
created with the real CLI (``python -m xlfactor server init DIR``), then started with the
command xlwings Server's own Dockerfile runs in production::

    XLWINGS_PROJECT_DIR=DIR uvicorn --host 127.0.0.1 --port PORT --workers N xlwings_server.main:main_app

on a free port, in its own process group, with a bounded wait for the first answer; the
whole group (uvicorn's supervisor and its workers) is killed on exit, whatever happened.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def init_project(folder: Path) -> Path:
    """``xlfactor server init folder`` through the CLI, as a user runs it."""
    subprocess.run(
        [sys.executable, "-m", "xlfactor", "server", "init", str(folder)], check=True, env=_cli_env(), timeout=120
    )
    return folder


def token_command(project: Path, *args: str) -> str:
    """``xlfactor server token ARGS`` run in the project folder, as an operator runs it; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "xlfactor", "server", "token", *args],
        cwd=project,
        env={k: v for k, v in _cli_env().items() if k != "XLFACTOR_TOKENS_FILE"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"xlfactor server token {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def create_token(project: Path, name: str, admin: bool = False) -> str:
    """A new token from ``xlfactor server token create`` (the last line it prints)."""
    return token_command(project, "create", name, *(["--admin"] if admin else [])).strip().splitlines()[-1]


@dataclass
class LiveServer:
    url: str
    project: Path
    process: subprocess.Popen
    log: Path
    data_dir: Path
    token: str = ""  # sent by post() unless it is given another one

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body) of a GET."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()

    def headers(self, token: str | None = None) -> dict[str, str]:
        """The headers of the Office.js client's POST: JSON, and the token as getAuth sends it (none if "")."""
        token = self.token if token is None else token
        return {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}

    def post(self, path: str, payload: dict, timeout: float = 120, token: str | None = None) -> tuple[int, object]:
        """(status, decoded JSON or text) of a JSON POST, as the Office.js client sends it (with
        :attr:`token`, or ``token``; ``""`` for none)."""
        request = urllib.request.Request(
            self.url + path, json.dumps(payload).encode(), self.headers(token), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post_bytes(self, path: str, data: bytes, token: str | None = None) -> tuple[int, str]:
        """(status, text) of a POST of ``data`` as given (for bodies that are not JSON); an answer the
        server gives before reading the whole body (and closing the connection) is read too."""
        host, port = self.url.removeprefix("http://").split(":")
        return post_early(http.client.HTTPConnection(host, int(port), timeout=120), path, data, self.headers(token))

    def declare_only(self, path: str, length: int, token: str | None = None) -> tuple[int, str]:
        """(status, text) of the answer to a POST whose headers declare ``length`` bytes, none of them sent:
        what a server that refuses before reading the body answers."""
        host, port = self.url.removeprefix("http://").split(":")
        head = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {length}"]
        head += [f"{k}: {v}" for k, v in self.headers(token).items()]
        with socket.create_connection((host, int(port)), timeout=60) as sock:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            answer = b""
            while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        status_line, _, rest = answer.partition(b"\r\n")
        return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode()

    def worker_pids(self) -> list[int]:
        """Process ids of uvicorn's live worker processes (the supervisor's ``spawn_main`` children).

        Excludes multiprocessing's resource tracker and killed workers not yet reaped (zombies).
        """
        out = subprocess.run(
            ["ps", "-o", "pid=,stat=,args=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        )
        rows = [line.split(None, 2) for line in out.stdout.splitlines() if line.strip()]
        return [int(pid) for pid, stat, args in rows if not stat.startswith("Z") and "spawn_main" in args]


def post_early(
    connection: http.client.HTTPConnection, path: str, data: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    """(status, text) of a POST on ``connection`` (closed after), read even when the server answers before
    the whole body is sent and stops reading it."""
    try:
        try:
            connection.request("POST", path, data, headers)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # answered early: the answer is waiting
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _length(answer: bytes) -> int:
    """The Content-Length of an HTTP answer's headers (0 if absent)."""
    for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


@contextmanager
def live_server(
    project: Path,
    data_dir: Path,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    token: str = "",
    code: Path = REPO,
    behind_proxy: bool = False,
) -> Iterator[LiveServer]:
    """Start the project on a free port with ``workers`` uvicorn workers; stop it on exit.

    ``data_dir`` becomes the server's ``XLFACTOR_DATA_DIR``; ``env`` adds variables (for
    example ``XLFACTOR_FRENCH_BASE_URL``); ``token`` is what :meth:`LiveServer.post` sends.
    The licence key is the noncommercial one (tests and benchmarks of an open-source project).
    ``code``: the checkout of xlfactor the server imports (this one by default; a benchmark may
    serve another revision beside it). ``behind_proxy``: trust the proxy's X-Forwarded-* headers, with the
    flags of the Dockerfile ``server init`` writes.
    """
    port = free_port()
    server_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")])),
        "XLWINGS_PROJECT_DIR": str(project),
        "XLWINGS_LICENSE_KEY": "noncommercial",
        "XLFACTOR_DATA_DIR": str(data_dir),
        **(env or {}),
    }
    log = project / "server.log"
    command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "xlwings_server.main:main_app"]
    if behind_proxy:
        command += ["--proxy-headers", "--forwarded-allow-ips", "*"]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=project, env=server_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LiveServer(f"http://127.0.0.1:{port}", project, process, log, data_dir, token)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"xlwings Server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if server.get("/manifest.xml")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"xlwings Server did not answer within {STARTUP_SECONDS:.0f} s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield server
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)
