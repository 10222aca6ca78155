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
import re
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
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
#: The workbook's default font (openpyxl's default style): every font of the report names it, so that
#: a styled cell keeps its metrics (a font without a name falls back to whatever the reader picks).
FONT_NAME = "Calibri"
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=16, color=NAVY)
SECTION_FONT = Font(name=FONT_NAME, bold=True, size=12, color=NAVY)
NOTE_FONT = Font(name=FONT_NAME, italic=True, color="595959")
BOLD = Font(name=FONT_NAME, bold=True)
THIN_BOTTOM = Border(bottom=Side(style="thin", color="8EA9DB"))
TOTAL_BORDER = Border(top=Side(style="thin", color="000000"))
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center")

#: What Excel may take for the start of a formula (or a DDE call) in text typed into a cell: ``= + - @``,
#: their full-width forms (an East Asian keyboard's), and a leading tab or line break.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r", "\n")
HEADER_CHARS = 11
#: Excel's limit on a print header (codes included).
MAX_PAGE_HEADER = 255
ROW_CM = 0.53
"""Height of a default (15 pt) row in centimetres, to place content below charts."""


def rows_for(height_cm: float) -> int:
    """How many default rows a chart of ``height_cm`` covers (plus one spare row)."""
    return math.ceil(height_cm / ROW_CM) + 1


def formula_like(text: str) -> bool:
    """Whether Excel could read ``text`` entered into a cell as a formula: it starts (after spaces) with
    one of :data:`FORMULA_STARTS`. Such text is written with a quote prefix (here) or into a cell
    formatted as Text (the Lite/Server report, :func:`xlfactor.excel.ribbon.write_rows`)."""
    return text.lstrip(" ").startswith(FORMULA_STARTS)


def safe_value(cell: Cell, value: object) -> Cell:
    """Write ``value`` into ``cell`` so that text is always stored as text.

    Strings Excel could read as a formula (:func:`formula_like`) get the cell type ``s``
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
        if formula_like(value):
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
    filters: bool = False,
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
    filters
        Make the header and data rows an Excel table (sort and filter buttons; its header
        replaces the column letters when scrolled): for data sheets.
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
            cell = put(ws, r, col + 1 + j, value, number_format=col_formats[j])
            cell.border = THIN_BOTTOM
            if isinstance(value, str):  # centred: a text cell never reads as one with the number beside it
                cell.alignment = CENTRE
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
    ref = TableRef(row, row + 1, last, col, col + len(frame.columns))
    _tables.setdefault(ws, []).append(ref)
    if filters:
        excel_table(ws, ref, headers, data_last_row=row + len(frame))
    return ref


def excel_table(ws: Worksheet, ref: TableRef, headers: list[str], *, data_last_row: int) -> Table:
    """An Excel table (with filter buttons) over a written table's header and data rows. Its name is the
    sheet's name as letters, digits and underscores plus a number; a blank header becomes "Item"."""
    if not headers[0]:
        ws.cell(row=ref.header_row, column=ref.first_col).value = headers[0] = "Item"
    if len(set(headers)) != len(headers):
        raise ValueError(f"an Excel table needs distinct column headers, got {headers}")  # a layout bug
    stem = re.sub(r"\W", "_", ws.title)
    name = f"{'T' if not stem[:1].isalpha() else ''}{stem}_{len(ws.tables) + 1}"
    span = f"{get_column_letter(ref.first_col)}{ref.header_row}:{get_column_letter(ref.last_col)}{data_last_row}"
    table = Table(displayName=name, ref=span)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    ws.add_table(table)
    return table


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


