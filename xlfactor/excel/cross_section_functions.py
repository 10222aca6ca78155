"""Excel functions for the cross-sectional models (FM_ZSCORE, FM_XS_FACTOR_RETURNS, ...).

Same conventions as :mod:`xlfactor.excel.functions` (registration with
:func:`~xlfactor.excel.udf.excel_function`, argument conversion with
:mod:`xlfactor.excel.convert`, ``#FM!`` errors). ``functions.py`` re-exports these so that
every runtime registers them.

Panel layout. A cross-sectional panel is given as one long table, as analysts keep it: a
header row, then one row per (date, asset): column 1 the date, column 2 the asset name, column
3 the return (or the signal for FM_NEUTRALIZE), then one column per characteristic. Optional
``industry`` / ``cap`` / ``weight`` arguments name further columns (by header) that hold the
industry labels, market caps or regression weights. Wide ranges (dates x assets) are used
where a single matrix suffices (FM_ZSCORE, FM_PCA, FM_ALPHA_TEST).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert, inputs
from xlfactor.excel.memo import no_data
from xlfactor.excel.udf import HEADERS, excel_function, rng
from xlfactor.models.regression import COV_TYPES

PANEL = rng(
    "Long table with a header row: Date, Asset, Return, then one column per characteristic (numbers). "
    "One row per date and asset; blank cells are missing."
)
INDUSTRY = "Optional: header of a column in the table holding industry labels (one dummy factor per industry)."
CAP = "Optional: header of a column holding market caps (sqrt-cap weights, cap-weighted industry constraint)."
MARKET = "TRUE (default): include a market factor (with industries, their cap-weighted returns sum to zero)."
WIDE = rng("Values in decimals, one row per date and one column per asset; optional header row of asset names.")


@dataclass(frozen=True)
class LongTable:
    """A parsed long panel: per-row dates/assets, numeric columns, text columns, in input order."""

    dates: pd.DatetimeIndex
    assets: pd.Index
    numbers: pd.DataFrame
    labels: dict[str, pd.Series]

    def wide(self, column: str) -> pd.DataFrame:
        """One numeric column as a dates x assets DataFrame."""
        frame = pd.DataFrame({"date": self.dates, "asset": self.assets, "v": self.numbers[column].to_numpy()})
        return frame.pivot(index="date", columns="asset", values="v")

    def wide_labels(self, column: str) -> pd.DataFrame:
        frame = pd.DataFrame({"date": self.dates, "asset": self.assets, "v": self.labels[column].to_numpy()})
        return frame.pivot(index="date", columns="asset", values="v")


def long_table(value: Any, arg: str, text_columns: tuple[str | None, ...] = ()) -> LongTable:
    """Parse a long panel table (see the module docstring); ``text_columns`` hold labels, not numbers."""
    rows = convert.drop_blank_tail(convert.grid(value, arg))
    if len(rows) < 2 or len(rows[0]) < 3 or not all(convert.is_label(v) for v in rows[0]):
        raise XLFactorError(
            f"{arg}: expected a header row (Date, Asset, Return, characteristics...) and data rows, "
            "with at least 3 columns"
        )
    header = [str(v).strip() for v in rows[0]]
    if len(set(header)) != len(header):
        raise XLFactorError(f"{arg}: the header repeats a name; give each column a distinct name")
    body = rows[1:]
    texts = {c for c in text_columns if c}
    for name in texts:
        if name not in header[2:]:
            raise XLFactorError(f"{arg}: no column named {name!r}; the headers are {', '.join(header)}")
    dates = convert.excel_dates([r[0] for r in body], arg, lambda i: f"{arg}: row {i + 2}, column 1 of the table")
    assets = pd.Index(
        [
            str(int(v)) if convert.is_number(v) and float(v).is_integer() else str(v).strip()
            for v in (r[1] for r in body)
        ]
    )
    if any(convert.is_blank(r[1]) for r in body):
        raise XLFactorError(f"{arg}: an asset name (column 2) is blank; every row needs an asset")
    keys = pd.MultiIndex.from_arrays([dates, assets])
    if keys.has_duplicates:
        d, a = keys[keys.duplicated()][0]
        raise XLFactorError(f"{arg}: asset {a!r} appears twice on {d:%Y-%m-%d}; give one row per date and asset")
    numeric = [j for j in range(2, len(header)) if header[j] not in texts]
    matrix = convert.number_matrix([[r[j] for j in numeric] for r in body], arg, row_offset=1)
    labels = {
        header[j]: pd.Series([None if convert.is_blank(r[j]) else str(r[j]).strip() for r in body])
        for j in range(2, len(header))
        if header[j] in texts
    }
    return LongTable(dates, assets, pd.DataFrame(matrix, columns=[header[j] for j in numeric]), labels)


def _name(value: Any, arg: str) -> str | None:
    value = convert.single(value, arg)
    if convert.is_blank(value):
        return None
    if not convert.is_label(value):
        raise XLFactorError(f"{arg}: expected a column header (text), got {value!r}")
    return value.strip()


def _panel_inputs(data: Any, industry: Any, cap: Any, weight: Any = None, arg: str = "data"):
    """Returns-like first column, characteristic dict, industries, caps, weights from a long table."""
    ind_col, cap_col, w_col = _name(industry, "industry"), _name(cap, "cap"), _name(weight, "weight")
    table = long_table(data, arg, (ind_col,))
    numeric = list(table.numbers.columns)
    for col, label in ((cap_col, "cap"), (w_col, "weight")):
        if col is not None and col not in numeric[1:]:
            raise XLFactorError(f"{label}: no numeric column named {col!r}; the headers are {', '.join(numeric)}")
    first = table.wide(numeric[0])
    chars = {c: table.wide(c).reindex_like(first) for c in numeric[1:] if c not in (cap_col, w_col)}
    industries = table.wide_labels(ind_col).reindex_like(first) if ind_col else None
    caps = table.wide(cap_col).reindex_like(first) if cap_col else None
    weights = table.wide(w_col).reindex_like(first) if w_col else None
    return table, first, chars, industries, caps, weights


def _regression(data, industry, cap, market):
    _, returns, chars, industries, caps, _ = _panel_inputs(data, industry, cap)
    return xf.cross_sectional_regress(
        returns, chars or None, industries=industries, caps=caps, market=convert.flag(market, "market", True)
    )


@excel_function(
    depends=no_data,
    values=WIDE,
    weights=rng("Optional de-meaning weights (market caps): one row (one per asset) or a range shaped like values."),
    winsor="Winsorise at this many standard deviations (default 3); 0 or blank with method percentile.",
    method='"std" (default): clip at mean +/- winsor sd; "percentile": clip at the 1st and 99th percentiles.',
    headers=HEADERS,
)
def FM_ZSCORE(values, weights=None, winsor=3.0, method="std", headers=True):
    """Standardise each row (date) across assets: winsorise, subtract the (cap-)weighted mean, divide by the
    equal-weighted standard deviation."""
    x = convert.numbers(values, "values")
    w = None
    if weights is not None:
        wf = convert.numbers(weights, "weights")
        if wf.shape[1] != x.shape[1] or wf.shape[0] not in (1, x.shape[0]):
            raise XLFactorError(
                f"weights: expected 1 or {x.shape[0]} rows of {x.shape[1]} values (one per asset), got {wf.shape}"
            )
        wf.columns = x.columns
        w = wf.iloc[0] if wf.shape[0] == 1 else wf.set_axis(x.index)
    how = convert.text_option(method, "method", ("std", "percentile"), "std")
    k = convert.number_option(winsor, "winsor", 3.0, low=0)
    z = xf.standardize(x, w, winsor=k if k else None, method=how)
    z.index = range(1, len(z) + 1)
    return convert.table(z, convert.flag(headers, "headers", True), corner="Row")


@excel_function(
    depends=no_data,
    data=rng(
        "Long table with a header row: Date, Asset, Signal, then the controls (numbers). One row per date and asset."
    ),
    industry="Optional: header of a column holding industry labels (neutralise against industries too).",
    weight="Optional: header of a numeric column holding regression weights (default equal).",
    headers="TRUE (default): a header cell on top. FALSE: numbers only.",
)
def FM_NEUTRALIZE(data, industry=None, weight=None, headers=True):
    """The signal minus its per-date (weighted) regression on the controls and industries: one value per table
    row, orthogonal to every control on every date."""
    table, signal, chars, industries, _, weights = _panel_inputs(data, industry, None, weight)
    out = xf.neutralize(signal, chars or None, weights, industries=industries)
    values = out.stack(future_stack=True).reindex(pd.MultiIndex.from_arrays([table.dates, table.assets]))
    cells = [[convert.cell(v)] for v in values.to_numpy()]
    return [["Neutralized"], *cells] if convert.flag(headers, "headers", True) else cells


@excel_function(depends=no_data, data=PANEL, industry=INDUSTRY, cap=CAP, market=MARKET, headers=HEADERS)
def FM_XS_FACTOR_RETURNS(data, industry=None, cap=None, market=True, headers=True):
    """Factor returns by cross-sectional (weighted) regression on each date: market, industries, characteristics;
    last column R2."""
    result = _regression(data, industry, cap, market)
    frame = result.factor_returns.assign(R2=result.rsquared)
    return convert.table(frame, convert.flag(headers, "headers", True), corner="Date")


@excel_function(
    depends=no_data,
    data=PANEL,
    date="The date whose pure-factor portfolios to show (a date in the table).",
    industry=INDUSTRY,
    cap=CAP,
    market=MARKET,
    headers=HEADERS,
)
def FM_CHAR_PORTFOLIO(data, date, industry=None, cap=None, market=True, headers=True):
    """Characteristic (pure-factor) portfolio weights on a date: one row per asset, one column per factor; each
    portfolio's return is that factor's return."""
    day = convert.date_option(date, "date")
    if day is None:
        raise XLFactorError("date: give the date whose portfolios to show")
    result = _regression(data, industry, cap, market)
    dates = result.factor_returns.index
    if day not in dates:
        raise XLFactorError(
            f"date: {day:%Y-%m-%d} is not a date of the table ({dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}); "
            "give one of the table's dates"
        )
    return convert.table(
        result.characteristic_portfolios(day).T, convert.flag(headers, "headers", True), corner="Asset"
    )


@excel_function(
    depends=no_data,
    data=PANEL,
    lags="Newey-West lags (default floor(4 (T/100)^(2/9)), T = periods).",
    headers=HEADERS,
)
def FM_FAMA_MACBETH(data, lags=None, headers=True):
    """Fama-MacBeth premia of the characteristics with plain and Newey-West standard errors, t and p; then the
    average R2 and the number of periods."""
    _, returns, chars, _, _, _ = _panel_inputs(data, None, None)
    if not chars:
        raise XLFactorError("data: add at least one characteristic column after the return column")
    result = xf.fama_macbeth(returns, chars, convert.number_option(lags, "lags", None, integer=True, low=0))
    summary = result.summary()
    extra = pd.DataFrame({summary.columns[0]: [result.avg_rsquared, result.n_periods]}, index=["Avg R2", "Periods"])
    return convert.table(pd.concat([summary, extra]), convert.flag(headers, "headers", True))


@excel_function(
    depends=no_data,
    returns=WIDE,
    k="Number of principal components (default 3).",
    output='"loadings" (default: assets x components), "factors" (factor returns per row) or "variance".',
    headers=HEADERS,
)
def FM_PCA(returns, k=3, output="loadings", headers=True):
    """Statistical factors: principal components of the asset covariance (pairwise over blanks), with loadings,
    factor returns or explained variance."""
    frame = convert.numbers(returns, "returns")
    n = convert.number_option(k, "k", 3, integer=True, low=1)
    what = convert.text_option(output, "output", ("loadings", "factors", "variance"), "loadings")
    result = xf.pca_factors(frame, n)
    if what == "loadings":
        table = result.loadings
    elif what == "factors":
        table = result.factors.set_axis(range(1, len(frame) + 1))
    else:
        table = pd.DataFrame({"Eigenvalue": result.eigenvalues, "Explained": result.explained_variance_ratio})
    return convert.table(table, convert.flag(headers, "headers", True))


def _model_names(models: Any) -> list[str]:
    """Model names from a range of names and/or comma-separated text."""
    names = [str(v).strip() for row in convert.grid(models, "models") for v in row if convert.is_label(v)]
    names = [n.strip() for text in names for n in text.split(",") if n.strip()]
    if not names:
        raise XLFactorError("models: give model names such as CAPM, FF3, FF5, FF6")
    return names


def _models_data(arguments: dict[str, Any]) -> tuple:
    """What FM_ALPHA_TEST depends on besides its cells: each model's data vintage on the dates."""
    return tuple(inputs.data_token(name, arguments["dates"]) for name in _model_names(arguments["models"]))


