"""Parser for the CSV files of Kenneth French's data library.

The files are text: a free-form header (2 to 13 lines), then one or more data
blocks. Each block is an optional title (one or two lines, e.g.
``  Average Value Weighted Returns -- Monthly`` or ``Annual Factors:`` /
``January-December``) directly above a header row that starts with a comma
(``,Mkt-RF,SMB,HML,RF``), then rows ``YYYYMMDD|YYYYMM|YYYY, v1, v2, ...``.
Blocks are separated by blank lines; a copyright line may end the file.

Quirks handled (all observed in real files): header text of any length, CRLF or
LF line endings, padded column names (``Mom   ``, ``Hlth ``), fields 7 or 8
characters wide, ``-99.99`` and ``-999`` as missing values, a trailing copyright
line present or absent, annual titles split over two lines, the international
files' format (Bloomberg vintage line, momentum column ``WML``, dates padded with
trailing spaces, no copyright line).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import frequency_name

MISSING_MARKERS = (-99.99, -999.0)
_VINTAGE = re.compile(r"(\d{6}) ([A-Za-z]+) database")  # "202511 CRSP database", "202101 Bloomberg database"
_DATE_FORMATS = {8: ("D", "%Y%m%d"), 6: ("M", "%Y%m"), 4: ("A", "%Y")}
_NON_RETURN_TITLES = ("number of firms", "average firm size", "sum of be", "be/me")


@dataclass(frozen=True)
class FrenchBlock:
    """One data block of a French file.

    Attributes
    ----------
    name : str
        The block's title with whitespace collapsed (``"Average Value Weighted
        Returns -- Monthly"``, ``"Annual Factors: January-December"``), or, for an
        untitled block, its frequency name (``"monthly"``, ``"daily"``, ``"annual"``).
    freq : str
        ``"D"``, ``"M"`` or ``"A"``, from the width of the date field.
    kind : str
        ``"returns"`` (values divided by 100: decimal returns) or ``"level"``
        (counts, firm sizes, BE/ME ratios: values as printed).
    data : pandas.DataFrame
        Index: dates (daily dates; month-end for monthly; 31 December for annual).
        Columns: stripped column names. Missing markers are NaN.
    """

    name: str
    freq: str
    kind: str
    data: pd.DataFrame


@dataclass(frozen=True)
class FrenchFile:
    """A parsed French file: its vintage (database month, ``"202511"``), header text, data
    blocks in file order, and the database named with the vintage (``"CRSP"`` for US files,
    ``"Bloomberg"`` for international ones)."""

    vintage: str | None
    header: str
    blocks: tuple[FrenchBlock, ...]
    database: str | None = None

    def block(self, name: str) -> FrenchBlock:
        """The block whose name equals ``name`` (case-insensitive), or the first block
        of that frequency when ``name`` is ``"daily"``, ``"monthly"`` or ``"annual"``."""
        wanted = " ".join(name.split()).lower()
        for blk in self.blocks:
            if blk.name.lower() == wanted:
                return blk
        for blk in self.blocks:
            if frequency_name(blk.freq) == wanted:
                return blk
        names = ", ".join(repr(b.name) for b in self.blocks)
        raise XLFactorError(f"French file has no block {name!r}; it has {names}")


def parse_french_csv(text: str) -> FrenchFile:
    """Parse the text of a French data-library CSV file into its blocks.

    Raises
    ------
    XLFactorError
        If the text holds no data block, or a block is malformed (a row with the
        wrong number of fields, a non-numeric value, dates not strictly increasing).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header_end = next((i for i, line in enumerate(lines) if line.startswith(",")), None)
    if header_end is None:
        raise XLFactorError(
            "French file: no header row starting with ',' was found; is this a French data-library CSV?"
        )
    header_text = "\n".join(lines[:header_end]).strip()
    match = _VINTAGE.search(header_text)

    blocks = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith(","):
            i += 1
            continue
        title = _title_above(lines, i)
        columns = [c.strip() for c in lines[i].split(",")[1:]]
        j = i + 1
        while j < len(lines) and lines[j].strip() and lines[j].lstrip()[:1].isdigit():
            j += 1
        blocks.append(_parse_block(title, columns, lines[i + 1 : j]))
        i = j
    return FrenchFile(
        vintage=match.group(1) if match else None,
        header=header_text,
        blocks=tuple(blocks),
        database=match.group(2) if match else None,
    )


def _title_above(lines: list[str], header_row: int) -> str:
    """The text lines directly above a header row (no blank line between), joined.

    The file's own introduction is separated from the first header row by a blank
    line, so an untitled first block gets an empty title.
    """
    k = header_row
    while k > 0 and lines[k - 1].strip() and not lines[k - 1].lstrip()[:1].isdigit():
        k -= 1
    if k == 0:  # the run reaches the top of the file: it is the file header, not a title
        return ""
    return " ".join(" ".join(lines[k:header_row]).split())


def _parse_block(title: str, columns: list[str], rows: list[str]) -> FrenchBlock:
    where = f"block {title or 'untitled'!r}"
    if not rows:
        raise XLFactorError(f"French file: {where} has a header row but no data rows")
    bad = next((r for r in rows if r.count(",") != len(columns)), None)
    if bad is not None:
        raise XLFactorError(f"French file: {where} has a row with the wrong number of fields: {bad.strip()!r}")
    try:
        table = pd.read_csv(
            io.StringIO("\n".join(rows)),
            header=None,
            names=["date", *columns],
            dtype={"date": str},
            skipinitialspace=True,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise XLFactorError(f"French file: {where} could not be read: {exc}") from None
    dates = table.pop("date").str.strip()
    width = dates.str.len().unique()
    if len(width) != 1 or int(width[0]) not in _DATE_FORMATS:
        raise XLFactorError(f"French file: {where} has dates that are not all YYYYMMDD, YYYYMM or YYYY")
    freq, fmt = _DATE_FORMATS[int(width[0])]
    index = pd.to_datetime(dates, format=fmt)
    if freq == "M":
        index = index + pd.offsets.MonthEnd(0)
    elif freq == "A":
        index = index + pd.offsets.YearEnd(0)
    index = pd.DatetimeIndex(index, name="date")
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise XLFactorError(f"French file: {where} has dates that are not strictly increasing")
    if not all(pd.api.types.is_numeric_dtype(t) for t in table.dtypes):
        raise XLFactorError(f"French file: {where} has rows that are not {len(columns)} numbers each")
    values = table.to_numpy(dtype=float, copy=True)
    values[np.isin(values, MISSING_MARKERS)] = np.nan
    kind = "level" if any(t in title.lower() for t in _NON_RETURN_TITLES) else "returns"
    if kind == "returns":
        values = values / 100.0
    data = pd.DataFrame(values, index=index, columns=columns)
    return FrenchBlock(name=title or frequency_name(freq), freq=freq, kind=kind, data=data)
