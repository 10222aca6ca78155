"""``xlfactor install``: assemble and register the classic desktop add-in ``xlfactor.xlam`` (Windows + Excel).

Steps (:func:`plan` describes them, :func:`install` runs them):

1. copy xlwings' ribbon add-in template (``quickstart_addin_ribbon.xlam``, what
   ``xlwings quickstart --addin --ribbon`` uses) and replace its ribbon XML with
   ``xlfactor/excel/classic/customUI.xml`` (:func:`assemble_xlam`, plain zip editing);
2. open it in Excel (COM), import the VBA dispatcher ``xlfactor/excel/classic/XlfactorRibbon.bas``,
   set the add-in's "UDF Modules" to ``xlfactor.excel.functions`` and run the template's
   ``ImportPythonUDFsToAddin`` macro, save;
3. register it with ``xlwings addin install --file xlfactor.xlam`` (copies it to XLSTART).

Step 2 needs Excel's "Trust access to the VBA project object model" option. On any
other system :func:`install` prints the plan and returns 1.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import xlwings

from xlfactor.errors import XLFactorError

CLASSIC_DIR = Path(__file__).resolve().parent / "classic"
CUSTOM_UI = "customUI.xml"
VBA_MODULE = "XlfactorRibbon.bas"
TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
ADDIN_NAME = "xlfactor.xlam"
UDF_MODULE = "xlfactor.excel.functions"
CUSTOM_UI_PART = "customUI/customUI.xml"


def classic_file(name: str) -> Path:
    """A file of the classic add-in shipped in the package (``xlfactor/excel/classic``)."""
    path = CLASSIC_DIR / name
    if not path.is_file():
        raise XLFactorError(f"install: {path} not found; reinstall xlfactor (the package data is incomplete)")
    return path


def plan(target: Path) -> list[str]:
    """The install steps, in words."""
    return [
        f"copy the xlwings ribbon add-in template {TEMPLATE} to {target} with the xlfactor ribbon ({CUSTOM_UI})",
        f"open it in Excel, import the VBA dispatcher {VBA_MODULE} (needs 'Trust access to the VBA project "
        "object model')",
        f"set the add-in's UDF Modules to {UDF_MODULE} and import the FM_ functions (ImportPythonUDFsToAddin)",
        f"register it: xlwings addin install --file {target}",
    ]


def assemble_xlam(target: Path, template: Path = TEMPLATE, custom_ui: Path | None = None) -> Path:
    """Copy ``template`` to ``target`` with its ribbon XML replaced by ``custom_ui`` (zip edit, no Excel)."""
    ribbon = (custom_ui or classic_file(CUSTOM_UI)).read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, ribbon if item.filename == CUSTOM_UI_PART else src.read(item.filename))
    return target


def excel_available() -> bool:
    """True on Windows with pywin32 and an Excel installation xlwings can start."""
    if not sys.platform.startswith("win"):
        return False
    try:
        return "excel" in [e.name for e in xlwings.engines]
    except Exception:  # noqa: BLE001 - any COM failure means: no usable Excel
        return False


def _configure(xlam: Path) -> None:
    """Open the add-in in Excel, add the VBA dispatcher and the UDFs, save (Windows only)."""
    with xlwings.App(visible=False, add_book=False) as app:
        book = app.books.open(str(xlam))
        book.api.VBProject.VBComponents.Import(str(classic_file(VBA_MODULE)))
        conf = next(s for s in book.sheets if s.name.endswith(".conf"))
        cell = conf.range("A1:A20").value.index("UDF Modules") + 1
        conf.range(f"B{cell}").value = UDF_MODULE
        book.macro("ImportPythonUDFsToAddin")()
        book.save()
        book.close()


def install(target_dir: Path | None = None) -> int:
    """Build and register ``xlfactor.xlam``; elsewhere than Windows with Excel, explain and return 1."""
    target = (target_dir or Path(tempfile.gettempdir()) / "xlfactor-addin") / ADDIN_NAME
    steps = plan(target)
    if not excel_available():
        print("xlfactor install sets up the classic Excel add-in and needs Windows with Excel installed.")
        print("On this system nothing was changed. On Windows it would:")
        for i, step in enumerate(steps, 1):
            print(f"  {i}. {step}")
        print("For Excel on the web or macOS use xlwings Lite (install/lite) or xlwings Server (install/server).")
        return 1
    for i, step in enumerate(steps, 1):
        print(f"{i}. {step}")
    assemble_xlam(target)
    _configure(target)
    xlwings_cli = shutil.which("xlwings") or "xlwings"
    subprocess.run([xlwings_cli, "addin", "install", "--file", str(target)], check=True)
    print(f"Installed {ADDIN_NAME}; restart Excel to see the xlfactor tab.")
    return 0
