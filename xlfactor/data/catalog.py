"""What factor data xlfactor knows: French datasets, their zip files, and the models built from them
(plus the other libraries' datasets and models, defined in :mod:`xlfactor.data.library`).

A *dataset* is one block of one French file at one frequency (``ff5_daily`` is the
daily block of ``F-F_Research_Data_5_Factors_2x3_daily.csv``; ``ff5_dev_daily`` the
daily block of ``Developed_5_Factors_Daily.csv``). A *model* is a list of datasets
and the factor columns taken from each, joined on common dates.

Model names: ``CAPM``, ``FF3``, ``FF5``, ``FF6`` (FF5 + momentum) and ``CARHART4``
(FF3 + momentum) are the US factors (CRSP data); the same names with a region
suffix are French's international factors (Bloomberg data): ``-DEV`` Developed
(includes the US), ``-DEVXUS`` Developed ex US, ``-EUR`` Europe, ``-JPN`` Japan,
``-APXJ`` Asia Pacific ex Japan, ``-NAM`` North America, ``-EM`` Emerging, e.g.
``FF5-DEV``, ``FF6-EUR``, ``CAPM-EUR``. French's momentum column ``Mom`` (US) or
``WML`` (international) is stored as ``MOM``.

Which file's ``Mkt-RF`` and ``RF`` a model uses: the first dataset listed for it,
so FF5 and FF6 use the five-factor file's, and FF3 and CARHART4 the three-factor
file's. US CAPM uses the three-factor file; regional CAPM the five-factor file
(the file shipped for Developed and Europe, and Emerging's only one). (Within one
CRSP vintage the monthly ``Mkt-RF`` of the two US files can differ by up to
0.08 pp; ``RF`` and ``HML`` are identical.) Emerging has no three-factor file:
FF3-EM and CARHART4-EM take Mkt-RF, SMB and HML from the five-factor file, and
French publishes Emerging factors monthly only.

Current international file names: ``<Prefix>_3_Factors[_Daily]_CSV.zip``,
``<Prefix>_5_Factors[_Daily]_CSV.zip`` and ``<Prefix>_Mom_Factor[_Daily]_CSV.zip`` with
the prefixes in :data:`REGIONS`; Asia Pacific ex Japan spells momentum ``MOM``;
Emerging has only ``Emerging_5_Factors_CSV.zip`` and ``Emerging_MOM_Factor_CSV.zip``
(no daily and no three-factor file). Source (French's site cannot be reached from
where this was written): public code that downloads these files, namely a complete
list of the data library's ftp zip names kept in one repository, several downloaders
that agree with it on the region prefixes and the Emerging and Asia Pacific
spellings, and the shipped files' SOURCES.md. A renamed file shows up as a failed
refresh (HTTP 404) that keeps the stored copy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xlfactor.data.download import MAX_DOWNLOAD_BYTES
from xlfactor.data.library import LIBRARY_DATASETS, LIBRARY_MODELS, LibraryDataset
from xlfactor.data.sources import SOURCES
from xlfactor.errors import XLFactorError
from xlfactor.models.frequency import frequency_name

DEFAULT_BASE_URL = SOURCES["french"].default_base_url
MODEL_FREQS = ("D", "W", "M")


@dataclass(frozen=True)
class FrenchDataset:
    """One French factor dataset.

    Attributes
    ----------
    name : str
        Cache key, ``<family>_<daily|monthly>`` (family ``ff3``, ``ff5``, ``mom``,
        with ``_<region>`` for international data: ``ff5_dev``).
    file : str
        CSV file name, the zip's single member (compared case-insensitively).
    freq : str
        ``"D"`` or ``"M"``.
    block : str
        The parser's block name holding the data (``"daily"`` or ``"monthly"``).
    columns : tuple of str
        Columns as stored (after ``rename``); a download must have exactly these.
    rename : dict
        French column name -> stored name (``Mom``/``WML`` -> ``MOM``).
    min_rows : int
        A download with fewer rows is rejected (about 80% of the rows of the
        vintage we hold: CRSP 202511 for the US, Bloomberg 202101 otherwise).
    region : str
        Region code, ``""`` for the US (see :data:`REGIONS`).
    snapshot : str or None
        Name of the shipped copy in ``xlfactor/data/snapshot`` (without ``.gz``).
    compound_from : str or None
        For a monthly dataset without a shipped file: the daily dataset whose
        snapshot is compounded to months until a refresh brings French's file.
    missing_ok : bool
        French's missing marker (-99.99) may occur in the data (international
        files: e.g. the first months of Emerging RMW/CMA); it is stored as NaN.
    """

    name: str
    file: str
    freq: str
    block: str
    columns: tuple[str, ...]
    rename: tuple[tuple[str, str], ...] = ()
    min_rows: int = 0
    region: str = ""
    snapshot: str | None = None
    compound_from: str | None = None
    missing_ok: bool = False
    source: str = "french"
    kind: str = "french"
    max_bytes: int = MAX_DOWNLOAD_BYTES
    vintage_rule: str = "header"  # the CRSP/Bloomberg month in the file's header

    @property
    def zip_name(self) -> str:
        """The zip's name on the French site, e.g. ``F-F_Research_Data_Factors_CSV.zip``."""
        return self.file.removesuffix(".csv") + "_CSV.zip"

    @property
    def database(self) -> str:
        """Where French's data come from: ``"CRSP"`` (US) or ``"Bloomberg"`` (international)."""
        return "Bloomberg" if self.region else "CRSP"

    @property
    def download_name(self) -> str:
        """The file downloaded (the zip's name)."""
        return self.zip_name

    def file_names(self, this_year: int, oldest_year: int | None = None) -> list[str]:
        """The one name to download (French's names carry no year)."""
        return [self.zip_name]

    @property
    def shipped(self) -> bool:
        """True if the package holds an offline copy (a snapshot file, or one compounded from it)."""
        return self.snapshot is not None or self.compound_from is not None


