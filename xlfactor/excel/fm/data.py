"""FM_ functions for the factor data itself: the returns of a model and where they come from."""

from __future__ import annotations

from typing import Any

import xlfactor as xf
from xlfactor import data
from xlfactor.excel.guard import excel_names
from xlfactor.excel.memo import Depends
from xlfactor.excel.results import Record, Table, info_fields
from xlfactor.excel.specs import FREQ, MODEL
from xlfactor.excel.udf import excel_function


def _factors_vintage(model: Any, freq: Any) -> str:
    """What FM_FACTORS depends on besides its cells: the data vintage of the model."""
    return data.data_vintage(MODEL.convert(model, "model", None), FREQ.convert(freq, "freq", "M"))


_FACTORS_VINTAGE = Depends(("model", "freq"), _factors_vintage)


@excel_function(depends=_FACTORS_VINTAGE)
def FM_FACTORS(model, freq="M", start_date=None, end_date=None):
    """The factor returns of a model (decimals) with the risk-free rate RF, one row per date."""
    if start_date is not None and end_date is not None and start_date > end_date:
        raise xf.XLFactorError(f"start_date: {start_date:%Y-%m-%d} is after end_date ({end_date:%Y-%m-%d}); swap them")
    with excel_names({"start": "start_date"}):
        return Table(xf.load_factors(model, freq, start_date, end_date), "Date")


@excel_function()
def FM_DATA_INFO(model, freq="M"):
    """Where a model's factor data come from: origin (snapshot, download, file), database (CRSP, Bloomberg,
    global-q, ...) and vintage, first and last date, rows, data key, publisher, citation, licence note and the
    source of each column."""
    info = xf.factor_info(model, freq)
    data.loader.request_refresh(info)  # its summary points at the ribbon's Refresh data, which must then fetch them
    return Record(info_fields(info))
