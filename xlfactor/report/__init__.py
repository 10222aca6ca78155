"""Risk report workbooks (openpyxl): styled tables, native charts, a methodology sheet.

:func:`build_report` writes the report for any portfolio; :func:`build_demo_report`
for the sample portfolio shipped with xlfactor. The numbers come from
:func:`xlfactor.analyze_portfolio`; this package only lays them out.
"""

from xlfactor.report.build import build_demo_report, build_report

__all__ = ["build_demo_report", "build_report"]