@dataclass(frozen=True)
class Region:
    """One of French's international regions.

    Attributes
    ----------
    code : str
        Model-name suffix (``"DEV"`` in ``FF5-DEV``).
    name : str
        French's name of the region.
    prefix : str
        File-name prefix on the French site (``"Developed_ex_US"``).
    mom : str
        How the momentum file name spells momentum (``"Mom"``, or ``"MOM"``).
    daily : bool
        French publishes daily files for the region (Emerging: monthly only).
    three_factor_file : bool
        French publishes a three-factor file (Emerging: only the five-factor one).
    shipped : bool
        The daily five-factor and momentum files ship with xlfactor (Bloomberg 202101).
    """

    code: str
    name: str
    prefix: str
    mom: str = "Mom"
    daily: bool = True
    three_factor_file: bool = True
    shipped: bool = False


REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        Region("DEV", "Developed", "Developed", shipped=True),
        Region("DEVXUS", "Developed ex US", "Developed_ex_US"),
        Region("EUR", "Europe", "Europe", shipped=True),
        Region("JPN", "Japan", "Japan"),
        Region("APXJ", "Asia Pacific ex Japan", "Asia_Pacific_ex_Japan", mom="MOM"),
        Region("NAM", "North America", "North_America"),
        Region("EM", "Emerging", "Emerging", mom="MOM", daily=False, three_factor_file=False),
    )
}
# The files shipped for the shipped regions (their names as in SOURCES.md; French spells momentum MOM there).
_SHIPPED_FILES = {"ff5": "{prefix}_5_Factors_Daily.csv", "mom": "{prefix}_MOM_Factor_Daily.csv"}

_FF3 = ("Mkt-RF", "SMB", "HML", "RF")
_FF5 = ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF")
_MOM = (("Mom", "MOM"),)
_WML = (("WML", "MOM"), ("Mom", "MOM"))  # international files name momentum WML; accept Mom too
# Row floors for international files: ~80% of the Bloomberg 202101 counts (7,980 days, 367 months from 1990-07).
_INTL_MIN_ROWS = {"D": 6300, "M": 290}


