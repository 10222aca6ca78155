"""The cross-sectional FM_ functions through xlwings' Office.js engine equal the Python API.

Panels are laid out as a user would in Excel: a long table (header row; Date as serial
numbers, Asset names, Return, characteristics, Industry labels, Cap) or wide ranges with a
header row. Each spilled result is compared with the direct ``xlfactor`` call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xlwings.server as server
from office_js import EPOCH, Engine, excel_range, long_cells, long_panel, serials, spilled, wide

import xlfactor as xf
import xlfactor.excel.fm.cross_section as xsf
from xlfactor.excel.udf import EXCEL_TEXT_LIMIT

TOL = {"rtol": 1e-12, "atol": 1e-15}
NAMES = {"FM_ZSCORE", "FM_NEUTRALIZE", "FM_XS_FACTOR_RETURNS", "FM_CHAR_PORTFOLIO", "FM_FAMA_MACBETH", "FM_PCA",
         "FM_ALPHA_TEST", "FM_SPECIFIC_RISK", "FM_XS_ASSET_COV"}  # fmt: skip


@pytest.fixture(scope="module")
def engine():
    eng = Engine(xsf)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def panel():
    """8 months x 60 assets, two characteristics, 4 industries, caps; a few blank returns."""
    return long_panel()


def assert_frame(result, expected: pd.DataFrame) -> None:
    got = spilled(result)
    assert [str(c) for c in got.columns] == [str(c) for c in expected.columns]
    assert len(got) == len(expected)
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float), **TOL)


def test_meta_lists_the_functions_with_descriptions():
    meta = server.custom_functions_meta(xsf)
    by_name = {f["name"]: f for f in meta["functions"]}
    assert set(by_name) == NAMES
    for name, func in by_name.items():
        assert 20 < len(func["description"]) <= EXCEL_TEXT_LIMIT, name
        for param in func["parameters"]:
            assert 10 < len(param["description"]) <= EXCEL_TEXT_LIMIT, (name, param["name"])


def test_xs_factor_returns(engine, panel):
    cells = long_cells(panel, ["Return", "Value", "Momentum", "Industry", "Cap"])
    out = engine.call("FM_XS_FACTOR_RETURNS", cells, "Industry", "Cap")
    res = xf.cross_sectional_regress(
        wide(panel, "Return"),
        {"Value": wide(panel, "Value"), "Momentum": wide(panel, "Momentum")},
        industries=wide(panel, "Industry"),
        caps=wide(panel, "Cap"),
    )
    expected = res.factor_returns.assign(R2=res.rsquared)
    assert_frame(out, expected)
    assert list(spilled(out).index) == list(expected.index)  # dates come back as dates


def test_char_portfolio(engine, panel):
    cells = long_cells(panel, ["Return", "Value", "Momentum", "Industry", "Cap"])
    date = panel.index.get_level_values(0)[130]
    serial = float((date - EPOCH) / pd.Timedelta(days=1))
    out = engine.call("FM_CHAR_PORTFOLIO", cells, serial, "Industry", "Cap")
    res = xf.cross_sectional_regress(
        wide(panel, "Return"),
        {"Value": wide(panel, "Value"), "Momentum": wide(panel, "Momentum")},
        industries=wide(panel, "Industry"),
        caps=wide(panel, "Cap"),
    )
    assert_frame(out, res.characteristic_portfolios(date).T)


def test_xs_asset_cov_is_x_f_x_plus_s(engine, panel):
    """X F X' + S by hand: X the design on the date, F the ddof=0 covariance of the factor returns up to it,
    S the mean squared residual of each asset up to it, both times 12 (monthly dates)."""
    cells = long_cells(panel, ["Return", "Value", "Momentum", "Industry", "Cap"])
    date = panel.index.get_level_values(0).unique()[6]
    serial = float((date - EPOCH) / pd.Timedelta(days=1))
    got = spilled(engine.call("FM_XS_ASSET_COV", cells, serial, "Industry", "Cap"))
    res = xf.cross_sectional_regress(
        wide(panel, "Return"),
        {"Value": wide(panel, "Value"), "Momentum": wide(panel, "Momentum")},
        industries=wide(panel, "Industry"),
        caps=wide(panel, "Cap"),
    )
    x = res.exposures(date)
    f = res.factor_returns.loc[:date, x.columns]
    f_cov = np.cov(f.to_numpy(), rowvar=False, ddof=0) * 12
    e = res.resid.loc[:date, x.index]
    s = (e**2).mean() * 12
    expected = x.to_numpy() @ f_cov @ x.to_numpy().T + np.diag(s.to_numpy())
    assert list(got.index) == list(x.index) and list(got.columns) == list(x.index)
    np.testing.assert_allclose(got.to_numpy(float), expected, rtol=1e-12)
    last = spilled(engine.call("FM_XS_ASSET_COV", cells, None, "Industry", "Cap", None, None, False))
    model = xf.xs_risk_model(res, annualize=False)
    np.testing.assert_allclose(last.to_numpy(float), model.asset_cov().to_numpy(), **TOL)


def test_neutralize_one_value_per_table_row(engine, panel):
    cells = long_cells(panel, ["Return", "Value", "Industry", "Cap"])
    out = engine.call("FM_NEUTRALIZE", cells, "Industry", "Cap")
    assert out[0] == ["Neutralized"] and len(out) == len(panel) + 1
    expected = xf.neutralize(
        wide(panel, "Return"), {"Value": wide(panel, "Value")}, wide(panel, "Cap"), industries=wide(panel, "Industry")
    )
    expected = expected.stack(future_stack=True).reindex(panel.index).to_numpy()
    got = np.array([np.nan if r[0] == "" else r[0] for r in out[1:]], dtype=float)
    np.testing.assert_allclose(got, expected, **TOL)
    assert np.isnan(got[5])  # a blank return stays blank


def test_fama_macbeth(engine, panel):
    cells = long_cells(panel, ["Return", "Value", "Momentum"])
    out = spilled(engine.call("FM_FAMA_MACBETH", cells, 2))
    res = xf.fama_macbeth(
        wide(panel, "Return"), {"Value": wide(panel, "Value"), "Momentum": wide(panel, "Momentum")}, lags=2
    )
    np.testing.assert_allclose(
        out.loc[["const", "Value", "Momentum"]].to_numpy(dtype=float), res.summary().to_numpy(), **TOL
    )
    assert out.loc["Average R-squared", "coef"] == pytest.approx(res.avg_rsquared, rel=1e-12)
    assert out.loc["Periods", "coef"] == 8


def test_zscore_with_cap_weights(engine, panel):
    x, caps = wide(panel, "Value"), wide(panel, "Cap")
    out = engine.call("FM_ZSCORE", excel_range(x), excel_range(caps), 2.5)
    expected = xf.standardize(x, caps.set_axis(x.index), winsor=2.5)
    assert_frame(out, expected.set_axis(range(1, 9)))
    out = engine.call("FM_ZSCORE", excel_range(x), excel_range(caps), 2.5, "clip_z")
    expected = xf.standardize(x, caps.set_axis(x.index), winsor=2.5, method="clip_z")
    assert_frame(out, expected.set_axis(range(1, 9)))


def test_pca_loadings_and_variance(engine):
    r = xf.industry_portfolios().loc["2000":"2020"]
    res = xf.pca_factors(r, 2)
    assert_frame(engine.call("FM_PCA", excel_range(r), 2), res.loadings)
    variance = pd.DataFrame({"Eigenvalue": res.eigenvalues, "Explained": res.explained_variance_ratio})
    assert_frame(engine.call("FM_PCA", excel_range(r), 2, "variance"), variance)


def test_alpha_test_models_side_by_side(engine):
    r = xf.industry_portfolios().loc["2010":"2020", ["NoDur", "BusEq"]]
    out = engine.call("FM_ALPHA_TEST", excel_range(r), [["CAPM", "FF3", "FF5"]], serials(r.index))
    sets = {m: xf.align(r, xf.load_factors(m, "M")) for m in ["CAPM", "FF3", "FF5"]}
    res = xf.alpha_test(sets["CAPM"].returns, {m: a.factors for m, a in sets.items()}, rf=sets["CAPM"].factors["RF"])
    expected = pd.DataFrame(
        {
            f"{m} {k}": (res.alpha_annualized if k == "alpha" else res.tvalues)[m]
            for m in ["CAPM", "FF3", "FF5"]
            for k in ["alpha", "t"]
        }
    )
    assert_frame(out, expected)
    text = engine.call("FM_ALPHA_TEST", excel_range(r), "CAPM,FF3", serials(r.index))
    assert spilled(text).shape == (2, 4)


def test_bad_inputs_read_fm_errors(engine, panel):
    cells = long_cells(panel, ["Return", "Value", "Industry"])
    text = engine.call("FM_XS_FACTOR_RETURNS", cells, "Sector")[0][0]
    assert text.startswith("#FM! data: no column named 'Sector'"), text
    text = engine.call("FM_XS_FACTOR_RETURNS", cells[1:])[0][0]
    assert text.startswith("#FM! data: expected a header row"), text
    bad = [row[:] for row in cells]
    bad[3][2] = "n/a"
    text = engine.call("FM_FAMA_MACBETH", [[r[0], r[1], r[2], r[3]] for r in bad])[0][0]
    assert text.startswith("#FM! data: row 4") and "'n/a'" in text, text
    text = engine.call("FM_PCA", excel_range(wide(panel, "Value")), 0)[0][0]
    assert text.startswith("#FM! k:"), text
