"""The Excel layer: thin adapters between Excel values and the xlfactor engine.

- :mod:`xlfactor.excel.convert`: Excel values -> clean pandas inputs; results -> labelled 2-D lists.
- :mod:`xlfactor.excel.guard`: ``@guarded`` turns any failure into ``#FM! <message>`` cell text.
- :mod:`xlfactor.excel.memo`: bounded caches keyed by input content and data vintage.
- :mod:`xlfactor.excel.inputs`: factor arguments (a model name or a range) aligned with returns.
- :mod:`xlfactor.excel.functions`: the one module of ``@xw.func`` UDFs (every runtime imports it).
- :mod:`xlfactor.excel.ribbon`: ribbon actions taking an ``xw.Book`` and ``dispatch(tag)``.
- :mod:`xlfactor.excel.install`: assembling the classic desktop add-in (Windows only).

No statistics are computed here: every number comes from ``xlfactor.models``.
"""
