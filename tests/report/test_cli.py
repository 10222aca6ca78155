"""``xlfactor demo`` and ``xlfactor report``: output, headline numbers, and bad input -> one message, no file."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook

import xlfactor as xf
from xlfactor.cli import main


@pytest.fixture(scope="module")
def industries():
    """Five years of four shipped industry portfolios (real monthly returns)."""
    return xf.industry_portfolios().loc["2019-01":"2023-12", ["NoDur", "Manuf", "BusEq", "Hlth"]]


def _inputs(folder, returns, weights: str):
    returns.rename_axis("Date").to_csv(folder / "returns.csv")
    (folder / "weights.csv").write_text("asset,weight\n" + weights)
    return folder / "returns.csv", folder / "weights.csv"


def test_demo_prints_where_and_headline(tmp_path, capsys):
    out = tmp_path / "demo.xlsx"
    assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"Wrote {out.resolve()}" in printed
    for phrase in (
        "total volatility",
        "factor volatility",
        "specific volatility",
        "factor share of variance",
        "tracking error",
        "market beta",
        "top asset contributors",
    ):
        assert phrase in printed
    assert load_workbook(out).sheetnames[0] == "Summary"


def test_report_from_csv_pair(tmp_path, industries, capsys):
    returns, weights = _inputs(tmp_path, industries, "NoDur,0.4\nManuf,0.3\nBusEq,0.2\nHlth,0.1\n")
    out = tmp_path / "out.xlsx"
    code = main(
        [
            "report",
            str(returns),
            "--weights",
            str(weights),
            "-o",
            str(out),
            "--model",
            "FF3",
            "--benchmark",
            "equal",
            "--window",
            "24",
            "--long-only",
            "--title",
            "=My fund",
        ]
    )
    assert code == 0, capsys.readouterr().err
    wb = load_workbook(out)
    assert wb["Summary"]["A1"].value == "=My fund" and wb["Summary"]["A1"].data_type == "s"
    assert wb["Rolling betas"]["A1"].value == "Rolling 24-month portfolio betas"
    assert {"Tracking error", "Active share"} <= {c.value for c in wb["Summary"]["A"]}


def _text_in_returns(folder, returns):
    bad = returns.astype(object)
    bad.iloc[5, 1] = "n/a"
    return _inputs(folder, bad, "NoDur,1\n")


def _unknown_asset(folder, returns):
    return _inputs(folder, returns, "NoDur,0.5\nTSLA,0.5\n")


def _negative(folder, returns):
    return _inputs(folder, returns, "NoDur,1.2\nManuf,-0.2\n")


def _not_summing(folder, returns):
    return _inputs(folder, returns, "NoDur,0.5\nManuf,0.2\n")


def _no_overlap(folder, returns):
    early = returns.set_axis(pd.date_range("1900-01-31", periods=len(returns), freq="ME"), axis=0)
    return _inputs(folder, early, "NoDur,1\n")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_text_in_returns, "returns: 'Manuf' on 2019-06-30 holds text 'n/a', not a number"),
        (_unknown_asset, "weights: ['TSLA'] are not columns of the returns table"),
        (_negative, "weights: ['Manuf'] have negative weights but the portfolio is declared long-only"),
        (_not_summing, "weights: long-only weights sum to 0.7, not 1"),
        (_no_overlap, "returns: no dates in common with the FF5 factor data"),
    ],
)
def test_bad_input_one_message_no_file(tmp_path, industries, capsys, make, message):
    returns, weights = make(tmp_path, industries)
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["report", str(returns), "--weights", str(weights), "-o", str(tmp_path / "r.xlsx"), "--long-only"])
    err = [
        line for line in capsys.readouterr().err.strip().splitlines() if not line.startswith("report: ")
    ]  # progress lines (not a terminal)
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no report, no temporary file


def test_bad_output_path_and_exit_code_from_fresh_process(tmp_path, industries):
    returns, weights = _inputs(tmp_path, industries, "NoDur,1\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "xlfactor",
            "report",
            str(returns),
            "--weights",
            str(weights),
            "-o",
            str(tmp_path / "missing" / "r.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: output: cannot write")
    assert "Traceback" not in result.stderr


def _workbook_input(folder, returns):
    path = folder / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        returns.rename_axis("Date").to_excel(writer, sheet_name="Returns")
        pd.DataFrame({"Asset": ["NoDur", "Manuf"], "Weight": [0.6, 0.4]}).to_excel(
            writer, sheet_name="Weights", index=False
        )
    return path


@pytest.mark.parametrize("which", ["input", "--weights", "--benchmark", "--portfolio-returns"])
def test_report_refuses_to_overwrite_an_input_file(tmp_path, industries, capsys, which):
    returns, weights = _inputs(tmp_path, industries, "NoDur,0.6\nManuf,0.4\n")
    realised = tmp_path / "realised.csv"
    (industries.mean(axis=1).rename("Return").rename_axis("Date")).to_csv(realised)
    bench = tmp_path / "bench.csv"
    bench.write_text("asset,weight\nNoDur,0.5\nManuf,0.5\n")
    target = {"input": returns, "--weights": weights, "--benchmark": bench, "--portfolio-returns": realised}[which]
    before = {p: p.read_bytes() for p in (returns, weights, bench, realised)}
    alias = tmp_path / "sub" / ".." / target.name  # a different spelling of the same file
    (tmp_path / "sub").mkdir()
    code = main(
        [
            "report",
            str(returns),
            "--weights",
            str(weights),
            "--benchmark",
            str(bench),
            "--portfolio-returns",
            str(realised),
            "--model",
            "FF3",
            "-o",
            str(alias),
        ]
    )
    assert code == 2
    assert f"is the {which} file; choose another name" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before


def test_report_refuses_to_overwrite_its_workbook(tmp_path, industries, capsys):
    book = _workbook_input(tmp_path, industries)
    before = book.read_bytes()
    assert main(["report", str(book), "-o", str(book)]) == 2
    assert "error: output: " in capsys.readouterr().err
    assert book.read_bytes() == before


@pytest.mark.parametrize("where", ["under_a_file", "missing_folder"])
def test_unwritable_output_is_one_message(tmp_path, capsys, where):
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / ("file.txt" if where == "under_a_file" else "missing") / "out.xlsx"
    assert main(["demo", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: output: cannot write '{out}") and err.rstrip().endswith("choose a writable folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_frequency_mismatch_advice_is_a_command_line_option(tmp_path, capsys):
    daily = xf.load_factors("FF3", "D").loc["2023", ["Mkt-RF", "SMB"]].rename(columns={"Mkt-RF": "A", "SMB": "B"})
    returns, weights = _inputs(tmp_path, daily, "A,0.5\nB,0.5\n")
    assert (
        main(["report", str(returns), "--weights", str(weights), "--model", "FF3", "-o", str(tmp_path / "o.xlsx")]) == 2
    )
    err = capsys.readouterr().err
    assert "pass --freq D" in err and "freq=" not in err


def test_day_month_dates_are_refused_not_misread(tmp_path, industries, capsys):
    returns, weights = _inputs(tmp_path, industries, "NoDur,1\n")
    text = industries.copy()
    text.index = (industries.index - pd.offsets.MonthBegin(1)).strftime("%d/%m/%Y")  # 01/02/2019 = 1 Feb
    text.rename_axis("Date").to_csv(returns)
    assert main(["report", str(returns), "--weights", str(weights), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert (
        "error: returns: '01/02/2019' is ambiguous (day/month or month/day); write dates as YYYY-MM-DD"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "o.xlsx").exists()


def test_benchmark_file_errors_say_benchmark(tmp_path, industries, capsys):
    returns, weights = _inputs(tmp_path, industries, "NoDur,0.6\nManuf,0.4\n")
    bench = tmp_path / "bench.csv"
    bench.write_text("asset,weight\nNoDur,0.5\nTSLA,0.5\n")
    assert (
        main(
            [
                "report",
                str(returns),
                "--weights",
                str(weights),
                "--benchmark",
                str(bench),
                "-o",
                str(tmp_path / "o.xlsx"),
            ]
        )
        == 2
    )
    assert "error: benchmark: ['TSLA'] are not columns of the returns table" in capsys.readouterr().err


def test_a_full_disk_ends_with_one_message_and_no_traceback(tmp_path):
    """Writing the report past a file-size limit (as on a full disk: the write fails with EFBIG) printed
    openpyxl's "Exception ignored in <generator WorksheetWriter.get_stream>" traceback after our message."""
    import resource
    import signal

    def small_files() -> None:  # in the child: writes beyond 30 kB fail (the report is about 65 kB)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    out = tmp_path / "report.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "xlfactor", "demo", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_files,
    )
    assert result.returncode == 2, result.stderr
    assert f"error: output: cannot write '{out}': File too large (the disk or your quota is full" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []  # no half-written report, no temporary file


