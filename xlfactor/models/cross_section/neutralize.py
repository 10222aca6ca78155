"""Neutralise a signal against controls: the per-date weighted regression residual."""

from __future__ import annotations

import pandas as pd

from xlfactor.models.cross_section.design import Characteristics, PanelDesign
from xlfactor.models.cross_section.regression import check_returns, fit_panel


def neutralize(
    signal: pd.DataFrame,
    controls: Characteristics | None = None,
    weights: pd.Series | pd.DataFrame | None = None,
    *,
    industries: pd.Series | pd.DataFrame | None = None,
    intercept: bool = True,
) -> pd.DataFrame:
    """Residual of the per-date WLS of a signal on controls (and industries).

    .. math::
        \\tilde s_t = s_t - X_t (X_t' W_t X_t)^{-1} X_t' W_t s_t, \\qquad
        X_t' W_t \\tilde s_t = 0

    so the neutralised signal is weighted-orthogonal to every control (and to the constant and
    each industry dummy): a portfolio with weights :math:`W_t \\tilde s_t` has zero exposure to
    all of them.

    Parameters
    ----------
    signal : DataFrame
        Dates x assets.
    controls : dict name -> DataFrame or (characteristic, asset)-column DataFrame, optional
        Characteristics to neutralise against (e.g. size, beta).
    weights : Series or DataFrame, optional
        Regression weights w (default equal).
    industries : Series or DataFrame of labels, optional
        Also neutralise against industry dummies (they include the constant, so the intercept
        is then implied).
    intercept : bool
        Include a constant (de-mean the signal, weighted).

    Returns
    -------
    DataFrame
        Same grid as ``signal``; NaN where the signal, a control, the industry or the weight is
        missing, and on dates that are singular or have too few assets.
    """
    signal = check_returns(signal, "signal", units=None)
    design = PanelDesign.build(
        signal.index,
        signal.columns,
        controls,
        industries=industries,
        weights=weights,
        intercept=intercept and industries is None,
        intercept_name="const",
        styles_arg="controls",
    )
    _, resid, _, _ = fit_panel(design, signal.to_numpy(), len(design.factor_names) + 1)
    return pd.DataFrame(resid, index=signal.index, columns=signal.columns)
