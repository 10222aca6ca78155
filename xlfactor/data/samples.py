"""Sample assets shipped with xlfactor: the 12 Fama-French industry portfolios (CRSP 202512)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from xlfactor.data.french import FrenchFile, parse_french_csv
from xlfactor.data.snapshot import read_snapshot_bytes
from xlfactor.errors import XLFactorError

_INDUSTRY_FILE = "12_Industry_Portfolios.csv"
_WEIGHTINGS = {
    "value": "Average Value Weighted Returns -- Monthly",
    "equal": "Average Equal Weighted Returns -- Monthly",
}


@lru_cache(maxsize=1)
def _industry_file() -> FrenchFile:
    return parse_french_csv(read_snapshot_bytes(_INDUSTRY_FILE).decode("ascii"))


def industry_portfolios(weighting: str = "value") -> pd.DataFrame:
    """Monthly decimal returns of the 12 industry portfolios, month-end index, 1926-07 to 2025-12.

    Parameters
    ----------
    weighting : {"value", "equal"}
        Value-weighted or equal-weighted portfolio returns.
    """
    if weighting not in _WEIGHTINGS:
        raise XLFactorError(f"weighting: {weighting!r} is not one of {sorted(_WEIGHTINGS)}")
    return _industry_file().block(_WEIGHTINGS[weighting]).data.copy()
