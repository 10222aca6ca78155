"""A short plain-English reading of a portfolio analysis (text only: numbers come from the analysis)."""

from __future__ import annotations

from xlfactor.report.analysis import PortfolioAnalysis
from xlfactor.report.info import ReportInfo

#: Total weights further than this from 1 get a warning (CLI and Summary): cash or a holding left out.
CASH_WARNING = 0.005


def weights_warning(a: PortfolioAnalysis) -> str | None:
    """The warning for assets the weights left out, or weights that do not sum to 1, else None."""
    parts = []
    if a.unweighted:
        names = ", ".join(a.unweighted[:10]) + (f" and {len(a.unweighted) - 10} more" if len(a.unweighted) > 10 else "")
        parts.append(f"{len(a.unweighted)} asset(s) with returns have no weight and are carried at 0: {names}.")
    if abs(a.cash_weight) > CASH_WARNING:
        rest = "cash with no risk" if a.cash_weight > 0 else "borrowed cash (leverage) with no risk"
        parts.append(
            f"Weights sum to {a.total_weight:.1%}: the other {a.cash_weight:.1%} of capital is carried as {rest}; "
            "every risk figure is per unit of total capital."
        )
    if not parts:
        return None
    return " ".join(parts) + " If a holding is missing, add it to the weights (0 if not held)."


def reading(a: PortfolioAnalysis, info: ReportInfo) -> list[str]:
    """Sentences summarising risk, its sources, the biggest contributors, stress and VaR."""
    risk = a.risk
    factors = risk.by_factor.drop(index="Specific")
    top_factor = factors["contribution"].idxmax()
    top_asset = risk.by_asset["contribution"].idxmax()
    warning = weights_warning(a)
    lines = [] if warning is None else [warning]
    lines += [
        f"The portfolio's volatility is {risk.total_vol:.1%} a year: {risk.factor_vol:.1%} from factor exposures "
        f"and {risk.specific_vol:.1%} specific to the holdings; factors explain {risk.factor_share:.0%} of the "
        "variance.",
        f"The largest factor source of risk is {top_factor} (portfolio beta "
        f"{factors.loc[top_factor, 'exposure']:.2f}), contributing {factors.loc[top_factor, 'percent']:.0%} of "
        f"total risk. The largest single holding risk is {top_asset} ({risk.by_asset.loc[top_asset, 'weight']:.1%} "
        f"of capital, {risk.by_asset.loc[top_asset, 'percent']:.0%} of risk).",
    ]
    if a.active_risk is not None:
        lines.append(
            f"Against the benchmark the tracking error is {a.active_risk.total_vol:.2%} a year with an active share "
            f"of {a.active_share:.0%}; factors explain {a.active_risk.factor_share:.0%} of the active variance."
        )
    material = a.exposures.index[a.exposures["material"]].tolist()
    if material:
        lines.append(
            "Top-down and bottom-up betas differ materially for "
            + ", ".join(material)
            + ": see the Exposures sheet before relying on either."
        )
    elif a.realised:
        lines.append(
            "Top-down betas from the realised history and bottom-up betas of today's holdings agree: the "
            "portfolio carries about the exposures it has had."
        )
    else:
        lines.append(
            "Top-down and bottom-up betas agree (with no realised history given they are equal by "
            "construction when every asset has every date)."
        )
    if len(a.stress):
        worst = a.stress["pnl"].idxmin()
        lines.append(
            f"Of the standard scenarios, '{worst}' hurts most: about {a.stress.loc[worst, 'pnl']:.1%} in one "
            f"{info.period_name}, with the other factors moving as they have tended to with it."
        )
    if 0.99 in a.var_es.index:
        lines.append(
            f"Under a normal model, a one-{info.period_name} loss worse than {a.var_es.loc[0.99, 'var']:.1%} has a "
            f"1% chance (99% VaR); the average loss beyond it is {a.var_es.loc[0.99, 'es']:.1%} (expected shortfall). "
            f"The worst {info.period_name} in the sample was {a.worst_periods['portfolio'].iloc[0]:.1%} "
            f"({a.worst_periods.index[0].strftime('%b %Y' if info.freq in ('M', 'Q', 'A') else '%Y-%m-%d')})."
        )
    return lines
