"""Build a risk report workbook: load and align factor data, analyse, lay out, save atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from xlfactor.data import align, factor_info, load_factors
from xlfactor.data.samples import industry_portfolios
from xlfactor.errors import XLFactorError
from xlfactor.models.units import MAX_GROSS
from xlfactor.report.analysis import PortfolioAnalysis, analyze_portfolio, buy_and_hold_returns
from xlfactor.report.info import ReportInfo
from xlfactor.report.sheets import SHEETS
from xlfactor.report.workbook import ProgressFn, output_error, save_atomically

DEMO_FILE = "xlfactor-demo-report.xlsx"
DEMO_MODEL = "FF6"
DEMO_PERIODS = 120
#: The demo portfolio: a growth/quality tilt across the 12 industry portfolios (sums to 1).
DEMO_WEIGHTS = {
    "BusEq": 0.22,
    "Hlth": 0.14,
    "Money": 0.12,
    "Shops": 0.10,
    "Manuf": 0.09,
    "NoDur": 0.07,
    "Enrgy": 0.06,
    "Telcm": 0.05,
    "Other": 0.05,
    "Chems": 0.04,
    "Durbl": 0.03,
    "Utils": 0.03,
}
#: The demo's realised history: bought at DEMO_WEIGHTS on the window's first date, left to drift and
#: rebalanced back to DEMO_WEIGHTS every 12 months; its current weights are DEMO_WEIGHTS.
DEMO_REBALANCE_EVERY = 12
DEMO_REALISED_SOURCE = (
    "the demo's realised history: bought at the target weights on the first date, annual "
    "rebalancing back to them, drift in between (current weights = target weights)"
)
_PRE_SHEET_STEPS = 3
_TOTAL_STEPS = _PRE_SHEET_STEPS + len(SHEETS) + 1


def build_report(
    returns: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    path: str | Path,
    *,
    model: str = "FF5",
    freq: str = "M",
    factors: pd.DataFrame | None = None,
    benchmark: pd.Series | Mapping[str, float] | str | None = None,
    window: int = 36,
    title: str | None = None,
    progress: ProgressFn | None = None,
    source: str | None = None,
    portfolio_returns: pd.Series | pd.DataFrame | None = None,
    max_gross: float | None = MAX_GROSS,
    holdings: pd.DataFrame | None = None,
    units: str = "auto",
) -> Path:
    """Write a factor risk report workbook for a portfolio and return its path.

    Parameters
    ----------
    returns : DataFrame
        Dates x assets, simple returns in decimals.
    weights : Series or mapping
        Weight per asset (names are columns of ``returns``; unlisted assets get 0).
    path : path of the ``.xlsx`` to write (replaced atomically; never half-written).
    model, freq : factor model (``CAPM``, ``FF3``, ``FF5``, ``FF6``, ``CARHART4``, or one of
        them for a region: ``FF6-DEV``, ``FF5-EUR``, ...; see :func:`xlfactor.load_factors`) and
        frequency (``D``, ``W``, ``M``) loaded with :func:`xlfactor.load_factors`.
    factors : DataFrame, optional
        Factor returns (decimals, optional ``RF`` column) to use instead of ``model``.
    benchmark : Series, mapping or ``"equal"``, optional
        Benchmark weights; adds tracking error, active risk and active share.
    window : int
        Rolling-beta window in periods.
    title : str, optional
        Report title (default "Portfolio risk report").
    progress : callable, optional
        ``progress(step, done, total)`` called as the work advances.
    source : str, optional
        Where the portfolio came from (shown in the report); default "portfolio
        passed from Python".
    portfolio_returns : Series, optional
        The portfolio's realised total return history (decimals, dated; its NAV
        or P&L returns with the weights it actually held). Matched to the factor
        dates like ``returns``; the top-down betas, rolling betas, minimum-variance
        hedges and worst periods then come from it (see
        :func:`xlfactor.analyze_portfolio`). Default: today's weights held constant.
    max_gross : float or None
        Bound on the gross exposure ``sum |w|`` of the weights (default 2; a sum near
        100 means percent weights): pass a leveraged or long-short book's gross
        exposure, or None for weights in currency.
    holdings : DataFrame, optional
        The weights held over time, dates x assets (NaN = not held); the Exposures sheet
        then adds the bottom-up betas of each date's holdings.
    units : ``"auto"`` or ``"decimal"``
        ``"decimal"`` declares returns decimals however volatile (see :func:`xlfactor.analyze_portfolio`).

    Raises
    ------
    XLFactorError
        Bad input (see :func:`xlfactor.analyze_portfolio`), no dates in common with
        the factor data, an unwritable output path. No file is written then.
    """
    path = check_report_path(path)
    report = _Progress(progress, _TOTAL_STEPS)
    analysis, info = _analysis(
        returns,
        weights,
        report,
        model=model,
        freq=freq,
        factors=factors,
        benchmark=benchmark,
        window=window,
        title=title,
        source=source,
        portfolio_returns=portfolio_returns,
        max_gross=max_gross,
        holdings=holdings,
        units=units,
    )
    return _write(analysis, info, path, report)


def report_analysis(
    returns: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    *,
    model: str = "FF5",
    freq: str = "M",
    factors: pd.DataFrame | None = None,
    benchmark: pd.Series | Mapping[str, float] | str | None = None,
    window: int = 36,
    title: str | None = None,
    source: str | None = None,
    portfolio_returns: pd.Series | pd.DataFrame | None = None,
    max_gross: float | None = MAX_GROSS,
    holdings: pd.DataFrame | None = None,
    units: str = "auto",
    progress: ProgressFn | None = None,
) -> tuple[PortfolioAnalysis, ReportInfo]:
    """What :func:`build_report` shows, without writing a file: the analysis and the report's facts.

    Same arguments and errors as :func:`build_report` (without ``path``); for runtimes that
    lay the report out elsewhere (the sheets of the open workbook in xlwings Lite and
    Server, :mod:`xlfactor.excel.report_sheets`), or that show the numbers before writing
    the file with :func:`write_report` (the command line). ``progress`` counts the steps
    of both calls.
    """
    return _analysis(
        returns,
        weights,
        _Progress(progress, _TOTAL_STEPS),
        model=model,
        freq=freq,
        factors=factors,
        benchmark=benchmark,
        window=window,
        title=title,
        source=source,
        portfolio_returns=portfolio_returns,
        max_gross=max_gross,
        holdings=holdings,
        units=units,
    )


def _analysis(
    returns: pd.DataFrame,
    weights,
    report: _Progress,
    *,
    model: str,
    freq: str,
    factors: pd.DataFrame | None,
    benchmark,
    window: int,
    title: str | None,
    source: str | None,
    portfolio_returns: pd.Series | pd.DataFrame | None,
    max_gross: float | None,
    holdings: pd.DataFrame | None = None,
    units: str = "auto",
) -> tuple[PortfolioAnalysis, ReportInfo]:
    report.step("Loading factor data")
    if factors is None:
        factor_frame = load_factors(model, freq)
        facts, model_name = factor_info(model, freq), model.upper()
        history = _scenario_history(model)
    else:
        factor_frame, facts, model_name = factors, {"summary": "factor returns supplied by the caller"}, "custom"
        history = []
    report.step("Aligning dates")
    aligned = align(returns, factor_frame)
    if len(aligned.returns) == 0:
        raise XLFactorError(
            f"returns: no dates in common with the {model_name} factor data ({_span(factor_frame.index)}; returns "
            f"{_span(returns.index)}); use returns inside the factor data's range or refresh the data"
        )
    realised = None if portfolio_returns is None else _align_realised(portfolio_returns, factor_frame)
    info = ReportInfo(
        title=title or "Portfolio risk report",
        model=model_name,
        freq=freq.upper(),
        portfolio_source=source or "portfolio passed from Python",
        factor_source=facts,
        dropped_dates=len(aligned.dropped),
        realised_source=None if realised is None else "realised portfolio returns given with the portfolio",
    )
    return _analyse(
        aligned.returns,
        weights,
        aligned.factors,
        report,
        benchmark=benchmark,
        window=window,
        portfolio_returns=realised,
        scenario_history=history,
        max_gross=max_gross,
        holdings=holdings,
        units=units,
    ), info


def build_demo_report(
    path: str | Path | None = None, *, model: str = DEMO_MODEL, progress: ProgressFn | None = None
) -> tuple[Path, PortfolioAnalysis]:
    """Build the demo report from the shipped data alone (no network).

    The portfolio holds the 12 Fama-French industry portfolios with the weights in
    :data:`DEMO_WEIGHTS`, monthly, against an equal-weighted benchmark, over the
    last :data:`DEMO_PERIODS` months that have ``model`` factor data (default FF6:
    FF5 + momentum; a regional model such as ``FF6-DEV`` ends with its data, in
    January 2021 for the shipped Bloomberg 202101 files),
    with 36-month rolling betas. Its realised return history (behind the
    top-down betas, rolling betas, minimum-variance hedges and worst months) is
    the demo's realised history: annual rebalancing, drift in between
    (:func:`xlfactor.report.analysis.buy_and_hold_returns` bought at
    :data:`DEMO_WEIGHTS` on the first date, rebalanced back every
    :data:`DEMO_REBALANCE_EVERY` months); its current weights are the targets.

    Returns
    -------
    (Path, PortfolioAnalysis)
        Where the report was written (default ``./xlfactor-demo-report.xlsx``) and
        the numbers it shows.
    """
    path = check_report_path(path if path is not None else DEMO_FILE)
    report = _Progress(progress, _TOTAL_STEPS)
    report.step("Loading factor data")
    model_name = model.strip().upper()
    factors = load_factors(model_name, "M")
    report.step("Aligning dates")
    aligned = align(industry_portfolios("value"), factors)
    returns = aligned.returns.iloc[-DEMO_PERIODS:]
    info = ReportInfo(
        title="xlfactor demo: industry portfolio risk report",
        model=model_name,
        freq="M",
        portfolio_source="sample portfolio of the 12 Fama-French industry portfolios (value-weighted, shipped "
        "with xlfactor); benchmark: equal weights",
        factor_source=factor_info(model_name, "M"),
        realised_source=DEMO_REALISED_SOURCE,
    )
    realised = buy_and_hold_returns(returns, DEMO_WEIGHTS, rebalance_every=DEMO_REBALANCE_EVERY)
    analysis = _analyse(
        returns,
        DEMO_WEIGHTS,
        aligned.factors.loc[returns.index],
        report,
        benchmark="equal",
        window=36,
        portfolio_returns=realised,
        scenario_history=_scenario_history(model_name),
    )
    return _write(analysis, info, path, report), analysis


def _analyse(
    returns: pd.DataFrame,
    weights,
    factors: pd.DataFrame,
    report: _Progress,
    *,
    benchmark,
    window: int,
    portfolio_returns: pd.Series | None = None,
    scenario_history: list[pd.DataFrame],
    max_gross: float | None = MAX_GROSS,
    holdings: pd.DataFrame | None = None,
    units: str = "auto",
) -> PortfolioAnalysis:
    report.step("Estimating: regressions, risk, hedges, stress, scenarios, forecast check")
    return analyze_portfolio(
        returns,
        weights,
        factors,
        benchmark=benchmark,
        window=window,
        portfolio_returns=portfolio_returns,
        scenario_history=scenario_history,
        max_gross=max_gross,
        holdings=holdings,
        units=units,
    )


def write_report(
    analysis: PortfolioAnalysis, info: ReportInfo, path: str | Path, *, progress: ProgressFn | None = None
) -> Path:
    """Write the report workbook of an analysis from :func:`report_analysis` (atomically) and return its path."""
    report = _Progress(progress, _TOTAL_STEPS)
    report.done_steps = _PRE_SHEET_STEPS
    return _write(analysis, info, check_report_path(path), report)


def _write(analysis: PortfolioAnalysis, info: ReportInfo, path: Path, report: _Progress) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for module in SHEETS:
        report.step(f"Writing {module.NAME}")
        module.write(workbook.create_sheet(module.NAME), analysis, info)
    workbook.active = 0
    report.step("Saving")
    saved = save_atomically(workbook, path)
    report.done()
    return saved


def _scenario_history(model: str) -> list[pd.DataFrame]:
    """The model's full monthly and daily factor histories stored, for the historical scenarios
    (a region downloaded at one frequency only replays the episodes that frequency covers)."""
    histories = []
    for freq in ("M", "D"):
        try:
            histories.append(load_factors(model, freq))
        except XLFactorError:
            continue  # not stored at this frequency: its episodes are left out of the table
    return histories


def _align_realised(series: pd.Series | pd.DataFrame, factors: pd.DataFrame) -> pd.Series | pd.DataFrame:
    """The realised portfolio returns matched to the factor dates (as :func:`xlfactor.align` does for returns)."""
    try:
        return align(series, factors).returns
    except XLFactorError as exc:
        text = str(exc)
        raise XLFactorError(
            "portfolio_returns: " + (text[len("returns: ") :] if text.startswith("returns: ") else text)
        ) from None


def check_report_path(path: str | Path) -> Path:
    """``path`` as the report's output: an ``.xlsx`` in an existing folder (checked before any work)."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise XLFactorError(f"output: {path.name!r} must end in .xlsx")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise output_error(
            path, "its folder is a file" if folder.exists() else f"folder {str(folder)!r} does not exist"
        )
    return path


def _span(index: pd.Index) -> str:
    return f"{index.min():%Y-%m-%d} to {index.max():%Y-%m-%d}" if len(index) else "no dates"


class _Progress:
    """Counts steps and forwards them to an optional ``progress(step, done, total)`` callback."""

    def __init__(self, callback: ProgressFn | None, total: int) -> None:
        self.callback, self.total, self.done_steps = callback, total, 0

    def step(self, description: str) -> None:
        if self.callback is not None:
            self.callback(description, self.done_steps, self.total)
        self.done_steps += 1

    def done(self) -> None:
        if self.callback is not None:
            self.callback("Done", self.total, self.total)
