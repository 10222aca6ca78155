"""Factor risk model ``Sigma = B F B' + D`` and portfolio risk with Euler allocation.

Notation: ``N`` assets, ``K`` factors, ``B`` (N x K) exposures (betas), ``F`` (K x K)
factor covariance, ``D`` (N) specific (residual) variances, ``w`` (N) portfolio weights.

Units: every variance and volatility is in the model's units: annual when
``model.annualized`` is true (the default of ``from_regression``), per data period
otherwise. Weights are fractions of capital (then volatilities are fractions of
capital); weights in currency give volatilities in currency (pass ``max_gross=None``:
by default weights whose gross exposure ``sum |w|`` exceeds ``MAX_GROSS`` = 2 are refused as
a units mistake, see :mod:`xlfactor.models.units`).

The N x N asset covariance is never formed by ``portfolio_risk``: with ``x = B'w``,
``w' Sigma w = x' F x + sum_i w_i^2 D_i``, which costs O(NK + K^2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import listed
from xlfactor.models.covariance import (
    CovMethod,
    check_periods_per_year,
    factor_cov,
    validate_cov,
)
from xlfactor.models.frequency import (
    PERIODS_PER_YEAR,
    frequency_name,
    known_periods_per_year,
    maybe_periods_per_year,
)
from xlfactor.models.units import MAX_GROSS, check_gross, check_max_gross, check_return_columns

if TYPE_CHECKING:
    from xlfactor.models.regression import RegressionResult

Weights = pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray
SPECIFIC = "Specific"
FACTOR_COLUMNS = ["exposure", "marginal", "contribution", "percent"]
VARIANCE_VIEW_COLUMNS = ["euler_var", "standalone_var", "covariance_var", "standalone_vol"]
ASSET_COLUMNS = ["weight", "marginal", "contribution", "percent"]


@dataclass(frozen=True)
class PortfolioRisk:
    """Risk of one portfolio (or of active weights against a benchmark).

    Attributes
    ----------
    total_var, factor_var, specific_var : float
        ``x'Fx + w'Dw``, ``x'Fx`` and ``sum w_i^2 D_i`` with ``x = B'w``.
    total_vol, factor_vol, specific_vol : float
        Square roots of the three variances (``factor_vol^2 + specific_vol^2 = total_vol^2``).
    factor_share : float
        ``factor_var / total_var`` (NaN when the total is 0).
    active : bool
        True when a benchmark was given: then ``w`` is the active weight
        ``w - w_b`` and every figure is active risk (tracking error).
    exposures : Series
        ``x = B'w`` per factor.
    by_factor : DataFrame
        Index = factors + ``"Specific"``; columns ``exposure`` (``x_k``; NaN for
        Specific), ``marginal`` (``d sigma / d x_k = (F x)_k / sigma``; NaN for
        Specific), ``contribution`` (``x_k (F x)_k / sigma``; Specific:
        ``specific_var / sigma``), ``percent`` (``contribution / sigma``, a fraction).
        Contributions sum to ``total_vol``, percents to 1.
    variance_view : DataFrame
        The per-factor variance view beside the Euler split. Index = factors +
        ``"Specific"``; columns ``euler_var`` (``x_k (F x)_k``; Specific ``w'Dw``: the Euler
        split of the variance, summing to ``total_var``), ``standalone_var``
        (``x_k^2 F_kk = b_k^2 Var(f_k)``, the variance the factor would give alone; Specific
        ``w'Dw``), ``covariance_var`` (``euler_var - standalone_var = x_k sum_{j != k} F_kj x_j``,
        the factor's share of the covariance terms) and ``standalone_vol``
        (``sqrt(standalone_var)``). The standalone variances sum to ``total_var`` only when the
        factors are uncorrelated.
    by_asset : DataFrame
        Index = the model's assets; columns ``weight`` (``w_i``, active if a
        benchmark was given), ``marginal`` (``d sigma / d w_i = (B F x + D w)_i / sigma``),
        ``contribution`` (``w_i * marginal_i``), ``percent`` (``contribution / sigma``).
        Contributions sum to ``total_vol``, percents to 1.
    annualized : bool
        Whether the figures are annual (else per data period).
    periods_per_year : int
        The model's data frequency.

    When ``total_vol`` is 0 (e.g. weights equal to the benchmark), contributions
    are 0 and marginals, percents and ``factor_share`` are NaN.
    """

    __repr__ = short_repr

    total_var: float
    factor_var: float
    specific_var: float
    total_vol: float
    factor_vol: float
    specific_vol: float
    factor_share: float
    active: bool
    exposures: pd.Series
    by_factor: pd.DataFrame
    variance_view: pd.DataFrame
    by_asset: pd.DataFrame
    annualized: bool
    periods_per_year: int | None


class FactorRiskModel:
    """Factor risk model: exposures ``B``, factor covariance ``F``, specific variances ``D``.

    The asset covariance is ``Sigma = B F B' + diag(D)``; it is built only by
    :meth:`asset_cov`.

    Parameters
    ----------
    exposures : DataFrame
        Assets x factors, finite numbers; asset and factor names unique.
    factor_cov : DataFrame or ndarray
        Factors x factors, symmetric PSD; a DataFrame must be labelled with the same
        factors as ``exposures`` (any order); an ndarray is taken in the order of
        ``exposures.columns``.
    specific_var : Series or array-like
        Specific variance per asset (>= 0); a Series is matched by asset name and
        must cover every asset.
    periods_per_year : int or None
        Frequency of the data the model was estimated on (12 monthly, 252 daily); None
        (unknown: data without dates) only for a per-period model (``annualized`` False),
        whose figures need no frequency; position sizing then raises. Required, with no
        default: it converts between annual and per-period figures
        (``per_period_scale``, the horizon of :func:`~xlfactor.models.scenarios.var_es`,
        position sizing), and any guessed default would be silently wrong by a factor
        ``sqrt(252/12)`` for the other frequency. :meth:`from_regression` and
        :func:`~xlfactor.models.cross_section.risk.xs_risk_model` fill it from the data.
    annualized : bool
        Whether ``factor_cov`` and ``specific_var`` are annual (True) or per period.
    factor_returns : DataFrame, optional
        The per-period factor returns the model was estimated on (dates x factors;
        extra columns such as RF are dropped, rows with a missing factor too).
        :meth:`from_regression` keeps them; historical VaR and the historical
        scenarios of :mod:`xlfactor.models.history` replay them by default.

    Attributes
    ----------
    exposures, factor_cov : DataFrame
    specific_var : Series
    assets, factors : Index
    periods_per_year : int or None
    annualized : bool
    factor_returns : DataFrame or None
    B, F, D : ndarray
        Read-only float arrays (N x K, K x K, N) used in the computations.
    """

    def __init__(
        self,
        exposures: pd.DataFrame,
        factor_cov: pd.DataFrame | np.ndarray,
        specific_var: pd.Series | Sequence[float] | np.ndarray,
        periods_per_year: int | None,
        annualized: bool = True,
        *,
        factor_returns: pd.DataFrame | None = None,
    ) -> None:
        b = _check_exposures(exposures)
        self.assets = exposures.index
        self.factors = exposures.columns
        f = _check_factor_cov(factor_cov, self.factors)
        d = _check_specific_var(specific_var, self.assets)
        self.annualized = bool(annualized)
        if periods_per_year is None and not self.annualized:
            self.periods_per_year = None  # unknown frequency: a per-period model
        else:
            self.periods_per_year = check_periods_per_year(known_periods_per_year(periods_per_year, "the risk model"))
        for arr in (b, f, d):
            arr.flags.writeable = False
        self.B, self.F, self.D = b, f, d
        self.exposures = pd.DataFrame(b, index=self.assets, columns=self.factors)
        self.factor_cov = pd.DataFrame(f, index=self.factors, columns=self.factors)
        self.specific_var = pd.Series(d, index=self.assets, name="specific_var")
        self._factor_rows = self.factors.append(pd.Index([SPECIFIC]))
        self.factor_returns = (
            None if factor_returns is None else factor_history(factor_returns, self.factors, "factor_returns")
        )

    def __repr__(self) -> str:
        if self.annualized:
            units = "annual"
        else:
            units = "per period" + ("" if self.periods_per_year is None else f" (1/{self.periods_per_year} year)")
        return f"FactorRiskModel({len(self.assets)} assets, {len(self.factors)} factors, {units})"

    @classmethod
    def from_regression(
        cls,
        result: RegressionResult,
        factors: pd.DataFrame,
        *,
        cov_method: CovMethod = "sample",
        halflife: float | None = None,
        annualize: bool = True,
    ) -> FactorRiskModel:
        """Build the model from a time-series regression.

        ``B = result.betas``; ``F = factor_cov(factors[result.factor_names], cov_method,
        halflife)`` over the regression sample (the dates on which at least one
        asset has a residual); ``D = result.resid_vol ** 2`` (per period,
        ``SSR / (n - k - 1)``). With ``annualize`` both ``F`` and ``D`` are multiplied
        by ``result.periods_per_year``.

        ``factors`` must look like decimals (the units rule of :mod:`xlfactor.models.units`)
        and be at the regression's frequency: the frequency inferred from the
        factors' dates within the regression sample's span (first to last date) must give
        ``result.periods_per_year``; daily factors for a monthly regression raise (their
        covariance would be annualised with 12 instead of 252 periods, ~1/sqrt(21) too small).

        Parameters
        ----------
        result : RegressionResult
            From :func:`xlfactor.regress`.
        factors : DataFrame
            The factor returns that were regressed on (extra columns, such as RF, ignored).
        cov_method, halflife
            Passed to :func:`factor_cov`.
        annualize : bool
            Annual (True) or per-period model.
        """
        names = list(result.factor_names)
        if not isinstance(factors, pd.DataFrame):
            raise XLFactorError.at("factors", "expected a DataFrame of factor returns")
        missing = [n for n in names if n not in factors.columns]
        if missing:
            raise XLFactorError.at("factors", f"missing the regression's factor columns {listed(missing)}")
        sample = result.resid.index[~np.isnan(result.resid.to_numpy(dtype=float)).all(axis=1)]
        rows = np.flatnonzero(factors.index.isin(sample))
        columns = list(factors.columns)
        if factors.columns.is_unique:
            in_sample = factors.iloc[rows, [columns.index(n) for n in names]]
        else:
            in_sample = factors.iloc[rows][names]
        if in_sample.empty:
            raise XLFactorError.at(
                "factors", "no dates in common with the regression sample; pass the factors you regressed on"
            )
        ppy = result.periods_per_year
        if annualize:
            known_periods_per_year(ppy, "the annualised risk model")
        if ppy is not None:
            _check_same_frequency(factors.index, sample, ppy)
        check_return_columns(
            in_sample.to_numpy(dtype=float), in_sample.columns, "factors", index=in_sample.index, periods_per_year=ppy
        )
        cov = factor_cov(in_sample, cov_method, halflife, annualize=annualize, periods_per_year=ppy)
        scale = ppy if annualize else 1
        betas = result.betas if list(result.betas.columns) == names else result.betas.loc[:, names]
        vol = result.resid_vol if result.resid_vol.index.equals(betas.index) else result.resid_vol.reindex(betas.index)
        specific = vol.to_numpy(dtype=float) ** 2 * scale
        return cls(betas, cov, specific, ppy, annualized=annualize, factor_returns=in_sample)

    @property
    def per_period_scale(self) -> float:
        """Factor turning the model's variances into per-period variances (``1/ppy`` if annual, else 1)."""
        return 1.0 / self.periods_per_year if self.annualized else 1.0

    def asset_cov(self) -> pd.DataFrame:
        """The full asset covariance ``B F B' + diag(D)`` (N x N DataFrame; O(N^2) memory)."""
        sigma = (self.B @ self.F) @ self.B.T
        sigma[np.diag_indices_from(sigma)] += self.D
        return pd.DataFrame(sigma, index=self.assets, columns=self.assets)

    def weight_vector(
        self, weights: Weights, benchmark: Weights | None = None, *, max_gross: float | None = MAX_GROSS
    ) -> np.ndarray:
        """Weights (minus benchmark weights) as an array in the model's asset order.

        A Series or mapping is matched by asset name; assets it omits get weight 0;
        names not in the model raise. A sequence/array must have one entry per asset
        in the model's order. Fastest: an array, or a Series indexed by ``model.assets``
        itself (no label matching).

        ``weights`` and ``benchmark`` are each refused when their gross exposure
        ``sum_i |w_i|`` exceeds ``max_gross`` (default 2: weights are fractions of capital;
        a sum near 100 means percent). Pass the book's gross exposure for a leveraged or
        long-short book, ``None`` for weights in currency.
        """
        limit = check_max_gross(max_gross)
        w = self._vector(weights, "weights")
        check_gross(w, "weights", limit)
        if benchmark is not None:
            b = self._vector(benchmark, "benchmark")
            check_gross(b, "benchmark", limit)
            w = w - b
        return w

    def portfolio_risk(
        self, weights: Weights, benchmark: Weights | None = None, *, max_gross: float | None = MAX_GROSS
    ) -> PortfolioRisk:
        """Total, factor and specific risk of a portfolio with Euler contributions.

        With ``w`` the weights (``w - w_b`` when a benchmark is given), ``x = B'w``:
        ``factor_var = x' F x``, ``specific_var = sum_i w_i^2 D_i``,
        ``sigma = sqrt(factor_var + specific_var)``. Euler allocation of ``sigma``
        (homogeneous of degree 1): by factor ``x_k (F x)_k / sigma`` plus
        ``specific_var / sigma`` for the specific part; by asset
        ``w_i (B F x + D w)_i / sigma``. Both sum to ``sigma``.

        Parameters
        ----------
        weights : Series, mapping or array-like
            Portfolio weights (see :meth:`weight_vector`).
        benchmark : Series, mapping or array-like, optional
            Benchmark weights; then all figures are active risk (tracking error).
        max_gross : float or None
            Bound on ``sum |w|`` of the weights and of the benchmark (default 2); the
            switch for a leveraged or long-short book (its gross exposure) or weights in
            currency (None). See :meth:`weight_vector`.

        Returns
        -------
        PortfolioRisk
        """
        w = self.weight_vector(weights, benchmark, max_gross=max_gross)
        x = w @ self.B
        fx = self.F @ x
        factor_var = max(float(x @ fx), 0.0)
        dw = self.D * w
        specific_var = float(w @ dw)
        total_var = factor_var + specific_var
        sigma = np.sqrt(total_var)
        inv = 1.0 / sigma if sigma > 0 else np.nan
        grad_asset = self.B @ fx + dw
        contrib_factor = np.append(x * fx, specific_var)
        contrib_asset = w * grad_asset
        by_factor = np.column_stack(
            (np.append(x, np.nan), np.append(fx, np.nan) * inv, _scaled(contrib_factor, inv), contrib_factor * inv**2)
        )
        by_asset = np.column_stack((w, grad_asset * inv, _scaled(contrib_asset, inv), contrib_asset * inv**2))
        return PortfolioRisk(
            total_var=total_var,
            factor_var=factor_var,
            specific_var=specific_var,
            total_vol=float(sigma),
            factor_vol=float(np.sqrt(factor_var)),
            specific_vol=float(np.sqrt(specific_var)),
            factor_share=factor_var * inv**2,
            active=benchmark is not None,
            exposures=pd.Series(x, index=self.factors, name="exposure"),
            by_factor=pd.DataFrame(by_factor, index=self._factor_rows, columns=FACTOR_COLUMNS),
            variance_view=_variance_view(x, self.F, contrib_factor, self._factor_rows),
            by_asset=pd.DataFrame(by_asset, index=self.assets, columns=ASSET_COLUMNS),
            annualized=self.annualized,
            periods_per_year=self.periods_per_year,
        )

    def _vector(self, weights: Weights, name: str) -> np.ndarray:
        return weight_vector(weights, self.assets, name)


