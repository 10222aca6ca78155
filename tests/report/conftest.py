"""Shared fixtures: the demo report, built once per test session, and its PDF rendered by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory):
    """``(path, analysis)`` of the demo report written to a temporary folder."""
    import xlfactor as xf

    return xf.build_demo_report(tmp_path_factory.mktemp("demo") / "demo.xlsx")


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


@pytest.fixture(scope="session")
def demo_pdf(demo_report, tmp_path_factory) -> Path:
    """The demo report as LibreOffice prints it."""
    return render_pdf(demo_report[0], tmp_path_factory.mktemp("pdf"), tmp_path_factory.mktemp("lo-profile"))
