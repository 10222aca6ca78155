"""Refresh faults (issue 10): a slow-drip server against the whole-download deadline, bad
``--timeout`` values, and history revised under an unchanged CRSP vintage or ratcheted
over several refreshes. All against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from french_server import Route, make_zip

from xlfactor.cli import main
from xlfactor.data import factor_info, load_factors, refresh_factors
from xlfactor.data.catalog import DATASETS
from xlfactor.data.snapshot import read_snapshot_bytes
from xlfactor.errors import XLFactorError

FF3M = DATASETS["ff3_monthly"]
FF5M = DATASETS["ff5_monthly"]  # from 1963: HML x1.15 moves no value by 3 pp


def _revised(vintage: str, change) -> bytes:
    """The shipped FF5 monthly file with its monthly block changed by ``change(frame) -> frame``
    (percent, printed with two decimals as French does) and its vintage line set to ``vintage``."""
    text = read_snapshot_bytes(FF5M.file).decode("ascii")
    lines = text.split("\r\n")
    head = next(i for i, line in enumerate(lines) if line.startswith(","))
    end = next(i for i in range(head + 1, len(lines)) if not lines[i].strip())
    columns = lines[head].split(",")[1:]
    dates = [line.split(",")[0] for line in lines[head + 1 : end]]
    values = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[head + 1 : end]])
    frame = change(pd.DataFrame(values, index=dates, columns=columns))
    rows = [d + "," + ",".join(f"{v:7.2f}" for v in row) for d, row in zip(frame.index, frame.to_numpy(), strict=True)]
    out = "\r\n".join(lines[: head + 1] + rows + lines[end:])
    return make_zip({FF5M.file: out.replace("202511 CRSP database", f"{vintage} CRSP database").encode("ascii")})


def _scale(column: str, factor: float):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = frame[column] * factor
        return frame

    return change


def _serve(french_server, body: bytes) -> None:
    french_server.routes[FF5M.zip_name] = Route(body)


def test_slow_drip_server_cannot_hold_refresh_past_its_timeout(french_server, capsys):
    """1 byte every 0.5 s: each read returns in time, the download would take hours."""
    before = load_factors("FF3", "M")
    french_server.routes[FF3M.zip_name] = Route(make_zip({FF3M.file: read_snapshot_bytes(FF3M.file)}), drip=0.5)
    codes = []
    argv = ["refresh", "--model", "CAPM", "--freq", "M", "--timeout", "2", "--retries", "0"]
    worker = threading.Thread(target=lambda: codes.append(main(argv)), daemon=True)
    worker.start()
    worker.join(timeout=60)  # bounds the test; the deadline ends the refresh after about 2 s
    assert not worker.is_alive(), "refresh still running 60 s after a 2 s timeout"
    assert codes == [1]
    out = capsys.readouterr().out
    assert "ff3_monthly  failed" in out and "did not finish within 2 s (the server sends too slowly)" in out
    pd.testing.assert_frame_equal(load_factors("FF3", "M"), before)


@pytest.mark.parametrize("bad", ["-1", "0", "abc", "nan", "inf"])
def test_bad_timeout_on_the_command_line(french_server, capsys, bad):
    with pytest.raises(SystemExit) as exit_:
        main(["refresh", "--timeout", bad])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --timeout: '{bad}' is not a number of seconds above 0; use e.g. --timeout 30" in err
    assert french_server.log == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": -1}, "timeout: expected a number of seconds above 0, such as 30, got -1"),
        ({"timeout": float("inf")}, "timeout: expected a number of seconds above 0"),
        ({"timeout": "30"}, "timeout: expected a number of seconds above 0"),
        ({"retries": -1}, "retries: expected a whole number from 0 to 10, got -1"),
        ({"backoff": -0.5}, "backoff: expected a number of seconds >= 0"),
    ],
)
def test_bad_refresh_arguments_raise_before_any_download(french_server, kwargs, message):
    french_server.serve_folder("current")
    with pytest.raises(XLFactorError, match=f"^{message}"):
        refresh_factors("CAPM", "M", **kwargs)
    assert french_server.log == []


def _refused(french_server, body: bytes, message: str) -> None:
    before = load_factors("FF5", "M")
    _serve(french_server, body)
    with pytest.warns(RuntimeWarning, match="ff5_monthly"):
        report = refresh_factors("FF5", "M")
    (result,) = report.results
    assert result.status == "failed" and message in result.message, result.message
    pd.testing.assert_frame_equal(load_factors("FF5", "M"), before)


def test_hml_scaled_under_the_same_vintage_is_refused(french_server):
    _refused(
        french_server,
        _revised("202511", _scale("HML", 1.15)),
        "although the CRSP vintage (202511) is unchanged; a revision without a new vintage is refused",
    )


def test_smb_last_120_months_moved_under_the_same_vintage_is_refused(french_server):
    def shift(frame: pd.DataFrame) -> pd.DataFrame:
        frame.iloc[-120:, frame.columns.get_loc("SMB")] += 2.5
        return frame

    _refused(french_server, _revised("202511", shift), "(120 values moved) although the CRSP vintage (202511)")


def test_rounding_under_the_same_vintage_is_accepted(french_server):
    """One unit in the last printed digit (0.01 pp) is what re-rounding can change."""

    def nudge(frame: pd.DataFrame) -> pd.DataFrame:
        frame.iloc[::7, frame.columns.get_loc("HML")] += 0.01
        return frame

    _serve(french_server, _revised("202511", nudge))
    (result,) = refresh_factors("FF5", "M").results
    assert result.status == "updated", result.message


def test_revisions_cannot_ratchet_over_refreshes(french_server):
    """HML x1.15 per refresh, each with a new vintage: the first step is a plausible revision of
    the stored copy, the next are measured against the shipped snapshot as well and refused."""
    snapshot_hml = load_factors("FF5", "M")["HML"]
    _serve(french_server, _revised("202512", _scale("HML", 1.15)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        (result,) = refresh_factors("FF5", "M").results
    outcomes = [(result.status, result.message)]
    for step, vintage in [(2, "202601"), (3, "202602")]:
        _serve(french_server, _revised(vintage, _scale("HML", 1.15**step)))
        with pytest.warns(RuntimeWarning, match="ff5_monthly"):
            (result,) = refresh_factors("FF5", "M").results
        outcomes.append((result.status, result.message))
    assert [status for status, _ in outcomes] == ["updated", "failed", "failed"]
    # step 2 moves HML by at most 2.4 pp against the stored copy (x1.15 again), 4.5 pp against the snapshot
    assert "HML on 2020-03-31 changed by 4.46 pp versus the shipped snapshot" in outcomes[1][1]
    ratio = (load_factors("FF5", "M")["HML"] / snapshot_hml)[snapshot_hml.abs() > 0.01]
    assert ratio.between(1.13, 1.17).all()  # one step of x1.15 at most (two-decimal rounding)
    assert factor_info("FF5", "M")["vintage"] == "202512"


def test_an_older_vintage_does_not_replace_a_newer_one(french_server):
    """A mirror serving the 202410 file (same numbers) after 202511 is stored: refused, the stored copy kept."""
    _refused(
        french_server,
        _revised("202410", lambda frame: frame),
        "the new file's vintage 202410 is older than that of the stored copy (202511); an older vintage does not "
        "replace a newer one",
    )
    assert factor_info("FF5", "M")["vintage"] == "202511"
