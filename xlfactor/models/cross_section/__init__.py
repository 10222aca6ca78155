"""Cross-sectional factor models: Barra-style factor returns, neutralisation, Fama-MacBeth, PCA, sorts.

Panel conventions
-----------------
- Returns: a DataFrame, dates x assets, decimals. Its index and columns define the grid; every
  other input is aligned to it by label (missing -> NaN).
- Characteristics / exposures: primarily a dict ``name -> DataFrame`` (dates x assets); a
  DataFrame with two-level columns ``(characteristic, asset)`` is accepted too.
- Industries: a Series ``asset -> label`` (static) or a DataFrame dates x assets of labels.
- Timing: exposures dated t explain returns dated t (they must be known at t). Either lag them
  yourself or pass ``exposure_lag=1`` to use the previous row's exposures.
- Weights: regression weights default to sqrt(market cap) when ``caps`` are given, else equal.
- Missing values: each date uses the assets with every input present (its universe).

Contents
--------
- :func:`standardize`, :func:`dummy_exposures` (standardize.py): per-date z-scores, dummies.
- :func:`cross_sectional_regress` -> :class:`CrossSectionResult`, :func:`characteristic_portfolios`
  (regression.py; batched normal equations in design.py and wls.py): Barra-style WLS with the
  cap-weighted industry constraint.
- :func:`neutralize` (neutralize.py), :func:`fama_macbeth` -> :class:`FamaMacBethResult`.
- :func:`specific_risk`, :func:`xs_factor_cov`, :func:`xs_risk_model` (risk.py): a
  :class:`~xlfactor.models.risk_model.FactorRiskModel` from the cross-sectional fit.
- :func:`pca_factors` -> :class:`PCAResult`, :func:`build_sort_factors`, :func:`single_sort_factor` and
  :func:`quantile_spread` -> :class:`SortResult` (sorts.py), :func:`alpha_test` -> :class:`AlphaTestResult`.
"""

from xlfactor.models.cross_section.alpha_test import AlphaTestResult, alpha_test
from xlfactor.models.cross_section.fama_macbeth import FamaMacBethResult, fama_macbeth
from xlfactor.models.cross_section.neutralize import neutralize
from xlfactor.models.cross_section.pca import PCAResult, pca_factors
from xlfactor.models.cross_section.regression import (
    CrossSectionResult,
    characteristic_portfolios,
    cross_sectional_regress,
)
from xlfactor.models.cross_section.risk import specific_risk, xs_factor_cov, xs_risk_model
from xlfactor.models.cross_section.sorts import SortResult, build_sort_factors, quantile_spread, single_sort_factor
from xlfactor.models.cross_section.standardize import dummy_exposures, standardize

__all__ = [
    "AlphaTestResult",
    "CrossSectionResult",
    "FamaMacBethResult",
    "PCAResult",
    "SortResult",
    "alpha_test",
    "build_sort_factors",
    "characteristic_portfolios",
    "cross_sectional_regress",
    "dummy_exposures",
    "fama_macbeth",
    "neutralize",
    "pca_factors",
    "quantile_spread",
    "single_sort_factor",
    "specific_risk",
    "standardize",
    "xs_factor_cov",
    "xs_risk_model",
]
