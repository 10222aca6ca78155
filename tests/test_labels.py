"""The label module (xlfactor.models.labels) and the check every output's labels go through
(tests/output_labels.py): one definition per statistic, and the check refuses the spellings that
differed across outputs before the module (``R2`` / ``R-squared``, ``t`` / ``t-stat``, ``Std error`` /
``std err`` / ``Std. error``, ``Idio vol`` / ``Resid. vol``). The outputs themselves are checked in
tests/excel/test_output_labels.py."""

from __future__ import annotations

import pandas as pd
import pytest
from output_labels import statistics, violations

import xlfactor as xf
from xlfactor.models import labels as L
from xlfactor.models.diagnostics import COLUMNS


def test_one_label_per_statistic_with_statsmodels_headers():
    assert (L.BSE.short, L.TVALUES.short, L.PVALUES.short, L.PVALUES_Z.short) == ("std err", "t", "P>|t|", "P>|z|")
    fit = (L.RSQUARED.long, L.RSQUARED_ADJ.long, L.F_PVALUE.long)
    assert fit == ("R-squared", "Adj. R-squared", "Prob (F-statistic)")
    assert L.pvalues(True) is L.PVALUES and L.pvalues(False) is L.PVALUES_Z
    assert {L.BSE, L.TVALUES, L.PVALUES, L.RSQUARED, L.RESID_VOL, L.NOBS, L.TOTAL_VOL} <= set(L.LABELS.values())
    shorts = [label.short for label in L.LABELS.values() if label is not L.PVALUES_Z]
    longs = [label.long for label in L.LABELS.values() if label is not L.PVALUES_Z]
    assert len(set(shorts)) == len(shorts) and len(set(longs)) == len(longs)  # no two statistics share a label
    assert COLUMNS == tuple(d.long for d in (L.FVALUE, L.F_PVALUE, L.DURBIN_WATSON, L.BREUSCH_PAGAN,
                                           L.BREUSCH_PAGAN_PVALUE, L.JARQUE_BERA, L.JARQUE_BERA_PVALUE, L.SKEW,
                                           L.KURTOSIS))  # fmt: skip


def test_built_labels():
    assert L.TVALUES.of("alpha") == "t(alpha)" and L.annual(L.RESID_VOL.long) == "Residual vol (ann.)"
    assert L.per_period(L.RESID_VOL.long) == "Residual vol (per period)"
    assert L.named("Kupiec", L.PVALUES.long) == "Kupiec p-value"
    for text in ("t(Mkt-RF)", "NoDur R2", "CAPM t", "Resid. vol (ann.)", "std err (NW)", "Specific vol (episode)"):
        assert L.is_label(text, long=False), text
    for text in ("R-squared", "Residual vol (per period)", "Kupiec p-value", "Prob (Jarque-Bera)", "Observations"):
        assert L.is_label(text, short=False), text
    assert not L.is_label("t(alpha)", short=False) and not L.is_label("R-squared", long=False)


@pytest.mark.parametrize(
    ("columns", "rows", "wrong"),
    [
        (["Top-down beta", "Std error", "t-stat"], [], ["column 'Std error'", "column 't-stat'"]),
        (["Raw beta", "Std. error"], [], ["column 'Std. error'"]),
        (["alpha", "t", "p-value"], [], ["column 'p-value'"]),  # a long form heading a column
        (["R2", "Idio vol (ann.)", "Obs"], [], ["column 'Idio vol (ann.)'"]),
        (["alpha", "rsquared"], [], ["column 'rsquared'"]),
        (["coef"], ["R-squared", "Resid. vol (ann.)", "Avg R2"], ["row 'Resid. vol (ann.)'", "row 'Avg R2'"]),
        ([], ["Total vol", "Specific volatility", "Specific vol (episode)"], []),
    ],
)
def test_the_check_refuses_the_old_spellings(columns, rows, wrong):
    assert sorted(violations(columns, rows, "x")) == sorted(f"x: {w}" for w in wrong)


def test_the_spellings_recognise_every_label_of_the_module():
    """A label the check could not recognise would never be checked."""
    for name, label in L.LABELS.items():
        if name in ("PARAMS", "CONF_INT_LOW", "CONF_INT_HIGH", "ALPHA", "FVALUE", "DURBIN_WATSON", "BREUSCH_PAGAN",
                    "JARQUE_BERA", "SKEW", "KURTOSIS"):  # fmt: skip
            continue  # statistics outside the checked set (the check looks for those the outputs disagreed on)
        assert statistics(label.short) and statistics(label.long), name


@pytest.mark.parametrize("cov", ["nonrobust", "hc1"])
@pytest.mark.parametrize("dated", [True, False])
def test_summary_labels_come_from_the_module(industries10, ff5_monthly, cov, dated):
    returns = industries10.loc[industries10.index.intersection(ff5_monthly.index)[-120:], ["NoDur", "HiTec"]]
    factors = ff5_monthly.loc[returns.index]
    if not dated:
        returns, factors = returns.reset_index(drop=True), factors.reset_index(drop=True)
    table = xf.regress(returns, factors.drop(columns="RF"), rf=factors["RF"], cov=cov).summary("HiTec")
    assert violations(table.columns, table.index, "summary()") == []
    assert list(table.columns) == [L.PARAMS.short, L.BSE.short, L.TVALUES.short,
                                   L.pvalues(cov == "nonrobust").short, "[0.025", "0.975]"]  # fmt: skip
    vol = L.annual(L.RESID_VOL.long) if dated else L.per_period(L.RESID_VOL.long)
    assert {L.RSQUARED.long, L.RSQUARED_ADJ.long, vol, L.NOBS.long} <= set(table.index)
    assert isinstance(table, pd.DataFrame)
