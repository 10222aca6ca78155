"""One command builds the release files (scripts/release.py): wheel, sdist, Lite, server template, classic
add-in, checksums; the wheel installs into a fresh virtual environment and runs from there."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import xlfactor

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://example.invalid/xlfactor/v0.1.0"
V = xlfactor.__version__
WHEEL = f"xlfactor-{V}-py3-none-any.whl"


def _release(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "release.py"), *args], capture_output=True, text=True, cwd=cwd, env=env
    )


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    run = _release("--base-url", BASE, "--out", str(out), cwd=out.parent)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_one_command_builds_every_file_with_checksums(release):
    names = sorted(p.name for p in release.iterdir())
    assert names == sorted(
        [
            WHEEL,
            f"xlfactor-{V}.tar.gz",
            f"xlfactor-{V}-lite.zip",
            f"xlfactor-{V}-server-template.zip",
            f"xlfactor-{V}-classic-addin.zip",
            "SHA256SUMS",
        ]
    )
    lines = (release / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 5
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name


def test_lite_requirements_point_at_the_wheel_url(release):
    with zipfile.ZipFile(release / f"xlfactor-{V}-lite.zip") as z:
        requirements = z.read("requirements.txt").decode()
        assert z.read("main.py") == (ROOT / "install/lite/main.py").read_bytes()
    urls = [line for line in requirements.splitlines() if "://" in line and not line.startswith("#")]
    assert urls == [f"{BASE}/{WHEEL}"]
    source = (ROOT / "install/lite/requirements.txt").read_text().splitlines()
    assert [s for s in source if "://" not in s or s.startswith("#")] == [
        line for line in requirements.splitlines() if "://" not in line or line.startswith("#")
    ]


def test_server_template_has_no_secret_and_installs_the_wheel(release):
    with zipfile.ZipFile(release / f"xlfactor-{V}-server-template.zip") as z:
        names = set(z.namelist())
        assert "project/.env" not in names  # the secret key is made per installation
        assert {"project/custom_functions/__init__.py", "project/templates/manifest.xml", "README.txt"} <= names
        assert f"{BASE}/{WHEEL}" in z.read("requirements.txt").decode().splitlines()
        assert "xlfactor" in z.read("project/custom_functions/__init__.py").decode()


def test_classic_addin_carries_the_ribbon(release):
    from xlfactor.excel.install import CUSTOM_UI_PART, classic_file

    with zipfile.ZipFile(release / f"xlfactor-{V}-classic-addin.zip") as z:
        assert z.read("XlfactorRibbon.bas") == classic_file("XlfactorRibbon.bas").read_bytes()  # CRLF kept
        assert z.read("customUI.xml") == classic_file("customUI.xml").read_bytes()
        xlam = release / "xlfactor.xlam"
        xlam.write_bytes(z.read("xlfactor.xlam"))
    try:
        with zipfile.ZipFile(xlam) as addin:
            assert addin.read(CUSTOM_UI_PART) == classic_file("customUI.xml").read_bytes()
    finally:
        xlam.unlink()


def test_the_wheel_installs_in_a_fresh_environment_and_runs(release, tmp_path):
    """pip installs the released wheel into a new virtual environment (its dependencies from this Python's
    packages, no index) and `xlfactor` runs from that copy, not from the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    # Without PYTHONPATH: a checkout on it (its xlfactor.egg-info) would make pip skip the wheel as installed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(release / WHEEL)]
    subprocess.run(pip, check=True, timeout=300, env=env, cwd=tmp_path)
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import xlfactor; print(xlfactor.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    version = subprocess.run([str(bin_dir / "xlfactor"), "--version"], capture_output=True, text=True, env=env)
    assert version.stdout.strip() == f"xlfactor {V}"


def test_a_bad_base_url_fails_loudly(tmp_path):
    run = _release("--base-url", "http://plain.example/files/", "--out", str(tmp_path / "d"), cwd=tmp_path)
    assert (
        run.returncode == 1 and "release: --base-url: 'http://plain.example/files/' must be an https://" in run.stderr
    )
    assert not (tmp_path / "d").exists()
