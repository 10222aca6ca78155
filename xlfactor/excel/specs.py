"""The Excel arguments of every FM_ function: one description and one parser per parameter name.

An FM_ function states each argument once. Its **name and default** come from the Python
signature; its **description** (the function wizard text) and its **parser** come from the
:class:`Spec` registered here under that name, in :data:`SPECS`. So ``returns``, ``cov``,
``lags``, ``headers``, ... mean the same thing, with the same text and the same checks, in
every module. :func:`xlfactor.excel.udf.excel_function` looks the specs up, converts every
option before the body runs, appends ``headers`` and applies it to the returned table.

Kinds of spec (each a constructor below):

- :func:`rng`: a range; handed to the body as the raw 2-D list. Ranges are parsed by the
  sample builders (:func:`xlfactor.excel.inputs.sample`, ...), which need several of them
  together (rows are aligned across returns, factors and dates);
- :func:`flag` (TRUE/FALSE), :func:`choice` (one of some words), :func:`number`,
  :func:`date`, :func:`text` (a single text cell, e.g. a column header), :func:`model`
  (a factor model's name): single cells, converted to Python values before the body runs.

Specs check what a cell holds (a number, a date, one of the words); the engine
(``xlfactor.models._validate``) checks ranges and values, so one rule holds in Python and
Excel. Bounds appear here only where the Excel message is part of the interface.

How to add an FM_ function
--------------------------
1. Put it in the topic module under :mod:`xlfactor.excel.fm` (``regression``, ``risk``,
   ``hedging``, ``scenarios``, ``performance``, ``cross_section``, ``data``), e.g. in
   ``fm/regression.py``::

       @excel_function(depends=FACTOR_DATA)
       def FM_R2(returns, factors, dates=None, excess=True):
           \"\"\"R-squared and adjusted R-squared of each asset's regression on the factors.\"\"\"
           sample = inputs.sample(returns, factors, dates, fit=Fit(excess=excess))
           result = sample.regression
           frame = pd.DataFrame({L.RSQUARED.short: result.rsquared, L.RSQUARED_ADJ.short: result.rsquared_adj})
           return Table(frame, "Asset")  # labels of statistics: xlfactor.models.labels (as L)

   The docstring (at most 255 characters) is the wizard text. Options arrive converted
   (``excess`` is a bool); ranges arrive raw. Do not add ``headers``: every function gets it.
   Return a :class:`xlfactor.excel.results.Table` (a DataFrame and the label of its top-left
   cell) or :class:`~xlfactor.excel.results.Record` (label/value pairs). Errors: raise
   ``XLFactorError("<argument>: <what is wrong>; <the fix>")``.
2. Name each argument as the engine parameter it feeds (``window`` for ``xf.rolling_regress``'s
   ``window``); where VBA or Excel cannot take that name, add the engine name and the Excel one
   to the one table, :data:`xlfactor.excel.names.EXCEL_NAMES` (``tests/excel/test_names.py``
   checks both). Use parameter names from :data:`SPECS`. A new name (or a name whose meaning differs in
   one function, e.g. ``method`` of FM_ZSCORE) needs a spec: add a shared one to
   :data:`SPECS`, or pass a local one to the decorator (``@excel_function(method=ZSCORE_METHOD)``).
   Names must be legal VBA identifiers that VBA and Excel do not already use (no ``date``,
   ``start``, ``end``, ``output``, ``range``, ``year``, ``rate``, ``format``, ...: see
   ``tests/excel`` for the list).
3. ``depends``: :data:`xlfactor.excel.inputs.FACTOR_DATA` when a ``factors`` argument may
   name a model, :data:`xlfactor.excel.memo.NO_DATA` when the result depends on the cells
   only; omit it only for results that must never be memoised.
4. Add the name to the import list of :mod:`xlfactor.excel.functions` (the one UDF module
   every runtime imports) and to ``ALL_FUNCTIONS`` in ``tests/excel/test_functions_engine.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, get_args

from xlfactor.data.catalog import BASE_MODELS, LIBRARY_MODEL_NAMES, REGIONS, normalize_freq
from xlfactor.errors import XLFactorError
from xlfactor.excel import convert
from xlfactor.models.covariance import CovMethod
from xlfactor.models.frequency import HORIZONS, horizon_code
from xlfactor.models.regression import COV_TYPES

#: The default of a parameter without one (a required argument).
REQUIRED = inspect.Parameter.empty
REQUIRED_FIX = "fill in this argument (the function wizard describes it)"


@dataclass(frozen=True)
class Spec:
    """One kind of Excel argument.

    Attributes
    ----------
    doc : str
        The function wizard text (at most 255 characters).
    parse : callable or None
        ``parse(value, name, default) -> value`` for a single-cell option (blank gives
        ``default``); None for a range, handed over as the raw 2-D list.
    need : str
        For a required option: the fix in ``"<name>: required; <need>"`` when it is blank.
    """

    doc: str
    parse: Callable[[Any, str, Any], Any] | None = None
    need: str = ""

    @property
    def is_range(self) -> bool:
        return self.parse is None

    def convert(self, value: Any, name: str, default: Any) -> Any:
        """The value the function body receives (raises XLFactorError naming ``name``).

        A required argument left out of the call (Office.js passes only the arguments
        typed) is refused with ``need`` (or :data:`REQUIRED_FIX`); so is a required range
        given as an empty argument when the spec states a ``need``.
        """
        if self.parse is None:
            if value is REQUIRED or (value is None and default is REQUIRED):
                self.refuse_missing(name, value)
            return value
        if value is REQUIRED:
            self.refuse_missing(name, value)
        if default is REQUIRED:
            if self.need and convert.is_blank(convert.single(value, name)):
                raise XLFactorError(f"{name}: required; {self.need}")
            default = None
        return self.parse(value, name, default)

    def refuse_missing(self, name: str, value: Any) -> None:
        """Refuse a required argument left out of the call (``value`` is :data:`REQUIRED`: Office.js passes only
        the arguments typed), or a required range given as an empty argument (None) when the spec states a
        ``need``; else return."""
        if value is REQUIRED:
            raise XLFactorError(f"{name}: required; {self.need or REQUIRED_FIX}")
        if value is None and self.need:
            raise XLFactorError(f"{name}: required; {self.need}")


def rng(doc: str, *, need: str = "") -> Spec:
    """A range argument: the body receives the 2-D list of cells (``need``: the fix when a required one is empty)."""
    return Spec(doc, need=need)


def flag(doc: str) -> Spec:
    """TRUE/FALSE (also 1/0 or the text TRUE/FALSE)."""
    return Spec(doc, convert.flag)


def choice(doc: str, choices: Iterable[str]) -> Spec:
    """One of ``choices`` (case-insensitive); the body receives the canonical spelling."""
    words = tuple(choices)
    return Spec(doc, lambda value, name, default: convert.text_option(value, name, words, default))


def number(
    doc: str,
    *,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    inclusive: bool = True,
    need: str = "",
) -> Spec:
    """A number (``integer``: a whole number); ``low``/``high`` bound it (``inclusive`` or strict)."""

    def parse(value: Any, name: str, default: Any) -> Any:
        return convert.number_option(value, name, default, integer=integer, low=low, high=high, inclusive=inclusive)

    return Spec(doc, parse, need)


def date(doc: str, *, need: str = "") -> Spec:
    """A single date (datetime, serial or date text) as a Timestamp; blank gives the default."""

    def parse(value: Any, name: str, default: Any) -> Any:
        day = convert.date_option(value, name)
        return default if day is None else day

    return Spec(doc, parse, need)


def text(doc: str) -> Spec:
    """A single text cell, stripped (e.g. a column header); blank gives the default; a number raises."""

    def parse(value: Any, name: str, default: Any) -> Any:
        value = convert.single(value, name)
        if convert.is_blank(value):
            return default
        if not convert.is_label(value):
            raise XLFactorError(f"{name}: expected a column header (text), got {value!r}")
        return value.strip()

    return Spec(doc, parse)


def name(doc: str) -> Spec:
    """A single cell naming something (an asset): stripped text, or a number as written; blank gives the default."""

    def parse(value: Any, arg: str, default: Any) -> Any:
        value = convert.single(value, arg)
        return default if convert.is_blank(value) else str(value).strip()

    return Spec(doc, parse)


def model(doc: str) -> Spec:
    """A factor model's name (canonical spelling); unknown names raise, listing the models."""

    def parse(value: Any, name: str, default: Any) -> Any:
        from xlfactor.excel.inputs import model_or_error  # inputs needs the data layer: loaded on first use

        return model_or_error(value, name)

    return Spec(doc, parse)


