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


def test_small_inputs_run_numpy_large_ones_compiled(monkeypatch):
    """One rule for every kernel: below COMPILED_FROM values numpy (no compiler wait for an Excel range)."""
    monkeypatch.delenv(_jit.NO_JIT, raising=False)
    assert not _jit.use(_jit.COMPILED_FROM - 1)
    assert _jit.use(_jit.COMPILED_FROM)
    assert _jit.use(_jit.COMPILED_FROM // 20, 20) and not _jit.use(_jit.COMPILED_FROM // 20 - 1, 20)
    monkeypatch.setenv(_jit.NO_JIT, "1")
    assert not _jit.use(10 * _jit.COMPILED_FROM)


def test_an_ordinary_excel_range_never_imports_numba():
    """Importing every FM_ function and FM_BETA-sized work (regress, HAC, rolling on 40 assets x 600 days)
    in a fresh process leave numba unimported: it is imported on the first input large enough to compile."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, pandas as pd\n"
        "import xlfactor.excel.functions\n"
        "from xlfactor.models.regression import regress\n"
        "from xlfactor.models.rolling import rolling_regress\n"
        "rng = np.random.default_rng(0)\n"
        "f = pd.DataFrame(rng.normal(0, 0.01, (600, 3)), columns=list('ABC'))\n"
        "y = pd.DataFrame(f.to_numpy() @ rng.normal(1, 0.5, (3, 40)) + rng.normal(0, 0.02, (600, 40)))\n"
        "regress(y, f, cov='hac'); rolling_regress(y, f, 60)\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
