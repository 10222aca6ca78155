"""``xlfactor refresh`` (download the factor files: French's and the other libraries') and ``xlfactor info``
(what is stored)."""

from __future__ import annotations

import argparse

from xlfactor.data.catalog import LIBRARY_MODEL_NAMES, MODELS, REGIONS
from xlfactor.errors import XLFactorError
from xlfactor.models._validate import positive_number, whole_number


def _seconds(text: str) -> float:
    """``--timeout`` value: a number of seconds above 0 (argparse prints the message and exits 2)."""
    try:
        return positive_number(float(text), "timeout", "a number of seconds above 0, such as 30")
    except (ValueError, XLFactorError):
        message = f"{text!r} is not a number of seconds above 0; use e.g. --timeout 30"
        raise argparse.ArgumentTypeError(message) from None


def _retries(text: str) -> int:
    try:
        return whole_number(int(text), "retries", 0, 10)
    except (ValueError, XLFactorError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0 to 10; use e.g. --retries 2") from None


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``refresh`` and ``info`` subcommands."""
    refresh = subparsers.add_parser(
        "refresh",
        help="download the latest factor files (French, q-factors, Stambaugh, AQR, DHS) into the local cache",
        description="Download, validate and store the factor files: Kenneth French's and, for the models named, "
        "the other libraries' (global-q, Stambaugh, AQR, DHS; set XLFACTOR_<SOURCE>_BASE_URL to use a mirror). "
        "A file that fails a check keeps the stored copy; the exit code is 1 if any file failed.",
    )
    refresh.add_argument(
        "--model",
        action="append",
        type=str.upper,
        choices=list(MODELS),
        metavar="MODEL",
        help="model to refresh (repeatable): CAPM, FF3, FF5, FF6, CARHART4, or one of them with a region suffix "
        f"({', '.join('-' + code for code in REGIONS)}), e.g. FF6-DEV; or another library's model: "
        f"{', '.join(LIBRARY_MODEL_NAMES)}, AQR4-<AREA> (e.g. AQR4-JPN). Default: the US models, every file "
        "downloaded before and every model asked for while not stored; name a model to download it the first time",
    )
    refresh.add_argument(
        "--freq",
        action="append",
        type=str.upper,
        choices=["D", "W", "M"],
        help="frequency (repeatable; default: D and M)",
    )
    refresh.add_argument(
        "--timeout", type=_seconds, default=30.0, help="seconds allowed for each download attempt (default 30)"
    )
    refresh.add_argument(
        "--retries", type=_retries, default=2, help="retries after a timeout or server error (0-10, default 2)"
    )
    refresh.set_defaults(func=run_refresh)
    info = subparsers.add_parser("info", help="show the factor data stored in the local cache")
    info.set_defaults(func=run_info)


def run_refresh(args: argparse.Namespace) -> int:
    """Refresh with progress on stderr (a bar on a terminal, lines otherwise), print the per-dataset
    report; 1 if any dataset failed."""
    import warnings

    from xlfactor.cli.progress import progress_reporter
    from xlfactor.data import refresh_factors
    from xlfactor.data.cache import db_path

    with progress_reporter("refresh", unit="file") as progress, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the report below already lists the failures
        report = refresh_factors(args.model, args.freq, progress=progress, timeout=args.timeout, retries=args.retries)
    print(report)
    print(f"cache: {db_path()}")
    return 0 if report.ok else 1


def run_info(args: argparse.Namespace) -> int:
    """Print one line per stored dataset (dataset, origin, vintage, first, last, rows, fetched), then
    any problem: a cache that cannot be used, entries quarantined after a failed checksum. Exit 1 if
    the cache cannot be used."""
    import warnings

    from xlfactor.data import stored_datasets
    from xlfactor.data.cache import db_path, quarantined, unusable_reason

    with warnings.catch_warnings():  # the problems are printed below
        warnings.simplefilter("ignore", RuntimeWarning)
        table = stored_datasets()
        reason = unusable_reason()
        bad = quarantined()
    shown = table[["dataset", "origin", "vintage", "first", "last", "rows", "fetched"]].fillna("")
    print(f"cache: {db_path()}")
    print(shown.to_string(index=False))
    print(
        'origin "snapshot" = the copy shipped with xlfactor (US: CRSP 202511; Developed and Europe: the older '
        'Bloomberg 202101 vintage, months compounded from days); "download" = fetched by `xlfactor refresh` '
        "(the other libraries' files, q5_*, sy4_*, ps_*, dhs_*, aqr_*, are never shipped: always downloads)"
    )
    if reason is not None:
        print(
            f"problem: the cache cannot be used ({reason}); showing the shipped snapshot and registered files. "
            "Fix: set XLFACTOR_DATA_DIR to a writable folder with free space."
        )
    for entry in bad:
        print(
            f"quarantined: {entry['name']} at {entry['quarantined_at']}: {entry['reason']}; "
            f"replaced by {entry['replaced_by']}"
        )
    return 1 if reason is not None else 0
