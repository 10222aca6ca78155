"""The French data-library files kept (gzipped) under tests/data/french/, for the tests."""

import gzip
from pathlib import Path

FRENCH_DIR = Path(__file__).parent / "data" / "french"


def french_bytes(name: str, folder: str = "current") -> bytes:
    """Original bytes of a test French file under tests/data/french/<folder>/ (``.csv`` or ``.CSV`` copy)."""
    for candidate in (name, name[:-4] + ".CSV"):
        path = FRENCH_DIR / folder / f"{candidate}.gz"
        if path.exists():
            return gzip.decompress(path.read_bytes())
    raise FileNotFoundError(f"{folder}/{name}")


def french_text(name: str, folder: str = "current") -> str:
    """The text of a test French file."""
    return french_bytes(name, folder).decode("ascii")


def french_block(name: str, block: str, folder: str = "current"):
    """One parsed block (a DataFrame, returns in decimals) of a test French file."""
    from xlfactor.data.french import parse_french_csv

    return parse_french_csv(french_text(name, folder)).block(block).data


VW_MONTHLY = "Average Value Weighted Returns -- Monthly"
