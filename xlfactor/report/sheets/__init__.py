"""One module per report sheet; :data:`SHEETS` lists them in report order.

Each module has ``NAME`` (the sheet title) and ``write(ws, analysis, info)``.
"""

from __future__ import annotations

from xlfactor.report.sheets import (
    attribution,
    covariance,
    exposures,
    forecast,
    hedges,
    methodology,
    regressions,
    risk,
    risk_history,
    rolling,
    scenarios,
    stress,
    summary,
)

SHEETS = (
    summary,
    exposures,
    risk,
    attribution,
    regressions,
    rolling,
    covariance,
    hedges,
    stress,
    scenarios,
    forecast,
    risk_history,
    methodology,
)
