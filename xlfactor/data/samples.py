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
        raise XLFactorError.at("weighting", f"{weighting!r} is not one of {sorted(_WEIGHTINGS)}")
    return _industry_file().block(_WEIGHTINGS[weighting]).data.copy()


def industry_panel(weighting: str = "value") -> pd.DataFrame:
    """The 12 industry portfolios as a cross-sectional panel: one row per (month, industry).

    Columns, all from the shipped French file:

    - ``Return``: the monthly return (:func:`industry_portfolios` with ``weighting``);
    - ``Cap``: the industry's market cap in $ millions, ``Number of Firms in Portfolios`` times
      ``Average Firm Size`` of the same month row of the file;
    - ``BM``: book-to-market, ``Sum of BE / Sum of ME`` of the previous calendar year's row
      (the annual ratio of year y is used for every month of year y + 1).

    Returns
    -------
    DataFrame
        Indexed by (date, asset), rows ordered by date then the file's industry order.
    """
    file = _industry_file()
    returns = industry_portfolios(weighting)
    cap = file.block("Number of Firms in Portfolios").data * file.block("Average Firm Size").data
    annual = file.block("Sum of BE / Sum of ME").data
    bm = annual.set_axis(annual.index.year + 1).reindex(returns.index.year).set_axis(returns.index)
    frame = pd.DataFrame(
        {
            "Return": returns.stack(future_stack=True),
            "Cap": cap.reindex(returns.index).stack(future_stack=True),
            "BM": bm.stack(future_stack=True),
        }
    )
    frame.index.names = ["date", "asset"]
    return frame
