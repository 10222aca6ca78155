"""The exact bounded quadratic program against scipy's SLSQP optimiser and the KKT conditions.

Random positive definite problems (1 to 8 variables) with box bounds, and with ``sum(w) = 1``
and ``w >= 0`` (optionally capped): our objective is never above SLSQP's by more than 1e-12
(relative to its size), the weights agree to 1e-6 (SLSQP's own accuracy), bounds and the sum
hold to 1e-12, and the bound multipliers have the KKT signs (to 1e-10).
"""

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from xlfactor.errors import XLFactorError
from xlfactor.models.quadratic_program import FREE, LOWER, UPPER, bound_vectors, solve_bounded_qp


def _problem(seed: int):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 9))
    a = rng.normal(size=(40, m))
    h, g = a.T @ a / 40, rng.normal(size=m)
    simplex = seed % 2 == 0
    if simplex:
        lo, up = np.zeros(m), np.full(m, max(0.5, 1.5 / m) if seed % 4 == 0 else np.inf)
    else:
        lo = np.where(rng.random(m) < 0.5, rng.normal(size=m) - 0.5, -np.inf)
        up = np.where(rng.random(m) < 0.5, rng.normal(size=m) + 0.5, np.inf)
        lo = np.minimum(lo, up)
    return h, g, lo, up, simplex


@pytest.mark.parametrize("seed", range(60))
def test_equals_scipy_and_satisfies_kkt(seed):
    h, g, lo, up, simplex = _problem(seed)
    sol = solve_bounded_qp(h, g, lo, up, sum_to_one=simplex)

    def objective(w):
        return 0.5 * w @ h @ w - g @ w

    bounds = [(a if np.isfinite(a) else None, b if np.isfinite(b) else None) for a, b in zip(lo, up, strict=True)]
    start = np.clip(np.full(len(g), 1 / len(g)), np.nan_to_num(lo, neginf=-1e9), np.nan_to_num(up, posinf=1e9))
    ref = optimize.minimize(
        objective, start, jac=lambda w: h @ w - g, bounds=bounds, method="SLSQP",
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}] if simplex else [],
        options={"ftol": 1e-15, "maxiter": 1000},
    )  # fmt: skip
    assert ref.success
    assert objective(sol.w) <= objective(ref.x) + 1e-12 * max(1.0, abs(objective(ref.x)))
    np.testing.assert_allclose(sol.w, ref.x, atol=1e-6)
    assert (sol.w >= lo - 1e-12).all() and (sol.w <= up + 1e-12).all()
    if simplex:
        assert abs(sol.w.sum() - 1) < 1e-12
    at_lower, at_upper = sol.binding == LOWER, sol.binding == UPPER
    np.testing.assert_array_equal(sol.w[at_lower], lo[at_lower])
    np.testing.assert_array_equal(sol.w[at_upper], up[at_upper])
    assert (sol.multipliers[at_lower] >= -1e-10).all() and (sol.multipliers[at_upper] <= 1e-10).all()
    grad = h @ sol.w - g
    free = sol.binding == FREE
    if free.any():  # on the free variables the gradient is 0, or a common -lambda with the sum constraint
        spread = np.ptp(grad[free]) if simplex else np.abs(grad[free]).max()
        assert spread < 1e-10


def test_bounds_are_read_and_checked():
    names = pd.Index(["a", "b", "c"])
    lo, up = bound_vectors(0, pd.Series({"c": 2.0, "a": np.nan}), names, "instrument")
    assert lo.tolist() == [0, 0, 0] and up.tolist() == [np.inf, np.inf, 2.0]
    with pytest.raises(XLFactorError, match="lower: 2 values for 3 instruments; give one per instrument"):
        bound_vectors([0, 1], None, names, "instrument")
    with pytest.raises(XLFactorError, match="upper: the bound -1 on 'b' is below its lower bound 0"):
        bound_vectors(0, [1, -1, 1], names, "instrument")
    with pytest.raises(XLFactorError, match="upper: z not among the instruments"):
        bound_vectors(None, pd.Series({"z": 1.0}), names, "instrument")
    with pytest.raises(XLFactorError, match="lower: expected numbers"):
        bound_vectors("low", None, names, "instrument")
