"""What the report says about itself: title, model, data sources, when it was made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xlfactor.models.frequency import frequency_name, period_name


@dataclass(frozen=True)
class ReportInfo:
    """Descriptive (non-numeric) facts the report prints next to the numbers.

    Attributes
    ----------
    title : str
        Report title (user text; written safely).
    model : str
        Factor model name (``"FF5"``) or ``"custom"`` for a user factor table.
    freq : str
        Data frequency code (``"M"``).
    portfolio_source : str
        Where the portfolio came from (file names, "sample portfolio", ...).
    factor_source : dict
        Facts about the factor data (source, vintage, fetched time, ...), as
        returned by :func:`xlfactor.factor_info`, shown as label/value rows.
    dropped_dates : int
        Portfolio dates without factor data (left out of the analysis).
    realised_source : str or None
        Where the portfolio's realised return history came from, when one was
        given (the top-down estimates use it); None: today's weights held constant.
    generated : datetime
        When the report was built.
    """

    title: str
    model: str
    freq: str
    portfolio_source: str
    factor_source: dict = field(default_factory=dict)
    dropped_dates: int = 0
    realised_source: str | None = None
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def frequency_name(self) -> str:
        """``"Monthly"`` etc. (capitalised :func:`xlfactor.models.frequency.frequency_name`)."""
        name = frequency_name(self.freq)
        return name[:1].upper() + name[1:]

    @property
    def period_name(self) -> str:
        """``"month"`` etc. (:func:`xlfactor.models.frequency.period_name`)."""
        return period_name(self.freq)
