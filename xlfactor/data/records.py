"""A dataset as the cache stores it (:class:`Record`), and the shipped snapshot's records.

This module stores nothing: it turns parsed data into rows for the ``datasets``
table (:meth:`Record.row`) and builds the record of a French dataset from the copy
shipped in the package (:func:`snapshot_record`). The cache writes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd

from xlfactor.data.catalog import DATASETS, FrenchDataset
from xlfactor.data.frame_codec import encode_frame
from xlfactor.data.french import parse_french_csv
from xlfactor.data.periods import compound_monthly
from xlfactor.data.snapshot import read_snapshot_bytes

COMPOUNDED_NOTE = "monthly values compounded from the daily file (not French's monthly file)"


@dataclass(frozen=True)
class Record:
    """A dataset row ready to be written: metadata plus the parsed frame."""

    name: str
    kind: str
    origin: str
    freq: str
    source: str
    vintage: str | None
    sha256: str
    frame: pd.DataFrame
    download_sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def row(self) -> dict:
        """Column values for the ``datasets`` table (payload encoded, times now).

        ``data_key`` is ``sha256(payload)``: it changes exactly when the stored
        numbers change, and the cache checks it on every read of the payload.
        """
        payload = encode_frame(self.frame)
        now = utc_now()
        return {
            "name": self.name,
            "kind": self.kind,
            "origin": self.origin,
            "freq": self.freq,
            "source": self.source,
            "vintage": self.vintage,
            "sha256": self.sha256,
            "download_sha256": self.download_sha256,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "fetched_at": now,
            "checked_at": now,
            "first_date": self.frame.index[0].strftime("%Y-%m-%d"),
            "last_date": self.frame.index[-1].strftime("%Y-%m-%d"),
            "rows": len(self.frame),
            "columns": ",".join(map(str, self.frame.columns)),
            "data_key": hashlib.sha256(payload).hexdigest(),
            "payload": payload,
        }


def utc_now() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot_record(dataset: FrenchDataset) -> Record:
    """The shipped copy of a French dataset (CRSP 202511 for the US, Bloomberg 202101 for Developed
    and Europe), parsed, as a cache record; monthly data without a shipped file are compounded from
    the daily snapshot (:func:`xlfactor.data.periods.compound_monthly`) and their source says so."""
    shipped = DATASETS[dataset.compound_from] if dataset.compound_from else dataset
    raw = read_snapshot_bytes(shipped.snapshot)
    parsed = parse_french_csv(raw.decode("latin-1"))
    frame = parsed.block(shipped.block).data.rename(columns=dict(shipped.rename))
    source = f"xlfactor package snapshot: {shipped.snapshot}"
    if dataset.compound_from:
        frame, source = compound_monthly(frame), f"{source}, {COMPOUNDED_NOTE}"
    return Record(
        name=dataset.name,
        kind="french",
        origin="snapshot",
        freq=dataset.freq,
        source=source,
        vintage=parsed.vintage,
        sha256=hashlib.sha256(raw).hexdigest(),
        frame=frame,
    )
