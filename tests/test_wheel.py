"""The pure-Python wheel that xlwings Lite installs carries the package data (built with `python -m build`).

The sources (pyproject.toml, README.md, xlfactor/) are copied to a temporary folder and built
there without build isolation (setuptools and wheel come from the test extra), so the test
needs no network and leaves the checkout untouched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import xlfactor

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA = [
    *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "xlfactor/data/snapshot").glob("*.csv.gz")),
    "xlfactor/data/snapshot/SOURCES.md",
    "xlfactor/excel/classic/customUI.xml",
    "xlfactor/excel/classic/XlfactorRibbon.bas",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "xlfactor", src / "xlfactor", ignore=shutil.ignore_patterns("__pycache__"))
    out = src / "dist"
    cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    (built,) = out.glob("*.whl")
    return built


def test_wheel_is_pure_python_and_carries_the_package_data(wheel):
    assert wheel.name == f"xlfactor-{xlfactor.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert "Root-Is-Purelib: true" in z.read(f"xlfactor-{xlfactor.__version__}.dist-info/WHEEL").decode()
        # 11 snapshot files (US 7 with the industries, Developed 2, Europe 2), SOURCES.md and the ribbon's 2
        assert len(PACKAGE_DATA) == 14 and not [n for n in names if n.endswith((".so", ".pyd"))]
        for name in PACKAGE_DATA:
            assert z.read(name) == (ROOT / name).read_bytes(), name  # byte-exact (the .bas keeps its CRLF)
        modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "xlfactor").rglob("*.py")}
        assert modules <= names


def test_lite_requirements_install_that_wheel_and_keep_what_lite_needs(wheel):
    lines = [
        line.strip()
        for line in (ROOT / "install/lite/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    urls = [line for line in lines if "://" in line]
    assert len(urls) == 1 and urls[0].startswith("https://") and urls[0].endswith("/" + wheel.name)
    assert "xlfactor" not in lines  # not on PyPI: the bare name cannot install
    assert {"xlwings", "python-dotenv", "pyodide-http", "black", "sqlite3"} <= set(lines)


def test_numba_is_required_everywhere_but_pyodide(wheel):
    """xlwings Lite's Pyodide (platform_system Emscripten) has no JIT compiler: the wheel must not ask micropip
    for numba there (the numpy kernels serve), and must require it on desktops and servers."""
    from packaging.requirements import Requirement

    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(f"xlfactor-{xlfactor.__version__}.dist-info/METADATA").decode()
    (numba,) = [
        Requirement(line.split(":", 1)[1].strip())
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and line.split(":", 1)[1].strip().startswith("numba")
    ]
    assert numba.marker is not None
    assert not numba.marker.evaluate({"platform_system": "Emscripten", "sys_platform": "emscripten"})
    for system in ("Linux", "Windows", "Darwin"):
        assert numba.marker.evaluate({"platform_system": system})
