"""Workbook building blocks: styles, number formats, safe text, tables, page setup, atomic save.

Everything here lays values out; nothing computes a number. Text that a user
supplied (asset names, titles) goes through :func:`safe_value`, so a name such
as ``=HYPERLINK(...)`` is stored as a text cell, never as a formula, and control
characters that a workbook cannot hold (``\x00``-``\x08``, ``\x0b``, ``\x0c``,
``\x0e``-``\x1f``) are removed.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import logging
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.errors import XLFactorError

_log = logging.getLogger("xlfactor.report")

# Number formats (Excel format codes).
PCT = "0.00%"
PCT1 = "0.0%"
NUM2 = "0.00"
NUM3 = "0.000"
INT = "0"
BP = '0.0" bp"'
DATE = "yyyy-mm-dd"

NAVY = "1F3864"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
TOTAL_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=16, color=NAVY)
SECTION_FONT = Font(bold=True, size=12, color=NAVY)
NOTE_FONT = Font(italic=True, color="595959")
BOLD = Font(bold=True)
THIN_BOTTOM = Border(bottom=Side(style="thin", color="8EA9DB"))
TOTAL_BORDER = Border(top=Side(style="thin", color="000000"))
WRAP = Alignment(wrap_text=True, vertical="top")

_FORMULA_STARTS = ("=", "+", "-", "@")
HEADER_CHARS = 11
#: Excel's limit on a print header (codes included).
MAX_PAGE_HEADER = 255
ROW_CM = 0.53
"""Height of a default (15 pt) row in centimetres, to place content below charts."""


def rows_for(height_cm: float) -> int:
    """How many default rows a chart of ``height_cm`` covers (plus one spare row)."""
    return math.ceil(height_cm / ROW_CM) + 1


def safe_value(cell: Cell, value: object) -> Cell:
    """Write ``value`` into ``cell`` so that text is always stored as text.

    Strings starting with ``=``, ``+``, ``-`` or ``@`` get the cell type ``s``
    (openpyxl would otherwise store ``=...`` as a formula) and Excel's quote
    prefix (so editing the cell in Excel keeps it text); control characters a
    workbook cannot hold are removed (:func:`clean_text`). NaN and None become
    blank cells; numpy scalars become Python numbers; timestamps become dates.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        cell.value = None
        return cell
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            cell.value = None
            return cell
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


def clean_text(text: str) -> str:
    """``text`` without the control characters an .xlsx cannot store (openpyxl would raise on them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def page_header(text: str) -> str:
    """``text`` as a print-header section: control characters removed, ``&`` escaped as ``&&``, and cut
    (ending in ``...``) so that the header, with its ``&L`` code, stays within Excel's 255 characters."""
    escaped = clean_text(text).replace("&", "&&")
    room = MAX_PAGE_HEADER - len("&L")
    if len(escaped) <= room:
        return escaped
    cut = escaped[: room - 3]
    if (len(cut) - len(cut.rstrip("&"))) % 2:  # do not split an escaped "&&"
        cut = cut[:-1]
    return cut + "..."


def put(
    ws: Worksheet, row: int, col: int, value: object, *, number_format: str | None = None, font: Font | None = None
) -> Cell:
    """Write one value safely at (row, col) with an optional number format and font."""
    cell = safe_value(ws.cell(row=row, column=col), value)
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def title(ws: Worksheet, text: str, subtitle: str | None = None) -> int:
    """Sheet title in A1 (and a grey subtitle in A2); returns the next free row."""
    put(ws, 1, 1, text, font=TITLE_FONT)
    if subtitle:
        put(ws, 2, 1, subtitle, font=NOTE_FONT)
    return 4


def section(ws: Worksheet, row: int, text: str, col: int = 1) -> int:
    """A section heading at ``row``; returns the row below it."""
    put(ws, row, col, text, font=SECTION_FONT)
    return row + 1


def note(ws: Worksheet, row: int, text: str, *, col: int = 1, width_cols: int = 8, plain: bool = False) -> int:
    """A wrapped note (italic grey unless ``plain``) merged across ``width_cols`` columns; returns the next row."""
    cell = put(ws, row, col, text, font=None if plain else NOTE_FONT)
    cell.alignment = WRAP
    ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + width_cols - 1)
    lines = max(1, math.ceil(len(text) / (12 * width_cols)))
    ws.row_dimensions[row].height = 15 * lines
    return row + 1


@dataclass(frozen=True)
class TableRef:
    """Where a table landed: header row, first/last data row, first/last column (1-based)."""

    header_row: int
    first_row: int
    last_row: int
    first_col: int
    last_col: int

    @property
    def next_row(self) -> int:
        """The first row after the table plus one blank row."""
        return self.last_row + 2


