"""xlwings Server runtime: a project made by ``xlfactor server init``, served by the real
xlwings-server package (a test extra, from PyPI) on 127.0.0.1, driven over HTTP and by
xlwings Server's own browser-side client running in Node (node_client.py).

The server gets its own data directory and downloads only from a local French server
(tests/data_layer/french_server.py) serving the test copies of the French files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from ci_mode import STRICT

if sys.version_info < (3, 11):  # xlwings-server needs Python >= 3.11 (the test extra skips it there)
    if STRICT:
        raise RuntimeError("CI runs the xlwings Server tests, which need Python 3.11 or later (xlwings-server)")
    collect_ignore_glob = ["test_*.py"]

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "excel"))  # office_js.py: ranges as Excel sends them


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    from live_server import init_project

    return init_project(tmp_path_factory.mktemp("server") / "xlfactor_server")


@pytest.fixture(scope="session")
def tokens(project):
    """Tokens made with ``xlfactor server token create`` in the project: an admin, a user, and a revoked one."""
    from live_server import create_token, token_command

    made = {"admin": create_token(project, "ops", admin=True), "user": create_token(project, "analyst")}
    made["revoked"] = create_token(project, "leaver")
    token_command(project, "revoke", "leaver")
    return made


@pytest.fixture(scope="session")
def french():
    from french_server import running_server

    with running_server() as state:
        state.serve_folder("current")
        yield state


@pytest.fixture(scope="session")
def server(project, tokens, french, tmp_path_factory):
    """The project served on 127.0.0.1; ``server.post`` signs in as the (non-admin) user."""
    from live_server import live_server

    data_dir = tmp_path_factory.mktemp("server-data")
    env = {"XLFACTOR_FRENCH_BASE_URL": french.base_url}
    with live_server(project, data_dir, env=env, token=tokens["user"]) as live:
        yield live
