"""Portfolio analysis for the risk report: every number it shows, computed by the engine in one call.

:func:`analyze_portfolio` orchestrates the engine modules (regression, rolling
regression, covariance, risk model, hedging, scenarios) over one portfolio and
returns a :class:`PortfolioAnalysis`. It lives in the report layer because it
chooses what the report shows (standard shocks, VaR levels, worst periods); the
engine in ``xlfactor.models`` holds no report constants. The sheet modules only
lay these numbers out; they compute nothing.

Conventions
-----------
* ``returns`` are simple per-period returns in decimals. If ``factors`` has an
  ``RF`` column, regressions use excess returns ``r - RF`` (and ``RF`` is not a
  factor); otherwise ``returns`` are taken to be excess returns already.
* The portfolio's return series (the top-down estimates, the rolling betas, the
  minimum-variance hedges and the worst periods use it) is the portfolio's
  REALISED return history when one is given (``portfolio_returns``: NAV or P&L
  returns earned with the weights actually held, which drift and are traded).
  Without one it is ``r_p,t = sum_i w_i r_i,t`` with today's weights held
  constant (rebalanced every period) on the dates where every held asset has a
  return; least squares being linear in the returns, the top-down betas then
  equal the bottom-up ``sum_i w_i beta_i`` whenever every asset has every date.
* The risk model, the risk contributions, stress and VaR always use today's
  weights (bottom-up).
* Risk figures are annualised (``periods_per_year`` inferred from the dates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models import RF_COLUMN
from xlfactor.models._repr import short_repr
from xlfactor.models.attribution import AttributionResult, factor_attribution
from xlfactor.models.backtest import BacktestResult, risk_backtest
from xlfactor.models.covariance import cov_to_corr
from xlfactor.models.episodes import EPISODES, ScenarioResult, episode_problem, scenario
from xlfactor.models.frequency import maybe_periods_per_year
from xlfactor.models.hedging import HedgeResult, RiskShareHedge, hedge_ratios, hedge_to_risk_share
from xlfactor.models.holdings import holdings_exposures
from xlfactor.models.regression import RegressionResult, regress
from xlfactor.models.risk_history import RiskHistory, risk_history
from xlfactor.models.risk_model import FactorRiskModel, PortfolioRisk, weight_vector
from xlfactor.models.rolling import rolling_regress
from xlfactor.models.scenarios import stress, var_es
from xlfactor.models.units import MAX_GROSS, check_gross, check_max_gross, check_return_columns, check_units_argument

PORTFOLIO = "Portfolio"

#: Standard one-period factor shocks (decimal factor returns over one data period).
#: Sizes are of the order of the largest monthly moves in the French data since 1926:
#: a -10% excess market month happens about once every four years, momentum lost
#: more than 15% in single months of 1932, 2001 and 2009. A scenario is run only when
#: all the factors it shocks are in the model; the other factors move by their
#: conditional expectation given the shocked ones.
STANDARD_SHOCKS: dict[str, dict[str, float]] = {
    "Equity market -10%": {"Mkt-RF": -0.10},
    "Equity market -20% (crash)": {"Mkt-RF": -0.20},
    "Small caps -5% vs large": {"SMB": -0.05},
    "Value rally +5%": {"HML": 0.05},
    "Value crash -5%": {"HML": -0.05},
    "Profitability (quality) +3%": {"RMW": 0.03},
    "Conservative investment +3%": {"CMA": 0.03},
    "Momentum crash -15%": {"MOM": -0.15},
    "Risk-off: market -10%, quality +3%": {"Mkt-RF": -0.10, "RMW": 0.03},
}

#: A top-down and a bottom-up beta differ materially when they are further apart
#: than this and than two standard errors of the top-down estimate:
#: ``|bottom_up - top_down| > max(MATERIAL_BETA_GAP, 2 * top_down_se)``.
MATERIAL_BETA_GAP = 0.10
VAR_CONFIDENCES = (0.95, 0.99)
WORST_PERIODS = 10
#: Confidence of the specific-risk band around each historical scenario's P&L.
SCENARIO_BAND = 0.95
#: VaR confidence of the forecast check (95%: a monthly backtest of a few years sees a few breaches).
BACKTEST_CONFIDENCE = 0.95
#: Periods before the forecast check's first forecast (fewer when the sample is short, see analyze_portfolio).
BACKTEST_MIN_PERIODS = 60


@dataclass(frozen=True)
class PortfolioAnalysis:
    """Everything a portfolio risk report shows.

    Attributes
    ----------
    returns : DataFrame
        Asset returns used (dates x assets), as given (not excess).
    factors : DataFrame
        Factor returns used (dates x factors, no RF) on the same dates.
    rf : Series or None
        Risk-free rate per period when the factors carried one.
    weights : Series
        Portfolio weights per asset (0 for assets not held).
    benchmark : Series or None
        Benchmark weights per asset.
    portfolio_returns : Series
        The portfolio's total (not excess) return series behind the top-down
        figures: the realised series when one was given (on the analysis dates
        where it has a value), else ``r_p,t = sum_i w_i r_i,t`` at today's weights.
    realised : bool
        True when ``portfolio_returns`` is the realised series passed in; False
        when it is the constant-weight series (top-down then equals bottom-up
        for assets with complete data, by the linearity of least squares).
    periods_per_year : int
    window : int
        Rolling-regression window in periods.
    cov_method : str
        Factor covariance estimator (see :func:`xlfactor.factor_cov`).
    asset_regression : RegressionResult
        Each asset's excess return on the factors, over the asset's own dates.
    portfolio_regression : RegressionResult
        ``portfolio_returns`` in excess of RF on the factors (top-down).
    exposures : DataFrame
        Index = factors; columns ``top_down`` (beta of the portfolio regression),
        ``top_down_se``, ``top_down_t``, ``bottom_up`` (``sum_i w_i beta_i`` from the
        asset regressions), ``difference`` (``bottom_up - top_down``), ``material``
        (``|difference| > max(0.10, 2 * top_down_se)``).
    model : FactorRiskModel
        Annualised ``B F B' + D`` from the asset regressions, ``F`` by ``cov_method``.
    risk : PortfolioRisk
        Total risk of the portfolio (Euler contributions by factor and asset).
    active_risk : PortfolioRisk or None
        Risk of ``w - w_b`` (tracking error) when a benchmark is given.
    active_share : float or None
        ``0.5 * sum_i |w_i - w_b,i|``.
    alpha_bp : Series
        Each asset's alpha per period in basis points (``alpha * 10^4``).
    rolling : DataFrame
        Dates x [``alpha``, factors..., ``rsquared``] of the rolling regression of
        ``portfolio_returns`` over ``window`` periods (first full window onwards).
    factor_cov, factor_corr : DataFrame
        The model's annualised factor covariance and the correlation matrix.
    factor_vol : Series
        Annualised factor volatilities ``sqrt(diag F)``.
    hedges : DataFrame
        One row per hedge: the minimum-variance hedge of the portfolio's excess
        return with all factors (factor-mimicking portfolios) as instruments, with
        the market alone, and the risk-model hedge that takes the factor share of
        variance to ``target_factor_share``. Columns: factors (amount of each
        factor portfolio to SELL SHORT per unit of capital; 0/NaN = not used),
        ``vol_before``, ``vol_after`` (annualised; sample volatilities of the
        unhedged and hedged return series for the minimum-variance hedges,
        model volatilities for the target hedge) and ``variance_reduction``
        (hedge effectiveness ``1 - Var(hedged) / Var(unhedged)``: sample variances
        for the minimum-variance rows, model variances for the target hedge).
    hedge_results : dict[str, HedgeResult]
        The engine results behind the minimum-variance rows.
    target_hedge : RiskShareHedge
        :func:`xlfactor.hedge_to_risk_share` result (exposures before/after, scale).
    target_factor_share : float
    stress : DataFrame
        One row per standard scenario that applies: columns factors (the factor
        moves: shocked and implied ``E[f_o | f_s] = F_os F_ss^-1 s``) and ``pnl``
        (portfolio return ``x' f``).
    stress_by_factor : DataFrame
        Scenario x factor P&L contributions (``x_k f_k``).
    stress_shocks : dict[str, dict[str, float]]
        The scenarios that were run: name -> {shocked factor: shock}.
    worst_periods : DataFrame
        The ``WORST_PERIODS`` worst portfolio returns, worst first: columns
        ``portfolio`` (total return), ``excess`` (over RF), ``factor_part``
        (``beta' f_t`` with the top-down betas) and the factor returns.
    var_es : DataFrame
        Index = confidence levels; columns ``var`` and ``es`` (one period, positive = loss).
    historical_scenarios : DataFrame
        One row per library episode (:data:`xlfactor.models.episodes.EPISODES`) that
        one of the scenario histories covers, in library order: columns ``start``,
        ``end`` (dates of data replayed), ``frequency``, ``periods``, the P&L by
        factor (``x_k F_k``), ``pnl``, ``band_low``, ``band_high`` (``SCENARIO_BAND`` specific-risk
        band), ``worst_date`` and ``worst_pnl`` (worst single period).
    scenario_results : dict[str, ScenarioResult]
        The :func:`xlfactor.scenario` results behind the table.
    backtest : BacktestResult or None
        :func:`xlfactor.risk_backtest` of today's weights (expanding window, refit
        every period, the model's ``cov_method``, VaR at ``BACKTEST_CONFIDENCE``);
        None when the held assets have fewer than ``2 (K + 3)`` complete dates.
    holdings_exposures : DataFrame or None
        With ``holdings``: dates x factors, the bottom-up exposures
        ``x_t = sum_i w_{t,i} beta_i`` of the weights held on each date, betas from
        ``asset_regression`` (:func:`xlfactor.holdings_exposures`); else None.
    unweighted : tuple of str
        Assets with returns that the weights left out (carried at weight 0; the report warns).
    attribution : AttributionResult or None
        :func:`xlfactor.factor_attribution` of today's weights held constant (active against the
        benchmark when given; Carino linking), on the dates where every held asset (and benchmark
        asset) has a return; None when there are fewer than two such dates.
    risk_history : RiskHistory or None
        :func:`xlfactor.risk_history` of today's weights (tracking error against the benchmark when
        given), with the forecast check's expanding window, first forecast and ``cov_method``;
        None when the forecast check is (too little history).
    """

    __repr__ = short_repr

    returns: pd.DataFrame
    factors: pd.DataFrame
    rf: pd.Series | None
    weights: pd.Series
    benchmark: pd.Series | None
    portfolio_returns: pd.Series
    realised: bool
    periods_per_year: int
    window: int
    cov_method: str
    asset_regression: RegressionResult
    portfolio_regression: RegressionResult
    exposures: pd.DataFrame
    model: FactorRiskModel
    risk: PortfolioRisk
    active_risk: PortfolioRisk | None
    active_share: float | None
    alpha_bp: pd.Series
    rolling: pd.DataFrame
    factor_cov: pd.DataFrame
    factor_corr: pd.DataFrame
    factor_vol: pd.Series
    hedges: pd.DataFrame
    hedge_results: dict[str, HedgeResult]
    target_hedge: RiskShareHedge
    target_factor_share: float
    stress: pd.DataFrame
    stress_by_factor: pd.DataFrame
    stress_shocks: dict[str, dict[str, float]]
    worst_periods: pd.DataFrame
    var_es: pd.DataFrame
    historical_scenarios: pd.DataFrame
    scenario_results: dict[str, ScenarioResult]
    backtest: BacktestResult | None
    holdings_exposures: pd.DataFrame | None = None
    unweighted: tuple[str, ...] = ()
    attribution: AttributionResult | None = None
    risk_history: RiskHistory | None = None

    @property
    def start(self) -> pd.Timestamp:
        """First date of the portfolio sample."""
        return self.portfolio_returns.index[0]

    @property
    def end(self) -> pd.Timestamp:
        """Last date of the portfolio sample."""
        return self.portfolio_returns.index[-1]

    @property
    def total_weight(self) -> float:
        """Net invested weight ``sum_i w_i`` (1 for a fully invested book)."""
        return float(self.weights.sum())

    @property
    def gross_weight(self) -> float:
        """Gross exposure ``sum_i |w_i|``."""
        return float(self.weights.abs().sum())

    @property
    def cash_weight(self) -> float:
        """``1 - sum_i w_i``: cash, or capital not covered by the assets (no risk in the model)."""
        return 1.0 - self.total_weight

    @property
    def factor_names(self) -> list[str]:
        """The model's factors in order."""
        return list(self.factors.columns)