def weight_vector(
    weights: Weights, assets: pd.Index, name: str = "weights", *, universe: str = "the risk model"
) -> np.ndarray:
    """Weights as a float array in the order of ``assets``.

    A Series or mapping is matched by asset name; assets it omits get weight 0;
    names not in ``assets`` raise (the message says they are not in ``universe``).
    A sequence/array must have one entry per asset in the order of ``assets``.
    Every weight must be finite.
    """
    if isinstance(weights, Mapping):
        weights = pd.Series(dict(weights), dtype=object)
    if isinstance(weights, pd.Series):
        return _vector_from_series(weights, assets, name, universe)
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at(name, "expected numbers, one per asset") from exc
    if w.ndim != 1 or w.shape[0] != len(assets):
        raise XLFactorError.at(
            name,
            f"got {w.size} values for {len(assets)} assets; "
            "pass one weight per asset or a Series indexed by asset name",
        )
    return _finite(w, name)


def _vector_from_series(weights: pd.Series, assets: pd.Index, name: str, universe: str) -> np.ndarray:
    try:
        values = weights.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at(name, "contains non-numeric values") from exc
    if weights.index is assets or weights.index.equals(assets):
        return _finite(values.copy(), name)
    if weights.index.has_duplicates:
        dup = weights.index[weights.index.duplicated()].unique().tolist()
        raise XLFactorError.at(name, f"duplicate asset names {listed(dup, 5)}")
    pos = assets.get_indexer(weights.index)
    if (pos < 0).any():
        unknown = weights.index[pos < 0].tolist()
        raise XLFactorError.at(name, f"assets not in {universe}: {listed(unknown)}")
    w = np.zeros(len(assets))
    w[pos] = values
    return _finite(w, name)


