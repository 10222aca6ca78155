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

from xlfactor.data.catalog import FrenchDataset
from xlfactor.data.frame_codec import encode_frame
from xlfactor.data.french import parse_french_csv
from xlfactor.data.snapshot import read_snapshot_bytes


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
    """The shipped CRSP 202511 copy of a French dataset, parsed, as a cache record."""
    raw = read_snapshot_bytes(dataset.file)
    parsed = parse_french_csv(raw.decode("latin-1"))
    frame = parsed.block(dataset.block).data.rename(columns=dict(dataset.rename))
    return Record(
        name=dataset.name,
        kind="french",
        origin="snapshot",
        freq=dataset.freq,
        source=f"xlfactor package snapshot: {dataset.file}",
        vintage=parsed.vintage,
        sha256=hashlib.sha256(raw).hexdigest(),
        frame=frame,
    )