#: Printable area (points) common to A4 and Letter with the margins of :func:`page_setup`
#: (0.5 in left and right, 0.75 in top and bottom): the narrower width and the shorter height of the two.
PRINTABLE = {"portrait": (523.0, 684.0), "landscape": (720.0, 487.0)}
#: Smallest printed font size (points): a sheet is never shrunk below it.
MIN_PRINT_PT = 8.0
DEFAULT_FONT_PT = 11.0
DEFAULT_ROW_PT = 15.0
EXCEL_DEFAULT_WIDTH = 8.43
CM_PT = 72 / 2.54
_tables: weakref.WeakKeyDictionary[Worksheet, list[TableRef]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class PrintLayout:
    """How a sheet prints: orientation, scale (1 = 100%), fit to one page wide (else column blocks at
    ``scale`` with the first column repeated), fit to one page tall, and the header row repeated on
    every page (None for a one-page sheet)."""

    orientation: str
    scale: float
    fit_width: bool
    fit_height: bool
    title_row: int | None


def _column_left(ws: Worksheet, col: int) -> float:
    """Points from the sheet's left edge to column ``col`` (1-based)."""
    widths = (ws.column_dimensions[get_column_letter(c)].width or EXCEL_DEFAULT_WIDTH for c in range(1, col))
    return sum((w * 7 + 5) * 0.75 for w in widths)  # Excel: a width in characters is 7 px each + 5 px


def _charts(ws: Worksheet) -> list[tuple[int, int, float, float]]:
    """(column, row, width, height) of each chart: its top-left cell (1-based) and its size in points."""
    spans = []
    for chart in ws._charts:
        anchor = chart.anchor
        if isinstance(anchor, str):
            row, col = coordinate_to_tuple(anchor)
        else:  # an anchor object (a chart read back from a file): 0-based marker
            row, col = anchor._from.row + 1, anchor._from.col + 1
        spans.append((col, row, chart.width * CM_PT, chart.height * CM_PT))
    return spans


def _row_top(ws: Worksheet, row: int) -> float:
    """Points from the sheet's top edge to row ``row`` (1-based)."""
    return sum(ws.row_dimensions[r].height or DEFAULT_ROW_PT for r in range(1, row))


def content_size(ws: Worksheet) -> tuple[float, float]:
    """Width and height (points) of a sheet's used cells and charts, from column widths and row heights."""
    top = partial(_row_top, ws)
    width, height = _column_left(ws, ws.max_column + 1), top(ws.max_row + 1)
    for col, row, chart_w, chart_h in _charts(ws):
        width = max(width, _column_left(ws, col) + chart_w)
        height = max(height, top(row) + chart_h)
    return width, height


def row_breaks(ws: Worksheet, room: float, repeated: int | None = None) -> list[int]:
    """First rows of the pages after the first when a sheet ``room`` points tall (at print scale) is
    printed: a page ends at the last row that fits, or before a chart that would not fit on it, so that
    no chart is cut. ``repeated``: the header row repeated on every page (it takes room on each)."""
    charts = [(r, h) for _, r, _, h in _charts(ws)]
    last = max([ws.max_row, *[r for r, _ in charts]])
    title = (ws.row_dimensions[repeated].height or DEFAULT_ROW_PT) if repeated else 0.0
    starts, start = [], 1
    for row in range(2, last + 2):
        offset = _row_top(ws, start) - (title if starts and repeated and repeated < start else 0)
        bottom = _row_top(ws, row) - offset
        chart_bottom = max([_row_top(ws, r) + h - offset for r, h in charts if start <= r < row] or [0.0])
        if max(bottom, chart_bottom) > room and row - 1 > start:
            inside = [r for r, _ in charts if start < r < row]
            start = min(inside) if inside and chart_bottom > room and bottom <= room else row - 1
            starts.append(start)
    return starts


def column_breaks(ws: Worksheet, room: float) -> list[int]:
    """First columns of the column blocks after the first when a sheet ``room`` points wide (at print
    scale) is printed by blocks with column A repeated: a block ends at the last column that fits, or
    before a chart that would not fit in it, so that no chart is cut."""
    last = max([ws.max_column, *[c for c, *_ in _charts(ws)]])
    starts, start = [], 1
    repeated = _column_left(ws, 2)
    for col in range(2, last + 2):
        offset = _column_left(ws, start) - (repeated if starts else 0)
        right = _column_left(ws, col) - offset  # where column ``col - 1`` ends within the block
        chart_right = max([_column_left(ws, c) + w - offset for c, _, w, _ in _charts(ws) if start <= c < col] or [0.0])
        if max(right, chart_right) > room and col - 1 > start:
            charts_here = [c for c, *_ in _charts(ws) if start < c < col]
            start = min(charts_here) if charts_here and chart_right > room and right <= room else col - 1
            starts.append(start)
    return starts


def smallest_font(ws: Worksheet) -> float:
    """The smallest font size (points) among the sheet's non-empty cells."""
    sizes = [cell.font.sz or DEFAULT_FONT_PT for row in ws.iter_rows() for cell in row if cell.value is not None]
    return min(sizes, default=DEFAULT_FONT_PT)


def print_layout(ws: Worksheet, *, landscape: bool = True, one_page: bool = False) -> PrintLayout:
    """The readable way to print ``ws`` on A4 or Letter: never below :data:`MIN_PRINT_PT`.

    Fit to one page wide in the preferred orientation, or the other one, when the scale that
    takes keeps the smallest font at 8 pt or more; else print at the smallest readable scale in
    landscape by column blocks, the first column (the row labels) repeated on each. ``one_page``
    also fits the height when that stays readable. A sheet longer than a page repeats the
    header row of its longest table.
    """
    width, height = content_size(ws)
    floor = MIN_PRINT_PT / smallest_font(ws)
    orders = ("landscape", "portrait") if landscape else ("portrait", "landscape")
    for orientation in orders:
        page_w, page_h = PRINTABLE[orientation]
        scale = min(1.0, page_w / width)
        if scale >= floor:
            fit_height = one_page and min(1.0, page_h / height) >= floor
            scale = min(scale, page_h / height) if fit_height else scale
            break
    else:
        orientation, fit_height = "landscape", False
        scale = math.ceil(floor * 100) / 100
        page_w, page_h = PRINTABLE[orientation]
    fit_width = scale * width <= page_w + 1e-9
    title_row = None
    if height * scale > page_h and _tables.get(ws):
        title_row = max(_tables[ws], key=lambda t: t.last_row - t.first_row).header_row
    return PrintLayout(orientation, scale, fit_width, fit_height, title_row)


def page_setup(
    ws: Worksheet, *, landscape: bool = True, freeze: str | None = None, header_text: str = "", one_page: bool = False
) -> None:
    """Print setup, called once a sheet is written: A4, margins, page-numbered footer, frozen panes, and
    the readable layout of :func:`print_layout` (``landscape`` and ``one_page`` are preferences it honours
    when the sheet stays at 8 pt or more): fit to width (and height), or column blocks at a fixed scale
    with the row labels repeated; the header row of the longest table repeated on every page."""
    layout = print_layout(ws, landscape=landscape, one_page=one_page)
    ws.page_setup.orientation = layout.orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    charts_cut = not layout.fit_height and bool(_charts(ws))
    if layout.fit_width and not charts_cut:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if layout.fit_height else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        # A fixed scale: Excel and LibreOffice ignore manual page breaks under "fit to", and the breaks
        # below keep charts whole. Fitting the width, it leaves 1% spare for the readers' own metrics.
        percent = math.floor(layout.scale * 100) - 1 if layout.fit_width else round(layout.scale * 100)
        ws.page_setup.scale = percent
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        room_w, room_h = (side * 100 / percent for side in PRINTABLE[layout.orientation])
        if not layout.fit_width:
            ws.print_title_cols = "A:A"
            for start in column_breaks(ws, room_w):
                ws.col_breaks.append(Break(id=start - 1))  # a manual break before column ``start``
        for start in row_breaks(ws, room_h, layout.title_row):
            ws.row_breaks.append(Break(id=start - 1))  # a manual break before row ``start``
    if layout.title_row is not None:
        ws.print_title_rows = f"{layout.title_row}:{layout.title_row}"
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
