"""The display label of every statistic xlfactor shows, defined once for every output that shows it.

``RegressionResult.summary()`` (and FM_REGRESS, which spills it), the other FM_ outputs, the report
workbook (:mod:`xlfactor.report.sheets`) and the report sheets of xlwings Lite and Server
(:mod:`xlfactor.excel.report_sheets`) take their labels from here, so R-squared, a standard error,
a t-statistic, a p-value or a residual volatility reads the same wherever it appears.

Each statistic is named as statsmodels names it (``bse``, ``tvalues``, ``pvalues``, ``rsquared``,
``nobs``) and is a :class:`Label` with two forms:

* ``short`` heads a table column (statsmodels' own summary header where it has one: ``std err``,
  ``t``, ``P>|t|``);
* ``long`` labels a row: a label/value pair of an FM_ record, a row of ``summary()``, a report
  line (``Standard error``, ``R-squared``, ``Observations``). The portfolio risk figures are the
  exception: FM_ outputs show them in the short form in rows too (FM_PORT_RISK's ``Total vol``), the
  report's label/value lines in the long form (``Total volatility``).

Labels built from a form say so through the helpers below: a statistic of a named coefficient
(``t(alpha)``, :meth:`Label.of`), a qualifier after it (``Residual vol (ann.)``, :func:`annual`,
:func:`per_period`), a name before it (``NoDur R2``, ``Kupiec p-value``, :func:`named`).
:func:`is_label` says whether a text is one of these labels; the tests check every output against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A statistic's column header (``short``) and row label (``long``)."""

    short: str
    long: str

    def of(self, name: object) -> str:
        """The short form for one coefficient: ``t(alpha)``, ``t(Mkt-RF)``."""
        return f"{self.short}({name})"


# --- a regression's coefficients (statsmodels' summary headers) --------------------------------------------------
PARAMS = Label("coef", "Coefficient")
BSE = Label("std err", "Standard error")
TVALUES = Label("t", "t-stat")
#: p-value from the t distribution (classical covariance) and from the normal (robust covariances).
PVALUES = Label("P>|t|", "p-value")
PVALUES_Z = Label("P>|z|", "p-value")
#: The intercept: a return beyond the factors' (summary row ``Alpha (ann.)``, report column ``Alpha (ann.)``).
ALPHA = Label("Alpha", "Alpha")
#: The bounds of the 95% confidence interval.
CONF_INT_LOW = Label("[0.025", "95% interval, low")
CONF_INT_HIGH = Label("0.975]", "95% interval, high")

# --- a regression's fit ----------------------------------------------------------------------------------------
RSQUARED = Label("R2", "R-squared")
RSQUARED_ADJ = Label("Adj. R2", "Adj. R-squared")
#: Residual (idiosyncratic) volatility: the standard deviation of the residuals, sqrt(SSR / (n - K - 1)).
RESID_VOL = Label("Resid. vol", "Residual vol")
NOBS = Label("Obs", "Observations")

# --- regression diagnostics (long: statsmodels' summary names) --------------------------------------------------
FVALUE = Label("F", "F-statistic")
F_PVALUE = Label("p(F)", "Prob (F-statistic)")
DURBIN_WATSON = Label("Durbin-Watson", "Durbin-Watson")
BREUSCH_PAGAN = Label("Breusch-Pagan", "Breusch-Pagan LM")
BREUSCH_PAGAN_PVALUE = Label("p(Breusch-Pagan)", "Prob (Breusch-Pagan)")
JARQUE_BERA = Label("Jarque-Bera", "Jarque-Bera")
JARQUE_BERA_PVALUE = Label("p(Jarque-Bera)", "Prob (Jarque-Bera)")
SKEW = Label("Skew", "Skew")
KURTOSIS = Label("Kurtosis", "Kurtosis")

# --- a factor risk model's portfolio figures ----------------------------------------------------------------------
TOTAL_VOL = Label("Total vol", "Total volatility")
FACTOR_VOL = Label("Factor vol", "Factor volatility")
SPECIFIC_VOL = Label("Specific vol", "Specific volatility")
FACTOR_SHARE = Label("Factor share", "Factor share of variance")
#: The factor share of the active (portfolio minus benchmark) variance.
ACTIVE_FACTOR_SHARE = Label("Active factor share", "Factor share of active variance")

#: Every label, by its statsmodels-style name.
LABELS: dict[str, Label] = {name: value for name, value in globals().items() if isinstance(value, Label)}

ANNUAL = " (ann.)"
PER_PERIOD = " (per period)"


def pvalues(use_t: bool) -> Label:
    """The p-value label for a fit whose inference uses the t distribution (``use_t``) or the normal."""
    return PVALUES if use_t else PVALUES_Z


def annual(form: str) -> str:
    """``Residual vol (ann.)``: a figure annualised."""
    return form + ANNUAL


def per_period(form: str) -> str:
    """``Residual vol (per period)``: a figure per period of the data."""
    return form + PER_PERIOD


def named(name: object, form: str) -> str:
    """``NoDur R2``, ``CAPM t``, ``Kupiec p-value``: a form for one asset, model or test among several."""
    return f"{name} {form}"


def forms(labels: tuple[Label, ...] | None = None, *, short: bool = True, long: bool = True) -> set[str]:
    """The short and/or long forms of ``labels`` (default: every label)."""
    chosen = LABELS.values() if labels is None else labels
    return {f for label in chosen for f in ((label.short,) if short else ()) + ((label.long,) if long else ())}


def is_label(text: str, *, short: bool = True, long: bool = True) -> bool:
    """Whether ``text`` is a label of this module: a form (short and/or long), possibly with a name before
    it (:func:`named`) and a qualifier in brackets after it (:func:`annual`, :func:`per_period`,
    ``Specific vol (episode)``), or the short form of a statistic of one coefficient (:meth:`Label.of`)."""
    allowed = forms(short=short, long=long)
    for core in {text, re.sub(r" \([^()]*\)$", "", text)}:
        if core in allowed or any(core.endswith(" " + f) for f in allowed):
            return True
    return short and any(re.fullmatch(re.escape(label.short) + r"\(.+\)", text) for label in LABELS.values())
