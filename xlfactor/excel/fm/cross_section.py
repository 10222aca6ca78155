"""FM_ functions for cross-sectional models: standardising, neutralising, cross-sectional regressions
(factor returns, their per-date standard errors, specific risk), characteristic portfolios,
Fama-MacBeth premia and principal components.

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

import numpy as np
import pandas as pd

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert, inputs
from xlfactor.excel.fm.regression import ALPHA_ANNUALIZE
from xlfactor.excel.guard import excel_names, locate
from xlfactor.excel.memo import NO_DATA, Depends
from xlfactor.excel.results import Column, Table
from xlfactor.excel.specs import choice, date, flag, number, rng, text
from xlfactor.excel.udf import excel_function
from xlfactor.models import labels as L
from xlfactor.models.cross_section.standardize import METHODS as STANDARDIZE_METHODS
from xlfactor.models.frequency import maybe_periods_per_year

#: The engine's names of the panel's parts, as the Excel functions take them (the long table is ``data``).
PANEL_NAMES = {"returns": "data", "exposures": "data", "characteristics": "data", "caps": "cap", "weights": "weight"}

WIDE = rng("Values in decimals, one row per date and one column per asset; optional header row of asset names.")


@dataclass(frozen=True)
class LongTable:
    """A parsed long panel: per-row dates/assets, numeric columns, text columns, in input order."""

    dates: pd.DatetimeIndex
    assets: pd.Index
    numbers: pd.DataFrame
    labels: dict[str, pd.Series]

    def wide(self, column: str) -> pd.DataFrame:
        """One numeric column as a dates x assets DataFrame (dates ascending, assets in table order)."""
        return self._pivot(self.numbers[column].to_numpy())

    def wide_labels(self, column: str) -> pd.DataFrame:
        """One label column as a dates x assets DataFrame (as :meth:`wide`)."""
        return self._pivot(self.labels[column].to_numpy())

    def _pivot(self, values: Any) -> pd.DataFrame:
        frame = pd.DataFrame({"date": self.dates, "asset": self.assets, "v": values})
        return frame.pivot(index="date", columns="asset", values="v").reindex(columns=self.assets.unique())


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
    rows_of = {(a, d): i + 2 for i, (d, a) in enumerate(keys)}  # sheet row within the range, header = row 1

    def place(asset: object, day: object) -> str | None:  # a return the engine refuses: column 3 of its row
        row = rows_of.get((asset, day))
        return None if row is None else f"row {row}, column 3 of the range ({asset} on {day:%Y-%m-%d})"

    locate(arg, place)
    numeric = [j for j in range(2, len(header)) if header[j] not in texts]
    cells = [[r[j] if j in numeric else None for j in range(len(header))] for r in body]  # positions as in the table
    matrix = convert.number_matrix(cells, arg, row_offset=1)[:, numeric]
    labels = {
        header[j]: pd.Series([None if convert.is_blank(r[j]) else str(r[j]).strip() for r in body])
        for j in range(2, len(header))
        if header[j] in texts
    }
    return LongTable(dates, assets, pd.DataFrame(matrix, columns=[header[j] for j in numeric]), labels)


def _panel_inputs(data: Any, ind_col: str | None, cap_col: str | None, w_col: str | None = None, arg: str = "data"):
    """Returns-like first column, characteristic dict, industries, caps, weights from a long table
    (``ind_col``, ``cap_col``, ``w_col``: the headers of those columns, or None)."""
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


def panel_regression(
    data, industry=None, cap=None, market=True, weight=None, exposure_lag=0, robust=False, units="auto"
):
    """``xf.cross_sectional_regress`` over a long table (the arguments of FM_XS_FACTOR_RETURNS)."""
    _, returns, chars, industries, caps, weights = _panel_inputs(data, industry, cap, weight)
    with excel_names(PANEL_NAMES):
        return xf.cross_sectional_regress(
            returns,
            chars or None,
            industries=industries,
            caps=caps,
            weights=weights,
            market=market,
            exposure_lag=exposure_lag,
            robust=robust,
            units=units,
        )


def table_date(as_of: pd.Timestamp, dates: pd.DatetimeIndex, arg: str = "as_of") -> pd.Timestamp:
    """``as_of`` if it is one of the table's ``dates``, else an error naming the table's span."""
    if as_of not in dates:
        raise XLFactorError(
            f"{arg}: {as_of:%Y-%m-%d} is not a date of the table ({dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}); "
            "give one of the table's dates"
        )
    return as_of


#: Shared by the cross-sectional functions that take a long table.
EXPOSURE_LAG = number(
    "Use the characteristics (and caps, weights, industries) this many dates earlier: 0 (default) the same row "
    "as the return; 1 the previous date's, known before the return.",
    integer=True,
    low=0,
)
XS_COV = choice(
    'Standard errors of view "se" and "t": "nonrobust" (default, classic s^2 (X\'WX)^-1) or "hc1" (White, '
    "heteroskedasticity-robust).",
    ("nonrobust", "hc1"),
)
ROBUST = flag(
    "TRUE: Huber-weighted regression (iteratively reweighted least squares, t = 1.345) that down-weights outliers. "
    "FALSE (default): weighted least squares."
)


@excel_function(
    depends=NO_DATA,
    raw_values=WIDE,
    weights=rng("Optional de-meaning weights (market caps): one row (one per asset) or a range shaped like values."),
    winsor=number(
        "Winsorise at this many standard deviations (default 3), or with clip_z clip the z-scores at +/- this; 0 or "
        "blank with method percentile.",
        low=0,
    ),
    method=choice(
        '"std" (default): clip raw values at mean +/- winsor sd; "percentile": at the 1st and 99th percentiles; '
        '"clip_z": standardise first, then clip z at +/- winsor (the course notes\' order).',
        STANDARDIZE_METHODS,
    ),
)
def FM_ZSCORE(raw_values, weights=None, winsor=3.0, method="std"):
    """Standardise each row (date) across assets: winsorise, subtract the (cap-)weighted mean, divide by the
    equal-weighted standard deviation; or (method clip_z) standardise, then clip the z-scores."""
    x = convert.numbers(raw_values, "raw_values")
    w = None
    if weights is not None:
        wf = convert.numbers(weights, "weights")
        if wf.shape[1] != x.shape[1] or wf.shape[0] not in (1, x.shape[0]):
            raise XLFactorError(
                f"weights: expected 1 or {x.shape[0]} rows of {x.shape[1]} values (one per asset), got {wf.shape}"
            )
        wf.columns = x.columns
        w = wf.iloc[0] if wf.shape[0] == 1 else wf.set_axis(x.index)
    with excel_names({"x": "raw_values"}):
        z = xf.standardize(x, w, winsor=winsor if winsor else None, method=method)
    z.index = range(1, len(z) + 1)
    return Table(z, "Row")


@excel_function(
    depends=NO_DATA,
    data=rng(
        "Long table with a header row: Date, Asset, Signal, then the controls (numbers). One row per date and asset."
    ),
    industry=text("Optional: header of a column holding industry labels (neutralise against industries too)."),
    headers=flag("TRUE (default): a header cell on top. FALSE: numbers only."),
)
def FM_NEUTRALIZE(data, industry=None, weight=None):
    """The signal minus its per-date (weighted) regression on the controls and industries: one value per table
    row, orthogonal to every control on every date."""
    table, signal, chars, industries, _, weights = _panel_inputs(data, industry, None, weight)
    with excel_names({"signal": "data", "controls": "data", "weights": "weight"}):
        out = xf.neutralize(signal, chars or None, weights, industries=industries)
    values = out.stack(future_stack=True).reindex(pd.MultiIndex.from_arrays([table.dates, table.assets]))
    return Column(values.to_numpy(), "Neutralized")


@excel_function(
    depends=NO_DATA,
    exposure_lag=EXPOSURE_LAG,
    view=choice(
        '"returns" (default): factor returns, last column R2. "se": their standard errors. "t": their t-statistics '
        "(factor return / se), per date.",
        ("returns", "se", "t"),
    ),
    cov=XS_COV,
    robust=ROBUST,
)
def FM_XS_FACTOR_RETURNS(
    data, industry=None, cap=None, market=True, exposure_lag=0, weight=None, view="returns", cov="nonrobust",
    robust=False, *, units="auto",
):  # fmt: skip
    """Factor returns by cross-sectional (weighted or Huber-robust) regression on each date: market, industries,
    characteristics; last column R2. view "se" or "t": per-date standard errors or t-statistics."""
    result = panel_regression(data, industry, cap, market, weight, exposure_lag, robust, units)
    if view == "se":
        return Table(result.bse(cov), "Date")
    if view == "t":
        return Table(result.tvalues(cov), "Date")
    return Table(result.factor_returns.assign(**{L.RSQUARED.short: result.rsquared}), "Date")


@excel_function(depends=NO_DATA)
def FM_CHAR_PORTFOLIO(data, as_of, industry=None, cap=None, market=True, *, units="auto"):
    """Characteristic (pure-factor) portfolio weights on a date: one row per asset (in table order), one column per
    factor; each portfolio's return is that factor's return."""
    result = panel_regression(data, industry, cap, market, units=units)
    return Table(result.characteristic_portfolios(table_date(as_of, result.factor_returns.index)).T, "Asset")


@excel_function(
    depends=NO_DATA,
    halflife=number("Optional EWMA half-life in dates (periods); blank weights every date equally.", low=0,
                    inclusive=False),
    demean=flag(
        "FALSE (default): variance about zero, the mean of squared residuals. TRUE: about each asset's (weighted) "
        "mean residual."
    ),
    exposure_lag=EXPOSURE_LAG,
)  # fmt: skip
def FM_SPECIFIC_RISK(
    data, industry=None, cap=None, market=True, halflife=None, demean=False, annualize=True, exposure_lag=0,
    weight=None, *, units="auto",
):  # fmt: skip
    """Specific variance and volatility per asset from the cross-sectional residuals: (EWMA) mean of squared
    residuals about zero (demean FALSE) or about each asset's mean (TRUE). Annual unless annualize FALSE."""
    result = panel_regression(data, industry, cap, market, weight, exposure_lag, units=units)
    var = xf.specific_risk(result.resid, halflife, demean=demean)
    if annualize:
        ppy = maybe_periods_per_year(result.factor_returns.index)
        if ppy is None:
            raise XLFactorError(
                "data: the table's dates are not daily, weekly, monthly, quarterly or annual, so the variance cannot "
                "be annualised; set annualize FALSE for per-period figures"
            )
        var = var * ppy
    return Table(pd.DataFrame({"Specific var": var, L.SPECIFIC_VOL.short: np.sqrt(var)}), "Asset")


