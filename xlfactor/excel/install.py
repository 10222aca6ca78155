"""``xlfactor install``: assemble and register the classic desktop add-in ``xlfactor.xlam`` (Windows + Excel).

Steps (:func:`plan` describes them, :func:`install` runs them):

1. copy xlwings' ribbon add-in template (``quickstart_addin_ribbon.xlam``, what
   ``xlwings quickstart --addin --ribbon`` uses) and replace its ribbon XML with
   ``xlfactor/excel/classic/customUI.xml`` (:func:`assemble_xlam`, plain zip editing), and write
   the add-in's settings into the sheet the template's VBA reads (:func:`write_settings`):
   ``UDF Modules`` = ``xlfactor.excel.functions`` and ``Interpreter_Win`` = the ``pythonw.exe``
   beside the Python running the command;
2. open it in Excel (COM) with a blank workbook active, import the VBA dispatcher
   ``xlfactor/excel/classic/XlfactorRibbon.bas``, run the template's ``ImportPythonUDFsToAddin``
   macro, save;
3. register it with ``xlwings addin install --file xlfactor.xlam`` (copies it to XLSTART).

Where the settings go: the template's VBA (module ``xlwings``) declares
``Public Const PROJECT_NAME As String = "myaddin"`` and its ``GetConfigFromSheet`` reads
``wb.Sheets(PROJECT_NAME & ".conf")``, i.e. the sheet ``myaddin.conf``. The template ships that
sheet disabled as ``_myaddin.conf``; :func:`write_settings` renames it. Steps 1 and 3 are plain
file work; only step 2 needs Windows, Excel and its "Trust access to the VBA project object
model" option. On any other system :func:`install` prints the plan and returns 1.
"""

from __future__ import annotations

import ntpath
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import xlwings

from xlfactor.errors import XLFactorError

CLASSIC_DIR = Path(__file__).resolve().parent / "classic"
CUSTOM_UI = "customUI.xml"
VBA_MODULE = "XlfactorRibbon.bas"
TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
ADDIN_NAME = "xlfactor.xlam"
UDF_MODULE = "xlfactor.excel.functions"
LEGACY_UDF_MODULE = "xlfactor.excel.legacy_functions"
CUSTOM_UI_PART = "customUI/customUI.xml"
# The template's VBA constant PROJECT_NAME (checked against the template in tests/excel/test_classic_install.py,
# and against the opened add-in by _configure); its GetConfigFromSheet reads the sheet PROJECT_NAME & ".conf".
TEMPLATE_PROJECT_NAME = "myaddin"
CONF_SHEET = f"{TEMPLATE_PROJECT_NAME}.conf"
UDF_MODULES_KEY = "UDF Modules"
INTERPRETER_KEY = "Interpreter_Win"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS = {"m": _MAIN}


def classic_file(name: str) -> Path:
    """A file of the classic add-in shipped in the package (``xlfactor/excel/classic``)."""
    path = CLASSIC_DIR / name
    if not path.is_file():
        raise XLFactorError(f"install: {path} not found; reinstall xlfactor (the package data is incomplete)")
    return path


def pythonw(executable: str = sys.executable) -> str:
    """The ``pythonw.exe`` beside ``executable`` (a Windows path): the interpreter Excel should start.

    A venv's ``Scripts\\python.exe`` and a base install's ``python.exe`` both have ``pythonw.exe``
    beside them; Excel uses it so that no console window opens.
    """
    return ntpath.join(ntpath.dirname(executable), "pythonw.exe")


def settings(interpreter: str, legacy_arrays: bool = False) -> dict[str, str]:
    """The add-in settings ``xlfactor install`` writes: the UDF module (the legacy-array one for an Excel
    without dynamic arrays, :mod:`xlfactor.excel.legacy_functions`) and the interpreter."""
    return {UDF_MODULES_KEY: LEGACY_UDF_MODULE if legacy_arrays else UDF_MODULE, INTERPRETER_KEY: interpreter}


def dynamic_arrays_available() -> bool:
    """Whether the Excel that xlwings starts has dynamic arrays (Windows only): the test xlwings' UDF
    server makes (``udfs.has_dynamic_array``), calling the dynamic-array function UNIQUE."""
    with xlwings.App(visible=False, add_book=False) as app:
        try:
            app.api.WorksheetFunction.Unique("dummy")
        except Exception:  # noqa: BLE001 - AttributeError or a COM error: no dynamic arrays
            return False
        return True