@excel_function(
    depends=_models_data,
    returns=rng("Strategy returns in decimals, one column per strategy; optional header row."),
    models=rng('Model names side by side, e.g. a range holding CAPM, FF3, FF5, FF6, or one text "CAPM,FF3,FF5".'),
    dates=rng("Dates of the rows (required: the models' factors are fetched and matched by date)."),
    annualize="TRUE (default): alphas times periods per year. FALSE: per period.",
    cov='Standard errors: "nonrobust" (default), "hc1" or "hac" (Newey-West).',
    lags='Newey-West lags for cov "hac" (default floor(4 (n/100)^(2/9))).',
    headers=HEADERS,
)
def FM_ALPHA_TEST(returns, models, dates, annualize=True, cov="nonrobust", lags=None, headers=True):
    """Alpha and t-statistic of each strategy under several factor models side by side (common sample, excess
    of RF)."""
    names = _model_names(models)
    samples = {name: inputs.sample(returns, name, dates) for name in names}
    first = next(iter(samples.values()))
    result = xf.alpha_test(
        first.returns,
        {name: s.factors for name, s in samples.items()},
        cov=convert.text_option(cov, "cov", COV_TYPES, "nonrobust"),
        lags=convert.number_option(lags, "lags", None, integer=True, low=0),
        rf=first.rf(True),
    )
    alpha = result.alpha_annualized if convert.flag(annualize, "annualize", True) else result.alpha
    columns = {}
    for name in names:
        columns[f"{name} alpha"] = alpha[name]
        columns[f"{name} t"] = result.tvalues[name]
    return convert.table(pd.DataFrame(columns), convert.flag(headers, "headers", True))
