"""Input layouts analysts really use, through xlwings' Office.js engine: date text, one labelled
value, "Asset n" headers, ranges selected larger than the data, factor ranges without dates,
dates beyond the factor data. Every expected number comes from the Python API (``xf.regress``,
``FactorRiskModel``, ``xf.stress``, ``xf.factor_cov``) on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from office_js import excel_range, serials, spilled

import xlfactor as xf
from xlfactor.data.portfolio_files import read_portfolio
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert

ASSETS = ["NoDur", "Durbl", "Manuf"]
TOL = dict(rtol=1e-10, atol=1e-12)


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    return xf.industry_portfolios().loc["2019-01":"2023-12", ASSETS]


@pytest.fixture(scope="module")
def model(ff5):
    result = xf.regress(ff5.returns, ff5.factors, rf=ff5.factors["RF"])
    return xf.FactorRiskModel.from_regression(result, ff5.factors)


def one(result) -> str:
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    return result[0][0]


def record(result) -> dict:
    return {row[0]: row[1] for row in result}


# ------------------------------------------------------------------ 1. dates as text
@pytest.fixture(scope="module")
def daily():
    factors = xf.load_factors("FF3", "D").loc["2024-01-01":"2024-06-30"]
    noise = np.random.default_rng(0).normal(0, 0.005, len(factors))
    frame = pd.DataFrame({"A": factors["Mkt-RF"].to_numpy() * 1.2 + noise}, index=factors.index)
    return frame, factors


def test_iso_text_dates_give_the_serial_dates_betas(engine, daily):
    frame, factors = daily
    expected = xf.regress(frame, factors, rf=factors["RF"]).betas
    iso = [["Date"]] + [[f"{d:%Y-%m-%d}"] for d in frame.index]
    for dates in (serials(frame.index), iso):
        got = spilled(engine.call("FM_BETA", excel_range(frame), "FF3", dates))
        np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), **TOL)


def test_day_first_column_decides_its_ambiguous_cells(engine, daily):
    """13/01/2024 proves the column day-first, so 02/01/2024 is 2 January (the whole column decides)."""
    frame, factors = daily
    expected = xf.regress(frame, factors, rf=factors["RF"]).betas
    text = [["Date"]] + [[f"{d:%d/%m/%Y}"] for d in frame.index]
    got = spilled(engine.call("FM_BETA", excel_range(frame), "FF3", text))
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), **TOL)
    assert list(convert.dates(text)) == list(frame.index)


def test_day_month_text_reads_the_same_in_excel_and_in_files(engine, daily, tmp_path):
    """One date reader: the same day-first column (with ambiguous cells such as 02/01/2024) gives the same
    dates through an Excel function, ``read_portfolio`` and ``register_factors``."""
    frame, factors = daily
    text = [f"{d:%d/%m/%Y}" for d in frame.index]
    (tmp_path / "r.csv").write_text("Date,A\n" + "".join(f"{d},{r!r}\n" for d, r in zip(text, frame["A"], strict=True)))
    (tmp_path / "w.csv").write_text("asset,weight\nA,1\n")
    portfolio = read_portfolio(tmp_path / "r.csv", weights_path=tmp_path / "w.csv")
    assert list(portfolio.returns.index) == list(frame.index)
    percent = (factors * 100).set_axis(text)
    percent.rename_axis("date").to_csv(tmp_path / "f.csv")
    xf.register_factors("DAYFIRST3", tmp_path / "f.csv")
    registered = xf.load_factors("DAYFIRST3", "D")
    assert list(registered.index) == list(frame.index)
    pd.testing.assert_frame_equal(registered, factors, check_freq=False, check_index_type=False, rtol=1e-12)
    excel = spilled(engine.call("FM_BETA", excel_range(frame), "FF3", [["Date"], *[[t] for t in text]]))
    files = xf.regress(portfolio.returns, registered, rf=registered["RF"]).betas
    np.testing.assert_allclose(excel.to_numpy(dtype=float), files.to_numpy(), **TOL)


MIXED = ["13/01/2024", "14/01/2024", "01/15/2024"]


def test_mixed_day_month_orders_are_refused_in_excel_and_in_files(engine, tmp_path):
    dates = [["Date"], *[[d] for d in MIXED]]
    assert one(engine.call("FM_BETA", [["A"], [0.01], [0.02], [0.03]], "FF3", dates)) == (
        "#FM! dates: dates '13/01/2024' (day first) and '01/15/2024' (month first) mix two orders; "
        "write dates as YYYY-MM-DD"
    )
    (tmp_path / "r.csv").write_text("Date,A\n" + "".join(f"{d},0.01\n" for d in MIXED))
    (tmp_path / "w.csv").write_text("asset,weight\nA,1\n")
    with pytest.raises(XLFactorError, match="^returns: dates '13/01/2024' .* mix two orders"):
        read_portfolio(tmp_path / "r.csv", weights_path=tmp_path / "w.csv")
    (tmp_path / "f.csv").write_text("date,F\n" + "".join(f"{d},1.5\n" for d in MIXED))
    with pytest.raises(XLFactorError, match="^dates: dates '13/01/2024' .* mix two orders"):
        xf.register_factors("MIXED", tmp_path / "f.csv")


def test_two_digit_years_are_refused_in_excel_too(engine, daily):
    frame, _ = daily
    text = [["Date"]] + [[f"{d:%d/%m/%y}"] for d in frame.index]
    assert one(engine.call("FM_BETA", excel_range(frame), "FF3", text)) == (
        "#FM! dates: cell 2 of the range has '02/01/24', without a four-digit year (a two-digit year such as 18 "
        "could be 1918 or 2018, so it is refused); write dates as YYYY-MM-DD"
    )


def test_unambiguous_date_text():
    assert list(convert.dates([["13/03/2024"], ["2024-03-14"], ["15 Mar 2024"], ["2024-03-18 00:00:00"]])) == [
        pd.Timestamp("2024-03-13"),
        pd.Timestamp("2024-03-14"),
        pd.Timestamp("2024-03-15"),
        pd.Timestamp("2024-03-18"),
    ]


def test_header_text_with_digits_is_a_header_not_a_bad_date():
    assert list(convert.dates([["Date (2024)"], ["2024-01-31"], ["31 Mar 2024"]])) == [
        pd.Timestamp("2024-01-31"),
        pd.Timestamp("2024-03-31"),
    ]


def test_yyyymm_numbers_are_not_dates(engine, returns):
    yyyymm = [["Date"]] + [[float(f"{d:%Y%m}")] for d in returns.index]
    text = one(engine.call("FM_BETA", excel_range(returns), "FF5", yyyymm))
    assert text.startswith("#FM! dates: cell 2 of the range holds 201901.0, which is not an Excel date")
    assert "YYYYMM" in text


def test_long_table_uses_the_same_date_parser(engine):
    table = [["Date", "Asset", "Return", "Size"]]
    table += [
        [d, a, r, s]
        for d, (a, r, s) in zip(["05/03/2024"] * 3, [("A", 0.1, 1.0), ("B", 0.2, 2.0), ("C", 0.0, 3.0)], strict=True)
    ]
    assert one(engine.call("FM_XS_FACTOR_RETURNS", table)) == (
        "#FM! data: '05/03/2024' is ambiguous (day/month or month/day); write dates as YYYY-MM-DD"
    )


# ------------------------------------------------------------------ 2. one labelled value
@pytest.mark.parametrize("shocks", [[["Mkt-RF", -0.1]], [["Mkt-RF"], [-0.1]]])
def test_one_labelled_shock(engine, returns, model, shocks):
    weights = pd.Series([0.3, 0.5, 0.2], index=ASSETS)
    expected = xf.stress(model, weights, pd.Series({"Mkt-RF": -0.1}))
    got = engine.call("FM_STRESS", [[0.3], [0.5], [0.2]], excel_range(returns), "FF5", serials(returns.index), shocks)
    assert got[-1][0] == "Total"
    np.testing.assert_allclose(got[-1][-1], expected.pnl, **TOL)
    assert got[1][:3] == ["Mkt-RF", -0.1, True]


def test_one_labelled_weight(engine, returns, model):
    expected = model.portfolio_risk(pd.Series([0.0, 1.0, 0.0], index=ASSETS))
    got = record(engine.call("FM_PORT_RISK", [["Durbl", 1.0]], excel_range(returns), "FF5", serials(returns.index)))
    np.testing.assert_allclose(got["Total vol"], expected.total_vol, **TOL)


# ------------------------------------------------------------------ 3. user headers "Asset n"
def test_labelled_weights_match_asset_n_headers_by_name(engine, returns, model):
    cells = excel_range(returns)
    cells[0] = ["Asset 2", "Asset 1", "Asset 3"]  # the user's own header, in another order
    weights = [["Asset 1", 1.0], ["Asset 2", 0.0], ["Asset 3", 0.0]]
    got = record(engine.call("FM_PORT_RISK", weights, cells, "FF5", serials(returns.index)))
    expected = model.portfolio_risk(pd.Series([0.0, 1.0, 0.0], index=ASSETS))  # column 2 = Durbl
    np.testing.assert_allclose(got["Total vol"], expected.total_vol, **TOL)


# ------------------------------------------------------------------ 4. trailing blank rows
def test_trailing_blank_rows_are_dropped(engine, returns, ff5, model):
    cells, dates = excel_range(returns), serials(returns.index)
    expected = xf.regress(ff5.returns, ff5.factors, rf=ff5.factors["RF"]).betas
    got = spilled(engine.call("FM_BETA", cells + [[None] * 3] * 5, "FF5", dates + [[None]] * 5))
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), **TOL)
    got = spilled(engine.call("FM_BETA", cells + [[None] * 3] * 5, "FF5", dates))  # only returns too long
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), **TOL)
    factors = excel_range(ff5.factors)
    got = spilled(engine.call("FM_BETA", cells + [[None] * 3] * 2, factors + [[None] * 6] * 2))
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), **TOL)
    weights = [["NoDur", 0.3], ["Manuf", 0.7], [None, None]]
    got = record(engine.call("FM_PORT_RISK", weights, cells, "FF5", dates))
    np.testing.assert_allclose(
        got["Total vol"], model.portfolio_risk(pd.Series([0.3, 0.0, 0.7], index=ASSETS)).total_vol, **TOL
    )
    got = record(engine.call("FM_PORT_RISK", [[0.3], [0.0], [0.7], [None]], cells, "FF5", dates))
    np.testing.assert_allclose(
        got["Total vol"], model.portfolio_risk(pd.Series([0.3, 0.0, 0.7], index=ASSETS)).total_vol, **TOL
    )


def test_interior_blank_dates_still_refused(engine, returns):
    dates = serials(returns.index)
    dates[10] = [None]
    assert one(engine.call("FM_BETA", excel_range(returns), "FF5", dates)).startswith(
        "#FM! dates: cell 11 of the range is blank"
    )


def test_long_table_with_trailing_blank_rows(engine):
    rng = np.random.default_rng(1)
    days = pd.date_range("2024-01-31", periods=4, freq="ME")
    table = [["Date", "Asset", "Return", "Size"]]
    for day in days:
        for asset in "ABCDEF":
            table.append([f"{day:%Y-%m-%d}", asset, float(rng.normal(0, 0.05)), float(rng.normal())])
    full = engine.call("FM_XS_FACTOR_RETURNS", table)
    assert engine.call("FM_XS_FACTOR_RETURNS", table + [[None] * 4] * 3) == full
    assert len(full) == 5


# ------------------------------------------------------------------ 5. factor range without dates
def test_factor_range_without_dates_refuses_annual_figures(engine, returns, ff5):
    cells, factors = excel_range(ff5.returns), excel_range(ff5.factors)
    refused = "#FM! dates: give the dates of the rows so the frequency is known, or set annualize FALSE"
    assert one(engine.call("FM_ALPHA", cells, factors)) == refused
    assert one(engine.call("FM_VAR_DECOMP", cells, factors)) == refused
    assert one(engine.call("FM_PORT_RISK", [[0.3], [0.5], [0.2]], cells, factors)) == refused
    assert one(engine.call("FM_HEDGE_TARGET", [[0.3], [0.5], [0.2]], cells, factors)) == (
        "#FM! dates: give the dates of the rows so the frequency is known"
    )
    result = xf.regress(ff5.returns, ff5.factors, rf=ff5.factors["RF"])
    alpha = spilled(engine.call("FM_ALPHA", cells, factors, None, False))
    np.testing.assert_allclose(alpha["alpha"].to_numpy(dtype=float), result.params["alpha"].to_numpy(), **TOL)
    np.testing.assert_allclose(alpha["t"].to_numpy(dtype=float), result.tvalues["alpha"].to_numpy(), **TOL)
    summary = engine.call("FM_REGRESS", excel_range(ff5.returns[["NoDur"]]), factors)
    labels = [row[0] for row in summary]
    assert "Alpha (ann.)" not in labels and "Residual vol (ann.)" not in labels
    per_period = next(row[1] for row in summary if row[0] == "Residual vol (per period)")
    np.testing.assert_allclose(per_period, result.resid_vol["NoDur"], **TOL)


def test_factor_range_without_dates_frequency_free_results(engine, ff5):
    """VaR over data periods and stress P&L do not depend on the frequency: same as with dates."""
    cells, factors = excel_range(ff5.returns), excel_range(ff5.factors)
    dates = serials(ff5.returns.index)
    weights = [[0.3], [0.5], [0.2]]
    without = record(engine.call("FM_VAR", weights, cells, factors))
    with_dates = record(engine.call("FM_VAR", weights, cells, factors, dates))
    assert list(without) == list(with_dates) and without.pop("Method") == with_dates.pop("Method") == "parametric"
    np.testing.assert_allclose(list(without.values()), list(with_dates.values()), rtol=1e-10)
    shocks = [["Mkt-RF", -0.1]]
    without = engine.call("FM_STRESS", weights, cells, factors, None, shocks)
    with_dates = engine.call("FM_STRESS", weights, cells, factors, dates, shocks)
    np.testing.assert_allclose(without[-1][-1], with_dates[-1][-1], rtol=1e-10)


def test_hedge_without_dates_is_per_period(engine, ff5):
    target = excel_range(ff5.returns[["NoDur"]])
    got = record(engine.call("FM_HEDGE", target, excel_range(ff5.factors[["Mkt-RF"]])))
    expected = xf.hedge_ratios(
        ff5.returns["NoDur"].reset_index(drop=True), ff5.factors[["Mkt-RF"]].reset_index(drop=True)
    )
    assert "Residual vol" in got and "Residual vol (ann.)" not in got
    np.testing.assert_allclose(got["Residual vol"], expected.residual_vol, **TOL)


# ------------------------------------------------------------------ 6. messages
def test_repeated_label_in_a_label_column(engine, returns):
    weights = [["NoDur", 0.5], ["NoDur", 0.5]]
    assert one(engine.call("FM_PORT_RISK", weights, excel_range(returns), "FF5", serials(returns.index))) == (
        "#FM! weights: the label column repeats 'NoDur'; give each row a distinct name"
    )


def test_factors_frequency_words_and_start_after_end(engine):
    words = engine.call("FM_FACTORS", "FF3", "monthly", 45000.0, 45400.0)
    assert words == engine.call("FM_FACTORS", "FF3", "M", 45000.0, 45400.0)
    assert len(words) > 2
    assert one(engine.call("FM_FACTORS", "FF3", "M", 45400.0, 45000.0)) == (
        "#FM! start_date: 2024-04-18 is after end_date (2023-03-15); swap them"
    )


def test_data_info_with_a_number(engine):
    assert one(engine.call("FM_DATA_INFO", 5.0)).startswith("#FM! model: 5.0 is not a model; built-in models are CAPM")


def test_lower_case_rf_is_the_risk_free_rate(engine, returns, ff5):
    factors = excel_range(ff5.factors.rename(columns={"RF": "rf"}))
    got = spilled(engine.call("FM_BETA", excel_range(returns), factors, serials(returns.index)))
    assert list(got.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
    expected = xf.regress(ff5.returns, ff5.factors, rf=ff5.factors["RF"]).betas
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(), **TOL)


def test_returns_as_a_row_and_numeric_header(engine, returns):
    dates = serials(returns.index)
    row = [[r[0] for r in excel_range(returns, header=False)]]
    assert one(engine.call("FM_BETA", row, "FF5", dates)) == (
        "#FM! returns: one row of 60 values but dates has 60 rows; give one column per asset "
        "and one row per date (transpose the range)"
    )
    tickers = [[7203.0, 6758.0, 9984.0], *excel_range(returns, header=False)]
    assert one(engine.call("FM_BETA", tickers, "FF5", dates[1:])).startswith(
        "#FM! returns: 61 rows, one more than dates (60); if the first row names the assets with numbers"
    )


def test_char_portfolio_date_not_in_table(engine):
    rng = np.random.default_rng(2)
    table = [["Date", "Asset", "Return", "Size"]]
    for day in pd.date_range("2024-01-31", periods=3, freq="ME"):
        for asset in "ABCDEF":
            table.append([f"{day:%Y-%m-%d}", asset, float(rng.normal(0, 0.05)), float(rng.normal())])
    assert one(engine.call("FM_CHAR_PORTFOLIO", table, "2025-01-31")) == (
        "#FM! as_of: 2025-01-31 is not a date of the table (2024-01-31 to 2024-03-31); give one of the table's dates"
    )


# ------------------------------------------------------------------ 7. dates after the factor data
def test_dates_mostly_after_the_factor_data(engine):
    last = xf.load_factors("FF3", "M").index.max()
    index = pd.date_range(last - pd.DateOffset(months=11), periods=30, freq="ME")
    frame = pd.DataFrame({"A": np.random.default_rng(5).normal(0.01, 0.04, len(index))}, index=index)
    assert one(engine.call("FM_BETA", excel_range(frame), "FF3", serials(index))) == (
        f"#FM! dates: 18 of 30 dates have no FF3 monthly factor data ({index[12]:%Y-%m-%d}, {index[13]:%Y-%m-%d}, "
        f"{index[14]:%Y-%m-%d}, ... {index[-1]:%Y-%m-%d}); the factor data run from 1926-07-31 to {last:%Y-%m-%d}, "
        f"and more than 10% of the rows may not be dropped; run Refresh data, or end the range by {last:%Y-%m-%d}"
    )
    short = frame.iloc[:13]  # 1 of 13 after (within 10%): left out, and shown
    summary = record(engine.call("FM_REGRESS", excel_range(short), "FF3", serials(short.index)))
    assert summary["Observations"] == 12 and summary["Rows without factor data"] == 1
