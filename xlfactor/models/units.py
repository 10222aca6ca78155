"""Units of return data: refuse percent where decimals are expected (a silent 100x error otherwise)."""

from __future__ import annotations

import numpy as np

from xlfactor.errors import XLFactorError

#: Returns whose median absolute size exceeds this (20% a period) look like percentages.
PERCENT_LIKE_MEDIAN = 0.2


def check_not_percent(values: np.ndarray, name: str, hint: str = "") -> None:
    """Refuse returns given in percent (1.2 for 1.2%), a silent 100x error otherwise.

    They are taken as percent when ``median(|r|) > PERCENT_LIKE_MEDIAN`` over the
    non-missing values (decimal returns of any asset rarely move 20% in a typical period).

    Raises
    ------
    XLFactorError
        ``"<name>: values look like percentages ...; divide by 100 ..."`` plus ``hint``.
    """
    size = np.abs(np.asarray(values, dtype=float))
    size = size[~np.isnan(size)]
    if size.size and float(np.median(size)) > PERCENT_LIKE_MEDIAN:
        raise XLFactorError(f"{name}: values look like percentages (median size above {PERCENT_LIKE_MEDIAN:.0%}); "
                            f"divide by 100 so that 0.012 means 1.2%{hint}")