def factor_history(history: pd.DataFrame, names: pd.Index, name: str) -> pd.DataFrame:
    """The model's factor columns ``names`` of a factor-return ``history`` (the argument ``name``), as floats, rows
    with a missing factor dropped.

    Raises
    ------
    XLFactorError
        Not a DataFrame, a model factor missing, non-numeric or infinite values, no complete row.
    """
    if not isinstance(history, pd.DataFrame):
        raise XLFactorError.at(name, "expected a DataFrame of factor returns (dates x factors)")
    missing = [str(f) for f in names if f not in history.columns]
    if missing:
        raise XLFactorError.at(name, f"missing the model's factors {listed(missing)}")
    columns = list(names)
    frame = history if list(history.columns) == columns else history.loc[:, columns]
    try:
        x = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at(name, "contains non-numeric values") from exc
    complete = ~np.isnan(x).any(axis=1)
    if not complete.any():
        raise XLFactorError.at(name, f"no date has a return for every factor ({listed(names, 20)})")
    index = frame.index
    if not complete.all():
        x, index = x[complete], index[complete]
    if not np.isfinite(x).all():
        raise XLFactorError.at(name, "contains infinite values")
    data = pd.DataFrame(x, index=index, columns=frame.columns)
    return data if index.is_monotonic_increasing else data.sort_index()


