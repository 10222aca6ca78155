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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section.design import Characteristics, PanelDesign, as_characteristics, copy_rows
from xlfactor.models.cross_section.wls import reduced_normal_equations, solve_block, well_conditioned

#: Target number of float64 elements in one block's design array (dates x assets x factors).
BLOCK_ELEMENTS = 1_000_000


def check_returns(returns: pd.DataFrame, arg: str = "returns") -> pd.DataFrame:
    """``returns`` as a float DataFrame (dates x assets) or an :class:`XLFactorError`."""
    if not isinstance(returns, pd.DataFrame):
        raise XLFactorError(f"{arg}: expected a DataFrame of returns (dates x assets)")
    if returns.shape[0] == 0 or returns.shape[1] == 0:
        raise XLFactorError(f"{arg}: the panel is empty; need dates as rows and assets as columns")
    try:
        return returns.astype(float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError(f"{arg}: values must be numbers ({exc})") from None


def date_position(index: pd.Index, date) -> int:
    """Row of ``date`` in ``index`` (an :class:`XLFactorError` names the problem)."""
    try:
        pos = index.get_loc(pd.Timestamp(date) if isinstance(index, pd.DatetimeIndex) else date)
    except (KeyError, TypeError, ValueError):
        raise XLFactorError(f"date: {date!r} is not a date of the panel ({index[0]} .. {index[-1]})") from None
    if not isinstance(pos, (int, np.integer)):
        raise XLFactorError(f"date: {date!r} appears more than once in the panel's dates; make them unique")
    return int(pos)


def fit_panel(design: PanelDesign, y: np.ndarray, min_obs: int, residuals: bool = True):
    """Per-date WLS over the whole panel in blocks of dates: (coef, resid or None, rsquared, nobs) arrays."""
    n_t, n_a = y.shape
    k = len(design.factor_names)
    step = max(1, BLOCK_ELEMENTS // max(1, n_a * k))
    coef = np.empty((n_t, k))
    resid = np.empty((n_t, n_a)) if residuals else None
    r2 = np.empty(n_t)
    nobs = np.empty(n_t, dtype=int)
    for t0 in range(0, n_t, step):
        t1 = min(n_t, t0 + step)
        yb = copy_rows(y, t0, t1)
        fit = solve_block(design.block(t0, t1, yb), yb, min_obs, design.has_constant, residuals)
        coef[t0:t1], r2[t0:t1], nobs[t0:t1] = fit.coef, fit.rsquared, fit.nobs
        if residuals:
            resid[t0:t1] = fit.resid
    return coef, resid, r2, nobs


def portfolio_weights(design: PanelDesign, t: int, y: np.ndarray | None) -> pd.DataFrame:
    """Characteristic portfolios of date row ``t``: ``H_t = R (R'X'WXR)^{-1} R'X'W`` (factors x assets)."""
    block = design.block(t, t + 1, None if y is None else y[None, :])
    a, _ = reduced_normal_equations(block, np.zeros(block.w.shape))
    d = np.sqrt(np.diagonal(a, axis1=1, axis2=2))
    if block.valid.sum() < a.shape[1] or not well_conditioned(a / (d[:, :, None] * d[:, None, :]))[0]:
        raise XLFactorError(
            f"date: the regression on {design.dates[t]} is singular or has fewer assets than factors; "
            "pick another date or drop collinear exposures"
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
    """

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

    Returns
    -------
    CrossSectionResult
        Factor returns, residuals, R2 and counts per date, and :meth:`~CrossSectionResult.
        characteristic_portfolios` for the pure-factor portfolios of any date.

    Notes
    -----
    A date's universe is the assets with a finite return, every exposure finite, an industry
    (if used) and positive finite weight and cap. The computation stacks the normal equations of
    a block of dates, :math:`X_t' W_t X_t` as one batched matrix product, and solves them all at
    once; dates with a collinear design (a factor column with 1 - R2 below 1e-10 on the others)
    are NaN.
    """
    returns = check_returns(returns)
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
    coef, resid, r2, nobs = fit_panel(design, returns.to_numpy(), min_obs)
    if np.isnan(r2).all():
        raise XLFactorError(
            f"exposures: the regression is singular or has fewer than {min_obs} usable assets on every date; "
            "drop collinear exposures (e.g. a characteristic that duplicates another or the industries)"
        )
    return CrossSectionResult(
        factor_returns=pd.DataFrame(coef, index=returns.index, columns=design.factor_names),
        resid=pd.DataFrame(resid, index=returns.index, columns=returns.columns),
        rsquared=pd.Series(r2, index=returns.index, name="rsquared"),
        nobs=pd.Series(nobs, index=returns.index, name="nobs"),
        factor_names=design.factor_names,
        industry_names=list(design.industry_names),
        style_names=list(design.style_names),
        constrained=design.constrained,
        design=design,
        returns=returns,
    )


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
        raise XLFactorError("exposures: give exposures (dates x assets) or industries as a DataFrame to define dates")
    design = PanelDesign.build(
        dates, assets, chars, industries=industries, weights=weights, caps=caps, intercept=market
    )
    return portfolio_weights(design, date_position(dates, date), None)
