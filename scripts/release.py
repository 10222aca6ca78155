"""Build every release file of xlfactor with one command, into one folder, with a checksum list.

    python scripts/release.py --base-url https://HOST/PATH [--out dist/release]

``--base-url`` is where the files will be served over HTTPS (a GitHub release's download URL, an
intranet web server with CORS for Excel on the web); it goes into the xlwings Lite requirements and the
server template, which install the wheel from there. The folder then holds:

* ``xlfactor-<v>-py3-none-any.whl`` and ``xlfactor-<v>.tar.gz``: the package (``pip install`` either);
* ``xlfactor-<v>-lite.zip``: ``requirements.txt`` (the wheel's URL) and ``main.py`` for xlwings Lite;
* ``xlfactor-<v>-server-template.zip``: the project ``xlfactor server init`` writes (without its
  ``.env``, which holds a secret key) with a ``requirements.txt`` and ``README.txt``;
* ``xlfactor-<v>-classic-addin.zip``: ``xlfactor.xlam`` with the xlfactor ribbon (the settings and
  the FM_ functions are added by ``xlfactor install`` on the user's Windows machine), the ribbon's
  ``customUI.xml`` and VBA module ``XlfactorRibbon.bas``, and ``README.txt``;
* ``SHA256SUMS``: ``sha256sum -c SHA256SUMS`` checks every file.

Runs offline (``python -m build --no-isolation``: setuptools and wheel from the test extra; the server
template needs ``xlwings-server``). Any failure stops it with a message and exit status 1.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LITE = ROOT / "install" / "lite"
URL_LINE = re.compile(r"^https://\S+\.whl$", re.MULTILINE)
SERVER_README = """xlfactor {v}: xlwings Server project template

project/ is what `xlfactor server init DIR` writes: xlwings Server serving the FM_ functions (namespace
XLFACTOR) and the xlfactor ribbon. It has no .env: that file holds the server's secret key and is made
for each installation. To set up a server:

    pip install -r requirements.txt
    xlfactor server init myproject      # a fresh project like project/, with its own .env and manifest IDs
    cd myproject && xlwings-server

then sideload the manifest it serves at /manifest.xml (README, section "xlwings Server").
"""
CLASSIC_README = """xlfactor {v}: classic Excel add-in (Windows, Excel 2016 or later)

    pip install {wheel}       (or the wheel's URL: {url}/{wheel})
    xlfactor install

`xlfactor install` writes its settings (your pythonw.exe) into xlfactor.xlam, imports the ribbon module
and the FM_ functions into it through Excel, and registers it: restart Excel to see the xlfactor tab.
xlfactor.xlam here already carries the ribbon (customUI.xml); XlfactorRibbon.bas is the ribbon's VBA module.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="HTTPS folder the release files will be served from")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "release", help="output folder (emptied)")
    args = parser.parse_args(argv)
    try:
        files = build_release(args.base_url, args.out)
    except (ReleaseError, subprocess.CalledProcessError, OSError) as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    for path in files:
        print(f"{path.stat().st_size:>10,}  {path.name}")
    return 0


class ReleaseError(Exception):
    """A release file could not be built."""


def build_release(base_url: str, out: Path) -> list[Path]:
    """Build the release files into ``out`` (emptied first); return them, ``SHA256SUMS`` last."""
    if not re.fullmatch(r"https://[^\s]+[^/\s]", base_url):
        raise ReleaseError(f"--base-url: {base_url!r} must be an https:// URL without a trailing slash")
    out = out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    wheel, sdist = _build_package(out)
    v = wheel.name.split("-")[1]
    files = [
        wheel,
        sdist,
        _lite(out / f"xlfactor-{v}-lite.zip", f"{base_url}/{wheel.name}"),
        _server(out / f"xlfactor-{v}-server-template.zip", f"{base_url}/{wheel.name}", v),
        _classic(out / f"xlfactor-{v}-classic-addin.zip", wheel.name, base_url, v),
    ]
    sums = out / "SHA256SUMS"
    sums.write_text("".join(f"{_sha256(p)}  {p.name}\n" for p in files), encoding="ascii")
    return [*files, sums]


def _build_package(out: Path) -> tuple[Path, Path]:
    """The wheel and the sdist, built from a clean copy of the sources (the checkout is left untouched)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, src / name)
        shutil.copytree(ROOT / "xlfactor", src / "xlfactor", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        command = [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(out),
            str(src),
        ]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            raise ReleaseError(f"python -m build failed:\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1 or not wheels[0].name.endswith("-py3-none-any.whl"):
        raise ReleaseError(f"expected one pure-Python wheel and one sdist, got {[p.name for p in out.iterdir()]}")
    return wheels[0], sdists[0]


def lite_requirements(wheel_url: str) -> str:
    """``install/lite/requirements.txt`` with its wheel line pointing at ``wheel_url``."""
    text = (LITE / "requirements.txt").read_text(encoding="utf-8")
    if len(URL_LINE.findall(text)) != 1:
        raise ReleaseError("install/lite/requirements.txt must have exactly one https://...whl line")
    return URL_LINE.sub(wheel_url, text)


def _lite(target: Path, wheel_url: str) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("requirements.txt", lite_requirements(wheel_url))
        z.write(LITE / "main.py", "main.py")
    return target


def _server(target: Path, wheel_url: str, v: str) -> Path:
    from xlfactor.excel.server_project import init_project

    with tempfile.TemporaryDirectory() as tmp:
        project = init_project(Path(tmp) / "project")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(project.rglob("*")):
                if path.is_file() and path.name != ".env":  # the secret key is made per installation
                    z.write(path, f"project/{path.relative_to(project).as_posix()}")
            z.writestr("requirements.txt", f"xlwings-server>={version('xlwings-server')}\n{wheel_url}\n")
            z.writestr("README.txt", SERVER_README.format(v=v))
    return target


def _classic(target: Path, wheel: str, base_url: str, v: str) -> Path:
    from xlfactor.excel.install import ADDIN_NAME, CUSTOM_UI, VBA_MODULE, assemble_xlam, classic_file

    with tempfile.TemporaryDirectory() as tmp:
        xlam = assemble_xlam(Path(tmp) / ADDIN_NAME)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(xlam, ADDIN_NAME)
            z.write(classic_file(CUSTOM_UI), CUSTOM_UI)
            z.write(classic_file(VBA_MODULE), VBA_MODULE)
            z.writestr("README.txt", CLASSIC_README.format(v=v, wheel=wheel, url=base_url))
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
