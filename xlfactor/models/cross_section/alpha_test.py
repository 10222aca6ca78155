"""Alphas of strategies against several factor models side by side (CAPM, FF3, FF5, FF6, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from xlfactor.errors import Advice, XLFactorError
from xlfactor.models import labels
from xlfactor.models._repr import short_repr
from xlfactor.models.regression import RegressionResult, regress


@dataclass(frozen=True)
class AlphaTestResult:
    """Result of :func:`alpha_test`; each table is strategies x factor sets.

    Attributes
    ----------
    alpha : DataFrame
        Per-period intercepts (``alpha_annualized`` = alpha x periods per year).
    tvalues, pvalues, bse : DataFrame
        Of the alphas, with the chosen covariance.
    rsquared, nobs : DataFrame
    results : dict name -> RegressionResult
        The full regressions (betas etc.).
    """

    __repr__ = short_repr

    alpha: pd.DataFrame
    alpha_annualized: pd.DataFrame
    bse: pd.DataFrame
    tvalues: pd.DataFrame
    pvalues: pd.DataFrame
    rsquared: pd.DataFrame
    nobs: pd.DataFrame
    results: dict[str, RegressionResult]

    def summary(self, strategy) -> pd.DataFrame:
        """One strategy's alpha, annualised alpha, t, p, R2 and observations under each factor set (rows),
        headed by the short labels of :mod:`xlfactor.models.labels` (``P>|z|`` for a robust covariance)."""
        if strategy not in self.alpha.index:
            raise XLFactorError.at("strategy", f"{strategy!r} is not one of {list(self.alpha.index)}")
        use_t = next(iter(self.results.values())).use_t
        return pd.DataFrame(
            {
                labels.ALPHA.short: self.alpha.loc[strategy],
                labels.annual(labels.ALPHA.short): self.alpha_annualized.loc[strategy],
                labels.TVALUES.short: self.tvalues.loc[strategy],
                labels.pvalues(use_t).short: self.pvalues.loc[strategy],
                labels.RSQUARED.short: self.rsquared.loc[strategy],
                labels.NOBS.short: self.nobs.loc[strategy],
            }
        )


def alpha_test(
    returns: pd.Series | pd.DataFrame,
    factor_sets: Mapping[str, pd.DataFrame],
    *,
    cov: str = "nonrobust",
    lags: int | None = None,
    rf: pd.Series | None = None,
    common_sample: bool = True,
    units: str = "auto",
) -> AlphaTestResult:
    """Regress each strategy on every factor set and tabulate the alphas.

    For factor set m: :math:`r_t - rf_t = \\alpha_m + \\beta_m' f^{(m)}_t + e_t`, estimated by
    :func:`xlfactor.models.regression.regress` (``cov``, ``lags``, ``rf`` and ``units`` as there; an ``RF``
    column of a factor set is not a regressor).

    Parameters
    ----------
    returns : Series or DataFrame
        Strategy returns (columns = strategies), decimals.
    factor_sets : dict name -> DataFrame
        E.g. ``{"CAPM": load_factors("CAPM"), "FF3": ..., "FF5": ..., "FF6": ...}``, or US
        against regional factors: ``{"FF6": ..., "FF6-DEV": load_factors("FF6-DEV"), ...}``.
    common_sample : bool
        Restrict every regression to the dates that all factor sets cover (so the alphas are
        comparable); False lets each set use its own dates.
    """
    if not isinstance(factor_sets, Mapping) or not factor_sets:
        raise XLFactorError.at(
            "factor_sets", "expected a dict name -> factor DataFrame, e.g. {'CAPM': ..., 'FF3': ...}"
        )
    sets = {}
    for name, factors in factor_sets.items():
        if not isinstance(factors, pd.DataFrame):
            raise XLFactorError.at("factor_sets", f"'{name}' must be a DataFrame of factor returns (dates x factors)")
        sets[str(name)] = factors
    if common_sample:
        common = None
        for factors in sets.values():
            dates = factors.dropna(how="any").index
            common = dates if common is None else common.intersection(dates)
        if len(common) == 0:
            raise XLFactorError.at(
                "factor_sets",
                "the factor sets share no dates",
                advice=Advice("common_sample", False, "to test each set alone"),
            )
        sets = {name: f.loc[f.index.isin(common)] for name, f in sets.items()}
    results = {name: regress(returns, f, cov=cov, lags=lags, rf=rf, units=units) for name, f in sets.items()}

    def table(get):
        return pd.DataFrame({name: get(res) for name, res in results.items()})

    return AlphaTestResult(
        alpha=table(lambda r: r.params["alpha"]),
        alpha_annualized=table(lambda r: r.alpha_annualized),
        bse=table(lambda r: r.bse["alpha"]),
        tvalues=table(lambda r: r.tvalues["alpha"]),
        pvalues=table(lambda r: r.pvalues["alpha"]),
        rsquared=table(lambda r: r.rsquared),
        nobs=table(lambda r: r.nobs),
        results=results,
    )
