"""The compiled per-column summary of a returns panel agrees with the numpy reference, and the input
rules give the same refusals on either path."""

import numpy as np
import pandas as pd
import pytest

from xlfactor.errors import XLFactorError
from xlfactor.models import _column_kernels, _jit
from xlfactor.models._ols_inputs import prepare
from xlfactor.models.units import _count_beyond, summarize


@pytest.fixture(params=["compiled", "numpy"])
def path(request, monkeypatch):
    """Both kernels on small panels: the compiled one (every size) and the numpy reference."""
    if request.param == "compiled":
        monkeypatch.delenv(_jit.NO_JIT, raising=False)
        assert _jit.available(), "numba is a dependency off Pyodide: install it"
    else:
        monkeypatch.setenv(_jit.NO_JIT, "1")
    monkeypatch.setattr(_jit, "COMPILED_FROM", 0)
    return request.param


@pytest.fixture(params=[1, 2], ids=["one thread", "two threads"])
def threads(request, monkeypatch):
    """The compiled kernels on one thread, and split over two (at block boundaries)."""
    monkeypatch.setattr(_column_kernels, "THREADED_FROM", 0 if request.param == 2 else 10**18)
    monkeypatch.setattr(_column_kernels, "_threads", lambda: request.param)
    return request.param


def _awkward_panel(order: str) -> np.ndarray:
    """Returns with gaps, a column with no values, infinities, signed zeros, huge and constant columns."""
    rng = np.random.default_rng(7)
    values = rng.normal(0.0, 0.05, (203, 11))  # 203 rows: not a multiple of any vector width
    values[rng.random(values.shape) < 0.05] = np.nan
    values[:, 1] = np.nan
    values[17, 2] = np.inf
    values[18, 3] = -np.inf
    values[:, 4] = -0.0
    values[::2, 4] = 0.0
    values[5, 5] = 1e308
    values[6, 5] = -1e308
    values[:, 6] = 0.25
    values[:, 7] *= 100  # percent
    values[:, 8] = np.where(np.arange(203) % 3 == 0, 0.3, -0.01)  # a third beyond the limit
    values[:101, 9] = 0.3  # just under half beyond it (101 of 203)
    values[:102, 10] = -0.3  # just over half (102 of 203)
    return np.asarray(values, order=order)


def _reference(values: np.ndarray) -> tuple:
    """Each figure computed plainly, column by column, from the present values."""
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore", over="ignore"):
        low = np.array([c[m].min() if m.any() else np.nan for c, m in zip(values.T, present.T, strict=True)])
        high = np.array([c[m].max() if m.any() else np.nan for c, m in zip(values.T, present.T, strict=True)])
        sumsq = np.array([np.sum(c[m] ** 2) for c, m in zip(values.T, present.T, strict=True)])
    return low, high, sumsq, present.sum(axis=0)


@pytest.mark.parametrize("gaps", ["gaps", "complete"])
@pytest.mark.parametrize("order", ["F", "C"])
def test_summary_matches_the_column_by_column_reference(path, order, threads, gaps):
    values = _awkward_panel(order)
    if gaps == "complete":  # no NaN but in the empty column: infinities and extremes on the first read
        values = np.asarray(np.where(np.isnan(values), 0.01, values), order=order)
        values[:, 1] = np.nan
    found = summarize(values, 0.2)
    low, high, sumsq, present = _reference(values)
    np.testing.assert_array_equal(found.low, low)
    np.testing.assert_array_equal(found.high, high)
    np.testing.assert_array_equal(found.present, present)
    np.testing.assert_array_equal(found.gaps, present < len(values))
    finite = np.isfinite(sumsq)
    np.testing.assert_allclose(found.sumsq[finite], sumsq[finite], rtol=1e-13)
    np.testing.assert_array_equal(found.sumsq[~finite], sumsq[~finite])
    counted = found.beyond(0.2)
    if path == "compiled":
        expected = np.array([np.sum(np.abs(c[~np.isnan(c)]) > 0.2) for c in values.T])
        np.testing.assert_array_equal(counted, expected)
        np.testing.assert_array_equal(counted, _count_beyond(values, 0.2))  # the numpy count agrees
        assert counted[9] == 101 and counted[10] == 102
        assert found.beyond(0.1) is None  # counted for another limit: not reused
    else:
        assert counted is None  # the numpy path counts only the columns that could fail


