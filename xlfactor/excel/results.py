"""Engine results -> the label/value pairs and tables that FM_ functions spill.

Only re-labelling and selection: every number is taken as the engine computed it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xlfactor.models.hedging import HedgeResult, PositionSize, RiskShareHedge
from xlfactor.models.regression import RegressionResult
from xlfactor.models.risk_model import PortfolioRisk
from xlfactor.models.scenarios import StressResult, VaRResult

INFO_FIELDS = {
    "model": "Model",
    "freq": "Frequency",
    "origin": "Origin",
    "vintage": "CRSP vintage",
    "first_date": "First date",
    "last_date": "Last date",
    "rows": "Rows",
    "columns": "Columns",
    "data_key": "Data key",
    "summary": "Summary",
}


def info_fields(info: dict[str, Any]) -> dict[str, Any]:
    """``factor_info`` as readable label -> value (lists joined with commas, nested metadata left out)."""
    out = {}
    for key, label in INFO_FIELDS.items():
        value = info.get(key)
        out[label] = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
    return out


def regression_summary(result: RegressionResult, asset: str, *, annual: bool) -> pd.DataFrame:
    """``result.summary(asset)``; without a known frequency (``annual`` False) the annualised rows
    are replaced by the per-period residual volatility (the alpha row is already per period)."""
    summary = result.summary(asset)
    if annual:
        return summary
    summary = summary.drop(index=["Resid. vol (ann.)", "Alpha (ann.)"])
    per_period = pd.DataFrame({"coef": [result.resid_vol[asset]]}, index=["Resid. vol (per period)"])
    return pd.concat([summary.iloc[:-1], per_period, summary.iloc[-1:]])


def risk_fields(risk: PortfolioRisk) -> dict[str, Any]:
    """Portfolio risk summary: volatilities, variances, factor share, then one exposure per factor."""
    fields = {
        "Total vol": risk.total_vol,
        "Factor vol": risk.factor_vol,
        "Specific vol": risk.specific_vol,
        "Factor share": risk.factor_share,
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
    fields["Residual vol (ann.)" if annual else "Residual vol"] = (
        result.residual_vol_annualized if annual else result.residual_vol
    )
    fields["Unhedged vol (ann.)" if annual else "Unhedged vol"] = (
        result.unhedged_vol_annualized if annual else result.unhedged_vol
    )
    fields["Observations"] = result.nobs
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
        index=["Total vol", "Factor vol", "Specific vol", "Factor share"],
    )
    return pd.concat([factors, summary])


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
    """VaR, ES, volatility over the horizon, confidence, horizon, then the VaR contribution of each factor."""
    fields = {
        "VaR": result.var,
        "ES": result.es,
        "Vol (horizon)": result.vol,
        "Confidence": result.confidence,
        "Horizon (periods)": result.horizon,
    }
    fields.update({f"VaR {k}": v for k, v in result.by_factor["var"].items()})
    return fields


def stress_table(result: StressResult) -> pd.DataFrame:
    """Per factor: move, shocked (TRUE given / FALSE implied), exposure, P&L; then a Total P&L row."""
    total = pd.DataFrame({"pnl": [result.pnl]}, index=["Total"])
    return pd.concat([result.by_factor.astype({"shocked": object}), total])


def rolling_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``rolling_regress`` output with flat column labels: the field alone for one asset, else
    ``"<asset> <field>"``; a non-date index becomes 1-based row numbers."""
    assets = frame.columns.get_level_values(0).unique()
    labels = [str(f) if len(assets) == 1 else f"{a} {f}" for a, f in frame.columns]
    out = frame.set_axis(labels, axis=1)
    if not isinstance(out.index, pd.DatetimeIndex):
        out.index = range(1, len(out) + 1)
    return out
