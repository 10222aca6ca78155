"""xlfactor's token sign-in as an xlwings Server custom auth provider.

``xlfactor server init`` writes ``auth/custom/__init__.py`` in the project, which re-exports
:func:`validate_token`; xlwings Server (``XLWINGS_AUTH_PROVIDERS=["custom"]``) calls it for
every function and script call with the ``Authorization`` header that the add-in's
``getAuth`` hook sends (``static/js/auth.js``, the token the user typed in the task pane).
A missing, unknown or revoked token is refused with 401; the user it returns carries the
``admin`` role if the token was created with ``--admin``. It is xlwings Server's user model,
which in a project made by ``server init`` is the project's ``models/user.py``: a missing role
(a script declared with ``required_roles``, such as Refresh data) is answered 403 by
:func:`xlfactor.excel.server_roles.has_required_roles`, for token and Entra ID users alike.
"""

from __future__ import annotations

from fastapi import HTTPException, status
from xlwings_server.models import User

from xlfactor.excel.server_tokens import TokenStore, tokens_path

SIGN_IN = (
    "xlfactor: sign in first: open the xlfactor task pane and paste the token your administrator gave you "
    "(they create one with `xlfactor server token create NAME`)"
)
REFUSED = (
    "xlfactor: this token is not valid (unknown or revoked); ask your administrator for a new one "
    "and paste it in the xlfactor task pane"
)

_store: TokenStore | None = None


def store() -> TokenStore:
    global _store
    if _store is None:
        _store = TokenStore(tokens_path())
    return _store


async def validate_token(token_string: str) -> User:
    """The signed-in user of an ``Authorization`` header, else 401 (xlwings Server's custom provider hook)."""
    if not token_string.removeprefix("Bearer ").strip():
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=SIGN_IN)
    user = store().user(token_string)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=REFUSED)
    return User(id=f"token:{user.name}", name=user.name, roles=user.roles)
