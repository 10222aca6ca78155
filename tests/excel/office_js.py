"""Drive the FM_ functions through xlwings' own Office.js engine, as Excel would.

``engine.call("FM_BETA", returns, "FF5", dates)`` builds the payload the xlwings
Office.js client posts (Python function name, every argument as a matrix, omitted
arguments as null, caller address, client version, custom-function runtime, culture)
and awaits ``xlwings.server.custom_functions_call`` on one persistent event loop.
Helpers turn pandas data into what Excel sends (header rows, blanks as None, dates as
serial numbers) and spilled results back into DataFrames.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pandas as pd
import xlwings as xw
from xlwings import server

import xlfactor.excel.functions as functions

EPOCH = pd.Timestamp("1899-12-30")


def serials(index: pd.DatetimeIndex, header: str | None = "Date") -> list[list]:
    """A date column as Office.js sends it: Excel serial numbers (floats), optional header cell."""
    days = ((index - EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    rows = [[float(d)] for d in days]
    return [[header], *rows] if header else rows


def excel_range(frame: pd.DataFrame | pd.Series, header: bool = True) -> list[list]:
    """A DataFrame's values as a range: optional header row of column names; NaN -> None (blank)."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    body = [[None if v != v else float(v) for v in row] for row in frame.to_numpy(dtype=float).tolist()]
    return [list(map(str, frame.columns)), *body] if header else body


def long_panel() -> pd.DataFrame:
    """A long panel as an analyst keeps it, index (Date, Asset): 8 month ends x 60 assets (S00..S59), columns
    Return (decimals; three blank), Value, Momentum, Industry (4 labels), Cap."""
    rng = np.random.default_rng(11)
    dates = pd.date_range("2021-01-31", periods=8, freq="ME")
    assets = [f"S{i:02d}" for i in range(60)]
    idx = pd.MultiIndex.from_product([dates, assets], names=["Date", "Asset"])
    frame = pd.DataFrame(
        {
            "Return": rng.normal(0.01, 0.05, len(idx)),
            "Value": rng.standard_normal(len(idx)),
            "Momentum": rng.standard_normal(len(idx)),
            "Industry": np.tile(np.array(["Tech", "Energy", "Banks", "Retail"])[np.arange(60) % 4], 8),
            "Cap": np.exp(rng.normal(8, 1, len(idx))),
        },
        index=idx,
    )
    frame.iloc[[5, 77, 300], 0] = np.nan
    return frame


def long_cells(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    """A long panel (index: date, asset) as Office.js sends the table: a header row (Date, Asset, columns),
    date serials, asset names, values (NaN blank; text and booleans as they are)."""
    days = ((frame.index.get_level_values(0) - EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    rows = [["Date", "Asset", *columns]]
    for d, a, values in zip(days, frame.index.get_level_values(1), frame[columns].to_numpy(dtype=object), strict=True):
        rows.append([float(d), a, *[None if isinstance(v, float) and v != v else v for v in values]])
    return rows


def wide(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """One column of a long panel as dates x assets, assets in the table's order."""
    assets = frame.index.get_level_values(1).unique()
    return frame[column].unstack()[assets]


def message(result) -> str:
    """The text of a one-cell ``#FM!`` result (fails on anything else, and on Python-only wording)."""
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    text = result[0][0]
    assert text.startswith("#FM! ") and "Traceback" not in text and "internal error" not in text, text
    assert "=None" not in text and "='" not in text, text  # no Python argument syntax in a cell
    return text


def _matrix(arg):
    if arg is None or (isinstance(arg, list) and arg and isinstance(arg[0], list)):
        return arg
    return [[arg]]


def _value(cell):
    if isinstance(cell, dict) and cell.get("type") == "FormattedNumber":
        return EPOCH + pd.Timedelta(days=cell["basicValue"])
    return np.nan if cell == "" else cell


def spilled(result: list[list], headers: bool = True) -> pd.DataFrame:
    """A spilled result as a DataFrame: first row = columns, first column = index (when ``headers``)."""
    cells = [[_value(c) for c in row] for row in result]
    if not headers:
        return pd.DataFrame(cells)
    return pd.DataFrame([row[1:] for row in cells[1:]], index=[row[0] for row in cells[1:]], columns=cells[0][1:])


class Engine:
    """One persistent event loop calling xlwings' Office.js custom-function entry point."""

    def __init__(self, module=functions) -> None:
        self.module = module
        self.loop = asyncio.new_event_loop()

    def payload(self, func_name: str, *args, runtime: str = "1.4") -> dict:
        return {
            "func_name": func_name,
            "args": [_matrix(a) for a in args],
            "caller_address": "[Book1.xlsx]Sheet1!$H$2",
            "version": xw.__version__,
            "runtime": runtime,
            "client": "Office.js",
            "culture_info_name": "en-US",
            "date_format": "M/d/yyyy",
        }

    def call(self, func_name: str, *args, runtime: str = "1.4"):
        data = self.payload(func_name, *args, runtime=runtime)
        return self.loop.run_until_complete(server.custom_functions_call(data, self.module))

    def close(self) -> None:
        self.loop.close()


def sheet_payload(name: str, values: list[list], tables: list[dict]) -> dict:
    """One sheet of the workbook JSON the Office.js client sends with a script call."""
    return {
        "name": name,
        "values": values,
        "pictures": [],
        "shapes": [],
        "charts": [],
        "notes": [],
        "tables": tables,
        "visibility": "Visible",
        "show_gridlines": True,
        "pivot_tables": [],
        "print_area": None,
    }