def test_strided_panel_takes_the_numpy_path(path):
    values = _awkward_panel("F")[::2, ::2]  # neither row- nor column-contiguous
    found = summarize(values, 0.2)
    low, high, _, present = _reference(values)
    np.testing.assert_array_equal(found.low, low)
    np.testing.assert_array_equal(found.high, high)
    np.testing.assert_array_equal(found.present, present)


def _returns(seed: int = 3, n: int = 40, t: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-01", periods=t)
    factors = pd.DataFrame(rng.normal(0.0, 0.01, (t, 3)), index=dates, columns=["Mkt-RF", "SMB", "HML"])
    returns = factors.to_numpy() @ rng.normal(1, 0.3, (3, n)) + rng.normal(0, 0.01, (t, n))
    return pd.DataFrame(returns, index=dates, columns=[f"A{i}" for i in range(n)]), factors


def _broken(case: str) -> pd.DataFrame:
    returns, _ = _returns()
    values = returns.to_numpy().copy()
    if case == "percent":
        values[:, 5] *= 100
    elif case == "floor":
        values[40, 6] = -1.5
    elif case == "huge":
        values[41, 7] = 1e308
    elif case == "inf":
        values[42, 8] = -np.inf
    elif case == "constant":
        values[:, 9] = 0.001
    elif case == "percent late starter":
        values[:200, 10] = np.nan
        values[200:, 10] *= 100
    return pd.DataFrame(values, index=returns.index, columns=returns.columns)


CASES = ["percent", "floor", "huge", "inf", "constant", "percent late starter"]


@pytest.mark.parametrize("case", CASES)
def test_rules_refuse_alike_on_both_paths(monkeypatch, case):
    _, factors = _returns()
    returns = _broken(case)
    messages = {}
    for flag in ("", "1"):
        monkeypatch.setenv(_jit.NO_JIT, flag)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)
        with pytest.raises(XLFactorError) as caught:
            prepare(returns, factors)
        messages[flag] = str(caught.value)
    assert messages[""] == messages["1"]
    assert "returns" in messages[""]


def test_clean_panel_gives_the_same_inputs_on_both_paths(monkeypatch):
    returns, factors = _returns()
    returns.iloc[:30, 3] = np.nan
    out = {}
    for flag in ("", "1"):
        monkeypatch.setenv(_jit.NO_JIT, flag)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)
        out[flag] = prepare(returns, factors)
    np.testing.assert_array_equal(out[""].y, out["1"].y)
    np.testing.assert_allclose(out[""].yy, out["1"].yy, rtol=1e-13)


@pytest.mark.parametrize("order", ["F", "C"])
def test_products_with_the_design_match_numpy(path, order, threads):
    from xlfactor.models._ols_inputs import design

    columns = [0, 3, 4, 8, 9, 10, 2, 6, 7, 1, 0, 4, 8, 7, 3, 2, 9, 10, 0]  # 19: two blocks of 8 and 3
    values = _awkward_panel(order)[:, columns]
    values = np.asarray(np.where(np.isinf(values), 0.5, values), order=order)
    x = np.random.default_rng(2).normal(0.0, 0.01, (len(values), 4))
    z = design(x)[0]
    found = summarize(values, 0.2, z)
    if path == "numpy":
        assert found.cross is None  # the fit takes its own products
        return
    expected = z.T @ np.nan_to_num(values)
    np.testing.assert_allclose(found.cross, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())
    assert summarize(values, 0.2).cross is None


