"""Cache and data-folder faults (issue 10): a damaged payload, a cache that cannot be used,
a dropped table, a file-size limit, the data folder deleted while in use.

Each fault is made for real: bytes flipped in the SQLite file, a read-only folder
(in a child process without the capability that lets root ignore permissions), a
folder where the file should be, ``DROP TABLE`` from another connection,
``RLIMIT_FSIZE`` in a child process, ``shutil.rmtree`` of the live folder.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from xlfactor.cli import main
from xlfactor.data import factor_info, load_factors, refresh_factors, register_factors, reset_state
from xlfactor.data.catalog import DATASETS
from xlfactor.data.records import snapshot_record
from xlfactor.errors import XLFactorError

ROOT = Path(__file__).resolve().parents[2]


def _user_file(folder: Path) -> Path:
    path = folder / "mine.csv"
    path.write_text("date,F1\n2020-01-31,1\n2020-02-29,-2\n2020-03-31,0.5\n")
    return path


def _flip_payload_bytes(db: Path, name: str) -> None:
    """Flip 8 bytes inside the stored compressed frame of ``name``, in the file itself."""
    reset_state()  # closes this process's connection (the WAL is checkpointed into the file)
    conn = sqlite3.connect(db)
    payload = conn.execute("SELECT payload FROM datasets WHERE name = ?", (name,)).fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    start = len(payload) // 3
    probe = payload[start : start + min(64, start)]
    at = data.find(probe)
    assert len(probe) >= 16 and at > 0 and data.find(probe, at + 1) == -1
    for k in range(8):
        data[at + 4 + k] ^= 0xFF
    db.write_bytes(data)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"  # SQLite's own check does not see it
    conn.close()


def test_damaged_payload_is_quarantined_and_rebuilt_from_the_snapshot(data_dir, capsys):
    expected = snapshot_record(DATASETS["ff3_monthly"]).frame
    _flip_payload_bytes(data_dir / "xlfactor.sqlite", "ff3_monthly")
    with pytest.warns(RuntimeWarning, match="'ff3_monthly' were damaged .* quarantined and replaced by the shipped"):
        frame = load_factors("FF3", "M")
    pd.testing.assert_frame_equal(frame, expected[["Mkt-RF", "SMB", "HML", "RF"]], check_freq=False)
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "quarantined: ff3_monthly at " in out and "do not match their checksum" in out
    conn = sqlite3.connect(data_dir / "xlfactor.sqlite")
    assert conn.execute("SELECT name FROM quarantine").fetchall() == [("ff3_monthly",)]
    conn.close()


def test_info_finds_a_damaged_payload_before_anything_reads_it(data_dir, capsys):
    _flip_payload_bytes(data_dir / "xlfactor.sqlite", "ff5_daily")
    assert main(["info"]) == 0
    assert "quarantined: ff5_daily" in capsys.readouterr().out
    reset_state()
    assert len(load_factors("FF5", "D")) == 15709  # the snapshot copy, read without any warning


def test_refresh_does_not_call_a_damaged_entry_unchanged(french_server, data_dir):
    french_server.serve_folder("current")
    refresh_factors("FF3", "M")
    good = load_factors("FF3", "M")
    _flip_payload_bytes(data_dir / "xlfactor.sqlite", "ff3_monthly")
    with pytest.warns(RuntimeWarning, match="'ff3_monthly' were damaged"):
        report = refresh_factors("FF3", "M")  # the server would answer 304 to the stored ETag
    assert [(r.dataset, r.status) for r in report.results] == [("ff3_monthly", "updated")]
    pd.testing.assert_frame_equal(load_factors("FF3", "M"), good)
    assert factor_info("FF3", "M")["origin"] == "download"


def test_damaged_user_set_is_restored_from_its_saved_copy(data_dir):
    register_factors("MINE", _user_file(data_dir.parent))
    _flip_payload_bytes(data_dir / "xlfactor.sqlite", "MINE")
    with pytest.warns(RuntimeWarning, match="replaced by its saved copy user_factors/MINE.csv"):
        assert load_factors("MINE", "M")["F1"].tolist() == [0.01, -0.02, 0.005]


def _assert_reads_from_snapshot_and_writes_refused(data_dir: Path, capsys) -> None:
    with pytest.warns(RuntimeWarning, match="cannot use the factor data cache .* Fix: set XLFACTOR_DATA_DIR"):
        frame = load_factors("FF3", "M")
    pd.testing.assert_frame_equal(frame, snapshot_record(DATASETS["ff3_monthly"]).frame, check_freq=False)
    with pytest.raises(XLFactorError, match="^XLFACTOR_DATA_DIR: cannot store factor data: the cache"):
        register_factors("OTHER", _user_file(data_dir.parent))
    assert main(["refresh", "--model", "CAPM", "--freq", "M"]) == 2
    assert main(["info"]) == 1
    out, err = capsys.readouterr()
    assert "error: XLFACTOR_DATA_DIR: cannot store factor data" in err and "Traceback" not in err
    assert "problem: the cache cannot be used" in out and "ff3_monthly" in out


def test_cache_file_that_is_a_folder(data_dir, capsys):
    (data_dir / "xlfactor.sqlite").unlink()
    (data_dir / "xlfactor.sqlite").mkdir()
    _assert_reads_from_snapshot_and_writes_refused(data_dir, capsys)
    assert (data_dir / "xlfactor.sqlite").is_dir()  # not ours to delete


def test_dropped_table_is_rebuilt_with_the_registered_files(data_dir):
    register_factors("MINE", _user_file(data_dir.parent))
    before = load_factors("FF5", "M")
    other = sqlite3.connect(data_dir / "xlfactor.sqlite")  # this process's connection stays open
    other.execute("DROP TABLE datasets")
    other.close()
    with pytest.warns(RuntimeWarning, match="could not be read .*no such table.* rebuilt from the shipped snapshot"):
        pd.testing.assert_frame_equal(load_factors("FF5", "M"), before)
    assert load_factors("MINE", "M")["F1"].tolist() == [0.01, -0.02, 0.005]


_CHILD = textwrap.dedent(
    """
    import json, sys, warnings
    import xlfactor as xf
    from xlfactor.cli import main
    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = xf.load_factors("FF3", "M")
    out["rows"], out["warnings"] = len(frame), [str(w.message) for w in caught]
    try:
        xf.register_factors("MINE", sys.argv[1])
        out["register"] = "stored"
    except xf.XLFactorError as exc:
        out["register"] = str(exc)
    out["refresh"] = main(["refresh", "--model", "CAPM", "--freq", "M", "--retries", "0"])
    out["info"] = main(["info"])
    print("RESULT " + json.dumps(out))
    """
)


def _run_child(data_folder: Path, user_file: Path, preexec) -> dict:
    env = {
        **os.environ,
        "XLFACTOR_DATA_DIR": str(data_folder),
        "XLFACTOR_FRENCH_BASE_URL": "http://127.0.0.1:9/",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(user_file)],
        env=env,
        preexec_fn=preexec,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in child.stderr, child.stderr
    line = next(line for line in child.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["rows"] == 1193  # reads work: the snapshot's FF3 monthly
    assert any("Fix: set XLFACTOR_DATA_DIR" in w for w in result["warnings"]), result["warnings"]
    assert result["register"].startswith("XLFACTOR_DATA_DIR: "), result["register"]
    assert result["refresh"] == 2 and "error: XLFACTOR_DATA_DIR: cannot store factor data" in child.stderr
    assert result["info"] == 1 and "problem: the cache cannot be used" in child.stdout
    return result


def _without_permission_override() -> None:
    """In the child: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so even root obeys file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # PR_CAPBSET_DROP = 24
        if os.geteuid() == 0 and libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_read_only_data_folder(seeded_template):
    top = Path(tempfile.mkdtemp(prefix="xlfactor-ro-"))
    try:
        folder = top / "data"
        folder.mkdir()
        shutil.copy(seeded_template / "xlfactor.sqlite", folder / "xlfactor.sqlite")
        user_file = _user_file(top)
        os.chmod(folder / "xlfactor.sqlite", 0o444)
        os.chmod(folder, 0o555)
        _run_child(folder, user_file, _without_permission_override)
        assert sorted(p.name for p in folder.iterdir()) == ["xlfactor.sqlite"]
    finally:
        os.chmod(top / "data", 0o755)
        shutil.rmtree(top)


