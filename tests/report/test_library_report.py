"""``xlfactor report --model SY4``: another library's model in the report, fetched from a mirror on 127.0.0.1."""

from __future__ import annotations

from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.cli import main
from xlfactor.data import refresh_factors


def test_report_on_stambaugh_yuan_factors(tmp_path, capsys, library_mirror):
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
    vintage = any(c.startswith("2017-04-04") for c in cells)  # a date cell reads 2017-04-04 00:00:00
    assert "Stambaugh" in cells and vintage  # the methodology sheet's Database and Vintage rows
    assert any(c.startswith("SY4 monthly: downloaded from http://127.0.0.1") for c in cells)
    assert {"MGMT", "PERF"} <= set(cells)
