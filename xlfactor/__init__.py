"""xlfactor: factor risk models for Excel and Python.

``import xlfactor as xf`` gives the public API listed in ``__all__``. Names are
imported on first use, so that ``import xlfactor`` stays fast for the Excel
add-in (which needs only the functions its formulas call).
"""

from __future__ import annotations

import importlib

from xlfactor.errors import XLFactorError

__version__ = "0.1.0"

_API = {
    # time-series engine
    "regress": "xlfactor.models.regression",
    "RegressionResult": "xlfactor.models.regression",
    "grs_test": "xlfactor.models.grs",
    "GRSResult": "xlfactor.models.grs",
    "rolling_regress": "xlfactor.models.rolling",
    "adjust_beta": "xlfactor.models.beta_adjust",
    "factor_cov": "xlfactor.models.covariance",
    "cov_to_corr": "xlfactor.models.covariance",
    "FactorRiskModel": "xlfactor.models.risk_model",
    "PortfolioRisk": "xlfactor.models.risk_model",
    "variance_decomposition": "xlfactor.models.risk_model",
    "hedge_ratios": "xlfactor.models.hedging",
    "HedgeResult": "xlfactor.models.hedging",
    "RiskShareHedge": "xlfactor.models.hedging",
    "PositionSize": "xlfactor.models.hedging",
    "hedge_to_risk_share": "xlfactor.models.hedging",
    "hedged_returns": "xlfactor.models.hedging",
    "tracking_portfolio": "xlfactor.models.hedging",
    "position_size": "xlfactor.models.hedging",
    "style_analysis": "xlfactor.models.style",
    "StyleResult": "xlfactor.models.style",
    "residual_returns": "xlfactor.models.return_series",
    "cumulative_returns": "xlfactor.models.return_series",
    "excess_returns": "xlfactor.models.return_series",
    "performance": "xlfactor.models.performance",
    "max_drawdown": "xlfactor.models.performance",
    "expected_return": "xlfactor.models.expected_return",
    "position_pnl": "xlfactor.models.expected_return",
    "holdings_exposures": "xlfactor.models.holdings",
    "characteristic_adjusted_returns": "xlfactor.models.holdings",
    "stress": "xlfactor.models.scenarios",
    "var_es": "xlfactor.models.scenarios",
    "StressResult": "xlfactor.models.scenarios",
    "VaRResult": "xlfactor.models.scenarios",
    "scenario": "xlfactor.models.episodes",
    "scenario_library": "xlfactor.models.episodes",
    "ScenarioResult": "xlfactor.models.episodes",
    "risk_backtest": "xlfactor.models.backtest",
    "BacktestResult": "xlfactor.models.backtest",
    "factor_attribution": "xlfactor.models.attribution",
    "attribution_summary": "xlfactor.models.attribution",
    "AttributionResult": "xlfactor.models.attribution",
    "brinson": "xlfactor.models.brinson",
    "BrinsonResult": "xlfactor.models.brinson",
    "risk_history": "xlfactor.models.risk_history",
    "RiskHistory": "xlfactor.models.risk_history",
    "analyze_portfolio": "xlfactor.report.analysis",
    "PortfolioAnalysis": "xlfactor.report.analysis",
    # cross-sectional models
    "standardize": "xlfactor.models.cross_section",
    "cross_sectional_regress": "xlfactor.models.cross_section",
    "characteristic_portfolios": "xlfactor.models.cross_section",
    "neutralize": "xlfactor.models.cross_section",
    "fama_macbeth": "xlfactor.models.cross_section",
    "specific_risk": "xlfactor.models.cross_section",
    "pca_factors": "xlfactor.models.cross_section",
    "build_sort_factors": "xlfactor.models.cross_section",
    "quantile_spread": "xlfactor.models.cross_section",
    "single_sort_factor": "xlfactor.models.cross_section",
    "alpha_test": "xlfactor.models.cross_section",
    "xs_risk_model": "xlfactor.models.cross_section",
    "xs_factor_cov": "xlfactor.models.cross_section",
    "dummy_exposures": "xlfactor.models.cross_section",
    "CrossSectionResult": "xlfactor.models.cross_section",
    "FamaMacBethResult": "xlfactor.models.cross_section",
    "PCAResult": "xlfactor.models.cross_section",
    "SortResult": "xlfactor.models.cross_section",
    "AlphaTestResult": "xlfactor.models.cross_section",
    # factor data
    "load_factors": "xlfactor.data",
    "refresh_factors": "xlfactor.data",
    "factor_info": "xlfactor.data",
    "register_factors": "xlfactor.data",
    "align": "xlfactor.data",
    "data_vintage": "xlfactor.data",
    "available_models": "xlfactor.data",
    "stored_datasets": "xlfactor.data",
    "reset_state": "xlfactor.data",
    "industry_portfolios": "xlfactor.data.samples",
    # reports
    "build_report": "xlfactor.report",
    "build_demo_report": "xlfactor.report",
}

__all__ = ["XLFactorError", "__version__", *_API]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'xlfactor' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