def model_history(model: FactorRiskModel, factors: pd.DataFrame | None, purpose: str) -> pd.DataFrame:
    """The factor returns ``factors`` checked by :func:`factor_history`, or by default the model's own history.

    Raises
    ------
    XLFactorError
        Neither given nor kept by the model (the message says ``purpose`` needs it).
    """
    if factors is not None:
        return factor_history(factors, model.factors, "factors")
    if model.factor_returns is None:
        raise XLFactorError.at(
            "factors",
            f"{purpose} needs the factor-return history; build the model with "
            "FactorRiskModel.from_regression (it keeps them) or pass factors=",
        )
    return model.factor_returns


def variance_decomposition(model: FactorRiskModel) -> pd.DataFrame:
    """Per-asset split of variance into factor and specific parts.

    For asset ``i`` with exposures ``b_i``: ``factor_var = b_i' F b_i``,
    ``specific_var = D_i``, ``total_var = factor_var + specific_var``,
    ``factor_share = factor_var / total_var`` (NaN if 0), the three volatilities,
    and one column per factor ``k`` with its contribution to the variance,
    ``b_ik (F b_i)_k`` (these sum to ``factor_var``). Units: the model's
    (annual if ``model.annualized``).

    Returns
    -------
    DataFrame
        Index = assets; columns ``total_var, factor_var, specific_var, factor_share,
        total_vol, factor_vol, specific_vol`` followed by the factor names.
    """
    per_factor = model.B * (model.B @ model.F)
    factor_var = np.maximum(per_factor.sum(axis=1), 0.0)
    total_var = factor_var + model.D
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total_var > 0, factor_var / total_var, np.nan)
    summary = np.column_stack(
        (total_var, factor_var, model.D, share, np.sqrt(total_var), np.sqrt(factor_var), np.sqrt(model.D))
    )
    columns = ["total_var", "factor_var", "specific_var", "factor_share", "total_vol", "factor_vol", "specific_vol"]
    return pd.DataFrame(
        np.hstack((summary, per_factor)), index=model.assets, columns=[*columns, *map(str, model.factors)]
    )


