"""Historical scenarios: market episodes replayed on today's factor exposures.

:data:`EPISODES` is the library: named episodes with their exact date range and the
data frequency they are defined at, chosen from the Ken French factor history that
xlfactor ships (Mkt-RF, SMB, HML monthly and daily from July 1926, MOM from
November 1926 daily and January 1927 monthly, RMW and CMA from July 1963). :func:`scenario` replays one of them,
or any user-defined range of dates, on a portfolio; :func:`scenario_library` lists
the library.

The replay holds today's factor exposures ``x = B'w`` fixed over the episode and
applies each factor's compounded return over it,
``F_k = prod_{t in episode} (1 + f_k,t) - 1``:
``P&L = sum_k x_k F_k`` (linear in the exposures, like :func:`~xlfactor.models.scenarios.stress`;
specific returns are 0 in the central figure and give the band around it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from xlfactor.errors import XLFactorError
from xlfactor.models._repr import short_repr
from xlfactor.models._validate import fraction
from xlfactor.models.frequency import PERIODS_PER_YEAR, frequency_code, frequency_name, maybe_periods_per_year
from xlfactor.models.risk_model import FactorRiskModel, Weights, model_history
from xlfactor.models.units import MAX_GROSS


@dataclass(frozen=True)
class Episode:
    """One library episode: dates inclusive, at data frequency ``frequency`` ("D" daily, "M" monthly)."""

    name: str
    start: str
    end: str
    frequency: str
    description: str


#: The scenario library: one row per episode (dates inclusive; monthly dates stand for their whole month).
EPISODES: tuple[Episode, ...] = (
    Episode(
        "Great Crash 1929-32",
        "1929-09-01",
        "1932-06-30",
        "M",
        "The 1929 crash and the Depression bear market to the June 1932 low (market factors only before 1963).",
    ),
    Episode(
        "1973-74 bear market",
        "1973-01-01",
        "1974-09-30",
        "M",
        "Oil shock, inflation and Watergate: the worst US bear market between 1929 and 2000.",
    ),
    Episode(
        "1987 crash",
        "1987-10-14",
        "1987-10-26",
        "D",
        "The week before Black Monday, the 19 October 1987 crash (US market -17% that day) and its aftermath.",
    ),
    Episode(
        "LTCM 1998",
        "1998-08-01",
        "1998-09-30",
        "M",
        "Russia's default and the collapse of Long-Term Capital Management, August-September 1998.",
    ),
    Episode(
        "Tech bust 2000-02",
        "2000-04-01",
        "2002-09-30",
        "M",
        "The bursting of the technology bubble, from the March 2000 peak to the 2002 low.",
    ),
    Episode(
        "Quant unwind Aug 2007",
        "2007-08-06",
        "2007-08-10",
        "D",
        "The week quantitative equity funds deleveraged at once: value and momentum crowded trades reversed.",
    ),
    Episode(
        "Financial crisis 2008-09",
        "2007-11-01",
        "2009-02-28",
        "M",
        "The global financial crisis, from the October 2007 market peak to the last full month before the low.",
    ),
    Episode(
        "Lehman collapse 2008",
        "2008-09-15",
        "2008-10-10",
        "D",
        "From Lehman Brothers' bankruptcy to the end of the worst week of October 2008.",
    ),
    Episode(
        "Momentum crash 2009",
        "2009-03-01",
        "2009-05-31",
        "M",
        "The junk rally off the March 2009 low: past losers soared and momentum lost about 40%.",
    ),
    Episode(
        "US downgrade 2011",
        "2011-07-25",
        "2011-08-10",
        "D",
        "The debt-ceiling stand-off, S&P's downgrade of the US on 5 August 2011 and the sell-off that followed.",
    ),
    Episode(
        "Covid crash 2020",
        "2020-02-20",
        "2020-03-23",
        "D",
        "From the February 2020 market peak to the 23 March low of the Covid-19 crash.",
    ),
    Episode(
        "Rate shock 2022",
        "2022-01-01",
        "2022-09-30",
        "M",
        "The fastest Fed tightening in decades: long-duration growth stocks fell, value held up.",
    ),
)


@dataclass(frozen=True)
class ScenarioResult:
    """A historical episode replayed on a portfolio's exposures.

    Attributes
    ----------
    name : str
        The library name, or ``"start to end"`` for a user-defined episode.
    description : str
    start, end : Timestamp
        First and last dates of factor data inside the episode.
    frequency : str
        ``"daily"``, ``"monthly"``, ... (of the factor data replayed).
    periods : int
        Number of data periods in the episode.
    factor_returns : Series
        ``F_k``, each factor's compounded return over the episode.
    exposures : Series
        ``x = B'w`` (active with a benchmark).
    pnl_by_factor : Series
        ``x_k F_k``.
    pnl : float
        ``sum_k x_k F_k``.
    specific_vol : float
        Volatility of the portfolio's specific return over the episode:
        ``sqrt(w'Dw_annual * periods / P)``, ``P`` the periods per year of the
        episode's data (specific returns i.i.d. normal, mean 0).
    band : tuple[float, float]
        ``pnl -+ z specific_vol`` with ``z = Phi^-1((1 + band_confidence) / 2)``.
    band_confidence : float
    period_pnl : Series
        ``x' f_t`` for each period of the episode.
    worst_date : Timestamp
        The period with the lowest ``x' f_t``.
    worst_pnl : float
        ``min_t x' f_t``.
    worst_by_factor : Series
        ``x_k f_k,t`` on the worst date.
    active : bool
        True when a benchmark was given.
    """

    __repr__ = short_repr

    name: str
    description: str
    start: pd.Timestamp
    end: pd.Timestamp
    frequency: str
    periods: int
    factor_returns: pd.Series
    exposures: pd.Series
    pnl_by_factor: pd.Series
    pnl: float
    specific_vol: float
    band: tuple[float, float]
    band_confidence: float
    period_pnl: pd.Series
    worst_date: pd.Timestamp
    worst_pnl: float
    worst_by_factor: pd.Series
    active: bool


def scenario_library() -> pd.DataFrame:
    """The library of :data:`EPISODES`.

    Returns
    -------
    DataFrame
        Index ``episode`` (names); columns ``start``, ``end`` (Timestamps, inclusive),
        ``frequency`` (``"daily"`` or ``"monthly"``) and ``description``.
    """
    return pd.DataFrame(
        {
            "start": [pd.Timestamp(e.start) for e in EPISODES],
            "end": [pd.Timestamp(e.end) for e in EPISODES],
            "frequency": [frequency_name(e.frequency) for e in EPISODES],
            "description": [e.description for e in EPISODES],
        },
        index=pd.Index([e.name for e in EPISODES], name="episode"),
    )


def find_episode(episode: str) -> Episode | None:
    """The library episode called ``episode`` (case and surrounding spaces ignored), or None."""
    key = episode.strip().lower()
    return next((e for e in EPISODES if e.name.lower() == key), None)


def scenario(
    model: FactorRiskModel,
    weights: Weights,
    episode: str | pd.Timestamp,
    end: str | pd.Timestamp | None = None,
    *,
    factors: pd.DataFrame | None = None,
    benchmark: Weights | None = None,
    band: float = 0.95,
    max_gross: float | None = MAX_GROSS,
) -> ScenarioResult:
    """Replay a historical episode's factor returns on today's exposures.

    ``x = B'w``; over the episode's dates ``t``, ``F_k = prod_t (1 + f_k,t) - 1`` and
    ``P&L = sum_k x_k F_k`` (by factor ``x_k F_k``). The specific part is a band:
    ``P&L -+ z sigma_s`` with ``z = Phi^-1((1 + band) / 2)`` and
    ``sigma_s^2 = w'Dw_annual * n / P`` (``n`` periods at ``P`` periods a year; the
    model's specific variance ``D``, annualised if the model is per period). The
    worst single period is ``min_t x' f_t``.

    Parameters
    ----------
    model : FactorRiskModel
    weights, benchmark, max_gross
        As in :meth:`FactorRiskModel.portfolio_risk`.
    episode : str or date
        A library name (:func:`scenario_library`; case-insensitive), or the first date
        of a user-defined episode (then ``end`` is required).
    end : date, optional
        Last date of a user-defined episode (inclusive).
    factors : DataFrame, optional
        Per-period factor returns covering the episode (columns include the model's
        factors), at the episode's frequency for a library episode (daily episodes
        need daily factors, e.g. ``xlfactor.load_factors("FF5", "D")``). Default:
        ``model.factor_returns``, the returns the model was estimated on.
    band : float
        Confidence of the specific-risk band, in (0, 1).

    Returns
    -------
    ScenarioResult

    Raises
    ------
    XLFactorError
        An unknown name, a start without an end (or an end with a name), dates that
        are not dates or in the wrong order, factor data at another frequency than a
        library episode's or not covering it, no factor history.
    """
    confidence = fraction(band, "band", example="use e.g. 0.95 for a 95% band")
    history = model_history(model, factors, "a scenario")
    chosen, start, stop = _episode_dates(episode, end)
    ppy = maybe_periods_per_year(history.index)
    problem = episode_problem(chosen, history) if chosen is not None else None
    if problem is not None:
        raise XLFactorError.at("factors", f"{problem}")
    window = history.loc[(history.index >= start) & (history.index <= stop)]
    if window.empty:
        raise XLFactorError.at(
            "factors",
            f"no factor returns from {start:%Y-%m-%d} to {stop:%Y-%m-%d}; they run "
            f"{history.index[0]:%Y-%m-%d} to {history.index[-1]:%Y-%m-%d}",
        )
    if ppy is None:
        raise XLFactorError.at(
            "factors", "cannot tell their frequency from the dates; give daily, weekly or monthly factor returns"
        )
    w = model.weight_vector(weights, benchmark, max_gross=max_gross)
    x = w @ model.B
    f = window.to_numpy()
    cumulative = np.prod(1.0 + f, axis=0) - 1.0
    by_factor = x * cumulative
    pnl = float(by_factor.sum())
    annual = float(w @ (model.D * w)) * (1.0 if model.annualized else model.periods_per_year)
    specific_vol = float(np.sqrt(annual * len(window) / ppy))
    z = float(ndtri(0.5 + confidence / 2))
    period_pnl = pd.Series(f @ x, index=window.index, name="pnl")
    worst = int(np.argmin(period_pnl.to_numpy()))
    names = model.factors
    return ScenarioResult(
        name=chosen.name if chosen is not None else f"{start:%Y-%m-%d} to {stop:%Y-%m-%d}",
        description=chosen.description if chosen is not None else "User-defined episode.",
        start=window.index[0],
        end=window.index[-1],
        frequency=frequency_name(frequency_code(ppy)),
        periods=len(window),
        factor_returns=pd.Series(cumulative, index=names, name="return"),
        exposures=pd.Series(x, index=names, name="exposure"),
        pnl_by_factor=pd.Series(by_factor, index=names, name="pnl"),
        pnl=pnl,
        specific_vol=specific_vol,
        band=(pnl - z * specific_vol, pnl + z * specific_vol),
        band_confidence=confidence,
        period_pnl=period_pnl,
        worst_date=window.index[worst],
        worst_pnl=float(period_pnl.iloc[worst]),
        worst_by_factor=pd.Series(x * f[worst], index=names, name="pnl"),
        active=benchmark is not None,
    )


def _episode_dates(episode: object, end: object) -> tuple[Episode | None, pd.Timestamp, pd.Timestamp]:
    """The library episode (or None) and the inclusive date range to replay."""
    if isinstance(episode, str):
        chosen = find_episode(episode)
        if chosen is not None:
            if end is not None:
                raise XLFactorError.at(
                    "end",
                    f"{episode!r} is a library episode with its own dates; leave end empty "
                    "or give a start date instead of the name",
                )
            return chosen, pd.Timestamp(chosen.start), pd.Timestamp(chosen.end)
    if end is None:
        names = ", ".join(e.name for e in EPISODES)
        raise XLFactorError.at(
            "episode",
            f"{episode!r} is not a library episode ({names}); for your own episode give a start date and an end date",
        )
    start, stop = _date(episode, "episode"), _date(end, "end")
    if stop < start:
        raise XLFactorError.at("end", f"{stop:%Y-%m-%d} is before the start {start:%Y-%m-%d}")
    return None, start, stop


def _date(value: object, name: str) -> pd.Timestamp:
    try:
        out = pd.Timestamp(value)
    except (TypeError, ValueError):
        out = None
    if out is None or out is pd.NaT:
        raise XLFactorError.at(name, f"{value!r} is not a date; give a date such as '2008-09-15'")
    return out


def episode_problem(episode: Episode, factors: pd.DataFrame) -> str | None:
    """Why ``factors`` (factor returns) cannot replay a library ``episode`` (a sentence), or None when it can.

    It can when its dates are at the episode's frequency and run from the episode's
    first to its last period (rows with a missing factor are not counted).
    """
    history = factors.dropna()
    ppy = maybe_periods_per_year(history.index) if len(history) > 1 else None
    wanted = PERIODS_PER_YEAR[episode.frequency]
    if ppy != wanted:
        have = frequency_name(frequency_code(ppy)) if ppy is not None else "of unknown frequency"
        return (
            f"{episode.name!r} is a {frequency_name(episode.frequency)} episode and the factor returns are "
            f"{have}; pass {frequency_name(episode.frequency)} factor returns (e.g. xlfactor.load_factors(model, "
            "freq))"
        )
    first, last = history.index[0], history.index[-1]
    start, stop = pd.Timestamp(episode.start), pd.Timestamp(episode.end)
    period = episode.frequency
    if first.to_period(period) > start.to_period(period) or last.to_period(period) < stop.to_period(period):
        return (
            f"{episode.name!r} runs {start:%Y-%m-%d} to {stop:%Y-%m-%d} but the factor returns with every "
            f"model factor run {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        )
    return None
