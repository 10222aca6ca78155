"""Native Excel charts (openpyxl.chart) over tables written by :func:`xlfactor.report.workbook.write_table`."""

from __future__ import annotations

import datetime as dt

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.axis import DateAxis
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from xlfactor.report.workbook import DEFAULT_FONT_PT, FONT_NAME, TableRef

TEXT_SIZE = DEFAULT_FONT_PT

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
    # The axis spans the data's own first and last dates (a reader's automatic bounds may stop short).
    first, last = (ws.cell(row=r, column=table.first_col).value for r in (table.first_row, table.last_row))
    if isinstance(first, dt.datetime) and isinstance(last, dt.datetime):
        chart.x_axis.scaling.min, chart.x_axis.scaling.max = to_excel(first), to_excel(last)
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
    # Axis labels and legend at the cells' 11 pt (a reader's default is 10 pt): the print scale keeps
    # cell text at 8 pt or more (xlfactor.report.workbook.print_layout), and then chart text too.
    for part in (chart.x_axis, chart.y_axis, chart.legend):
        part.txPr = _text(TEXT_SIZE)
    if chart.y_axis.title is not None:
        for paragraph in chart.y_axis.title.tx.rich.p:
            paragraph.pPr = _text(TEXT_SIZE).p[0].pPr


def _text(size_pt: float) -> RichText:
    """Text properties of a chart part: ``size_pt`` points in the report's font."""
    run = CharacterProperties(sz=round(size_pt * 100), latin=Font(typeface=FONT_NAME))
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=run), endParaRPr=run)])
