"""Result objects print short and readable: scalars shown (4 significant digits), tables by their shape."""

from __future__ import annotations

import pytest

import xlfactor as xf


@pytest.fixture(scope="module")
def fitted():
    returns = xf.industry_portfolios().loc["2016":"2025", ["NoDur", "BusEq", "Money"]]
    data = xf.align(returns, xf.load_factors("FF5", "M"))
    res = xf.regress(data.returns, data.factors, rf=data.factors["RF"])
    return data, res, xf.FactorRiskModel.from_regression(res, data.factors)


def test_reprs_are_short_and_show_the_numbers(fitted):
    data, res, model = fitted
    weights = {"NoDur": 0.3, "BusEq": 0.5, "Money": 0.2}
    risk = model.portfolio_risk(weights)
    var = xf.var_es(model, weights, confidence=0.99)
    hedge = xf.hedge_to_risk_share(model, weights, target_share=0.2)
    objects = [data, res, risk, var, hedge, xf.stress(model, weights, {"Mkt-RF": -0.1})]
    for obj in objects:
        text = repr(obj)
        assert text.startswith(type(obj).__name__ + "(") and text.endswith(")")
        assert len(text.splitlines()) <= 6 and max(map(len, text.splitlines())) <= 100, text
    assert f"total_vol={risk.total_vol:.4g}," in repr(risk) and "by_asset=<3x4 DataFrame>" in repr(risk)
    assert f"var={var.var:.4g}," in repr(var) and "confidence=0.99," in repr(var)
    assert f"factor_share_after={hedge.factor_share_after:.4g}," in repr(hedge)
    assert f"returns=<{len(data.returns)}x3 DataFrame>" in repr(data)
    assert "assets=['NoDur', 'BusEq', 'Money']" in repr(res)


def test_report_analysis_repr_is_short(demo_analysis):
    text = repr(demo_analysis)
    assert text.startswith("PortfolioAnalysis(") and len(text) < 2500
    assert "weights=<Series of 12>" in text


@pytest.fixture(scope="module")
def demo_analysis(tmp_path_factory):
    return xf.build_demo_report(tmp_path_factory.mktemp("demo") / "demo.xlsx")[1]
