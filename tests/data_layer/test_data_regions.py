"""Regional Fama-French models (FF5-DEV, FF6-EUR, CAPM-EUR, ...): shipped, compounded, refreshed.

The shipped Developed and Europe daily files are French's Bloomberg 202101 vintage
(tests/data/french/international_202101 holds the same bytes); every expected number
is computed here from those files with numpy, independently of the loader.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from french_files import french_bytes
from french_server import Route, make_zip

from xlfactor.cli import main
from xlfactor.cli.wording import COMMAND_LINE
from xlfactor.data import cache, factor_info, load_factors, records, refresh_factors, register_factors, stored_datasets
from xlfactor.data.catalog import DATASETS, MODELS, REGIONS, model_datasets
from xlfactor.data.french import parse_french_csv
from xlfactor.data.periods import compound_monthly
from xlfactor.data.records import snapshot_record
from xlfactor.data.validate import ValidationError, check_against_stored, parse_dataset
from xlfactor.errors import REFRESH, Action, XLFactorError
from xlfactor.excel.guard import ExcelWording

INTL = "international_202101"
DEV5, DEVMOM = "Developed_5_Factors_Daily.csv", "Developed_MOM_Factor_Daily.csv"
EUR5, EURMOM = "Europe_5_Factors_Daily.csv", "Europe_MOM_Factor_Daily.csv"


def _daily(name: str) -> pd.DataFrame:
    """A shipped international file's daily block, decimals, straight from the parser."""
    return parse_french_csv(french_bytes(name, INTL).decode("ascii")).block("daily").data


