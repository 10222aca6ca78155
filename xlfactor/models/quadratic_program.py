"""Small convex quadratic programs with bounds, solved exactly by an active-set method.

    minimise  1/2 w'Hw - g'w   subject to  l <= w <= u  (and optionally  sum(w) = 1)

with ``H`` symmetric positive definite (m x m, m small: hedge instruments, style indices).
The primal active-set method (Nocedal and Wright, *Numerical Optimization*, 2nd ed.,
algorithm 16.3) keeps a working set of variables held at a bound; on the others it solves the
equality-constrained problem exactly (one linear system), steps as far as the bounds allow,
and frees the variable whose bound multiplier is negative. It stops at a point that satisfies
the Karush-Kuhn-Tucker conditions to rounding error, after finitely many steps, so the
solution is exact (not an iterative approximation) and the binding bounds are known:

    stationarity  H w - g + lambda 1 = mu_l - mu_u,   mu_l, mu_u >= 0,
    complementarity  mu_l,i (w_i - l_i) = 0,  mu_u,i (u_i - w_i) = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError

LOWER, UPPER, FREE = "lower", "upper", ""


@dataclass(frozen=True)
class QPSolution:
    """``w`` the minimiser; ``binding`` per variable ``"lower"``, ``"upper"`` or ``""`` (free);
    ``multipliers`` the bound multipliers ``mu_l - mu_u`` (0 for free variables)."""

    w: np.ndarray
    binding: np.ndarray
    multipliers: np.ndarray


def solve_bounded_qp(
    h: np.ndarray, g: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, sum_to_one: bool = False
) -> QPSolution:
    """Minimise ``1/2 w'Hw - g'w`` over ``lower <= w <= upper`` (``-inf``/``inf`` for no bound) and, with
    ``sum_to_one``, ``sum(w) = 1``. ``H`` must be positive definite; ``lower <= upper`` (checked by callers).
    """
    m = len(g)
    w, state = _start(lower, upper, sum_to_one)
    scale = max(float(np.abs(g).max(initial=0.0)), float(np.abs(h).max(initial=0.0)), 1e-300)
    for _ in range(20 * m + 20):
        free = state == FREE
        grad = h @ w - g
        p_free, lam = _step(h, grad, free, sum_to_one)
        size = float(np.abs(p_free).max(initial=0.0))
        if size <= 1e-13 * max(1.0, float(np.abs(w).max(initial=0.0))):
            mu = grad + lam  # = mu_l - mu_u on the variables held at a bound
            signed = np.where(state == LOWER, mu, np.where(state == UPPER, -mu, np.inf))
            signed[lower == upper] = np.inf  # a fixed variable stays fixed
            worst = int(np.argmin(signed))
            if signed[worst] >= -1e-12 * scale:
                fixed = lower == upper  # held at both bounds: the one pushed against binds
                state[fixed] = np.where(mu[fixed] >= 0, LOWER, UPPER)
                return QPSolution(w=w, binding=state, multipliers=np.where(free, 0.0, mu))
            state[worst] = FREE
            continue
        p = np.zeros(m)
        p[free] = p_free
        alpha, block, side = 1.0, -1, FREE
        for i in np.flatnonzero(free):
            if p[i] < 0 and np.isfinite(lower[i]):
                ratio = (lower[i] - w[i]) / p[i]
                if ratio < alpha:
                    alpha, block, side = ratio, i, LOWER
            elif p[i] > 0 and np.isfinite(upper[i]):
                ratio = (upper[i] - w[i]) / p[i]
                if ratio < alpha:
                    alpha, block, side = ratio, i, UPPER
        w = w + max(alpha, 0.0) * p
        if block >= 0:
            w[block] = lower[block] if side == LOWER else upper[block]
            state[block] = side
    raise XLFactorError.at(
        "bounds", "the bounded problem did not settle (degenerate bounds); loosen or remove some bounds"
    )


def _start(lower: np.ndarray, upper: np.ndarray, sum_to_one: bool) -> tuple[np.ndarray, np.ndarray]:
    """A feasible first point and its working set: ``clip(0, l, u)``, or with ``sum_to_one`` the lower bounds
    raised in turn toward their upper bounds until the sum is 1 (equal weights when the bounds allow)."""
    m = len(lower)
    if not sum_to_one:
        w = np.clip(np.zeros(m), lower, upper)
    else:
        w = np.clip(np.full(m, 1.0 / m), lower, upper)
        for i in range(m):
            gap = 1.0 - w.sum()
            if abs(gap) <= 1e-15:
                break
            target = upper[i] if gap > 0 else lower[i]
            w[i] = w[i] + gap if abs(target - w[i]) >= abs(gap) else target
        if abs(w.sum() - 1.0) > 1e-12:
            raise XLFactorError.at("bounds", "no weights within the bounds sum to 1; widen the bounds")
    state = np.full(m, FREE, dtype=object)
    state[w == lower] = LOWER
    state[(w == upper) & (state == FREE)] = UPPER
    if sum_to_one and (state != FREE).all():  # keep one variable free to carry the equality
        state[int(np.argmax(upper - lower))] = FREE
    return w, state


def _step(h: np.ndarray, grad: np.ndarray, free: np.ndarray, sum_to_one: bool) -> tuple[np.ndarray, float]:
    """The step on the free variables that minimises the model with the others held (and ``sum(p) = 0``), and the
    equality's multiplier ``lambda`` (0 without the equality)."""
    k = int(free.sum())
    if k == 0:
        return np.zeros(0), 0.0
    h_ff = h[np.ix_(free, free)]
    if not sum_to_one:
        return np.linalg.solve(h_ff, -grad[free]), 0.0
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = h_ff
    kkt[:k, k] = kkt[k, :k] = 1.0
    sol = np.linalg.solve(kkt, np.append(-grad[free], 0.0))
    return sol[:k], float(sol[k])


