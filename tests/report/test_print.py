"""The report prints well on A4 or Letter: checked from the file and from LibreOffice's rendering.

From the file: every sheet fits one page wide at a scale that keeps its 11 pt cells at 8 pt or more,
or prints by column blocks at such a scale with the row labels repeated; multi-page sheets repeat a
header row; time axes end on the last date; text and numbers sit in separate cells; one "Vol before";
data sheets are Excel tables with filters. From the PDF that LibreOffice prints: every word on every
page is at least 8 pt tall, and a table's header row is repeated at the top of its later pages.

Font sizes are measured from ``pdftotext -bbox`` word boxes: a Carlito (Calibri-metric) word box is
1.299 x its point size (calibrated on 8, 10, 11, 12 and 16 pt cells printed at 100%). Without Carlito
LibreOffice substitutes a wider font and prints at other scales, so the rendered checks need it
(``fonts-crosextra-carlito``, installed by .ci/run).
"""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel
from pdf_pages import BOX_PER_PT, page_footers, page_words

from xlfactor.report.workbook import MIN_PRINT_PT, PRINTABLE, content_size

DATA_SHEETS = {
    "Regressions": "Asset",
    "Rolling betas": "Date",
    "Forecast check": "Date",
    "Historical scenarios": "Episode",
}


def _carlito() -> bool:
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if _has("fc-list") else ""
    return "Carlito" in fonts


def _has(tool: str) -> bool:
    import shutil

    return shutil.which(tool) is not None


needs_carlito = pytest.mark.skipif(not _carlito(), reason="fonts-crosextra-carlito (Calibri metrics) not installed")


@pytest.fixture(scope="module")
def book(demo_report):
    return load_workbook(demo_report[0])


def test_every_sheet_fits_the_width_at_8pt_or_prints_by_column_blocks(book):
    for ws in book.worksheets:
        width, _ = content_size(ws)
        landscape = ws.page_setup.orientation == "landscape"
        page_width = PRINTABLE["landscape" if landscape else "portrait"][0]
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            assert ws.page_setup.fitToWidth == 1, ws.title
            assert page_width / width >= MIN_PRINT_PT / 11, f"{ws.title}: fit to width would print below 8 pt"
        else:  # a fixed scale: 11 pt cells at 8 pt or more
            assert ws.page_setup.scale * 11 / 100 >= MIN_PRINT_PT - 0.05, ws.title
            if ws.page_setup.scale / 100 * width > page_width:  # wider than the page: column blocks
                assert ws.print_title_cols == "$A:$A", ws.title
        fonts = {c.font.sz or 11 for row in ws.iter_rows() for c in row if c.value is not None}
        assert min(fonts) >= 11, f"{ws.title}: a font below 11 pt ({sorted(fonts)})"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)


@needs_carlito
def test_every_printed_word_is_at_least_8pt(demo_pdf):
    for number, (words, footer) in enumerate(zip(page_words(demo_pdf), page_footers(demo_pdf), strict=True), 1):
        top, bottom = min(w[1] for w in words), max(w[3] for w in words)
        body = [w for w in words if w[1] > top + 2 and w[3] < bottom - 2]  # page header and footer aside
        smallest = min(body, key=lambda w: w[3] - w[1])
        size = (smallest[3] - smallest[1]) / BOX_PER_PT
        assert size >= MIN_PRINT_PT - 0.1, f"page {number} ({footer}): {smallest[4]!r} prints at {size:.1f} pt"


@needs_carlito
def test_multi_page_sheets_repeat_their_header_row(book, demo_pdf):
    footers = page_footers(demo_pdf)
    sheets = [f.split(" - page ")[0] for f in footers]
    pages = page_words(demo_pdf)
    for ws in book.worksheets:
        count = sheets.count(ws.title)
        _, height = content_size(ws)
        scale = 1.0 if ws.sheet_properties.pageSetUpPr.fitToPage else ws.page_setup.scale / 100
        taller = height * scale > PRINTABLE[ws.page_setup.orientation][1]  # not only column blocks
        if count == 1 or not taller or ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 1:
            continue
        assert ws.print_title_rows, f"{ws.title}: {count} pages but no repeated header row"
        row = int(re.match(r"\$(\d+):", ws.print_title_rows).group(1))
        headers = [str(c.value) for c in ws[row] if c.value is not None]
        first = sheets.index(ws.title)
        texts = [" ".join(w[4] for w in page) for page in pages[first : first + count]]
        # the header repeats on every page after the one where the table begins (text above it comes first)
        begins = next(i for i, text in enumerate(texts) if all(h.split()[0] in text for h in headers[:2]))
        for text in texts[begins + 1 :]:
            assert headers[0] in text, f"{ws.title}: header {headers} not repeated"
            if not ws.print_title_cols:  # by column blocks, a later page may hold other columns
                assert headers[1].split()[0] in text, f"{ws.title}: header {headers} not repeated"
    assert book["Rolling betas"].print_title_rows and sheets.count("Rolling betas") > 1


def test_time_axes_end_on_the_last_date(demo_report):
    path, analysis = demo_report
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    bounds = [re.search(r"<dateAx>.*?<max val=\"([\d.]+)\" /><min val=\"([\d.]+)\"", c, re.S) for c in charts]
    bounds = [(float(b.group(1)), float(b.group(2))) for b in bounds if b]
    assert len(bounds) == 3  # Rolling betas, Forecast check and Risk history
    for high, low in bounds:
        assert high == to_excel(analysis.end.to_pydatetime())  # 2025-11-30: the data's last date
        assert low < high
    assert to_excel(analysis.rolling.index[0].to_pydatetime()) in {low for _, low in bounds}


def test_text_and_numbers_in_separate_cells(book):
    """No value cell holds a number or a date inside text (labels and headers, in bold, may: 'VaR 95%')."""
    mixed = re.compile(r"\d{4}-\d{2}-\d{2}|\d%|^\s*[-+]?\d+(\.\d+)?\s+[A-Za-z]")
    for ws in book.worksheets:
        for row in ws.iter_rows(min_col=2):
            for cell in row:
                value = cell.value
                if isinstance(value, str) and len(value) <= 60 and not cell.font.b and mixed.search(value):
                    pytest.fail(f"{ws.title}!{cell.coordinate}: {value!r} mixes text and a number")


def test_one_vol_before_per_portfolio(book, demo_report):
    ws = book["Hedges"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "vol before" in c.value.lower()]
    labels = [c for c in cells if c.value.startswith("Vol before") and len(c.value) < 40]  # not the note
    assert len(labels) == 1 and labels[0].column == 1
    value = ws.cell(row=labels[0].row, column=2).value
    analysis = demo_report[1]
    assert value == pytest.approx(analysis.hedge_results["Minimum variance, all factors"].unhedged_vol_annualized)


def test_data_sheets_are_excel_tables_with_filters(book):
    for name, first_header in DATA_SHEETS.items():
        ws = book[name]
        assert ws.tables, f"{name}: no Excel table"
        table = next(iter(ws.tables.values()))
        top_left = table.ref.split(":")[0]
        assert ws[top_left].value == first_header
        assert table.autoFilter is not None or table.headerRowCount != 0  # Excel shows filter buttons on tables
    names = [t for ws in book.worksheets for t in ws.tables]
    assert len(names) == len(set(names))
