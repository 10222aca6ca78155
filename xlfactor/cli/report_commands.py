"""``xlfactor demo`` and ``xlfactor report``: build a risk report workbook from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xlfactor.cli.progress import progress_reporter
from xlfactor.data.catalog import model_names_hint
from xlfactor.errors import Advice, XLFactorError
from xlfactor.models.units import VOLATILE_ADVICE

#: The fix for a returns file that holds prices (offered before the engine's own advice).
PRICES_ADVICE = Advice("prices", True, "if these are prices")

DEFAULT_DEMO_FILE = "xlfactor-demo-report.xlsx"
_MODEL_HELP = (
    f"{model_names_hint()}; Developed and Europe ship with xlfactor, other regions and libraries need "
    "`xlfactor refresh --model NAME` first"
)

_REPORT_HELP = """\
INPUT is an .xlsx workbook with a sheet or Excel table named Returns and one named
Weights, or a returns .csv together with --weights FILE.csv.

Returns: header row (Date, asset names...), then one row per date; returns in
decimals (0.012 = 1.2%), blanks = missing. Use --prices if the table holds prices.
Dates: Excel dates or YYYY-MM-DD text; dd/mm/yyyy or mm/dd/yyyy text only when a
day above 12 shows the order (01/02/2018 alone is refused as ambiguous).
Weights: header row, then one row per asset: asset name, weight [, benchmark weight].
An asset without a row is carried at weight 0 with a warning (give it a row
with 0 to say 'not held'); a blank weight cell is an error. Weights summing to
less than 1 leave cash: the Summary states the total weight and cash share.
The report is never written over INPUT or another input file.
PortfolioReturns (optional sheet or table, or --portfolio-returns FILE.csv): the
portfolio's realised returns, header row (Date, Return) then one row per date;
the top-down betas, rolling betas, hedges and worst periods then use this actual
history instead of today's weights held constant.
"""


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` and ``report`` subcommands."""
    demo = subparsers.add_parser(
        "demo",
        help="build the demo risk report from the shipped data (no network)",
        description="Build a risk report for a sample portfolio of the 12 industry "
        "portfolios (monthly, FF5 + momentum by default) from the shipped data.",
    )
    demo.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path(DEFAULT_DEMO_FILE),
        help=f"report file to write (default: ./{DEFAULT_DEMO_FILE})",
    )
    demo.add_argument("--model", default="FF6", help=f"factor model (default FF6); {_MODEL_HELP}")
    demo.set_defaults(func=run_demo)

    report = subparsers.add_parser(
        "report",
        help="build a risk report for your portfolio",
        description="Build a factor risk report workbook for a portfolio.",
        epilog=_REPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("input", type=Path, metavar="INPUT", help="returns/weights .xlsx, or a returns .csv")
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="report file to write (default: ./<INPUT name>-risk-report.xlsx)",
    )
    report.add_argument("--weights", type=Path, default=None, help="weights .csv (asset, weight[, benchmark])")
    report.add_argument("--model", default="FF5", help=f"factor model (default FF5); {_MODEL_HELP}")
    report.add_argument("--freq", default="M", choices=["D", "W", "M"], help="data frequency (default M)")
    report.add_argument(
        "--benchmark",
        default=None,
        help="'equal' (equal-weighted assets) or a weights .csv; default: the third column "
        "of the weights table if present, otherwise none",
    )
    report.add_argument("--window", type=int, default=36, help="rolling-beta window in periods (default 36)")
    report.add_argument(
        "--portfolio-returns",
        type=Path,
        default=None,
        metavar="FILE",
        help="the portfolio's realised returns .csv (Date, Return); overrides a PortfolioReturns sheet in INPUT",
    )
    report.add_argument("--prices", action="store_true", help="the returns table holds prices; convert them")
    report.add_argument(
        "--long-only", action="store_true", help="declare the portfolio long-only: weights must be >= 0 and sum to 1"
    )
    report.add_argument(
        "--max-gross",
        type=_max_gross,
        default=2.0,
        metavar="X",
        help="largest gross exposure sum|w| the weights may have (default 2, which also catches "
        "weights in percent); a leveraged or long-short book passes its gross exposure, "
        "weights in currency pass 'none'",
    )
    report.add_argument(
        "--units",
        default="auto",
        choices=["auto", "decimal"],
        help="'auto' (default) refuses returns that look like percent; 'decimal' declares them "
        "decimals, for an asset more volatile than about 100%% a year",
    )
    report.add_argument("--title", default=None, help="report title (default: the input file name)")
    report.set_defaults(func=run_report)


