"""Time factor_attribution against empyrical's perf_attrib (pyfolio's convention) on the same inputs.

    python benchmarks/bench_attribution.py

500 assets x 10 years of daily returns (2520 days) on 5 factors, a holdings history with a new row
every day (each period uses the previous day's row), betas given (perf_attrib takes loadings; it
has no regression). perf_attrib gets the loadings per date and asset (a 1.26-million-row table,
which it needs) and the positions held over each period; both give the same factor contributions
(checked to 1e-10). factor_attribution also splits the specific return into alpha and residual
(zero here: betas given) and links the periods (Carino). Median of 3 runs. Random, seeded inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from bench_backtest import median_s  # this folder is on sys.path when a script here runs

from xlfactor.models.attribution import factor_attribution

N_ASSETS, N_DAYS, K = 500, 2520, 5


def main() -> None:
    import empyrical

    rng = np.random.default_rng(20261207)
    dates = pd.bdate_range("2015-01-02", periods=N_DAYS)
    names = [f"F{k}" for k in range(K)]
    assets = [f"A{i:03d}" for i in range(N_ASSETS)]
    f = pd.DataFrame(rng.normal(0, 0.008, (N_DAYS, K)), index=dates, columns=names)
    betas = pd.DataFrame(rng.normal(0.5, 0.4, (N_ASSETS, K)), index=assets, columns=names)
    returns = pd.DataFrame(f.to_numpy() @ betas.to_numpy().T + rng.normal(0, 0.01, (N_DAYS, N_ASSETS)),
                           index=dates, columns=assets)  # fmt: skip
    history = pd.DataFrame(rng.dirichlet(np.ones(N_ASSETS), N_DAYS), index=dates, columns=assets)

    def ours():
        return factor_attribution(returns, history, f, betas=betas)

    res = ours()
    held = history.shift(1).iloc[1:]  # the row each period uses
    positions = held.stack()
    positions.index.names = ["dt", "ticker"]
    loadings = pd.DataFrame(np.tile(betas.to_numpy(), (len(held), 1)), columns=names,
                            index=positions.index)  # fmt: skip
    port = res.periods["Total"]

    def theirs():
        return empyrical.perf_attrib(port, positions, f.loc[held.index], loadings)

    _, perf = theirs()
    np.testing.assert_allclose(perf[names].to_numpy(), res.periods[names].to_numpy(), rtol=1e-10, atol=1e-15)
    t_ours, t_theirs = median_s(ours, 3), median_s(theirs, 3)
    print(f"N={N_ASSETS} assets, T={N_DAYS} days, K={K}, daily holdings; median of 3 runs")
    print(
        f"factor_attribution {t_ours * 1e3:7.1f} ms   empyrical.perf_attrib {t_theirs * 1e3:7.1f} ms "
        f"(its loadings table built beforehand, not timed)   ratio {t_theirs / t_ours:5.1f}x"
    )


if __name__ == "__main__":
    main()
