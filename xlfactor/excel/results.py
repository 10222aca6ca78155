"""Engine results -> the label/value pairs and tables that FM_ functions spill.

An FM_ function returns a :class:`Table` (a DataFrame and the label of its top-left cell)
or a :class:`Record` (label/value pairs); :func:`xlfactor.excel.udf.excel_function` renders
it with the ``headers`` argument (:func:`render`). The top-left cell of a labelled result
is never empty: pre-365 Excel shows only that cell of a formula entered without spilling.

Only re-labelling and selection: every number is taken as the engine computed it. Labels
of statistics come from :mod:`xlfactor.models.labels`, as in the report and ``summary()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlfactor.excel import convert
from xlfactor.models import labels as L
from xlfactor.models.backtest import BacktestResult
from xlfactor.models.episodes import ScenarioResult
from xlfactor.models.hedging import HedgeResult, PositionSize, RiskShareHedge
from xlfactor.models.risk_model import PortfolioRisk
from xlfactor.models.rolling import RSQUARED
from xlfactor.models.scenarios import StressResult, VaRResult


@dataclass(frozen=True)
class Table:
    """A labelled table: with headers, a label row (``corner`` then the columns) above a label
    column (the index) beside the values. ``corner`` names the rows (e.g. "Asset")."""

    frame: pd.DataFrame
    corner: str

    def __post_init__(self) -> None:
        if not self.corner:
            raise ValueError("Table: name the rows in corner (the top-left cell must not be empty)")


@dataclass(frozen=True)
class Record:
    """Label/value pairs, one per row; ``title`` (if given) is a first row ``[title, ""]``."""

    fields: Mapping[str, Any]
    title: str = ""


@dataclass(frozen=True)
class Column:
    """One column of values under a header cell ``label`` (no label column)."""

    values: Any
    label: str


def render(result: Table | Record | Column | list, headers: bool) -> list[list[Any]]:
    """The cells of a result: :func:`xlfactor.excel.convert.table`, ``record``, a column (a 2-D list as is)."""
    if isinstance(result, Column):
        cells = [[convert.cell(v)] for v in result.values]
        return [[result.label], *cells] if headers else cells
    if isinstance(result, Table):
        return convert.table(result.frame, headers, corner=result.corner)
    if isinstance(result, Record):
        return convert.record(result.fields, headers, title=result.title)
    return result


INFO_FIELDS = {
    "model": "Model",
    "freq": "Frequency",
    "origin": "Origin",
    "database": "Database",
    "vintage": "Vintage",
    "first_date": "First date",
    "last_date": "Last date",
    "rows": "Rows",
    "columns": "Columns",
    "data_key": "Data key",
    "excel_summary": "Summary",
    "source": "Source",
    "citation": "Citation",
    "licence": "Licence",
    "column_sources": "Column sources",
}


def info_fields(info: dict[str, Any]) -> dict[str, Any]:
    """``factor_info`` as readable label -> value (lists joined with commas, ``column: source`` pairs with
    semicolons, nested metadata left out)."""
    out = {}
    for key, label in INFO_FIELDS.items():
        value = info.get(key)
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        out[label] = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
    return out


def risk_fields(risk: PortfolioRisk) -> dict[str, Any]:
    """Portfolio risk summary: volatilities, variances, factor share, then one exposure per factor."""
    fields = {
        L.TOTAL_VOL.short: risk.total_vol,
        L.FACTOR_VOL.short: risk.factor_vol,
        L.SPECIFIC_VOL.short: risk.specific_vol,
        L.FACTOR_SHARE.short: risk.factor_share,
        "Total var": risk.total_var,
        "Factor var": risk.factor_var,
        "Specific var": risk.specific_var,
    }
    fields.update({f"Exposure {k}": v for k, v in risk.exposures.items()})
    return fields


def hedge_fields(result: HedgeResult) -> dict[str, Any]:
    """Hedge ratio per instrument, then effectiveness, annual (or per-period) vols and observations."""
    fields: dict[str, Any] = {str(k): v for k, v in result.ratios.items()}
    annual = result.residual_vol_annualized is not None
    fields["Effectiveness"] = result.effectiveness
    fields[L.annual(L.RESID_VOL.long) if annual else L.RESID_VOL.long] = (
        result.residual_vol_annualized if annual else result.residual_vol
    )
    fields["Unhedged vol (ann.)" if annual else "Unhedged vol"] = (
        result.unhedged_vol_annualized if annual else result.unhedged_vol
    )
    fields[L.NOBS.long] = result.nobs
    if result.binding is not None:
        fields.update({f"Bound binding: {k}": v or "none" for k, v in result.binding.items()})
    return fields


def risk_share_table(result: RiskShareHedge) -> pd.DataFrame:
    """Rows: each factor (exposure before, hedge to sell, exposure after), then total/factor/specific
    volatility and factor share before and after."""
    factors = pd.DataFrame(
        {"Before": result.exposures_before, "Hedge (sell)": result.hedge, "After": result.exposures_after}
    )
    summary = pd.DataFrame(
        {
            "Before": [
                result.total_vol_before,
                result.factor_vol_before,
                result.specific_vol,
                result.factor_share_before,
            ],
            "Hedge (sell)": [float("nan")] * 4,
            "After": [result.total_vol_after, result.factor_vol_after, result.specific_vol, result.factor_share_after],
        },
        index=[L.TOTAL_VOL.short, L.FACTOR_VOL.short, L.SPECIFIC_VOL.short, L.FACTOR_SHARE.short],
    )
    table = pd.concat([factors, summary])
    if result.binding is not None:
        table["Bound binding"] = result.binding.replace("", "none").reindex(table.index).fillna("")
    return table


def size_fields(size: PositionSize) -> dict[str, Any]:
    """Capital unhedged and hedged, volatility per unit of capital over the horizon, the horizon."""
    return {
        "Capital (unhedged)": size.capital_unhedged,
        "Capital (hedged)": size.capital_hedged,
        "Vol per unit (unhedged)": size.vol_unhedged,
        "Vol per unit (hedged)": size.vol_hedged,
        "Horizon": size.horizon,
        "Vol budget": size.vol_budget,
    }


def var_fields(result: VaRResult) -> dict[str, Any]:
    """VaR, ES, volatility over the horizon, confidence, horizon, method (with the skewness, excess kurtosis
    and observations of the historical P&L for the historical methods), then the VaR and the ES contribution of each
    factor and of specific risk (Euler; each set adds up to the total)."""
    fields = {
        "VaR": result.var,
        "ES": result.es,
        "Vol (horizon)": result.vol,
        "Confidence": result.confidence,
        "Horizon (periods)": result.horizon,
        "Method": result.method,
    }
    if result.method != "parametric":
        fields.update(
            {"Skewness": result.skew, "Excess kurtosis": result.excess_kurtosis, L.NOBS.long: result.observations}
        )
    fields.update({f"VaR {k}": v for k, v in result.by_factor["var"].items()})
    fields.update({f"ES {k}": v for k, v in result.by_factor["es"].items()})
    return fields


def band_labels(confidence: float) -> tuple[str, str]:
    """Labels of the low and high ends of a scenario's specific-risk band, e.g. "Band low (95%)"."""
    return f"Band low ({confidence:.0%})", f"Band high ({confidence:.0%})"


