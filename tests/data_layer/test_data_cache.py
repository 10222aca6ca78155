"""The SQLite cache: first-use seeding without network, WAL mode, stored metadata,
corruption recovery, and two processes refreshing at once."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from french_files import french_bytes

from xlfactor.data import data_vintage, factor_info, load_factors, register_factors, reset_state
from xlfactor.data.catalog import US_DATASETS
from xlfactor.data.frame_codec import decode_frame
from xlfactor.data.french import parse_french_csv
from xlfactor.data.snapshot import read_snapshot_bytes


def _snapshot_block(file: str, block: str) -> pd.DataFrame:
    return parse_french_csv(read_snapshot_bytes(file).decode("ascii")).block(block).data


def test_first_use_seeds_from_the_snapshot_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("XLFACTOR_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.setenv("XLFACTOR_FRENCH_BASE_URL", "http://127.0.0.1:9/")  # nothing listens: no network used
    frame = load_factors("FF5", "D")
    expected = _snapshot_block("F-F_Research_Data_5_Factors_2x3_daily.csv", "daily")
    pd.testing.assert_frame_equal(frame, expected)
    info = factor_info("FF5", "D")
    assert info["origin"] == "snapshot" and info["vintage"] == "202511"
    assert "snapshot shipped with xlfactor" in info["summary"] and "CRSP vintage 202511" in info["summary"]
    # sha256 of the shipped file equals SOURCES.md's vintage_202511 entry
    assert info["datasets"][0]["sha256"] == "df7571de1d7d6427fc61314674501eae7da41d47b5b02268a0417539777ba039"
    conn = sqlite3.connect(tmp_path / "fresh" / "xlfactor.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = conn.execute("SELECT name, origin, vintage, rows, first_date, last_date FROM datasets").fetchall()
    assert sorted(rows) == sorted(
        [
            ("ff3_daily", "snapshot", "202511", 26129, "1926-07-01", "2025-11-28"),
            ("ff3_monthly", "snapshot", "202511", 1193, "1926-07-31", "2025-11-30"),
            ("ff5_daily", "snapshot", "202511", 15709, "1963-07-01", "2025-11-28"),
            ("ff5_monthly", "snapshot", "202511", 749, "1963-07-31", "2025-11-30"),
            ("mom_daily", "snapshot", "202511", 26028, "1926-11-03", "2025-11-28"),
            ("mom_monthly", "snapshot", "202511", 1187, "1927-01-31", "2025-11-30"),
            # Developed and Europe: Bloomberg 202101 daily files; months compounded from them
            ("ff5_dev_daily", "snapshot", "202101", 7980, "1990-07-02", "2021-01-29"),
            ("ff5_dev_monthly", "snapshot", "202101", 367, "1990-07-31", "2021-01-31"),
            ("ff5_eur_daily", "snapshot", "202101", 7980, "1990-07-02", "2021-01-29"),
            ("ff5_eur_monthly", "snapshot", "202101", 367, "1990-07-31", "2021-01-31"),
            ("mom_dev_daily", "snapshot", "202101", 7892, "1990-11-01", "2021-01-29"),
            ("mom_dev_monthly", "snapshot", "202101", 363, "1990-11-30", "2021-01-31"),
            ("mom_eur_daily", "snapshot", "202101", 7892, "1990-11-01", "2021-01-29"),
            ("mom_eur_monthly", "snapshot", "202101", 363, "1990-11-30", "2021-01-31"),
        ]
    )
    conn.close()


def _corrupt_and_reload(data_dir, damage) -> None:
    before = load_factors("FF3", "M")
    register_factors("MINE", _user_file(data_dir.parent), units="percent")
    reset_state()  # the file is about to be damaged from outside this process
    damage(data_dir / "xlfactor.sqlite")
    with pytest.warns(RuntimeWarning, match="could not be read .* rebuilt from the shipped snapshot"):
        after = load_factors("FF3", "M")
    pd.testing.assert_frame_equal(after, before)
    assert [p.name for p in data_dir.glob("xlfactor.sqlite.corrupt-*")], "the damaged file is kept aside"
    assert factor_info("FF3", "M")["origin"] == "snapshot"
    assert load_factors("MINE", "M")["F1"].tolist() == [0.01, -0.02, 0.005]  # restored from user_factors/


def _user_file(folder) -> str:
    path = folder / "mine.csv"
    path.write_text("date,F1\n2020-01-31,1\n2020-02-29,-2\n2020-03-31,0.5\n")
    return str(path)


def test_garbage_file_is_moved_aside_and_rebuilt(data_dir):
    _corrupt_and_reload(data_dir, lambda path: path.write_bytes(os.urandom(64 * 1024)))


def test_truncated_file_is_moved_aside_and_rebuilt(data_dir):
    def truncate(path):
        with open(path, "r+b") as fh:
            fh.truncate(os.path.getsize(path) // 3)

    _corrupt_and_reload(data_dir, truncate)


_REFRESH_CHILD = textwrap.dedent(
    """
    import sys, warnings
    from xlfactor.data import refresh_factors
    report = refresh_factors(timeout=20, retries=1, backoff=0.05)
    print(report)
    sys.exit(0 if report.ok else 1)
    """
)


def test_two_processes_refreshing_at_once_leave_one_consistent_copy(french_server, data_dir):
    french_server.serve_folder("current")
    for route in french_server.routes.values():
        route.delay = 0.2  # both processes are downloading at the same time
    env = dict(os.environ)
    children = [
        subprocess.Popen([sys.executable, "-c", _REFRESH_CHILD], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    assert french_server.bodies_sent() == 12  # each process downloaded all six files

    conn = sqlite3.connect(data_dir / "xlfactor.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT name, sha256, data_key, rows, payload, origin FROM datasets").fetchall()
    assert {row[0] for row in stored if row[5] == "download"} == set(US_DATASETS) - {"mom_monthly"}  # same bytes
    for name, sha, data_key, rows, payload, _ in (row for row in stored if row[0] in US_DATASETS):
        dataset = US_DATASETS[name]
        assert sha == hashlib.sha256(french_bytes(dataset.file)).hexdigest()
        assert data_key == hashlib.sha256(payload).hexdigest() and len(decode_frame(payload)) == rows
    conn.close()
    expected = parse_french_csv(french_bytes(US_DATASETS["ff5_daily"].file).decode()).block("daily").data
    pd.testing.assert_frame_equal(load_factors("FF5", "D"), expected)


def test_data_vintage_changes_only_when_the_data_change(french_server):
    key = data_vintage("FF6", "W")
    assert key.startswith("FF6/W:202511-") and data_vintage("ff6", "w") == key
    french_server.serve_folder("current")
    from xlfactor.data import refresh_factors

    refresh_factors("FF6", "M")  # monthly files only: the weekly (daily-based) key stays
    assert data_vintage("FF6", "W") == key
    assert data_vintage("FF6", "M") != key
    refresh_factors("FF6", "D")
    new = data_vintage("FF6", "W")
    assert new != key and "202601" in new and "202604" in new


_REFRESH_FF5_MONTHLY = textwrap.dedent(
    """
    import sys
    from xlfactor.data import refresh_factors
    report = refresh_factors("FF5", "M", timeout=20, retries=1, backoff=0.05)
    sys.exit(0 if report.ok else 1)
    """
)


def test_a_refresh_by_another_process_is_seen_by_the_next_call(french_server, data_dir):
    """The vintage (and the data) this process reads change with the very next call after another process
    commits a refresh: same connection, no reset, no waiting."""
    before = data_vintage("FF5", "M")
    shipped = load_factors("FF5", "M")
    french_server.serve_folder("current")
    child = subprocess.run(
        [sys.executable, "-c", _REFRESH_FF5_MONTHLY], env=dict(os.environ), capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    after = data_vintage("FF5", "M")
    assert after != before and after.startswith("FF5/M:202604-")
    expected = parse_french_csv(french_bytes(US_DATASETS["ff5_monthly"].file).decode()).block("monthly").data
    refreshed = load_factors("FF5", "M")
    pd.testing.assert_frame_equal(refreshed, expected)
    assert not refreshed.equals(shipped)
    assert data_vintage("FF5", "M") == after  # and stays put while nothing changes


_REGISTER_ON_REQUEST = textwrap.dedent(
    """
    import sys
    from xlfactor.data import register_factors
    for line in sys.stdin:  # one path per line: register it, then say so
        register_factors("Alternating", line.strip())
        print("done", flush=True)
    """
)


def test_commits_by_another_process_in_quick_succession_are_each_seen_at_once(data_dir, tmp_path):
    """Another process stores two factor files of the same size in turn, as fast as it can: after each
    commit, the very next ``data_vintage`` and ``load_factors`` of this process give that file's numbers
    (the change is seen by SQLite's own commit counter, not by file sizes or times, which can repeat)."""
    base = load_factors("FF3", "M").loc["2001-01":"2020-12"].drop(columns="RF")
    paths = []
    for k, frame in enumerate((base, base[::-1].set_axis(base.index))):  # same numbers, another order: same size
        out = (frame * 100).round(4)
        out.index = out.index.strftime("%Y-%m-%d")
        paths.append(tmp_path / f"alternating_{k}.csv")
        out.to_csv(paths[-1], index_label="Date")
    assert paths[0].stat().st_size == paths[1].stat().st_size
    child = subprocess.Popen(
        [sys.executable, "-c", _REGISTER_ON_REQUEST],
        env=dict(os.environ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    seen: dict[int, str] = {}
    try:
        for step in range(8):
            which = step % 2
            child.stdin.write(f"{paths[which]}\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "done"
            vintage = data_vintage("Alternating", "M")
            stored = load_factors("Alternating", "M")
            expected = (pd.read_csv(paths[which], index_col=0).to_numpy()) / 100
            np.testing.assert_allclose(stored.to_numpy(), expected, rtol=0, atol=1e-15)
            assert seen.setdefault(which, vintage) == vintage  # the same numbers give the same vintage
            if step:
                assert vintage != seen[1 - which]  # and the other file's another
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert child.returncode == 0
