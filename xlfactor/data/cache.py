"""The local SQLite cache of factor data: location, schema, integrity, first-use seeding.

The cache is one file, ``$XLFACTOR_DATA_DIR/xlfactor.sqlite`` (default directory:
``platformdirs.user_data_dir("xlfactor")``), in WAL mode so readers never block on
a refresh and never see a half-written one (each refresh is one transaction).

Schema: one table ``datasets`` with one row per dataset (a French block such as
``ff5_daily``, or a user's registered factor file). The row holds the metadata
(kind, origin ``snapshot``/``download``/``file``, frequency, source URL or path,
CRSP vintage, sha256 of the CSV text, sha256 of the downloaded zip, ETag,
Last-Modified, fetched/checked times in UTC, first/last date, row count, columns)
and the parsed data as a compressed binary frame (:mod:`xlfactor.data.frame_codec`,
about 210 kB for the daily five factors). ``data_key`` is the sha256 of that payload:
it changes exactly when the stored numbers change.

On first use the French datasets are seeded from the snapshot shipped in the
package (US: CRSP 202511; Developed and Europe: Bloomberg 202101 daily files, their
months compounded from them), with no network; other regions are stored by their
first refresh. A file that SQLite cannot read (garbage,
truncated) is moved aside to ``xlfactor.sqlite.corrupt-<time>`` and rebuilt from
the snapshot plus the registered user files kept in ``user_factors/``, with a
``warnings.warn``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

import pandas as pd

from xlfactor.data.catalog import DATASETS, FrenchDataset
from xlfactor.data.frame_codec import encode_frame
from xlfactor.data.french import parse_french_csv
from xlfactor.data.periods import compound_monthly
from xlfactor.data.snapshot import read_snapshot_bytes
from xlfactor.errors import XLFactorError

DB_NAME = "xlfactor.sqlite"
USER_DIR = "user_factors"
SCHEMA_VERSION = 1
_BUSY_TIMEOUT_MS = 60_000
COMPOUNDED_NOTE = "monthly values compounded from the daily file (not French's monthly file)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    freq TEXT NOT NULL,
    source TEXT NOT NULL,
    vintage TEXT,
    sha256 TEXT NOT NULL,
    download_sha256 TEXT,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    checked_at TEXT,
    first_date TEXT NOT NULL,
    last_date TEXT NOT NULL,
    rows INTEGER NOT NULL,
    columns TEXT NOT NULL,
    data_key TEXT NOT NULL,
    payload BLOB NOT NULL
)
"""
META_COLUMNS = (
    "name, kind, origin, freq, source, vintage, sha256, download_sha256, etag, last_modified, "
    "fetched_at, checked_at, first_date, last_date, rows, columns, data_key"
)

T = TypeVar("T")
_lock = threading.RLock()
_conn: sqlite3.Connection | None = None
_conn_path: Path | None = None
_reset_hooks: list[Callable[[], None]] = []


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
        """Column values for the ``datasets`` table (payload encoded, times now)."""
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


def data_dir() -> Path:
    """``$XLFACTOR_DATA_DIR`` if set, else ``platformdirs.user_data_dir("xlfactor")``."""
    env = os.environ.get("XLFACTOR_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return _platform_data_dir()


@functools.cache
def _platform_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("xlfactor", appauthor=False))


def db_path() -> Path:
    """Path of the SQLite cache file."""
    return data_dir() / DB_NAME


def reset_state() -> None:
    """Close this process's cache connection and forget in-memory copies of factor data.

    Needed only when the cache file is replaced or deleted from outside xlfactor
    while this process is running (changing ``XLFACTOR_DATA_DIR`` is noticed
    automatically). The next call reopens, checks and if needed reseeds the cache.
    """
    global _conn, _conn_path
    with _lock:
        if _conn is not None:
            _conn.close()
        _conn, _conn_path = None, None
        for hook in _reset_hooks:
            hook()


def on_reset(hook: Callable[[], None]) -> None:
    """Register ``hook`` to run in :func:`reset_state` (used by the in-memory frame cache)."""
    _reset_hooks.append(hook)


def change_token() -> tuple[int, int]:
    """A value that differs after any commit to the cache since the last call returned it.

    ``PRAGMA data_version`` changes when another connection (or process) commits;
    ``total_changes`` counts this connection's own writes. A reopened connection
    runs the :func:`on_reset` hooks first, so tokens of different connections are
    never compared by the hooks' owners.
    """
    return run(lambda c: (c.execute("PRAGMA data_version").fetchone()[0], c.total_changes))


