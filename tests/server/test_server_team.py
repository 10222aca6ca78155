"""Team scale: two server processes on one data folder (as the Docker setup's workers and replicas share
its data volume), and the Docker files ``server init`` writes.

A refresh through one server is served by both: the other one's answers move to the new data
(its data key) without a restart, and no answer during the refresh is an error or other than
the answer before or after it. (The test French files give this window the same numbers as the
shipped snapshot; benchmarks/bench_server.py checks answers across a change of numbers.)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading

import pytest
import yaml
from test_server_bounds import CALL, beta_call  # noqa: F401 - the shared FM_BETA call fixture
from test_server_project import payload
from test_server_security import BOOK

INFO = payload("FM_DATA_INFO", "FF3", "M")


@pytest.fixture(scope="module")
def pair(project, tokens, french, tmp_path_factory):
    """Servers A and B: separate processes, one data folder, signed in as an admin."""
    from live_server import live_server

    shared = tmp_path_factory.mktemp("shared-data")
    env = {"XLFACTOR_FRENCH_BASE_URL": french.base_url}
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(live_server(project, shared, env=env, token=tokens["admin"]))
        b = stack.enter_context(live_server(project, shared, env=env, token=tokens["admin"]))
        yield a, b


def info(server) -> dict:
    status, body = server.post(CALL, INFO)
    assert status == 200, body
    return {row[0]: row[1] for row in body["result"]}


def test_a_refresh_through_one_server_is_served_by_both(pair, beta_call):  # noqa: F811
    a, b = pair
    before = {"A": info(a), "B": info(b)}
    assert before["A"]["Origin"] == before["B"]["Origin"] == "snapshot"
    beta_before = b.post(CALL, beta_call)[1]["result"]

    answers, stop = [], threading.Event()

    def read_b() -> None:
        while not stop.is_set():
            answers.append(b.post(CALL, beta_call))

    reader = threading.Thread(target=read_b)
    reader.start()
    try:
        status, body = a.post("/xlwings/custom-scripts-call/xlfactor_refresh", BOOK)
    finally:
        stop.set()
        reader.join(timeout=120)
    assert status == 200
    written = [a for a in body["actions"] if a["func"] == "setValues"]
    assert any("updated" in str(action["values"]) for action in written)

    after = {"A": info(a), "B": info(b)}
    assert after["A"]["Data key"] == after["B"]["Data key"] != before["A"]["Data key"]
    assert after["B"]["Origin"] != "snapshot"
    beta_after = b.post(CALL, beta_call)[1]["result"]
    assert answers and all(status == 200 for status, _ in answers)
    assert all(body["result"] in (beta_before, beta_after) for _, body in answers)  # one data set or the other


def test_the_docker_files_are_wired_for_xlfactor(project):
    compose = yaml.safe_load((project / "docker-compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"xlfactor", "refresh", "proxy"}
    app, refresh, proxy = services["xlfactor"], services["refresh"], services["proxy"]
    assert app["volumes"] == refresh["volumes"] == ["xlfactor-data:/data"]
    assert "ports" not in app and proxy["ports"] == ["80:80", "443:443"]  # only the proxy is reachable
    assert app["environment"]["WORKERS"] == "${XLFACTOR_WORKERS:-2}"
    assert "xlfactor refresh" in refresh["command"][-1]
    dockerfile = (project / "Dockerfile").read_text()
    assert "ENV XLFACTOR_DATA_DIR=/data" in dockerfile and "USER nonroot" in dockerfile
    assert "xlwings_server.main:main_app" in dockerfile and "--workers $WORKERS" in dockerfile
    caddy = (project / "Caddyfile").read_text()
    assert "reverse_proxy {$XLFACTOR_UPSTREAM:xlfactor:8000}" in caddy and "max_size 64MB" in caddy
    assert all("tokens.json" in (project / name).read_text() for name in (".dockerignore", ".gitignore"))
    pins = (project / "requirements.txt").read_text().splitlines()[1:]
    assert [p.split("==")[0] for p in pins] == ["xlfactor", "xlwings-server", "xlwings"]


def test_docker_compose_accepts_the_compose_file_and_asks_for_the_hostname(project):
    """Docker Compose's own parser (Debian's ``docker-compose``; it needs no Docker daemon for ``config``)
    reads the file against its schema: with XLFACTOR_HOSTNAME set it resolves the three services; without
    it, it stops with the file's own message. No image is built here (no image registry is reachable)."""
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.skip("docker-compose is not installed (Debian: apt-get install docker-compose)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XLFACTOR_", "XLWINGS_"))}

    def config(**extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [compose, "config"], cwd=project, env={**env, **extra}, capture_output=True, text=True, timeout=120
        )

    done = config(XLFACTOR_HOSTNAME="xlfactor.example.com", XLFACTOR_WORKERS="4")
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == {"xlfactor", "refresh", "proxy"}
    assert resolved["services"]["proxy"]["environment"]["XLFACTOR_HOSTNAME"] == "xlfactor.example.com"
    assert str(resolved["services"]["xlfactor"]["environment"]["WORKERS"]) == "4"
    missing = config()
    assert missing.returncode != 0
    assert "set XLFACTOR_HOSTNAME to the DNS name of this server" in missing.stderr
