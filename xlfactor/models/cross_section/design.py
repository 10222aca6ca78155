"""Aligned cross-sectional design: characteristics, industries and weights on one date x asset grid.

Everything in the cross-sectional package reads its panel inputs through :class:`PanelDesign`,
which stacks them on the grid of the returns panel and builds the per-date design matrix
``X_t`` (an optional intercept/market column, industry dummies, style characteristics),
the regression weights ``w_t``, the estimation universe and, for a market plus a full set of
industries, the restriction matrix ``R_t`` (see :func:`restriction_matrices`), a block of
dates at a time so that memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlfactor.errors import XLFactorError
from xlfactor.models._validate import listed, whole_number
from xlfactor.models.units import check_panel_values

Characteristics = Mapping[str, pd.DataFrame] | pd.DataFrame


def as_characteristics(x: Characteristics, arg: str) -> dict[str, pd.DataFrame]:
    """Normalise a characteristics panel to a dict name -> DataFrame (dates x assets).

    Accepts the primary form, a mapping name -> DataFrame, or a DataFrame whose columns are a
    two-level MultiIndex (characteristic, asset).
    """
    if isinstance(x, pd.DataFrame):
        if not isinstance(x.columns, pd.MultiIndex) or x.columns.nlevels != 2:
            raise XLFactorError.at(
                arg,
                "a DataFrame needs two-level columns (characteristic, asset); "
                "or pass a dict name -> DataFrame (dates x assets)",
            )
        names = list(dict.fromkeys(x.columns.get_level_values(0)))
        return {str(n): x[n] for n in names}
    if isinstance(x, Mapping):
        if not x:
            raise XLFactorError.at(arg, "no characteristics given; pass at least one name -> DataFrame")
        out = {}
        for name, frame in x.items():
            if not isinstance(frame, pd.DataFrame):
                raise XLFactorError.at(arg, f"'{name}' must be a DataFrame (dates x assets)")
            out[str(name)] = frame
        return out
    raise XLFactorError.at(arg, "expected a dict name -> DataFrame (dates x assets) or a MultiIndex-column DataFrame")


def as_float_frame(
    frame: pd.DataFrame,
    dates: pd.Index,
    assets: pd.Index,
    arg: str,
    lag: int = 0,
    what: str = "",
    *,
    label: str = "",
    low: str = "",
) -> np.ndarray:
    """``frame`` on the (dates, assets) grid as float64, shifted down ``lag`` rows (missing -> NaN).

    With ``what`` (e.g. ``"characteristic"``, ``"cap"``) each cell on the grid must be a usable
    number (:func:`xlfactor.models.units.check_panel_values` with ``label`` and ``low``), checked
    before the shift so that the message names the cell as given.
    """
    try:
        values = frame.reindex(index=dates, columns=assets).astype(float)
    except (TypeError, ValueError) as exc:
        raise XLFactorError.at(arg, f"values must be numbers ({exc})") from None
    if what:
        check_panel_values(values.to_numpy(), dates, assets, arg, what, label=label, low=low)
    if lag:
        values = values.shift(lag)
    return values.to_numpy(dtype=float)


def as_grid(
    x: pd.Series | pd.DataFrame | None,
    dates: pd.Index,
    assets: pd.Index,
    arg: str,
    lag: int = 0,
    what: str = "",
    low: str = "",
):
    """A per-asset Series (static, shape (N,)) or a dates x assets DataFrame (shape (T, N)) as floats
    (``what``, ``low``: the cell rule of :func:`as_float_frame`)."""
    if x is None:
        return None
    if isinstance(x, pd.Series):
        try:
            values = x.reindex(assets).astype(float).to_numpy()
        except (TypeError, ValueError) as exc:
            raise XLFactorError.at(arg, f"values must be numbers ({exc})") from None
        if what:
            check_panel_values(values, None, assets, arg, what, low=low)
        return values
    if isinstance(x, pd.DataFrame):
        return as_float_frame(x, dates, assets, arg, lag, what, low=low)
    raise XLFactorError.at(arg, "expected a Series (asset -> value) or a DataFrame (dates x assets)")


def industry_codes(industries, dates: pd.Index, assets: pd.Index, lag: int = 0) -> tuple[np.ndarray, list[str]]:
    """Integer industry codes (-1 = missing) on the grid, shape (N,) or (T, N), and the sorted labels."""
    if isinstance(industries, pd.Series):
        labels = industries.reindex(assets)
    elif isinstance(industries, pd.DataFrame):
        labels = industries.reindex(index=dates, columns=assets)
        if lag:
            labels = labels.shift(lag)
    else:
        raise XLFactorError.at(
            "industries", "expected a Series (asset -> label) or a DataFrame (dates x assets) of labels"
        )
    flat = labels.to_numpy().ravel()
    codes, names = pd.factorize(pd.Series(flat, dtype=object).map(lambda v: v if pd.isna(v) else str(v)), sort=True)
    if len(names) == 0:
        raise XLFactorError.at("industries", "no asset of 'returns' has an industry label")
    return codes.reshape(labels.shape), [str(n) for n in names]


#: Assets per tile when copying rows of column-major (pandas) arrays into row-major buffers.
COPY_TILE = 512


def copy_rows(src: np.ndarray, t0: int, t1: int, out: np.ndarray | None = None) -> np.ndarray:
    """``src[t0:t1]`` (dates x assets) into the row-major ``out``, tile by tile of assets.

    pandas hands over column-major arrays; a tiled copy keeps each tile's reads and writes in
    cache, about twice as fast as one strided transposing copy.
    """
    if out is None:
        out = np.empty((t1 - t0, src.shape[1]), dtype=src.dtype)
    if src.flags.c_contiguous:
        out[...] = src[t0:t1]
        return out
    for a0 in range(0, src.shape[1], COPY_TILE):
        out[:, a0 : a0 + COPY_TILE] = src[t0:t1, a0 : a0 + COPY_TILE]
    return out


def restriction_matrices(caps: np.ndarray, first: int, n_factors: int) -> np.ndarray:
    """Restriction matrices ``R_t`` (shape (T, K, K-1)) imposing sum_j c_tj f_tj = 0 over industries.

    The factor vector is ``f = [market, industry_1..industry_J, styles]`` with industry columns
    ``first .. first+J-1``; ``caps`` (T, J) holds each industry's total constraint weight c_tj.
    The industry with the largest c_tj on date t is the base b: ``f = R g`` keeps every other
    factor as a free parameter and sets ``f_b = -sum_{j != b} (c_tj / c_tb) g_j``. Empty
    industries (c_tj = 0) get a zero column in ``X R``; callers pin their parameter to zero.
    """
    n_dates, n_ind = caps.shape
    base = first + np.argmax(caps, axis=1)
    m = np.arange(n_factors - 1)
    free = m[None, :] + (m[None, :] >= base[:, None])
    rows = np.arange(n_dates)[:, None]
    r = np.zeros((n_dates, n_factors, n_factors - 1))
    r[rows, free, m[None, :]] = 1.0
    base_cap = caps[np.arange(n_dates), base - first]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = caps / base_cap[:, None]
    ratio = np.nan_to_num(ratio)
    is_ind = (free >= first) & (free < first + n_ind)
    coef = np.where(is_ind, -ratio[rows, np.clip(free - first, 0, n_ind - 1)], 0.0)
    r[np.arange(n_dates), base, :] = coef
    return r


@dataclass(frozen=True)
class DesignBlock:
    """The design of a block of T dates in factored form (the dense ``X`` is never needed to fit).

    ``valid`` (T, N) universe; ``w`` (T, N) weights, zero outside it; ``styles_and_y``
    (T, P + 1, N) buffer whose first P rows are the styles (zero outside the universe) and whose
    last row :meth:`normal_equations` fills with y; ``codes`` industry codes, (N,) static or
    (T, N), where code ``n_ind`` means "no industry" (None without industries); ``intercept``;
    ``r`` restriction matrices or None; ``empty`` (T, K) factors with no asset on that date
    (their returns are undefined); ``unit_weights`` whether w is the 0/1 universe indicator;
    ``index_cache`` the shared cache of :meth:`group_sums`.
    """

    valid: np.ndarray
    w: np.ndarray
    styles_and_y: np.ndarray
    codes: np.ndarray | None
    intercept: bool
    n_ind: int
    r: np.ndarray | None
    empty: np.ndarray
    unit_weights: bool = False
    index_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def styles(self) -> np.ndarray:
        """Style exposures (T, P, N), zero outside the universe."""
        return self.styles_and_y[:, :-1]

    @property
    def n_factors(self) -> int:
        return int(self.intercept) + self.n_ind + self.styles.shape[1]

    def group_sums(self, z: np.ndarray) -> np.ndarray:
        """Per-industry sums over assets of ``z`` (T, m, N): shape (T, m, J), one flat bincount.

        Entries outside the universe must be zero in ``z`` (they are, since ``w`` is). With static
        industries the flat bin index is cached per block shape across blocks.
        """
        n_t, m, _ = z.shape
        bins = self.n_ind + 1
        key = (n_t, m)
        index = self.index_cache.get(key) if self.codes.ndim == 1 else None
        if index is None:
            slot = (np.arange(n_t * m) * bins).reshape(n_t, m, 1)
            codes = self.codes[None, None, :] if self.codes.ndim == 1 else self.codes[:, None, :]
            index = (slot + codes).ravel()
            if self.codes.ndim == 1:
                self.index_cache[key] = index
        sums = np.bincount(index, weights=z.ravel(), minlength=n_t * m * bins)
        return sums.reshape(n_t, m, bins)[:, :, : self.n_ind]

    def normal_equations(self, y0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``A_t = X_t' W_t X_t`` (T, K, K) and ``b_t = X_t' W_t y_t`` (T, K), from block sums.

        With ``X = [1, D, S]``: the intercept/industry blocks are sums (by industry) of w, w y and
        w S; the style block is the batched product :math:`(W S)' [S, y]`. Overwrites the last
        row of ``styles_and_y`` with ``y0`` (y, zero outside the universe).
        """
        w, s = self.w, self.styles
        n_t, p, n_a = s.shape
        sy = self.styles_and_y
        sy[:, p] = y0
        # with unit weights w is the 0/1 universe, where s and y0 are already zero
        wsy = sy if self.unit_weights else sy * w[:, None, :]
        ss = wsy[:, :p] @ np.swapaxes(sy, 1, 2)
        k = self.n_factors
        a = np.zeros((n_t, k, k))
        b = np.zeros((n_t, k))
        first = int(self.intercept)
        sty = slice(first + self.n_ind, k)
        a[:, sty, sty] = ss[:, :, :p]
        b[:, sty] = ss[:, :, p]
        if self.intercept:
            tot = wsy.sum(axis=2)
            a[:, 0, 0] = w.sum(axis=1)
            b[:, 0] = tot[:, p]
            a[:, 0, sty] = a[:, sty, 0] = tot[:, :p]
        if self.n_ind:
            g = self.group_sums(wsy)
            gw = self.group_sums(w[:, None, :])[:, 0]
            ind = np.arange(first, first + self.n_ind)
            a[:, ind, ind] = gw
            b[:, ind] = g[:, p]
            a[:, sty, first : first + self.n_ind] = g[:, :p]
            a[:, first : first + self.n_ind, sty] = np.swapaxes(g[:, :p], 1, 2)
            if self.intercept:
                a[:, 0, ind] = a[:, ind, 0] = gw
        return a, b

    def predict(self, coef: np.ndarray) -> np.ndarray:
        """``X_t f_t`` for every date (T, N); zero outside the universe."""
        first = int(self.intercept)
        fitted = (coef[:, None, first + self.n_ind :] @ self.styles)[:, 0, :]
        if self.intercept:
            fitted += coef[:, :1]
        if self.n_ind:
            f_ind = np.zeros((coef.shape[0], self.n_ind + 1))
            f_ind[:, :-1] = np.nan_to_num(coef[:, first : first + self.n_ind])
            if self.codes.ndim == 1:
                fitted += f_ind[:, self.codes]
            else:
                fitted += np.take_along_axis(f_ind, self.codes, axis=1)
        return np.where(self.valid, fitted, 0.0)

    def dense(self) -> np.ndarray:
        """The full design ``X`` (T, N, K), zero outside the universe."""
        cols = []
        if self.intercept:
            cols.append(self.valid[:, :, None].astype(float))
        if self.n_ind:
            codes = np.broadcast_to(self.codes, self.valid.shape)
            cols.append(((codes[:, :, None] == np.arange(self.n_ind)) & self.valid[:, :, None]).astype(float))
        cols.append(np.swapaxes(self.styles, 1, 2))
        return np.concatenate(cols, axis=2)