def analyze_portfolio(
    returns: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    factors: pd.DataFrame,
    *,
    benchmark: pd.Series | Mapping[str, float] | Literal["equal"] | None = None,
    window: int = 36,
    cov_method: Literal["sample", "ewma", "ledoit_wolf"] = "sample",
    target_factor_share: float = 0.5,
    shocks: Mapping[str, Mapping[str, float]] | None = None,
    portfolio_returns: pd.Series | pd.DataFrame | None = None,
    scenario_history: Sequence[pd.DataFrame] = (),
    max_gross: float | None = MAX_GROSS,
    holdings: pd.DataFrame | None = None,
    units: str = "auto",
) -> PortfolioAnalysis:
    """Run the whole engine over one portfolio.

    Parameters
    ----------
    returns : DataFrame
        Dates x assets, simple returns in decimals; rows are matched to
        ``factors`` by index (align them first, e.g. with :func:`xlfactor.align`).
    weights : Series or mapping
        Weight per asset; names must be columns of ``returns``. An asset with returns that is
        left out is carried at weight 0 and listed in ``unweighted`` (the report and the command
        line warn: a dropped holding would otherwise silently become cash). The sum of the
        weights is the invested share; ``1 - sum`` is cash (``total_weight``, ``cash_weight``).
    factors : DataFrame
        Dates x factors (decimals), optionally with an ``RF`` column.
    benchmark : Series, mapping, ``"equal"`` or None
        Benchmark weights (``"equal"``: ``1/N`` in every asset). Adds tracking
        error, active risk contributions and active share.
    window : int
        Rolling-regression window in periods.
    cov_method : {"sample", "ewma", "ledoit_wolf"}
        Factor covariance estimator of the risk model.
    target_factor_share : float
        Factor share of variance the target hedge aims for (0 <= share < 1).
    shocks : mapping, optional
        Scenario name -> {factor: shock}; default :data:`STANDARD_SHOCKS`
        (scenarios whose factors are not all in the model are skipped).
    portfolio_returns : Series (or one-column DataFrame), optional
        The portfolio's realised total return per period (decimals; its NAV or
        P&L returns with the weights it actually held), indexed by date like
        ``returns`` (align it to the factor dates first). When given, the
        top-down betas, the rolling betas, the minimum-variance hedges and the
        worst periods are computed from it (on the analysis dates where it has a
        value; other dates are left out); the risk model, stress and VaR still
        use ``weights``. Default: ``sum_i w_i r_i,t`` at constant ``weights``.
    scenario_history : sequence of DataFrames
        Longer factor-return histories (e.g. the full monthly and daily French
        files) to replay the library's episodes on, each at one frequency and with
        the model's factors. Each episode is replayed on the first of them (then
        ``factors`` itself) at its frequency that covers it; episodes none covers
        are left out.
    max_gross : float or None
        Bound on the gross exposure ``sum |w|`` of the weights and of the benchmark
        (default 2; see :meth:`xlfactor.FactorRiskModel.weight_vector`): the switch for
        a leveraged or long-short book (its gross exposure) or weights in currency (None).
    holdings : DataFrame, optional
        The weights the portfolio held over time, dates x assets (NaN = not held):
        adds ``holdings_exposures``, its bottom-up betas on each date.
    units : ``"auto"`` or ``"decimal"``
        As :func:`xlfactor.regress` takes it: ``"decimal"`` lets an asset (or a realised
        portfolio) more volatile than about 100% a year through the percent check.

    Returns
    -------
    PortfolioAnalysis

    Raises
    ------
    XLFactorError
        Weights for unknown assets, no common dates, a window longer than the
        sample or too short for the number of factors, a ``portfolio_returns``
        that is not one series of numbers, has no dates in common with
        ``returns`` and ``factors`` or too few of them, and whatever the engine
        rejects (constant factors, too few observations).
    """
    returns, factor_frame, rf = _split_inputs(returns, factors)
    w = _weights(weights, returns.columns, "weights")
    bench = _benchmark(benchmark, returns.columns)
    max_gross = check_max_gross(max_gross)
    check_gross(w.to_numpy(), "weights", max_gross)  # before any series is built from the weights
    asset_reg = regress(returns, factor_frame, rf=rf, units=units)  # the engine's input rules, on the returns as given
    # The units rule has now run on returns, factors and rf as given (and on realised returns below): the later
    # engine calls take what it passed as decimals rather than apply it again to the same numbers.
    checked = "decimal"
    held = w.index[w.to_numpy() != 0]
    n_factors = factor_frame.shape[1]
    realised = portfolio_returns is not None
    if realised:
        port = _realised_series(portfolio_returns, returns.index, n_factors, percent=check_units_argument(units))
    else:
        port = _portfolio_series(returns, w, held)
    port_excess = port.sub(rf.reindex(port.index), axis=0) if rf is not None else port
    if window < n_factors + 2:
        raise XLFactorError(
            f"window: {window} periods is too short for {n_factors} factors; use at least {n_factors + 2}"
        )
    if window > len(port):
        whose = "realised portfolio_returns'" if realised else "portfolio's"
        raise XLFactorError(
            f"window: {window} periods is longer than the {whose} {len(port)} periods of data; use a shorter window"
        )

    port_reg = regress(port_excess.rename(PORTFOLIO).to_frame(), factor_frame, units=checked)
    model = FactorRiskModel.from_regression(asset_reg, factor_frame, cov_method=cov_method)
    risk = model.portfolio_risk(w, max_gross=max_gross)
    active_risk = model.portfolio_risk(w, bench, max_gross=max_gross) if bench is not None else None
    active_share = float(0.5 * np.abs(w - bench).sum()) if bench is not None else None

    target = hedge_to_risk_share(model, w, target_factor_share, max_gross=max_gross)
    hedges, hedge_results = _hedges(port_excess, factor_frame, int(port_reg.periods_per_year), target, checked)
    applied = {
        name: dict(shock)
        for name, shock in (shocks if shocks is not None else STANDARD_SHOCKS).items()
        if set(shock) <= set(factor_frame.columns)
    }
    stress_table, stress_by_factor = _stress(model, w, applied, max_gross)

    scenarios = _replay_episodes(model, w, [*scenario_history, factor_frame], max_gross)

    rolling = rolling_regress(port_excess.rename(PORTFOLIO).to_frame(), factor_frame, window, units=checked)[PORTFOLIO]
    rolling = rolling.dropna(how="all")
    with_rf = _with_rf(factor_frame, rf)  # what the backtest, attribution and risk history take

    return PortfolioAnalysis(
        returns=returns,
        factors=factor_frame,
        rf=rf,
        weights=w,
        benchmark=bench,
        portfolio_returns=port.rename(PORTFOLIO),
        realised=realised,
        periods_per_year=int(asset_reg.periods_per_year),
        window=int(window),
        cov_method=cov_method,
        asset_regression=asset_reg,
        portfolio_regression=port_reg,
        exposures=_exposures(port_reg, asset_reg, w),
        model=model,
        risk=risk,
        active_risk=active_risk,
        active_share=active_share,
        alpha_bp=asset_reg.params["alpha"] * 1e4,
        rolling=rolling,
        factor_cov=model.factor_cov,
        factor_corr=cov_to_corr(model.factor_cov),
        factor_vol=pd.Series(np.sqrt(np.diag(model.F)), index=model.factors, name="vol"),
        hedges=hedges,
        hedge_results=hedge_results,
        target_hedge=target,
        target_factor_share=float(target_factor_share),
        stress=stress_table,
        stress_by_factor=stress_by_factor,
        stress_shocks=applied,
        worst_periods=_worst_periods(port, port_excess, port_reg, factor_frame),
        var_es=pd.DataFrame(
            [_var_es_row(model, w, c, max_gross) for c in VAR_CONFIDENCES],
            index=pd.Index(VAR_CONFIDENCES, name="confidence"),
        ),
        historical_scenarios=_scenario_table(scenarios, model.factors),
        scenario_results=scenarios,
        backtest=_backtest(returns, w, with_rf, cov_method, checked, max_gross),
        attribution=_attribution(returns, w, bench, with_rf, max_gross, checked),
        risk_history=_risk_history(returns, w, bench, with_rf, cov_method, max_gross, checked),
        holdings_exposures=None if holdings is None else holdings_exposures(holdings, asset_reg),
        unweighted=unweighted_assets(weights, returns.columns),
    )


