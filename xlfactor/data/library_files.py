"""Parsers for the factor files other publishers put on their sites, as published.

Each parser turns the downloaded bytes into a frame of decimal returns indexed by date
(month end for monthly data), with the column names xlfactor stores, or raises
:class:`~xlfactor.errors.XLFactorError` saying what is wrong with the file. The layouts:

- global-q (``q5_factors_monthly_<year>.csv``, ``q5_factors_daily_<year>.csv``): a CSV with
  a header row, ``year,month`` (monthly) or ``DATE`` (daily, ``YYYYMMDD``) then ``R_F, R_MKT,
  R_ME, R_IA, R_ROE, R_EG``, in PERCENT. Stored as ``RF, MKT, ME, IA, ROE, EG`` (decimals);
  ``MKT`` is the market's excess return.
- Stambaugh-Yuan (``M4.csv`` monthly, ``M4d.csv`` daily): a CSV with header ``YYYYMM``
  (monthly) or ``DATE`` (daily), ``MKTRF, SMB, MGMT, PERF, RF``, in decimals.
- Pastor-Stambaugh (``liq_data_1962_<year>.txt``): comment lines starting with ``%``, then
  whitespace-separated rows ``YYYYMM``, aggregate liquidity, innovations, traded liquidity
  factor (``LIQ_V``, decimals; ``-99`` before the factor starts). Stored: ``LIQ_V``.
- Excel workbooks (AQR's data sets, the DHS factors): one or several sheets, each with
  some title and note rows, then a header row found BY CONTENT (its first cell reads
  ``DATE``/``Date``/``Month``), then one row per date. Dates are Excel dates,
  ``MM/DD/YYYY`` text or ``YYYYMM`` numbers; values are decimals.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError

Q_COLUMNS = {"R_F": "RF", "R_MKT": "MKT", "R_ME": "ME", "R_IA": "IA", "R_ROE": "ROE", "R_EG": "EG"}
SY_COLUMNS = ("MKTRF", "SMB", "MGMT", "PERF", "RF")
PS_MISSING = -99.0
MAX_XLSX_UNPACKED = 256 * 2**20  # AQR's daily workbooks unpack to ~150 MB of XML
MAX_XLSX_ROWS = 60_000  # per sheet: ~26,000 trading days since 1926 in AQR's daily files
_HEADER_WORDS = ("date", "month", "yyyymm")


def _fail(what: str) -> XLFactorError:
    return XLFactorError(f"the file could not be read: {what}")


def _csv_rows(text: str) -> list[list[str]]:
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return [[cell.strip().strip('"') for cell in line.split(",")] for line in lines if line]


def parse_dates(values: Sequence, freq: str) -> pd.DatetimeIndex:
    """Dates from Excel dates, ``YYYYMM``/``YYYYMMDD`` numbers or text, or ``MM/DD/YYYY`` text; monthly
    dates become month ends. Raises if any is unreadable or they are not strictly increasing."""
    out = []
    for value in values:
        if isinstance(value, (dt.datetime, dt.date)):
            out.append(pd.Timestamp(value))
            continue
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            out.append(pd.to_datetime(text, format="%m/%d/%Y"))
        elif re.fullmatch(r"\d{8}", text):
            out.append(pd.to_datetime(text, format="%Y%m%d"))
        elif re.fullmatch(r"\d{6}", text):
            out.append(pd.to_datetime(text, format="%Y%m"))
        else:
            raise _fail(f"{text!r} is not a date (expected YYYYMM, YYYYMMDD, MM/DD/YYYY or an Excel date)")
    index = pd.DatetimeIndex(out, name="date").normalize()
    if freq == "M":
        index = index + pd.offsets.MonthEnd(0)
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise _fail("the dates are not strictly increasing (one row per period, oldest first)")
    return index


def _numbers(rows: list[list], where: str, missing: float | None = None) -> np.ndarray:
    try:
        values = np.array([[np.nan if v in (None, "") else float(v) for v in row] for row in rows], dtype=float)
    except (TypeError, ValueError):
        raise _fail(f"{where} has values that are not numbers") from None
    if missing is not None:
        values[values == missing] = np.nan
    return values


def parse_q_csv(raw: bytes, freq: str) -> pd.DataFrame:
    """A global-q q-factor CSV (percent) as decimals with columns ``MKT, ME, IA, ROE, EG, RF``."""
    rows = _csv_rows(raw.decode("utf-8-sig", errors="replace"))
    if not rows:
        raise _fail("it is empty")
    header = [c.upper() for c in rows[0]]
    date_cols = ["YEAR", "MONTH"] if freq == "M" else ["DATE"]
    if header[: len(date_cols)] != date_cols or set(Q_COLUMNS) - set(header):
        raise _fail(f"header {rows[0]} is not {date_cols + list(Q_COLUMNS)} (a global-q factor file)")
    body = rows[1:]
    if any(len(r) != len(header) for r in body):
        raise _fail("a row has a different number of fields than the header")
    if freq == "M":
        dates = [f"{r[0]}{int(r[1]):02d}" if r[1].isdigit() else r[1] for r in body]
    else:
        dates = [r[0] for r in body]
    picks = [header.index(c) for c in Q_COLUMNS]
    values = _numbers([[r[i] for i in picks] for r in body], "the q-factor file") / 100.0  # published in percent
    frame = pd.DataFrame(values, index=parse_dates(dates, freq), columns=list(Q_COLUMNS.values()))
    return frame[["MKT", "ME", "IA", "ROE", "EG", "RF"]]


def parse_stambaugh_csv(raw: bytes, freq: str) -> pd.DataFrame:
    """Stambaugh-Yuan's ``M4.csv``/``M4d.csv`` (decimals): columns ``MKTRF, SMB, MGMT, PERF, RF``."""
    rows = _csv_rows(raw.decode("utf-8-sig", errors="replace"))
    if not rows:
        raise _fail("it is empty")
    header = [c.upper() for c in rows[0]]
    date_col = "YYYYMM" if freq == "M" else "DATE"
    if header[0] != date_col or set(SY_COLUMNS) - set(header):
        raise _fail(f"header {rows[0]} is not {[date_col, *SY_COLUMNS]} (Stambaugh-Yuan's factor file)")
    body = rows[1:]
    if any(len(r) != len(header) for r in body):
        raise _fail("a row has a different number of fields than the header")
    picks = [header.index(c) for c in SY_COLUMNS]
    values = _numbers([[r[i] for i in picks] for r in body], "the mispricing-factor file")
    return pd.DataFrame(values, index=parse_dates([r[0] for r in body], freq), columns=list(SY_COLUMNS))


