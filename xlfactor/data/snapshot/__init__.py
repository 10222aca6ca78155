"""French data-library files shipped with xlfactor (gzip-compressed, byte-exact originals).

The US factor files are the consistent CRSP 202511 vintage; the Developed and Europe
daily five-factor and momentum files are an older Bloomberg 202101 vintage;
``12_Industry_Portfolios`` (CRSP 202512) provides realistic sample assets for the
demo and the examples.
See ``SOURCES.md`` in this folder for where each file came from.
"""

from __future__ import annotations

import gzip
from importlib import resources


def snapshot_files() -> list[str]:
    """Names of the shipped files, without the ``.gz`` suffix."""
    root = resources.files(__name__)
    return sorted(p.name[:-3] for p in root.iterdir() if p.name.endswith(".csv.gz"))


def read_snapshot_bytes(name: str) -> bytes:
    """The original bytes of a shipped file, e.g. ``read_snapshot_bytes("F-F_Momentum_Factor.csv")``."""
    return gzip.decompress((resources.files(__name__) / f"{name}.gz").read_bytes())
