"""The other factor libraries' files kept under tests/data/libraries/ (see SOURCES.md there), for the tests."""

import gzip
from pathlib import Path

LIBRARY_DIR = Path(__file__).parent / "data" / "libraries"
# Published name -> HTTP Last-Modified the test server sends with it (Stambaugh's and DHS's vintage stamp).
LAST_MODIFIED = {
    "M4.csv": "Tue, 04 Apr 2017 15:02:11 GMT",
    "DHS_factors.xlsx": "Mon, 08 Jul 2019 10:00:00 GMT",
    "The-Devil-in-HMLs-Details-Factors-Monthly.xlsx": "Mon, 15 Jul 2024 09:30:00 GMT",
}
LIBRARY_FILES = (
    "q5_factors_monthly_2019.csv",
    "M4.csv",
    "DHS_factors.xlsx",
    "The-Devil-in-HMLs-Details-Factors-Monthly.xlsx",
    "Quality-Minus-Junk-Factors-Monthly.xlsx",
    "Betting-Against-Beta-Equity-Factors-Monthly.xlsx",
)


def library_bytes(name: str) -> bytes:
    """The bytes of a test library file as published (gzipped copies are unpacked)."""
    path = LIBRARY_DIR / name
    if path.exists():
        return path.read_bytes()
    return gzip.decompress((LIBRARY_DIR / f"{name}.gz").read_bytes())
