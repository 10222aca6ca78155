"""Who publishes xlfactor's factor data: each publisher's site, mirror variable, citation and licence note.

Every source's base URL can be pointed at a mirror with ``XLFACTOR_<KEY>_BASE_URL``
(``XLFACTOR_FRENCH_BASE_URL``, ``XLFACTOR_GLOBALQ_BASE_URL``, ``XLFACTOR_STAMBAUGH_BASE_URL``,
``XLFACTOR_AQR_BASE_URL``, ``XLFACTOR_DHS_BASE_URL``). Under a mirror the files keep their
published names: the URL of a file is the base URL followed by its name.

Licences: none of the publishers below grants redistribution that we found (their pages
ask users to cite the papers and offer the data for research use). So xlfactor ships
none of their files except Kenneth French's (as it always has); the others are downloaded
by each user from the publisher (``xlfactor refresh --model Q5``) and kept in the user's
own cache.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass

from xlfactor.errors import XLFactorError

_NOT_SHIPPED = (
    "not redistributed by xlfactor: the publisher grants no redistribution licence that we found; "
    "each user downloads it from the publisher for their own use and cites the paper"
)


@dataclass(frozen=True)
class Source:
    """One publisher of factor data.

    Attributes
    ----------
    key : str
        Lower-case key; the mirror variable is ``XLFACTOR_<KEY>_BASE_URL``.
    name : str
        The library's name as its publisher gives it.
    label : str
        Short name used in messages and as ``factor_info``'s ``database`` (``"global-q"``).
    default_base_url : str
        The folder on the publisher's site the files are downloaded from.
    citation : str
        The paper(s) to cite when using the data.
    licence : str
        What the publisher allows, as far as we found, and what xlfactor does about it.
    """

    key: str
    name: str
    label: str
    default_base_url: str
    citation: str
    licence: str = _NOT_SHIPPED

    @property
    def env_var(self) -> str:
        """``XLFACTOR_<KEY>_BASE_URL``."""
        return f"XLFACTOR_{self.key.upper()}_BASE_URL"

    def base_url(self) -> str:
        """The mirror in :attr:`env_var` if set, else the publisher's folder; always ending in ``/``.

        Raises
        ------
        XLFactorError
            If the variable is set to something other than an http(s) URL with a host.
        """
        url = (os.environ.get(self.env_var) or self.default_base_url).strip()
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise XLFactorError(
                f"{self.env_var}: {url!r} is not an http(s) URL; set it to a mirror's address "
                f"such as {self.default_base_url!r}, or unset it"
            )
        return url if url.endswith("/") else url + "/"


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "french",
            "Kenneth R. French Data Library",
            "French",
            "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/",
            "Fama, E. F. and K. R. French (1993), Common risk factors in the returns on stocks and bonds, Journal of "
            "Financial Economics 33(1), 3-56; Fama and French (2015), A five-factor asset pricing model, Journal of "
            "Financial Economics 116(1), 1-22",
            "shipped with xlfactor (US CRSP 202511; Developed and Europe Bloomberg 202101), as the package always "
            "has; French's data library asks users to cite the papers",
        ),
        Source(
            "globalq",
            "Hou-Xue-Zhang q-factors data library (global-q.org)",
            "global-q",
            "https://global-q.org/uploads/1/2/2/6/122679606/",
            "Hou, K., C. Xue and L. Zhang (2015), Digesting anomalies: An investment approach, Review of Financial "
            "Studies 28(3), 650-705; Hou, K., H. Mo, C. Xue and L. Zhang (2021), An augmented q-factor model with "
            "expected growth, Review of Finance 25(1), 1-41",
        ),
        Source(
            "stambaugh",
            "Robert F. Stambaugh's data page (Wharton)",
            "Stambaugh",
            "https://finance.wharton.upenn.edu/~stambaug/",
            "Stambaugh, R. F. and Y. Yuan (2017), Mispricing factors, Review of Financial Studies 30(4), 1270-1315; "
            "Pastor, L. and R. F. Stambaugh (2003), Liquidity risk and expected stock returns, Journal of Political "
            "Economy 111(3), 642-685",
        ),
        Source(
            "aqr",
            "AQR Capital Management data sets",
            "AQR",
            "https://www.aqr.com/-/media/AQR/Documents/Insights/Data-Sets/",
            "Asness, C. and A. Frazzini (2013), The devil in HML's details, Journal of Portfolio Management 39(4), "
            "49-68",
        ),
        Source(
            "dhs",
            "Kent Daniel's data page (Daniel-Hirshleifer-Sun factors)",
            "DHS",
            "http://www.kentdaniel.net/data/",
            "Daniel, K., D. Hirshleifer and L. Sun (2020), Short- and long-horizon behavioral factors, Review of "
            "Financial Studies 33(4), 1673-1736",
        ),
    )
}