def write_table(
    ws: Worksheet,
    frame: pd.DataFrame,
    row: int,
    col: int = 1,
    *,
    formats: Mapping[str, str] | str | None = None,
    index_label: str = "",
    index_format: str | None = None,
    total: pd.Series | None = None,
    total_label: str = "Total",
) -> TableRef:
    """Write ``frame`` with its index as the first column and a styled header row.

    Parameters
    ----------
    formats
        One number format for every column, or a mapping column -> format.
    index_label
        Header text above the index column.
    index_format
        Number format for the index cells (e.g. :data:`DATE` for a date index).
    total
        Optional values for a bold total row under the table (indexed like the
        columns; missing columns stay blank). The values are written as given.
    """
    headers = [index_label, *[str(c) for c in frame.columns]]
    for j, text in enumerate(headers):
        cell = put(ws, row, col + j, text, font=HEADER_FONT)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if any(len(h) > HEADER_CHARS for h in headers):
        ws.row_dimensions[row].height = 30
    col_formats = [_format_for(formats, c) for c in frame.columns]
    values = frame.to_numpy(dtype=object)
    for i, label in enumerate(frame.index):
        r = row + 1 + i
        put(ws, r, col, label, number_format=index_format, font=BOLD).border = THIN_BOTTOM
        for j, value in enumerate(values[i]):
            put(ws, r, col + 1 + j, value, number_format=col_formats[j]).border = THIN_BOTTOM
    last = row + len(frame)
    if total is not None:
        last += 1
        put(ws, last, col, total_label, font=BOLD)
        for j, name in enumerate(frame.columns):
            value = total.get(name) if name in total.index else None
            put(ws, last, col + 1 + j, value, number_format=col_formats[j], font=BOLD)
        for j in range(len(headers)):
            ws.cell(row=last, column=col + j).fill = TOTAL_FILL
            ws.cell(row=last, column=col + j).border = TOTAL_BORDER
    return TableRef(row, row + 1, last, col, col + len(frame.columns))


def write_pairs(
    ws: Worksheet,
    row: int,
    pairs: list[tuple[str, object, str | None]],
    col: int = 1,
    span: int = 6,
    chars_per_line: int = 80,
) -> int:
    """Label/value rows (label bold in ``col``, value next to it); returns the next free row.

    Text values are merged across ``span`` columns and wrapped (row height from
    an estimate of ``chars_per_line`` characters per line).
    """
    for label, value, number_format in pairs:
        put(ws, row, col, label, font=BOLD).alignment = Alignment(vertical="top")
        cell = put(ws, row, col + 1, value, number_format=number_format)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=isinstance(value, str))
        if isinstance(value, str):
            ws.merge_cells(start_row=row, start_column=col + 1, end_row=row, end_column=col + span)
            ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(value) / chars_per_line))
        row += 1
    return row


def _format_for(formats: Mapping[str, str] | str | None, column: object) -> str | None:
    if formats is None or isinstance(formats, str):
        return formats
    return formats.get(str(column))


def set_widths(
    ws: Worksheet, widths: Mapping[int, float] | None = None, *, default: float = 13, first: float = 24
) -> None:
    """Column widths: ``first`` for column A, ``default`` for the used columns, overrides by index."""
    ws.column_dimensions["A"].width = first
    for c in range(2, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(c)].width = default
    for c, w in (widths or {}).items():
        ws.column_dimensions[get_column_letter(c)].width = w


def page_setup(
    ws: Worksheet, *, landscape: bool = True, freeze: str | None = None, header_text: str = "", one_page: bool = False
) -> None:
    """Print setup (A4, fit to one page wide, or to one page if ``one_page``; margins; page-numbered footer)
    and frozen panes."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.35
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&A - page &P of &N"
    if header_text:
        ws.oddHeader.left.text = page_header(header_text)
    if freeze:
        ws.freeze_panes = freeze


def output_error(path: Path, reason: str) -> XLFactorError:
    """The one message for an output path that cannot be written."""
    return XLFactorError(f"output: cannot write {str(path)!r}: {reason}; choose a writable folder")


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it; it is restored at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_atomically(workbook: Workbook, path: Path) -> Path:
    """Save to a temporary file in the target directory, then move it into place.

    A crash or error while writing leaves no half-written report: either the
    old file (if any) or the complete new one exists, and the temporary file
    is removed.

    Raises
    ------
    XLFactorError
        If the folder does not exist, is not a folder, or any operating-system
        error occurs creating, writing or replacing the file (no permission,
        file open in Excel, read-only or special file system, disk full).
    """
    path = Path(path).expanduser().resolve()
    if not path.parent.is_dir():
        reason = "its folder is a file" if path.parent.exists() else f"folder {str(path.parent)!r} does not exist"
        raise output_error(path, reason)
    tmp_name, reason = None, None
    with _writer_cleanup_logged():
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx.tmp", dir=path.parent)
            os.close(fd)
            workbook.save(tmp_name)
            os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp makes a private file; a report is an ordinary file
            os.replace(tmp_name, path)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if isinstance(exc, PermissionError):
                reason += " (if the file is open in Excel, close it)"
            elif exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
                reason += " (the disk or your quota is full: free some space)"
        finally:
            if tmp_name is not None and os.path.exists(tmp_name):
                os.unlink(tmp_name)
    if reason is not None:  # raised here, without the failed write's frames, which are collected above
        raise output_error(path, reason)
    return path


@contextmanager
def _writer_cleanup_logged() -> Iterator[None]:
    """Collect what a failed save leaves behind (openpyxl's half-closed sheet writers) while their cleanup
    errors go to the log instead of stderr: on a full disk, closing them fails again and Python would print
    "Exception ignored in ..." with a traceback after xlfactor's own message."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda info: _log.debug("cleanup after a failed save: %r", info.exc_value)
    try:
        yield
        gc.collect()
    finally:
        sys.unraisablehook = hook


ProgressFn = Callable[[str, int, int], None]
"""Progress callback: ``progress(step_description, steps_done, steps_total)``."""
