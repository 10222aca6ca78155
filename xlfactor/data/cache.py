"""The local SQLite cache of factor data: location, schema, integrity, first-use seeding,
the backups of registered factor files, and recovery from every fault we know of.

The cache is one file, ``$XLFACTOR_DATA_DIR/xlfactor.sqlite`` (default directory:
``platformdirs.user_data_dir("xlfactor")``), in WAL mode so readers never block on
a refresh and never see a half-written one (each refresh is one transaction).

Schema: table ``datasets`` with one row per dataset (a French block such as
``ff5_daily``, or a user's registered factor file). The row holds the metadata
(kind, origin ``snapshot``/``download``/``file``, frequency, source URL or path,
CRSP vintage, sha256 of the CSV text, sha256 of the downloaded zip, ETag,
Last-Modified, fetched/checked times in UTC, first/last date, row count, columns)
and the parsed data as a compressed binary frame (:mod:`xlfactor.data.frame_codec`,
about 210 kB for the daily five factors). ``data_key`` is the sha256 of that payload:
it changes exactly when the stored numbers change. Table ``quarantine`` keeps
damaged payloads with the reason and time.

On first use the French datasets are seeded from the snapshot shipped in the
package (US: CRSP 202511; Developed and Europe: Bloomberg 202101 daily files, their
months compounded from them), with no network; other regions are stored by their
first refresh. A registered file's numbers are also kept as ``user_factors/<name>.csv``
(decimals), so they survive a rebuild of the cache.

Faults and what happens (each with a ``RuntimeWarning`` saying so):

- *A file SQLite cannot read* (garbage, truncated, a dropped table): moved aside
  to ``xlfactor.sqlite.corrupt-<time>`` and rebuilt from the shipped snapshot
  plus the files in ``user_factors/``.
- *A damaged payload* (bytes flipped inside a stored frame, which SQLite's own
  checks do not see): every read checks ``sha256(payload) == data_key``; a bad
  entry is quarantined and rebuilt from the snapshot (shipped French data; ``xlfactor
  refresh`` then downloads it again; a region not shipped is dropped until the next
  refresh) or from its ``user_factors/`` copy.
- *A cache that cannot be opened or written* (read-only folder, ``xlfactor.sqlite``
  being a folder, disk full, a file-size limit): reads keep working from an
  in-memory copy of the snapshot and the ``user_factors/`` files; writes
  (refresh, register) raise :class:`XLFactorError` naming ``XLFACTOR_DATA_DIR``.
- *The cache file deleted between runs*: recreated from the snapshot and the files
  in ``user_factors/``.
- *The data folder deleted (or the file replaced) while a process uses it*: noticed
  on the next call (the file's inode changed); the folder is recreated and the
  registered and downloaded datasets this process still holds are written back.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import threading
import warnings
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd

from xlfactor.data.catalog import DATASETS
from xlfactor.data.factor_files import read_factor_file
from xlfactor.data.frame_codec import decode_frame
from xlfactor.data.records import Record, snapshot_record, utc_now
from xlfactor.errors import XLFactorError

DB_NAME = "xlfactor.sqlite"
USER_DIR = "user_factors"
WANTED_FILE = "wanted_models.txt"
_MAX_WANTED = 64
SCHEMA_VERSION = 1
_BUSY_TIMEOUT_MS = 60_000

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
_QUARANTINE = """
CREATE TABLE IF NOT EXISTS quarantine (
    name TEXT NOT NULL,
    quarantined_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    replaced_by TEXT NOT NULL,
    payload BLOB
)
"""
META_COLUMNS = (
    "name, kind, origin, freq, source, vintage, sha256, download_sha256, etag, last_modified, "
    "fetched_at, checked_at, first_date, last_date, rows, columns, data_key"
)
_FIX = "set XLFACTOR_DATA_DIR to a writable folder with free space (or fix the permissions of this one)"

T = TypeVar("T")
_lock = threading.RLock()
_conn: sqlite3.Connection | None = None
_conn_path: Path | None = None
_conn_file: tuple[int, int] | None = None  # (st_dev, st_ino) of the file when opened
_fallback: str | None = None  # why the cache is unusable, while reads use an in-memory copy
_reset_hooks: list[Callable[[], None]] = []


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

    Needed only when the cache file is replaced from outside xlfactor on purpose
    while this process is running (a deleted or replaced file, and a changed
    ``XLFACTOR_DATA_DIR``, are noticed automatically). The next call reopens,
    checks and if needed reseeds the cache.
    """
    global _conn, _conn_path, _conn_file, _fallback
    with _lock:
        if _conn is not None:
            _conn.close()
        _conn, _conn_path, _conn_file, _fallback = None, None, None, None
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


