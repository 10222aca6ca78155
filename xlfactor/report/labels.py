"""Labels of the risk figures, shared by the Excel results and the report.

``xlfactor.excel.results`` and ``xlfactor.report.sheets`` both import these, so a quantity
reads the same in a cell and in a report (the Excel layer may import the report layer, not
the reverse).
"""

TOTAL_VOL = "Total vol"
FACTOR_VOL = "Factor vol"
SPECIFIC_VOL = "Specific vol"
FACTOR_SHARE = "Factor share"