def parse_ps_txt(raw: bytes, freq: str) -> pd.DataFrame:
    """Pastor-Stambaugh's liquidity text file: the traded liquidity factor as column ``LIQ_V``
    (missing, ``-99``, before it starts: NaN)."""
    text = raw.decode("utf-8-sig", errors="replace").replace("\r", "\n")
    rows = [line.split() for line in text.split("\n") if line.strip() and not line.lstrip().startswith("%")]
    if not rows:
        raise _fail("it holds no data rows (only % comment lines?)")
    if any(len(r) != 4 for r in rows):
        bad = next(r for r in rows if len(r) != 4)
        raise _fail(f"row {' '.join(bad)!r} does not have 4 fields (month, levels, innovations, traded factor)")
    values = _numbers([[r[3]] for r in rows], "the liquidity file", missing=PS_MISSING)
    return pd.DataFrame(values, index=parse_dates([r[0] for r in rows], freq), columns=["LIQ_V"])


def read_workbook_sheets(raw: bytes, sheets: Sequence[str | int]) -> dict[str | int, list[list]]:
    """The non-blank rows of the named sheets (or 0-based positions) of an xlsx held in memory.

    Bounded: the parts' declared unpacked size is checked first (:data:`MAX_XLSX_UNPACKED`),
    sheets are streamed (openpyxl read-only) and at most :data:`MAX_XLSX_ROWS` rows are kept.
    """
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _fail("it is not an Excel workbook (.xlsx), perhaps an error page") from None
    if total > MAX_XLSX_UNPACKED:
        raise _fail(f"the workbook unpacks to {total / 2**20:,.0f} MB (limit {MAX_XLSX_UNPACKED // 2**20} MB)")
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise _fail(f"it is not a readable Excel workbook ({exc})") from None
    try:
        titles = [ws.title for ws in wb.worksheets]
        out = {}
        for want in sheets:
            if isinstance(want, int):
                if want >= len(titles):
                    raise _fail(f"the workbook has {len(titles)} sheets; expected at least {want + 1}")
                ws = wb.worksheets[want]
            else:
                match = next((t for t in titles if t.strip().lower() == want.lower()), None)
                if match is None:
                    raise _fail(f"the workbook has no sheet {want!r} (sheets: {', '.join(titles)})")
                ws = wb[match]
            rows = []
            for row in ws.iter_rows(values_only=True):
                if any(v not in (None, "") for v in row):
                    rows.append(list(row))
                    if len(rows) > MAX_XLSX_ROWS:
                        raise _fail(f"sheet {ws.title!r} has more than {MAX_XLSX_ROWS} rows")
            out[want] = rows
        return out
    finally:
        wb.close()


def sheet_table(rows: list[list], sheet: str, freq: str) -> pd.DataFrame:
    """A sheet's data below its header row, found by content: the first row whose first cell reads
    ``DATE``, ``Date``, ``Month`` or ``YYYYMM`` and that names at least one column. Columns are the
    header's names; rows run until the first row without a date."""
    start = next(
        (
            i
            for i, row in enumerate(rows)
            if str(row[0] or "").strip().lower() in _HEADER_WORDS and any(isinstance(v, str) for v in row[1:])
        ),
        None,
    )
    if start is None:
        raise _fail(f"sheet {sheet!r} has no header row starting with DATE")
    header = [str(v).strip() if v is not None else "" for v in rows[start]]
    width = max((i for i, name in enumerate(header) if name), default=0) + 1
    names = header[1:width]
    body = []
    for row in rows[start + 1 :]:
        if row[0] in (None, ""):
            break
        body.append((list(row) + [None] * width)[:width])
    if not body:
        raise _fail(f"sheet {sheet!r} has a header row but no data rows")
    values = _numbers([r[1:] for r in body], f"sheet {sheet!r}")
    return pd.DataFrame(values, index=parse_dates([r[0] for r in body], freq), columns=names)


def vintage_from_last_modified(last_modified: str | None) -> str | None:
    """``Last-Modified`` (an HTTP date) as ``YYYY-MM-DD``, or None if absent or unreadable."""
    if not last_modified:
        return None
    try:
        return pd.Timestamp(last_modified).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return None
