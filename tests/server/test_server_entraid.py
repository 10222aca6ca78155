"""Entra ID sign-in (Microsoft 365) as the README configures it, on a live server: xlwings Server's own
``entraid`` provider checks every token; only Microsoft's signing keys are replaced.

The project is made by ``xlfactor server init``, then ``xlwings-server add auth entraid`` adds the
provider's ``auth/entraid/jwks.py``, the hook xlwings Server offers for servers that cannot download
Microsoft's key set (air-gapped). The test fills that hook with a key set of its own and signs tokens
with the claims Entra ID puts in an access token (v2.0: issuer
``https://login.microsoftonline.com/TENANT/v2.0``, audience the client id; v1.0: issuer
``https://sts.windows.net/TENANT/``, audience ``api://CLIENT``; ``roles`` for app roles). The server
runs with ``XLWINGS_AUTH_PROVIDERS=["custom", "entraid"]``, both ways in, the client naming its
provider in the ``Auth-Provider`` header as xlwings Server's ``getAuth`` hook does.

Not verified here: tokens issued by a real tenant, and Office's ``getAccessToken`` inside Excel.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from live_server import create_token, init_project, live_server
from test_server_bounds import CALL, beta_call  # noqa: F401 - the shared FM_BETA call fixture
from test_server_security import BOOK

from xlfactor.excel.server_project import xlwings_server_command

TENANT, CLIENT = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
REFRESH = "/xlwings/custom-scripts-call/xlfactor_refresh"

JWKS_HOOK = '''\
"""The Entra ID key set from a file (xlwings Server's hook for servers that cannot download Microsoft's)."""
import json
import os


async def get_jwks_json():
    with open(os.environ["XLFACTOR_TEST_JWKS"], encoding="utf-8") as f:
        return json.load(f)
'''

ENTRAID_INIT = "from xlwings_server.auth.entraid import validate_token  # noqa: F401\n"


@pytest.fixture(scope="module")
def keys():
    from joserfc.jwk import RSAKey

    return RSAKey.generate_key(2048, parameters={"kid": "tenant-key"}), RSAKey.generate_key(
        2048, parameters={"kid": "tenant-key"}
    )


@pytest.fixture(scope="module")
def entraid(keys, french, tmp_path_factory):
    import subprocess

    project = init_project(tmp_path_factory.mktemp("entraid") / "xlfactor_server")
    added = subprocess.run(
        [*xlwings_server_command(), "add", "auth", "entraid"], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert added.returncode == 0, added.stderr
    hook = project / "auth" / "entraid" / "jwks.py"
    assert "async def get_jwks_json" in hook.read_text()  # xlwings Server's hook, as its command wrote it
    hook.write_text(JWKS_HOOK, encoding="utf-8")
    # xlwings Server 1.20's command writes no auth/entraid/__init__.py, so `auth.entraid` resolves to the
    # project's folder, which has no validate_token, and every Entra ID call is answered 500 ("implementation
    # missing"); re-exporting the provider is the fix the README gives operators who use the hook.
    (hook.parent / "__init__.py").write_text(ENTRAID_INIT, encoding="utf-8")
    key_set = tmp_path_factory.mktemp("jwks") / "jwks.json"
    key_set.write_text(json.dumps({"keys": [keys[0].as_dict(private=False)]}), encoding="utf-8")
    env = {
        "XLWINGS_AUTH_PROVIDERS": '["custom", "entraid"]',
        "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT,
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT,
        "XLFACTOR_TEST_JWKS": str(key_set),
        "XLFACTOR_FRENCH_BASE_URL": french.base_url,
    }
    with live_server(project, tmp_path_factory.mktemp("entraid-data"), env=env) as live:
        live.token = create_token(project, "analyst")  # the other way in, on the same server
        yield live


def entra_token(key, version: str = "2.0", **claims) -> str:
    from joserfc import jwt

    now = int(time.time())
    issuer = (
        f"https://login.microsoftonline.com/{TENANT}/v2.0" if version == "2.0" else f"https://sts.windows.net/{TENANT}/"
    )
    body = {
        "ver": version,
        "iss": issuer,
        "aud": CLIENT if version == "2.0" else f"api://{CLIENT}",
        "tid": TENANT,
        "oid": str(uuid.UUID(int=3)),
        "name": "Ada Analyst",
        "preferred_username": "ada@fund.example",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode({"alg": "RS256", "kid": "tenant-key"}, body, key)


def post(server, path: str, payload: dict, token: str, provider: str = "entraid") -> tuple[int, object]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Auth-Provider": provider}
    request = urllib.request.Request(server.url + path, json.dumps(payload).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_an_entra_id_user_gets_the_same_betas_as_a_token_user(entraid, keys, beta_call):  # noqa: F811
    by_entra = post(entraid, CALL, beta_call, entra_token(keys[0]))
    by_token = post(entraid, CALL, beta_call, entraid.token, provider="custom")
    assert by_entra[0] == by_token[0] == 200, (by_entra, by_token)
    assert by_entra[1]["result"] == by_token[1]["result"]
    v1 = post(entraid, CALL, beta_call, entra_token(keys[0], version="1.0"))
    assert v1[0] == 200 and v1[1]["result"] == by_token[1]["result"]


@pytest.mark.parametrize(
    "case",
    ["signed by another key", "another audience", "another tenant", "expired", "no version", "not a token"],
)
def test_a_token_entra_id_would_not_issue_for_this_server_gets_401(entraid, keys, beta_call, case):  # noqa: F811
    token = {
        "signed by another key": lambda: entra_token(keys[1]),
        "another audience": lambda: entra_token(keys[0], aud=str(uuid.UUID(int=9))),
        "another tenant": lambda: entra_token(
            keys[0], iss=f"https://login.microsoftonline.com/{uuid.UUID(int=8)}/v2.0"
        ),
        "expired": lambda: entra_token(keys[0], iat=1_700_000_000, nbf=1_700_000_000, exp=1_700_003_600),
        "no version": lambda: entra_token(keys[0], ver=None),
        "not a token": lambda: "xlf_" + "a" * 43,
    }[case]()
    status, body = post(entraid, CALL, beta_call, token)
    assert status == 401, body


def test_refresh_needs_the_admin_app_role(entraid, keys):
    status, body = post(entraid, REFRESH, BOOK, entra_token(keys[0]))
    assert status == 403, body
    assert "Ada Analyst may not do this: it needs the admin role" in body  # the project's user model, any provider
    status, body = post(entraid, REFRESH, BOOK, entra_token(keys[0], roles=["admin"]))
    assert status == 200, body
    written = [action for action in body["actions"] if action["func"] == "setValues"]
    assert any("updated" in str(action["values"]) for action in written)
