"""Fixtures for driving the FM_ functions through xlwings' Office.js engine (see office_js.py)."""

import numpy as np
import pandas as pd
import pytest
from office_js import Engine, excel_range, serials

import xlfactor as xf

ASSETS = ["NoDur", "Durbl", "Manuf"]


@pytest.fixture(scope="session")
def engine():
    eng = Engine()
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    """Three shipped industry portfolios, 2014-2023 monthly, with one blank cell (Durbl, sixth row):
    missing, not zero. Modules that need other returns define their own fixture of this name."""
    r = xf.industry_portfolios().loc["2014-01":"2023-12", ASSETS].copy()
    r.iloc[5, 1] = np.nan
    return r


@pytest.fixture(scope="module")
def cells(returns):
    """The module's ``returns`` and their dates as Office.js sends the ranges."""
    return excel_range(returns), serials(returns.index)


@pytest.fixture(scope="module")
def ff5(returns):
    """The module's ``returns`` aligned with French's monthly FF5 (``.returns``, ``.factors``)."""
    return xf.align(returns, xf.load_factors("FF5", "M"))


@pytest.fixture(scope="session")
def industry_returns() -> pd.DataFrame:
    """The 12 shipped industry portfolios, 2014-2023 monthly, no blank cells."""
    return xf.industry_portfolios().loc["2014-01":"2023-12"]


@pytest.fixture(scope="session")
def industry_ff5(industry_returns):
    """``industry_returns`` aligned with the shipped FF5 monthly factors (and RF)."""
    return xf.align(industry_returns, xf.load_factors("FF5", "M"))