def _horizon(value: Any, name: str, default: Any) -> float | str:
    """A positive number of data periods, or a horizon name (checked; its canonical spelling); blank gives the
    default. One convention everywhere (:func:`xlfactor.models.frequency.horizon_periods`)."""
    value = convert.single(value, name)
    if isinstance(value, str) and not convert.is_blank(value):
        code = horizon_code(value)
        return next(word for word, c in HORIZONS.items() if c == code and len(word) > 1)
    return convert.number_option(value, name, default, low=0, inclusive=False)


def _freq(value: Any, name: str, default: Any) -> str:
    value = convert.single(value, name)
    return default if convert.is_blank(value) else normalize_freq(value)


# ------------------------------------------------------------------ the shared specs
RETURNS = rng(
    "Asset returns in decimals (0.01 = 1%), one column per asset. An optional header row names the assets. "
    "Blank cells are missing values, not zeros."
)
FACTORS = rng(
    'Factor returns (a range in decimals, header optional) or a model name: "CAPM", "FF3", "FF5", "FF6", '
    '"CARHART4" (US), or with a region suffix such as "FF5-DEV", "FF6-EUR", or another library\'s: "Q5", "SY4", '
    '"AQR4", "BS6"... (then dates are required).'
)
DATES = rng(
    "Dates of the rows (dates, serials or YYYY-MM-DD text). Required with a model name; the frequency is "
    "inferred. Optional with a factor range, but annualised figures need them (else set annualize FALSE)."
)
WEIGHTS = rng(
    "Portfolio weights, one per asset: a row or column in the order of the returns columns, or labelled "
    "with the asset names (unlisted assets get 0)."
)
BENCHMARK = rng("Optional benchmark weights, same layout as weights: then every figure is active risk.")
HEADERS = flag("TRUE (default): show row and column labels. FALSE: numbers only.")
EXCESS = flag(
    "TRUE (default): subtract the factors' RF column (models have one) from the returns first. "
    "FALSE: the returns are already excess returns."
)
ANNUALIZE = flag("TRUE (default): annual figures (variance times periods per year). FALSE: per period.")
COV = choice(
    'Standard errors: "nonrobust" (default), "hc1" (heteroskedasticity-robust) or "hac" (Newey-West).', COV_TYPES
)
LAGS = number('Newey-West lags for cov "hac". Default: floor(4 (n/100)^(2/9)).', integer=True, low=0)
METHOD = choice(
    'Factor covariance: "sample" (default), "ewma" (needs halflife) or "ledoit_wolf" (shrinkage).', get_args(CovMethod)
)
HALFLIFE = number('EWMA half-life in rows (periods); required with cov_method "ewma".', low=0, inclusive=False)
_US_MODELS = ", ".join(f'"{m}"' for m in BASE_MODELS)
_REGION_SUFFIXES = ", ".join(f"-{code}" for code in REGIONS)
MODEL = model(
    f"Model name: {_US_MODELS} (US), or with a region suffix ({_REGION_SUFFIXES}), "
    f'e.g. "FF5-DEV", "FF6-EUR"; also {", ".join(LIBRARY_MODEL_NAMES)}, AQR4-JPN...; or a registered factor set.'
)


