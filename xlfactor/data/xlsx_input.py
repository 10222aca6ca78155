"""Read the sheets and Excel tables of a user's input workbook in bounded memory.

An .xlsx is a zip of XML parts. Before anything is parsed, the sizes the zip
declares for its parts are added up: past :data:`MAX_UNPACKED_BYTES` (128 MB) the
workbook is refused (a 1.8 MB "zip bomb" can unpack to gigabytes; the zip reader
never produces more than a part's declared size). Sheets are then streamed
(openpyxl's read-only parser), only the ones asked for, keeping only non-blank
values: a sheet with more than :data:`MAX_CELLS` cells, or whose used range (first to
last non-blank cell) spans more than that (one stray cell at XFD1048576), is refused
with the cell to delete.

A formula cell saved without its result (a workbook written by a program that does
not calculate, e.g. a script) is refused: its value is unknown, and reading it as a
blank would silently drop data. Saving the workbook in Excel or LibreOffice stores
the results.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from pathlib import Path

from xlfactor.errors import XLFactorError

#: Largest total size of a workbook's unpacked parts (XML) that is read.
MAX_UNPACKED_BYTES = 128 * 2**20
#: Largest number of cells (non-blank cells, or cells of a sheet's used range) read from one sheet or table.
MAX_CELLS = 1_000_000


def near_miss(wanted: str, available: Collection[str]) -> str | None:
    """The name in ``available`` that ``wanted`` was probably meant as (a typo, a plural, other case), or None."""
    import difflib

    lowered = {n.strip().lower(): n for n in available}
    close = difflib.get_close_matches(wanted.strip().lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


class Tables(dict):
    """:func:`read_tables`' result: lower-case name -> rows, and ``available``: every sheet and table
    name of the workbook as spelled there (to name a near miss when a name is not found)."""

    available: list[str]


def read_tables(path: Path, names: Collection[str]) -> Tables:
    """Rows of the sheets or Excel tables of ``path`` named ``names``, keyed by lower-case name.

    Names are matched case-insensitively (surrounding blanks ignored); a table wins over a
    sheet of the same name. A sheet's rows span its used range (first to last non-blank row
    and column); a table's rows span its range. Names not found are absent from the result;
    ``result.available`` lists every sheet and table name of the workbook.

    Raises
    ------
    XLFactorError
        Not a readable workbook, unpacked parts above ``MAX_UNPACKED_BYTES``, a sheet or
        table above ``MAX_CELLS``, a formula cell without a saved result.
    """
    from openpyxl import load_workbook

    wanted = {n.strip().lower() for n in names}
    _check_unpacked_size(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged/unsupported files
        raise XLFactorError.at("input", f"cannot read {path.name!r} as an Excel workbook ({exc})") from exc
    try:
        places: dict[str, tuple[object, str | None, str]] = {}
        found = Tables()
        found.available = [ws.title for ws in wb.worksheets]
        for ws in wb.worksheets:
            places.setdefault(ws.title.strip().lower(), (ws, None, f"sheet {ws.title!r}"))
        for ws in wb.worksheets:
            for display_name, ref in _tables(wb, ws):
                places[display_name.strip().lower()] = (ws, ref, f"table {display_name!r} on sheet {ws.title!r}")
                found.available.append(display_name)
        for name in wanted & set(places):
            ws, ref, where = places[name]
            found[name] = _read(wb, ws, ref, f"input: {where} of {path.name!r}")
        return found
    finally:
        wb.close()


def _check_unpacked_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise XLFactorError.at("input", f"cannot read {path.name!r} as an Excel workbook ({exc})") from exc
    if total > MAX_UNPACKED_BYTES:
        raise XLFactorError.at(
            "input",
            f"{path.name!r} unpacks to {total / 2**20:,.0f} MB, more than the {MAX_UNPACKED_BYTES // 2**20} MB "
            "an input workbook may hold; keep only the Returns and Weights data in it (delete other sheets)",
        )


def _tables(wb, ws) -> list[tuple[str, str]]:
    """(displayName, ref) of the Excel tables on a read-only sheet (read from the zip: openpyxl's
    read-only sheets do not list their tables)."""
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.worksheet.table import Table
    from openpyxl.xml.functions import fromstring

    archive = wb._archive
    rels = get_rels_path(ws._worksheet_path)
    if rels not in archive.namelist():
        return []
    out = []
    for rel in get_dependents(archive, rels):
        if rel.Type.endswith("/table") and rel.target in archive.namelist():
            table = Table.from_tree(fromstring(archive.read(rel.target)))
            out.append((table.displayName, table.ref))
    return out


def _read(wb, ws, ref: str | None, where: str) -> list[list[object]]:
    """Rows of ``ws`` (within ``ref`` if given) as lists of values, never holding more than MAX_CELLS cells."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    bounds = range_boundaries(ref) if ref else None
    if bounds is not None:
        min_col, min_row, max_col, max_row = bounds
        _check_span((max_row - min_row + 1) * (max_col - min_col + 1), where, f"{ref}")
    parser = _parser(wb, ws, where)
    cells: dict[tuple[int, int], object] = {}
    with ws._get_source() as source:
        parser.source = source
        for row_number, row in parser.parse():
            if bounds is not None and row_number > bounds[3]:
                break
            for cell in row:
                if cell["value"] is None:
                    continue
                r, c = cell["row"], cell["column"]
                if bounds is None or (bounds[1] <= r <= bounds[3] and bounds[0] <= c <= bounds[2]):
                    cells[(r, c)] = cell["value"]
    for r, c in parser.uncalculated:
        if bounds is None or (bounds[1] <= r <= bounds[3] and bounds[0] <= c <= bounds[2]):
            raise XLFactorError(
                f"{where}: cell {get_column_letter(c)}{r} holds a formula without a saved result, so its value is "
                "unknown; open the workbook in Excel (or LibreOffice), save it, and try again"
            )
    if bounds is None:
        if not cells:
            return []
        rows = [r for r, _ in cells]
        cols = [c for _, c in cells]
        min_row, max_row, min_col, max_col = min(rows), max(rows), min(cols), max(cols)
        _check_span(
            (max_row - min_row + 1) * (max_col - min_col + 1),
            where,
            f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}",
            far=max(cells, key=lambda rc: rc[0] * 16384 + rc[1]),
        )
    grid = [[None] * (max_col - min_col + 1) for _ in range(max_row - min_row + 1)]
    for (r, c), value in cells.items():
        grid[r - min_row][c - min_col] = value
    return grid


def _check_span(size: int, where: str, span: str, far: tuple[int, int] | None = None) -> None:
    if size <= MAX_CELLS:
        return
    from openpyxl.utils.cell import get_column_letter

    stray = "" if far is None else f"; if cell {get_column_letter(far[1])}{far[0]} is a stray entry, delete it"
    raise XLFactorError(
        f"{where}: the range {span} has {size:,} cells, more than the {MAX_CELLS:,} an input may have{stray}"
    )


def _parser(wb, ws, where: str):
    """openpyxl's sheet parser (values only) that counts cells and notes formulas without a saved result."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):
        def __init__(self) -> None:
            super().__init__(
                None,
                ws._shared_strings,
                data_only=True,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            self.count = 0
            self.uncalculated: list[tuple[int, int]] = []

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            self.count += 1
            if self.count > MAX_CELLS:
                raise XLFactorError(f"{where}: more than {MAX_CELLS:,} cells; an input may have at most that many")
            # No saved result: <v> absent or empty, unless the formula's result is the empty text (t="str").
            if element.find(FORMULA_TAG) is not None and not element.findtext(VALUE_TAG) and element.get("t") != "str":
                self.uncalculated.append((cell["row"], cell["column"]))
            return cell

    return _Parser()
