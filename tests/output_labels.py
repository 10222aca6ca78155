"""Check the labels an output shows against :mod:`xlfactor.models.labels`.

:data:`SPELLINGS` recognises a statistic however it is written (``R2``, ``R-squared``, ``rsquared``;
``Std error``, ``std err``; ``t``, ``t-stat``, ``t(alpha)``; ``p-value``, ``P>|t|``, ``Prob (F-statistic)``;
``Resid. vol``, ``Idio vol``; ``Obs``, ``nobs``; ``Total vol``, ``Specific volatility``). Every label an
output shows that names one of these statistics must be a label of the module (:func:`labels.is_label`);
for a regression statistic also in the form its place takes: the short form heading a column, the long
form labelling a row. :func:`violations` lists the labels that are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xlfactor.models import labels

#: statistic -> a pattern matching the ways it is written (case-insensitive).
SPELLINGS = {
    "rsquared": r"\bR2\b|R²|\bR-?sq|rsquared",
    "bse": r"std\.? ?err|standard error|\bse\b|s\.e\.",
    "tvalues": r"^t$|\st$|^t\(|\bt[- ]?stat|\bt[- ]?val|tvalue|^t \(",
    "pvalues": r"p-?val|P>\||^p\(|^p$|\bprob\b|pvalue",
    "resid_vol": r"\bresid|\bidio",
    "nobs": r"^obs\b|observations|\bnobs\b",
    "risk": r"^(total|factor|specific) vol|^(active )?factor share( of|$)",  # not "Factor share to 50%", a hedge
}
#: The statistics whose form follows the place (a column's header, a row's label).
PLACED = {"rsquared", "bse", "tvalues", "pvalues", "resid_vol", "nobs"}


def statistics(text: str) -> set[str]:
    """The statistics ``text`` names (empty for a label that names none)."""
    return {name for name, pattern in SPELLINGS.items() if re.search(pattern, text, flags=re.IGNORECASE)}


def violations(columns: Iterable[object], rows: Iterable[object], where: str) -> list[str]:
    """The labels among ``columns`` (column headers) and ``rows`` (row labels) that name a statistic in a
    way :mod:`xlfactor.models.labels` does not define, as ``"<where>: column 't-stat'"``."""
    found = []
    for place, texts, short, long in (("column", columns, True, False), ("row", rows, False, True)):
        for text in {t for t in texts if isinstance(t, str)}:
            named = statistics(text)
            if not named:
                continue
            placed = bool(named & PLACED) and not named - PLACED
            if not labels.is_label(text, short=short or not placed, long=long or not placed):
                found.append(f"{where}: {place} {text!r}")
    return found