def test_file_size_limit(tmp_path):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))  # the seeded cache is ~700 kB

    _run_child(tmp_path / "data", _user_file(tmp_path), limit)


_LOAD_CHILD = textwrap.dedent(
    """
    import json
    import xlfactor as xf
    print(json.dumps({name: xf.load_factors(name, "M").iloc[:, 0].tolist() for name in ("MINE", "LATER")}
                     | {"ff5": xf.factor_info("FF5", "M")["origin"]}))
    """
)


def test_data_folder_deleted_while_in_use(french_server, data_dir):
    french_server.serve_folder("current")
    register_factors("MINE", _user_file(data_dir.parent))
    refresh_factors("FF5", "M")
    shutil.rmtree(data_dir)  # another program (or the user) deletes the folder; this process goes on
    later = data_dir.parent / "later.csv"
    later.write_text("date,G\n2021-01-31,3\n2021-02-28,-1\n")
    with pytest.warns(
        RuntimeWarning,
        match=r"deleted or replaced while in use; .* 1 registered factor set\(s\) and "
        r"1 downloaded dataset\(s\)",
    ):
        register_factors("LATER", later)
    assert sorted(p.name for p in (data_dir / "user_factors").iterdir()) == ["LATER.csv", "MINE.csv"]
    child = subprocess.run(
        [sys.executable, "-c", _LOAD_CHILD], env=dict(os.environ), capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == {"MINE": [0.01, -0.02, 0.005], "LATER": [0.03, -0.01], "ff5": "download"}


def test_refresh_after_the_data_folder_was_deleted_is_stored(french_server, data_dir):
    french_server.serve_folder("current")
    register_factors("MINE", _user_file(data_dir.parent))
    shutil.rmtree(data_dir)
    with pytest.warns(RuntimeWarning, match="deleted or replaced while in use"):
        report = refresh_factors("FF5", "M")
    assert report.ok
    reset_state()  # as a new process would
    assert factor_info("FF5", "M")["origin"] == "download"
    assert load_factors("MINE", "M")["F1"].tolist() == [0.01, -0.02, 0.005]


def test_cache_file_deleted_between_runs_gets_the_registered_files_back(data_dir):
    register_factors("MINE", _user_file(data_dir.parent))
    reset_state()  # the process ends
    (data_dir / "xlfactor.sqlite").unlink()
    assert load_factors("MINE", "M")["F1"].tolist() == [0.01, -0.02, 0.005]


_BIG_WRITE_CHILD = textwrap.dedent(
    """
    import sys
    import xlfactor as xf
    try:
        xf.register_factors("BIG", sys.argv[1])
        print("stored")
    except xf.XLFactorError as exc:
        print(exc)
    print(len(xf.load_factors("FF5", "M")), "BIG" in xf.available_models())
    report = xf.refresh_factors("FF5", "D", retries=0)
    print(report.results[0].status, report.results[0].message)
    """
)


def test_file_size_limit_hit_by_a_write_to_an_existing_cache(french_server, data_dir, tmp_path):
    """The cache opens and reads; registering a 15,000-row file, or storing the refreshed daily
    five factors, needs more than the limit: both are refused with the fix, nothing is half-stored."""
    french_server.serve_folder("current")
    big = (load_factors("FF6", "D") * 100).round(2).rename_axis("date")
    big.to_csv(tmp_path / "big.csv", date_format="%Y-%m-%d")
    reset_state()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    child = subprocess.run(
        [sys.executable, "-c", _BIG_WRITE_CHILD, str(tmp_path / "big.csv")],
        env=dict(os.environ),
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in child.stderr, child.stderr
    message, reads, refreshed = child.stdout.splitlines()
    assert (
        message.startswith("XLFACTOR_DATA_DIR: could not ") and "set XLFACTOR_DATA_DIR to a writable folder" in message
    )
    assert reads == "749 False"
    assert list((data_dir / "user_factors").iterdir()) == []  # no copy of a registration that failed
    assert refreshed.startswith("failed could not store the new copy (XLFACTOR_DATA_DIR: could not store factor data")
    assert factor_info("FF5", "D")["origin"] == "snapshot"


def test_a_cache_locked_past_the_busy_timeout_is_reported_as_busy_not_broken(data_dir, monkeypatch):
    from xlfactor.data import cache

    monkeypatch.setattr(cache, "_BUSY_TIMEOUT_MS", 200)  # 60 s in use; short here
    reset_state()
    path = _user_file(data_dir.parent)
    other = sqlite3.connect(data_dir / "xlfactor.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    with pytest.raises(XLFactorError, match="stayed locked by another process .* try again when it has finished"):
        register_factors("MINE", path)
    assert len(load_factors("FF3", "M")) == 1193  # readers are never blocked (WAL), and no fallback was taken
    other.execute("COMMIT")
    other.close()
    register_factors("MINE", path)
    assert cache.unusable_reason() is None and load_factors("MINE", "M")["F1"].tolist() == [0.01, -0.02, 0.005]