def unusable_reason() -> str | None:
    """Why the cache file cannot be used (reads then come from an in-memory copy), or None."""
    with _lock:
        _connection()
        return _fallback


def run(fn: Callable[[sqlite3.Connection], T], *, write: bool = False) -> T:
    """Call ``fn(connection)`` under the cache lock.

    A damaged file (corrupt, a table missing) is rebuilt once and ``fn`` retried. Any
    other SQLite or OS error is a cache that cannot be used: a read switches to the
    in-memory copy and is retried; a write (``write=True``) raises
    :class:`XLFactorError` with the fix.
    """
    with _lock:
        if write:
            require_writable()
        conn = _connection()
        try:
            return fn(conn)
        except (sqlite3.Error, OSError) as exc:
            if _fallback is not None:
                raise
            _raise_if_busy(exc)
            error: Exception = exc
            if isinstance(exc, sqlite3.DatabaseError) and _is_damage(exc):
                try:
                    _rebuild(f"{exc}")
                    return fn(_connection())
                except (sqlite3.Error, OSError) as again:
                    error = again
            if write:
                raise XLFactorError(
                    f"XLFACTOR_DATA_DIR: could not store factor data in {db_path()} ({error}); "
                    f"nothing was changed; {_FIX}"
                ) from None
            _use_fallback(f"{error}")
            return fn(_connection())


def require_writable() -> None:
    """Raise :class:`XLFactorError` (with the fix) if the cache file cannot be written."""
    reason = unusable_reason()
    if reason is not None:
        raise XLFactorError(
            f"XLFACTOR_DATA_DIR: cannot store factor data: the cache {db_path()} is unusable ({reason}); {_FIX}"
        )


def write_records(records: Iterable[Record], touch: Iterable[tuple[str, str | None, str | None]] = ()) -> None:
    """Replace the rows of ``records`` and refresh ``etag``/``last_modified``/``checked_at`` of
    the ``touch`` names ``(name, etag, last_modified)``, all in ONE transaction."""
    rows = [r.row() for r in records]
    touched = [(etag, last_modified, utc_now(), name) for name, etag, last_modified in touch]

    def write(conn: sqlite3.Connection) -> None:
        with _transaction(conn):
            for row in rows:
                _insert(conn, row, "REPLACE")
            conn.executemany("UPDATE datasets SET etag = ?, last_modified = ?, checked_at = ? WHERE name = ?", touched)

    run(write, write=True)


def store_user_record(record: Record) -> None:
    """Store a registered factor set: its row, and its ``user_factors/<name>.csv`` copy.

    The copy is written to a temporary file first and put in place only after the row
    is committed, so a failure leaves neither (and the previous registration intact).
    """
    require_writable()
    try:
        tmp = _write_user_copy(record.name, record.frame)
    except OSError as exc:
        raise XLFactorError(
            f"XLFACTOR_DATA_DIR: could not save a copy of {record.name!r} in {data_dir()} ({exc}); {_FIX}"
        ) from None
    try:
        write_records([record])
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _install_user_copy(record.name, tmp)


def read_frame(name: str, data_key: str) -> pd.DataFrame | None:
    """The stored frame of ``name`` at version ``data_key``; None if that version is gone.

    The payload's sha256 must equal ``data_key``; a damaged entry is quarantined and
    rebuilt (:func:`repair`) and None returned, so the caller reads the new version.
    """
    row = run(
        lambda c: c.execute("SELECT payload FROM datasets WHERE name = ? AND data_key = ?", (name, data_key)).fetchone()
    )
    if row is None:
        return None
    frame = _decoded(row[0], data_key)
    if frame is None:
        repair(name, "its stored data do not match their checksum")
    return frame


