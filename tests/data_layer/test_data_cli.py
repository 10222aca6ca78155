"""`xlfactor refresh` and `xlfactor info` through the data commands' own argparse wiring."""

from __future__ import annotations

import argparse

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
