"""The demo report opens in LibreOffice, converts to PDF, and its chart pages are not blank.

LibreOffice (``soffice``) and poppler (``pdftoppm``, ``pdftotext``) are installed by
``.ci/run``; the test is skipped only when they are absent.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pdf_pages import page_footers

CHART_SHEETS = (
    "Exposures",
    "Risk contributions",
    "Rolling betas",
    "Hedges",
    "Stress",
    "Historical scenarios",
    "Forecast check",
    "Attribution",
    "Risk history",
)
#: Chart series colours (xlfactor.report.charts palette) not used by tables or cell colours.
SERIES_RGB = ((0x2E, 0x75, 0xB6), (0xC5, 0x5A, 0x11), (0x54, 0x82, 0x35))
TOLERANCE = 40

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("soffice", "pdftoppm", "pdftotext")),
    reason="LibreOffice (soffice) or poppler-utils (pdftoppm, pdftotext) not installed",
)


@pytest.fixture(scope="module")
def pdf(demo_pdf) -> Path:
    return demo_pdf


def _page_sheets(pdf: Path) -> list[str]:
    """Sheet name of every PDF page, read from the page footer ("<sheet> - page i of n")."""
    return [footer.split(" - page ")[0] for footer in page_footers(pdf)]


def _read_ppm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6) image."""
    data = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255"
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1 : pos + 1 + 3 * width * height]


def _ink(rgb: bytes) -> tuple[float, int]:
    """Share of non-white pixels and the number of pixels near a chart series colour."""
    n = len(rgb) // 3
    non_white = sum(1 for i in range(0, len(rgb), 3) if min(rgb[i], rgb[i + 1], rgb[i + 2]) < 235)
    series = 0
    for i in range(0, len(rgb), 3):
        r, g, b = rgb[i], rgb[i + 1], rgb[i + 2]
        if any(abs(r - cr) + abs(g - cg) + abs(b - cb) < TOLERANCE for cr, cg, cb in SERIES_RGB):
            series += 1
    return non_white / n, series


def test_demo_report_renders_with_charts(pdf, tmp_path):
    sheets = _page_sheets(pdf)
    assert set(CHART_SHEETS) <= set(sheets), sheets
    subprocess.run(["pdftoppm", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.ppm"))
    assert len(pages) == len(sheets)
    for sheet in CHART_SHEETS:  # the chart may be on a later page of its sheet: never cut across two
        drawn = [_ink(_read_ppm(page)[2]) for page, name in zip(pages, sheets, strict=True) if name == sheet]
        assert max(ink for ink, _ in drawn) > 0.02, f"{sheet}: pages look blank"
        series_pixels = max(series for _, series in drawn)
        assert series_pixels > 50, f"{sheet}: no chart series drawn ({series_pixels} pixels in series colours)"
    for page, sheet in zip(pages, sheets, strict=True):
        assert _ink(_read_ppm(page)[2])[0] > 0.005, f"page {page.name} ({sheet}) is blank"