def plan(target: Path, interpreter: str, legacy_arrays: bool = False) -> list[str]:
    """The install steps, in words."""
    module = settings(interpreter, legacy_arrays)[UDF_MODULES_KEY]
    return [
        f"copy the xlwings ribbon add-in template {TEMPLATE} to {target} with the xlfactor ribbon ({CUSTOM_UI}); "
        f"in its sheet {CONF_SHEET} set {UDF_MODULES_KEY} = {module} and {INTERPRETER_KEY} = {interpreter}"
        + (" (Excel without dynamic arrays: results as legacy array formulas)" if legacy_arrays else ""),
        f"open it in Excel (with a blank workbook active), import the VBA dispatcher {VBA_MODULE} (needs 'Trust "
        "access to the VBA project object model') and import the FM_ functions (ImportPythonUDFsToAddin)",
        f"register it: xlwings addin install --file {target}",
    ]


def _conf_sheet_part(parts: dict[str, bytes]) -> tuple[str, str]:
    """(current name, zip part) of the template's config sheet: the one named ``[_]<PROJECT_NAME>.conf``."""
    book = ET.fromstring(parts["xl/workbook.xml"])
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target") for r in rels.findall(f"{{{_PKG_REL}}}Relationship")}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        if sheet.get("name").lstrip("_") == CONF_SHEET:
            return sheet.get("name"), "xl/" + targets[sheet.get(f"{{{_REL}}}id")].lstrip("/").removeprefix("xl/")
    raise XLFactorError(f"install: the add-in template has no sheet {CONF_SHEET!r}; xlwings changed its template")


def _read_conf_rows(sheet_xml: bytes, shared_xml: bytes | None) -> list[tuple[str, str | bool | None]]:
    """Column A (key) and B (value) of the config sheet, top down, as the VBA reads them."""
    shared = []
    if shared_xml is not None:
        shared = ["".join(si.itertext()) for si in ET.fromstring(shared_xml).findall("m:si", _NS)]
    cells: dict[str, str | bool | None] = {}
    for cell in ET.fromstring(sheet_xml).iter(f"{{{_MAIN}}}c"):
        kind, value = cell.get("t"), cell.findtext("m:v", namespaces=_NS)
        if kind == "s":
            cells[cell.get("r")] = shared[int(value)]
        elif kind == "b":
            cells[cell.get("r")] = value == "1"
        elif kind == "inlineStr":
            cells[cell.get("r")] = "".join(cell.find("m:is", _NS).itertext())
        else:
            cells[cell.get("r")] = value
    rows = []
    row = 1
    while cells.get(f"A{row}") not in (None, ""):  # GetConfigFromSheet: A1 down to the first blank
        rows.append((str(cells[f"A{row}"]), cells.get(f"B{row}")))
        row += 1
    return rows


def _cell(ref: str, value: str | bool) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" s="1" t="b"><v>{int(value)}</v></c>'
    return f'<c r="{ref}" s="1" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def write_settings(parts: dict[str, bytes], values: dict[str, str]) -> dict[str, bytes]:
    """The workbook parts with ``values`` written where the template's VBA reads its settings.

    The config sheet is renamed from ``_<PROJECT_NAME>.conf`` to ``<PROJECT_NAME>.conf`` and
    rewritten as one contiguous block of key/value rows from A1 (``GetConfigFromSheet`` reads
    ``A1`` down to ``End(xlDown)`` and upper-cases the keys): the template's keys in their order,
    each key of ``values`` replacing the value of the same key (compared case-insensitively),
    new keys appended. Plain XML editing of the zip parts, so it runs (and is tested) anywhere.
    """
    name, part = _conf_sheet_part(parts)
    rows = _read_conf_rows(parts[part], parts.get("xl/sharedStrings.xml"))
    pending = {key.upper(): (key, value) for key, value in values.items()}
    merged = [(key, pending.pop(key.upper())[1] if key.upper() in pending else value) for key, value in rows]
    merged += list(pending.values())
    xml_rows = "".join(
        f'<row r="{i}">{_cell(f"A{i}", key)}{"" if value in (None, "") else _cell(f"B{i}", value)}</row>'
        for i, (key, value) in enumerate(merged, 1)
    )
    sheet = parts[part].decode("utf-8")
    block = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", flags=re.DOTALL)
    sheet, found = block.subn(lambda _: f"<sheetData>{xml_rows}</sheetData>", sheet, count=1)
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:B{len(merged)}"/>', sheet, count=1)
    book = parts["xl/workbook.xml"].decode("utf-8")
    book = book.replace(f"<sheet name={quoteattr(name)}", f"<sheet name={quoteattr(CONF_SHEET)}", 1)
    if not found or f"<sheet name={quoteattr(CONF_SHEET)}" not in book:
        raise XLFactorError(f"install: could not rewrite the template's sheet {name!r}; xlwings changed its template")
    return {**parts, part: sheet.encode("utf-8"), "xl/workbook.xml": book.encode("utf-8")}


