"""Reading a user's portfolio from XLSX (sheets or Excel tables) and CSV files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table

from xlfactor.data.portfolio_files import read_portfolio, read_weights_csv
from xlfactor.errors import XLFactorError


@pytest.fixture(scope="module")
def sample(industries10) -> tuple[pd.DataFrame, pd.Series]:
    """Two years of four real industry return series and long-only weights."""
    returns = industries10.iloc[-24:, :4]
    weights = pd.Series([0.4, 0.3, 0.2, 0.1], index=returns.columns)
    return returns, weights


def _rows(frame: pd.DataFrame) -> list[list[object]]:
    body = [[d.to_pydatetime(), *row] for d, row in zip(frame.index, frame.to_numpy(), strict=True)]
    return [["Date", *frame.columns], *body]


def _xlsx(path, returns_rows, weights_rows, *, as_tables: bool = False) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data" if as_tables else "Returns"
    for row in returns_rows:
        ws.append(row)
    wsw = wb.create_sheet("Inputs" if as_tables else "Weights")
    for row in weights_rows:
        wsw.append(row)
    for sheet in (ws, wsw):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    if as_tables:
        ws.add_table(Table(displayName="Returns", ref=f"A1:{ws.cell(ws.max_row, ws.max_column).coordinate}"))
        wsw.add_table(Table(displayName="Weights", ref=f"A1:{wsw.cell(wsw.max_row, wsw.max_column).coordinate}"))
    wb.save(path)


@pytest.mark.parametrize("as_tables", [False, True])
def test_xlsx_sheets_and_tables(tmp_path, sample, as_tables):
    returns, weights = sample
    path = tmp_path / "p.xlsx"
    _xlsx(
        path,
        _rows(returns),
        [["Asset", "Weight", "Benchmark"], *[[a, w, 0.25] for a, w in weights.items()]],
        as_tables=as_tables,
    )
    got = read_portfolio(path, long_only=True)
    np.testing.assert_allclose(got.returns.to_numpy(), returns.to_numpy(), rtol=0, atol=1e-15)
    assert list(got.returns.index) == list(returns.index)
    np.testing.assert_allclose(got.weights.to_numpy(), weights.to_numpy())
    np.testing.assert_allclose(got.benchmark.to_numpy(), 0.25)


def test_csv_pair_prices_and_missing_weights(tmp_path, sample):
    returns, _ = sample
    prices = (1 + returns).cumprod() * 100
    prices.index.name = "Date"
    prices.to_csv(tmp_path / "prices.csv")
    (tmp_path / "w.csv").write_text(f"asset,weight\n{returns.columns[0]},60%\n{returns.columns[1]},0.4\n")
    got = read_portfolio(tmp_path / "prices.csv", weights_path=tmp_path / "w.csv", prices=True, long_only=True)
    np.testing.assert_allclose(got.returns.to_numpy(), returns.iloc[1:].to_numpy(), rtol=1e-9, atol=1e-12)
    assert got.weights.tolist() == [0.6, 0.4]  # unlisted assets are left out: the analysis flags them
    assert got.benchmark is None
    bench = read_weights_csv(tmp_path / "w.csv", list(returns.columns))
    assert bench.tolist() == [0.6, 0.4, 0.0, 0.0]


def test_formula_like_asset_names_are_kept_as_text(tmp_path, sample):
    returns, _ = sample
    named = returns.set_axis(['=HYPERLINK("x")', "+1", "@SUM(A1)", "-2"], axis=1)
    path = tmp_path / "p.xlsx"
    _xlsx(path, _rows(named), [["Asset", "Weight"], *[[a, 0.25] for a in named.columns]])
    got = read_portfolio(path)
    assert list(got.returns.columns) == list(named.columns)


def _text_in_returns(rows, weights):
    rows[3][2] = "n/a"
    return rows, weights


def _bad_date(rows, weights):
    rows[5][0] = "soon"
    return rows, weights


def _with_weights(*values):
    def mutate(rows, weights):
        return rows, [weights[0], *[[weights[1 + i][0], v] for i, v in enumerate(values)]]

    return mutate


def _unknown_asset(rows, weights):
    return rows, [*weights, ["Ghost", 0.0]]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_text_in_returns, "holds text 'n/a', not a number; fix or blank the cell"),
        (_bad_date, "returns: row 6 has 'soon', not a date; write dates as YYYY-MM-DD"),
        (_unknown_asset, "['Ghost'] are not columns of the returns"),
        (_with_weights(-0.1, 0.5, 0.6), "negative weights but the portfolio is declared long-only"),
        (_with_weights(40, 30, 20, 10), "sum to 100, not 1 (they look like percentages; divide by 100)"),
        (_with_weights(0.5, 0.3), "sum to 0.8, not 1"),
    ],
)
def test_bad_inputs_name_the_problem(tmp_path, sample, mutate, message):
    returns, weights = sample
    rows, weight_rows = mutate(_rows(returns), [["Asset", "Weight"], *[[a, w] for a, w in weights.items()]])
    path = tmp_path / "bad.xlsx"
    _xlsx(path, rows, weight_rows)
    with pytest.raises(XLFactorError, match=re.escape(message)):
        read_portfolio(path, long_only=True)


def test_missing_pieces(tmp_path, sample):
    returns, _ = sample
    returns.to_csv(tmp_path / "r.csv")
    with pytest.raises(XLFactorError, match="needs a weights CSV"):
        read_portfolio(tmp_path / "r.csv")
    wb = Workbook()
    wb.active.title = "Returns"
    wb.save(tmp_path / "no_weights.xlsx")
    with pytest.raises(XLFactorError, match="no sheet or table named 'Weights'"):
        read_portfolio(tmp_path / "no_weights.xlsx")
    (returns * 100).to_csv(tmp_path / "pct.csv")
    (tmp_path / "w.csv").write_text(f"asset,weight\n{returns.columns[0]},1\n")
    got = read_portfolio(tmp_path / "pct.csv", weights_path=tmp_path / "w.csv")  # read, not judged: the engine's
    np.testing.assert_allclose(got.returns.to_numpy(), returns.to_numpy() * 100, rtol=1e-15)  # rule refuses it


def _csv_pair(tmp_path, dates: list[str], weights: str = "asset,weight\nA,1\n"):
    returns = tmp_path / "r.csv"
    returns.write_text("Date,A\n" + "".join(f"{d},{0.01 * (i + 1)}\n" for i, d in enumerate(dates)))
    (tmp_path / "w.csv").write_text(weights)
    return returns, tmp_path / "w.csv"


def test_text_dates_iso_and_decided_day_month(tmp_path):
    returns, weights = _csv_pair(tmp_path, ["2020-01-31", "2020/02/29", "20200331"])
    assert list(read_portfolio(returns, weights_path=weights).returns.index) == list(
        pd.to_datetime(["2020-01-31", "2020-02-29", "2020-03-31"])
    )
    returns, weights = _csv_pair(tmp_path, ["31/01/2020", "01/02/2020", "02/03/2020"])  # 31/01 proves day first
    assert list(read_portfolio(returns, weights_path=weights).returns.index) == list(
        pd.to_datetime(["2020-01-31", "2020-02-01", "2020-03-02"])
    )
    returns, weights = _csv_pair(tmp_path, ["01/31/2020", "02/01/2020", "03/02/2020"])  # 01/31 proves month first
    assert list(read_portfolio(returns, weights_path=weights).returns.index) == list(
        pd.to_datetime(["2020-01-31", "2020-02-01", "2020-03-02"])
    )


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            ["01/01/2018", "01/02/2018", "01/03/2018"],
            "returns: '01/02/2018' is ambiguous (day/month or month/day); write dates as YYYY-MM-DD",
        ),
        (["13/01/2018", "01/13/2018", "2018-01-20"], "mix two orders; write dates as YYYY-MM-DD"),
        (
            ["01/02/18", "01/03/18", "01/04/18"],
            "returns: row 2 has '01/02/18', without a four-digit year (a two-digit "
            "year such as 18 could be 1918 or 2018, so it is refused); write dates as YYYY-MM-DD",
        ),
    ],
)
def test_ambiguous_text_dates_are_refused(tmp_path, dates, message):
    returns, weights = _csv_pair(tmp_path, dates)
    with pytest.raises(XLFactorError, match=re.escape(message)):
        read_portfolio(returns, weights_path=weights)


def test_excel_date_cells_are_used_as_dates(tmp_path, sample):
    """Real Excel dates need no guessing, whatever the display format of the sheet."""
    returns, weights = sample
    path = tmp_path / "p.xlsx"
    _xlsx(path, _rows(returns), [["Asset", "Weight"], *[[a, w] for a, w in weights.items()]])
    wb = load_workbook(path)
    for (cell,) in wb["Returns"].iter_rows(min_row=2, max_col=1):
        cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    assert list(read_portfolio(path).returns.index) == list(returns.index)


def test_blank_weight_cell_is_an_error_but_a_missing_row_is_left_out(tmp_path):
    dates = ["2020-01-31", "2020-02-29", "2020-03-31"]
    returns, weights = _csv_pair(tmp_path, dates, "asset,weight\nA,1\n")
    returns.write_text("Date,A,B,C\n" + "".join(f"{d},0.01,0.02,0.03\n" for d in dates))
    got = read_portfolio(returns, weights_path=weights)
    assert got.weights.to_dict() == {"A": 1.0}  # B and C have no row: left for the analysis to flag
    weights.write_text("asset,weight\nA,0.6\nB,\nC,0.4\n")
    with pytest.raises(
        XLFactorError,
        match=re.escape("weights: the weight of 'B' is blank; enter a number (0 if not held) or delete the row"),
    ):
        read_portfolio(returns, weights_path=weights)
    weights.write_text("asset,weight,benchmark\nA,0.6,0.5\nB,0.4,\n")
    with pytest.raises(XLFactorError, match="benchmark: the weight of 'B' is blank"):
        read_portfolio(returns, weights_path=weights)


def test_benchmark_file_messages_name_the_benchmark(tmp_path):
    bench = tmp_path / "bench.csv"
    bench.write_text("asset,weight\nA,0.5\nTSLA,0.5\n")
    with pytest.raises(XLFactorError, match=re.escape("benchmark: ['TSLA'] are not columns of the returns table")):
        read_weights_csv(bench, ["A", "B"], what="benchmark")
    bench.write_text("asset,weight\nA,\n")
    with pytest.raises(XLFactorError, match="^benchmark: the weight of 'A' is blank"):
        read_weights_csv(bench, ["A", "B"], what="benchmark")


@pytest.mark.parametrize(("size", "refused"), [(0.19, False), (0.21, True)])
def test_one_percent_rule_in_the_engine_not_the_reader(tmp_path, size, refused):
    """The file reader takes the values as given; the engine's one rule (median |r| > 20%) judges them
    (the command line's message and advice: tests/report/test_cli.py)."""
    from xlfactor.models.units import PERCENT_LIKE_MEDIAN, check_not_percent

    assert PERCENT_LIKE_MEDIAN == 0.2
    values = np.array([size, -size, size, np.nan])
    dates = ["2020-01-31", "2020-02-29", "2020-03-31", "2020-04-30"]
    returns, weights = _csv_pair(tmp_path, dates)
    cells = ["" if np.isnan(v) else v for v in values]
    returns.write_text("Date,A\n" + "".join(f"{d},{c}\n" for d, c in zip(dates, cells, strict=True)))
    np.testing.assert_array_equal(read_portfolio(returns, weights_path=weights).returns["A"].to_numpy(), values)
    if refused:
        with pytest.raises(XLFactorError, match=r"^x: (column .* |values )?looks? like percentages"):
            check_not_percent(values, "x")
    else:
        check_not_percent(values, "x")


@pytest.mark.parametrize("sheet", ["Returns", "Weights"])
def test_a_title_row_above_the_header_names_the_fix(tmp_path, sample, sheet):
    returns, weights = sample
    returns_rows = _rows(returns)
    weights_rows = [["Asset", "Weight"], *[[a, w] for a, w in weights.items()]]
    titled = [["My fund, March"], [None]]  # a title and a blank line, as people lay sheets out
    path = tmp_path / "p.xlsx"
    if sheet == "Returns":
        _xlsx(path, titled + returns_rows, weights_rows)
        header = "Date, then the asset names"
    else:
        _xlsx(path, returns_rows, titled + weights_rows)
        header = "asset, weight[, benchmark]"
    with pytest.raises(XLFactorError) as caught:
        read_portfolio(path)
    assert str(caught.value) == (
        f"{sheet.lower()}: the first row holds only 'My fund, March', which looks like a title above the header; "
        f"the header row ({header}) must come first: delete the title row, or make the data below it an Excel "
        f"table named {sheet}"
    )


@pytest.mark.parametrize(
    ("sheet_name", "fix"),
    [
        ("returns", None),  # another case: matched, as Excel matches names
        ("Return", "rename 'Return' to 'Returns'"),
        ("Retruns", "rename 'Retruns' to 'Returns'"),
        ("Data", "add one (see 'xlfactor report --help' for the layout); it has 'Data', 'Weights'"),
    ],
)
def test_a_near_miss_sheet_name_is_named(tmp_path, sample, sheet_name, fix):
    returns, weights = sample
    path = tmp_path / "p.xlsx"
    _xlsx(path, _rows(returns), [["Asset", "Weight"], *[[a, w] for a, w in weights.items()]])
    wb = load_workbook(path)
    wb["Returns"].title = "tmp"  # openpyxl would number a case-only rename ("returns1")
    wb["tmp"].title = sheet_name
    wb.save(path)
    if fix is None:
        assert list(read_portfolio(path).returns.columns) == list(returns.columns)
        return
    with pytest.raises(XLFactorError) as caught:
        read_portfolio(path)
    assert str(caught.value) == f"input: 'p.xlsx' has no sheet or table named 'Returns'; {fix}"
