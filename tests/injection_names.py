"""Asset names a hostile workbook may hold: each is text that Excel would enter as a formula
(or a DDE call) if it were written as a plain cell value. Every writer of user text (the report
file, the Lite/Server report sheets, the ribbon's sheets) must store them as text."""

INJECTION_NAMES = [
    '=HYPERLINK("http://example.com","click")',
    "=cmd|' /c calc'!A1",
    "@SUM(1+9)",
    "+1+1",
    "-2+3",
    "\t=1+1",  # a leading tab
    "\uff1d1+1",  # a full-width equals sign
]
