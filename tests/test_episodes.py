"""Historical scenario library replayed on the 10 industries' Carhart exposures, on the shipped French factors.

Every figure is recomputed by hand with pandas on the same shipped data (``xlfactor.load_factors``,
offline): compounded factor returns over the episode's dates, ``x_k F_k``, the worst period of
``f_t' x``, and the specific band ``pnl -+ Phi^-1(0.975) sqrt(w'Dw n / P)`` (rtol 1e-12). Known
facts of each episode (the market's fall, momentum's crash) check that the dates are the right ones.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import xlfactor as xf
from xlfactor.errors import XLFactorError
from xlfactor.models.episodes import EPISODES, scenario, scenario_library
from xlfactor.models.regression import regress
from xlfactor.models.risk_model import FactorRiskModel

FACTORS = ["Mkt-RF", "SMB", "HML", "MOM"]

#: A fact of each episode in the shipped data (factor, bound on its compounded return).
FACTS = {
    "Great Crash 1929-32": ("Mkt-RF", "<", -0.80),
    "1973-74 bear market": ("Mkt-RF", "<", -0.40),
    "1987 crash": ("Mkt-RF", "<", -0.25),
    "LTCM 1998": ("Mkt-RF", "<", -0.10),
    "Tech bust 2000-02": ("HML", ">", 0.90),
    "Quant unwind Aug 2007": ("MOM", "<", -0.02),
    "Financial crisis 2008-09": ("Mkt-RF", "<", -0.45),
    "Lehman collapse 2008": ("Mkt-RF", "<", -0.25),
    "Momentum crash 2009": ("MOM", "<", -0.40),
    "US downgrade 2011": ("Mkt-RF", "<", -0.15),
    "Covid crash 2020": ("Mkt-RF", "<", -0.30),
    "Rate shock 2022": ("HML", ">", 0.10),
}


@pytest.fixture(scope="module")
def history():
    return {"monthly": xf.load_factors("CARHART4", "M"), "daily": xf.load_factors("CARHART4", "D")}


@pytest.fixture(scope="module")
def model(industries10, history):
    monthly = history["monthly"]
    dates = industries10.index.intersection(monthly.index)
    excess = industries10.loc[dates].sub(monthly.loc[dates, "RF"], axis=0)
    return FactorRiskModel.from_regression(regress(excess, monthly.loc[dates, FACTORS]), monthly.loc[dates])


@pytest.fixture(scope="module")
def weights(model):
    return pd.Series([0.15, 0.05, 0.2, 0.1, -0.05, 0.12, 0.08, 0.1, 0.05, 0.2], index=model.assets)


def test_library_table():
    table = scenario_library()
    assert list(table.columns) == ["start", "end", "frequency", "description"]
    assert table.index.is_unique and len(table) == len(EPISODES) >= 12
    assert (table["start"] < table["end"]).all()
    assert set(table["frequency"]) == {"daily", "monthly"}
    assert table.loc["Quant unwind Aug 2007", "frequency"] == "daily"
    assert table.loc["LTCM 1998", "start"] == pd.Timestamp("1998-08-01")


@pytest.mark.parametrize("episode", EPISODES, ids=[e.name for e in EPISODES])
def test_each_episode_by_hand(model, weights, history, episode):
    frequency = {"D": "daily", "M": "monthly"}[episode.frequency]
    data = history[frequency][FACTORS]
    res = scenario(model, weights, episode.name, factors=history[frequency])
    window = data.loc[episode.start : episode.end]
    cumulative = (1 + window).prod() - 1
    x = model.exposures.T @ weights
    assert res.name == episode.name and res.frequency == frequency and res.periods == len(window)
    assert (res.start, res.end) == (window.index[0], window.index[-1])
    pd.testing.assert_series_equal(res.factor_returns, cumulative, check_names=False, rtol=1e-12)
    pd.testing.assert_series_equal(res.pnl_by_factor, x * cumulative, check_names=False, rtol=1e-12)
    assert res.pnl == pytest.approx(float((x * cumulative).sum()), rel=1e-12)
    per_period = window @ x
    assert res.worst_date == per_period.idxmin()
    assert res.worst_pnl == pytest.approx(per_period.min(), rel=1e-12)
    pd.testing.assert_series_equal(
        res.worst_by_factor, window.loc[per_period.idxmin()] * x, check_names=False, rtol=1e-12
    )
    ppy = 252 if frequency == "daily" else 12
    sd = np.sqrt(float(weights.pow(2) @ model.specific_var) * len(window) / ppy)
    assert res.specific_vol == pytest.approx(sd, rel=1e-12)
    assert res.band == pytest.approx((res.pnl - norm.ppf(0.975) * sd, res.pnl + norm.ppf(0.975) * sd), rel=1e-12)
    factor, sign, bound = FACTS[episode.name]
    assert (cumulative[factor] < bound) if sign == "<" else (cumulative[factor] > bound)


def test_user_defined_episode_and_model_history(model, weights, history):
    """Without factors the model's own (monthly) history is replayed."""
    res = scenario(model, weights, "2008-09-01", "2008-11-30", band=0.9)
    window = history["monthly"].loc["2008-09":"2008-11", FACTORS]
    assert res.name == "2008-09-01 to 2008-11-30" and res.periods == 3
    assert res.pnl == pytest.approx(float(((1 + window).prod() - 1) @ (model.exposures.T @ weights)), rel=1e-12)
    assert res.band[1] - res.pnl == pytest.approx(norm.ppf(0.95) * res.specific_vol, rel=1e-12)


def test_benchmark_replays_active_exposures(model, weights, history):
    bench = pd.Series(0.1, index=model.assets)
    active = scenario(model, weights, "Covid crash 2020", factors=history["daily"], benchmark=bench)
    total = scenario(model, weights, "Covid crash 2020", factors=history["daily"])
    passive = scenario(model, bench, "Covid crash 2020", factors=history["daily"])
    assert active.active and active.pnl == pytest.approx(total.pnl - passive.pnl, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("Covid crash 2020",), {}, "'Covid crash 2020' is a daily episode and the factor returns are monthly"),
        (("Tech bust",), {}, "episode: 'Tech bust' is not a library episode"),
        (("LTCM 1998", "1998-12-31"), {}, "end: 'LTCM 1998' is a library episode with its own dates"),
        (("2008-09-01", "2008-01-01"), {}, "end: 2008-01-01 is before the start 2008-09-01"),
        (("soon", "2008-01-01"), {}, "episode: 'soon' is not a date"),
        (("1800-01-01", "1800-12-31"), {}, "factors: no factor returns from 1800-01-01 to 1800-12-31"),
        (("LTCM 1998",), {"band": 1.5}, "band: 1.5 is outside"),
    ],
)
def test_bad_episodes(model, weights, args, kwargs, match):
    with pytest.raises(XLFactorError, match=match):
        scenario(model, weights, *args, **kwargs)


def test_episode_outside_the_factor_history(model, weights, history):
    recent = history["monthly"].loc["1990":]
    with pytest.raises(
        XLFactorError,
        match="'Great Crash 1929-32' runs 1929-09-01 to 1932-06-30 but the factor "
        "returns with every model factor run 1990-01-31",
    ):
        scenario(model, weights, "great crash 1929-32", factors=recent)
    bare = FactorRiskModel(model.exposures, model.factor_cov, model.specific_var, 12)
    with pytest.raises(XLFactorError, match="factors: a scenario needs the factor-return history"):
        scenario(bare, weights, "LTCM 1998")
