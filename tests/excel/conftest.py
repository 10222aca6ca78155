"""Fixtures for driving the FM_ functions through xlwings' Office.js engine (see office_js.py)."""

import pytest
from office_js import Engine


@pytest.fixture(scope="session")
def engine():
    eng = Engine()
    yield eng
    eng.close()