@dataclass(frozen=True)
class PanelDesign:
    """Cross-sectional inputs aligned on one (dates x assets) grid.

    Factor order: ``[intercept_name]`` (if ``intercept``), the industries (sorted labels), the
    style characteristics in the order given.
    """

    dates: pd.Index
    assets: pd.Index
    styles: tuple[np.ndarray, ...]
    style_names: tuple[str, ...]
    codes: np.ndarray | None
    industry_names: tuple[str, ...]
    weights: np.ndarray | None
    caps: np.ndarray | None
    intercept: bool
    intercept_name: str
    constrained: bool
    index_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        dates: pd.Index,
        assets: pd.Index,
        styles: Characteristics | None,
        *,
        industries=None,
        weights=None,
        caps=None,
        intercept: bool = True,
        intercept_name: str = "Market",
        exposure_lag: int = 0,
        styles_arg: str = "exposures",
    ) -> PanelDesign:
        """Align the inputs on (dates, assets); see the module docstring."""
        exposure_lag = whole_number(exposure_lag, "exposure_lag", 0)
        chars = as_characteristics(styles, styles_arg) if styles is not None else {}
        arrays = tuple(
            as_float_frame(f, dates, assets, styles_arg, exposure_lag, "characteristic", label=f"'{n}'")
            for n, f in chars.items()
        )
        codes, ind_names = (None, [])
        if industries is not None:
            codes, ind_names = industry_codes(industries, dates, assets, exposure_lag)
        names = ([intercept_name] if intercept else []) + ind_names + list(chars)
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise XLFactorError.at(
                "exposures",
                f"factor name(s) {listed(dupes)} used twice (industry labels vs characteristics); rename one",
            )
        if not names:
            raise XLFactorError.at("exposures", "nothing to regress on; give exposures, industries or market=True")
        caps_arr = as_grid(caps, dates, assets, "caps", exposure_lag, "market cap", "positive")
        w_arr = as_grid(weights, dates, assets, "weights", exposure_lag, "regression weight", "non-negative")
        if w_arr is None and caps_arr is not None:
            with np.errstate(invalid="ignore"):
                w_arr = np.sqrt(caps_arr)
        return cls(
            dates=dates,
            assets=assets,
            styles=arrays,
            style_names=tuple(chars),
            codes=codes,
            industry_names=tuple(ind_names),
            weights=w_arr,
            caps=caps_arr,
            intercept=intercept,
            intercept_name=intercept_name,
            constrained=intercept and codes is not None,
        )

    @property
    def has_constant(self) -> bool:
        """Whether the design spans a constant (an intercept or a full set of industry dummies)."""
        return self.intercept or self.codes is not None

    @property
    def factor_names(self) -> list[str]:
        return ([self.intercept_name] if self.intercept else []) + list(self.industry_names) + list(self.style_names)

    def _rows(self, arr: np.ndarray | None, t0: int, t1: int) -> np.ndarray | None:
        if arr is None:
            return None
        if arr.ndim == 1:
            return np.broadcast_to(arr, (t1 - t0, arr.shape[0]))
        return copy_rows(arr, t0, t1)

    def block(self, t0: int, t1: int, y: np.ndarray | None = None) -> DesignBlock:
        """The design of dates ``t0 .. t1-1``; ``y`` (t1-t0, N) restricts the universe to finite values.

        Universe of date t: assets with a finite ``y`` (if given), every style finite, an industry
        label (if industries are used) and a finite positive weight (and cap, for the constraint).
        """
        n_t, n_a = t1 - t0, len(self.assets)
        valid = np.ones((n_t, n_a), dtype=bool) if y is None else np.isfinite(y)
        codes = None
        buffer = np.empty((n_t, len(self.styles) + 1, n_a))  # C order: pandas hands over column-major arrays
        styles = buffer[:, :-1]
        for j, s in enumerate(self.styles):
            copy_rows(s, t0, t1, styles[:, j, :])
        if self.styles:
            valid &= np.isfinite(styles.sum(axis=1))
        if self.codes is not None:
            codes = self.codes if self.codes.ndim == 1 else copy_rows(self.codes, t0, t1)
            valid &= codes >= 0
        w = self._rows(self.weights, t0, t1)
        caps = self._rows(self.caps, t0, t1) if self.constrained else None
        with np.errstate(invalid="ignore"):
            if w is not None:
                valid &= np.isfinite(w) & (w > 0)
            if caps is not None:
                valid &= np.isfinite(caps) & (caps > 0)
        unit = w is None
        w = valid.astype(float) if unit else np.where(valid, w, 0.0)
        if not valid.all():
            np.copyto(styles, 0.0, where=~valid[:, None, :])
        n_ind = len(self.industry_names)
        k = len(self.factor_names)
        empty = np.zeros((n_t, k), dtype=bool)
        if codes is None:
            return DesignBlock(valid, w, buffer, None, self.intercept, 0, None, empty, unit, self.index_cache)
        codes = np.where(codes >= 0, codes, n_ind)
        if codes.ndim == 2:
            codes = np.where(valid, codes, n_ind)
        block = DesignBlock(valid, w, buffer, codes, self.intercept, n_ind, None, empty, unit, self.index_cache)
        first = int(self.intercept)
        c = np.where(valid, caps, 0.0) if caps is not None else w
        sums = block.group_sums(np.stack([w, c], axis=1))
        empty[:, first : first + n_ind] = sums[:, 0] == 0
        r = restriction_matrices(sums[:, 1], first, k) if self.constrained else None
        return DesignBlock(valid, w, buffer, codes, self.intercept, n_ind, r, empty, unit, self.index_cache)
