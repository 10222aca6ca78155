"""load_factors: models, frequencies, which file's RF/Mkt-RF, weekly compounding, bounds, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlfactor.data import available_models, factor_info, load_factors, stored_datasets
from xlfactor.data.french import parse_french_csv
from xlfactor.data.periods import compound_weekly
from xlfactor.data.snapshot import read_snapshot_bytes
from xlfactor.errors import XLFactorError


def snap(file: str, block: str) -> pd.DataFrame:
    """The shipped 202511 file, parsed by the parser: the reference every model is built from."""
    return parse_french_csv(read_snapshot_bytes(file).decode("ascii")).block(block).data


FF3M, FF3D = "F-F_Research_Data_Factors.csv", "F-F_Research_Data_Factors_daily.csv"
FF5M, FF5D = "F-F_Research_Data_5_Factors_2x3.csv", "F-F_Research_Data_5_Factors_2x3_daily.csv"
MOMM, MOMD = "F-F_Momentum_Factor.csv", "F-F_Momentum_Factor_daily.csv"
FIVE = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


@pytest.mark.parametrize(
    ("model", "columns", "file"),
    [
        ("CAPM", ["Mkt-RF", "RF"], FF3M),
        ("FF3", ["Mkt-RF", "SMB", "HML", "RF"], FF3M),
        ("FF5", [*FIVE, "RF"], FF5M),
    ],
)
def test_single_file_models_equal_the_french_file(model, columns, file):
    frame = load_factors(model.lower(), "m")
    assert list(frame.columns) == columns
    pd.testing.assert_frame_equal(frame, snap(file, "monthly")[columns])
    assert (frame.index == frame.index + pd.offsets.MonthEnd(0)).all()


def test_ff6_uses_the_five_factor_files_rf_and_market_joined_with_momentum():
    for freq, (five, mom, block) in {"M": (FF5M, MOMM, "monthly"), "D": (FF5D, MOMD, "daily")}.items():
        frame = load_factors("FF6", freq)
        assert list(frame.columns) == [*FIVE, "MOM", "RF"]
        ff5, momentum = snap(five, block), snap(mom, block)
        common = ff5.index.intersection(momentum.index)
        pd.testing.assert_index_equal(frame.index, common, check_freq=False)
        pd.testing.assert_frame_equal(frame[[*FIVE, "RF"]], ff5.loc[common, [*FIVE, "RF"]])
        pd.testing.assert_series_equal(frame["MOM"], momentum.loc[common, "Mom"].rename("MOM"))


def test_carhart4_uses_the_three_factor_files_market():
    frame = load_factors("CARHART4", "M")
    ff3, ff5 = snap(FF3M, "monthly"), snap(FF5M, "monthly")
    assert frame.index[0] == pd.Timestamp("1927-01-31")  # momentum starts 1927-01, FF3 1926-07
    pd.testing.assert_series_equal(frame["Mkt-RF"], ff3.loc[frame.index, "Mkt-RF"])
    # this matters: within the 202511 vintage the two files' monthly Mkt-RF differ (SOURCES.md)
    both = ff3.index.intersection(ff5.index)
    assert (ff3.loc[both, "Mkt-RF"] != ff5.loc[both, "Mkt-RF"]).sum() > 100


def test_weekly_is_compounded_from_daily_by_friday_weeks():
    weekly = load_factors("FF5", "W")
    daily = snap(FF5D, "daily")
    # week of Monday 2020-03-09 .. Friday 2020-03-13, computed by hand
    days = daily.loc["2020-03-09":"2020-03-13"]
    assert len(days) == 5
    expected = (1 + days).prod() - 1
    np.testing.assert_allclose(weekly.loc["2020-03-13"].to_numpy(), expected.to_numpy(), rtol=1e-14, atol=1e-16)
    # Thanksgiving week 2024 has 4 trading days and is kept
    thanksgiving = daily.loc["2024-11-25":"2024-11-29"]
    assert len(thanksgiving) == 4
    np.testing.assert_allclose(weekly.loc["2024-11-29"], (1 + thanksgiving).prod() - 1, rtol=1e-14)
    assert (weekly.index.day_of_week == 4).all()
    assert weekly.index[0] == pd.Timestamp("1963-07-05") and weekly.index[-1] == pd.Timestamp("2025-11-28")
    assert len(weekly) == len(daily.index.to_period("W-SUN").unique())


def test_weeks_at_the_ends_of_the_sample():
    daily = snap(FF3D, "daily")
    weekly = load_factors("FF3", "W")
    # daily FF3 starts Thursday 1926-07-01: the first week is kept with the days it has
    assert weekly.index[0] == pd.Timestamp("1926-07-02")
    np.testing.assert_allclose(weekly.iloc[0], (1 + daily.loc[:"1926-07-03"]).prod() - 1, rtol=1e-14)
    # data ending on a Wednesday: that last week is incomplete and dropped; ending on Thursday: kept
    assert compound_weekly(daily.loc[:"2025-11-19"]).index[-1] == pd.Timestamp("2025-11-14")
    assert compound_weekly(daily.loc[:"2025-11-20"]).index[-1] == pd.Timestamp("2025-11-21")


def test_start_end_are_inclusive_and_snapped_to_the_period():
    frame = load_factors("FF3", "M", start="2020-01-15", end="2020-06-15")
    assert list(frame.index.strftime("%Y-%m")) == ["2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"]
    weekly = load_factors("FF3", "W", start="2024-01-03", end=pd.Timestamp("2024-01-10"))
    assert list(weekly.index.strftime("%Y-%m-%d")) == ["2024-01-05", "2024-01-12"]
    with pytest.raises(XLFactorError, match="start: 'soon' is not a date"):
        load_factors("FF3", "M", start="soon")


def test_unknown_model_or_freq_lists_the_choices():
    with pytest.raises(
        XLFactorError,
        match=r"model: 'FF4' is not a known model; built-in models are CAPM, FF3, FF5, "
        r"FF6, CARHART4 \(US\), or one of them with a region suffix: -DEV \(Developed\), ",
    ):
        load_factors("FF4")
    with pytest.raises(XLFactorError, match=r"-EM \(Emerging\), e\.g\. FF5-DEV, FF6-EUR, CAPM-EUR"):
        load_factors("FF5-ASIA")
    with pytest.raises(XLFactorError, match=r"freq: 'Y' is not one of 'D' \(daily\), 'W'"):
        load_factors("FF5", "Y")


def test_returned_frames_are_copies():
    frame = load_factors("FF5", "D")
    frame.iloc[0, 0] = 99.0
    frame.index.name = "changed"
    again = load_factors("FF5", "D")
    assert again.iloc[0, 0] != 99.0 and again.index.name == "date"


def test_info_and_listing():
    models = available_models()
    assert models[:5] == ["CAPM", "FF3", "FF5", "FF6", "CARHART4"] and len(models) == 5 + 5 * 7 + 5 + 2 * 29 + 1
    assert models[5:10] == ["CAPM-DEV", "FF3-DEV", "FF5-DEV", "FF6-DEV", "CARHART4-DEV"]
    assert models[40:47] == ["Q5", "Q4", "SY4", "PS", "DHS3", "AQR4", "AQR4-AUS"] and models[-1] == "BS6"
    assert "AQR6" in models and "AQR6-PACIFIC" in models
    info = factor_info("CARHART4", "D")
    assert info["columns"] == ["Mkt-RF", "SMB", "HML", "MOM", "RF"]
    assert (info["first_date"], info["last_date"], info["rows"]) == ("1926-11-03", "2025-11-28", 26028)
    assert [d["name"] for d in info["datasets"]] == ["ff3_daily", "mom_daily"]
    table = stored_datasets()
    assert list(table["dataset"]) == [
        "ff3_daily",
        "ff3_monthly",
        "ff5_daily",
        "ff5_dev_daily",
        "ff5_dev_monthly",
        "ff5_eur_daily",
        "ff5_eur_monthly",
        "ff5_monthly",
        "mom_daily",
        "mom_dev_daily",
        "mom_dev_monthly",
        "mom_eur_daily",
        "mom_eur_monthly",
        "mom_monthly",
    ]
    assert set(table["origin"]) == {"snapshot"}