def _split_inputs(returns: pd.DataFrame, factors: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
    """Common dates, factor columns without RF, and RF (or None)."""
    if not isinstance(returns, pd.DataFrame):
        raise XLFactorError("returns: expected a DataFrame (dates x assets)")
    if not isinstance(factors, pd.DataFrame):
        raise XLFactorError("factors: expected a DataFrame (dates x factors)")
    common = returns.index.intersection(factors.index).sort_values()
    if len(common) == 0:
        raise XLFactorError(
            "returns/factors: no dates in common; check the dates cover the factor data's "
            f"{factors.index.min():%Y-%m-%d} to {factors.index.max():%Y-%m-%d}"
        )
    rf = factors.loc[common, RF_COLUMN] if RF_COLUMN in factors.columns else None
    factor_frame = factors.loc[common, [c for c in factors.columns if c != RF_COLUMN]]
    return returns.loc[common], factor_frame, rf


def _weights(weights: pd.Series | Mapping[str, float], assets: pd.Index, name: str) -> pd.Series:
    values = weight_vector(weights, assets, name, universe="the columns of returns (fix the names or add returns)")
    if name == "weights" and not (values != 0).any():
        raise XLFactorError("weights: every weight is zero; give the portfolio some positions")
    return pd.Series(values, index=assets, name=name)


def unweighted_assets(weights: pd.Series | Mapping[str, float], assets: pd.Index) -> tuple[str, ...]:
    """The assets with returns that ``weights`` (by name) leaves out; they are carried at weight 0, and the
    report says so (a holding dropped from the weights would otherwise silently become cash)."""
    if isinstance(weights, Mapping):
        named = pd.Index(list(weights))
    elif isinstance(weights, pd.Series):
        named = weights.index
    else:
        return ()  # an array has one weight per asset by construction (weight_vector checks its length)
    return tuple(str(a) for a in assets.difference(named, sort=False))


def _benchmark(benchmark: pd.Series | Mapping[str, float] | str | None, assets: pd.Index) -> pd.Series | None:
    if benchmark is None:
        return None
    if isinstance(benchmark, str):
        if benchmark != "equal":
            raise XLFactorError(f"benchmark: {benchmark!r} is not understood; pass weights or 'equal'")
        return pd.Series(1.0 / len(assets), index=assets, name="benchmark")
    return _weights(benchmark, assets, "benchmark")


def _portfolio_series(returns: pd.DataFrame, weights: pd.Series, held: pd.Index) -> pd.Series:
    """``sum_i w_i r_i,t`` on dates where every held asset has a return."""
    block = returns[held]
    complete = block.notna().all(axis=1)
    if complete.sum() < 2:
        raise XLFactorError(
            "returns: the held assets have fewer than two dates with returns for all of them; check for missing values"
        )
    return block.loc[complete] @ weights[held]


def _realised_series(
    series: pd.Series | pd.DataFrame, dates: pd.Index, n_factors: int, *, percent: bool = True
) -> pd.Series:
    """The realised portfolio returns on the analysis ``dates`` where they have a value, checked."""
    name = "portfolio_returns"
    if isinstance(series, pd.DataFrame):
        if series.shape[1] != 1:
            raise XLFactorError(f"{name}: expected one series of portfolio returns, got {series.shape[1]} columns")
        series = series.iloc[:, 0]
    if not isinstance(series, pd.Series):
        raise XLFactorError(f"{name}: expected a pandas Series of returns indexed by date, got {type(series).__name__}")
    if series.index.has_duplicates:
        raise XLFactorError(
            f"{name}: date {series.index[series.index.duplicated()][0]} appears more than once; "
            "keep one return per date"
        )
    values = series
    if series.dtype == bool or not pd.api.types.is_numeric_dtype(series.dtype):
        values = pd.to_numeric(series.astype(object), errors="coerce")
        bad = (values.isna() & series.notna()) | series.map(lambda v: isinstance(v, (bool, np.bool_)))
        if bad.any():
            at = series.index[bad.to_numpy()][0]
            raise XLFactorError(
                f"{name}: the value on {_date_text(at)} is {series[at]!r}, not a number; returns "
                "must be decimals (0.012 = 1.2%), blanks for missing"
            )
    values = values.astype(float)
    if np.isinf(values.to_numpy()).any():
        raise XLFactorError(f"{name}: holds infinite values; fix or blank them")
    common = values[values.index.isin(dates)].dropna().sort_index()
    if len(common) == 0:
        span = f"{_date_text(dates.min())} to {_date_text(dates.max())}" if len(dates) else "no dates"
        raise XLFactorError(
            f"{name}: no dates with a value in common with the asset returns and factor data "
            f"({span}); give the realised returns on those dates (align them to the factor dates "
            "first, e.g. with xlfactor.align)"
        )
    if len(common) < n_factors + 2:
        raise XLFactorError(
            f"{name}: only {len(common)} dates overlap the asset returns and factor data; "
            f"{n_factors} factor betas need at least {n_factors + 2}"
        )
    check_return_columns(
        common.to_numpy(),
        pd.Index([name]),
        name,
        index=common.index,
        periods_per_year=maybe_periods_per_year(common.index),
        floor=True,
        percent=percent,
    )
    return common


def _date_text(value: object) -> str:
    return f"{value:%Y-%m-%d}" if isinstance(value, (pd.Timestamp, np.datetime64)) else str(value)


def buy_and_hold_returns(
    returns: pd.DataFrame, weights: pd.Series | Mapping[str, float], *, rebalance_every: int
) -> pd.Series:
    """Returns of a portfolio bought at ``weights``, left to drift and rebalanced every ``rebalance_every`` periods.

    The demo's realised history: annual rebalancing (``rebalance_every=12`` on
    monthly data), drift in between. Holdings are set to ``w_i`` at the start of
    periods ``0, k, 2k, ...`` (``k = rebalance_every``) and then grow with their
    assets:

    ``g_i,t = prod_{s in [t0, t)} (1 + r_i,s)`` (``t0``: last rebalancing),
    ``r_p,t = sum_i w_i g_i,t r_i,t / sum_i w_i g_i,t``.

    The weights held at ``t`` are ``w_i g_i,t / sum_j w_j g_j,t``; ``rebalance_every=1``
    gives ``sum_i w_i r_i,t`` exactly.

    Parameters
    ----------
    returns : DataFrame
        Dates x assets, simple returns in decimals, in date order; held assets
        must have a return on every date.
    weights : Series or mapping
        Target weights (fully invested: they sum to 1); unlisted assets get 0.
    rebalance_every : int
        Periods between rebalancings (>= 1).

    Returns
    -------
    Series
        The portfolio's total return per date, named ``Portfolio``.

    Raises
    ------
    XLFactorError
        Unknown assets, weights not summing to 1, missing returns of held
        assets, ``rebalance_every < 1``, or a portfolio value that is not positive.
    """
    if not isinstance(returns, pd.DataFrame):
        raise XLFactorError("returns: expected a DataFrame (dates x assets)")
    if int(rebalance_every) != rebalance_every or rebalance_every < 1:
        raise XLFactorError(f"rebalance_every: {rebalance_every!r} must be a whole number of periods >= 1")
    w = _weights(weights, returns.columns, "weights")
    if abs(float(w.sum()) - 1.0) > 1e-8:
        raise XLFactorError(
            f"weights: sum to {float(w.sum()):.6g}; a buy-and-hold history needs fully invested weights summing to 1"
        )
    held = w.index[w.to_numpy() != 0]
    block = returns[held].sort_index()
    if block.isna().any().any():
        raise XLFactorError("returns: the held assets have missing returns; a buy-and-hold history needs every date")
    r = block.to_numpy(dtype=float)
    period = np.arange(len(r)) // int(rebalance_every)
    growth = pd.DataFrame(1.0 + r).groupby(period).cumprod().to_numpy()
    starts = np.r_[True, period[1:] != period[:-1]]
    before = np.vstack([np.ones((1, r.shape[1])), growth[:-1]])
    before[starts] = 1.0
    held_value = before * w[held].to_numpy()
    total = held_value.sum(axis=1)
    if (total <= 0).any():
        raise XLFactorError(
            "weights: the buy-and-hold portfolio's value fell to zero or below; use long weights "
            "or rebalance more often"
        )
    return pd.Series((held_value * r).sum(axis=1) / total, index=block.index, name=PORTFOLIO)


def _exposures(port_reg: RegressionResult, asset_reg: RegressionResult, weights: pd.Series) -> pd.DataFrame:
    """Top-down vs bottom-up portfolio betas."""
    top = port_reg.betas.loc[PORTFOLIO]
    se = port_reg.bse.loc[PORTFOLIO, top.index]
    bottom = weights.reindex(asset_reg.betas.index) @ asset_reg.betas
    diff = bottom - top
    return pd.DataFrame(
        {
            "top_down": top,
            "top_down_se": se,
            "top_down_t": port_reg.tvalues.loc[PORTFOLIO, top.index],
            "bottom_up": bottom,
            "difference": diff,
            "material": (diff.abs() > np.maximum(MATERIAL_BETA_GAP, 2 * se)),
        }
    )


def _hedges(
    port_excess: pd.Series, factors: pd.DataFrame, ppy: int, target: RiskShareHedge, units: str = "auto"
) -> tuple[pd.DataFrame, dict[str, HedgeResult]]:
    """Minimum-variance hedges (all factors; market alone) and the target-share hedge in one table.

    Every row reconciles: ``variance_reduction = 1 - (vol_after / vol_before)^2``. For the
    minimum-variance rows ``vol_before`` and ``vol_after`` are the annualised sample
    volatilities (``ddof=1``, times ``sqrt(ppy)``) of ``r_p`` and of the hedged series
    ``r_p - h'f``, so ``variance_reduction`` is the regression R^2 (the OLS residual
    standard error, with ``n - m - 1`` degrees of freedom, is not used here).
    """
    sets = {"Minimum variance, all factors": list(factors.columns)}
    if "Mkt-RF" in factors.columns and factors.shape[1] > 1:
        sets["Minimum variance, market only"] = ["Mkt-RF"]
    results = {
        name: hedge_ratios(port_excess, factors[cols], periods_per_year=ppy, units=units) for name, cols in sets.items()
    }
    rows = {}
    for name, res in results.items():
        rows[name] = res.ratios.reindex(factors.columns).to_dict() | {
            "vol_before": res.unhedged_vol_annualized,
            "vol_after": float(res.hedged.std(ddof=1)) * np.sqrt(ppy),
            "variance_reduction": res.effectiveness,
        }
    rows[f"Factor share to {target.target_share:.0%} (risk model)"] = target.hedge.to_dict() | {
        "vol_before": target.total_vol_before,
        "vol_after": target.total_vol_after,
        "variance_reduction": 1.0 - (target.total_vol_after / target.total_vol_before) ** 2,
    }
    return pd.DataFrame(rows).T, results


def _stress(
    model: FactorRiskModel, weights: pd.Series, shocks: dict[str, dict[str, float]], max_gross: float | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenario factor moves and P&L for each scenario."""
    moves, pnl, by_factor = {}, {}, {}
    for name, shock in shocks.items():
        res = stress(model, weights, dict(shock), max_gross=max_gross)
        moves[name] = res.factor_moves
        pnl[name] = res.pnl
        by_factor[name] = res.pnl_by_factor
    factors = list(model.factors)
    table = pd.DataFrame(moves, index=factors).T
    table["pnl"] = pd.Series(pnl)
    return table, pd.DataFrame(by_factor, index=factors).T


def _worst_periods(
    port: pd.Series, port_excess: pd.Series, port_reg: RegressionResult, factors: pd.DataFrame
) -> pd.DataFrame:
    """The worst portfolio periods with the factor part ``beta' f_t`` of the excess return."""
    worst = port.nsmallest(WORST_PERIODS).index
    table = pd.DataFrame(
        {
            "portfolio": port.loc[worst],
            "excess": port_excess.loc[worst],
            "factor_part": factors.loc[worst] @ port_reg.betas.loc[PORTFOLIO],
        }
    )
    return pd.concat([table, factors.loc[worst]], axis=1)


def _replay_episodes(
    model: FactorRiskModel, weights: pd.Series, histories: list[pd.DataFrame], max_gross: float | None
) -> dict[str, ScenarioResult]:
    """Each library episode replayed on the first history (with the model's factors) that covers it."""
    usable = [h[list(model.factors)] for h in histories if set(model.factors) <= set(h.columns)]
    results = {}
    for episode in EPISODES:
        history = next((h for h in usable if episode_problem(episode, h) is None), None)
        if history is not None:
            results[episode.name] = scenario(
                model, weights, episode.name, factors=history, band=SCENARIO_BAND, max_gross=max_gross
            )
    return results


def _scenario_table(results: dict[str, ScenarioResult], factors: pd.Index) -> pd.DataFrame:
    """One row per replayed episode (see ``PortfolioAnalysis.historical_scenarios``)."""
    rows = {
        name: {
            "start": res.start,
            "end": res.end,
            "frequency": res.frequency,
            "periods": res.periods,
            **res.pnl_by_factor.to_dict(),
            "pnl": res.pnl,
            "band_low": res.band[0],
            "band_high": res.band[1],
            "worst_date": res.worst_date,
            "worst_pnl": res.worst_pnl,
        }
        for name, res in results.items()
    }
    columns = [
        "start",
        "end",
        "frequency",
        "periods",
        *factors,
        "pnl",
        "band_low",
        "band_high",
        "worst_date",
        "worst_pnl",
    ]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("episode")


def _backtest(
    returns: pd.DataFrame,
    weights: pd.Series,
    factors: pd.DataFrame,
    cov_method: str,
    units: str,
    max_gross: float | None,
) -> BacktestResult | None:
    """The forecast check on the held assets' complete dates; None when they are too few. ``factors``: the
    factor returns with their RF column (:func:`_with_rf`)."""
    start = _first_forecast(returns, weights != 0, _n_factors(factors))
    if start is None:
        return None
    return risk_backtest(
        returns,
        weights,
        factors,
        first_forecast=start,
        cov_method=cov_method,
        confidence=BACKTEST_CONFIDENCE,
        units=units,
        max_gross=max_gross,
    )


def _with_rf(factors: pd.DataFrame, rf: pd.Series | None) -> pd.DataFrame:
    """The factor returns with the risk-free rate as their RF column (as given when there is none)."""
    return factors if rf is None else factors.assign(**{RF_COLUMN: rf})


def _n_factors(factors: pd.DataFrame) -> int:
    """Factors in a frame made by :func:`_with_rf` (its RF column is not one)."""
    return factors.shape[1] - (RF_COLUMN in factors.columns)


def _held(weights: pd.Series, bench: pd.Series | None) -> np.ndarray:
    """Which assets the portfolio or its benchmark holds."""
    held = weights != 0
    return (held if bench is None else held | (bench != 0)).to_numpy()


def _first_forecast(returns: pd.DataFrame, held: pd.Series | np.ndarray, n_factors: int) -> int | None:
    """Rows before the first out-of-sample forecast: ``BACKTEST_MIN_PERIODS``, or half the held assets' complete
    dates when fewer, at least ``K + 3``; None when those dates are fewer than ``2 (K + 3)``."""
    complete = int(returns.loc[:, np.asarray(held)].notna().all(axis=1).sum())
    smallest = n_factors + 3
    if complete < 2 * smallest:
        return None
    return max(smallest, min(BACKTEST_MIN_PERIODS, complete // 2))


def _attribution(
    returns: pd.DataFrame,
    weights: pd.Series,
    bench: pd.Series | None,
    factors: pd.DataFrame,
    max_gross: float | None,
    units: str,
) -> AttributionResult | None:
    """Factor attribution of today's weights on the dates every held (or benchmark) asset has a return."""
    rows = returns.index[returns.loc[:, _held(weights, bench)].notna().all(axis=1).to_numpy()]
    if len(rows) < 2:
        return None
    return factor_attribution(
        returns.loc[rows], weights, factors.loc[rows], benchmark=bench, max_gross=max_gross, units=units
    )


def _risk_history(
    returns: pd.DataFrame,
    weights: pd.Series,
    bench: pd.Series | None,
    factors: pd.DataFrame,
    cov_method: str,
    max_gross: float | None,
    units: str,
) -> RiskHistory | None:
    """Ex-ante risk through time with the forecast check's schedule; None when that check has too little data."""
    start = _first_forecast(returns, _held(weights, bench), _n_factors(factors))
    if start is None:
        return None
    return risk_history(
        returns,
        weights,
        factors,
        benchmark=bench,
        first_forecast=start,
        cov_method=cov_method,
        units=units,
        max_gross=max_gross,
    )


def _var_es_row(
    model: FactorRiskModel, weights: pd.Series, confidence: float, max_gross: float | None
) -> dict[str, float]:
    res = var_es(model, weights, confidence=confidence, horizon=1, max_gross=max_gross)
    return {"var": res.var, "es": res.es}
