"""Under Pyodide (xlwings Lite) refresh stops at once with what to do instead: no request, no retry."""

from __future__ import annotations

import sys

import pytest

from xlfactor.data import factor_info, refresh_factors
from xlfactor.errors import XLFactorError


def test_refresh_under_pyodide_explains_and_sends_nothing(french_server, monkeypatch):
    french_server.serve_folder("current")
    before = factor_info("FF3", "M")
    monkeypatch.setattr(sys, "platform", "emscripten")
    with pytest.raises(XLFactorError, match="downloads are not available in this runtime") as caught:
        refresh_factors("FF3", "M")
    assert "shipped with xlfactor stay in use" in str(caught.value) and "newer xlfactor wheel" in str(caught.value)
    assert french_server.log == []  # not a single request reached the server
    monkeypatch.setattr(sys, "platform", "linux")
    assert factor_info("FF3", "M") == before
    assert refresh_factors("FF3", "M").ok and french_server.log  # the same call downloads elsewhere
