"""Native Excel charts (openpyxl.chart) over tables written by :func:`xlfactor.report.workbook.write_table`."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.axis import DateAxis
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.report.workbook import TableRef

_PALETTE = ("2E75B6", "C55A11", "548235", "7F6000", "7030A0", "1F3864", "BF9000", "A5A5A5")


def bar_chart(
    ws: Worksheet,
    table: TableRef,
    columns: list[int],
    anchor: str,
    *,
    title: str,
    y_title: str = "",
    number_format: str = "0%",
    horizontal: bool = False,
    width: float = 16,
    height: float = 8,
    last_row: int | None = None,
) -> BarChart:
    """A clustered bar chart of table columns (1-based sheet column numbers) by the table's row labels.

    ``last_row`` limits the rows charted (e.g. to leave out a total row).
    """
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    _decorate(chart, title, y_title, number_format, width, height)
    end = last_row if last_row is not None else table.last_row
    for k, c in enumerate(columns):
        data = Reference(ws, min_col=c, min_row=table.header_row, max_row=end)
        chart.add_data(data, titles_from_data=True)
        chart.series[-1].graphicalProperties.solidFill = _PALETTE[k % len(_PALETTE)]
        chart.series[-1].graphicalProperties.line.solidFill = _PALETTE[k % len(_PALETTE)]
    chart.set_categories(Reference(ws, min_col=table.first_col, min_row=table.first_row, max_row=end))
    if len(columns) == 1:
        chart.legend = None
    if horizontal:
        chart.x_axis.tickLblPos = "low"  # category labels at the left edge, clear of negative bars
        chart.x_axis.scaling.orientation = "maxMin"  # first table row at the top
        chart.y_axis.crosses = "max"
    ws.add_chart(chart, anchor)
    return chart


def line_chart(
    ws: Worksheet,
    table: TableRef,
    columns: list[int],
    anchor: str,
    *,
    title: str,
    y_title: str = "",
    number_format: str = "0.0",
    date_format: str = "yyyy",
    width: float = 24,
    height: float = 10,
) -> LineChart:
    """A line chart of table columns against the table's (date) index column."""
    chart = LineChart()
    chart.x_axis = DateAxis(crossAx=100)
    _decorate(chart, title, y_title, number_format, width, height)
    for k, c in enumerate(columns):
        data = Reference(ws, min_col=c, min_row=table.header_row, max_row=table.last_row)
        chart.add_data(data, titles_from_data=True)
        series = chart.series[-1]
        series.smooth = False
        series.marker.symbol = "none"
        series.graphicalProperties.line.solidFill = _PALETTE[k % len(_PALETTE)]
        series.graphicalProperties.line.width = 19050
    chart.set_categories(Reference(ws, min_col=table.first_col, min_row=table.first_row, max_row=table.last_row))
    chart.x_axis.number_format = date_format
    chart.x_axis.majorTimeUnit = "years"
    chart.x_axis.majorUnit = 1
    chart.x_axis.tickLblPos = "low"  # dates along the bottom edge, clear of lines near zero
    ws.add_chart(chart, anchor)
    return chart


def _decorate(
    chart: BarChart | LineChart, title: str, y_title: str, number_format: str, width: float, height: float
) -> None:
    chart.title = title
    chart.style = 10
    chart.y_axis.title = y_title or None
    chart.y_axis.number_format = number_format
    chart.width = width
    chart.height = height
    # openpyxl >= 3.1 hides axes unless delete is cleared explicitly.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
