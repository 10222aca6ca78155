"""The argument registry and the registering decorator: each argument stated once, checked at import,
options converted before the body runs, ``headers`` applied by the decorator, and labelled results
whose top-left cell is never empty (pre-365 Excel shows only that cell of an unspilled formula)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from office_js import excel_range, serials

import xlfactor as xf
import xlfactor.excel.functions as functions
from xlfactor.excel.specs import SPECS, choice, number
from xlfactor.excel.udf import excel_function

FM = {name: getattr(functions, name) for name in functions.__all__}
LOCAL_TEXTS = {"annualize", "weights", "lags", "returns", "data", "industry", "headers", "horizon",
               "benchmark", "as_of", "cap", "cov", "halflife", "dates", "window", "freq"}  # fmt: skip


def test_every_function_ends_with_headers_and_every_argument_has_one_spec():
    """``headers`` comes after the original arguments; arguments added later (max_gross, units, lower, upper)
    follow it."""
    for name, func in FM.items():
        params = list(inspect.signature(func).parameters)
        late = [p for p in ("max_gross", "units", "lower", "upper") if p in params]
        assert params[len(params) - len(late) - 1 :] == ["headers", *late], name
        xlfunc = func.__xlfunc__
        documented = {a["name"]: a["doc"] for a in xlfunc["args"]}
        assert list(documented) == params, name
        for arg in params:  # a shared name keeps its one shared text unless the function gives a local spec
            if arg in SPECS and documented[arg] != SPECS[arg].doc:
                assert arg in LOCAL_TEXTS, (name, arg)


def test_the_decorator_refuses_what_its_own_specs_refuse():
    with pytest.raises(TypeError, match=r"default of 'cov' is refused by its spec: cov: 'white' is not one of"):

        @excel_function()
        def FM_BAD_DEFAULT(returns, cov="white"):
            """A function with a default its own parser refuses."""

    with pytest.raises(TypeError, match=r"no spec for \['colour'\]"):

        @excel_function()
        def FM_NO_SPEC(returns, colour="red"):
            """A function with an argument no spec describes."""

    with pytest.raises(TypeError, match="do not declare headers"):

        @excel_function()
        def FM_OWN_HEADERS(returns, headers=True):
            """A function declaring the argument the decorator adds."""

    with pytest.raises(TypeError, match=r"default of 'k' is refused by its spec: k: 0 is outside"):

        @excel_function(k=number("Components (at least one).", integer=True, low=1))
        def FM_LOCAL(returns, k=0):
            """A local spec is checked like a shared one."""


def test_options_arrive_converted_and_headers_is_applied_by_the_decorator():
    seen = {}

    @excel_function(view=choice('"a" or "b".', ("a", "b")))
    def FM_PROBE(returns, excess=True, lags=None, view="a"):
        """Records what the body receives."""
        seen.update(returns=returns, excess=excess, lags=lags, view=view)
        from xlfactor.excel.results import Record

        return Record({"x": 1.0})

    assert FM_PROBE([[0.1]], "false", [[3.0]], "B") == [["x", 1.0]]
    assert seen == {"returns": [[0.1]], "excess": False, "lags": 3, "view": "b"}
    assert FM_PROBE([[0.1]], None, None, None, False) == [[1.0]]  # headers FALSE: numbers only
    assert seen["excess"] is True and seen["lags"] is None and seen["view"] == "a"  # blanks give the defaults
    assert FM_PROBE([[0.1]], "maybe") == "#FM! excess: expected TRUE or FALSE, got 'maybe'"


def test_vol_budget_is_genuinely_required(engine):
    assert inspect.signature(FM["FM_POSITION_SIZE"]).parameters["vol_budget"].default is inspect.Parameter.empty
    r = xf.industry_portfolios().loc["2014-01":"2023-12", ["NoDur", "Durbl"]]
    out = engine.call("FM_POSITION_SIZE", None, excel_range(r), "FF5", serials(r.index), "Durbl")
    assert out == [["#FM! vol_budget: required; give the volatility budget in currency"]]


def test_target_share_follows_the_engine_rule(engine):
    r = xf.industry_portfolios().loc["2014-01":"2023-12", ["NoDur", "Durbl"]]
    out = engine.call("FM_HEDGE_TARGET", [[0.5, 0.5]], excel_range(r), "FF5", serials(r.index), 1)
    with pytest.raises(xf.XLFactorError) as engine_error:
        al = xf.align(r, xf.load_factors("FF5"))
        model = xf.FactorRiskModel.from_regression(xf.regress(al.returns, al.factors, rf=al.factors["RF"]), al.factors)
        xf.hedge_to_risk_share(model, [0.5, 0.5], 1.0)
    assert out == [[f"#FM! {engine_error.value}"]]


def test_no_labelled_result_has_an_empty_top_left_cell(engine):
    r = xf.industry_portfolios().loc["2014-01":"2023-12", ["NoDur", "Durbl", "Manuf"]]
    rets, dates = excel_range(r), serials(r.index)
    weights = [[0.5, 0.2, 0.3]]
    calls = [
        ("FM_BETA", rets, "FF5", dates),
        ("FM_ALPHA", rets, "FF5", dates),
        ("FM_REGRESS", excel_range(r[["NoDur"]]), "FF5", dates),
        ("FM_ROLLING_BETA", rets, "FF5", dates, 24),
        ("FM_FACTORS", "FF3", "M", 45000.0, 45400.0),
        ("FM_DATA_INFO", "FF3"),
        ("FM_COV", "FF5", dates),
        ("FM_CORR", "FF5", dates),
        ("FM_ASSET_COV", rets, "FF5", dates),
        ("FM_VAR_DECOMP", rets, "FF5", dates),
        ("FM_PORT_RISK", weights, rets, "FF5", dates),
        ("FM_RISK_CONTRIB", weights, rets, "FF5", dates),
        ("FM_RISK_CONTRIB", weights, rets, "FF5", dates, "asset"),
        ("FM_HEDGE", excel_range(r[["NoDur"]]), "FF3", dates),
        ("FM_HEDGE_TARGET", weights, rets, "FF5", dates, 0.2),
        ("FM_POSITION_SIZE", 50_000, rets, "FF5", dates, "Durbl"),
        ("FM_VAR", weights, rets, "FF5", dates),
        ("FM_STRESS", weights, rets, "FF5", dates, [["Mkt-RF", -0.1]]),
        ("FM_ZSCORE", rets),
        ("FM_PCA", rets, 2),
        ("FM_PCA", rets, 2, "factors"),
        ("FM_PCA", rets, 2, "variance"),
        ("FM_ALPHA_TEST", rets, "CAPM,FF3", dates),
    ]
    for name, *args in calls:
        out = engine.call(name, *args)
        corner = out[0][0]
        assert isinstance(corner, str) and corner and not corner.startswith("#FM!"), (name, corner)
        assert np.asarray(out, dtype=object).ndim == 2, name


def test_an_argument_over_the_cell_limit_is_refused_before_any_work(monkeypatch):
    rows = [["Date", "A", "B", "C"], *[[40000.0 + i, 0.01 * i, -0.02 * i, 0.5] for i in range(6)]]
    monkeypatch.setenv("XLFACTOR_MAX_CELLS", "27")
    assert functions.FM_ZSCORE(rows) == (
        "#FM! x: 28 cells; at most 27 per argument are taken (XLFACTOR_MAX_CELLS); select a smaller range "
        "(fewer dates or assets), or ask the administrator to raise the limit"
    )
    monkeypatch.setenv("XLFACTOR_MAX_CELLS", "28")
    assert functions.FM_ZSCORE(rows)[0][:2] == ["Row", "Date"]
    monkeypatch.setenv("XLFACTOR_MAX_CELLS", "many")
    assert functions.FM_ZSCORE(rows).startswith("#FM! XLFACTOR_MAX_CELLS: 'many' is not a number of 0 or more")
