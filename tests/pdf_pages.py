"""PDF pages as LibreOffice prints a workbook: render it, then read each page's words and footer (poppler).

Font sizes: a Carlito (Calibri-metric) word box from ``pdftotext -bbox`` is :data:`BOX_PER_PT` times its
point size (calibrated on 8, 10, 11, 12 and 16 pt cells printed at 100%).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

BOX_PER_PT = 1.299


def render_pdf(path: Path, out: Path, profile: Path) -> Path:
    """``path`` converted to PDF by headless LibreOffice with a private profile (skipped without soffice)."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) not installed")
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = out / (path.stem + ".pdf")
    assert result.returncode == 0 and converted.is_file(), result.stdout + result.stderr
    return converted


def page_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, its words as (x_min, y_min, x_max, y_max, text) from ``pdftotext -bbox`` (points)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", html, re.S):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)
        pages.append([(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in words])
    return pages


def page_footers(pdf: Path) -> list[str]:
    """The footer of every page ("<sheet> - page i of n"): the words of the bottom line, by position (a chart
    clipped at a page break can leave text near it, which ``pdftotext -layout`` mixes into the line)."""
    footers = []
    for words in page_words(pdf):
        bottom = max(w[3] for w in words)
        line = sorted((w for w in words if w[3] > bottom - 2), key=lambda w: w[0])
        text = " ".join(w[4] for w in line)
        match = re.search(r"(\S.*? - page \d+ of \d+)", text)
        footers.append(match.group(1) if match else text)
    return footers
