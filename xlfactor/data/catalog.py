"""What factor data xlfactor knows: French datasets, their zip files, and the models built from them.

A *dataset* is one block of one French file at one frequency (``ff5_daily`` is the
daily block of ``F-F_Research_Data_5_Factors_2x3_daily.csv``). A *model* is a list
of datasets and the factor columns taken from each, joined on common dates.

Which file's ``Mkt-RF`` and ``RF`` a model uses: the first dataset listed for it,
so FF5 and FF6 use the five-factor file's, and CAPM, FF3 and CARHART4 use the
three-factor file's. (Within one CRSP vintage the monthly ``Mkt-RF`` of the two
files can differ by up to 0.08 pp; ``RF`` and ``HML`` are identical.)
"""

from __future__ import annotations

from dataclasses import dataclass

from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import frequency_name

DEFAULT_BASE_URL = "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/"
MODEL_FREQS = ("D", "W", "M")


@dataclass(frozen=True)
class FrenchDataset:
    """One French factor dataset.

    Attributes
    ----------
    name : str
        Cache key, ``<family>_<daily|monthly>``.
    file : str
        CSV file name (the zip's single member, and the shipped snapshot's name).
    freq : str
        ``"D"`` or ``"M"``.
    block : str
        The parser's block name holding the data (``"daily"`` or ``"monthly"``).
    columns : tuple of str
        Columns as stored (after ``rename``); a download must have exactly these.
    rename : dict
        French column name -> stored name (``Mom`` -> ``MOM``).
    min_rows : int
        A download with fewer rows is rejected (about 80% of the CRSP 202511 count).
    """

    name: str
    file: str
    freq: str
    block: str
    columns: tuple[str, ...]
    rename: tuple[tuple[str, str], ...] = ()
    min_rows: int = 0

    @property
    def zip_name(self) -> str:
        """The zip's name on the French site, e.g. ``F-F_Research_Data_Factors_CSV.zip``."""
        return self.file.removesuffix(".csv") + "_CSV.zip"


_FF3 = ("Mkt-RF", "SMB", "HML", "RF")
_FF5 = ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF")
_MOM = (("Mom", "MOM"),)

DATASETS: dict[str, FrenchDataset] = {
    d.name: d
    for d in (
        FrenchDataset("ff3_monthly", "F-F_Research_Data_Factors.csv", "M", "monthly", _FF3, min_rows=950),
        FrenchDataset("ff3_daily", "F-F_Research_Data_Factors_daily.csv", "D", "daily", _FF3, min_rows=20900),
        FrenchDataset("ff5_monthly", "F-F_Research_Data_5_Factors_2x3.csv", "M", "monthly", _FF5, min_rows=600),
        FrenchDataset("ff5_daily", "F-F_Research_Data_5_Factors_2x3_daily.csv", "D", "daily", _FF5, min_rows=12500),
        FrenchDataset("mom_monthly", "F-F_Momentum_Factor.csv", "M", "monthly", ("MOM",), _MOM, min_rows=950),
        FrenchDataset("mom_daily", "F-F_Momentum_Factor_daily.csv", "D", "daily", ("MOM",), _MOM, min_rows=20800),
    )
}

# model -> ((family, factor columns taken from it), ...); RF comes from the first family.
MODELS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "CAPM": (("ff3", ("Mkt-RF",)),),
    "FF3": (("ff3", ("Mkt-RF", "SMB", "HML")),),
    "FF5": (("ff5", ("Mkt-RF", "SMB", "HML", "RMW", "CMA")),),
    "FF6": (("ff5", ("Mkt-RF", "SMB", "HML", "RMW", "CMA")), ("mom", ("MOM",))),
    "CARHART4": (("ff3", ("Mkt-RF", "SMB", "HML")), ("mom", ("MOM",))),
}


def normalize_freq(freq: str) -> str:
    """``"d"``/``"daily"`` -> ``"D"`` etc.

    Raises
    ------
    XLFactorError
        If ``freq`` is not one of D, W, M (or daily, weekly, monthly).
    """
    text = str(freq).strip().upper()
    for code in MODEL_FREQS:
        if text in (code, frequency_name(code).upper()):
            return code
    raise XLFactorError(f"freq: {freq!r} is not one of 'D' (daily), 'W' (weekly, from daily data), 'M' (monthly)")


def french_model(model: str) -> str | None:
    """The canonical name of a built-in model (case-insensitive), or None if it is not one."""
    text = str(model).strip().upper()
    return text if text in MODELS else None


def model_datasets(model: str, freq: str) -> list[FrenchDataset]:
    """The French datasets a built-in model needs at a frequency (weekly uses the daily ones)."""
    stored = "daily" if freq in ("D", "W") else "monthly"
    return [DATASETS[f"{family}_{stored}"] for family, _ in MODELS[model]]


def datasets_for(models: list[str] | None, freqs: list[str] | None) -> list[FrenchDataset]:
    """Unique French datasets behind ``models`` x ``freqs`` (all when None), in catalog order."""
    wanted = {d.name for m in (models or list(MODELS)) for f in (freqs or ["D", "M"]) for d in model_datasets(m, f)}
    return [d for d in DATASETS.values() if d.name in wanted]
