"""``xlfactor server init DIR``: an xlwings Server project serving the FM_ functions and the ribbon."""

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
    print(f"start it:  cd {folder} && xlwings-server")
    print("then sideload the manifest it serves at /manifest.xml (see the README, section 'xlwings Server')")
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``server`` command group (``server init``)."""
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
