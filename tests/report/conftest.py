"""Shared fixture: the demo report, built once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory):
    """``(path, analysis)`` of the demo report written to a temporary folder."""
    import xlfactor as xf

    return xf.build_demo_report(tmp_path_factory.mktemp("demo") / "demo.xlsx")
