"""The classic add-in against the real xlwings template: where its VBA reads settings, what
``xlfactor install`` writes there, the VBA dispatcher's file format and ribbon callbacks.

The template's VBA is read with oletools' olevba (the real ``vbaProject.bin`` of xlwings'
``quickstart_addin_ribbon.xlam``); the written settings are read back with openpyxl. Only the
COM part of ``xlfactor install`` (VBA import, ``ImportPythonUDFsToAddin``) needs Windows and
Excel and is not run here.
"""

from __future__ import annotations

import inspect
import io
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.excel import install

ROOT = Path(__file__).resolve().parents[2]
BAS = install.CLASSIC_DIR / install.VBA_MODULE
ADDIN_TYPE = b"application/vnd.ms-excel.addin.macroEnabled.main+xml"
XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def vba_modules(path: Path) -> dict[str, str]:
    """Module name -> VBA source of a workbook's VBA project (olevba)."""
    with warnings.catch_warnings():  # oletools 0.60 uses pyparsing names pyparsing 3 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def procedure(source: str, name: str) -> str:
    """The text of one Sub/Function of a VBA module, up to its End line."""
    match = re.search(
        rf"^(?:Public |Private )?(Function|Sub) {name}\b.*?^End \1", source, flags=re.MULTILINE | re.DOTALL
    )
    assert match, f"{name} not found"
    return match.group(0)