def run(fn: Callable[[sqlite3.Connection], T]) -> T:
    """Call ``fn(connection)`` under the cache lock; rebuild once if the file turns out corrupt."""
    with _lock:
        try:
            return fn(_connection())
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise
            _rebuild(f"{exc}")
            return fn(_connection())


def write_records(records: Iterable[Record], touch: Iterable[tuple[str, str | None, str | None]] = ()) -> None:
    """Replace the rows of ``records`` and refresh ``etag``/``last_modified``/``checked_at`` of
    the ``touch`` names ``(name, etag, last_modified)``, all in ONE transaction."""
    rows = [r.row() for r in records]
    touched = [(etag, last_modified, utc_now(), name) for name, etag, last_modified in touch]

    def write(conn: sqlite3.Connection) -> None:
        with _transaction(conn):
            for row in rows:
                cols = ", ".join(row)
                marks = ", ".join(f":{c}" for c in row)
                conn.execute(f"INSERT OR REPLACE INTO datasets ({cols}) VALUES ({marks})", row)
            conn.executemany("UPDATE datasets SET etag = ?, last_modified = ?, checked_at = ? WHERE name = ?", touched)

    run(write)


def _transaction(conn: sqlite3.Connection):
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rollback on error): one writer at a time, atomic."""

    class _Tx:
        def __enter__(self) -> None:
            conn.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type, exc, tb) -> None:
            conn.execute("ROLLBACK" if exc_type else "COMMIT")

    return _Tx()


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", None)
    if name is not None:
        return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
    return type(exc) is sqlite3.DatabaseError


def _connection() -> sqlite3.Connection:
    """The open connection for the current ``db_path()``, opening (and checking) it if needed."""
    global _conn, _conn_path
    path = db_path()
    if _conn is not None and _conn_path == path:
        return _conn
    reset_state()
    try:
        conn = _open(path)
    except sqlite3.DatabaseError as exc:
        if not _is_corruption(exc):
            raise
        _rebuild(f"{exc}")
        return _connection()
    _conn, _conn_path = conn, path
    return conn


def _open(path: Path) -> sqlite3.Connection:
    """Open the file, check its integrity, create the schema, seed missing French datasets."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise XLFactorError(
            f"XLFACTOR_DATA_DIR: cannot create {path.parent} ({exc}); point it to a writable folder"
        ) from None
    conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            with _transaction(conn):
                conn.execute(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        _seed(conn)
    except BaseException:
        conn.close()
        raise
    return conn


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


def _seed(conn: sqlite3.Connection) -> None:
    """Insert the shipped snapshot for every shipped French dataset the cache does not hold yet."""
    have = {r[0] for r in conn.execute("SELECT name FROM datasets WHERE kind = 'french'")}
    missing = [d for d in DATASETS.values() if d.shipped and d.name not in have]
    if not missing:
        return
    rows = [snapshot_record(d).row() for d in missing]
    with _transaction(conn):
        for row in rows:  # INSERT OR IGNORE: another process may have seeded meanwhile
            cols = ", ".join(row)
            conn.execute(f"INSERT OR IGNORE INTO datasets ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)


def _rebuild(reason: str) -> None:
    """Move the unreadable cache aside, recreate it from the snapshot and the user files, warn."""
    global _conn, _conn_path
    path = db_path()
    if _conn is not None:
        _conn.close()
    _conn, _conn_path = None, None
    for hook in _reset_hooks:
        hook()
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{DB_NAME}.corrupt-{stamp}")
    if path.exists():
        os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(DB_NAME + suffix)
        if extra.exists():
            os.replace(extra, aside.with_name(aside.name + suffix))
    warnings.warn(
        f"xlfactor: the factor data cache {path} could not be read ({reason}); it was moved to {aside.name} "
        "and rebuilt from the shipped snapshot (CRSP 202511) and your registered factor files. "
        "Run `xlfactor refresh` to download current data.",
        RuntimeWarning,
        stacklevel=3,
    )
    conn = _open(path)
    _conn, _conn_path = conn, path
    from xlfactor.data.user_factors import restore_user_factors

    restore_user_factors()
