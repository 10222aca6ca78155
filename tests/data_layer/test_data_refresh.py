"""refresh_factors against a real HTTP server on 127.0.0.1 serving zips of the shipped files.

Every failure case checks three things: the dataset is reported "failed" with a
message saying what happened, a RuntimeWarning says so too, and load_factors
returns exactly the frame it returned before the refresh.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from french_files import french_bytes
from french_server import Route, make_zip

from xlfactor.data import factor_info, load_factors, refresh_factors, stored_datasets
from xlfactor.data.catalog import US_DATASETS
from xlfactor.data.french import parse_french_csv
from xlfactor.data.records import snapshot_record
from xlfactor.data.validate import MAX_REVISION, ValidationError, check_against_stored
from xlfactor.errors import XLFactorError

FF3M = US_DATASETS["ff3_monthly"]


def _block(name: str, block: str, folder: str = "current") -> pd.DataFrame:
    return parse_french_csv(french_bytes(name, folder).decode("ascii")).block(block).data


def test_normal_refresh_stores_the_served_files(french_server):
    french_server.serve_folder("current")
    before = load_factors("FF5", "D")
    assert factor_info("FF5", "D")["origin"] == "snapshot"
    progress = []
    report = refresh_factors(progress=lambda *a: progress.append(a))

    status = {r.dataset: r.status for r in report.results}
    # the current momentum monthly file is byte-identical to the 202511 snapshot (SOURCES.md)
    assert status == {d: "updated" for d in US_DATASETS} | {"mom_monthly": "unchanged"}
    assert report.ok and progress[-1] == ("mom_daily", 6, 6)
    expected = _block("F-F_Research_Data_5_Factors_2x3_daily.csv", "daily")
    after = load_factors("FF5", "D")
    pd.testing.assert_frame_equal(after, expected, check_freq=False)
    assert len(after) == 15751 and len(before) == 15709
    mom = _block("F-F_Momentum_Factor_daily.csv", "daily")["Mom"]
    ff6 = load_factors("FF6", "D")
    pd.testing.assert_series_equal(ff6["MOM"], mom.loc[ff6.index], check_names=False, check_freq=False)
    info = factor_info("FF5", "D")
    assert info["origin"] == "download" and info["vintage"] == "202601"
    assert "downloaded from http://127.0.0.1" in info["summary"]
    meta = info["datasets"][0]
    assert meta["etag"] == '"current-ff5_daily"' and len(meta["download_sha256"]) == 64
    # sha256 of the CSV equals the one SOURCES.md lists for the current FF5 daily file
    assert meta["sha256"] == "422a8811b3aa50050dbb10dab1dc578ee5787caf98bfca084ea364eddeffd950"
    table = stored_datasets().set_index("dataset")
    assert table.loc["ff5_daily", "origin"] == "download" and table.loc["mom_monthly", "origin"] == "snapshot"


def test_not_modified_downloads_nothing(french_server):
    french_server.serve_folder("current")
    refresh_factors("FF3", "M")
    key_before = factor_info("FF3", "M")["data_key"]
    sent = french_server.bodies_sent()
    report = refresh_factors("FF3", "M")
    assert [(r.dataset, r.status, r.message) for r in report.results] == [
        ("ff3_monthly", "unchanged", "not modified (HTTP 304)")
    ]
    assert french_server.bodies_sent() == sent and french_server.log[-1][1] == 304
    assert factor_info("FF3", "M")["data_key"] == key_before


def _assert_failed_and_kept(french_server, route: Route, expected_message: str, **kwargs) -> None:
    """Serve ``route`` for the FF3 monthly zip; refresh must fail with the message and keep the data."""
    before = load_factors("FF3", "M")
    key = factor_info("FF3", "M")["data_key"]
    french_server.routes[FF3M.zip_name] = route
    with pytest.warns(RuntimeWarning, match="ff3_monthly"):
        report = refresh_factors("FF3", "M", **kwargs)
    (result,) = report.results
    assert result.status == "failed" and not report.ok
    assert expected_message in result.message, result.message
    pd.testing.assert_frame_equal(load_factors("FF3", "M"), before)
    assert factor_info("FF3", "M")["data_key"] == key
    assert factor_info("FF3", "M")["origin"] == "snapshot"


def test_http_500_is_retried_then_reported(french_server):
    _assert_failed_and_kept(french_server, Route(b"boom", status=500), "HTTP 500", retries=2, backoff=0.01)
    assert [s for _, s in french_server.log] == [500, 500, 500]


def test_timeout(french_server):
    good = make_zip({FF3M.file: french_bytes(FF3M.file)})
    _assert_failed_and_kept(french_server, Route(good, delay=1.5), "timed out after 0.3 s", timeout=0.3, retries=0)


def test_html_page_instead_of_zip(french_server):
    page = b"<!DOCTYPE html><html><body>Page moved</body></html>"
    _assert_failed_and_kept(french_server, Route(page, content_type="text/html"), "HTML page, not a zip")


def test_truncated_zip(french_server):
    whole = make_zip({FF3M.file: french_bytes(FF3M.file)})
    _assert_failed_and_kept(french_server, Route(whole[: len(whole) // 2]), "not a valid zip file")


def test_zip_with_two_members(french_server):
    body = make_zip({FF3M.file: french_bytes(FF3M.file), "readme.txt": b"hello"})
    _assert_failed_and_kept(french_server, Route(body), "holds 2 members")


def test_zip_member_with_parent_path(french_server):
    body = make_zip({"../" + FF3M.file: french_bytes(FF3M.file)})
    _assert_failed_and_kept(french_server, Route(body), "has a path in it")


def test_csv_missing_its_monthly_block(french_server):
    text = french_bytes(FF3M.file).decode("ascii")
    cut = text.index(" Annual Factors")
    header_end = text.index("\n,") + 1
    without_monthly = text[:header_end] + text[cut:]  # keep the file header, drop the monthly block
    assert "monthly" not in [b.name for b in parse_french_csv(without_monthly).blocks]
    body = make_zip({FF3M.file: without_monthly.encode("ascii")})
    _assert_failed_and_kept(french_server, Route(body), "has no 'monthly' block")


def test_values_in_decimals_instead_of_percent_are_rejected(french_server):
    """A file whose numbers moved by more than a vintage revision explains is refused."""
    lines = french_bytes(FF3M.file).decode("ascii").split("\r\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(","))
    rows = []
    for line in lines[first + 1 :]:
        if not line.strip():
            break
        date, *vals = line.split(",")
        rows.append(",".join([date, *(f"{float(v) / 100:.4f}" for v in vals)]))
    text = "\r\n".join(lines[: first + 1] + rows + lines[first + 1 + len(rows) :])
    body = make_zip({FF3M.file: text.encode("ascii")})
    _assert_failed_and_kept(french_server, Route(body), "changed by 38.42 pp versus the stored copy")


def test_one_failure_does_not_block_the_others(french_server):
    french_server.serve_folder("current")
    french_server.routes[FF3M.zip_name] = Route(b"", status=404)
    with pytest.warns(RuntimeWarning, match="HTTP 404"):
        report = refresh_factors(["CAPM", "FF5"], "M", retries=3, backoff=0.01)
    assert {r.dataset: r.status for r in report.results} == {"ff3_monthly": "failed", "ff5_monthly": "updated"}
    assert [s for name, s in french_server.log if name == FF3M.zip_name] == [404]  # 4xx is not retried
    assert factor_info("CAPM", "M")["origin"] == "snapshot"
    assert factor_info("FF5", "M")["vintage"] == "202604"


def test_bad_arguments_raise():
    with pytest.raises(
        XLFactorError, match=r"models: 'FF7' is not a built-in model; built-in models are CAPM, FF3, FF5, FF6, CARHART4"
    ):
        refresh_factors("FF7")
    with pytest.raises(XLFactorError, match="freq: 'Q'"):
        refresh_factors("FF3", "Q")


@pytest.mark.parametrize("dataset", list(US_DATASETS.values()), ids=list(US_DATASETS))
def test_real_vintage_revisions_pass_the_revision_check(dataset):
    """Every real pair of vintages we have (202412 legacy -> 202511 snapshot -> current) is accepted."""
    snapshot = snapshot_record(dataset).frame
    current = _block(dataset.file, dataset.block).rename(columns=dict(dataset.rename))
    check_against_stored(current, snapshot)
    try:
        legacy = _block(dataset.file, dataset.block, "legacy_202412").rename(columns=dict(dataset.rename))
    except FileNotFoundError:  # no legacy copy of this file
        return
    check_against_stored(snapshot, legacy)


def test_shifted_dates_fail_the_revision_check():
    """Daily factors shifted by one day move every value by less than 3 pp but by ~1.4x their size."""
    snapshot = snapshot_record(US_DATASETS["ff5_daily"]).frame.loc["2017"]
    shifted = pd.DataFrame(snapshot.to_numpy()[1:], index=snapshot.index[:-1], columns=snapshot.columns)
    shifted.loc[snapshot.index[-1]] = snapshot.iloc[-1]
    assert (shifted - snapshot).abs().max().max() < MAX_REVISION
    with pytest.raises(ValidationError, match="of its typical size"):
        check_against_stored(shifted, snapshot)


@pytest.mark.parametrize("bad", ["not a url", "ftp://mba.tuck.dartmouth.edu/pages/", "file:///tmp/", "http://"])
def test_base_url_that_is_not_http_is_refused_before_any_download(monkeypatch, capsys, bad):
    from xlfactor.cli import main

    before = load_factors("FF3", "M")
    monkeypatch.setenv("XLFACTOR_FRENCH_BASE_URL", bad)
    with pytest.raises(XLFactorError, match=rf"^XLFACTOR_FRENCH_BASE_URL: '{re.escape(bad)}' is not an http\(s\) URL"):
        refresh_factors("FF3", "M")
    assert main(["refresh", "--model", "FF3", "--freq", "M"]) == 2
    assert "error: XLFACTOR_FRENCH_BASE_URL: " in capsys.readouterr().err
    pd.testing.assert_frame_equal(load_factors("FF3", "M"), before)
