"""Factor data: sources, parsing, the on-disk cache and the shipped snapshot.

Public API (re-exported by ``xlfactor``):

- :func:`load_factors` (model, freq, start, end) -> DataFrame of factor returns + RF
- :func:`refresh_factors` -> :class:`RefreshReport`
- :func:`factor_info`, :func:`data_vintage`, :func:`available_models`, :func:`stored_datasets`
- :func:`register_factors` (a user's CSV/XLSX factor file)
- :func:`align` -> :class:`Aligned`
- :func:`reset_state` (forget this process's connection and in-memory copies)

Module layers (each imports only lower ones; tests/test_layers.py keeps it so):

1. sources and parsers, storing nothing: ``sources``, ``library``, ``library_files``,
   ``catalog``, ``french``, ``periods``, ``frame_codec``, ``snapshot``, ``download``,
   ``validate``, ``align``, ``samples``, ``portfolio_files``;
2. ``records`` (a dataset as stored, the snapshot's records), then ``factor_files``
   (a user's CSV/XLSX to a record);
3. ``cache``: the SQLite file, integrity and repair, the ``user_factors/`` backups;
4. ``loader``: ``load_factors``, ``factor_info``, ...;
5. ``refresh`` (``refresh_factors``) and ``user_factors`` (``register_factors``).

Environment: ``XLFACTOR_DATA_DIR`` (folder of ``xlfactor.sqlite`` and registered
files; default ``platformdirs.user_data_dir("xlfactor")``), ``XLFACTOR_<SOURCE>_BASE_URL``
(a mirror of a publisher's folder used by refresh: ``FRENCH``, ``GLOBALQ``, ``STAMBAUGH``,
``AQR``, ``DHS``; see :mod:`xlfactor.data.sources`).
"""

from xlfactor.data.align import Aligned, align
from xlfactor.data.cache import reset_state
from xlfactor.data.loader import available_models, data_vintage, factor_info, load_factors, stored_datasets
from xlfactor.data.refresh import DatasetResult, RefreshReport, refresh_factors
from xlfactor.data.user_factors import register_factors

__all__ = [
    "Aligned",
    "DatasetResult",
    "RefreshReport",
    "align",
    "available_models",
    "data_vintage",
    "factor_info",
    "load_factors",
    "refresh_factors",
    "register_factors",
    "reset_state",
    "stored_datasets",
]
