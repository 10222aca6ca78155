"""``xlfactor install``: set up the classic desktop Excel add-in (Windows with Excel only)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _run(args: argparse.Namespace) -> int:
    from xlfactor.excel.install import install

    return install(Path(args.dir) if args.dir else None, legacy_arrays=True if args.legacy_arrays else None)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``install`` subcommand."""
    parser = subparsers.add_parser(
        "install",
        help="install the xlfactor Excel add-in (Windows with Excel; elsewhere explains and exits 1)",
        description="Assemble xlfactor.xlam from the xlwings ribbon add-in template, import the FM_ functions "
        "and register it with Excel. Needs Windows with Excel; on other systems prints what it would do.",
    )
    parser.add_argument("--dir", help="folder for the assembled xlfactor.xlam (default: a temporary folder)")
    parser.add_argument(
        "--legacy-arrays",
        action="store_true",
        help="results as legacy array formulas, for Excel without dynamic arrays (2016, 2019); the default "
        "decides from the Excel installed",
    )
    parser.set_defaults(func=_run)