def read_settings(xlam: Path) -> openpyxl.Workbook:
    """The add-in opened with openpyxl (which refuses the add-in content type, so it is renamed in a copy)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(xlam) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data.replace(ADDIN_TYPE, XLSM_TYPE) if item.filename == "[Content_Types].xml" else data)
    return openpyxl.load_workbook(buffer)


@pytest.fixture(scope="module")
def template_vba() -> dict[str, str]:
    return vba_modules(install.TEMPLATE)


def test_template_vba_reads_settings_from_the_project_name_conf_sheet(template_vba):
    xlwings_module = template_vba["xlwings"]
    assert install.project_name(xlwings_module) == install.TEMPLATE_PROJECT_NAME
    assert install.CONF_SHEET == "myaddin.conf"
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in procedure(xlwings_module, "GetConfigFromSheet")
    get_config = procedure(xlwings_module, "GetConfig")
    assert 'If SheetExists(ThisWorkbook, PROJECT_NAME & ".conf") = True Then' in get_config
    assert "d.Add UCase(cell.Value), cell.Offset(0, 1).Value" in procedure(xlwings_module, "GetConfigFromSheet")
    # the add-in imports the UDFs of GetConfig("UDF MODULES") and starts GetConfig("INTERPRETER_WIN")
    assert "Set wb = ThisWorkbook" in procedure(xlwings_module, "ImportPythonUDFsBase")
    assert 'GetUdfModules = GetConfig("UDF MODULES")' in procedure(xlwings_module, "GetUdfModules")
    assert 'interpreter = GetConfig("INTERPRETER_WIN", "")' in procedure(xlwings_module, "RunPython")
    # the template ships the sheet disabled: its VBA never reads "_myaddin.conf"
    with zipfile.ZipFile(install.TEMPLATE) as z:
        assert b'<sheet name="_myaddin.conf"' in z.read("xl/workbook.xml")


def test_get_config_needs_an_active_workbook_so_configure_opens_one(template_vba):
    """GetConfig falls through to GetFullName(ActiveWorkbook), which reads wb.FullName: with only
    the add-in open, ActiveWorkbook is Nothing (run-time error 91). _configure adds a blank book first."""
    xlwings_module = template_vba["xlwings"]
    assert 'If GetFullName(ActiveWorkbook) <> "" Then' in procedure(xlwings_module, "GetConfig")
    assert "wb.FullName" in procedure(xlwings_module, "GetFullName")
    assert 'GetConfig("CONDA PATH")' in procedure(xlwings_module, "ImportPythonUDFsBase")
    source = inspect.getsource(install._configure)
    assert source.index("app.books.add()") < source.index("app.books.open(") < source.index("ImportPythonUDFsToAddin")


def test_install_writes_settings_where_the_template_reads_them(tmp_path):
    interpreter = r"C:\Users\ana\venvs\xlf\Scripts\pythonw.exe"
    target = install.assemble_xlam(tmp_path / "xlfactor.xlam", values=install.settings(interpreter))
    book = read_settings(target)
    assert book.sheetnames == [install.CONF_SHEET]
    rows = list(book[install.CONF_SHEET].iter_rows(values_only=True))
    keys = [r[0] for r in rows]
    assert None not in keys  # GetConfigFromSheet reads A1 down to the first blank
    config = {str(r[0]).upper(): r[1] for r in rows}  # what the VBA's dictionary holds
    assert config["UDF MODULES"] == "xlfactor.excel.functions"
    assert config["INTERPRETER_WIN"] == interpreter
    assert config["SHOW CONSOLE"] is False and config["CONDA PATH"] is None  # template entries kept
    assert keys == [r[0] for r in read_settings(install.TEMPLATE)["_myaddin.conf"].iter_rows(values_only=True)][:9]
    with zipfile.ZipFile(target) as z, zipfile.ZipFile(install.TEMPLATE) as t:
        assert z.read("xl/vbaProject.bin") == t.read("xl/vbaProject.bin")
        assert z.read(install.CUSTOM_UI_PART) == (install.CLASSIC_DIR / "customUI.xml").read_bytes()
        assert sorted(z.namelist()) == sorted(t.namelist())
    assert vba_modules(target)["xlwings"] == vba_modules(install.TEMPLATE)["xlwings"]


def test_settings_are_rewritten_not_duplicated(tmp_path):
    first = install.assemble_xlam(tmp_path / "a.xlam", values=install.settings(r"C:\a\pythonw.exe"))
    again = install.assemble_xlam(tmp_path / "b.xlam", template=first, values={"udf modules": "other", "New Key": "x"})
    rows = list(read_settings(again)[install.CONF_SHEET].iter_rows(values_only=True))
    assert [r for r in rows if str(r[0]).upper() == "UDF MODULES"] == [("UDF Modules", "other")]
    assert rows[-1] == ("New Key", "x") and ("Interpreter_Win", r"C:\a\pythonw.exe") in rows


def test_template_without_conf_sheet_is_refused(tmp_path):
    with zipfile.ZipFile(install.TEMPLATE) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"_myaddin.conf", b"Sheet1")
    with pytest.raises(XLFactorError, match="no sheet 'myaddin.conf'"):
        install.write_settings(parts, install.settings(r"C:\p\pythonw.exe"))
    with pytest.raises(XLFactorError, match="declares no PROJECT_NAME"):
        install.project_name('Public Const XLWINGS_VERSION As String = "0.37.8"')


@pytest.mark.parametrize(
    ("python", "pythonw"),
    [(r"C:\Users\ana\venvs\xlf\Scripts\python.exe", r"C:\Users\ana\venvs\xlf\Scripts\pythonw.exe"),
     (r"C:\Program Files\Python311\python.exe", r"C:\Program Files\Python311\pythonw.exe")],
)  # fmt: skip
def test_interpreter_is_the_pythonw_of_the_running_python(python, pythonw):
    assert install.pythonw(python) == pythonw


def test_vba_dispatcher_ships_with_crlf_and_git_keeps_it():
    raw = BAS.read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    if shutil.which("git") and (ROOT / ".git").exists():
        out = subprocess.run(["git", "check-attr", "text", "--", str(BAS.relative_to(ROOT))], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert out.strip().endswith("text: unset"), out  # git never converts its line endings


def test_every_ribbon_callback_exists_in_the_vba_with_the_ribbon_signature(template_vba):
    lines = BAS.read_bytes().decode("ascii").split("\r\n")
    subs = {
        m.group(1) for line in lines if (m := re.fullmatch(r"(?:Public )?Sub (\w+)\(control As IRibbonControl\)", line))
    }
    callbacks = {
        el.get("onAction") for el in ET.parse(install.CLASSIC_DIR / "customUI.xml").iter() if el.get("onAction")
    }
    assert callbacks and callbacks <= subs, callbacks - subs
    # no name clash with the template's own procedures (an ambiguous name would not compile)
    for module, source in template_vba.items():
        assert not any(re.search(rf"^(?:Public |Private )?(?:Sub|Function) {c}\b", source, re.M) for c in callbacks), (
            module
        )
