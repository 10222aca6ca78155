"""``xlfactor server init DIR`` (an xlwings Server project serving the FM_ functions and the ribbon) and
``xlfactor server token create|list|revoke`` (the sign-in tokens of such a server)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _init(args: argparse.Namespace) -> int:
    from xlfactor.excel.server_project import init_project

    folder = init_project(Path(args.dir), args.namespace)
    print(f"xlwings Server project with xlfactor: {folder}")
    print(
        'licence: set XLWINGS_LICENSE_KEY in its .env ("noncommercial" for noncommercial use; commercial use '
        "needs an xlwings PRO licence key)"
    )
    print(f"sign-in is on: make a token with  cd {folder} && xlfactor server token create NAME [--admin]")
    print(f"start it:  cd {folder} && xlwings-server")
    print("then sideload the manifest it serves at /manifest.xml (see the README, section 'xlwings Server')")
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from xlfactor.excel import server_tokens

    path = server_tokens.tokens_path(args.project)
    token = server_tokens.create(args.name, admin=args.admin, path=path)
    role = "admin (may also refresh the shared data)" if args.admin else "user (may call the functions)"
    print(f"token for {args.name}, role {role}; stored as a hash in {path}")
    print("give it to that person now (it is not shown again); they paste it in the xlfactor task pane:")
    print(token)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from xlfactor.excel import server_tokens

    path = server_tokens.tokens_path(args.project)
    rows = server_tokens.listing(path)
    if not rows:
        print(f"no tokens in {path}; create one with `xlfactor server token create NAME`")
    for row in rows:
        print(f"{row['name']}\t{'admin' if row['admin'] else 'user'}\tcreated {row['created']}")
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from xlfactor.excel import server_tokens

    path = server_tokens.tokens_path(args.project)
    server_tokens.revoke(args.name, path=path)
    print(f"token {args.name} revoked: the server refuses it from its next request on ({path})")
    return 0


def _add_token_commands(commands: argparse._SubParsersAction) -> None:
    token = commands.add_parser(
        "token",
        help="sign-in tokens of a server: create, list, revoke",
        description="Sign-in tokens for an xlfactor server (xlwings Server's custom auth provider). The token file "
        "is $XLFACTOR_TOKENS_FILE if set, else tokens.json in the project folder (--project, default: the "
        "current folder). Only hashes are stored.",
    )
    actions = token.add_subparsers(title="token commands", metavar="TOKEN_COMMAND", required=True)
    create = actions.add_parser("create", help="make a token for NAME and print it once")
    create.add_argument("name", help="who the token is for (letters, digits, . _ @ -)")
    create.add_argument("--admin", action="store_true", help="the admin role: may also refresh the shared data")
    create.set_defaults(func=_token_create)
    listing = actions.add_parser("list", help="names, roles and creation times of the tokens")
    listing.set_defaults(func=_token_list)
    revoke = actions.add_parser("revoke", help="refuse NAME's token from now on")
    revoke.add_argument("name", help="the token's name, as `token list` shows it")
    revoke.set_defaults(func=_token_revoke)
    for parser in (create, listing, revoke):
        parser.add_argument("--project", default=None, help="the server's project folder (default: current folder)")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``server`` command group (``server init``, ``server token``)."""
    server = subparsers.add_parser(
        "server",
        help="xlwings Server (the team runtime): create a project that serves xlfactor",
        description="Commands for xlwings Server (the xlwings-server package, installed separately).",
    )
    commands = server.add_subparsers(title="server commands", metavar="SERVER_COMMAND", required=True)
    init = commands.add_parser(
        "init",
        help="run `xlwings-server init DIR` and wire in the FM_ functions and the xlfactor ribbon",
        description="Create an xlwings Server project in DIR (via `xlwings-server init DIR`) whose custom "
        "functions are xlfactor's FM_ functions (namespace XLFACTOR) and whose ribbon and task pane run "
        "xlfactor's five actions.",
    )
    init.add_argument("dir", help="folder for the new project (created; must not hold a project already)")
    init.add_argument("--namespace", default="XLFACTOR", help="Excel namespace of the functions (default: XLFACTOR)")
    init.set_defaults(func=_init)
    _add_token_commands(commands)
