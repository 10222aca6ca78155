"""FM_ functions for scenarios and tail risk: stress P&L, VaR/ES by method, historical episodes replayed on
today's exposures, and the episode library. Figures are per data period unless stated."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pandas as pd

import xlfactor as xf
from xlfactor.data import periods
from xlfactor.errors import XLFactorError
from xlfactor.excel import cached, convert, inputs
from xlfactor.excel.inputs import FACTOR_DATA
from xlfactor.excel.memo import NO_DATA, Depends
from xlfactor.excel.results import Record, Table, scenario_fields, scenario_table, stress_table, var_fields
from xlfactor.excel.specs import DATES, FREQ, Spec, choice, number, rng
from xlfactor.excel.udf import excel_function
from xlfactor.models.episodes import EPISODES, Episode, episode_problem, find_episode
from xlfactor.models.frequency import frequency_code, frequency_name, horizon_code
from xlfactor.models.scenarios import VAR_METHODS
from xlfactor.models.units import MAX_GROSS

VAR_METHOD = choice(
    'VaR method: "parametric" (default; normal), "historical" (today\'s exposures on every period of the '
    'sample\'s factor history, plus a normal specific term) or "cornish_fisher" (normal quantile corrected for '
    "skewness and kurtosis).",
    VAR_METHODS,
)


@excel_function(depends=FACTOR_DATA, method=VAR_METHOD)
def FM_VAR(
    weights,
    returns,
    factors,
    dates=None,
    confidence=0.99,
    horizon=1,
    benchmark=None,
    cov_method="sample",
    halflife=None,
    excess=True,
    method="parametric",
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """VaR and expected shortfall (positive losses, in the units of the weights) by method: parametric normal,
    historical simulation or Cornish-Fisher; with the VaR and ES contributions of each factor and specific risk."""
    sample, model = cached.per_period_risk_sample(returns, factors, dates, cov_method, halflife, excess, units)
    if horizon_code(horizon) is not None and sample.periods_per_year is None:
        raise XLFactorError(
            f"horizon: {horizon!r} needs the data frequency; give the dates, or the horizon as a number of rows"
        )
    held, bench = inputs.portfolio(weights, benchmark, sample.assets)
    result = xf.var_es(model, held, confidence, horizon, benchmark=bench, method=method, max_gross=max_gross)
    return Record(var_fields(result))


@excel_function(depends=FACTOR_DATA)
def FM_STRESS(
    weights,
    returns,
    factors,
    dates,
    shocks,
    benchmark=None,
    cov_method="sample",
    halflife=None,
    excess=True,
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """Scenario P&L: each factor's move (shocked or implied by correlation), the portfolio's exposure and P&L per
    factor, and the total."""
    sample, model = cached.per_period_risk_sample(returns, factors, dates, cov_method, halflife, excess, units)
    held, bench = inputs.portfolio(weights, benchmark, sample.assets)
    result = xf.stress(model, held, inputs.shocks_for(shocks, model.factors), benchmark=bench, max_gross=max_gross)
    return Table(stress_table(result), "Factor")


def _episode(value: Any, name: str, default: Any) -> str | pd.Timestamp:
    """A library episode's name (its own spelling), or a start date (a date, serial or date text)."""
    value = convert.single(value, name)
    if isinstance(value, str):
        chosen = find_episode(value)
        if chosen is not None:
            return chosen.name
        if periods.is_date_text(value.strip()):  # written as a date: its own message (e.g. ambiguous day/month)
            return convert.date_option(value, name)
        try:
            return convert.date_option(value, name)
        except XLFactorError:
            names = "; ".join(e.name for e in EPISODES)
            raise XLFactorError(
                f"{name}: {value.strip()!r} is neither a library episode ({names}: see FM_SCENARIOS) nor a date; "
                "give an episode's name, or the start date of your own episode"
            ) from None
    return convert.date_option(value, name)


EPISODE = Spec(
    'A library episode\'s name (FM_SCENARIOS lists them, e.g. "Covid crash 2020"), or the first date of your '
    "own episode (then give episode_end).",
    _episode,
    need='give a library episode such as "LTCM 1998" or a start date',
)
EPISODE_END = Spec(
    "Last date of your own episode (inclusive). Leave empty with a library episode.",
    lambda value, name, default: convert.date_option(value, name),
)
BAND = number(
    "Confidence of the specific-risk band around the total P&L (default 0.95).", low=0, high=1, inclusive=False
)