def check_datasets(names: Iterable[str] | None = None) -> list[str]:
    """Verify the checksum of the stored datasets ``names`` (default: all); repair bad ones.

    Returns the names that were repaired.
    """
    wanted = None if names is None else list(names)

    def read(conn: sqlite3.Connection) -> list[tuple[str, str, bytes]]:
        rows = conn.execute("SELECT name, data_key, payload FROM datasets").fetchall()
        return [r for r in rows if wanted is None or r[0] in wanted]

    bad = [name for name, key, payload in run(read) if hashlib.sha256(payload).hexdigest() != key]
    for name in bad:
        repair(name, "its stored data do not match their checksum")
    return bad


def quarantined() -> list[dict]:
    """The quarantined entries, newest first: name, quarantined_at, reason, replaced_by."""

    def read(conn: sqlite3.Connection) -> list[dict]:
        cur = conn.execute(
            "SELECT name, quarantined_at, reason, replaced_by FROM quarantine ORDER BY quarantined_at DESC, rowid DESC"
        )
        return [dict(zip([d[0] for d in cur.description], row, strict=True)) for row in cur]

    return run(read)


def repair(name: str, reason: str) -> None:
    """Quarantine the stored entry ``name`` and replace it from the snapshot or its saved copy.

    Raises
    ------
    XLFactorError
        For a registered factor set with no saved copy (it is removed; register it again).
    """
    with _lock:
        kind = run(lambda c: c.execute("SELECT kind FROM datasets WHERE name = ?", (name,)).fetchone())
        if kind is None:
            return
        replacement, replaced_by = None, "nothing (register the file again)"
        if kind[0] == "french" and name in DATASETS and DATASETS[name].shipped:
            replacement = snapshot_record(DATASETS[name])
            replaced_by = "the shipped snapshot; run `xlfactor refresh` for newer data"
        elif kind[0] in ("french", "library"):
            replaced_by = "nothing (not shipped with xlfactor; run `xlfactor refresh` to download it again)"
        elif kind[0] == "user":
            replacement = _user_copy_record(_user_dir() / f"{name}.csv")
            if replacement is not None:
                replaced_by = f"its saved copy {USER_DIR}/{name}.csv"
        row = replacement.row() if replacement is not None else None

        def swap(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                conn.execute(
                    "INSERT INTO quarantine SELECT name, ?, ?, ?, payload FROM datasets WHERE name = ?",
                    (utc_now(), reason, replaced_by, name),
                )
                conn.execute("DELETE FROM datasets WHERE name = ?", (name,))
                if row is not None:
                    _insert(conn, row, "REPLACE")

        if _fallback is None:
            run(swap, write=True)
        else:
            run(swap)
    warnings.warn(
        f"xlfactor: the stored factor data {name!r} were damaged ({reason}); the bad copy was quarantined "
        f"and replaced by {replaced_by}",
        RuntimeWarning,
        stacklevel=3,
    )
    if row is None and kind[0] != "user":
        raise XLFactorError.at(
            "model",
            f"the downloaded factor data {name!r} were damaged in the cache and xlfactor ships no copy of "
            "them; run `xlfactor refresh` (or the ribbon's Refresh) to download them again",
        )
    if row is None:
        raise XLFactorError.at(
            "model",
            f"the registered factors {name!r} were damaged in the cache and no saved copy "
            "exists; register the file again with register_factors",
        )


def remember_wanted(model: str) -> None:
    """Note in ``wanted_models.txt`` that a built-in model was asked for while not stored, so that a plain
    refresh (the ribbon's Refresh) fetches it. Best effort: a folder that cannot be written is ignored
    (the message the user sees names the refresh command anyway)."""
    if model in wanted_models():
        return
    try:
        data_dir().mkdir(parents=True, exist_ok=True)
        with open(data_dir() / WANTED_FILE, "a", encoding="utf-8") as fh:
            fh.write(model + "\n")
    except OSError:
        pass


def wanted_models() -> list[str]:
    """The model names :func:`remember_wanted` noted (at most the first 64; unreadable file: none)."""
    try:
        with open(data_dir() / WANTED_FILE, encoding="utf-8") as fh:
            lines = fh.read(64 * _MAX_WANTED).splitlines()
    except OSError:
        return []
    return list(dict.fromkeys(line.strip() for line in lines if line.strip()))[:_MAX_WANTED]


def _decoded(payload: bytes, data_key: str) -> pd.DataFrame | None:
    if hashlib.sha256(payload).hexdigest() != data_key:
        return None
    return decode_frame(payload)


def _insert(conn: sqlite3.Connection, row: dict, conflict: str) -> None:
    cols = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    conn.execute(f"INSERT OR {conflict} INTO datasets ({cols}) VALUES ({marks})", row)


def _transaction(conn: sqlite3.Connection):
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rollback on error): one writer at a time, atomic."""

    class _Tx:
        def __enter__(self) -> None:
            conn.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type, exc, tb) -> None:
            if exc_type is None:
                conn.execute("COMMIT")
            elif conn.in_transaction:
                conn.execute("ROLLBACK")

    return _Tx()


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Corruption, not a database, or a missing table: rebuilding the file fixes it."""
    name = getattr(exc, "sqlite_errorname", None)
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "no such table" in str(exc):
        return True
    return name is None and type(exc) is sqlite3.DatabaseError


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _connection() -> sqlite3.Connection:
    """The open connection for the current ``db_path()``, opening (and checking) it if needed."""
    global _conn, _conn_path, _conn_file
    path = db_path()
    if _conn is not None and _conn_path == path:
        if _fallback is None and _file_id(path) != _conn_file:
            try:
                _recover_vanished(path)
            except (sqlite3.Error, OSError) as exc:
                return _use_fallback(f"{exc}")
        return _conn
    reset_state()
    fresh = not path.exists()
    try:
        conn = _open(path)
        if fresh:  # first use, or the file was deleted: bring back the registered files
            _restore_user_copies(conn)
    except sqlite3.DatabaseError as exc:
        if not _is_damage(exc):
            return _use_fallback(f"{exc}")
        try:
            _rebuild(f"{exc}")
        except (sqlite3.Error, OSError) as again:
            return _use_fallback(f"{again}")
        return _conn
    except (sqlite3.Error, OSError) as exc:
        _raise_if_busy(exc)
        return _use_fallback(f"{exc}")
    _conn, _conn_path, _conn_file = conn, path, _file_id(path)
    return conn


