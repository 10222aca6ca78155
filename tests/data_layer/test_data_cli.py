"""`xlfactor refresh` and `xlfactor info` through the data commands' own argparse wiring."""

from __future__ import annotations

import argparse
import re

from french_server import Route

from xlfactor.cli import data_commands
from xlfactor.data.catalog import US_DATASETS


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="xlfactor")
    data_commands.add_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_refresh_prints_the_report_and_exits_zero(french_server, capsys):
    french_server.serve_folder("current")
    assert _run(["refresh", "--model", "ff5", "--freq", "M"]) == 0
    out = capsys.readouterr()
    assert "ff5_monthly  updated    CRSP 202511 -> 202604, 749 -> 754 rows" in out.out
    assert "ff3" not in out.out
    assert "refresh" in out.err  # the tqdm bar writes to stderr


def test_refresh_exits_nonzero_when_a_dataset_fails(french_server, capsys):
    french_server.serve_folder("current")
    french_server.routes[US_DATASETS["mom_monthly"].zip_name] = Route(b"<html>moved</html>")
    assert _run(["refresh", "--model", "FF6", "--freq", "M"]) == 1
    out = capsys.readouterr().out
    assert "mom_monthly  failed     the server sent an HTML page" in out
    assert "ff5_monthly  updated" in out


def test_info_shows_what_is_stored(capsys):
    assert _run(["info"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[1].split()
    assert header == ["dataset", "origin", "vintage", "first", "last", "rows", "fetched"]
    rows = [line.split()[:6] for line in out.splitlines()[2:]]
    assert ["ff5_daily", "snapshot", "202511", "1963-07-01", "2025-11-28", "15709"] in rows
    assert len([r for r in rows if r and r[0] in US_DATASETS]) == 6


def test_refresh_fetches_another_library_by_model_name(library_server, capsys):
    from xlfactor.data import load_factors

    assert _run(["refresh", "--model", "q5", "--freq", "M"]) == 0
    out = capsys.readouterr().out
    assert "q5_monthly  updated    first download: global-q 2019, 636 rows" in out and "ff3" not in out
    assert len(load_factors("Q5", "M")) == 636
    models = ["--model", "AQR4", "--model", "SY4", "--model", "DHS3", "--model", "BS6"]
    assert _run(["refresh", *models, "--freq", "M"]) == 0
    out = capsys.readouterr().out
    for dataset in ("aqr_hmld_monthly", "sy4_monthly", "dhs_monthly"):
        assert re.search(rf"^{dataset} +updated +first download", out, re.M)
    assert _run(["refresh", "--model", "SY4"]) == 1  # SY4 is published daily too; this mirror has no M4d.csv
    assert re.search(r"^sy4_daily +failed +download of http://127\.0\.0\.1", capsys.readouterr().out, re.M)
