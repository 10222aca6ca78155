"""Fixtures of the adversarial suites driven through xlwings' Office.js engine (see tests/excel/office_js.py):
one engine per module, and the shipped industry portfolios with French's FF5 factors as Excel sends them."""

import pandas as pd
import pytest
from excel.office_js import Engine, excel_range, serials

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]


@pytest.fixture(scope="module")
def engine():
    eng = Engine()
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    """Ten years of three industry portfolios (decimals), 120 month ends."""
    return xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS]


@pytest.fixture(scope="module")
def ff5(returns) -> pd.DataFrame:
    return xf.load_factors("FF5").loc[returns.index]


@pytest.fixture(scope="module")
def cells(returns):
    """The returns range (header row) and the date serials (header "Date")."""
    return excel_range(returns), serials(returns.index)
