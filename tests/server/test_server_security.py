"""The live server as a hostile or unlucky caller meets it: sign-in, roles, refresh gate, CORS.

Tokens come from ``xlfactor server token create/revoke`` run in the project (conftest);
requests go over HTTP to the live xlwings Server, and through its real client JS under Node
(the ribbon's Refresh data, a formula typed without signing in), as in test_server_client.
"""

from __future__ import annotations

import fcntl
import json
import secrets
import urllib.error
import urllib.request

import pandas as pd
import pytest
import xlwings as xw
from live_server import token_command
from node_client import run_client
from office_js import excel_range, serials, sheet_payload
from test_server_client import ASSETS, workbook
from test_server_project import payload

import xlfactor as xf
from xlfactor.excel import server_scripts

CALL = "/xlwings/custom-functions-call"
# the smallest workbook payload of a script call (xlwings Server reads the book before it authenticates)
BOOK = {
    "client": "Office.js",
    "version": xw.__version__,
    "book": {"name": "Book1.xlsx", "active_sheet_index": 0, "selection_address": "A1"},
    "names": [],
    "sheets": [sheet_payload("Sheet1", [[None]], [])],
}


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]


@pytest.fixture(scope="module")
def beta_call(returns) -> dict:
    return payload("FM_BETA", excel_range(returns), "FF3", serials(returns.index))


def test_a_signed_in_user_gets_the_betas(server, beta_call):
    status, body = server.post(CALL, beta_call)
    assert status == 200 and body["result"][0][1:] == ["Mkt-RF", "SMB", "HML"]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("anonymous", "xlfactor: sign in first"),
        ("forged", "xlfactor: this token is not valid"),
        ("revoked", "xlfactor: this token is not valid"),
        ("not a token", "xlfactor: this token is not valid"),
    ],
)
def test_callers_without_a_valid_token_get_401_on_functions_and_scripts(server, tokens, beta_call, who, message):
    token = {
        "anonymous": "",
        "forged": "xlf_" + secrets.token_urlsafe(32),
        "revoked": tokens["revoked"],
        "not a token": "test-token",  # xlwings Server's sample custom provider accepts this one
    }[who]
    status, body = server.post(CALL, beta_call, token=token)
    assert status == 401 and message in body
    status, body = server.post("/xlwings/custom-scripts-call/xlfactor_status", BOOK, token=token)
    assert status == 401 and message in body


@pytest.mark.parametrize("path", [CALL, "/xlwings/custom-scripts-call/xlfactor_status"])
def test_a_malformed_anonymous_call_gets_401_before_its_body_is_read(server, tokens, path):
    """Sign-in is checked on the headers, before the body is parsed (the body here is not JSON; parsed
    first, as xlwings Server's routes do, it made a 422 or a 500); a signed-in caller's gets 422 or 400."""
    status, text = server.post_bytes(path, b"{not json", token="")
    assert status == 401 and "xlfactor: sign in first" in text
    status, text = server.post_bytes(path, b"{not json", token="xlf_" + secrets.token_urlsafe(32))
    assert status == 401 and "xlfactor: this token is not valid" in text
    status, text = server.post_bytes(path, b"{not json")  # signed in: a bad request, not 500
    if path == CALL:  # FastAPI's own validation of the function route's JSON body
        assert status == 422 and "json_invalid" in text
    else:  # the script route parses the body itself (xlwings Server answered 500)
        assert status == 400 and "xlfactor: the request is not valid JSON" in text


def test_a_signed_in_user_runs_a_script(server):
    status, body = server.post("/xlwings/custom-scripts-call/xlfactor_status", BOOK)
    assert status == 200 and any(a["func"] == "addSheet" for a in body["actions"])


def test_a_token_revoked_while_the_server_runs_is_refused_at_once(server, beta_call):
    from live_server import create_token

    token = create_token(server.project, "temp")
    assert server.post(CALL, beta_call, token=token)[0] == 200
    token_command(server.project, "revoke", "temp")
    assert server.post(CALL, beta_call, token=token)[0] == 401


def test_the_token_store_keeps_only_hashes(server, tokens):
    text = (server.project / "tokens.json").read_text()
    assert not any(token in text for token in tokens.values())
    listing = token_command(server.project, "list")
    assert "ops\tadmin" in listing and "analyst\tuser" in listing and "leaver" not in listing


def test_a_formula_without_sign_in_shows_the_sign_in_message_in_the_cell(server, returns, tmp_path_factory):
    """Through the real client: no token stored, so getAuth sends none; the cell shows the message."""
    plan = {
        "workbook": workbook(returns),
        "functions": [{"name": "FM_BETA", "args": [excel_range(returns), [["FF3"]], serials(returns.index)]}],
    }
    (call,) = run_client(server.url, tmp_path_factory.mktemp("node-anonymous"), plan)["functions"]
    assert call["requests"][0]["status"] == 401 and call["requests"][0]["headers"]["Authorization"] == ""
    ((shown,),) = call["value"]  # the client's showError: the message in the cell (#VALUE! with it in Excel)
    assert shown.startswith("xlfactor: sign in first: open the xlfactor task pane")


