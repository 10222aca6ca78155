"""The Excel layer: thin adapters between Excel values and the xlfactor engine.

- :mod:`xlfactor.excel.convert`: Excel values -> clean pandas inputs; results -> labelled 2-D lists.
- :mod:`xlfactor.excel.guard`: ``@guarded`` turns any failure into ``#FM! <message>`` cell text.
- :mod:`xlfactor.excel.memo`: bounded caches keyed by input content and data vintage.
- :mod:`xlfactor.excel.udf`: ``@excel_function(arg=doc, rng_arg=rng(doc), ...)`` registers a UDF (guard,
  ``xw.arg`` per argument, ``xw.func``) and checks Excel's 255-character description limit.
- :mod:`xlfactor.excel.inputs`: factor arguments (a model name or a range) aligned with returns; weights, shocks.
- :mod:`xlfactor.excel.cached`: memoised engine calls (regression, risk model) shared by several functions.
- :mod:`xlfactor.excel.results`: engine results -> the label/value pairs and tables the functions spill.
- :mod:`xlfactor.excel.functions`: the one module of ``@xw.func`` UDFs (every runtime imports it).
- :mod:`xlfactor.excel.ribbon`: ribbon actions taking an ``xw.Book`` and ``dispatch(tag)``.
- :mod:`xlfactor.excel.install`: assembling the classic desktop add-in (Windows only).

No statistics are computed here: every number comes from ``xlfactor.models``.
"""
