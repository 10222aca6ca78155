"""alpha_test against statsmodels OLS on the 10 industries and the FF5 factors."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from output_labels import violations

from xlfactor.errors import XLFactorError
from xlfactor.models.cross_section.alpha_test import alpha_test


def test_alphas_side_by_side_equal_statsmodels(industries10, ff5_monthly):
    excess = industries10.sub(ff5_monthly["RF"], axis=0).dropna().loc["1990":]
    sets = {
        "CAPM": ff5_monthly[["Mkt-RF"]],
        "FF3": ff5_monthly[["Mkt-RF", "SMB", "HML"]],
        "FF5": ff5_monthly.loc["1995":, ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF"]],  # shorter; RF not a regressor
    }
    res = alpha_test(excess, sets, cov="hac", lags=3)
    assert list(res.alpha.columns) == ["CAPM", "FF3", "FF5"] and list(res.alpha.index) == list(excess.columns)
    assert (res.nobs.nunique(axis=1) == 1).all()  # common sample
    for name, cols in [
        ("CAPM", ["Mkt-RF"]),
        ("FF3", ["Mkt-RF", "SMB", "HML"]),
        ("FF5", ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]),
    ]:
        for asset in ["NoDur", "HiTec"]:
            y = excess[asset].loc["1995":]
            x = sm.add_constant(ff5_monthly.loc[y.index, cols])
            fit = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
            assert res.alpha.loc[asset, name] == pytest.approx(fit.params["const"], rel=1e-10)
            assert res.tvalues.loc[asset, name] == pytest.approx(fit.tvalues["const"], rel=1e-10)
            assert res.rsquared.loc[asset, name] == pytest.approx(fit.rsquared, rel=1e-10)
            if (name, asset) == ("FF3", "HiTec"):
                fit_ff3_hitec = fit
    table = res.summary("HiTec")
    assert list(table.index) == ["CAPM", "FF3", "FF5"]
    # headed by the label module's short forms; HAC p-values come from the normal (statsmodels' P>|z|)
    assert list(table.columns) == ["Alpha", "Alpha (ann.)", "t", "P>|z|", "R2", "Obs"]
    assert violations(table.columns, table.index, "summary()") == []
    np.testing.assert_allclose(table["Alpha (ann.)"], 12 * table["Alpha"])
    assert table.loc["FF3", "P>|z|"] == pytest.approx(fit_ff3_hitec.pvalues["const"], rel=1e-10)
    assert (table["Obs"] == res.nobs.loc["HiTec"]).all()
    assert list(alpha_test(excess, sets).summary("HiTec").columns)[3] == "P>|t|"  # nonrobust: t distribution
    own = alpha_test(excess, sets, common_sample=False)
    assert own.nobs.loc["NoDur", "CAPM"] > own.nobs.loc["NoDur", "FF5"]


def test_bad_factor_sets(industries10):
    with pytest.raises(XLFactorError, match="factor_sets"):
        alpha_test(industries10, {})
    with pytest.raises(XLFactorError, match="factor_sets"):
        alpha_test(industries10, {"CAPM": [1, 2]})
