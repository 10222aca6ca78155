"""Time-series factor regressions of many assets at once.

``regress`` fits, for every asset ``n`` on its own usable dates,

    r_n,t - rf_t = alpha_n + beta_n' f_t + e_n,t

by ordinary least squares, ``theta = (X'X)^-1 X'y`` with ``X = [1, f]``, in one
vectorised computation for all assets (see :mod:`xlfactor.models._ols_fit`). Every
statistic equals statsmodels ``OLS(y, add_constant(f), missing="drop").fit(...)``
for the chosen covariance to about 1e-10 relative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import special

from xlfactor.errors import Advice, XLFactorError
from xlfactor.models import labels
from xlfactor.models._ols_fit import fit_ols
from xlfactor.models._ols_inputs import CheckedFactors, OLSInputs, check_factor_frame, prepare
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import whole_number
from xlfactor.models.frequency import known_periods_per_year
from xlfactor.models.frequency import periods_per_year as infer_periods_per_year

COV_TYPES = ("nonrobust", "hc1", "hac")
ALPHA = "alpha"
# CheckedFactors and check_factor_frame are public here: a caller that regresses many return sets on
# the same factors (the Excel layer, once per data vintage) checks the factors once.
__all__ = ["ALPHA", "COV_TYPES", "CheckedFactors", "RegressionResult", "check_factor_frame", "regress"]


@dataclass(frozen=True)
class _Stats:
    """Per-asset statistics as arrays (the fit's raw output, before labelling)."""

    params: np.ndarray  # (N, K+1)
    cov: np.ndarray  # (N, K+1, K+1)
    bse: np.ndarray  # (N, K+1)
    rsquared: np.ndarray
    ssr: np.ndarray
    nobs: np.ndarray
    hac_lags: np.ndarray | None
    factors: pd.Index  # factor names as an Index (labels the betas without building one)
    x: np.ndarray  # (T, K) the factors regressed on (for the diagnostics, on request)


@dataclass(frozen=True, eq=False)
class RegressionResult:
    """Result of :func:`regress` for N assets and K factors.

    Attributes
    ----------
    params, bse, tvalues, pvalues : pd.DataFrame
        Assets x ``["alpha", *factor_names]``: coefficients, standard errors,
        ``t = coef / se`` and two-sided p-values (Student t with ``df_resid`` degrees
        of freedom for ``cov_type="nonrobust"``; standard normal for ``"hc1"`` and
        ``"hac"``, as statsmodels does by default for robust covariances).
    rsquared, rsquared_adj : pd.Series
        ``R2 = 1 - SSR/TSS`` (TSS centred on the asset's own mean) and
        ``1 - (n-1)/(n-K-1) (1-R2)``.
    resid_vol : pd.Series
        Per-period residual volatility ``sqrt(SSR/(n-K-1))`` (statsmodels ``sqrt(scale)``).
    nobs, df_resid : pd.Series
        Usable rows ``n`` per asset and ``n - K - 1`` (integers).
    resid : pd.DataFrame
        Dates x assets residuals, NaN on dates an asset does not use.
    periods_per_year : int or None
        252, 52, 12, 4 or 1 (inferred from the dates unless given); None when the frequency
        is unknown (no dates): annualised figures then raise.
    cov_type : str
        ``"nonrobust"``, ``"hc1"`` or ``"hac"``.
    lags : int or None
        HAC lags when one value applies to every asset (always so when ``lags`` was
        given); None for other covariances or when the default differs by asset.
    hac_lags : pd.Series or None
        HAC lags used per asset (None unless ``cov_type="hac"``).
    factor_names : list
        Factor column names, in order.
    dates : pd.Index
        The dates used (common to returns and factors, every factor present).
    assets : pd.Index
        The asset names (the returns' columns).

    The labelled tables and series are built from the fit's arrays on first access
    and then kept (a caller that needs only the betas pays for nothing else);
    ``resid``, ``pvalues`` and ``diagnostics`` are likewise computed on first access, as in
    statsmodels.
    """

    __repr__ = short_repr

    periods_per_year: int | None
    cov_type: str
    lags: int | None
    factor_names: list
    dates: pd.Index
    assets: pd.Index
    _stats: _Stats = field(repr=False)
    _residuals: Callable[[], np.ndarray] = field(repr=False)

    def _table(self, values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=self.assets, columns=[ALPHA, *self.factor_names])

    def _series(self, values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(values, index=self.assets, name=name)

    @cached_property
    def params(self) -> pd.DataFrame:
        """Coefficients ``theta = (alpha, beta)`` (assets x ``["alpha", *factor_names]``)."""
        return self._table(self._stats.params)

    @cached_property
    def bse(self) -> pd.DataFrame:
        """Standard errors: square roots of the diagonal of the coefficient covariance."""
        return self._table(self._stats.bse)

    @cached_property
    def tvalues(self) -> pd.DataFrame:
        """``t = coef / se``."""
        return self._table(self._stats.params / self._stats.bse)

    @cached_property
    def rsquared(self) -> pd.Series:
        """``R2 = 1 - SSR/TSS``."""
        return self._series(self._stats.rsquared, "rsquared")

    @cached_property
    def rsquared_adj(self) -> pd.Series:
        """``1 - (n-1)/(n-K-1) (1-R2)``."""
        nobs = self._stats.nobs
        return self._series(1.0 - (nobs - 1) / self._df_resid * (1.0 - self._stats.rsquared), "rsquared_adj")

    @cached_property
    def resid_vol(self) -> pd.Series:
        """``sqrt(SSR/(n-K-1))`` per period."""
        return self._series(np.sqrt(self._stats.ssr / self._df_resid), "resid_vol")

    @cached_property
    def nobs(self) -> pd.Series:
        """Usable rows per asset."""
        return self._series(self._stats.nobs, "nobs")

    @cached_property
    def df_resid(self) -> pd.Series:
        """``n - K - 1`` per asset."""
        return self._series(self._df_resid, "df_resid")

    @cached_property
    def hac_lags(self) -> pd.Series | None:
        """HAC lags per asset (None unless ``cov_type="hac"``)."""
        lags = self._stats.hac_lags
        return None if lags is None else self._series(lags, "hac_lags")

    @property
    def _df_resid(self) -> np.ndarray:
        return self._stats.nobs - (len(self.factor_names) + 1)

    @cached_property
    def resid(self) -> pd.DataFrame:
        """Residuals ``e = y - X theta`` (dates x assets), NaN where an asset has no data."""
        return pd.DataFrame(self._residuals(), index=self.dates, columns=self.assets, copy=False)

    @cached_property
    def pvalues(self) -> pd.DataFrame:
        """Two-sided p-values: ``2 F(-|t|)``, F the Student t (df_resid) or standard normal cdf."""
        t = np.abs(self._stats.params / self._stats.bse)
        if self.use_t:
            p = 2.0 * special.stdtr(self._df_resid[:, None], -t)
        else:
            p = 2.0 * special.ndtr(-t)
        return self._table(p)

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        """Assets x [F-statistic, its p-value, Durbin-Watson, Breusch-Pagan LM, its p-value, Jarque-Bera, its
        p-value, Skew, Kurtosis], each equal to statsmodels' (formulas: :mod:`xlfactor.models.diagnostics`).

        The F test uses the regression's covariance (the robust Wald F for hc1/hac, as statsmodels).
        Computed on first access only, so fits that never look at them pay nothing.
        """
        from xlfactor.models.diagnostics import diagnostics

        stats = self._stats
        resid = self.resid.to_numpy()
        return diagnostics(stats.params, stats.cov, resid, stats.x, stats.nobs, self.assets, stats.factors)

    @property
    def use_t(self) -> bool:
        """True when p-values use the t distribution (nonrobust), False for normal (hc1, hac)."""
        return self.cov_type == "nonrobust"

    @cached_property
    def betas(self) -> pd.DataFrame:
        """Factor loadings: ``params`` without the alpha column."""
        return pd.DataFrame(self._stats.params[:, 1:], index=self.assets, columns=self._stats.factors)

    @property
    def alpha(self) -> pd.Series:
        """Per-period alpha (intercept) for each asset."""
        return self.params[ALPHA]

    @property
    def alpha_annualized(self) -> pd.Series:
        """``alpha * periods_per_year`` (simple, not compounded); raises when the frequency is unknown."""
        return self.params[ALPHA] * known_periods_per_year(self.periods_per_year, "alpha")

    @property
    def resid_vol_annualized(self) -> pd.Series:
        """``resid_vol * sqrt(periods_per_year)``; raises when the frequency is unknown."""
        return self.resid_vol * np.sqrt(known_periods_per_year(self.periods_per_year, "the residual volatility"))

    def summary(self, asset: object = None) -> pd.DataFrame:
        """A readable table for one asset (default: the only or first asset).

        Rows ``alpha`` and each factor with columns ``coef``, ``std err``, ``t``,
        ``P>|t|`` (``P>|z|`` for robust covariances) and the 95% interval
        ``[0.025``, ``0.975]`` (coef -/+ q se, q from the same distribution as the
        p-values); then rows ``R-squared``, ``Adj. R-squared``, ``Residual vol (ann.)``,
        ``Alpha (ann.)``, ``Observations``, then the diagnostics (:attr:`diagnostics`: F-statistic,
        Durbin-Watson, Breusch-Pagan, Jarque-Bera with their p-values, skew, kurtosis) whose value
        is in the ``coef`` column. When the frequency is unknown (``periods_per_year`` None) the two
        annual rows are replaced by ``Residual vol (per period)`` (the alpha row above is per period
        already). The labels are :mod:`xlfactor.models.labels`' (columns the short forms, rows the long).
        ``attrs`` holds ``asset``, ``cov_type``, ``lags`` and ``periods_per_year``.
        """
        if asset is None:
            asset = self.params.index[0]
        if asset not in self.params.index:
            known = ", ".join(repr(a) for a in self.params.index[:5]) + (", ..." if len(self.params) > 5 else "")
            raise XLFactorError.at("asset", f"{asset!r} is not one of the regressed assets ({known})")
        se = self.bse.loc[asset]
        q = special.stdtrit(self.df_resid[asset], 0.975) if self.use_t else special.ndtri(0.975)
        table = pd.DataFrame(
            {
                labels.PARAMS.short: self.params.loc[asset],
                labels.BSE.short: se,
                labels.TVALUES.short: self.tvalues.loc[asset],
                labels.pvalues(self.use_t).short: self.pvalues.loc[asset],
                labels.CONF_INT_LOW.short: self.params.loc[asset] - q * se,
                labels.CONF_INT_HIGH.short: self.params.loc[asset] + q * se,
            }
        )
        if self.periods_per_year is None:
            scale = {labels.per_period(labels.RESID_VOL.long): self.resid_vol[asset]}
        else:
            scale = {
                labels.annual(labels.RESID_VOL.long): self.resid_vol_annualized[asset],
                labels.annual(labels.ALPHA.long): self.alpha_annualized[asset],
            }
        fit = {
            labels.RSQUARED.long: self.rsquared[asset],
            labels.RSQUARED_ADJ.long: self.rsquared_adj[asset],
            **scale,
            labels.NOBS.long: float(self.nobs[asset]),
            **self.diagnostics.loc[asset].to_dict(),
        }
        fit_rows = pd.DataFrame({labels.PARAMS.short: list(fit.values())}, index=list(fit))
        out = pd.concat([table, fit_rows])
        lags = None if self.hac_lags is None else int(self.hac_lags[asset])
        out.attrs = {"asset": asset, "cov_type": self.cov_type, "lags": lags, "periods_per_year": self.periods_per_year}
        return out


def regress(
    returns: pd.Series | pd.DataFrame,
    factors: pd.DataFrame | pd.Series,
    *,
    cov: str = "nonrobust",
    lags: int | None = None,
    rf: pd.Series | None = None,
    periods_per_year: int | None = None,
    units: str = "auto",
) -> RegressionResult:
    """Regress every asset's (excess) returns on the factors, with an intercept.

    For each asset ``n`` with usable rows ``t`` (its return, ``rf`` if given and every
    factor present):

        theta_n = (X_n' X_n)^-1 X_n' y_n,    X_n = [1, f_t],  y_n = r_n,t - rf_t
        e_n = y_n - X_n theta_n,  s2_n = e_n'e_n / (n - K - 1)

    Covariance of ``theta_n``:

    * ``"nonrobust"``: ``s2 (X'X)^-1``.
    * ``"hc1"``: ``n/(n-K-1) (X'X)^-1 (sum_t e_t^2 x_t x_t') (X'X)^-1``.
    * ``"hac"`` (Newey-West): ``n/(n-K-1) (X'X)^-1 S (X'X)^-1`` with
      ``S = sum_{l=-L..L} w_l Gamma_l``, ``Gamma_l = sum_t u_t u_{t-l}'``,
      ``u_t = x_t e_t``, Bartlett weights ``w_l = 1 - |l|/(L+1)``. This is statsmodels
      ``cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True}``.
      ``lags=None`` uses ``L = floor(4 (n/100)^(2/9))`` with ``n`` the asset's own
      number of usable rows (statsmodels' own default formula, evaluated per asset).
      Lags run over consecutive usable rows: with interior gaps the rows either side
      of a gap count as adjacent, exactly as statsmodels on the NaN-dropped sample.

    Parameters
    ----------
    returns : Series or DataFrame
        Decimal returns, one column per asset, indexed by date. NaN = missing.
    factors : DataFrame, Series or CheckedFactors
        Factor returns indexed by date. A column named ``RF`` is never a regressor:
        it is ignored (pass ``rf=factors["RF"]`` to use it as the risk-free rate). Factors
        already checked by :func:`check_factor_frame` (under the same ``units``) are not
        checked again: for many regressions on the same factors.
    cov : {"nonrobust", "hc1", "hac"}
        Covariance estimator for standard errors, t-values and p-values.
    lags : int, optional
        HAC lags (only with ``cov="hac"``).
    rf : Series, optional
        Risk-free returns subtracted from every asset, aligned by date.
    periods_per_year : int, optional
        Used for annualised figures; inferred from the dates when omitted. Without dates
        (e.g. a RangeIndex) the frequency is unknown: ``periods_per_year`` is None, and
        the annualised figures raise while every per-period figure works.
    units : {"auto", "decimal"}
        ``"auto"`` refuses returns, factors or ``rf`` that look like percent (the units
        rule of :mod:`xlfactor.models.units`: a column whose median ``|r|`` exceeds 0.20
        monthly, 0.044 daily, i.e. about 100% annual volatility); ``"decimal"`` declares
        the data decimals however volatile and skips that test.

    Returns
    -------
    RegressionResult

    Raises
    ------
    XLFactorError
        Wrong types or text in the data, duplicate dates, no common dates, an asset
        with no usable rows or no more usable rows than parameters, a constant factor,
        collinear factors, bad ``cov``/``lags``; data that breaks the units rule
        (percent-looking columns, values no return can take such as 1e200 or inf, an
        asset's return below -100%, a constant asset).
    """
    cov = _check_cov(cov, lags)
    known = None if periods_per_year is None else whole_number(periods_per_year, "periods_per_year", 1)
    data = prepare(returns, factors, rf, units=units, periods_per_year=known, products=True)  # every input rule, once
    return _fit(data, cov, lags, _periods(data, known))


def _periods(data: OLSInputs, periods_per_year: int | None) -> int | None:
    """``periods_per_year`` checked, or inferred from the sample's dates (irregular dates raise)."""
    if periods_per_year is not None:
        return whole_number(periods_per_year, "periods_per_year", 1)
    if data.periods_per_year is not None or not isinstance(data.index, pd.DatetimeIndex):
        return data.periods_per_year  # no dates: the frequency is unknown (annualised figures raise)
    return infer_periods_per_year(data.index)


def _fit(data: OLSInputs, cov: str, lags: int | None, ppy: int | None) -> RegressionResult:
    """The fit and its result object, on checked inputs."""
    fit = fit_ols(
        data.y, data.x, data.assets, data.factors, cov, lags, yy=data.yy, zty=data.zty, nobs=data.nobs, z=data.z
    )
    bse = np.sqrt(np.einsum("nii->ni", fit.cov))
    common_lag = None
    if fit.lags is not None and (fit.lags == fit.lags[0]).all():
        common_lag = int(fit.lags[0])
    return RegressionResult(
        periods_per_year=None if ppy is None else int(ppy),
        cov_type=cov,
        lags=common_lag,
        factor_names=list(data.factors),
        dates=data.index,
        assets=data.assets,
        _stats=_Stats(
            params=fit.params,
            cov=fit.cov,
            bse=bse,
            rsquared=1.0 - fit.ssr / fit.tss,
            ssr=fit.ssr,
            nobs=fit.nobs,
            hac_lags=fit.lags,
            factors=data.factors,
            x=data.x,
        ),
        _residuals=fit.residuals,
    )


def _check_cov(cov: object, lags: object) -> str:
    if not isinstance(cov, str) or cov.lower() not in COV_TYPES:
        raise XLFactorError.at("cov", f"{cov!r} is not one of {', '.join(COV_TYPES)}")
    cov = cov.lower()
    if lags is not None:
        if cov != "hac":
            raise XLFactorError.at(
                "lags", f"only used with HAC standard errors (not {cov}); drop lags", advice=Advice("cov", "hac")
            )
        whole_number(lags, "lags", 0)
    return cov
