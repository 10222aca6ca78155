"""parse_french_csv over every shipped French file, checked against SOURCES.md and the raw text.

Files: tests/data/french/current (main set), tests/data/french/legacy_202412
(pre-2025 format), tests/data/french/international_202101 (Developed and Europe,
Bloomberg 202101: WML column, dates padded with spaces) and the package snapshot
(the vintage_202511 set, the same four international files, the 12 industries).
The expected block names, row counts and date ranges are read from
tests/data/french/SOURCES.md ("Blocks:" lists), not copied by hand.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pytest

from xlfactor.data.french import parse_french_csv
from xlfactor.data.snapshot import read_snapshot_bytes, snapshot_files
from xlfactor.errors import XLFactorError

FRENCH = Path(__file__).parent / "data" / "french"
SOURCES = (FRENCH / "SOURCES.md").read_text()
_SECTION = re.compile(r"^### `(?:(vintage_202511|legacy_202412|international_202101)/)?([^`]+)`$", re.M)
_BLOCK = re.compile(r"^  - (.+?)(?: \([^)]*\))?: (\d+) rows \((\S+) \.\. (\S+)\)$", re.M)
_SHA = re.compile(r"sha256 `([0-9a-f]{64})`")


def _sources() -> dict[tuple[str, str], dict]:
    """{(folder, file name): {"sha256": ..., "blocks": [(name, rows, first, last), ...]}} from SOURCES.md."""
    out = {}
    matches = list(_SECTION.finditer(SOURCES))
    for k, match in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else SOURCES.index("## Format notes")
        body = SOURCES[match.end() : end]
        folder = match.group(1) or "current"
        blocks = [(m[0], int(m[1]), m[2], m[3]) for m in _BLOCK.findall(body)]
        out[(folder, match.group(2))] = {"sha256": _SHA.search(body).group(1), "blocks": blocks}
    return out


EXPECTED = _sources()


def _raw(folder: str, name: str) -> bytes:
    """Original bytes; the 12-industry file of the main set lives only in the package snapshot."""
    if folder == "vintage_202511" or (folder, name) == ("current", "12_Industry_Portfolios.csv"):
        return read_snapshot_bytes(name)
    return gzip.decompress((FRENCH / folder / f"{name}.gz").read_bytes())


def test_every_shipped_file_is_listed_in_sources_md():
    shipped = {("current", p.name[:-3]) for p in (FRENCH / "current").glob("*.gz")}
    shipped |= {("legacy_202412", p.name[:-3]) for p in (FRENCH / "legacy_202412").glob("*.gz")}
    international = {("international_202101", p.name[:-3]) for p in (FRENCH / "international_202101").glob("*.gz")}
    snapshot = {("vintage_202511", n) for n in snapshot_files()} - {("vintage_202511", n) for _, n in international}
    snapshot = snapshot - {("vintage_202511", "12_Industry_Portfolios.csv")} | {
        ("current", "12_Industry_Portfolios.csv")
    }
    assert shipped | international | snapshot == set(EXPECTED)
    assert len(EXPECTED) == 10 + 6 + 5 + 4
    for _, name in international:  # the package ships the same bytes as the test copy
        assert read_snapshot_bytes(name) == _raw("international_202101", name)


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}/{k[1]}")
def test_blocks_and_row_counts_match_sources_md(key):
    raw = _raw(*key)
    assert hashlib.sha256(raw).hexdigest() == EXPECTED[key]["sha256"]
    parsed = parse_french_csv(raw.decode("ascii"))
    got = []
    for block in parsed.blocks:
        width = {"D": "%Y-%m-%d", "M": "%Y-%m", "A": "%Y"}[block.freq]
        idx = block.data.index
        got.append((block.name, len(idx), idx[0].strftime(width), idx[-1].strftime(width)))
    assert got == EXPECTED[key]["blocks"]
    vintage = re.search(r"(CRSP|Bloomberg) vintage: (\d{6})", SOURCES[SOURCES.index(key[1]) :])
    assert parsed.database == vintage.group(1)
    assert parsed.vintage == (vintage.group(2) if key[0] == "current" else key[0][-6:])


def _raw_blocks(text: str) -> list[list[list[str]]]:
    """Data rows of each block, straight from the text: the lines after each ',...' header row
    that start (after spaces) with a digit, split on commas and stripped."""
    blocks, current = [], None
    for line in text.splitlines():
        if line.startswith(","):
            current = []
            blocks.append(current)
        elif current is not None and line.strip()[:1].isdigit():
            current.append([f.strip() for f in line.split(",")])
        else:
            current = None
    return blocks


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}/{k[1]}")
def test_spot_values_equal_the_text(key):
    text = _raw(*key).decode("ascii")
    parsed = parse_french_csv(text)
    raw_blocks = _raw_blocks(text)
    assert len(raw_blocks) == len(parsed.blocks)
    for block, rows in zip(parsed.blocks, raw_blocks, strict=True):
        scale = 100.0 if block.kind == "returns" else 1.0
        for i in sorted({0, 1, len(rows) // 3, len(rows) // 2, len(rows) - 1}):
            date, *fields = rows[i]
            assert block.data.index[i].strftime({8: "%Y%m%d", 6: "%Y%m", 4: "%Y"}[len(date)]) == date
            for value, text_value in zip(block.data.iloc[i], fields, strict=True):
                if float(text_value) in (-99.99, -999.0):
                    assert math.isnan(value)
                else:
                    assert value == float(text_value) / scale


def test_named_spot_values():
    """A few values read off the files by eye, as a human check on the generic test above."""
    ff3 = parse_french_csv(_raw("current", "F-F_Research_Data_Factors.csv").decode()).block("monthly").data
    legacy = parse_french_csv(_raw("legacy_202412", "F-F_Research_Data_Factors.CSV").decode()).block("monthly").data
    assert ff3.loc["1926-07-31", "Mkt-RF"] == 2.89 / 100  # 202512 vintage
    assert legacy.loc["1926-07-31", "Mkt-RF"] == 2.96 / 100  # 202412 vintage (SOURCES.md)
    mom = parse_french_csv(_raw("legacy_202412", "F-F_Momentum_Factor_daily.CSV").decode()).block("daily").data
    assert list(mom.columns) == ["Mom"]  # header ",Mom   " stripped


def test_missing_markers_become_nan_in_the_49_industries():
    text = _raw("current", "49_Industry_Portfolios.csv").decode("ascii")
    marked_rows = [row for block in _raw_blocks(text) for row in block if "-99.99" in row[1:] or "-999" in row[1:]]
    parsed = parse_french_csv(text)
    nan_rows = sum(int(b.data.isna().any(axis=1).sum()) for b in parsed.blocks)
    assert len(marked_rows) == nan_rows == 1720  # SOURCES.md: 1,720 data rows with -99.99
    markers = sum(row[1:].count("-99.99") + row[1:].count("-999") for row in marked_rows)
    assert sum(int(b.data.isna().sum().sum()) for b in parsed.blocks) == markers
    assert all(np.nanmin(b.data.to_numpy()) > -99 for b in parsed.blocks if b.kind == "returns")
    first = parsed.block("Average Value Weighted Returns -- Monthly").data
    assert list(first.columns[:3]) == ["Agric", "Food", "Soda"]  # padded names ("Food ") stripped


def _block(folder: str, name: str, block: str):
    return parse_french_csv(_raw(folder, name).decode("ascii")).block(block).data


def test_same_vintage_files_agree_across_format_variants():
    """The parser gives identical numbers for the same quantity printed in differently formatted files.

    No file exists in both the old and the new format for the same CRSP vintage, so the
    comparison is between files of one vintage that print the same series: SOURCES.md says
    HML and RF are identical in the FF3 and FF5 files at both frequencies, daily Mkt-RF too, and
    in 202412 monthly Mkt-RF as well. In the legacy 202412 set the FF3 files end with a copyright
    line and the FF5 files do not; the daily FF3 file has 3-decimal RF; in the 202511 set the
    fields are 7 wide, in 202412 8 wide. Identical parsed numbers across these pairs show the
    layout differences do not leak into the values; the known 202511 monthly Mkt-RF
    differences (0.01 to 0.08 pp in 168 months) are reproduced exactly.
    """
    for folder, ff3m, ff5m, ff3d, ff5d in [
        ("legacy_202412", "F-F_Research_Data_Factors.CSV", "F-F_Research_Data_5_Factors_2x3.csv",
         "F-F_Research_Data_Factors_daily.CSV", "F-F_Research_Data_5_Factors_2x3_daily.CSV"),
        ("vintage_202511", "F-F_Research_Data_Factors.csv", "F-F_Research_Data_5_Factors_2x3.csv",
         "F-F_Research_Data_Factors_daily.csv", "F-F_Research_Data_5_Factors_2x3_daily.csv"),
    ]:  # fmt: skip
        a, b = _block(folder, ff3d, "daily"), _block(folder, ff5d, "daily")
        common = a.index.intersection(b.index)
        assert len(common) == len(b)  # FF5 daily (from 1963) lies inside FF3 daily (from 1926)
        for column in ("Mkt-RF", "HML", "RF"):
            np.testing.assert_array_equal(a.loc[common, column], b.loc[common, column])
        a, b = _block(folder, ff3m, "monthly"), _block(folder, ff5m, "monthly")
        common = a.index.intersection(b.index)
        for column in ("HML", "RF"):
            np.testing.assert_array_equal(a.loc[common, column], b.loc[common, column])
        diff = (a.loc[common, "Mkt-RF"] - b.loc[common, "Mkt-RF"]).abs()
        if folder == "legacy_202412":
            assert diff.max() == 0
        else:
            assert (diff > 1e-12).sum() == 168 and len(common) == 749
            assert 0.0001 - 1e-12 <= diff[diff > 1e-12].min() and diff.max() <= 0.0008 + 1e-12
    # the main set's monthly momentum is the same 202511 file as the snapshot's
    np.testing.assert_array_equal(
        _block("current", "F-F_Momentum_Factor.csv", "monthly"),
        _block("vintage_202511", "F-F_Momentum_Factor.csv", "monthly"),
    )


HEADER = "This file was created using the 202511 CRSP database.\r\n\r\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some text\nno data here\n", "no header row starting with ','"),
        (HEADER + ",A,B\r\n192607,1.0\r\n", "wrong number of fields"),
        (HEADER + ",A,B\r\n192607,1.0,x\r\n192608,1.0,2.0\r\n", "not 2 numbers each"),
        (HEADER + ",A\r\n192608,1.0\r\n192607,2.0\r\n", "not strictly increasing"),
        (HEADER + ",A\r\n192607,1.0\r\n19260801,2.0\r\n", "not all YYYYMMDD, YYYYMM or YYYY"),
        (HEADER + ",A\r\n\r\n", "has a header row but no data rows"),
    ],
    ids=["no-header", "short-row", "text-value", "decreasing", "mixed-dates", "empty-block"],
)
def test_malformed_input_raises(text, message):
    with pytest.raises(XLFactorError, match=message):
        parse_french_csv(text)
