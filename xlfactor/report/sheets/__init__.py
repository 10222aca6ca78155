"""One module per report sheet; :data:`SHEETS` lists them in report order.

Each module has ``NAME`` (the sheet title) and ``write(ws, analysis, info)``.
"""

from __future__ import annotations

from xlfactor.report.sheets import (
    covariance,
    exposures,
    forecast,
    hedges,
    methodology,
    regressions,
    risk,
    rolling,
    scenarios,
    stress,
    summary,
)

SHEETS = (summary, exposures, risk, regressions, rolling, covariance, hedges, stress, scenarios, forecast, methodology)