def assemble_xlam(
    target: Path, template: Path = TEMPLATE, custom_ui: Path | None = None, values: dict[str, str] | None = None
) -> Path:
    """Copy ``template`` to ``target`` with its ribbon XML replaced by ``custom_ui`` and, when given,
    the add-in settings ``values`` written (:func:`write_settings`). Zip editing, no Excel."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(template) as src:
        items = src.infolist()
        parts = {item.filename: src.read(item.filename) for item in items}
    parts[CUSTOM_UI_PART] = (custom_ui or classic_file(CUSTOM_UI)).read_bytes()
    if values:
        parts = write_settings(parts, values)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in items:
            dst.writestr(item, parts[item.filename])
    return target


def project_name(vba_source: str) -> str:
    """The ``PROJECT_NAME`` constant declared in the template's VBA (module ``xlwings``)."""
    match = re.search(r'^\s*Public Const PROJECT_NAME As String = "([^"]+)"', vba_source, flags=re.MULTILINE)
    if match is None:
        raise XLFactorError("install: the add-in's VBA declares no PROJECT_NAME; xlwings changed its template")
    return match.group(1)


def excel_available() -> bool:
    """True on Windows with pywin32 and an Excel installation xlwings can start."""
    if not sys.platform.startswith("win"):
        return False
    try:
        return "excel" in [e.name for e in xlwings.engines]
    except Exception:  # noqa: BLE001 - any COM failure means: no usable Excel
        return False


def _configure(xlam: Path) -> None:
    """Open the add-in in Excel, add the VBA dispatcher and the UDFs, save (Windows only).

    A blank workbook is opened first and stays active: the template's ``GetConfig`` falls
    through to its directory layer (``GetFullName(ActiveWorkbook)``, which reads
    ``wb.FullName``) for every key its config sheet lacks, and an add-in never becomes the
    active workbook, so with nothing else open ``ActiveWorkbook`` is ``Nothing`` and the
    import stops with run-time error 91.
    """
    with xlwings.App(visible=False, add_book=False) as app:
        scratch = app.books.add()
        book = app.books.open(str(xlam))
        module = book.api.VBProject.VBComponents("xlwings").CodeModule
        declared = project_name(module.Lines(1, module.CountOfLines))
        if declared != TEMPLATE_PROJECT_NAME:
            raise XLFactorError(
                f"install: the template's VBA reads its settings from {declared}.conf, not {CONF_SHEET}; "
                "this xlfactor does not match the installed xlwings"
            )
        book.api.VBProject.VBComponents.Import(str(classic_file(VBA_MODULE)))
        book.macro("ImportPythonUDFsToAddin")()
        book.save()
        book.close()
        scratch.close()


def install(target_dir: Path | None = None, legacy_arrays: bool | None = None) -> int:
    """Build and register ``xlfactor.xlam``; elsewhere than Windows with Excel, explain and return 1.

    ``legacy_arrays``: results as legacy array formulas (:mod:`xlfactor.excel.legacy_functions`);
    None (default) decides from the Excel installed (:func:`dynamic_arrays_available`).
    """
    target = (target_dir or Path(tempfile.gettempdir()) / "xlfactor-addin") / ADDIN_NAME
    on_windows = sys.platform.startswith("win")
    interpreter = pythonw() if on_windows else "the pythonw.exe beside the python.exe running xlfactor install"
    available = excel_available()
    if legacy_arrays is None:
        legacy_arrays = available and not dynamic_arrays_available()
    steps = plan(target, interpreter, legacy_arrays)
    if not available:
        print("xlfactor install sets up the classic Excel add-in and needs Windows with Excel installed.")
        print("On this system nothing was changed. On Windows it would:")
        for i, step in enumerate(steps, 1):
            print(f"  {i}. {step}")
        print(
            "For Excel on the web or macOS use xlwings Lite (the files in install/lite of the source repository) "
            "or xlwings Server (xlfactor server init DIR); see the README, 'Use it in Excel'."
        )
        return 1
    for i, step in enumerate(steps, 1):
        print(f"{i}. {step}")
    if not Path(interpreter).is_file():
        raise XLFactorError(f"install: {interpreter} not found; run xlfactor install from a Python with pythonw.exe")
    assemble_xlam(target, values=settings(interpreter, legacy_arrays))
    _configure(target)
    xlwings_cli = shutil.which("xlwings") or "xlwings"
    subprocess.run([xlwings_cli, "addin", "install", "--file", str(target)], check=True)
    print(f"Installed {ADDIN_NAME}; restart Excel to see the xlfactor tab.")
    return 0
