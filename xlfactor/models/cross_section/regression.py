"""Barra-style cross-sectional regressions: factor returns from exposures, date by date.

Model on each date t (assets n in the date's universe):

.. math::
    r_{tn} = f^{mkt}_t + \\sum_j D_{tnj} f^{ind}_{tj} + \\sum_p S_{tnp} f^{sty}_{tp} + e_{tn}

estimated by weighted least squares with weights :math:`w_{tn}` (default :math:`\\sqrt{cap}`).
A market column plus a full set of industry dummies is collinear (the dummies sum to the market
column); the usual constraint :math:`\\sum_j c_{tj} f^{ind}_{tj} = 0`, with :math:`c_{tj}` the
total cap of industry j, identifies the model: the market factor is then the cap-weighted market
and industry factors are returns relative to it. It is imposed by a restriction matrix,
:math:`f_t = R_t g_t`, and the reduced system
:math:`g_t = (R_t' X_t' W_t X_t R_t)^{-1} R_t' X_t' W_t r_t` (see
:func:`~xlfactor.models.cross_section.design.restriction_matrices`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import day, positive_number
from xlfactor.models.cross_section import wls_kernel
from xlfactor.models.cross_section.design import (
    Characteristics,
    DesignBlock,
    PanelDesign,
    as_characteristics,
    copy_rows,
)
from xlfactor.models.cross_section.inference import factor_return_cov
from xlfactor.models.cross_section.wls import (
    BlockFit,
    reduced_normal_equations,
    solve_block,
    solve_rows,
    well_conditioned,
)
from xlfactor.models.cross_section.wls_kernel import AssetRows, as_asset_rows
from xlfactor.models.frequency import maybe_periods_per_year
from xlfactor.models.units import (
    VOLATILE_ADVICE,
    check_panel_values,
    check_return_columns,
    check_units_argument,
)

#: Target number of float64 elements in one block's design array (dates x assets x factors).
#: About 30 dates of 3000 assets x 41 factors: the arrays actually built (styles and y, weights,
#: universe) hold ~12 values per date and asset, a few MB; longer blocks make the copy of
#: pandas' column-major panels into date rows read longer runs per asset (measured: 8-date
#: blocks fit ~12% slower than 32-date blocks on the benchmark panel).
BLOCK_ELEMENTS = 4_000_000
#: Huber tuning constant (statsmodels ``HuberT`` default: 95% efficiency under normal errors).
HUBER_T = 1.345
#: Convergence tolerance and iteration cap of :func:`huber_irls`.
HUBER_TOL, HUBER_MAX_ITER = 1e-10, 200
#: ``Phi^{-1}(3/4)``: the median absolute deviation of a standard normal (statsmodels' ``mad``).
MAD_NORMAL = 0.6744897501960817


def check_returns(returns: pd.DataFrame, arg: str = "returns", *, units: str | None = "auto") -> pd.DataFrame:
    """``returns`` as a float DataFrame (dates x assets) or an :class:`XLFactorError`.

    With ``units`` ("auto" or "decimal") the panel obeys the units rule cell by cell
    (:func:`xlfactor.models.units.check_return_columns`: no infinite or impossible value, no loss
    beyond -100%; with "auto" the panel's returns, pooled, must not look like percent), naming the first bad
    cell by asset and date instead of dropping it. ``units=None``: the values are not returns (a
    signal); they must be finite numbers of a usable size
    (:func:`xlfactor.models.units.check_panel_values`).
    """
    if not isinstance(returns, pd.DataFrame):
        raise XLFactorError.at(arg, "expected a DataFrame of returns (dates x assets)")
    if returns.shape[0] == 0 or returns.shape[1] == 0:
        raise XLFactorError.at(arg, "the panel is empty; need dates as rows and assets as columns")
    try:
        out = returns.astype(float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at(arg, f"values must be numbers ({exc})") from None
    values = out.to_numpy()
    if units is None:
        check_panel_values(values, out.index, out.columns, arg, "value")
        return out
    check_return_columns(
        values,
        out.columns,
        arg,
        index=out.index,
        periods_per_year=maybe_periods_per_year(out.index),
        percent=check_units_argument(units),
        floor=True,
        advice=VOLATILE_ADVICE,
        pooled=True,  # an asset of a panel may have a handful of dates
    )
    return out


def date_position(index: pd.Index, date) -> int:
    """Row of ``date`` in ``index`` (an :class:`XLFactorError` names the problem)."""
    try:
        pos = index.get_loc(pd.Timestamp(date) if isinstance(index, pd.DatetimeIndex) else date)
    except (KeyError, TypeError, ValueError):
        raise XLFactorError.at(
            "date",
            f"{day(date) if isinstance(date, pd.Timestamp) else repr(date)} is not a date of the panel "
            f"({day(index[0])} to {day(index[-1])})",
        ) from None
    if not isinstance(pos, (int, np.integer)):
        raise XLFactorError.at("date", f"{date!r} appears more than once in the panel's dates; make them unique")
    return int(pos)


def fit_panel(
    design: PanelDesign,
    y: np.ndarray,
    min_obs: int,
    residuals: bool = True,
    huber_weights: np.ndarray | None = None,
    huber_t: float = HUBER_T,
    normals: np.ndarray | None = None,
):
    """Per-date WLS over the whole panel in blocks of dates: (coef, resid or None, rsquared, nobs) arrays.

    With ``huber_weights`` (a (T, N) array, filled in place with the final Huber weights) each
    date is fitted robustly by :func:`huber_irls`. ``normals`` (T, K', K'), when given, is
    filled with each date's reduced normal matrix ``R'X'WXR`` (final weights), which the
    standard errors reuse instead of a second pass over the panel.
    """
    n_t, n_a = y.shape
    k = len(design.factor_names)
    if huber_weights is None and wls_kernel.compiled(y.size):
        return _fit_compiled(design, y, min_obs, residuals, normals)
    step = max(1, BLOCK_ELEMENTS // max(1, n_a * k))
    coef = np.empty((n_t, k))
    resid = np.empty((n_t, n_a)) if residuals else None
    r2 = np.empty(n_t)
    nobs = np.empty(n_t, dtype=int)
    for t0 in range(0, n_t, step):
        t1 = min(n_t, t0 + step)
        yb = copy_rows(y, t0, t1)
        block = design.block(t0, t1, yb)
        if huber_weights is None:
            fit = solve_block(block, yb, min_obs, design.has_constant, residuals)
        else:
            fit, huber_weights[t0:t1] = huber_irls(block, yb, min_obs, design.has_constant, huber_t)
        coef[t0:t1], r2[t0:t1], nobs[t0:t1] = fit.coef, fit.rsquared, fit.nobs
        if normals is not None:
            normals[t0:t1] = fit.normal
        if residuals:
            resid[t0:t1] = fit.resid
    return coef, resid, r2, nobs


def _fit_compiled(design: PanelDesign, y: np.ndarray, min_obs: int, residuals: bool, normals: np.ndarray | None):
    """:func:`fit_panel` through the compiled kernels (:mod:`~xlfactor.models.cross_section.wls_kernel`),
    a block of dates at a time; the residuals come back column-major, the memory order pandas keeps."""
    n_t, n_a = y.shape
    rows = AssetRows.of(design)
    yt = as_asset_rows(y)[0]
    resid_t = np.empty((n_a, n_t)) if residuals else None
    coef = np.empty((n_t, len(design.factor_names)))
    r2, nobs = np.empty(n_t), np.empty(n_t, dtype=int)
    for lo in range(0, n_t, wls_kernel.COMPILED_DATES):
        hi = min(n_t, lo + wls_kernel.COMPILED_DATES)
        fit = solve_rows(rows, yt, lo, hi, min_obs, design.has_constant, resid_t)
        coef[lo:hi], r2[lo:hi], nobs[lo:hi] = fit.coef, fit.rsquared, fit.nobs
        if normals is not None:
            normals[lo:hi] = fit.normal
    return coef, None if resid_t is None else resid_t.T, r2, nobs


def huber_irls(
    block: DesignBlock,
    y: np.ndarray,
    min_obs: int,
    centered: bool,
    t: float = HUBER_T,
    tol: float = HUBER_TOL,
    max_iter: int = HUBER_MAX_ITER,
) -> tuple[BlockFit, np.ndarray]:
    """Huber M-estimates of every date of a block by iteratively reweighted least squares.

    On the whitened date (``sqrt(w) y`` on ``sqrt(w) X``, ``w`` the regression weights), as
    statsmodels ``RLM(..., M=HuberT(t)).fit(scale_est="mad")``: start from the WLS fit; then repeat

    .. math::
        u_n = \\sqrt{w_n} e_n, \\quad s = \\operatorname{median}_n |u_n| / \\Phi^{-1}(3/4), \\quad
        h_n = \\min(1, t s / |u_n|), \\quad \\text{WLS with weights } w_n h_n

    until no coefficient moves by more than ``tol (1 + |f|)`` (at most ``max_iter`` rounds). The
    industry constraint keeps its cap (or regression) weights. Returns the final fit (R2 weighted
    by ``w h``) and the Huber weights ``h`` (NaN outside the universe).
    """
    base = block.w
    fit = solve_block(block, y, min_obs, centered)
    for _ in range(max_iter):
        u = np.abs(np.sqrt(base) * fit.resid)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # unusable dates: all-NaN residuals
            scale = np.nanmedian(u, axis=1, keepdims=True) / MAD_NORMAL
            h = np.where(u > t * scale, t * scale / u, 1.0)
        h = np.where(block.valid & np.isfinite(h), h, 1.0)
        new = solve_block(replace(block, w=base * h, unit_weights=False), y, min_obs, centered)
        moved = np.nan_to_num(np.abs(new.coef - fit.coef)) > tol * (1.0 + np.nan_to_num(np.abs(fit.coef)))
        fit = new
        if not moved.any():
            break
    return fit, np.where(block.valid, h, np.nan)


def portfolio_weights(design: PanelDesign, t: int, y: np.ndarray | None) -> pd.DataFrame:
    """Characteristic portfolios of date row ``t``: ``H_t = R (R'X'WXR)^{-1} R'X'W`` (factors x assets)."""
    block = design.block(t, t + 1, None if y is None else y[None, :])
    a, _ = reduced_normal_equations(block, np.zeros(block.w.shape))
    d = np.sqrt(np.diagonal(a, axis1=1, axis2=2))
    if block.valid.sum() < a.shape[1] or not well_conditioned(a / (d[:, :, None] * d[:, None, :]))[0]:
        raise XLFactorError.at(
            "date",
            f"the regression on {design.dates[t]} is singular or has fewer assets than factors; "
            "pick another date or drop collinear exposures",
        )
    x = block.dense()
    xtw = np.swapaxes(x * block.w[:, :, None], 1, 2)
    rt = xtw if block.r is None else np.swapaxes(block.r, 1, 2) @ xtw
    h = np.linalg.solve(a, rt)
    if block.r is not None:
        h = block.r @ h
    h = h[0]
    h[block.empty[0]] = np.nan
    return pd.DataFrame(h, index=design.factor_names, columns=design.assets)


@dataclass(frozen=True)
class CrossSectionResult:
    """Result of :func:`cross_sectional_regress`.

    Attributes
    ----------
    factor_returns : DataFrame
        Dates x factors ``[Market?, industries..., styles...]``; NaN on dates that could not be
        estimated and for industries with no asset on a date.
    resid : DataFrame
        Residual (specific) returns, dates x assets; NaN outside each date's universe.
    rsquared : Series
        Weighted R2 per date (centred when the model has a market or industries).
    nobs : Series
        Assets used per date.
    factor_names, industry_names, style_names : list of str
    constrained : bool
        Whether the cap-weighted industry sum-to-zero constraint was imposed.
    huber_weights : DataFrame or None
        Dates x assets Huber weights ``h`` of a robust fit (``robust=True``; NaN outside each
        date's universe), None for least squares.
    """

    __repr__ = short_repr

    factor_returns: pd.DataFrame
    resid: pd.DataFrame
    rsquared: pd.Series
    nobs: pd.Series
    factor_names: list[str]
    industry_names: list[str]
    style_names: list[str]
    constrained: bool
    design: PanelDesign = field(repr=False)
    returns: pd.DataFrame = field(repr=False)
    huber_weights: pd.DataFrame | None = field(default=None, repr=False)
    normal_matrices: np.ndarray | None = field(default=None, repr=False)

    def cov_params(self, cov: str = "nonrobust") -> np.ndarray:
        """Covariance of each date's factor returns, shape (dates, factors, factors).

        ``cov="nonrobust"`` (classic, ``s^2 (Z'WZ)^-1``) or ``"hc1"`` (White with the factor
        ``n/(n-p)``); formulas in :mod:`xlfactor.models.cross_section.inference`. Equal to
        statsmodels WLS on each date (mapped through the industry constraint). A robust fit uses
        the final weights ``w h`` with the Huber weights held fixed (not statsmodels RLM's H1).
        """
        huber = None if self.huber_weights is None else self.huber_weights.to_numpy()
        return factor_return_cov(
            self.design,
            self.returns.to_numpy(),
            self.factor_returns.to_numpy(),
            self.resid.to_numpy(),
            cov,
            huber,
            self.normal_matrices,
        )

    def bse(self, cov: str = "nonrobust") -> pd.DataFrame:
        """Standard errors of the factor returns, dates x factors (square roots of :meth:`cov_params`)."""
        se = np.sqrt(np.diagonal(self.cov_params(cov), axis1=1, axis2=2))
        return pd.DataFrame(se, index=self.factor_returns.index, columns=self.factor_names)

    def tvalues(self, cov: str = "nonrobust") -> pd.DataFrame:
        """t-statistics ``f / se`` of the factor returns, dates x factors."""
        return self.factor_returns / self.bse(cov)

    def characteristic_portfolios(self, date) -> pd.DataFrame:
        """Pure-factor portfolio weights of ``date`` (factors x assets; 0 outside the date's universe).

        Row k holds the weights :math:`h_k` with :math:`h_k' r_t = \\hat f_{tk}` exactly; see
        :func:`characteristic_portfolios` for their exposures.
        """
        t = date_position(self.design.dates, date)
        return portfolio_weights(self.design, t, self.returns.to_numpy()[t])

    def exposures(self, date) -> pd.DataFrame:
        """Exposures ``X_t`` of ``date`` (assets in the date's universe x factors)."""
        t = date_position(self.design.dates, date)
        block = self.design.block(t, t + 1, self.returns.to_numpy()[t][None, :])
        keep = block.valid[0]
        return pd.DataFrame(block.dense()[0][keep], index=self.design.assets[keep], columns=self.factor_names)


def cross_sectional_regress(
    returns: pd.DataFrame,
    exposures: Characteristics | None = None,
    *,
    industries: pd.Series | pd.DataFrame | None = None,
    caps: pd.Series | pd.DataFrame | None = None,
    weights: pd.Series | pd.DataFrame | None = None,
    market: bool = True,
    exposure_lag: int = 0,
    min_assets: int | None = None,
    robust: bool = False,
    huber_t: float = HUBER_T,
    units: str = "auto",
) -> CrossSectionResult:
    """Factor returns by weighted cross-sectional regression on every date (Barra style).

    Parameters
    ----------
    returns : DataFrame
        Asset returns, dates x assets (decimals). Its grid defines dates and assets.
    exposures : dict name -> DataFrame or DataFrame with (characteristic, asset) columns, optional
        Style exposures (e.g. from :func:`standardize`), each dates x assets. Exposures dated t
        explain returns dated t; use ``exposure_lag=1`` (or lag them yourself) to use the previous
        date's exposures.
    industries : Series (asset -> label) or DataFrame (dates x assets of labels), optional
        One dummy factor per label.
    caps : Series or DataFrame, optional
        Market capitalisations: default regression weights :math:`\\sqrt{cap}` and the
        constraint weights :math:`c_{tj} = \\sum_{n \\in j} cap_{tn}`.
    weights : Series or DataFrame, optional
        Regression weights; default :math:`\\sqrt{cap}` if ``caps`` is given, else equal. When
        ``caps`` is absent the constraint uses these weights instead of caps.
    market : bool
        Include the market (intercept) factor. With industries, this imposes the constraint
        :math:`\\sum_j c_{tj} f_{tj} = 0` (module docstring); without a market the industry
        dummies are unconstrained and act as industry intercepts.
    exposure_lag : int
        Shift exposures, industries, caps and weights down this many rows of ``returns``' dates.
    min_assets : int, optional
        Dates with fewer usable assets give NaN; default number of free parameters + 1.
    robust : bool
        Huber M-estimation by iteratively reweighted least squares (:func:`huber_irls`) instead of
        least squares: assets with large residuals get weight ``w h`` with ``h < 1``. Equal to
        statsmodels ``RLM(sqrt(w) y, sqrt(w) X, M=HuberT(huber_t))`` on each date.
    huber_t : float
        The Huber tuning constant (default 1.345).
    units : {"auto", "decimal"}
        "auto" (default) refuses returns that look like percent; "decimal" declares them decimals
        however volatile. Impossible values (infinite, above 100 = 10,000%, a loss beyond -100%)
        are refused either way, naming the asset and date
        (:func:`~xlfactor.models.cross_section.regression.check_returns`).

    Returns
    -------
    CrossSectionResult
        Factor returns, residuals, R2 and counts per date, and :meth:`~CrossSectionResult.
        characteristic_portfolios` for the pure-factor portfolios of any date, and
        :meth:`~CrossSectionResult.bse` / :meth:`~CrossSectionResult.tvalues` for per-date
        standard errors and t-statistics (classic or White HC1).

    Notes
    -----
    A date's universe is the assets with a finite return, every exposure finite, an industry
    (if used) and positive finite weight and cap. The computation stacks the normal equations of
    a block of dates, :math:`X_t' W_t X_t` as one batched matrix product, and solves them all at
    once; dates with a collinear design (a factor column with 1 - R2 below 1e-10 on the others)
    are NaN.
    """
    returns = check_returns(returns, units=units)
    design = PanelDesign.build(
        returns.index,
        returns.columns,
        exposures,
        industries=industries,
        weights=weights,
        caps=caps,
        intercept=market,
        exposure_lag=exposure_lag,
    )
    n_free = len(design.factor_names) - int(design.constrained)
    min_obs = n_free + 1 if min_assets is None else int(min_assets)
    robust = _flag(robust, "robust")
    huber = np.empty(returns.shape) if robust else None
    t = positive_number(huber_t, "huber_t")
    normals = np.empty((len(returns), n_free, n_free))  # T x K'^2: kept for the standard errors
    coef, resid, r2, nobs = fit_panel(
        design, returns.to_numpy(), min_obs, huber_weights=huber, huber_t=t, normals=normals
    )
    if np.isnan(r2).all():
        raise XLFactorError.at(
            "exposures",
            f"the regression is singular or has fewer than {min_obs} usable assets on every date; "
            "drop collinear exposures (e.g. a characteristic that duplicates another or the industries)",
        )
    return CrossSectionResult(
        factor_returns=pd.DataFrame(coef, index=returns.index, columns=design.factor_names),
        resid=pd.DataFrame(resid, index=returns.index, columns=returns.columns, copy=False),
        rsquared=pd.Series(r2, index=returns.index, name="rsquared"),
        nobs=pd.Series(nobs, index=returns.index, name="nobs"),
        factor_names=design.factor_names,
        industry_names=list(design.industry_names),
        style_names=list(design.style_names),
        constrained=design.constrained,
        design=design,
        returns=returns,
        huber_weights=None if huber is None else pd.DataFrame(huber, index=returns.index, columns=returns.columns),
        normal_matrices=normals,
    )


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise XLFactorError.at(name, f"expected True or False, got {value!r}")
    return bool(value)


def characteristic_portfolios(
    exposures: Characteristics | None,
    date,
    *,
    industries: pd.Series | pd.DataFrame | None = None,
    caps: pd.Series | pd.DataFrame | None = None,
    weights: pd.Series | pd.DataFrame | None = None,
    market: bool = True,
) -> pd.DataFrame:
    """Pure-factor (characteristic) portfolio weights of one date, factors x assets.

    .. math::
        H_t = R_t (R_t' X_t' W_t X_t R_t)^{-1} R_t' X_t' W_t \\qquad (R_t = I \\text{ unconstrained})

    so that the factor returns of :func:`cross_sectional_regress` are :math:`\\hat f_t = H_t r_t`.
    Arguments as in :func:`cross_sectional_regress`; the universe is every asset with finite
    exposures, industry, weight (and cap) on ``date``; other assets get weight 0.

    Exposures :math:`H_t X_t`: unconstrained, the identity (each portfolio has unit exposure to
    its factor and zero to the others). With market + industries, every portfolio's exposure
    row x satisfies :math:`x_{mkt} = \\sum_j x_j` (market column = sum of dummies), so unit
    exposure to a single industry alone is impossible; instead
    :math:`H_t X_t = I + v \\tilde c'`, with :math:`v = (1, -1_J, 0)` and :math:`\\tilde c` the
    industry cap weights (summing to 1, zero elsewhere): style portfolios have exactly unit own
    and zero other exposures; the market portfolio has market exposure 1 and industry exposures
    :math:`\\tilde c` (it is the cap-weighted market); industry j's portfolio has zero market,
    :math:`1 - \\tilde c_j` own and :math:`-\\tilde c_i` other industry exposures (long the
    industry, short the cap-weighted market). Equivalently, :math:`H_t X_t f = f` for every
    factor vector f that satisfies the constraint: each portfolio earns exactly its own factor.
    """
    if exposures is not None:
        chars = as_characteristics(exposures, "exposures")
        first = next(iter(chars.values()))
        dates, assets = first.index, first.columns
    elif isinstance(industries, pd.DataFrame):
        chars, dates, assets = None, industries.index, industries.columns
    else:
        raise XLFactorError.at(
            "exposures", "give exposures (dates x assets) or industries as a DataFrame to define dates"
        )
    design = PanelDesign.build(
        dates, assets, chars, industries=industries, weights=weights, caps=caps, intercept=market
    )
    return portfolio_weights(design, date_position(dates, date), None)
