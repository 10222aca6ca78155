"""``xlfactor report --model SY4``: another library's model in the report, fetched from a mirror on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.cli import main
from xlfactor.data import refresh_factors, reset_state
from xlfactor.data.sources import SOURCES

sys.path.insert(0, str(Path(__file__).parents[1] / "data_layer"))  # french_server.py, shared with the data tests
from french_server import running_server  # noqa: E402


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("XLFACTOR_DATA_DIR", str(tmp_path / "data"))
    reset_state()
    with running_server() as server:
        for source in SOURCES.values():
            monkeypatch.setenv(source.env_var, server.base_url)
        server.serve_libraries()
        yield server
    reset_state()


def test_report_on_stambaugh_yuan_factors(tmp_path, capsys, mirror):
    industries = xf.industry_portfolios().loc["2007-01":"2016-12", ["NoDur", "Manuf", "BusEq", "Hlth"]]
    industries.rename_axis("Date").to_csv(tmp_path / "returns.csv")
    (tmp_path / "weights.csv").write_text("asset,weight\nNoDur,0.4\nManuf,0.3\nBusEq,0.2\nHlth,0.1\n")
    args = ["report", str(tmp_path / "returns.csv"), "--weights", str(tmp_path / "weights.csv")]
    assert main([*args, "-o", str(tmp_path / "none.xlsx"), "--model", "sy4"]) == 2
    assert "SY4 monthly data are not stored yet" in capsys.readouterr().err
    refresh_factors("SY4", "M")
    assert main([*args, "-o", str(tmp_path / "out.xlsx"), "--model", "sy4"]) == 0, capsys.readouterr().err
    book = load_workbook(tmp_path / "out.xlsx")
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Stambaugh" in cells and "2017-04-04" in cells  # the methodology sheet's Database and Vintage rows
    assert any(c.startswith("SY4 monthly: downloaded from http://127.0.0.1") for c in cells)
    assert {"MGMT", "PERF"} <= set(cells)
