"""Test session setup.

xlwings' Office.js engine (used to drive the FM_ functions as Excel would) needs
these two variables before the first ``import xlwings``; the project's own test
runs are noncommercial use. Every test session gets its own empty xlfactor data
directory, so tests never read or write a user's cache. In a CI run (``ci_mode.STRICT``) a
skipped test is reported as a failure.
"""

import os
import tempfile

import numpy as np
import pytest
from ci_mode import STRICT
from french_files import VW_MONTHLY, french_block

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
os.environ["XLFACTOR_DATA_DIR"] = tempfile.mkdtemp(prefix="xlfactor-test-")
for _source in ("FRENCH", "GLOBALQ", "STAMBAUGH", "AQR", "DHS"):
    os.environ.pop(f"XLFACTOR_{_source}_BASE_URL", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI, a skip (a missing tool or package) fails the test, with the skip's reason."""
    report = (yield).get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in a CI run, which must run every test: {reason} (.ci/run installs it)"


@pytest.fixture(scope="session")
def industries10():
    """10 value-weighted industry portfolios (CRSP 202504), monthly decimal returns."""
    return french_block("10_Industry_Portfolios.csv", VW_MONTHLY)


@pytest.fixture(scope="session")
def industries49():
    """49 value-weighted industry portfolios (CRSP 202512), monthly, with real missing values."""
    return french_block("49_Industry_Portfolios.csv", VW_MONTHLY)


@pytest.fixture(scope="session")
def ff5_monthly():
    """FF5 monthly factors and RF (CRSP 202604), decimals."""
    return french_block("F-F_Research_Data_5_Factors_2x3.csv", "monthly")


@pytest.fixture(scope="session")
def ff3_monthly():
    """FF3 monthly factors and RF (CRSP 202512), decimals."""
    return french_block("F-F_Research_Data_Factors.csv", "monthly")


@pytest.fixture(scope="session")
def ff5_daily():
    """FF5 daily factors and RF (CRSP 202601), decimals."""
    return french_block("F-F_Research_Data_5_Factors_2x3_daily.csv", "daily")


@pytest.fixture
def library_mirror(tmp_path, monkeypatch):
    """A private, freshly seeded data folder (only the shipped French data) and a real HTTP server on 127.0.0.1
    mirroring every publisher, serving the other libraries' test files (tests/data/libraries)."""
    from french_server import mirror_of_every_source

    from xlfactor.data import reset_state

    monkeypatch.setenv("XLFACTOR_DATA_DIR", str(tmp_path / "library-data"))
    reset_state()
    with mirror_of_every_source(monkeypatch) as server:
        yield server
    reset_state()


@pytest.fixture(scope="session")
def industries_with_gaps(industries49):
    """49 industries with their real leading NaNs plus interior gaps we add.

    Two assets share one gap pattern (exercises grouping by pattern), one has two gaps,
    and 'Rubbr' keeps its real 1940s gap.
    """
    data = industries49.copy()
    data.iloc[600:612, data.columns.get_loc("Food")] = np.nan
    data.iloc[600:612, data.columns.get_loc("Beer")] = np.nan
    data.iloc[[700, 703, 900], data.columns.get_loc("Chips")] = np.nan
    data.iloc[1000:1005, data.columns.get_loc("Banks")] = np.nan
    data.iloc[1100:1101, data.columns.get_loc("Banks")] = np.nan
    return data


@pytest.fixture(params=["compiled", "numpy"])
def kernels(request, monkeypatch):
    """Run a test twice: on the compiled (numba) kernels and on the numpy ones (``XLFACTOR_NO_JIT``),
    the numpy kernels being the reference the compiled ones must equal."""
    from xlfactor.models import _jit

    if request.param == "numpy":
        monkeypatch.setenv(_jit.NO_JIT, "1")
    else:
        monkeypatch.delenv(_jit.NO_JIT, raising=False)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
        assert _jit.available(), "numba is a dependency off Pyodide: install it (pip install numba)"
    return request.param