def _compound_by_hand(daily: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """prod(1 + r) - 1 per label, with a plain numpy loop over the periods."""
    values = daily.to_numpy()
    keys = list(dict.fromkeys(labels.tolist()))
    out = np.array([np.prod(1.0 + values[labels == k], axis=0) - 1.0 for k in keys])
    return pd.DataFrame(out, index=keys, columns=daily.columns)


def test_ff5_dev_daily_works_offline_on_a_fresh_install(tmp_path, monkeypatch):
    monkeypatch.setenv("XLFACTOR_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.setenv("XLFACTOR_FRENCH_BASE_URL", "http://127.0.0.1:9/")  # nothing listens: no network used
    cache.reset_state()
    frame = load_factors("FF5-DEV", "D")
    pd.testing.assert_frame_equal(frame, _daily(DEV5), check_freq=False)
    assert frame.loc["1990-07-02", "Mkt-RF"] == 0.0069 and frame.loc["2021-01-29", "Mkt-RF"] == -0.0176
    info = factor_info("ff5-dev", "D")
    assert (info["model"], info["vintage"], info["database"], info["origin"]) == (
        "FF5-DEV",
        "202101",
        "Bloomberg",
        "snapshot",
    )
    assert (info["first_date"], info["last_date"], info["rows"]) == ("1990-07-02", "2021-01-29", 7980)
    assert "an OLDER vintage (Bloomberg 202101, data end 2021-01-29)" in info["summary"]
    assert "run `xlfactor refresh --model FF5-DEV`" in info["summary"]
    assert "Bloomberg vintage 202101" in info["summary"]
    # the sha256 of the shipped CSV is the one SOURCES.md lists
    assert info["datasets"][0]["sha256"] == "21dd940d73ee98ecd9b238f4fbb159857c71ae0ddb67f2666f82f98d45873019"


def test_ff6_eur_joins_the_wml_column_as_mom_from_the_first_momentum_day():
    frame = load_factors("FF6-EUR", "D")
    five, wml = _daily(EUR5), _daily(EURMOM)
    assert list(frame.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "MOM", "RF"]
    assert list(wml.columns) == ["WML"]
    common = five.index.intersection(wml.index)
    assert frame.index.equals(common) and frame.index[0] == pd.Timestamp("1990-11-01")
    np.testing.assert_array_equal(frame["MOM"].to_numpy(), wml.loc[common, "WML"].to_numpy())
    np.testing.assert_array_equal(frame["RF"].to_numpy(), five.loc[common, "RF"].to_numpy())
    capm = load_factors("CAPM-EUR", "D")  # regional CAPM: the five-factor file's market and RF
    assert list(capm.columns) == ["Mkt-RF", "RF"] and len(capm) == 7980


def test_weekly_and_monthly_are_compounded_from_the_daily_file():
    daily = _daily(DEV5)
    monthly = load_factors("FF5-DEV", "M")
    months = (daily.index + pd.offsets.MonthEnd(0)).to_numpy()
    expected = _compound_by_hand(daily, months)
    np.testing.assert_allclose(monthly.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-15)
    assert monthly.index[0] == pd.Timestamp("1990-07-31") and monthly.index[-1] == pd.Timestamp("2021-01-31")
    info = factor_info("FF5-DEV", "M")
    assert "monthly values compounded from the daily file (not French's monthly file)" in info["summary"]
    assert "until a refresh brings French's monthly file" in info["summary"]
    assert "compounded from the daily file" in info["datasets"][0]["source"]

    weekly = load_factors("FF6-DEV", "W")
    ff6 = load_factors("FF6-DEV", "D")
    fridays = (ff6.index - pd.to_timedelta(ff6.index.day_of_week - 4, unit="D")).to_numpy()
    by_hand = _compound_by_hand(ff6, fridays)
    np.testing.assert_allclose(weekly.to_numpy(), by_hand.to_numpy(), rtol=1e-12, atol=1e-15)  # ends on a Friday


def test_developed_market_is_not_the_us_market():
    """Developed includes the US, but its market factor is a different series: correlation well below 1."""
    us, dev, eur = load_factors("FF5", "D"), load_factors("FF5-DEV", "D"), load_factors("FF5-EUR", "D")
    common = us.index.intersection(dev.index)
    assert len(common) == 7705
    corr_dev = np.corrcoef(us.loc[common, "Mkt-RF"], dev.loc[common, "Mkt-RF"])[0, 1]
    corr_eur = np.corrcoef(us.loc[common, "Mkt-RF"], eur.loc[common, "Mkt-RF"])[0, 1]
    assert 0.80 < corr_dev < 0.90  # 0.862: related (the US is over half of Developed), but not the same
    assert 0.45 < corr_eur < 0.60  # 0.540
    assert not np.allclose(us.loc[common, "Mkt-RF"], dev.loc[common, "Mkt-RF"], atol=0.005)


def test_regions_not_shipped_say_how_to_get_them():
    assert "FF5-JPN" in MODELS and len(REGIONS) == 7
    with pytest.raises(
        XLFactorError,
        match=re.escape(
            "model: FF5-JPN monthly data are not stored yet (xlfactor ships the US factors and the Developed "
            "and Europe five-factor and momentum files; Japan_5_Factors_CSV.zip must be downloaded): "
            "run xlfactor.refresh_factors('FF5-JPN') once, with internet access"
        ),
    ):
        load_factors("FF5-JPN", "M")
    with pytest.raises(XLFactorError, match="Developed_3_Factors_Daily_CSV.zip must be downloaded"):
        load_factors("FF3-DEV", "W")  # the three-factor file is not shipped (its SMB differs from FF5's)
    with pytest.raises(XLFactorError, match="freq: French publishes Emerging factors monthly only; use freq='M'"):
        load_factors("FF6-EM", "D")
    with pytest.raises(XLFactorError, match=r"model: 'FF5-XUS' is not a known model; .*-DEVXUS \(Developed ex US\)"):
        load_factors("FF5-XUS", "M")


def test_not_stored_advice_is_a_field_each_front_end_words():
    """The fix for a model not stored is the error's action (refresh that model), not a sentence naming every
    front end's command: Python names refresh_factors, the CLI its refresh command, a cell the ribbon's button."""
    with pytest.raises(XLFactorError) as caught:
        load_factors("FF5-JPN", "M")
    error = caught.value
    assert error.argument == "model" and error.action == Action(REFRESH, "FF5-JPN")
    core = "model: FF5-JPN monthly data are not stored yet ("
    python, cli = str(error), error.render(COMMAND_LINE)
    excel = error.render(ExcelWording(["returns", "factors", "dates"]))
    assert python.startswith(core) and python.endswith(
        ": run xlfactor.refresh_factors('FF5-JPN') once, with internet access"
    )
    assert cli.startswith(core) and cli.endswith(": run `xlfactor refresh --model FF5-JPN` once, with internet access")
    assert excel.startswith(core) and excel.endswith(
        ": click Refresh data on the xlfactor ribbon once, with internet access; formulas then recalculate"
    )
    assert "xlfactor refresh" not in python + excel and "refresh_factors" not in cli + excel


def test_catalog_has_every_region_french_publishes():
    names = {d.zip_name for d in DATASETS.values() if d.region}
    for prefix in ("Developed", "Developed_ex_US", "Europe", "Japan", "North_America"):
        for stem in ("3_Factors", "5_Factors", "Mom_Factor"):
            assert {f"{prefix}_{stem}_CSV.zip", f"{prefix}_{stem}_Daily_CSV.zip"} <= names
    for stem in ("3_Factors", "5_Factors", "MOM_Factor"):
        assert {f"Asia_Pacific_ex_Japan_{stem}_CSV.zip", f"Asia_Pacific_ex_Japan_{stem}_Daily_CSV.zip"} <= names
    assert {d.zip_name for d in DATASETS.values() if d.region == "EM"} == {
        "Emerging_5_Factors_CSV.zip",
        "Emerging_MOM_Factor_CSV.zip",
    }
    assert len(names) == 6 * 6 + 2
    assert [d.name for d in model_datasets("CARHART4-EM", "M")] == ["ff5_em_monthly", "mom_em_monthly"]


def test_missing_marker_is_allowed_in_international_files_only():
    """French marks missing values -99.99 (e.g. early Emerging RMW/CMA); regional downloads keep them as NaN."""
    text = french_bytes(DEV5, INTL).decode("ascii")
    row = "19900703    ,0.18    ,0.07   ,-0.16    ,0.07"
    marked = text.replace(row, row[: -len("    ,0.07")] + "  ,-99.99")
    assert marked != text
    _, frame = parse_dataset(marked.encode(), DATASETS["ff5_dev_daily"])
    assert np.isnan(frame.loc["1990-07-03", "RMW"]) and frame["RMW"].isna().sum() == 1
    us_file = DATASETS["ff5_daily"]
    us_text = french_bytes(us_file.file).decode("ascii")
    first_row = next(line for line in us_text.splitlines() if line.startswith("19630701"))
    fields = first_row.split(",")
    us_marked = us_text.replace(first_row, ",".join([*fields[:-1], "-99.99"]))
    with pytest.raises(XLFactorError, match="missing or non-finite values"):
        parse_dataset(us_marked.encode(), us_file)


# ------------------------------------------------------------------ refresh


def _serve_international(server, files: dict[str, str]) -> None:
    """Serve zips named as on French's site today, holding the given test files under the member names given."""
    for dataset_name, source_file in files.items():
        dataset = DATASETS[dataset_name]
        server.routes[dataset.zip_name] = Route(
            make_zip({source_file: french_bytes(source_file, INTL)}), etag=f'"{dataset_name}"'
        )


def test_refresh_fetches_the_current_developed_file_names(french_server):
    # French's zip is Developed_Mom_Factor_Daily_CSV.zip; the member may spell MOM in capitals
    _serve_international(french_server, {"ff5_dev_daily": DEV5, "mom_dev_daily": DEVMOM})
    report = refresh_factors("FF6-DEV", "D")
    assert [(r.dataset, r.status, r.message) for r in report.results] == [
        ("ff5_dev_daily", "unchanged", "same file as stored (sha256 matches)"),
        ("mom_dev_daily", "unchanged", "same file as stored (sha256 matches)"),
    ]
    assert [name for name, _ in french_server.log] == [
        "Developed_5_Factors_Daily_CSV.zip",
        "Developed_Mom_Factor_Daily_CSV.zip",
    ]
    assert report.results[0].url == french_server.base_url + "Developed_5_Factors_Daily_CSV.zip"


def test_refresh_downloads_a_region_that_is_not_stored(french_server):
    """A region without a stored copy is fetched unconditionally; every check but the comparison applies."""
    cache.run(lambda c: c.execute("DELETE FROM datasets WHERE name IN ('ff5_eur_daily', 'mom_eur_daily')"))
    with pytest.raises(XLFactorError, match="Europe_5_Factors_Daily_CSV.zip, Europe_Mom_Factor_Daily_CSV.zip must be"):
        load_factors("FF6-EUR", "D")
    _serve_international(french_server, {"ff5_eur_daily": EUR5, "mom_eur_daily": EURMOM})
    report = refresh_factors(["FF6-EUR"], "D")
    assert [(r.dataset, r.status, r.message) for r in report.results] == [
        ("ff5_eur_daily", "updated", "first download: Bloomberg 202101, 7980 rows"),
        ("mom_eur_daily", "updated", "first download: Bloomberg 202101, 7892 rows"),
    ]
    frame = load_factors("FF6-EUR", "D")
    np.testing.assert_array_equal(frame["MOM"].to_numpy(), _daily(EURMOM)["WML"].to_numpy())
    info = factor_info("FF6-EUR", "D")
    assert info["origin"] == "download" and info["vintage"] == "202101" and "OLDER" not in info["summary"]
    assert "downloaded from http://127.0.0.1" in info["summary"]

    # from now on a plain refresh keeps the downloaded region up to date; shipped regions stay as they are
    french_server.serve_folder("current")
    report = refresh_factors(freq="D")
    names = [r.dataset for r in report.results]
    assert names == ["ff3_daily", "ff5_daily", "mom_daily", "ff5_eur_daily", "mom_eur_daily"]
    assert report.ok and {r.status for r in report.results if "eur" in r.dataset} == {"unchanged"}
    table = stored_datasets().set_index("dataset")
    assert table.loc["ff5_dev_daily", "origin"] == "snapshot" and table.loc["ff5_eur_daily", "origin"] == "download"


def test_refresh_safeguards_apply_to_regional_files(french_server):
    """Europe's numbers served as Developed's are no vintage revision: rejected, the stored copy kept."""
    before = load_factors("FF5-DEV", "D")
    french_server.routes["Developed_5_Factors_Daily_CSV.zip"] = Route(make_zip({DEV5: french_bytes(EUR5, INTL)}))
    with pytest.warns(RuntimeWarning, match="ff5_dev_daily"):
        report = refresh_factors("FF5-DEV", "D")
    (result,) = report.results
    assert result.status == "failed" and "versus the stored copy" in result.message
    pd.testing.assert_frame_equal(load_factors("FF5-DEV", "D"), before)
    french_server.routes["Developed_5_Factors_Daily_CSV.zip"] = Route(make_zip({EUR5: french_bytes(EUR5, INTL)}))
    with pytest.warns(RuntimeWarning):
        report = refresh_factors("FF5-DEV", "D")
    assert (
        "the zip member is 'Europe_5_Factors_Daily.csv'; expected 'Developed_5_Factors_Daily.csv'"
        in report.results[0].message
    )


def test_french_monthly_file_replaces_months_compounded_from_daily(french_server):
    """The shipped Developed/Europe months are compounded from daily data; French's own monthly file
    differs from them by more than a vintage revision in single months, so only the relative-RMS part
    of the revision check applies to them. Shown with the real US files (the same construction):
    the stored US five-factor months are replaced by ones compounded from the US daily snapshot."""
    daily = snapshot_record(DATASETS["ff5_daily"]).frame
    compounded = compound_monthly(daily).loc[:"2025-10"]  # the stored copy ends before the served file
    cache.write_records(
        [
            records.Record(
                name="ff5_monthly",
                kind="french",
                origin="snapshot",
                freq="M",
                source=f"test: US daily, {records.COMPOUNDED_NOTE}",
                vintage="202511",
                sha256="0" * 64,
                frame=compounded,
            )
        ]
    )
    served = parse_dataset(french_bytes(DATASETS["ff5_monthly"].file), DATASETS["ff5_monthly"])[1]
    with pytest.raises(ValidationError, match="more than the 3 pp a vintage revision explains"):
        check_against_stored(served, compounded)  # SMB in October 1987: 3.95 pp
    french_server.serve_folder("current")
    report = refresh_factors("FF5", "M")
    assert [(r.status, r.message) for r in report.results] == [
        ("updated", "French's monthly file CRSP 202604 replaces months compounded from daily data")
    ]
    pd.testing.assert_frame_equal(load_factors("FF5", "M"), served, check_freq=False)
    shifted = pd.DataFrame(served.to_numpy()[1:], index=served.index[:-1], columns=served.columns)
    with pytest.raises(ValidationError, match="of its typical size"):  # units/dates checks still apply
        check_against_stored(shifted, compounded, max_revision=np.inf)


@pytest.mark.parametrize("name", ["FF6-dev", "ff5_jpn_daily"])
def test_regional_model_and_dataset_names_cannot_be_registered(tmp_path, name):
    """A registered file under a regional dataset's name would be overwritten by that region's refresh."""
    path = tmp_path / "factors.csv"
    path.write_text("Date,F1\n2020-01-31,1.0\n2020-02-29,2.0\n")
    with pytest.raises(XLFactorError, match=f"name: '{name}' is a built-in model or French dataset name"):
        register_factors(name, path, units="percent")


def test_cli_refresh_takes_regional_model_names(french_server, capsys):
    _serve_international(french_server, {"ff5_dev_daily": DEV5, "mom_dev_daily": DEVMOM})
    assert main(["refresh", "--model", "ff6-dev", "--freq", "D"]) == 0
    out = capsys.readouterr().out
    assert "ff5_dev_daily  unchanged  same file as stored (sha256 matches)" in out
    assert "mom_dev_daily  unchanged  same file as stored (sha256 matches)" in out
    assert main(["refresh", "--model", "FF6-JPN"]) == 1  # Japan is not served here: failed, reported, exit 1
    out = capsys.readouterr().out
    assert "ff5_jpn_daily" in out and "HTTP 404" in out and "mom_jpn_monthly" in out


def test_a_plain_refresh_fetches_a_region_a_call_asked_for(french_server):
    """The ribbon's Refresh data (refresh_factors() without models) fetched only the US files and regions stored
    before, so a formula on a region never stored could not be fixed from Excel. A region asked for now joins."""
    cache.run(lambda c: c.execute("DELETE FROM datasets WHERE name IN ('ff5_eur_daily', 'mom_eur_daily')"))
    with pytest.raises(XLFactorError, match="Europe_5_Factors_Daily_CSV.zip, Europe_Mom_Factor_Daily_CSV.zip must be"):
        load_factors("FF6-EUR", "D")
    assert "FF6-EUR" in cache.wanted_models()  # remembered in the data folder
    french_server.serve_folder("current")
    _serve_international(french_server, {"ff5_eur_daily": EUR5, "mom_eur_daily": EURMOM})
    report = refresh_factors(freq="D")
    assert [r.dataset for r in report.results] == ["ff3_daily", "ff5_daily", "mom_daily", "ff5_eur_daily",
                                                   "mom_eur_daily"]  # fmt: skip
    assert report.ok
    assert load_factors("FF6-EUR", "D").shape[1] == 7