def run_demo(args: argparse.Namespace) -> int:
    """Build the demo report, print where it went and its headline numbers."""
    from xlfactor.report import build_demo_report

    with progress_reporter("report") as progress:
        path, analysis = build_demo_report(args.output, model=args.model, progress=progress)
    print(f"Wrote {path}")
    _print_headline(analysis)
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Read the portfolio file(s), build the report, print where it went and its headline numbers."""
    from xlfactor.data.portfolio_files import read_portfolio, read_weights_csv
    from xlfactor.report.build import check_report_path, report_analysis, write_report
    from xlfactor.report.reading import weights_warning

    output = args.output or Path(f"{args.input.stem}-risk-report.xlsx")
    _refuse_overwriting_inputs(
        output,
        {
            "input": args.input,
            "--weights": args.weights,
            "--benchmark": _benchmark_path(args.benchmark),
            "--portfolio-returns": args.portfolio_returns,
        },
    )
    output = check_report_path(output)  # before the work, not after it
    portfolio = read_portfolio(
        args.input,
        weights_path=args.weights,
        prices=args.prices,
        long_only=args.long_only,
        portfolio_returns_path=args.portfolio_returns,
    )
    benchmark = portfolio.benchmark
    if args.benchmark is not None:
        benchmark = (
            "equal"
            if args.benchmark.lower() == "equal"
            else read_weights_csv(args.benchmark, portfolio.returns.columns, what="benchmark")
        )
    with progress_reporter("report") as progress, _file_advice(args.prices):
        analysis, info = report_analysis(
            portfolio.returns,
            portfolio.weights,
            model=args.model.upper(),
            freq=args.freq,
            benchmark=benchmark,
            window=args.window,
            title=args.title or args.input.name,
            progress=progress,
            source=portfolio.source,
            portfolio_returns=portfolio.portfolio_returns,
            max_gross=args.max_gross,
            units=args.units,
        )
        path = write_report(analysis, info, output, progress=progress)
    print(f"Wrote {path}")
    _print_headline(analysis)
    warning = weights_warning(analysis)
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


@contextmanager
def _file_advice(prices: bool) -> Iterator[None]:
    """The engine's refusal of the file's returns as percent, with ``--prices`` advised first when the file was
    read as returns: a price column looks like percent to the units rule (applied once, in the engine)."""
    try:
        yield
    except XLFactorError as exc:
        if prices or exc.argument != "returns" or VOLATILE_ADVICE not in exc.advice:
            raise
        raise exc.advising(PRICES_ADVICE) from exc


def _max_gross(text: str) -> float | None:
    """``--max-gross`` value: a positive number, or ``none`` for no bound."""
    if text.strip().lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or 'none'") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number (e.g. 2 for 200% gross) or 'none'")
    return value


def _benchmark_path(benchmark: str | None) -> Path | None:
    """The ``--benchmark`` argument as a file path, or None for ``equal``/absent."""
    return None if benchmark is None or benchmark.lower() == "equal" else Path(benchmark)


def _refuse_overwriting_inputs(output: Path, inputs: dict[str, Path | None]) -> None:
    """Refuse an output path that is (resolves to, or is a link to) one of the input files.

    Writing the report there would replace the user's data with the report.
    """
    if not output.expanduser().exists():
        return
    for argument, given in inputs.items():
        if (
            given is not None
            and given.expanduser().exists()
            and os.path.samefile(output.expanduser(), given.expanduser())
        ):
            raise XLFactorError(f"output: {str(output)!r} is the {argument} file; choose another name for the report")


def _print_headline(analysis) -> None:
    """The headline numbers (demo and report): volatility split, factor share, total weight, top contributors."""
    risk = analysis.risk
    lines = [
        ("total volatility", f"{risk.total_vol:.2%} a year"),
        ("factor volatility", f"{risk.factor_vol:.2%}"),
        ("specific volatility", f"{risk.specific_vol:.2%}"),
        ("factor share of variance", f"{risk.factor_share:.1%}"),
        ("total weight", f"{analysis.total_weight:.1%} (cash / uncovered {analysis.cash_weight:.1%})"),
    ]
    if analysis.active_risk is not None:
        lines.append(
            ("tracking error", f"{analysis.active_risk.total_vol:.2%} (active share {analysis.active_share:.1%})")
        )
    if "Mkt-RF" in analysis.exposures.index:
        betas = analysis.exposures.loc["Mkt-RF"]
        series = "realised history" if analysis.realised else "today's weights held constant"
        lines.append(
            (
                "market beta",
                f"{betas['top_down']:.2f} top-down ({series}), {betas['bottom_up']:.2f} bottom-up (today's weights)",
            )
        )
    top_f = risk.by_factor["contribution"].sort_values(ascending=False).head(3)
    top_a = risk.by_asset["contribution"].sort_values(ascending=False).head(3)
    lines.append(("top sources of risk", ", ".join(f"{k} {v:.2%}" for k, v in top_f.items())))
    lines.append(("top asset contributors", ", ".join(f"{k} {v:.2%}" for k, v in top_a.items())))
    for label, value in lines:
        print(f"  {label:<26}{value}")
