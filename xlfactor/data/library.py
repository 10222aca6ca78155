"""The factor libraries besides French's: their datasets and the models built from them.

A :class:`LibraryDataset` is one published file at one frequency (``q5_monthly`` is
global-q's ``q5_factors_monthly_<year>.csv``). Models join datasets on common dates the
way French models do (see :mod:`xlfactor.data.catalog`), and may mix publishers:

- ``Q5``: q5 model (Hou, Mo, Xue and Zhang): MKT, ME, IA, ROE, EG; ``Q4``: the classic
  q-factor model (Hou, Xue and Zhang): MKT, ME, IA, ROE. Both from global-q's q5 file, whose
  name carries its release year: refresh tries the current year first and walks back.
  Daily and monthly (weekly, as for every model, compounded from the daily file).
- ``SY4``: Stambaugh-Yuan mispricing factors MKTRF, SMB, MGMT, PERF (``M4.csv``, ``M4d.csv``).
- ``PS``: French's Mkt-RF with Pastor-Stambaugh's traded liquidity factor LIQ_V (monthly;
  ``liq_data_1962_<year>.txt``).
- ``DHS3``: French's Mkt-RF with Daniel-Hirshleifer-Sun's PEAD and FIN (monthly;
  ``DHS_factors.xlsx``). DHS publish no market factor; their paper uses the CRSP market.
- ``AQR4``: AQR's MKT, SMB, HML-Devil, UMD for the US, from the sheets of
  ``The-Devil-in-HMLs-Details-Factors-Monthly.xlsx`` (RF from its RF sheet); ``AQR4-<AREA>``
  the same factors for another country or region column of that workbook (``AQR4-JPN``,
  ``AQR4-GLOBAL``, ``AQR4-EUROPE``, ...). ``AQR6`` (and ``AQR6-<AREA>``) adds QMJ
  (``Quality-Minus-Junk-Factors-Monthly.xlsx``, sheet ``QMJ Factors``) and BAB
  (``Betting-Against-Beta-Equity-Factors-Monthly.xlsx``, sheet ``BAB Factors``).
- ``BS6``: Barillas-Shanken: Mkt-RF and SMB from French's three-factor file, IA and ROE
  from global-q, UMD (French's momentum) and HML-Devil (AQR, US); RF from French.
  Monthly. Each column's source is in ``factor_info(...)["column_sources"]``.

None of these files is shipped (see :mod:`xlfactor.data.sources`): each is stored by its
first ``xlfactor refresh --model <name>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlfactor.data.download import MAX_DOWNLOAD_BYTES
from xlfactor.data.sources import SOURCES

YEAR_WALK = 12  # a file named by its release year is looked for from this year back this many years


@dataclass(frozen=True)
class LibraryDataset:
    """One published factor file at one frequency.

    Attributes
    ----------
    name : str
        Cache key, ``<family>_<daily|monthly>``.
    source : str
        Key in :data:`xlfactor.data.sources.SOURCES`.
    file : str
        The published file name; ``{year}`` stands for the release year in the name.
    freq : str
        ``"D"`` or ``"M"``.
    layout : str
        ``"q_csv"``, ``"stambaugh_csv"``, ``"ps_txt"`` or ``"xlsx"`` (see :mod:`xlfactor.data.library_files`).
    columns : tuple of str
        Columns a download must have (stored in this order; an xlsx dataset also keeps its other columns).
    min_rows : int
        A download with fewer rows is rejected (about 90% of the rows of the vintage the tests hold).
    sheets : tuple of (sheet, template)
        xlsx only: the sheets read and how their columns are named (``"HML-Devil {}"`` -> ``HML-Devil USA``;
        ``"{}"`` keeps the header's names; a template without ``{}`` names the sheet's single column).
    vintage_rule : str
        Where the vintage stamp comes from: ``"year"`` (the file name's year), ``"modified"`` (the
        server's Last-Modified date) or ``"data"`` (the last date in the file, ``YYYY-MM``).
    same_vintage_tolerance : float
        Under an unchanged vintage a value may move at most this much (the file's last printed digit).
    max_revision : float
        Under a new vintage a value may move at most this much. Default 10 pp: unlike French's files
        (whose revisions between vintages were measured, see :mod:`xlfactor.data.validate`), no two
        vintages of these files were available to measure, so the bound only stops gross changes;
        the relative-RMS test still catches changed units, shifted dates and swapped columns.
    missing_ok : bool
        Blank or missing-marked values may occur (stored as NaN).
    max_bytes : int
        Largest download accepted.
    """

    name: str
    source: str
    file: str
    freq: str
    layout: str
    columns: tuple[str, ...]
    min_rows: int
    sheets: tuple[tuple[str | int, str], ...] = ()
    vintage_rule: str = "modified"
    same_vintage_tolerance: float = 1e-8
    max_revision: float = 0.10
    missing_ok: bool = False
    max_bytes: int = MAX_DOWNLOAD_BYTES
    region: str = ""
    snapshot: None = None
    compound_from: None = None
    shipped: bool = False
    kind: str = "library"

    @property
    def database(self) -> str:
        """The publisher's short name (``"global-q"``)."""
        return SOURCES[self.source].label

    @property
    def download_name(self) -> str:
        """The file name as shown in messages (``q5_factors_monthly_<year>.csv``)."""
        return self.file.replace("{year}", "<year>")

    def file_names(self, this_year: int, oldest_year: int | None = None) -> list[str]:
        """Names to try, newest first: the year walk for year-named files, else the one name."""
        if "{year}" not in self.file:
            return [self.file]
        last = max(this_year - YEAR_WALK, oldest_year or 0)
        return [self.file.format(year=y) for y in range(this_year, last - 1, -1)]


_Q_COLS = ("MKT", "ME", "IA", "ROE", "EG", "RF")
_SY_COLS = ("MKTRF", "SMB", "MGMT", "PERF", "RF")
_AQR_FACTORS = (("HML Devil", "HML-Devil"), ("MKT", "MKT"), ("SMB", "SMB"), ("UMD", "UMD"))
# AQR's country and region columns (header text) -> model-name suffix.
AQR_AREAS = {
    **{c: c for c in "AUS AUT BEL CAN CHE DEU DNK ESP FIN FRA GBR GRC HKG IRL ISR ITA JPN NLD NOR NZL PRT SGP".split()},
    "SWE": "SWE",
    "Global": "GLOBAL",
    "Global Ex USA": "GLOBALXUS",
    "Europe": "EUROPE",
    "North America": "NAMERICA",
    "Pacific": "PACIFIC",
}

LIBRARY_DATASETS: dict[str, LibraryDataset] = {
    d.name: d
    for d in (
        LibraryDataset(
            "q5_monthly",
            "globalq",
            "q5_factors_monthly_{year}.csv",
            "M",
            "q_csv",
            _Q_COLS,
            min_rows=570,
            vintage_rule="year",
            same_vintage_tolerance=1e-6 + 1e-12,  # percent with 4 decimals
        ),
        LibraryDataset(
            "q5_daily",
            "globalq",
            "q5_factors_daily_{year}.csv",
            "D",
            "q_csv",
            _Q_COLS,
            min_rows=12000,
            vintage_rule="year",
            same_vintage_tolerance=1e-6 + 1e-12,
        ),
        LibraryDataset("sy4_monthly", "stambaugh", "M4.csv", "M", "stambaugh_csv", _SY_COLS, min_rows=580),
        LibraryDataset("sy4_daily", "stambaugh", "M4d.csv", "D", "stambaugh_csv", _SY_COLS, min_rows=12000),
        LibraryDataset(
            "ps_monthly",
            "stambaugh",
            "liq_data_1962_{year}.txt",
            "M",
            "ps_txt",
            ("LIQ_V",),
            min_rows=600,
            vintage_rule="year",
            missing_ok=True,
        ),
        LibraryDataset(
            "dhs_monthly", "dhs", "DHS_factors.xlsx", "M", "xlsx", ("PEAD", "FIN"), min_rows=500, sheets=((0, "{}"),)
        ),
        LibraryDataset(
            "aqr_hmld_monthly",
            "aqr",
            "The-Devil-in-HMLs-Details-Factors-Monthly.xlsx",
            "M",
            "xlsx",
            (*(f"{name} USA" for _, name in _AQR_FACTORS), "RF"),
            min_rows=1050,
            sheets=(*((sheet, name + " {}") for sheet, name in _AQR_FACTORS), ("RF", "RF")),
            vintage_rule="data",
            # HML-Devil uses the CURRENT market value, so AQR's monthly update revises its history;
            # only the relative-RMS test applies (units, shifted dates, swapped columns).
            same_vintage_tolerance=float("inf"),
            max_revision=float("inf"),
            missing_ok=True,
            max_bytes=64 * 2**20,
        ),
        *(
            LibraryDataset(
                f"aqr_{key}_monthly",
                "aqr",
                file,
                "M",
                "xlsx",
                (f"{factor} USA",),
                min_rows=rows,
                sheets=((f"{factor} Factors", factor + " {}"),),
                vintage_rule="data",
                same_vintage_tolerance=float("inf"),  # monthly updates revise the history, as for HML-Devil
                max_revision=float("inf"),
                missing_ok=True,
                max_bytes=64 * 2**20,
            )
            for key, factor, file, rows in (
                ("qmj", "QMJ", "Quality-Minus-Junk-Factors-Monthly.xlsx", 720),
                ("bab", "BAB", "Betting-Against-Beta-Equity-Factors-Monthly.xlsx", 1000),
            )
        ),
    )
}

_AQR4 = ("MKT", "SMB", "HML-Devil", "UMD")
_AQR6_PAPERS = (
    "Asness, C., A. Frazzini and L. H. Pedersen (2019), Quality minus junk, Review of Accounting Studies 24(1), "
    "34-112; Frazzini, A. and L. H. Pedersen (2014), Betting against beta, Journal of Financial Economics 111(1), 1-25"
)
# The papers behind a model beyond its publishers' (cited first).
MODEL_CITATIONS = {
    "BS6": "Barillas, F. and J. Shanken (2018), Comparing asset pricing models, Journal of Finance 73(2), 715-754",
    "AQR6": _AQR6_PAPERS,
    **{f"AQR6-{code}": _AQR6_PAPERS for code in AQR_AREAS.values()},
}


def _aqr4(area: str) -> tuple:
    return (("aqr_hmld", tuple(f"{f} {area}" for f in _AQR4), _AQR4),)


def _aqr6(area: str) -> tuple:
    return (*_aqr4(area), ("aqr_qmj", (f"QMJ {area}",), ("QMJ",)), ("aqr_bab", (f"BAB {area}",), ("BAB",)))


# model -> ((family, stored columns[, names shown]), ...); RF comes from the first family.
LIBRARY_MODELS: dict[str, tuple[tuple, ...]] = {
    "Q5": (("q5", ("MKT", "ME", "IA", "ROE", "EG")),),
    "Q4": (("q5", ("MKT", "ME", "IA", "ROE")),),
    "SY4": (("sy4", ("MKTRF", "SMB", "MGMT", "PERF")),),
    "PS": (("ff3", ("Mkt-RF",)), ("ps", ("LIQ_V",))),
    "DHS3": (("ff3", ("Mkt-RF",)), ("dhs", ("PEAD", "FIN"))),
    "AQR4": _aqr4("USA"),
    **{f"AQR4-{code}": _aqr4(area) for area, code in AQR_AREAS.items()},
    "AQR6": _aqr6("USA"),
    **{f"AQR6-{code}": _aqr6(area) for area, code in AQR_AREAS.items()},
    "BS6": (
        ("ff3", ("Mkt-RF", "SMB")),
        ("q5", ("IA", "ROE")),
        ("mom", ("MOM",), ("UMD",)),
        ("aqr_hmld", ("HML-Devil USA",), ("HML-Devil",)),
    ),
}
