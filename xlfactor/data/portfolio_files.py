"""Read a user's portfolio (asset returns or prices, weights) from an XLSX workbook or CSV files.

Accepted layouts
----------------
* XLSX: a sheet **or** an Excel table named ``Returns`` and one named ``Weights``
  (names are matched case-insensitively; a table wins over a sheet of the same name).
* CSV: a returns file plus a weights file (``weights_path``).

``Returns``: a header row, then one row per date; the first column holds dates,
every other column one asset's returns in decimals (0.012 = 1.2%). Blank cells
are missing values. With ``prices=True`` the columns hold prices (or total-return
index levels) and are turned into simple returns ``p_t / p_{t-1} - 1``.

``Weights``: a header row, then one row per asset: asset name, portfolio weight
and optionally a third column with benchmark weights. Assets in ``Returns`` that
have no row are left out of ``weights``: the analysis carries them at weight 0
and the report and the command line warn (a holding dropped from the weights
must not silently become cash). A listed asset with a blank weight cell is an
error (as in the Excel functions).

``PortfolioReturns`` (optional; a sheet or Excel table of the workbook, or a CSV
passed as ``portfolio_returns_path`` / ``--portfolio-returns``): the portfolio's
realised return history, i.e. its NAV or P&L returns earned with the weights it
actually held. A header row, then one row per date: ``Date, Return`` (decimals;
blanks are missing). Always returns, also with ``prices=True``. The report's
top-down betas, rolling betas, minimum-variance hedges and worst periods use it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xlfactor.data.periods import DIGITS, parse_dates
from xlfactor.data.xlsx_input import Tables, near_miss, read_tables
from xlfactor.errors import XLFactorError

_LONG_ONLY_TOLERANCE = 1e-4
_REALISED_TABLE = "PortfolioReturns"


@dataclass(frozen=True)
class PortfolioInput:
    """A portfolio read from file.

    Attributes
    ----------
    returns : DataFrame
        Dates x assets, simple returns in decimals, NaN for missing values.
    weights : Series
        Portfolio weight per listed asset, in the order of ``returns`` (assets without a row are left out).
    benchmark : Series or None
        Benchmark weight per asset when the weights table has a third column.
    source : str
        Where the data came from (file names), for the report's data section.
    portfolio_returns : Series or None
        The portfolio's realised return per date (decimals, missing dates
        dropped) when a ``PortfolioReturns`` table or CSV was given.
    """

    returns: pd.DataFrame
    weights: pd.Series
    benchmark: pd.Series | None
    source: str
    portfolio_returns: pd.Series | None = None


def read_portfolio(
    path: str | Path,
    *,
    weights_path: str | Path | None = None,
    prices: bool = False,
    long_only: bool = False,
    portfolio_returns_path: str | Path | None = None,
) -> PortfolioInput:
    """Read returns (or prices), weights and optionally realised portfolio returns from XLSX or CSV files.

    Parameters
    ----------
    path : path to ``.xlsx``/``.xlsm`` or ``.csv``
    weights_path : path to a weights CSV; required when ``path`` is a CSV, and
        overrides the workbook's ``Weights`` table otherwise.
    prices : the returns table holds prices; convert with ``r_t = p_t / p_{t-1} - 1``.
    long_only : declare a long-only portfolio: weights must be >= 0 and sum to 1 (within 1e-4).
    portfolio_returns_path : path to a CSV of the portfolio's realised returns (``Date, Return``);
        overrides the workbook's ``PortfolioReturns`` table. Without either, ``portfolio_returns`` is None.

    Raises
    ------
    XLFactorError
        Missing file or table, dates that do not parse, text in the returns,
        weights for assets not in the returns, long-only weights that are
        negative or do not sum to 1, or a realised-returns table that is not
        two columns of dates and numbers.

    Notes
    -----
    The values are read, not judged: the units rule (percent-looking returns, impossible values,
    losses beyond -100%) is the engine's, applied once where the returns are used
    (:func:`xlfactor.analyze_portfolio` and the functions it calls, with their ``units``).
    """
    path = Path(path)
    if not path.is_file():
        raise XLFactorError.at("input", f"file {str(path)!r} not found")
    suffix = path.suffix.lower()
    realised_rows, realised_what = None, _REALISED_TABLE
    if suffix in (".xlsx", ".xlsm"):
        tables = read_tables(path, ("returns", "weights", _REALISED_TABLE))
        realised_rows = tables.get(_REALISED_TABLE.lower())
        returns_rows = _require_table(tables, "returns", path)
        if weights_path is None:
            weights_rows = _require_table(tables, "weights", path)
            source = path.name
        else:
            weights_rows = _csv_rows(Path(weights_path), "weights")
            source = f"{path.name} + {Path(weights_path).name}"
    elif suffix == ".csv":
        if weights_path is None:
            raise XLFactorError.at(
                "weights",
                "a returns CSV needs a weights CSV too; pass --weights FILE.csv "
                "(or put Returns and Weights sheets in one .xlsx)",
            )
        returns_rows = _csv_rows(path, "returns")
        weights_rows = _csv_rows(Path(weights_path), "weights")
        source = f"{path.name} + {Path(weights_path).name}"
    else:
        raise XLFactorError.at("input", f"{path.name!r} is neither .xlsx nor .csv; save the data as one of those")
    if portfolio_returns_path is not None:
        realised_path = Path(portfolio_returns_path)
        if realised_path.suffix.lower() != ".csv":
            raise XLFactorError(
                f"--portfolio-returns: {realised_path.name!r} must be a .csv (Date, Return); or put a "
                f"{_REALISED_TABLE} sheet in the .xlsx"
            )
        realised_rows, realised_what = _csv_rows(realised_path, "--portfolio-returns"), "--portfolio-returns"
        source = f"{source} + {realised_path.name}"
    elif realised_rows is not None:
        source = f"{source} ({_REALISED_TABLE} included)"
    returns = _returns_frame(returns_rows, prices=prices)
    weights, benchmark = _weights(weights_rows, returns.columns)
    if long_only:
        _check_long_only(weights, "weights")
        if benchmark is not None:
            _check_long_only(benchmark, "benchmark")
    realised = None if realised_rows is None else _realised_series(realised_rows, realised_what)
    return PortfolioInput(returns, weights, benchmark, source, realised)


def read_weights_csv(path: str | Path, assets: Sequence[str], *, what: str = "weights") -> pd.Series:
    """Weights (first two columns: asset, weight) from a CSV, reindexed on ``assets`` (missing rows -> 0).

    ``what`` names the argument in error messages (``"benchmark"`` for a benchmark file).
    """
    weights, _ = _weights(_csv_rows(Path(path), what), pd.Index(assets), what)
    return weights.reindex(pd.Index(assets), fill_value=0.0)


def _require_table(tables: Tables, name: str, path: Path) -> list[list[object]]:
    if name not in tables:
        wanted = name.title()
        spelled = near_miss(wanted, tables.available)
        fix = (
            f"rename {spelled!r} to {wanted!r}"
            if spelled
            else "add one (see 'xlfactor report --help' for the layout); it has "
            + ", ".join(map(repr, tables.available))
        )
        raise XLFactorError.at("input", f"{path.name!r} has no sheet or table named {wanted!r}; {fix}")
    return tables[name]


def _csv_rows(path: Path, what: str) -> list[list[object]]:
    if not path.is_file():
        raise XLFactorError.at(what, f"file {str(path)!r} not found")
    text = path.read_text(encoding="utf-8-sig")
    return [[c.strip() if c.strip() != "" else None for c in row] for row in csv.reader(io.StringIO(text))]


def _trim(rows: list[list[object]]) -> list[list[object]]:
    """Drop fully blank rows and trailing blank columns."""
    rows = [r for r in rows if any(_is_present(v) for v in r)]
    width = max((max((i + 1 for i, v in enumerate(r) if _is_present(v)), default=0) for r in rows), default=0)
    return [list(r[:width]) + [None] * (width - len(r)) for r in rows]


def _refuse_title_row(rows: list[list[object]], what: str, header: str, table: str) -> None:
    """A title line above the header (one filled cell, then a row of several) would be read as the header:
    say so, with the fix, instead of reporting the blank cells beside the title as unnamed columns."""
    if len(rows) >= 2 and sum(map(_is_present, rows[0])) == 1 and sum(map(_is_present, rows[1])) >= 2:
        text = next(str(v).strip() for v in rows[0] if _is_present(v))
        raise XLFactorError.at(
            what,
            f"the first row holds only {text[:60]!r}, which looks like a title above the header; "
            f"the header row ({header}) must come first: delete the title row, or make the data below it an "
            f"Excel table named {table}",
        )


def _is_present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and value.strip() == "")


def _returns_frame(rows: list[list[object]], *, prices: bool) -> pd.DataFrame:
    what = "prices" if prices else "returns"
    rows = _trim(rows)
    _refuse_title_row(rows, what, "Date, then the asset names", "Returns")
    if len(rows) < 3 or len(rows[0]) < 2:
        raise XLFactorError.at(what, "need a header row, at least two dates and at least one asset column")
    header = rows[0]
    assets = [str(h).strip() if _is_present(h) else "" for h in header[1:]]
    for j, name in enumerate(assets):
        if name == "":
            raise XLFactorError.at(what, f"column {j + 2} has no asset name in the header row; name it")
    if len(set(assets)) != len(assets):
        dup = sorted({a for a in assets if assets.count(a) > 1})
        raise XLFactorError.at(what, f"asset names {dup} appear more than once in the header; make them unique")
    dates = parse_dates([r[0] for r in rows[1:]], what, numbers=DIGITS)
    values = np.full((len(rows) - 1, len(assets)), np.nan)
    for i, row in enumerate(rows[1:]):
        for j, v in enumerate(row[1:]):
            values[i, j] = _number(v, what, assets[j], dates[i])
    frame = pd.DataFrame(values, index=pd.DatetimeIndex(dates, name="date"), columns=assets)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise XLFactorError.at(what, f"date {dup:%Y-%m-%d} appears more than once; keep one row per date")
    frame = frame.sort_index()
    if prices:
        frame = _prices_to_returns(frame)
    _refuse_empty_columns(frame, "returns")
    return frame


def _realised_series(rows: list[list[object]], what: str) -> pd.Series:
    """The realised portfolio returns table (header, then Date, Return rows) as a dated Series, blanks dropped."""
    rows = _trim(rows)
    _refuse_title_row(rows, what, "Date, Return", _REALISED_TABLE)
    if len(rows) < 3 or len(rows[0]) != 2:
        raise XLFactorError.at(
            what,
            f"need a header row (Date, Return) and one row per date with the portfolio's "
            f"return; found {len(rows[0]) if rows else 0} columns and {max(len(rows) - 1, 0)} rows",
        )
    dates = parse_dates([r[0] for r in rows[1:]], what, numbers=DIGITS)
    values = [_number(r[1], what, "Return", d) for r, d in zip(rows[1:], dates, strict=True)]
    series = pd.Series(values, index=pd.DatetimeIndex(dates, name="date"), name="Portfolio", dtype=float)
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()][0]
        raise XLFactorError.at(what, f"date {dup:%Y-%m-%d} appears more than once; keep one row per date")
    series = series.sort_index().dropna()
    if len(series) < 2:
        raise XLFactorError.at(what, "fewer than two dates have a return; fill in the Return column")
    return series


def _number(value: object, what: str, asset: str, date: pd.Timestamp) -> float:
    if not _is_present(value):
        return math.nan
    if isinstance(value, bool):
        raise XLFactorError.at(what, f"{asset!r} on {date:%Y-%m-%d} is {value!r}, not a number; fix the cell")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise XLFactorError.at(
            what, f"{asset!r} on {date:%Y-%m-%d} holds text {str(value)!r}, not a number; fix or blank the cell"
        ) from None


def _prices_to_returns(prices: pd.DataFrame) -> pd.DataFrame:
    bad = (prices <= 0).any()
    if bad.any():
        raise XLFactorError.at("prices", f"{list(bad[bad].index)} have zero or negative prices; prices must be > 0")
    return (prices / prices.shift(1) - 1.0).iloc[1:]


def _refuse_empty_columns(frame: pd.DataFrame, what: str) -> None:
    empty = frame.columns[frame.notna().sum() == 0]
    if len(empty):
        raise XLFactorError.at(what, f"{list(empty)} have no values; remove those columns")


def _weights(rows: list[list[object]], assets: pd.Index, what: str = "weights") -> tuple[pd.Series, pd.Series | None]:
    """Weights (and an optional third column of benchmark weights) per asset. Portfolio weights keep the
    listed assets only (the analysis flags the others); benchmark weights give the others 0."""
    rows = _trim(rows)
    _refuse_title_row(rows, what, "asset, weight[, benchmark]", "Weights")
    if len(rows) < 2 or len(rows[0]) < 2:
        raise XLFactorError.at(
            what, "need a header row and one row per asset: asset name, weight (and optionally a benchmark weight)"
        )
    has_benchmark = len(rows[0]) >= 3
    names: list[str] = []
    columns: list[list[float]] = [[], []]
    for i, row in enumerate(rows[1:]):
        if not _is_present(row[0]):
            raise XLFactorError.at(what, f"row {i + 2} has no asset name in the first column")
        name = str(row[0]).strip()
        names.append(name)
        for k in range(2 if has_benchmark else 1):
            columns[k].append(_weight(row[1 + k], name, "benchmark" if k else what))
    unknown = [n for n in names if n not in assets]
    if unknown:
        raise XLFactorError.at(
            what, f"{unknown} are not columns of the returns table; fix the names or add their returns"
        )
    if len(set(names)) != len(names):
        raise XLFactorError.at(what, f"{sorted({n for n in names if names.count(n) > 1})} listed more than once")
    listed = pd.Series(columns[0], index=names, dtype=float)
    order = [a for a in assets if a in listed.index] if what == "weights" else assets
    weights = listed.reindex(order, fill_value=0.0)
    if not np.any(weights.to_numpy() != 0):
        raise XLFactorError.at(what, "every weight is zero; give the portfolio some positions")
    benchmark = (
        pd.Series(columns[1], index=names, dtype=float).reindex(assets, fill_value=0.0) if has_benchmark else None
    )
    return weights.rename("weight"), None if benchmark is None else benchmark.rename("benchmark")


def _weight(value: object, asset: str, what: str) -> float:
    """One weight cell: a number or percent text; a blank cell is an error (a missing row means 0)."""
    if not _is_present(value):
        raise XLFactorError.at(
            what, f"the weight of {asset!r} is blank; enter a number (0 if not held) or delete the row"
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    try:
        return float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        raise XLFactorError.at(what, f"weight of {asset!r} is {text!r}, not a number") from None


def _check_long_only(weights: pd.Series, what: str) -> None:
    negative = weights[weights < 0]
    if len(negative):
        raise XLFactorError.at(
            what,
            f"{list(negative.index)} have negative weights but the portfolio is declared "
            "long-only; fix the weights or drop --long-only",
        )
    total = float(weights.sum())
    if abs(total - 1.0) > _LONG_ONLY_TOLERANCE:
        hint = " (they look like percentages; divide by 100)" if abs(total - 100.0) < 0.01 else ""
        raise XLFactorError.at(
            what, f"long-only weights sum to {total:.6g}, not 1{hint}; rescale them or drop --long-only"
        )