def bound_vectors(lower: object, upper: object, names: pd.Index, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``lower`` and ``upper`` as arrays over ``names`` (``-inf``/``inf`` where there is no bound).

    Each may be None (no bounds), one number for every ``what``, a sequence of one number per
    ``what`` in order, or a Series labelled with (some of) ``names``; NaN means no bound. Raises
    naming the argument: unknown labels, a wrong count, text, an upper bound below a lower one.
    """
    lo = _bound(lower, names, "lower", what, -np.inf)
    up = _bound(upper, names, "upper", what, np.inf)
    crossed = np.flatnonzero(lo > up)
    if crossed.size:
        i = crossed[0]
        raise XLFactorError.at(
            "upper",
            f"the bound {up[i]:g} on '{names[i]}' is below its lower bound {lo[i]:g}; "
            "give each upper bound at least its lower bound",
        )
    for arg, values, wrong in (("lower", lo, np.inf), ("upper", up, -np.inf)):
        if (values == wrong).any():
            raise XLFactorError.at(arg, f"{wrong} is not a usable bound; leave the cell blank for no bound")
    return lo, up


def _bound(value: object, names: pd.Index, arg: str, what: str, none: float) -> np.ndarray:
    m = len(names)
    if value is None:
        return np.full(m, none)
    if isinstance(value, pd.Series):
        unknown = [str(k) for k in value.index if k not in names]
        if unknown:
            raise XLFactorError.at(
                arg,
                f"{', '.join(unknown[:5])} not among the {what}s ({', '.join(map(str, names[:10]))}); "
                f"label the bounds with the {what} names",
            )
        value = value.reindex(names)
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise XLFactorError.at(arg, f"expected numbers (one per {what}, or one for all), got {value!r}") from None
    if values.ndim == 0:
        values = np.full(m, float(values))
    values = values.ravel()
    if len(values) != m:
        raise XLFactorError.at(arg, f"{len(values)} values for {m} {what}s; give one per {what}, or one for all")
    return np.where(np.isnan(values), none, values)