def _max_gross(value: Any, name: str, default: Any) -> float | None:
    """A positive number, or the text "none" (no bound: weights in currency); blank gives the default."""
    value = convert.single(value, name)
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    return convert.number_option(value, name, default, low=0, inclusive=False)


MAX_GROSS = Spec(
    "Largest gross exposure sum |w| the weights may have (default 2 = 200%): your book's gross for a leveraged "
    'or long-short book, "none" for weights in currency.',
    _max_gross,
)
UNITS = choice(
    'Units check: "auto" (default) refuses returns that look like percent; "decimal" declares them decimals '
    "however volatile.",
    ("auto", "decimal"),
)
FREQ = Spec('Data frequency: "M" or "monthly" (default), "W" or "weekly", "D" or "daily".', _freq)

#: Every shared argument, by parameter name: what ``excel_function`` looks up.
SPECS: dict[str, Spec] = {
    # ranges
    "returns": RETURNS,
    "factors": FACTORS,
    "dates": DATES,
    "weights": WEIGHTS,
    "benchmark": BENCHMARK,
    "target": rng("Returns of the position to hedge (one column, decimals; header optional)."),
    "instruments": rng(
        'Returns of the hedge instruments (one column each, header optional) or a model name like "FF3".'
    ),
    "shocks": rng(
        "Factor moves over the scenario (decimals, -0.1 = -10%): factor names beside or above the values. "
        "Factors left out move by their expected amount given the shocked ones."
    ),
    "data": rng(
        "Long table with a header row: Date, Asset, Return, then one column per characteristic (numbers). "
        "One row per date and asset; blank cells are missing."
    ),
    "models": rng('Model names side by side, e.g. a range holding CAPM, FF3, FF5, FF6, or one text "CAPM,FF3,FF5".'),
    "indices": rng(
        "Returns of the style indices (one column each, decimals, header optional), e.g. large value, large "
        'growth, small caps, bonds, cash; or a model name like "FF3".'
    ),
    "lower": rng(
        "Optional lower bound on each hedge (amount to sell): one cell for all, one per instrument or factor in "
        "order, or labelled with their names. Blank: no bound. 0 = never buy."
    ),
    "upper": rng(
        "Optional upper bound on each hedge (amount to sell): one cell for all, one per instrument or factor in "
        "order, or labelled with their names. Blank: no bound. 1 = sell at most one unit per unit held."
    ),
    # flags
    "headers": HEADERS,
    "excess": EXCESS,
    "annualize": ANNUALIZE,
    "market": flag(
        "TRUE (default): include a market factor (with industries, their cap-weighted returns sum to zero)."
    ),
    # choices
    "cov": COV,
    "cov_method": METHOD,
    "breakdown": choice(
        '"factor" (default): contributions of each factor and of specific risk. "asset": contributions of each asset. '
        '"variance": per factor the Euler variance x_k (F x)_k beside the standalone b_k^2 Var(f_k).',
        ("factor", "asset", "variance"),
    ),
    "horizon": Spec(
        'Horizon: a number of data periods (1 = a month on monthly data, 10 = ten days on daily data) or "daily", '
        '"weekly", "monthly", "quarterly", "annual". Square-root-of-time scaling. Default: FM_VAR 1, '
        'FM_POSITION_SIZE "annual".',
        _horizon,
    ),
    "freq": FREQ,
    # numbers
    "lags": LAGS,
    "halflife": HALFLIFE,
    "window": number("Rows per regression window (default 36).", integer=True, low=2),
    "min_periods": number(
        "Fewest non-blank rows a window needs (default: window). Windows with fewer give blanks.", integer=True, low=2
    ),
    "target_share": number(
        "Target factor share of portfolio variance, from 0 (hedge all factor risk) up to but excluding 1."
    ),
    "vol_budget": number(
        "Volatility of P&L allowed over the horizon, in currency (e.g. 50000).",
        low=0,
        inclusive=False,
        need="give the volatility budget in currency",
    ),
    "max_gross": MAX_GROSS,
    "units": UNITS,
    "confidence": number("Confidence level, between 0 and 1 (default 0.99).", low=0, high=1, inclusive=False),
    # dates
    "start_date": date("First date to include (optional)."),
    "end_date": date("Last date to include (optional)."),
    "as_of": date(
        "The date whose pure-factor portfolios to show (a date in the table).",
        need="give the date whose portfolios to show",
    ),
    # text and names
    "model": MODEL,
    "asset": name("Name of the asset to size (a returns header); optional when returns has one column."),
    "industry": text(
        "Optional: header of a column in the table holding industry labels (one dummy factor per industry)."
    ),
    "cap": text(
        "Optional: header of a column holding market caps (sqrt-cap weights, cap-weighted industry constraint)."
    ),
    "weight": text("Optional: header of a numeric column holding regression weights (default equal)."),
}
