"""``xlfactor refresh`` (download the French factor files) and ``xlfactor info`` (what is stored)."""

from __future__ import annotations

import argparse

from xlfactor.data.catalog import MODELS, REGIONS


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``refresh`` and ``info`` subcommands."""
    refresh = subparsers.add_parser(
        "refresh",
        help="download the latest Fama-French factor files into the local cache",
        description="Download, validate and store the Kenneth French factor files. A file that fails a check "
        "keeps the stored copy; the exit code is 1 if any file failed.",
    )
    refresh.add_argument(
        "--model",
        action="append",
        type=str.upper,
        choices=list(MODELS),
        metavar="MODEL",
        help="model to refresh (repeatable): CAPM, FF3, FF5, FF6, CARHART4, or one of them with a region suffix "
        f"({', '.join('-' + code for code in REGIONS)}), e.g. FF6-DEV. Default: the US models and every regional "
        "file downloaded before; name a regional model to download it the first time",
    )
    refresh.add_argument(
        "--freq",
        action="append",
        type=str.upper,
        choices=["D", "W", "M"],
        help="frequency (repeatable; default: D and M)",
    )
    refresh.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    refresh.set_defaults(func=run_refresh)
    info = subparsers.add_parser("info", help="show the factor data stored in the local cache")
    info.set_defaults(func=run_info)


def run_refresh(args: argparse.Namespace) -> int:
    """Refresh with a tqdm progress bar, print the per-dataset report; 1 if any dataset failed."""
    import warnings

    from tqdm import tqdm

    from xlfactor.data import refresh_factors
    from xlfactor.data.cache import db_path

    with tqdm(total=None, unit="file", desc="refresh") as bar:

        def progress(dataset: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_postfix_str(dataset)
            bar.update(done - bar.n)

        with warnings.catch_warnings():  # the report below already lists the failures
            warnings.simplefilter("ignore", RuntimeWarning)
            report = refresh_factors(args.model, args.freq, progress=progress, timeout=args.timeout)
    print(report)
    print(f"cache: {db_path()}")
    return 0 if report.ok else 1


def run_info(args: argparse.Namespace) -> int:
    """Print one line per stored dataset: dataset, origin, vintage, first, last, rows, fetched."""
    from xlfactor.data import stored_datasets
    from xlfactor.data.cache import db_path

    table = stored_datasets()
    shown = table[["dataset", "origin", "vintage", "first", "last", "rows", "fetched"]].fillna("")
    print(f"cache: {db_path()}")
    print(shown.to_string(index=False))
    print('origin "snapshot" = the copy shipped with xlfactor (US: CRSP 202511; Developed and Europe: the older '
          'Bloomberg 202101 vintage, months compounded from days); "download" = fetched by `xlfactor refresh`')
    return 0
