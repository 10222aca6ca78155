"""The FM_ functions by topic; :mod:`xlfactor.excel.functions` re-exports them all.

- :mod:`~xlfactor.excel.fm.regression`: betas, alphas, regression tables, rolling betas, adjusted betas, and the
  hedged, tracking and residual return series;
- :mod:`~xlfactor.excel.fm.performance`: performance figures (Sharpe, Sortino, drawdowns, tracking error) and the
  expected-return split;
- :mod:`~xlfactor.excel.fm.data`: the factor data and where it comes from;
- :mod:`~xlfactor.excel.fm.risk`: factor covariance, asset covariance, portfolio risk;
- :mod:`~xlfactor.excel.fm.hedging`: hedge ratios, factor hedges, position sizes and their expected P&L;
- :mod:`~xlfactor.excel.fm.scenarios`: stress tests, value at risk;
- :mod:`~xlfactor.excel.fm.cross_section`: standardising, neutralising, cross-sectional regressions, PCA;
- :mod:`~xlfactor.excel.fm.sorts`: Fama-French style sort factors, quantile spreads;
- :mod:`~xlfactor.excel.fm.holdings`: exposures of a holdings history, characteristic-adjusted returns;
- :mod:`~xlfactor.excel.fm.style`: returns-based style analysis.

How to add one: see :mod:`xlfactor.excel.specs`.
"""
