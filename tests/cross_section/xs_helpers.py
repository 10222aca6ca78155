"""Helpers of the cross-sectional tests: simulated panels from a known factor model.

A plain module with a unique name (not a conftest.py): several test folders have a conftest,
and ``from conftest import ...`` would pick whichever was imported last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Panel:
    """A panel drawn from r = f_mkt + D f_ind + S f_sty + e (known truth)."""

    returns: pd.DataFrame
    styles: dict[str, pd.DataFrame]
    industries: pd.Series
    caps: pd.DataFrame
    factor_returns: pd.DataFrame
    specific_vol: pd.Series


def make_panel(n_dates=60, n_assets=400, n_ind=6, n_sty=3, seed=0, missing=0.05) -> Panel:
    """Industry factors obey sum_j cap_j f_j = 0 on every date, so the truth is identified."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2020-01-31", periods=n_dates, freq="ME")
    assets = pd.Index([f"A{i:04d}" for i in range(n_assets)])
    ind_names = [f"Ind{j}" for j in range(n_ind)]
    labels = rng.integers(0, n_ind, n_assets)
    labels[:n_ind] = np.arange(n_ind)
    industries = pd.Series(np.array(ind_names)[labels], index=assets)
    caps = pd.DataFrame(np.exp(rng.normal(7, 1.5, (n_dates, n_assets))), index=dates, columns=assets)
    styles = {
        f"S{p}": pd.DataFrame(rng.standard_normal((n_dates, n_assets)), index=dates, columns=assets)
        for p in range(n_sty)
    }
    f_mkt = rng.normal(0.01, 0.04, n_dates)
    f_ind = rng.normal(0.0, 0.02, (n_dates, n_ind))
    dummies = (labels[None, :] == np.arange(n_ind)[:, None]).astype(float)  # J x N
    ind_caps = caps.to_numpy() @ dummies.T  # T x J
    f_ind -= ((f_ind * ind_caps).sum(1) / ind_caps.sum(1))[:, None]  # cap-weighted sum zero
    f_sty = rng.normal(0.0, 0.01, (n_dates, n_sty))
    spec_vol = pd.Series(rng.uniform(0.02, 0.12, n_assets), index=assets)
    r = f_mkt[:, None] + f_ind @ dummies
    for p, s in enumerate(styles.values()):
        r = r + f_sty[:, [p]] * s.to_numpy()
    r = r + rng.standard_normal((n_dates, n_assets)) * spec_vol.to_numpy()
    r[rng.random(r.shape) < missing] = np.nan
    returns = pd.DataFrame(r, index=dates, columns=assets)
    styles["S0"].iloc[3, :10] = np.nan
    truth = pd.DataFrame(np.c_[f_mkt, f_ind, f_sty], index=dates, columns=["Market", *ind_names, *styles])
    return Panel(returns, styles, industries, caps, truth, spec_vol)


def date_data(panel: Panel, t: int):
    """Universe, returns, styles, dummies and caps of date row t (test-side reference construction)."""
    r = panel.returns.iloc[t]
    s = pd.DataFrame({k: v.iloc[t] for k, v in panel.styles.items()})
    ok = r.notna() & s.notna().all(axis=1)
    dummies = pd.get_dummies(panel.industries).astype(float)
    return r[ok], s[ok], dummies[ok], panel.caps.iloc[t][ok]