@excel_function(
    depends=NO_DATA,
    as_of=date("Optional: the date of the model (a date in the table); default the last date."),
    halflife=number(
        "Optional EWMA half-life in dates for the factor covariance and the specific variances; blank weights every "
        "date equally.",
        low=0,
        inclusive=False,
    ),
    exposure_lag=EXPOSURE_LAG,
)
def FM_XS_ASSET_COV(
    data, as_of=None, industry=None, cap=None, market=True, halflife=None, annualize=True, exposure_lag=0, weight=None
):
    """Asset covariance of the cross-sectional model on a date: X F X' + S, X that date's exposures, F the factor
    covariance and S the specific variances up to that date. Annual unless annualize FALSE."""
    result = panel_regression(data, industry, cap, market, weight, exposure_lag)
    when = None if as_of is None else table_date(as_of, result.factor_returns.index)
    model = xf.xs_risk_model(
        result, when, vol_halflife=halflife, corr_halflife=halflife, specific_halflife=halflife, annualize=annualize
    )
    return Table(model.asset_cov(), "Asset")


@excel_function(
    depends=NO_DATA,
    lags=number("Newey-West lags (default floor(4 (T/100)^(2/9)), T = periods).", integer=True, low=0),
    intercept=flag("TRUE (default): each period's regression has an intercept (row const). FALSE: through the origin."),
)
def FM_FAMA_MACBETH(data, lags=None, intercept=True, *, units="auto"):
    """Fama-MacBeth premia of the characteristics with plain and Newey-West standard errors, t and p; then the
    average R2 and the number of periods."""
    _, returns, chars, _, _, _ = _panel_inputs(data, None, None)
    if not chars:
        raise XLFactorError("data: add at least one characteristic column after the return column")
    with excel_names(PANEL_NAMES):
        result = xf.fama_macbeth(returns, chars, lags, intercept=intercept, units=units)
    summary = result.summary()
    rows = [L.named("Average", L.RSQUARED.long), "Periods"]
    extra = pd.DataFrame({summary.columns[0]: [result.avg_rsquared, result.n_periods]}, index=rows)
    return Table(pd.concat([summary, extra]), "Characteristic")


