"""Fixtures of the cross-sectional tests (shared data: ``xs_helpers``)."""

from __future__ import annotations

import pytest

from xlfactor.models import _jit
from xlfactor.models.cross_section import wls_kernel


@pytest.fixture(params=["compiled", "numpy"])
def kernel_path(request, monkeypatch):
    """Run a test through the compiled kernels (numba) and again through the numpy reference path."""
    if request.param == "numpy":
        monkeypatch.setenv(_jit.NO_JIT, "1")
    else:
        monkeypatch.delenv(_jit.NO_JIT, raising=False)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
        assert wls_kernel.compiled(1), "numba is a dependency off Pyodide: install it (pip install numba)"
    assert wls_kernel.compiled(1) == (request.param == "compiled")
    return request.param