HISTORY_FREQ = Spec(
    'With a model name and your own episode: frequency of the stored history to replay, "D", "W" or "M" '
    "(default: that of the dates). A library episode has its own.",
    FREQ.parse,
)
SCENARIO_VIEW = choice(
    '"factors" (default): return, exposure and P&L per factor, total and band. "summary": dates, total, band, '
    'worst period. "periods": the P&L of each period of the episode.',
    ("factors", "summary", "periods"),
)


def _scenario_vintages(factors: Any, dates: Any) -> Hashable:
    """What FM_SCENARIO depends on besides its cells: the model data of the dates, and the model's stored
    histories (one of them is replayed)."""
    return FACTOR_DATA.token(factors, dates), inputs.history_vintages(factors)


_SCENARIO_DATA = Depends(("factors", "dates"), _scenario_vintages)


@excel_function(
    depends=_SCENARIO_DATA,
    dates=rng(DATES.doc, need="give the dates of the returns rows (episodes are dated)"),
    episode=EPISODE,
    episode_end=EPISODE_END,
    band=BAND,
    freq=HISTORY_FREQ,
    view=SCENARIO_VIEW,
)
def FM_SCENARIO(
    weights,
    returns,
    factors,
    dates,
    episode,
    episode_end=None,
    benchmark=None,
    band=0.95,
    freq=None,
    cov_method="sample",
    halflife=None,
    excess=True,
    view="factors",
    *,
    max_gross=MAX_GROSS,
    units="auto",
):
    """A historical episode (library name or your dates) replayed on today's factor exposures: P&L per factor and
    in total, specific-risk band, worst single period. A model name replays its stored history."""
    sample, model = cached.risk_sample(
        returns, factors, dates, cov_method, halflife, True, excess, fix=None, units=units
    )
    held, bench = inputs.portfolio(weights, benchmark, sample.assets)
    chosen = find_episode(episode) if isinstance(episode, str) else None
    if chosen is not None and episode_end is not None:
        raise XLFactorError(
            f"episode_end: {chosen.name!r} is a library episode with its own dates; leave episode_end empty"
        )
    if chosen is None and episode_end is None:
        raise XLFactorError("episode_end: required with a start date; give the last date of your episode")
    history = _replayed_history(factors, sample, model.factors, chosen, freq)
    result = xf.scenario(
        model, held, episode, episode_end, factors=history, benchmark=bench, band=band, max_gross=max_gross
    )
    if view == "summary":
        return Record(scenario_fields(result), title=result.name)
    if view == "periods":
        return Table(result.period_pnl.to_frame("P&L"), "Date")
    return Table(scenario_table(result), "Factor")


def _replayed_history(
    factors: Any, sample: inputs.Sample, names: pd.Index, chosen: Episode | None, freq: str | None
) -> pd.DataFrame:
    """The factor history to replay: a model's stored history (at the episode's frequency, or ``freq``, or the
    dates' frequency), or the factor range as given."""
    if convert.model_name(factors) is None:
        if freq is not None:
            raise XLFactorError("freq: only with a model name; a factor range is replayed as given (leave freq empty)")
        history = sample.factors
        if chosen is not None and episode_problem(chosen, history[names]) is not None:
            kind = frequency_name(chosen.frequency)
            raise XLFactorError(
                f"factors: {chosen.name!r} is a {kind} episode ({chosen.start} to {chosen.end}) and the factor "
                f"range does not cover it at that frequency; give {kind} factor returns over it, or a model name "
                'such as "FF5" to replay its stored history'
            )
        return history
    code = chosen.frequency if chosen is not None else freq or frequency_code(sample.periods_per_year)
    if chosen is not None and freq is not None and freq != code:
        raise XLFactorError(
            f"freq: {chosen.name!r} is a {frequency_name(code)} episode; leave freq empty (it applies "
            "to your own episodes)"
        )
    try:
        model, history = inputs.stored_history(factors, code)
    except XLFactorError as exc:
        raise XLFactorError(
            f"episode: the {frequency_name(code)} factors of the model are not available ({exc}); choose an "
            "episode at another frequency, or give a factor range"
        ) from None
    problem = episode_problem(chosen, history[names]) if chosen is not None else None
    if problem is not None:
        raise XLFactorError(f"episode: {problem} ({model}); choose another episode or model")
    return history


@excel_function(depends=NO_DATA)
def FM_SCENARIOS():
    """The library of historical episodes for FM_SCENARIO: name, first and last date, data frequency and a line
    of description."""
    library = xf.scenario_library().rename(
        columns={"start": "Start", "end": "End", "frequency": "Frequency", "description": "Description"}
    )
    return Table(library, "Episode")