def _regional_datasets(region: Region) -> list[FrenchDataset]:
    out = []
    families = {"ff5": ("5_Factors", _FF5, ()), "mom": (f"{region.mom}_Factor", ("MOM",), _WML)}
    if region.three_factor_file:
        families = {"ff3": ("3_Factors", _FF3, ()), **families}
    for family, (stem, columns, rename) in families.items():
        daily_name = f"{family}_{region.code.lower()}_daily"
        shipped = region.shipped and family in _SHIPPED_FILES
        for freq in ("D", "M") if region.daily else ("M",):
            daily = freq == "D"
            out.append(
                FrenchDataset(
                    daily_name if daily else f"{family}_{region.code.lower()}_monthly",
                    f"{region.prefix}_{stem}{'_Daily' if daily else ''}.csv",
                    freq,
                    "daily" if daily else "monthly",
                    columns,
                    rename,
                    min_rows=_INTL_MIN_ROWS[freq],
                    region=region.code,
                    snapshot=_SHIPPED_FILES[family].format(prefix=region.prefix) if shipped and daily else None,
                    compound_from=daily_name if shipped and not daily else None,
                    missing_ok=True,
                )
            )
    return out


_US_DATASETS = (
    FrenchDataset("ff3_monthly", "F-F_Research_Data_Factors.csv", "M", "monthly", _FF3, min_rows=950),
    FrenchDataset("ff3_daily", "F-F_Research_Data_Factors_daily.csv", "D", "daily", _FF3, min_rows=20900),
    FrenchDataset("ff5_monthly", "F-F_Research_Data_5_Factors_2x3.csv", "M", "monthly", _FF5, min_rows=600),
    FrenchDataset("ff5_daily", "F-F_Research_Data_5_Factors_2x3_daily.csv", "D", "daily", _FF5, min_rows=12500),
    FrenchDataset("mom_monthly", "F-F_Momentum_Factor.csv", "M", "monthly", ("MOM",), _MOM, min_rows=950),
    FrenchDataset("mom_daily", "F-F_Momentum_Factor_daily.csv", "D", "daily", ("MOM",), _MOM, min_rows=20800),
)
US_DATASETS: dict[str, FrenchDataset] = {d.name: replace(d, snapshot=d.file) for d in _US_DATASETS}
FRENCH_DATASETS: dict[str, FrenchDataset] = {
    **US_DATASETS,
    **{d.name: d for r in REGIONS.values() for d in _regional_datasets(r)},
}
Dataset = FrenchDataset | LibraryDataset
# Every dataset refresh knows: French's, then the other libraries' (xlfactor.data.library).
DATASETS: dict[str, Dataset] = {**FRENCH_DATASETS, **LIBRARY_DATASETS}

# model -> ((family, factor columns taken from it), ...); RF comes from the first family.
BASE_MODELS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "CAPM": (("ff3", ("Mkt-RF",)),),
    "FF3": (("ff3", ("Mkt-RF", "SMB", "HML")),),
    "FF5": (("ff5", ("Mkt-RF", "SMB", "HML", "RMW", "CMA")),),
    "FF6": (("ff5", ("Mkt-RF", "SMB", "HML", "RMW", "CMA")), ("mom", ("MOM",))),
    "CARHART4": (("ff3", ("Mkt-RF", "SMB", "HML")), ("mom", ("MOM",))),
}


def _regional_model(base: str, region: Region) -> tuple[tuple[str, tuple[str, ...]], ...]:
    def family(name: str) -> str:
        if name == "ff3" and (base == "CAPM" or not region.three_factor_file):
            name = "ff5"
        return f"{name}_{region.code.lower()}"

    return tuple((family(fam), columns) for fam, columns in BASE_MODELS[base])


