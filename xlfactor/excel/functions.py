"""The Excel functions (UDFs): the one module every xlwings runtime imports.

Classic desktop imports it through the add-in's UDF modules setting, xlwings Lite through
``install/lite/main.py``, xlwings Server through its custom-functions module; xlwings finds
the functions among this module's attributes. They are written by topic in
:mod:`xlfactor.excel.fm` and re-exported here. How to add one: :mod:`xlfactor.excel.specs`.

Memoising: every function registered with ``depends=`` (all but FM_DATA_INFO, whose
metadata can change without a new data vintage) serves a repeat with identical cells from
the result memo (:data:`xlfactor.excel.memo.result_cache`, looked up by
:func:`xlfactor.excel.udf.excel_function`). The regressions and risk models are also shared
between functions (``xlfactor.excel.inputs.sample(..., fit=...)`` and
:mod:`xlfactor.excel.cached`: one regression serves FM_BETA, FM_ALPHA and FM_REGRESS); the
cheaper single-use engine calls (FM_ROLLING_BETA, FM_COV, FM_HEDGE, ...) are memoised by the
result memo only.

Units: returns in decimals; volatilities and variances annual unless ``annualize`` is
FALSE; alphas per period unless ``annualize``. Annual figures need the frequency, so a
factor range without dates gives them only with ``annualize`` FALSE.
"""

from xlfactor.excel.fm.attribution import FM_ATTRIBUTION, FM_BRINSON
from xlfactor.excel.fm.cross_section import (
    FM_ALPHA_TEST,
    FM_CHAR_PORTFOLIO,
    FM_FAMA_MACBETH,
    FM_NEUTRALIZE,
    FM_PCA,
    FM_SPECIFIC_RISK,
    FM_XS_ASSET_COV,
    FM_XS_FACTOR_RETURNS,
    FM_ZSCORE,
)
from xlfactor.excel.fm.data import FM_DATA_INFO, FM_FACTORS
from xlfactor.excel.fm.hedging import FM_HEDGE, FM_HEDGE_TARGET, FM_POSITION_PNL, FM_POSITION_SIZE
from xlfactor.excel.fm.holdings import FM_CHAR_ADJUSTED, FM_HOLDINGS_EXPOSURES
from xlfactor.excel.fm.performance import FM_EXPECTED_RETURN, FM_PERFORMANCE
from xlfactor.excel.fm.regression import (
    FM_ADJUST_BETA,
    FM_ALPHA,
    FM_BETA,
    FM_EXCESS_RETURNS,
    FM_GRS,
    FM_HEDGED_RETURNS,
    FM_REGRESS,
    FM_RESIDUALS,
    FM_ROLLING_BETA,
    FM_TRACKING_RETURNS,
)
from xlfactor.excel.fm.risk import (
    FM_ASSET_COV,
    FM_CORR,
    FM_COV,
    FM_PORT_RISK,
    FM_RISK_BACKTEST,
    FM_RISK_CONTRIB,
    FM_RISK_HISTORY,
    FM_VAR_DECOMP,
)
from xlfactor.excel.fm.scenarios import FM_SCENARIO, FM_SCENARIOS, FM_STRESS, FM_VAR
from xlfactor.excel.fm.sorts import FM_QUANTILE_SPREAD, FM_SINGLE_SORT, FM_SORT_FACTORS
from xlfactor.excel.fm.style import FM_STYLE

__all__ = [
    "FM_ADJUST_BETA",
    "FM_ALPHA",
    "FM_ALPHA_TEST",
    "FM_ASSET_COV",
    "FM_ATTRIBUTION",
    "FM_BETA",
    "FM_BRINSON",
    "FM_CHAR_ADJUSTED",
    "FM_CHAR_PORTFOLIO",
    "FM_CORR",
    "FM_COV",
    "FM_DATA_INFO",
    "FM_EXCESS_RETURNS",
    "FM_EXPECTED_RETURN",
    "FM_FACTORS",
    "FM_FAMA_MACBETH",
    "FM_GRS",
    "FM_HEDGE",
    "FM_HEDGED_RETURNS",
    "FM_HEDGE_TARGET",
    "FM_HOLDINGS_EXPOSURES",
    "FM_NEUTRALIZE",
    "FM_PCA",
    "FM_PERFORMANCE",
    "FM_PORT_RISK",
    "FM_POSITION_PNL",
    "FM_POSITION_SIZE",
    "FM_QUANTILE_SPREAD",
    "FM_REGRESS",
    "FM_RESIDUALS",
    "FM_RISK_BACKTEST",
    "FM_RISK_CONTRIB",
    "FM_RISK_HISTORY",
    "FM_ROLLING_BETA",
    "FM_SCENARIO",
    "FM_SCENARIOS",
    "FM_SINGLE_SORT",
    "FM_SORT_FACTORS",
    "FM_SPECIFIC_RISK",
    "FM_STRESS",
    "FM_STYLE",
    "FM_TRACKING_RETURNS",
    "FM_VAR",
    "FM_VAR_DECOMP",
    "FM_XS_ASSET_COV",
    "FM_XS_FACTOR_RETURNS",
    "FM_ZSCORE",
]
