"""The README's function table lists every FM_ function, once, in the module that defines it."""

import re
from pathlib import Path

import xlfactor.excel.functions as functions

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_table_lists_every_function_once_with_its_module():
    rows = re.findall(r"^\| [^|]+\(`(\w+)\.py`\) \| `(FM_\w+)` \| (.+) \|$", README.read_text(), re.M)
    listed = [name for _, name, _ in rows]
    assert sorted(listed) == sorted(functions.__all__)
    for module, name, text in rows:
        assert getattr(functions, name).__module__ == f"xlfactor.excel.fm.{module}", name
        assert len(text.strip()) > 20, name
