"""The other factor libraries (q-factors, Stambaugh-Yuan, DHS, AQR, Barillas-Shanken) end to end: refresh from a
mirror on 127.0.0.1 serving each publisher's layout, validation, storage, load_factors and factor_info.

Expected values are read from the served files independently of xlfactor's parsers (pandas / openpyxl).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from french_server import Route
from library_files import LIBRARY_DIR, library_bytes

from xlfactor.cli.wording import COMMAND_LINE
from xlfactor.data import factor_info, load_factors, refresh_factors
from xlfactor.data.cache import wanted_models
from xlfactor.data.library import LIBRARY_DATASETS
from xlfactor.errors import XLFactorError
from xlfactor.excel.guard import ExcelWording

Q5_FILE = "q5_factors_monthly_2019.csv"
AQR_FILE = "The-Devil-in-HMLs-Details-Factors-Monthly.xlsx"


def _q5_expected() -> pd.DataFrame:
    table = pd.read_csv(io.BytesIO(library_bytes(Q5_FILE)))
    index = pd.to_datetime(dict(year=table["year"], month=table["month"], day=1)) + pd.offsets.MonthEnd(0)
    out = table[["R_MKT", "R_ME", "R_IA", "R_ROE", "R_EG", "R_F"]].set_axis(
        ["MKT", "ME", "IA", "ROE", "EG", "RF"], axis=1
    )
    return (out / 100).set_axis(pd.DatetimeIndex(index, name="date"))


def test_q5_refresh_walks_back_to_the_newest_year_and_loads_decimals_equal_to_the_file(library_server):
    report = refresh_factors("Q5", "M")
    (result,) = report.results
    assert (result.dataset, result.status, result.vintage, result.rows) == ("q5_monthly", "updated", "2019", 636)
    assert result.message == "first download: global-q 2019, 636 rows"
    tried = [name for name, _ in library_server.log]
    this_year = dt.date.today().year
    assert tried == [f"q5_factors_monthly_{y}.csv" for y in range(this_year, 2018, -1)]
    assert [status for _, status in library_server.log] == [404] * (this_year - 2019) + [200]

    q5 = load_factors("Q5", "M")
    pd.testing.assert_frame_equal(q5, _q5_expected(), check_freq=False, rtol=0, atol=1e-15)
    assert list(load_factors("Q4", "M").columns) == ["MKT", "ME", "IA", "ROE", "RF"]
    # q5's first month is January 1967; its MKT is French's Mkt-RF for that month up to vintage rounding
    assert q5.index[0] == pd.Timestamp("1967-01-31") and q5.iloc[0]["MKT"] == pytest.approx(0.081603, abs=1e-12)
    french = load_factors("FF3", "M").loc["1967-01-31", "Mkt-RF"]
    assert french == pytest.approx(0.0815) and abs(q5.iloc[0]["MKT"] - french) < 0.0002
    common = q5.index.intersection(load_factors("FF3", "M").index)
    corr = np.corrcoef(q5.loc[common, "MKT"], load_factors("FF3", "M").loc[common, "Mkt-RF"])[0, 1]
    assert corr > 0.995  # the same market excess return, two computations

    info = factor_info("Q5", "M")
    assert info["vintage"] == "2019" and info["database"] == "global-q" and info["origin"] == "download"
    assert "Hou, K., C. Xue and L. Zhang (2015)" in info["citation"] and "global-q.org" in info["source"]
    assert "no redistribution licence" in info["licence"]
    assert info["column_sources"]["IA"] == "global-q (q5_factors_monthly_<year>.csv)"
    assert "Source: global-q; cite Hou" in info["summary"]


def test_second_refresh_asks_conditionally_and_a_same_year_revision_is_refused(library_server):
    refresh_factors("Q5", "M")
    library_server.log.clear()
    (result,) = refresh_factors("Q5", "M").results
    assert result.status == "unchanged" and result.message == "same file as stored (sha256 matches)"
    # the stored year bounds the walk: nothing older than 2019 is asked for
    assert library_server.log[-1] == (Q5_FILE, 200) and all(n >= Q5_FILE for n, _ in library_server.log)

    text = library_bytes(Q5_FILE).decode().splitlines()
    text[100] = text[100].replace(text[100].split(",")[3], f"{float(text[100].split(',')[3]) + 0.01:.4f}", 1)
    library_server.routes[Q5_FILE] = Route("\n".join(text).encode())
    before = load_factors("Q5", "M")
    with pytest.warns(RuntimeWarning, match="q5_monthly"):
        (result,) = refresh_factors("Q5", "M").results
    assert result.status == "failed"
    assert "although the global-q vintage (2019) is unchanged" in result.message
    pd.testing.assert_frame_equal(load_factors("Q5", "M"), before)


def test_a_file_in_other_units_or_an_html_page_keeps_the_stored_copy(library_server):
    refresh_factors("SY4", "M")
    before = load_factors("SY4", "M")
    lines = library_bytes("M4.csv").decode().splitlines()
    percent = [lines[0]] + [
        ",".join([r.split(",")[0], *(f"{100 * float(v):.6f}" for v in r.split(",")[1:])]) for r in lines[1:]
    ]
    library_server.routes["M4.csv"] = Route("\n".join(percent).encode(), last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    with pytest.warns(RuntimeWarning, match="sy4_monthly"):
        (result,) = refresh_factors("SY4", "M").results
    assert result.status == "failed" and "units changed (percent where decimals were expected?)" in result.message
    library_server.routes["M4.csv"] = Route(b"<html><body>Page moved</body></html>")
    with pytest.warns(RuntimeWarning):
        (result,) = refresh_factors("SY4", "M").results
    assert result.status == "failed" and "header ['<html><body>Page moved</body></html>']" in result.message
    pd.testing.assert_frame_equal(load_factors("SY4", "M"), before)


def test_sy4_from_stambaugh_csv_with_last_modified_vintage(library_server):
    (result,) = refresh_factors("SY4", "M").results
    assert result.status == "updated" and result.vintage == "2017-04-04"
    expected = pd.read_csv(io.BytesIO(library_bytes("M4.csv")), dtype={"YYYYMM": str})
    index = pd.to_datetime(expected.pop("YYYYMM"), format="%Y%m") + pd.offsets.MonthEnd(0)
    got = load_factors("SY4", "M")
    assert list(got.columns) == ["MKTRF", "SMB", "MGMT", "PERF", "RF"]
    np.testing.assert_array_equal(got.to_numpy(), expected[list(got.columns)].to_numpy())
    assert (got.index == index).all() and len(got) == 648
    # Stambaugh and Yuan use French's market and risk-free rate (an older CRSP vintage than the shipped one)
    ff3 = load_factors("FF3", "M").loc[got.index]
    assert got.iloc[0]["MKTRF"] == 0.0493 and ff3.iloc[0]["Mkt-RF"] == pytest.approx(0.0494)
    assert (got["MKTRF"] - ff3["Mkt-RF"]).abs().max() < 0.0016 and (got["RF"] - ff3["RF"]).abs().max() < 0.00011
    library_server.log.clear()
    (again,) = refresh_factors("SY4", "M").results  # If-Modified-Since: the server answers 304
    assert again.message == "not modified (HTTP 304)" and library_server.log == [("M4.csv", 304)]


def test_not_stored_says_how_and_the_plain_refresh_fetches_what_was_asked_for(library_server):
    for model, file in [("Q5", "q5_factors_monthly_<year>.csv from global-q"), ("AQR4", f"{AQR_FILE} from AQR")]:
        with pytest.raises(XLFactorError) as err:
            load_factors(model, "M")
        text = str(err.value)
        assert text.startswith(f"model: {model} monthly data are not stored yet (xlfactor ships only Kenneth French's")
        assert f"{file} must be downloaded" in text and f"run xlfactor.refresh_factors('{model}')" in text
        assert f"run `xlfactor refresh --model {model}`" in err.value.render(COMMAND_LINE)  # each front end its own
        assert "click Refresh data on the xlfactor ribbon" in err.value.render(ExcelWording(["factors"]))
    assert wanted_models() == ["Q5", "AQR4"]
    with pytest.raises(XLFactorError, match="freq: PS is available monthly only; use freq='M' with PS"):
        load_factors("PS", "D")
    with pytest.warns(RuntimeWarning, match="q5_daily: no q5_factors_daily_<year>.csv under http://127.0.0.1"):
        report = refresh_factors()  # what the ribbon's Refresh calls
    status = {r.dataset: r.status for r in report.results}
    assert status["q5_monthly"] == status["aqr_hmld_monthly"] == "updated" and status["ff5_daily"] == "updated"
    assert status["q5_daily"] == "failed"  # Q5 is published daily too (the mirror here has no daily file)
    assert len(load_factors("Q5", "M")) == 636 and len(load_factors("AQR4", "M")) > 1000


def test_mirror_variables_must_be_urls(library_server, monkeypatch):
    monkeypatch.setenv("XLFACTOR_GLOBALQ_BASE_URL", "global-q.example/files")
    with pytest.raises(XLFactorError, match=r"XLFACTOR_GLOBALQ_BASE_URL: 'global-q.example/files' is not an http"):
        refresh_factors("Q5", "M")
    refresh_factors("SY4", "M")  # the other sources are unaffected


def test_dhs3_joins_french_market_with_the_dhs_workbook(library_server):
    report = refresh_factors("DHS3", "M")  # French's three-factor file and the DHS workbook
    assert [r.dataset for r in report.results] == ["ff3_monthly", "dhs_monthly"]
    result = report.results[1]
    assert result.status == "updated" and result.vintage == "2019-07-08"
    from openpyxl import load_workbook

    sheet = load_workbook(LIBRARY_DIR / "DHS_factors.xlsx", read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    expected = pd.DataFrame(
        [r[1:] for r in rows[1:]],
        index=pd.to_datetime([str(r[0]) for r in rows[1:]], format="%Y%m") + pd.offsets.MonthEnd(0),
        columns=["PEAD", "FIN"],
    )
    got = load_factors("DHS3", "M")
    assert list(got.columns) == ["Mkt-RF", "PEAD", "FIN", "RF"]
    assert (got.index[0], got.index[-1], len(got)) == (pd.Timestamp("1972-07-31"), pd.Timestamp("2018-12-31"), 558)
    np.testing.assert_array_equal(got[["PEAD", "FIN"]].to_numpy(), expected.loc[got.index].to_numpy())
    ff3 = load_factors("FF3", "M")
    np.testing.assert_array_equal(got[["Mkt-RF", "RF"]].to_numpy(), ff3.loc[got.index, ["Mkt-RF", "RF"]].to_numpy())
    sources = factor_info("DHS3", "M")["column_sources"]
    assert sources["PEAD"] == "DHS (DHS_factors.xlsx)" and sources["Mkt-RF"].startswith("French (")


def _aqr_sheet(name: str) -> pd.DataFrame:
    from openpyxl import load_workbook

    wb = load_workbook(LIBRARY_DIR / AQR_FILE, read_only=True)
    rows = [r for r in wb[name].iter_rows(values_only=True) if any(v is not None for v in r)]
    start = next(i for i, r in enumerate(rows) if r[0] == "DATE")
    frame = pd.DataFrame([r[1:] for r in rows[start + 1 :]], columns=list(rows[start][1:]), dtype=float)
    frame.index = pd.to_datetime([r[0] for r in rows[start + 1 :]], format="%m/%d/%Y")
    return frame


def test_aqr4_reads_the_sheets_finding_each_header_by_content(library_server):
    (result,) = refresh_factors("AQR4", "M").results
    assert result.status == "updated" and result.vintage == "2024-07"  # the RF sheet runs a month longer
    got = load_factors("AQR4", "M")
    assert list(got.columns) == ["MKT", "SMB", "HML-Devil", "UMD", "RF"]
    # from the first to the last month every factor has a value (UMD starts 1927-01, RF ends 2024-07)
    assert (got.index[0], got.index[-1]) == (pd.Timestamp("1927-01-31"), pd.Timestamp("2024-06-30"))
    for column, sheet in [("MKT", "MKT"), ("SMB", "SMB"), ("HML-Devil", "HML Devil"), ("UMD", "UMD")]:
        np.testing.assert_array_equal(got[column].to_numpy(), _aqr_sheet(sheet).loc[got.index, "USA"].to_numpy())
    np.testing.assert_array_equal(got["RF"].to_numpy(), _aqr_sheet("RF").loc[got.index, "Risk Free Rate"].to_numpy())
    jpn = load_factors("AQR4-JPN", "M")
    world = load_factors("AQR4-GLOBAL", "M")
    assert jpn.index[0] > got.index[0] and list(world.columns) == list(got.columns)
    np.testing.assert_array_equal(world["HML-Devil"].to_numpy(), _aqr_sheet("HML Devil").loc[world.index, "Global"])
    # AQR's MKT is an excess return: it tracks French's Mkt-RF closely
    ff3 = load_factors("FF3", "M").loc["1990":"2019"]
    assert np.corrcoef(got.loc[ff3.index, "MKT"], ff3["Mkt-RF"])[0, 1] > 0.99


def test_aqr_workbook_with_moved_sheets_and_header_rows_reads_the_same(library_server):
    from openpyxl import load_workbook

    wb = load_workbook(LIBRARY_DIR / AQR_FILE)
    wb.move_sheet("RF", offset=-4)  # RF first
    wb["MKT"].insert_rows(1, amount=3)  # three more note rows above the header
    wb["SMB"].delete_rows(2, amount=10)  # ten fewer
    notes = wb.create_sheet("Notes", 0)
    notes.append(["Date", 12345])  # a first sheet whose "Date" row is no header (no column names): not read
    buffer = io.BytesIO()
    wb.save(buffer)
    library_server.routes[AQR_FILE] = Route(buffer.getvalue())
    refresh_factors("AQR4", "M")
    got = load_factors("AQR4", "M")
    assert len(got) == 1170
    np.testing.assert_array_equal(got["MKT"].to_numpy(), _aqr_sheet("MKT").loc[got.index, "USA"].to_numpy())
    np.testing.assert_array_equal(got["SMB"].to_numpy(), _aqr_sheet("SMB").loc[got.index, "USA"].to_numpy())


def test_bs6_is_built_from_its_sources_with_dates_aligned(library_server):
    report = refresh_factors("BS6", "M")
    assert {r.dataset: r.status for r in report.results} == {
        "ff3_monthly": "updated",
        "q5_monthly": "updated",
        "mom_monthly": "unchanged",
        "aqr_hmld_monthly": "updated",
    }
    got = load_factors("BS6", "M")
    assert list(got.columns) == ["Mkt-RF", "SMB", "IA", "ROE", "UMD", "HML-Devil", "RF"]
    q5, ff3, mom, aqr = (load_factors(m, "M") for m in ("Q5", "FF3", "FF6", "AQR4"))
    dates = q5.index.intersection(ff3.index).intersection(aqr.index)
    assert got.index.equals(dates) and (got.index[0], got.index[-1]) == (q5.index[0], q5.index[-1])
    np.testing.assert_array_equal(got[["Mkt-RF", "SMB", "RF"]], ff3.loc[dates, ["Mkt-RF", "SMB", "RF"]])
    np.testing.assert_array_equal(got[["IA", "ROE"]], q5.loc[dates, ["IA", "ROE"]])
    np.testing.assert_array_equal(got["UMD"], mom.loc[dates, "MOM"])
    np.testing.assert_array_equal(got["HML-Devil"], aqr.loc[dates, "HML-Devil"])
    info = factor_info("BS6", "M")
    assert info["column_sources"] == {
        "Mkt-RF": "French (F-F_Research_Data_Factors_CSV.zip)",
        "SMB": "French (F-F_Research_Data_Factors_CSV.zip)",
        "IA": "global-q (q5_factors_monthly_<year>.csv)",
        "ROE": "global-q (q5_factors_monthly_<year>.csv)",
        "UMD": "French (F-F_Momentum_Factor_CSV.zip)",
        "HML-Devil": f"AQR ({AQR_FILE})",
        "RF": "French (F-F_Research_Data_Factors_CSV.zip)",
    }
    assert info["citation"].startswith("Barillas, F. and J. Shanken (2018), Comparing asset pricing models")
    assert "Kenneth R. French Data Library" in info["source"] and "AQR" in info["source"]


def test_library_files_are_not_shipped():
    import xlfactor.data.snapshot as snapshot

    assert all(not d.shipped for d in LIBRARY_DATASETS.values())
    shipped = {p.name.lower() for p in Path(snapshot.__file__).parent.iterdir()}
    for d in LIBRARY_DATASETS.values():
        stem = d.file.split("{")[0].lower()
        assert not [name for name in shipped if name.startswith(stem)]


def test_a_damaged_library_copy_is_quarantined_and_the_message_says_refresh(library_server, data_dir):
    from test_data_faults import _flip_payload_bytes

    refresh_factors("SY4", "M")
    good = load_factors("SY4", "M")
    _flip_payload_bytes(data_dir / "xlfactor.sqlite", "sy4_monthly")
    with pytest.warns(RuntimeWarning, match="'sy4_monthly' were damaged .* replaced by nothing .not shipped"):
        with pytest.raises(XLFactorError, match=r"'sy4_monthly' were damaged .* run `xlfactor refresh`"):
            load_factors("SY4", "M")
    with pytest.raises(XLFactorError, match="SY4 monthly data are not stored yet"):
        load_factors("SY4", "M")
    refresh_factors("SY4", "M")  # downloads it again (no conditional request: nothing is stored)
    pd.testing.assert_frame_equal(load_factors("SY4", "M"), good)


def _ps_text(months: pd.DatetimeIndex, traded: np.ndarray) -> bytes:
    """Pastor-Stambaugh's layout: % comment lines, then month, level, innovation, traded factor (-99: none)."""
    lines = ["% Liquidity measures and traded factor, Pastor and Stambaugh (2003)", "% Month Agg Innov Traded"]
    for month, value in zip(months, traded, strict=True):
        lines.append(f"{month:%Y%m}  -0.031200   0.004100  {value: .6f}")
    return ("\n".join(lines) + "\n").encode()


