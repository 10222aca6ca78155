"""Per-date standardisation of characteristics (winsorise, cap-weighted de-mean, z-score) and dummies."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import fraction_pair, positive_number
from xlfactor.models.cross_section.design import as_grid
from xlfactor.models.units import check_panel_values

#: The winsorising methods: clip raw values (``std``, ``percentile``), or clip the z-scores after standardising.
CLIP_Z = "clip_z"
METHODS = ("std", "percentile", CLIP_Z)


def _standardize_array(x: np.ndarray, w: np.ndarray | None, winsor: float | None, method: str, pct) -> np.ndarray:
    """Rows of ``x`` (T, N) standardised; NaN stays NaN."""
    x = x.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        if winsor is not None and method == "std":
            mean = np.nanmean(x, axis=1, keepdims=True)
            sd = np.nanstd(x, axis=1, keepdims=True)
            x = np.clip(x, mean - winsor * sd, mean + winsor * sd)
        elif method == "percentile":
            lo, hi = np.nanquantile(x, pct, axis=1, keepdims=True)
            x = np.clip(x, lo, hi)
        if w is None:
            center = np.nanmean(x, axis=1, keepdims=True)
        else:
            w = np.broadcast_to(w, x.shape)
            use = np.isfinite(x) & np.isfinite(w) & (w > 0)
            center = (np.where(use, x * w, 0).sum(axis=1) / np.where(use, w, 0).sum(axis=1))[:, None]
        sd = np.nanstd(x, axis=1, keepdims=True)
        z = np.where(sd > 0, (x - center) / sd, np.nan)
    if method == CLIP_Z and winsor is not None:
        z = np.clip(z, -winsor, winsor)
    return z


def standardize(
    x: pd.DataFrame | Mapping[str, pd.DataFrame],
    weights: pd.Series | pd.DataFrame | None = None,
    *,
    winsor: float | None = 3.0,
    method: str = "std",
    percentiles: tuple[float, float] = (0.01, 0.99),
) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """Standardise a characteristic across assets on every date (Barra style).

    Per date t, over the assets with a value:

    1. winsorise: ``method="std"`` clips once at :math:`\\bar x \\pm k\\,s` (equal-weighted mean and
       population standard deviation of the raw values, ``k = winsor``; no iteration);
       ``method="percentile"`` clips at the per-date ``percentiles`` quantiles (linear
       interpolation); ``winsor=None`` with ``method="std"`` skips this step;
    2. centre on the ``weights``-weighted mean :math:`\\mu_w = \\sum w x / \\sum w` (market caps for
       the usual cap-weighted de-meaning; assets without a positive weight still get a score but
       do not enter the mean), or the equal-weighted mean if ``weights`` is None;
    3. divide by the equal-weighted population standard deviation :math:`s_x` of the winsorised
       values:

    .. math::  z_{tn} = (x^{w}_{tn} - \\mu_{w,t}) / s_{x,t}

    so each date's scores have cap-weighted mean 0 and equal-weighted standard deviation 1.
    Dates with a constant characteristic give NaN. A value that is infinite or above
    :data:`~xlfactor.models.units.MAX_MAGNITUDE` in size, and a negative weight, are refused naming
    the asset and date (they would blank the whole date).

    ``method="clip_z"`` follows the course notes' order instead: no step 1; standardise the raw
    values (steps 2 and 3), then clip the scores at ``+/- winsor``:
    :math:`z_{tn} = \\mathrm{clip}((x_{tn} - \\mu_{w,t}) / s_{x,t}, -k, k)` (the clipped scores'
    mean and standard deviation then differ slightly from 0 and 1).

    Parameters
    ----------
    x : DataFrame (dates x assets) or dict name -> DataFrame
        One characteristic, or several (each standardised separately; a dict is returned).
    weights : Series (asset -> weight) or DataFrame (dates x assets), optional
        De-meaning weights, usually market caps.
    winsor : float or None
        k of the k-standard-deviation winsorisation (``"std"``), or the clip of the scores
        (``"clip_z"``); None skips it.
    method : {"std", "percentile", "clip_z"}
    percentiles : (float, float)
        Lower and upper quantiles (fractions) for ``method="percentile"``.
    """
    if method not in METHODS:
        raise XLFactorError.at("method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    if method == "percentile":
        percentiles = fraction_pair(percentiles, "percentiles", closed=True)
    if winsor is not None:
        winsor = positive_number(winsor, "winsor", "a positive number of standard deviations or None")
    if isinstance(x, Mapping):
        return {
            name: standardize(frame, weights, winsor=winsor, method=method, percentiles=percentiles)
            for name, frame in x.items()
        }
    if not isinstance(x, pd.DataFrame):
        raise XLFactorError.at("x", "expected a DataFrame (dates x assets) or a dict name -> DataFrame")
    try:
        values = x.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise XLFactorError.at("x", "characteristic values must be numbers; use dummy_exposures for labels") from None
    check_panel_values(values, x.index, x.columns, "x", "characteristic")
    w = as_grid(weights, x.index, x.columns, "weights", what="weight", low="non-negative")
    z = _standardize_array(values, w, winsor, method, percentiles)
    return pd.DataFrame(z, index=x.index, columns=x.columns)


def dummy_exposures(labels: pd.Series | pd.DataFrame, dates: pd.Index | None = None) -> dict[str, pd.DataFrame]:
    """Categorical characteristic (industry, country) as 0/1 dummy exposures, one per label.

    Parameters
    ----------
    labels : Series (asset -> label, static; needs ``dates``) or DataFrame (dates x assets)
    dates : Index, optional
        Dates for a static Series.

    Returns
    -------
    dict label -> DataFrame (dates x assets)
        1.0 where the asset carries the label, 0.0 where it carries another, NaN where unlabelled.
    """
    if isinstance(labels, pd.Series):
        if dates is None:
            raise XLFactorError.at("dates", "a static Series of labels needs the dates to spread them over")
        labels = pd.DataFrame(
            np.tile(labels.to_numpy(dtype=object), (len(dates), 1)), index=dates, columns=labels.index
        )
    elif not isinstance(labels, pd.DataFrame):
        raise XLFactorError.at("labels", "expected a Series (asset -> label) or a DataFrame (dates x assets)")
    values = labels.to_numpy(dtype=object)
    missing = pd.isna(values)
    names = sorted({str(v) for v in values[~missing]})
    text = np.where(missing, None, values.astype(str))
    return {
        name: pd.DataFrame(
            np.where(missing, np.nan, (text == name).astype(float)), index=labels.index, columns=labels.columns
        )
        for name in names
    }