def _reshaped(returns: pd.DataFrame, factors: pd.DataFrame, layout: str) -> pd.DataFrame:
    """The same returns as the engine may receive them: a frame, a slice of one (strided memory), a
    row-major array in a frame, or with dates the factors lack (rows picked out)."""
    if layout == "a slice of a frame":
        return returns.iloc[2:-3]
    if layout == "row-major":
        values = np.ascontiguousarray(returns.to_numpy())
        frame = pd.DataFrame(values, index=returns.index, columns=returns.columns, copy=False)
        assert frame.to_numpy().flags.c_contiguous
        return frame
    if layout == "dates beyond the factors":
        extra = pd.DataFrame(0.01, index=[factors.index[-1] + pd.offsets.BDay(1)], columns=returns.columns)
        return pd.concat([returns, extra])
    return returns


@pytest.mark.parametrize("layout", ["a frame", "a slice of a frame", "row-major", "dates beyond the factors"])
@pytest.mark.parametrize("cov", ["nonrobust", "hc1", "hac"])
def test_regress_agrees_on_both_paths(monkeypatch, cov, threads, layout):
    from xlfactor.models.regression import regress

    returns, factors = _returns(n=29)
    returns.iloc[:50, 3] = np.nan  # a late starter
    returns.iloc[100:110, 11] = np.nan  # an interior gap
    returns = _reshaped(returns, factors, layout)
    fits = {}
    for flag in ("", "1"):
        monkeypatch.setenv(_jit.NO_JIT, flag)
        monkeypatch.setattr(_jit, "COMPILED_FROM", 0)
        fits[flag] = regress(returns, factors, cov=cov)
    for figure in ("params", "bse", "tvalues", "rsquared", "nobs", "resid_vol"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(fits[""], figure)), pd.DataFrame(getattr(fits["1"], figure)), rtol=1e-10
        )


def test_parts_cut_at_blocks(monkeypatch):
    monkeypatch.setattr(_column_kernels, "_threads", lambda: 2)
    assert _column_kernels._parts(3000, 10**9) == [(0, 1504), (1504, 3000)]
    assert _column_kernels._parts(3000, 10) == [(0, 3000)]  # small: one thread
    assert _column_kernels._parts(12, 10**9) == [(0, 12)]  # fewer than two blocks


def _summary_in_child(values: np.ndarray, queue) -> None:
    queue.put(_column_kernels.column_stats(values, 0.2)[3].tolist())


def test_threads_work_in_a_forked_child(monkeypatch, threads):
    """A worker forked after the parent used the threads (a server's workers) runs its own."""
    import multiprocessing

    monkeypatch.delenv(_jit.NO_JIT, raising=False)
    monkeypatch.setattr(_jit, "COMPILED_FROM", 0)  # the compiled kernels on small data too
    values = np.asfortranarray(np.tile(_awkward_panel("F"), (1, 3)))  # 33 columns: two threads' worth
    expected = _column_kernels.column_stats(values, 0.2)[3].tolist()  # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_summary_in_child, args=(values, queue))
    child.start()
    child.join(timeout=60)
    hung = child.is_alive()
    if hung:
        child.kill()
        child.join()
    assert not hung and child.exitcode == 0, "the forked child hung or failed"
    assert queue.get(timeout=5) == expected


def test_the_fits_own_pass_gives_the_same_sums(monkeypatch, threads):
    """``rules=False`` (the benchmark's measure of what the rules cost): the same sums, counts and products."""
    from xlfactor.models._ols_inputs import design

    monkeypatch.delenv(_jit.NO_JIT, raising=False)
    values = np.asfortranarray(
        np.where(np.isinf(_awkward_panel("F")), 0.5, _awkward_panel("F"))[:, [0, 2, 3, 4, 5] * 4]
    )
    z = design(np.random.default_rng(2).normal(0.0, 0.01, (len(values), 3)))[0]
    full = _column_kernels.column_stats(values, 0.2, z)
    fit = _column_kernels.column_stats(values, 0.2, z, rules=False)
    assert fit[0] is None and fit[1] is None and fit[4] is None
    for i in (2, 3, 5, 6):
        np.testing.assert_array_equal(fit[i], full[i])
