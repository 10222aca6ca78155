"""Excel without dynamic arrays (2016, 2019): the classic add-in uses xlwings' legacy array mechanism.

Generated as on Windows (``classic_vba.py``: xlwings' classic decorators, pywin32 stubbed): the module
``xlfactor.excel.legacy_functions`` carries every FM_ function with xlwings' ``expand="table"`` return
option, which makes xlwings' UDF server re-enter a formula as a legacy array formula sized to its result
(``xlwings.udfs.call_udf`` -> ``delayed_resize_dynamic_array_formula``), and its VBA wrappers are the same
as those of ``xlfactor.excel.functions``. ``xlfactor install`` writes that module into the add-in's settings
when asked (``--legacy-arrays``) or when the Excel it configures has no dynamic arrays.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_classic_install import read_settings

from xlfactor.excel import install

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _generate(module: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, str(HERE / "classic_vba.py"), module], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def both() -> tuple[dict, dict]:
    return _generate(install.UDF_MODULE), _generate(install.LEGACY_UDF_MODULE)


def test_every_function_gets_xlwings_expand_option(both):
    dynamic, legacy = both
    assert set(legacy["functions"]) == set(dynamic["functions"]) and len(legacy["functions"]) >= 39
    for name, info in legacy["functions"].items():
        assert info["ret"].get("expand") == "table", name
        assert "expand" not in dynamic["functions"][name]["ret"], name  # Excel with dynamic arrays spills natively


def test_the_vba_wrappers_are_the_same(both):
    dynamic, legacy = both
    assert legacy["vba"] == dynamic["vba"].replace(install.UDF_MODULE, install.LEGACY_UDF_MODULE)
    assert install.LEGACY_UDF_MODULE in legacy["vba"]  # the wrappers call the legacy module


def test_install_writes_the_legacy_module_when_asked(tmp_path):
    target = install.assemble_xlam(
        tmp_path / "xlfactor.xlam", values=install.settings(r"C:\env\pythonw.exe", legacy_arrays=True)
    )
    rows = dict(read_settings(target)[install.CONF_SHEET].iter_rows(values_only=True))
    assert rows[install.UDF_MODULES_KEY] == "xlfactor.excel.legacy_functions"
    assert install.settings("x")[install.UDF_MODULES_KEY] == "xlfactor.excel.functions"
    steps = install.plan(target, r"C:\env\pythonw.exe", legacy_arrays=True)
    assert "UDF Modules = xlfactor.excel.legacy_functions" in steps[0] and "legacy array formulas" in steps[0]


def test_install_command_takes_the_option_and_explains_without_excel(capsys):
    from xlfactor.cli import main

    assert main(["install", "--legacy-arrays"]) == 1  # no Excel here: prints the plan, changes nothing
    out = capsys.readouterr().out
    assert "UDF Modules = xlfactor.excel.legacy_functions" in out