def _check_same_frequency(index: pd.Index, sample: pd.Index, ppy: int) -> None:
    """Raise if the dates of ``index`` within the span of ``sample`` are not at ``ppy`` periods a year."""
    span = index[(index >= sample.min()) & (index <= sample.max())] if len(sample) else index
    found = maybe_periods_per_year(span)
    if found is not None and found != ppy:
        names = {n: frequency_name(c) for c, n in PERIODS_PER_YEAR.items()}
        raise XLFactorError.at(
            "factors",
            f"{names.get(found, found)} factors for a {names.get(ppy, ppy)} regression; "
            "pass the factors you regressed on",
        )


def _scaled(values: np.ndarray, inv: float) -> np.ndarray:
    """``values * inv`` with 0 (not NaN) when the total volatility is 0."""
    return values * inv if np.isfinite(inv) else np.zeros_like(values)


def _finite(w: np.ndarray, name: str) -> np.ndarray:
    if not np.all(np.isfinite(w)):
        raise XLFactorError.at(name, "contains missing or infinite values; use 0 for assets not held")
    return w


def _check_exposures(exposures: pd.DataFrame) -> np.ndarray:
    if not isinstance(exposures, pd.DataFrame) or exposures.shape[0] == 0 or exposures.shape[1] == 0:
        raise XLFactorError.at("exposures", "expected a non-empty DataFrame, assets x factors")
    for axis, label in ((exposures.index, "asset"), (exposures.columns, "factor")):
        if axis.has_duplicates:
            raise XLFactorError.at(
                "exposures", f"duplicate {label} names {axis[axis.duplicated()].unique().tolist()[:5]}"
            )
    try:
        b = exposures.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at("exposures", "contains non-numeric values") from exc
    bad = ~np.isfinite(b).all(axis=1)
    if bad.any():
        raise XLFactorError.at(
            "exposures", f"missing or infinite values for assets {exposures.index[bad].tolist()[:10]}"
        )
    return np.ascontiguousarray(b)


