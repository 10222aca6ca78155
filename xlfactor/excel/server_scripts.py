"""The ribbon scripts as an xlwings Server serves them: Refresh data is for admins, one at a time, rate-limited.

The ``custom_scripts/__init__.py`` that ``xlfactor server init`` writes takes every script of
:mod:`xlfactor.excel.scripts` and then this module's :func:`xlfactor_refresh` in place of
the plain one. On a server the factor cache is shared by every user (and by every worker and
server process on the same data folder), so refreshing it:

- needs the ``admin`` role (xlwings Server's ``required_roles``; the auth provider answers a
  user without it with 403, :mod:`xlfactor.excel.server_auth`);
- runs one at a time: a lock file in the data folder (``refresh.lock``), held while the
  download runs, so a second refresh, through any worker or server process, is refused with a
  message instead of downloading again;
- runs at most once per ``$XLFACTOR_REFRESH_INTERVAL`` seconds (default 900; the time of the
  last refresh is ``refresh.stamp`` in the data folder). An administrator forces one with
  ``xlfactor refresh`` on the server, which the scheduled refresh of the Docker setup runs too.

xlwings Lite keeps the plain script: there the cache is the user's own.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from contextlib import contextmanager
from pathlib import Path

import xlwings as xw

from xlfactor.data.cache import data_dir
from xlfactor.errors import XLFactorError
from xlfactor.excel import ribbon, scripts
from xlfactor.excel.limits import setting
from xlfactor.excel.server_tokens import ADMIN

INTERVAL_ENV = "XLFACTOR_REFRESH_INTERVAL"
DEFAULT_INTERVAL = 900.0
LOCK_FILE = "refresh.lock"
STAMP_FILE = "refresh.stamp"

__all__ = ["xlfactor_refresh"]


def refresh_interval() -> float:
    """Seconds between two refreshes through the ribbon (``$XLFACTOR_REFRESH_INTERVAL``, default 900)."""
    return setting(INTERVAL_ENV, DEFAULT_INTERVAL)


@contextmanager
def _exclusive(path: Path):
    """Hold an exclusive lock on ``path`` (created if needed), or raise if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise XLFactorError(
                "Refresh data: a refresh is already running on this server; its new data reach every user when "
                "it ends: recalculate in a minute"
            ) from None
        yield


def gated_refresh(book: xw.Book) -> None:
    """:func:`xlfactor.excel.ribbon.refresh`, one at a time and at most once per :func:`refresh_interval`."""
    folder = data_dir()
    interval = refresh_interval()
    with _exclusive(folder / LOCK_FILE):
        stamp = folder / STAMP_FILE
        age = time.time() - stamp.stat().st_mtime if stamp.exists() else None
        if age is not None and age < interval:
            when = dt.datetime.fromtimestamp(stamp.stat().st_mtime + interval).strftime("%H:%M")
            raise XLFactorError(
                f"Refresh data: the factor data were refreshed {age / 60:.0f} minutes ago; the next refresh is "
                f"possible after {when} (server time; {INTERVAL_ENV} = {interval:.0f} s). The functions already use "
                "the latest data; an administrator can force a refresh with `xlfactor refresh` on the server"
            )
        stamp.touch()
        ribbon.refresh(book)


ACTIONS = {**scripts.ACTIONS, "refresh": gated_refresh}


@xw.script(required_roles=[ADMIN])
def xlfactor_refresh(book: xw.Book):
    """Download fresh factor data for every user of this server (admin role; one at a time, rate-limited)."""
    ribbon.dispatch("refresh", book, ACTIONS)
