"""Sign-in tokens for an xlfactor server (teams without Entra ID): ``xlfactor server token ...``.

A token is 32 random bytes (``secrets.token_urlsafe``) shown once, when it is created; the
store keeps only its SHA-256 (a random token of that length needs no slow hash), its name,
whether it carries the ``admin`` role and when it was made. The store is one JSON file,
``$XLFACTOR_TOKENS_FILE`` or ``tokens.json`` in the project folder, written atomically with
owner-only permissions; the server rereads it whenever it changes, so a revoked token is
refused from the next request on, in every worker.

The xlwings Server auth provider that checks the tokens is :mod:`xlfactor.excel.server_auth`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from xlfactor.errors import XLFactorError

TOKENS_ENV = "XLFACTOR_TOKENS_FILE"
TOKENS_FILE = "tokens.json"
PREFIX = "xlf_"
ADMIN = "admin"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class TokenUser:
    """Who a valid token belongs to."""

    name: str
    admin: bool

    @property
    def roles(self) -> list[str]:
        return [ADMIN] if self.admin else []


def tokens_path(project: Path | str | None = None) -> Path:
    """``$XLFACTOR_TOKENS_FILE`` if set, else ``tokens.json`` in ``project`` (the xlwings Server project
    folder: ``$XLWINGS_PROJECT_DIR``, else the working folder)."""
    if os.environ.get(TOKENS_ENV):
        return Path(os.environ[TOKENS_ENV]).resolve()
    folder = project if project is not None else os.environ.get("XLWINGS_PROJECT_DIR", ".")
    return (Path(folder) / TOKENS_FILE).resolve()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["tokens"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise XLFactorError(
            f"{TOKENS_ENV}: cannot read the token file {path} ({exc}); restore it or delete it"
        ) from None
    return rows


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tokens-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"tokens": rows}, out, indent=1)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def create(name: str, admin: bool = False, path: Path | None = None) -> str:
    """A new token for ``name`` (returned once; only its hash is stored)."""
    path = path or tokens_path()
    if not _NAME.fullmatch(name):
        raise XLFactorError(f"NAME: {name!r} is not a token name; use up to 64 letters, digits, '.', '_', '@' or '-'")
    rows = _read(path)
    if any(row["name"] == name for row in rows):
        raise XLFactorError(f"NAME: a token called {name!r} exists; revoke it first or choose another name")
    token = PREFIX + secrets.token_urlsafe(32)
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows.append({"name": name, "sha256": digest(token), "admin": bool(admin), "created": created})
    _write(path, rows)
    return token


def listing(path: Path | None = None) -> list[dict]:
    """The stored tokens' names, roles and creation times (never the hashes)."""
    return [{k: row[k] for k in ("name", "admin", "created")} for row in _read(path or tokens_path())]


def revoke(name: str, path: Path | None = None) -> None:
    path = path or tokens_path()
    rows = _read(path)
    kept = [row for row in rows if row["name"] != name]
    if len(kept) == len(rows):
        raise XLFactorError(f"NAME: no token called {name!r}; `xlfactor server token list` shows the names")
    _write(path, kept)


class TokenStore:
    """The token file as the server reads it: reloaded whenever its size or modification time changes."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, TokenUser] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict[str, TokenUser]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                rows = _read(self.path)
                self._users = {row["sha256"]: TokenUser(row["name"], bool(row["admin"])) for row in rows}
                self._stamp = stamp
            return self._users

    def user(self, token: str) -> TokenUser | None:
        """The user of ``token`` (an ``Authorization`` header value, with or without ``Bearer``), or None."""
        token = token.removeprefix("Bearer ").strip()
        if not token.startswith(PREFIX):
            return None
        return self._load().get(digest(token))