def test_ps_refresh_stores_the_traded_factor_with_french_market(library_server):
    """No public copy of the liquidity file was found, so its NUMBERS here are generated (seeded); the layout,
    the year-named file, the -99 marker and the pipeline are what this checks."""
    months = pd.date_range("1962-08-31", "2024-12-31", freq="ME")
    traded = np.round(np.random.default_rng(7).normal(0.004, 0.035, len(months)), 6)
    traded[:65] = -99.0  # the traded factor starts in 1968 (65 months of -99 in the published file)
    library_server.routes["liq_data_1962_2024.txt"] = Route(_ps_text(months, traded))
    (_, result) = refresh_factors("PS", "M").results
    assert (result.dataset, result.status, result.vintage) == ("ps_monthly", "updated", "2024")
    got = load_factors("PS", "M")
    assert list(got.columns) == ["Mkt-RF", "LIQ_V", "RF"] and got.index[0] == months[65]
    np.testing.assert_array_equal(got["LIQ_V"].to_numpy(), traded[65 : 65 + len(got)])
    assert got.index[-1] == months[-1]  # the inner join ends with the liquidity file (French's runs to 2025-12)
    ff3 = load_factors("FF3", "M")
    np.testing.assert_array_equal(got[["Mkt-RF", "RF"]].to_numpy(), ff3.loc[got.index, ["Mkt-RF", "RF"]].to_numpy())