EXPECTED_ADVICE = (
    "(if these are prices: pass --prices; for an asset more volatile than 100% a year: pass --units decimal)"
)


def _count_percent_rule(monkeypatch) -> list[tuple[str, bool]]:
    """Record each run of the engine's percent rule: (the argument checked, whether the data layer ran it)."""
    import inspect

    from xlfactor.models import units

    calls: list[tuple[str, bool]] = []
    for rule, at in ((units._check_percent, 1), (units._check_pooled_percent, 0)):  # where `name` is in *args

        def counted(values, *args, _rule=rule, _at=at):
            from_data = any("/xlfactor/data/" in f.filename.replace("\\", "/") for f in inspect.stack()[1:])
            calls.append((args[_at], from_data))
            return _rule(values, *args)

        monkeypatch.setattr(units, rule.__name__, counted)
    return calls


@pytest.mark.parametrize("kind", ["percent", "prices"])
def test_percent_or_price_file_advice_comes_from_the_engines_one_check(tmp_path, industries, capsys, monkeypatch, kind):
    """The file reader re-applied the units rule (for its --prices advice): a returns file was checked twice.
    Now the engine's refusal, with --prices added to its advice by the command line, and no check in data/."""
    data = industries * 100 if kind == "percent" else (1 + industries).cumprod() * 20  # prices below 100
    returns, weights = _inputs(tmp_path, data, "NoDur,0.4\nManuf,0.3\nBusEq,0.2\nHlth,0.1\n")
    calls = _count_percent_rule(monkeypatch)
    out = tmp_path / "out.xlsx"
    assert main(["report", str(returns), "--weights", str(weights), "-o", str(out)]) == 2 and not out.exists()
    err = capsys.readouterr().err.splitlines()[-1]
    assert err == (
        "error: returns: column 'NoDur' looks like percentages (median size above 20%); divide by 100 so that "
        f"0.012 means 1.2% {EXPECTED_ADVICE}"
    )
    assert [c for c in calls if c[0] == "returns"] == [("returns", False)]  # once, in the engine
    if kind == "prices":  # the advised flag works
        assert main(["report", str(returns), "--prices", "--weights", str(weights), "-o", str(out)]) == 0