def _check_factor_cov(cov: pd.DataFrame | np.ndarray, factors: pd.Index) -> np.ndarray:
    if isinstance(cov, pd.DataFrame) and not (cov.columns.equals(factors) and cov.index.equals(factors)):
        missing = [f for f in factors if f not in cov.columns]
        extra = [f for f in cov.columns if f not in factors]
        if missing or extra or cov.shape != (len(factors), len(factors)):
            raise XLFactorError.at(
                "factor_cov", f"labels must be the exposures' factors; missing {missing}, unexpected {extra}"
            )
        if not cov.index.equals(cov.columns):
            cov = cov.reindex(index=cov.columns)
        cov = cov.loc[factors, factors]
    values, _ = validate_cov(cov, "factor_cov")
    if values.shape[0] != len(factors):
        raise XLFactorError.at("factor_cov", f"shape {values.shape} does not match {len(factors)} factors")
    return np.ascontiguousarray(values)


def _check_specific_var(specific: pd.Series | Sequence[float] | np.ndarray, assets: pd.Index) -> np.ndarray:
    if isinstance(specific, pd.Series) and not specific.index.equals(assets):
        missing = assets[~assets.isin(specific.index)]
        if len(missing):
            raise XLFactorError.at("specific_var", f"no value for assets {missing.tolist()[:10]}")
        specific = specific.reindex(assets)
    try:
        d = np.asarray(specific, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at("specific_var", "contains non-numeric values") from exc
    if d.shape[0] != len(assets):
        raise XLFactorError.at("specific_var", f"got {d.shape[0]} values for {len(assets)} assets")
    bad = ~np.isfinite(d) | (d < 0)
    if bad.any():
        raise XLFactorError.at("specific_var", f"must be finite and >= 0; bad for assets {assets[bad].tolist()[:10]}")
    return np.ascontiguousarray(d)


def _variance_view(x: np.ndarray, f: np.ndarray, euler: np.ndarray, rows: pd.Index) -> pd.DataFrame:
    """:attr:`PortfolioRisk.variance_view` from the exposures, ``F`` and the Euler variance split (specific last)."""
    standalone = np.append(x * x * np.diag(f), euler[-1])
    values = np.column_stack((euler, standalone, euler - standalone, np.sqrt(np.maximum(standalone, 0.0))))
    return pd.DataFrame(values, index=rows, columns=VARIANCE_VIEW_COLUMNS)