def scenario_table(result: ScenarioResult) -> pd.DataFrame:
    """Per factor: compounded return over the episode, exposure, P&L and P&L in the worst period; then the Total
    row (P&L and worst-period P&L) and the specific-risk band around the total."""
    by_factor = pd.DataFrame(
        {
            "Return": result.factor_returns,
            "Exposure": result.exposures,
            "P&L": result.pnl_by_factor,
            "Worst period P&L": result.worst_by_factor,
        }
    )
    low, high = band_labels(result.band_confidence)
    totals = pd.DataFrame(
        {"P&L": [result.pnl, *result.band], "Worst period P&L": [result.worst_pnl, None, None]},
        index=["Total", low, high],
    )
    return pd.concat([by_factor, totals])


def scenario_fields(result: ScenarioResult) -> dict[str, Any]:
    """The episode (dates, frequency, periods), total P&L, specific volatility and band, worst period."""
    low, high = band_labels(result.band_confidence)
    return {
        "Description": result.description,
        "Start": result.start,
        "End": result.end,
        "Frequency": result.frequency,
        "Periods": result.periods,
        "P&L": result.pnl,
        "Specific vol (episode)": result.specific_vol,
        low: result.band[0],
        high: result.band[1],
        "Worst period": result.worst_date,
        "Worst period P&L": result.worst_pnl,
    }


def backtest_fields(result: BacktestResult) -> dict[str, Any]:
    """Bias statistic with its band, breaches against expected, Kupiec and Christoffersen tests, the set-up."""
    return {
        "Forecasts": len(result.table),
        "Bias statistic": result.bias,
        "Band low (95%)": result.band[0],
        "Band high (95%)": result.band[1],
        "VaR confidence": result.confidence,
        "Breaches": result.breaches,
        "Expected breaches": result.expected_breaches,
        "Kupiec LR": result.kupiec_lr,
        L.named("Kupiec", L.PVALUES.long): result.kupiec_pvalue,
        "Christoffersen LR": result.christoffersen_lr,
        L.named("Christoffersen", L.PVALUES.long): result.christoffersen_pvalue,
        "Window": "expanding" if result.window is None else result.window,
        "First forecast after (rows)": result.first_forecast,
        "Refit every (rows)": result.refit_every,
        "Covariance method": result.cov_method,
        "Rolling bias window": result.bias_window,
    }


def backtest_table(result: BacktestResult) -> pd.DataFrame:
    """Per forecast date: forecast volatility, realised return, their ratio, VaR, breach (TRUE/FALSE) and the
    rolling bias statistic (blank until its window is full)."""
    return pd.DataFrame(
        {
            "Forecast vol": result.table["forecast_vol"],
            "Realised": result.table["realised"],
            "Realised / forecast": result.table["z"],
            "VaR": result.table["var"],
            "Breach": result.table["breach"].astype(object),
            f"Rolling bias ({result.bias_window})": result.rolling_bias,
        }
    )


def stress_table(result: StressResult) -> pd.DataFrame:
    """Per factor: move, shocked (TRUE given / FALSE implied), exposure, P&L; then a Total P&L row."""
    total = pd.DataFrame({"pnl": [result.pnl]}, index=["Total"])
    return pd.concat([result.by_factor.astype({"shocked": object}), total])


def rolling_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``rolling_regress`` output with flat column labels: the field alone for one asset, else
    ``"<asset> <field>"`` (the ``rsquared`` field as ``R2``); a non-date index becomes 1-based row numbers."""
    assets = frame.columns.get_level_values(0).unique()
    shown = [(a, L.RSQUARED.short if f == RSQUARED else str(f)) for a, f in frame.columns]
    labels = [f if len(assets) == 1 else L.named(a, f) for a, f in shown]
    out = frame.set_axis(labels, axis=1)
    if not isinstance(out.index, pd.DatetimeIndex):
        out.index = range(1, len(out) + 1)
    return out