def test_cli_applies_the_units_rule_no_more_than_the_engine(tmp_path, industries, monkeypatch):
    """A good file: the CLI runs the percent rule exactly as often as the analysis on the same frames, never from
    the data layer (the reader reads; the engine judges)."""
    from xlfactor.data.portfolio_files import read_portfolio
    from xlfactor.report.build import report_analysis

    returns, weights = _inputs(tmp_path, industries, "NoDur,0.4\nManuf,0.3\nBusEq,0.2\nHlth,0.1\n")
    calls = _count_percent_rule(monkeypatch)
    assert main(["report", str(returns), "--weights", str(weights), "-o", str(tmp_path / "out.xlsx")]) == 0
    through_cli = list(calls)
    calls.clear()
    portfolio = read_portfolio(returns, weights_path=weights)
    report_analysis(portfolio.returns, portfolio.weights, source=portfolio.source)
    assert through_cli == calls and ("returns", False) in calls
    assert not any(from_data for _, from_data in through_cli)
    assert [name for name, _ in calls].count("returns") == 1  # once per report, not once per engine call (it was 7)


def test_advising_keeps_the_fields_and_puts_the_front_ends_advice_first():
    from xlfactor.cli.report_commands import PRICES_ADVICE
    from xlfactor.cli.wording import COMMAND_LINE
    from xlfactor.errors import XLFactorError
    from xlfactor.models.units import VOLATILE_ADVICE

    found = XLFactorError.at("returns", "looks like percentages", column="A", row=3, advice=VOLATILE_ADVICE)
    advised = found.advising(PRICES_ADVICE)
    assert (advised.argument, advised.problem, advised.column, advised.row) == ("returns", found.problem, "A", 3)
    assert advised.advice == (PRICES_ADVICE, VOLATILE_ADVICE)
    assert advised.render(COMMAND_LINE) == (
        "returns: column 'A' at row 3 looks like percentages (if these are prices: pass --prices; for an asset more "
        "volatile than 100% a year: pass --units decimal)"
    )
    plain = XLFactorError("input: file 'x.csv' not found")
    assert plain.advising(PRICES_ADVICE) is plain


def test_percent_portfolio_returns_named_by_the_flag(tmp_path, industries, capsys, monkeypatch):
    """The reader re-checked the realised returns too; the engine's one check now words it for the flag."""
    returns, weights = _inputs(tmp_path, industries, "NoDur,0.4\nManuf,0.3\nBusEq,0.2\nHlth,0.1\n")
    nav = (industries @ pd.Series([0.4, 0.3, 0.2, 0.1], index=industries.columns)) * 100
    nav.rename("Return").rename_axis("Date").to_csv(tmp_path / "nav.csv")
    calls = _count_percent_rule(monkeypatch)
    out = tmp_path / "out.xlsx"
    args = ["report", str(returns), "--weights", str(weights), "--portfolio-returns", str(tmp_path / "nav.csv")]
    assert main([*args, "-o", str(out)]) == 2 and not out.exists()
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("error: --portfolio-returns: ") and "looks like percentages" in err
    assert "--prices" not in err  # prices are read for the assets, never for the realised returns
    assert [c for c in calls if c[0] == "portfolio_returns"] == [("portfolio_returns", False)]
