"""The compiled-kernel switch: numba where installed, None (numpy kernels) when absent or turned off."""

import numpy as np

from xlfactor.models import _jit


def _total(values):
    out = 0.0
    for v in values:
        out += v
    return out


def test_kernel_compiles_and_agrees_with_numpy(monkeypatch):
    monkeypatch.delenv(_jit.NO_JIT, raising=False)
    compiled = _jit.kernel(_total)
    assert compiled is not None, "numba is a dependency off Pyodide: install it (pip install numba)"
    values = np.random.default_rng(0).standard_normal(1000)
    assert compiled(values) == _total(values)
    assert compiled(values) != _total(values[:-1])


def test_switched_off_gives_the_numpy_path(monkeypatch):
    monkeypatch.setenv(_jit.NO_JIT, "1")
    assert not _jit.available()
    assert _jit.kernel(_total) is None
    assert _jit.kernel(parallel=True)(_total) is None


def test_compiled_is_looked_up_at_call_time(monkeypatch):
    monkeypatch.delenv(_jit.NO_JIT, raising=False)
    compiled = _jit.compiled(_total)
    assert compiled is not None and _jit.compiled(_total) is compiled  # compiled once, then reused
    values = np.arange(10.0)
    assert compiled(values) == 45.0
    monkeypatch.setenv(_jit.NO_JIT, "1")
    assert _jit.compiled(_total) is None