def _aqr_variant(edit) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(LIBRARY_DIR / AQR_FILE)
    edit(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_aqr_monthly_revisions_are_accepted_but_a_change_of_units_is_not(library_server):
    """AQR revises HML-Devil's history every month (it uses current prices): a new file whose past moved a
    little is stored; one in percent is refused and the stored copy kept."""
    refresh_factors("AQR4", "M")

    def revise(wb):
        ws = wb["HML Devil"]
        for row in ws.iter_rows(min_row=20, min_col=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.value = round(cell.value * 1.05, 10)

    library_server.routes[AQR_FILE] = Route(_aqr_variant(revise))
    (result,) = refresh_factors("AQR4", "M").results
    assert result.status == "updated", result.message
    revised = load_factors("AQR4", "M")
    expected = _aqr_sheet("HML Devil").loc[revised.index, "USA"] * 1.05
    np.testing.assert_allclose(revised["HML-Devil"], expected, rtol=0, atol=1e-10)  # the file holds 10 decimals

    def percent(wb):
        for row in wb["UMD"].iter_rows(min_row=20, min_col=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.value = cell.value * 100

    library_server.routes[AQR_FILE] = Route(_aqr_variant(percent))
    with pytest.warns(RuntimeWarning, match="aqr_hmld_monthly"):
        (result,) = refresh_factors("AQR4", "M").results
    assert result.status == "failed" and "units changed" in result.message
    pd.testing.assert_frame_equal(load_factors("AQR4", "M"), revised)


def test_too_few_rows_or_a_missing_column_is_refused(library_server):
    lines = library_bytes("M4.csv").decode().splitlines()
    library_server.routes["M4.csv"] = Route("\n".join(lines[:101]).encode())
    with pytest.warns(RuntimeWarning):
        (result,) = refresh_factors("SY4", "M").results
    assert result.status == "failed" and result.message == "M4.csv has only 100 rows (expected >= 580)"
    library_server.routes["M4.csv"] = Route("\n".join(r.rsplit(",", 1)[0] for r in lines).encode())
    with pytest.warns(RuntimeWarning):
        (result,) = refresh_factors("SY4", "M").results
    assert "is not ['YYYYMM', 'MKTRF', 'SMB', 'MGMT', 'PERF', 'RF']" in result.message
    with pytest.raises(XLFactorError, match="SY4 monthly data are not stored yet"):
        load_factors("SY4", "M")


def test_aqr6_adds_quality_minus_junk_and_betting_against_beta(library_server):
    report = refresh_factors("AQR6", "M")
    assert [(r.dataset, r.status, r.vintage) for r in report.results] == [
        ("aqr_hmld_monthly", "updated", "2024-07"),
        ("aqr_qmj_monthly", "updated", "2024-07"),
        ("aqr_bab_monthly", "updated", "2024-07"),
    ]
    got = load_factors("AQR6", "M")
    assert list(got.columns) == ["MKT", "SMB", "HML-Devil", "UMD", "QMJ", "BAB", "RF"]
    assert (got.index[0], got.index[-1]) == (pd.Timestamp("1957-07-31"), pd.Timestamp("2024-06-30"))  # QMJ starts
    from openpyxl import load_workbook

    for factor, file in [
        ("QMJ", "Quality-Minus-Junk-Factors-Monthly.xlsx"),
        ("BAB", "Betting-Against-Beta-Equity-Factors-Monthly.xlsx"),
    ]:
        rows = [
            r
            for r in load_workbook(LIBRARY_DIR / file, read_only=True)[f"{factor} Factors"].iter_rows(values_only=True)
        ]
        start = next(i for i, r in enumerate(rows) if r and r[0] == "DATE")
        usa = rows[start].index("USA")
        sheet = pd.Series(
            [r[usa] for r in rows[start + 1 :]],
            index=pd.to_datetime([r[0] for r in rows[start + 1 :]], format="%m/%d/%Y"),
        )
        np.testing.assert_array_equal(got[factor].to_numpy(), sheet.loc[got.index].to_numpy(dtype=float))
    np.testing.assert_array_equal(
        got[["MKT", "UMD", "RF"]], load_factors("AQR4", "M").loc[got.index, ["MKT", "UMD", "RF"]]
    )
    assert load_factors("AQR6-EUROPE", "M").shape[1] == 7
    info = factor_info("AQR6", "M")
    assert info["citation"].startswith("Asness, C., A. Frazzini and L. H. Pedersen (2019), Quality minus junk")
    assert info["column_sources"]["BAB"] == "AQR (Betting-Against-Beta-Equity-Factors-Monthly.xlsx)"


def test_a_newer_year_replaces_the_stored_one_within_the_revision_bound(library_server):
    refresh_factors("Q5", "M")
    rows = library_bytes(Q5_FILE).decode().splitlines()

    def moved(pp: float) -> bytes:
        fields = rows[200].split(",")
        fields[5] = f"{float(fields[5]) + pp:.4f}"  # R_IA of 1983-08
        extra = "2020,1," + rows[-1].split(",", 2)[2]  # one more month
        return "\n".join([*rows[:200], ",".join(fields), *rows[201:], extra]).encode()

    library_server.routes["q5_factors_monthly_2020.csv"] = Route(moved(15.0))  # 15 pp: refused
    with pytest.warns(RuntimeWarning, match="IA on 1983-08-31 changed by 15.00 pp versus the stored copy"):
        (result,) = refresh_factors("Q5", "M").results
    assert result.status == "failed" and len(load_factors("Q5", "M")) == 636
    library_server.routes["q5_factors_monthly_2020.csv"] = Route(moved(0.5))  # a revision: stored
    (result,) = refresh_factors("Q5", "M").results
    assert (result.status, result.vintage, result.message) == (
        "updated",
        "2020",
        "global-q 2019 -> 2020, 636 -> 637 rows",
    )
    assert load_factors("Q5", "M").loc["1983-08-31", "IA"] == pytest.approx(
        _q5_expected().loc["1983-08-31", "IA"] + 0.005
    )


@pytest.mark.parametrize(
    "model, files",
    [
        ("Q5", "q5_factors_monthly_<year>.csv from global-q"),
        ("Q4", "q5_factors_monthly_<year>.csv from global-q"),
        ("SY4", "M4.csv from Stambaugh"),
        ("PS", "liq_data_1962_<year>.txt from Stambaugh"),
        ("DHS3", "DHS_factors.xlsx from DHS"),
        ("AQR4", f"{AQR_FILE} from AQR"),
        ("AQR6-JPN", f"{AQR_FILE} from AQR, Quality-Minus-Junk-Factors-Monthly.xlsx from AQR, Betting-Against-Beta"),
        ("BS6", f"q5_factors_monthly_<year>.csv from global-q, {AQR_FILE} from AQR"),
    ],
)
def test_every_library_model_not_stored_says_how_to_get_it(model, files):
    with pytest.raises(XLFactorError) as err:
        load_factors(model.lower(), "M")  # names are case-insensitive
    text = str(err.value)
    assert text.startswith(f"model: {model} monthly data are not stored yet (xlfactor ships only Kenneth French's")
    assert files in text and text.endswith(f": run xlfactor.refresh_factors('{model}') once, with internet access")
