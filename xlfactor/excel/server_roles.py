"""Roles on xlfactor's server: a signed-in user without a role that a script needs gets 403 saying how to get it.

``xlfactor server init`` writes the project's ``models/user.py``, xlwings Server's hook for its user
model: its ``User``, which every auth provider returns (xlfactor's tokens and Entra ID alike), takes
:func:`has_required_roles` from here. This module imports no xlwings Server model, so the project's
model can import it while xlwings Server is still loading its own.
"""

from __future__ import annotations

from fastapi import HTTPException, status


async def has_required_roles(user, required_roles: list[str] | None = None) -> bool:
    """True if ``user.roles`` hold every role in ``required_roles``; else 403 naming the roles and how to get them."""
    missing = sorted(set(required_roles or []) - set(user.roles))
    if missing:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail=f"xlfactor: {user.name} may not do this: it needs the {', '.join(missing)} role; ask your "
            "administrator (a token with the role is made by `xlfactor server token create NAME --admin`; with "
            "Entra ID sign-in, the app role of that name is assigned to you)",
        )
    return True