def _raise_if_busy(exc: Exception) -> None:
    """A cache locked by another process past the busy timeout is busy, not broken: say so."""
    if getattr(exc, "sqlite_errorname", None) in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        raise XLFactorError(
            f"the factor data cache {db_path()} stayed locked by another process for {_BUSY_TIMEOUT_MS // 1000} s "
            "(a refresh still running?); try again when it has finished"
        ) from None


def _open(path: Path) -> sqlite3.Connection:
    """Open the file, check its integrity, create the schema, seed missing French datasets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise OSError(f"{path} is a folder, not the cache file; move it away")
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
        elif conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'datasets'").fetchone()[0] == 0:
            raise sqlite3.DatabaseError("no such table: datasets")
        _prepare(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection) -> None:
    """Create the quarantine table and insert the shipped snapshot for every shipped French dataset missing."""
    if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'quarantine'").fetchone()[0] == 0:
        conn.execute(_QUARANTINE)
    have = {r[0] for r in conn.execute("SELECT name FROM datasets WHERE kind = 'french'")}
    missing = [d for d in DATASETS.values() if d.shipped and d.name not in have]
    if not missing:
        return
    rows = [snapshot_record(d).row() for d in missing]
    with _transaction(conn):
        for row in rows:  # INSERT OR IGNORE: another process may have seeded meanwhile
            _insert(conn, row, "IGNORE")


def _rebuild(reason: str) -> None:
    """Move the unreadable cache aside, recreate it from the snapshot and the user files, warn."""
    global _conn, _conn_path, _conn_file
    path = db_path()
    reset_state()
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
        stacklevel=4,
    )
    conn = _open(path)
    _conn, _conn_path, _conn_file = conn, path, _file_id(path)
    _restore_user_copies(conn)


def _use_fallback(reason: str) -> sqlite3.Connection:
    """Serve reads from an in-memory cache (snapshot + ``user_factors/`` copies) and warn once."""
    global _conn, _conn_path, _conn_file, _fallback
    path = db_path()
    reset_state()
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.execute(_SCHEMA)
    _prepare(conn)
    _restore_user_copies(conn)
    _conn, _conn_path, _conn_file, _fallback = conn, path, None, reason
    warnings.warn(
        f"xlfactor: cannot use the factor data cache {path} ({reason}); reading the data shipped with xlfactor "
        f"(US CRSP 202511, Developed and Europe Bloomberg 202101) and your registered factor files instead, "
        f"and nothing can be stored. Fix: {_FIX}.",
        RuntimeWarning,
        stacklevel=4,
    )
    return conn


def _recover_vanished(path: Path) -> None:
    """The open file was deleted or replaced: recreate it and write back what this process holds."""
    global _conn, _conn_path, _conn_file
    held: list[dict] = []
    try:
        cur = _conn.execute("SELECT * FROM datasets WHERE kind = 'user' OR origin = 'download'")
        held = [dict(zip([d[0] for d in cur.description], row, strict=True)) for row in cur]
    except sqlite3.Error:
        pass  # the old copy is unreadable too: nothing to carry over
    reset_state()
    conn = _open(path)
    _conn, _conn_path, _conn_file = conn, path, _file_id(path)
    present = dict(conn.execute("SELECT name, origin FROM datasets").fetchall())
    with _transaction(conn):
        for row in held:  # over the fresh snapshot seed, not over what another process stored meanwhile
            if present.get(row["name"], "snapshot") == "snapshot":
                _insert(conn, row, "REPLACE")
    for row in held:
        if row["kind"] == "user" and not (_user_dir() / f"{row['name']}.csv").exists():
            _save_user_copy(row["name"], decode_frame(row["payload"]))
    users = sum(r["kind"] == "user" for r in held)
    warnings.warn(
        f"xlfactor: the factor data cache {path} was deleted or replaced while in use; it was recreated, and the "
        f"{users} registered factor set(s) and {len(held) - users} downloaded dataset(s) this process held "
        "were stored again",
        RuntimeWarning,
        stacklevel=4,
    )


def _user_dir() -> Path:
    return data_dir() / USER_DIR


def _save_user_copy(name: str, frame: pd.DataFrame) -> None:
    """Write the decimals to ``user_factors/<name>.csv`` atomically (exact float text)."""
    _install_user_copy(name, _write_user_copy(name, frame))


def _write_user_copy(name: str, frame: pd.DataFrame) -> Path:
    """``user_factors/<name>.tmp`` holding the decimals (removed again if writing fails)."""
    folder = _user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{name}.tmp"
    try:
        frame.to_csv(tmp, date_format="%Y-%m-%d", float_format="%.17g")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _install_user_copy(name: str, tmp: Path) -> None:
    """Move ``tmp`` to ``user_factors/<name>.csv``, dropping copies spelled in another case."""
    for old in tmp.parent.glob("*.csv"):  # names are case-insensitive: drop FOO.csv when saving foo
        if old.stem.lower() == name.lower() and old.stem != name:
            old.unlink()
    os.replace(tmp, tmp.with_suffix(".csv"))


def _user_copy_record(copy: Path) -> Record | None:
    """The record of a saved copy, or None (with a warning) if it cannot be read."""
    try:
        return read_factor_file(copy, name=copy.stem, units="decimal", source=f"{copy} (restored copy)")
    except (XLFactorError, OSError) as exc:
        warnings.warn(
            f"xlfactor: could not restore registered factors {copy.stem!r}: {exc}", RuntimeWarning, stacklevel=2
        )
        return None


def _restore_user_copies(conn: sqlite3.Connection) -> None:
    """Store every readable copy under ``user_factors/`` (after a rebuild or in the fallback)."""
    folder = _user_dir()
    try:
        copies = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    except OSError:
        copies = []
    rows = [record.row() for record in map(_user_copy_record, copies) if record is not None]
    if rows:
        with _transaction(conn):
            for row in rows:
                _insert(conn, row, "REPLACE")