# model -> ((family, stored columns[, names shown]), ...); RF comes from the first family.
MODELS: dict[str, tuple[tuple, ...]] = {
    **BASE_MODELS,
    **{f"{base}-{code}": _regional_model(base, r) for code, r in REGIONS.items() for base in BASE_MODELS},
    **LIBRARY_MODELS,
}
# The models of the other libraries, as named in messages (AQR4's country and region variants as AQR4-<AREA>).
LIBRARY_MODEL_NAMES = tuple(m for m in LIBRARY_MODELS if not m.startswith(("AQR4-", "AQR6-")))


def model_region(model: str) -> Region | None:
    """The French :class:`Region` of a built-in model's canonical name, None for the US and other libraries."""
    base, _, code = model.partition("-")
    return REGIONS[code] if base in BASE_MODELS and code else None


def model_columns(model: str) -> list[tuple[str, list[str], list[str]]]:
    """Per dataset family of a built-in model: (family, stored columns, column names shown)."""
    return [(part[0], list(part[1]), list(part[2] if len(part) > 2 else part[1])) for part in MODELS[model]]


def model_names_hint() -> str:
    """The naming scheme in one sentence, for messages about an unknown model."""
    regions = ", ".join(f"-{r.code} ({r.name})" for r in REGIONS.values())
    return (
        f"built-in models are {', '.join(BASE_MODELS)} (US), or one of them with a region suffix: {regions}, "
        f"e.g. FF5-DEV, FF6-EUR, CAPM-EUR; other libraries: {', '.join(LIBRARY_MODEL_NAMES)} "
        "(and AQR4-<AREA>, AQR6-<AREA> such as AQR4-JPN, AQR6-GLOBAL)"
    )


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
    raise XLFactorError.at("freq", f"{freq!r} is not one of 'D' (daily), 'W' (weekly, from daily data), 'M' (monthly)")


def french_model(model: str) -> str | None:
    """The canonical name of a built-in model (case-insensitive), or None if it is not one."""
    text = str(model).strip().upper()
    return text if text in MODELS else None


def model_freqs(model: str) -> tuple[str, ...]:
    """The stored frequencies published for every file a built-in model needs: ``("D", "M")``, or ``("M",)``
    (French's Emerging region; PS, DHS3, AQR4 and BS6)."""
    return ("D", "M") if all(f"{part[0]}_daily" in DATASETS for part in MODELS[model]) else ("M",)


def model_datasets(model: str, freq: str) -> list[Dataset]:
    """The datasets a built-in model needs at a frequency (weekly uses the daily ones).

    Raises
    ------
    XLFactorError
        If a file the model needs is not published at that frequency (French's Emerging region,
        PS, DHS3, AQR4 and BS6: monthly only).
    """
    stored = "daily" if freq in ("D", "W") else "monthly"
    if stored == "daily" and "D" not in model_freqs(model):
        region = model_region(model)
        what = f"French publishes {region.name} factors" if region else f"{model} is available"
        raise XLFactorError.at("freq", f"{what} monthly only; use freq='M' with {model}")
    return [DATASETS[f"{part[0]}_{stored}"] for part in MODELS[model]]


def datasets_for(
    models: list[str] | None, freqs: list[str] | None, extra: frozenset[str] = frozenset()
) -> list[Dataset]:
    """Unique French datasets behind ``models`` x ``freqs``, plus those named in ``extra`` (at ``freqs``),
    in catalog order.

    ``models`` None means the US models; ``freqs`` None means daily and monthly (monthly
    only for a region French publishes monthly only).
    """
    stored = None if freqs is None else {"M" if f == "M" else "D" for f in freqs}
    wanted = {n for n in extra if n in DATASETS and (stored is None or DATASETS[n].freq in stored)}
    for model in models or list(BASE_MODELS):
        for freq in freqs or model_freqs(model):
            wanted.update(d.name for d in model_datasets(model, freq))
    return [d for d in DATASETS.values() if d.name in wanted]