@excel_function(
    depends=NO_DATA,
    returns=WIDE,
    k=number("Number of principal components (default 3).", integer=True, low=1),
    view=choice(
        '"loadings" (default: assets x components), "factors" (factor returns per row) or "variance".',
        ("loadings", "factors", "variance"),
    ),
)
def FM_PCA(returns, k=3, view="loadings", *, units="auto"):
    """Statistical factors: principal components of the asset covariance (pairwise over blanks), with loadings,
    factor returns or explained variance."""
    frame = convert.numbers(returns, "returns")
    result = xf.pca_factors(frame, k, units=units)
    if view == "loadings":
        return Table(result.loadings, "Asset")
    if view == "factors":
        return Table(result.factors.set_axis(range(1, len(frame) + 1)), "Row")
    explained = pd.DataFrame({"Eigenvalue": result.eigenvalues, "Explained": result.explained_variance_ratio})
    return Table(explained, "Component")


def _model_names(models: Any) -> list[str]:
    """Model names from a range of names and/or comma-separated text."""
    inputs.blank_model(models, "models")
    names = [str(v).strip() for row in convert.grid(models, "models") for v in row if convert.is_label(v)]
    names = [n.strip() for text in names for n in text.split(",") if n.strip()]
    if not names:
        raise XLFactorError("models: give model names such as CAPM, FF3, FF5, FF6")
    return names


def _models_vintages(models: Any, dates: Any) -> tuple:
    """What FM_ALPHA_TEST depends on besides its cells: each model's data vintage on the dates."""
    return tuple(inputs.data_token(name, dates, "models") for name in _model_names(models))


_MODELS_DATA = Depends(("models", "dates"), _models_vintages)


@excel_function(depends=_MODELS_DATA, annualize=ALPHA_ANNUALIZE)
def FM_ALPHA_TEST(returns, models, dates, annualize=True, cov="nonrobust", lags=None, *, units="auto"):
    """Alpha and t-statistic of each strategy under several factor models side by side (common sample, excess
    of RF)."""
    names = _model_names(models)
    samples = {name: inputs.sample(returns, name, dates, factors_arg="models") for name in names}
    first = next(iter(samples.values()))
    factors = {name: s.factors for name, s in samples.items()}
    result = xf.alpha_test(first.returns, factors, cov=cov, lags=lags, rf=first.rf(True), units=units)
    alpha = result.alpha_annualized if annualize else result.alpha
    columns = {}
    for name in names:
        columns[f"{name} alpha"] = alpha[name]
        columns[L.named(name, L.TVALUES.short)] = result.tvalues[name]
    return Table(pd.DataFrame(columns), "Strategy")
