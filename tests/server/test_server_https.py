"""HTTPS through the reverse proxy that ``server init`` writes: the generated Caddyfile, served by a real
Caddy (Debian's ``caddy`` package) on 127.0.0.1 in front of a live xlwings Server started with the
Dockerfile's proxy flags.

The site block is the generated file, verbatim; the test only puts Caddy's global options in front of it
(its own ports instead of 80/443, its local certificate authority not installed into the machine's trust
store, no admin endpoint) and names the upstream through the file's ``XLFACTOR_UPSTREAM``. Certificates
come from Caddy's internal authority, which it uses for ``localhost``; the client trusts only that
authority's root. What is not tested here: Docker itself (no image is built: no registry but PyPI, Debian
and npm is reachable) and a public certificate from Let's Encrypt.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from live_server import free_port, post_early
from test_server_bounds import CALL, beta_call  # noqa: F401 - the shared FM_BETA call fixture

GLOBAL_OPTIONS = """\
{{
\tadmin off
\tskip_install_trust
\thttp_port {http}
\thttps_port {https}
\tstorage file_system {storage}
}}
"""


class Proxy:
    def __init__(self, https_url: str, http_url: str, root: Path) -> None:
        self.url, self.http_url = https_url, http_url
        self.context = ssl.create_default_context(cafile=str(root))

    def request(self, path: str, data: bytes | None = None, token: str = "") -> tuple[int, dict, bytes]:
        """(status, headers, body) of a GET, or of a JSON POST of ``data``, over HTTPS; redirects are not followed."""
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        request = urllib.request.Request(self.url + path, data, headers, method="POST" if data is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=120, context=self.context) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def upstream(project, tokens, french, tmp_path_factory):
    from live_server import live_server

    env = {"XLFACTOR_FRENCH_BASE_URL": french.base_url}
    data = tmp_path_factory.mktemp("https-data")
    with live_server(project, data, env=env, token=tokens["user"], behind_proxy=True) as live:
        yield live


@pytest.fixture(scope="module")
def proxy(project, upstream, tmp_path_factory):
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (Debian: apt-get install caddy)")
    folder = tmp_path_factory.mktemp("caddy")
    http, https = free_port(), free_port()
    config = folder / "Caddyfile"
    options = GLOBAL_OPTIONS.format(http=http, https=https, storage=folder / "storage")
    config.write_text(options + (project / "Caddyfile").read_text(encoding="utf-8"), encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(folder),
        "XLFACTOR_HOSTNAME": "localhost",
        "XLFACTOR_UPSTREAM": upstream.url.removeprefix("http://"),
    }
    log = folder / "caddy.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    root = folder / "storage" / "pki" / "authorities" / "local" / "root.crt"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"caddy exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            if root.exists():
                try:
                    proxy = Proxy(f"https://localhost:{https}", f"http://localhost:{http}", root)
                    if proxy.request("/manifest.xml")[0] == 200:
                        break
                except (OSError, ssl.SSLError):
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"caddy did not serve HTTPS within 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield proxy
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def test_a_signed_in_call_over_https_is_answered_as_directly(proxy, upstream, tokens, beta_call):  # noqa: F811
    status, _, body = proxy.request(CALL, json.dumps(beta_call).encode(), token=tokens["user"])
    assert status == 200
    direct_status, direct = upstream.post(CALL, beta_call)
    assert direct_status == 200
    assert json.loads(body)["result"] == direct["result"]


def test_an_anonymous_call_over_https_is_refused(proxy, beta_call):  # noqa: F811
    status, _, body = proxy.request(CALL, json.dumps(beta_call).encode())
    assert status == 401, body[:300]


def test_plain_http_is_redirected_to_https(proxy):
    request = urllib.request.Request(proxy.http_url + "/manifest.xml", method="GET")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(request, timeout=30)
    assert answer.value.code == 308
    assert answer.value.headers["Location"].startswith("https://localhost")


def test_the_add_in_manifest_points_at_the_https_address(proxy):
    """Office loads the task pane and functions from the manifest's addresses: behind the proxy they are
    the proxy's https:// address (the app trusts X-Forwarded-Proto, as the Dockerfile starts it), never
    the app's own http:// one."""
    status, _, body = proxy.request("/manifest.xml")
    assert status == 200
    text = body.decode()
    assert proxy.url in text
    assert "http://" not in text.replace("http://schemas", "").replace("http://www.w3.org", "")


def test_an_oversized_body_is_refused_with_413_through_the_proxy(proxy, tokens):
    """30 MB, over the app's default 24 MB (and under the proxy's own 64 MB backstop): the app's 413 reaches
    the caller through the proxy, read even though the app answers before the whole body is sent."""
    host, port = proxy.url.removeprefix("https://").split(":")
    connection = http.client.HTTPSConnection(host, int(port), timeout=120, context=proxy.context)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tokens['user']}"}
    status, _ = post_early(connection, CALL, b"[" + b"0," * (15 * 2**20) + b"0]", headers)
    assert status == 413


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
