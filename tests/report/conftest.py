"""Shared fixtures: the demo report, built once per test session, and its PDF rendered by LibreOffice."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_pages import render_pdf


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory):
    """``(path, analysis)`` of the demo report written to a temporary folder."""
    import xlfactor as xf

    return xf.build_demo_report(tmp_path_factory.mktemp("demo") / "demo.xlsx")


@pytest.fixture(scope="session")
def demo_pdf(demo_report, tmp_path_factory) -> Path:
    """The demo report as LibreOffice prints it."""
    return render_pdf(demo_report[0], tmp_path_factory.mktemp("pdf"), tmp_path_factory.mktemp("lo-profile"))