def test_the_add_in_pages_needed_to_sign_in_are_served_with_the_sign_in_field(server):
    status, _, page = server.get("/taskpane.html")
    assert status == 200 and 'id="xlfactor-signin"' in page and 'id="xlfactor-token"' in page
    status, _, script = server.get("/static/js/auth.js")
    assert status == 200 and "globalThis.getAuth" in script and "OfficeRuntime.storage" in script


def test_a_user_without_the_admin_role_cannot_refresh(server, tokens, returns, french, tmp_path_factory):
    """Refresh data as a non-admin signed in through the task pane's form, through the real ribbon button:
    403 and a message naming the role; nothing is downloaded."""
    before = french.bodies_sent()
    plan = {"workbook": workbook(returns), "ribbon": ["xlfactor-refresh"], "token": tokens["user"]}
    results = run_client(server.url, tmp_path_factory.mktemp("node-refresh-user"), plan)
    # signed in through the task pane's form: the field is emptied, the token kept in storage
    assert results["sign_in"] == {
        "field_after": "",
        "state": "Token saved: the functions and buttons now use it.",
        "stored": tokens["user"],
    }
    run = results["ribbon"]["xlfactor-refresh"]
    (request,) = run["requests"]
    assert request["status"] == 403 and request["headers"]["Authorization"] == f"Bearer {tokens['user']}"
    (dialog,) = run["dialogs"]
    assert "analyst may not do this: it needs the admin role" in dialog["prompt"]
    assert french.bodies_sent() == before


@pytest.fixture(scope="module")
def refresh_server(project, tokens, french, tmp_path_factory):
    """A server with its own data folder for the refresh tests (a refresh changes the data other modules use)."""
    from live_server import live_server

    env = {"XLFACTOR_FRENCH_BASE_URL": french.base_url}
    with live_server(project, tmp_path_factory.mktemp("refresh-data"), env=env, token=tokens["admin"]) as live:
        yield live


def refresh_as_admin(server, tokens, returns, folder) -> dict:
    plan = {"workbook": workbook(returns), "ribbon": ["xlfactor-refresh"], "token": tokens["admin"]}
    return run_client(server.url, folder, plan)["ribbon"]["xlfactor-refresh"]


def test_refresh_runs_at_most_once_per_interval(refresh_server, tokens, returns, french, tmp_path_factory):
    """Two admin refreshes in a row: the second (within XLFACTOR_REFRESH_INTERVAL) downloads nothing
    and says when the next one is possible."""
    first = refresh_as_admin(refresh_server, tokens, returns, tmp_path_factory.mktemp("node-refresh-1"))
    assert first["requests"][0]["status"] == 200 and first["dialogs"] == []  # refreshed
    before = french.bodies_sent()
    run = refresh_as_admin(refresh_server, tokens, returns, tmp_path_factory.mktemp("node-refresh-2"))
    assert run["requests"][0]["status"] == 200
    (dialog,) = run["dialogs"]
    assert dialog["title"] == "xlfactor"
    assert dialog["prompt"].startswith("Refresh data: the factor data were refreshed")
    assert "XLFACTOR_REFRESH_INTERVAL = 900 s" in dialog["prompt"] and "xlfactor refresh" in dialog["prompt"]
    assert french.bodies_sent() == before


def test_refresh_runs_one_at_a_time(refresh_server, tokens, returns, french, tmp_path_factory):
    """While another process holds the refresh lock in the shared data folder, a refresh is refused."""
    before = french.bodies_sent()
    with open(refresh_server.data_dir / server_scripts.LOCK_FILE, "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        run = refresh_as_admin(refresh_server, tokens, returns, tmp_path_factory.mktemp("node-refresh-busy"))
    (dialog,) = run["dialogs"]
    assert dialog["prompt"].startswith("Refresh data: a refresh is already running on this server")
    assert french.bodies_sent() == before


def preflight(server, origin: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        server.url + CALL,
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_a_foreign_origin_gets_no_cors_grant(server, beta_call):
    status, headers = preflight(server, "https://evil.example")
    assert status == 400 and "access-control-allow-origin" not in {k.lower() for k in headers}
    request = urllib.request.Request(
        server.url + CALL,
        data=json.dumps(beta_call).encode(),
        headers={**server.headers(), "Origin": "https://evil.example"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # a signed-in caller's answer is not shared
        assert "access-control-allow-origin" not in {k.lower() for k in response.headers}
    settings = [line for line in (server.project / ".env").read_text().splitlines() if not line.startswith("#")]
    assert [line for line in settings if line.startswith("XLWINGS_CORS_ALLOW_ORIGINS=")] == [
        "XLWINGS_CORS_ALLOW_ORIGINS=[]"
    ]
    assert 'XLWINGS_AUTH_PROVIDERS=["custom"]' in settings
