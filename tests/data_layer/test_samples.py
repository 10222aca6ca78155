"""The shipped industry panel: its cap and book-to-market read by hand from the French file's text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlfactor.data.samples import industry_panel, industry_portfolios
from xlfactor.data.snapshot import read_snapshot_bytes


def block_row(lines: list[str], title: str, key: str) -> list[float]:
    """The numbers of row ``key`` (e.g. "202401" or "2023") in the block headed ``title``."""
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    row = next(line for line in lines[start + 2 :] if line.split(",")[0].strip() == key)
    return [float(v) for v in row.split(",")[1:]]


@pytest.mark.parametrize("month", ["2024-01", "1990-07"])
def test_cap_is_firms_times_average_size_and_bm_is_last_years_ratio(month):
    lines = read_snapshot_bytes("12_Industry_Portfolios.csv").decode("ascii").splitlines()
    key = month.replace("-", "")
    firms = np.array(block_row(lines, "Number of Firms in Portfolios", key))
    size = np.array(block_row(lines, "Average Firm Size", key))
    bm = np.array(block_row(lines, "Sum of BE / Sum of ME", str(int(month[:4]) - 1)))
    panel = industry_panel().loc[month]
    np.testing.assert_allclose(panel["Cap"].to_numpy(), firms * size, rtol=1e-12)
    np.testing.assert_allclose(panel["BM"].to_numpy(), bm, rtol=1e-12)
    returns = industry_portfolios().loc[month]
    np.testing.assert_allclose(panel["Return"].to_numpy(), returns.to_numpy().ravel(), rtol=1e-12)
    assert list(panel.index.get_level_values(1)) == list(returns.columns)


def test_first_year_has_no_book_to_market():
    panel = industry_panel()
    first = panel.index.get_level_values(0)[0]
    assert first == pd.Timestamp("1926-07-31")
    assert panel.loc[str(first.year), "BM"].isna().all()  # no ratio for the year before the file starts
    assert panel.loc["1927", "BM"].notna().all()
