"""The Excel layer: thin adapters between Excel values and the xlfactor engine.

- :mod:`xlfactor.excel.convert`: Excel values -> clean pandas inputs; results -> labelled 2-D lists.
- :mod:`xlfactor.excel.guard`: any failure as ``#FM! <message>`` cell text, worded for a cell.
- :mod:`xlfactor.excel.memo`: bounded caches keyed by input content and data vintage.
- :mod:`xlfactor.excel.specs`: one description and parser per argument name (``SPECS``); how to add a function.
- :mod:`xlfactor.excel.udf`: ``@excel_function(depends=...)`` registers a UDF: specs looked up by parameter
  name, options converted, ``headers`` applied to the returned table, guard, memo, ``xw.arg``, ``xw.func``.
- :mod:`xlfactor.excel.inputs`: factor arguments (a model name or a range) aligned with returns; weights, shocks.
- :mod:`xlfactor.excel.cached`: memoised engine calls (regression, risk model) shared by several functions.
- :mod:`xlfactor.excel.results`: ``Table``/``Record`` results and engine results -> labelled tables.
- :mod:`xlfactor.excel.fm`: the FM_ functions by topic (regression, data, risk, hedging, scenarios,
  cross_section).
- :mod:`xlfactor.excel.functions`: the one UDF module every runtime imports; re-exports every FM_ function.
- :mod:`xlfactor.excel.ribbon`: ribbon actions taking an ``xw.Book`` and ``dispatch(tag)``.
- :mod:`xlfactor.excel.install`: assembling the classic desktop add-in (Windows only).

No statistics are computed here: every number comes from ``xlfactor.models``.
"""
