"""The ``xlfactor`` command: demo, report, refresh, info, install, server init.

Each command group lives in its own module with an ``add_commands(subparsers)``
function; every subcommand sets ``func`` (parsed args -> exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from xlfactor import __version__
from xlfactor.cli.wording import COMMAND_LINE
from xlfactor.errors import XLFactorError

_COMMAND_MODULES = (
    "xlfactor.cli.report_commands",
    "xlfactor.cli.data_commands",
    "xlfactor.cli.install_command",
    "xlfactor.cli.server_command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xlfactor", description="Factor risk models for Excel and Python.")
    parser.add_argument("--version", action="version", version=f"xlfactor {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).add_commands(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except XLFactorError as exc:
        print(f"error: {exc.render(COMMAND_LINE)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
