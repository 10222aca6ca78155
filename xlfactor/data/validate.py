"""Checks a downloaded French zip must pass before it may replace the stored copy.

1. The body is a zip (not an HTML error page), holding exactly one member whose
   name is the expected CSV file name (case-insensitive; ``.CSV`` is fine) with no
   folder part, ``..``, drive or absolute path, at most ``MAX_CSV_BYTES`` unpacked.
2. The CSV parses, has the expected block (``daily``/``monthly``) at the expected
   frequency with exactly the expected columns, only finite numbers (international
   files may also mark values missing with -99.99, stored as NaN), dates
   strictly increasing, at least ``min_rows`` rows, and does not end before the
   stored copy.
3. On the dates both copies cover, the new numbers are a plausible vintage
   revision of the stored ones. French regenerates the whole history each month;
   SOURCES.md records the largest revisions seen between the 202412 and 2025-26
   vintages: 1.6 pp monthly (SMB), 1.7 pp daily (HML), with relative RMS changes
   up to 0.12 per factor (0.15 for daily RF, re-rounded from 3 to 2 decimals).
   So a column is rejected if any value moves more than ``MAX_REVISION`` = 3 pp,
   or its RMS change exceeds ``MAX_RELATIVE_RMS_CHANGE`` = 0.35 times its RMS
   (catches percent/decimal mix-ups, shifted dates, swapped columns).
   Under an UNCHANGED CRSP vintage French has not regenerated anything, so only
   rounding is allowed: no value may move more than ``SAME_VINTAGE_TOLERANCE``
   (one unit in the last printed digit, 0.01 pp). The refresh applies these checks
   against the stored copy and against the shipped snapshot, so revisions cannot
   accumulate over several refreshes.

The other libraries' files (:mod:`xlfactor.data.library`) pass the same steps 2 and 3 after
their own parser (:func:`parse_library_file`): expected columns, only finite numbers (or NaN
where the file marks values missing), dates strictly increasing, at least ``min_rows`` rows,
returns in decimals (no value of 100% or more: a file switched to percent is refused), and
revisions bounded per dataset (``same_vintage_tolerance``, ``max_revision``).
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd

from xlfactor.data import library_files
from xlfactor.data.catalog import FrenchDataset
from xlfactor.data.french import FrenchFile, parse_french_csv
from xlfactor.data.library import LibraryDataset
from xlfactor.errors import XLFactorError

MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_REVISION = 0.03
MAX_RELATIVE_RMS_CHANGE = 0.35
SAME_VINTAGE_TOLERANCE = 1e-4 + 1e-12  # French prints percent with 2 decimals: 0.01 pp = 1e-4
_UNSAFE_NAME = re.compile(r"[/\\]|^[A-Za-z]:|^\.\.?$")  # folders, absolute or drive paths, . and ..


class ValidationError(XLFactorError):
    """A downloaded file failed a check; the stored copy is kept."""


def extract_csv(body: bytes, dataset: FrenchDataset) -> bytes:
    """The bytes of the single CSV member of a downloaded zip, after the checks in step 1."""
    head = body[:512].lstrip().lower()
    if head.startswith(b"<") or b"<html" in head:
        raise ValidationError("the server sent an HTML page, not a zip file (site changed or an error page?)")
    if not zipfile.is_zipfile(io.BytesIO(body)):
        raise ValidationError(f"not a valid zip file ({len(body)} bytes; truncated or corrupted download?)")
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = archive.infolist()
            names = [m.filename for m in members]
            if len(members) != 1:
                raise ValidationError(f"the zip holds {len(members)} members {names}; expected exactly one CSV file")
            member = members[0]
            if _UNSAFE_NAME.search(member.filename):
                raise ValidationError(f"the zip member name {member.filename!r} has a path in it; refusing it")
            if member.filename.lower() != dataset.file.lower():
                raise ValidationError(f"the zip member is {member.filename!r}; expected {dataset.file!r}")
            if member.file_size > MAX_CSV_BYTES:
                raise ValidationError(f"the zip member unpacks to {member.file_size} bytes (limit {MAX_CSV_BYTES})")
            with archive.open(member) as fh:
                data = fh.read(MAX_CSV_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise ValidationError(f"the zip could not be read: {exc} (truncated or corrupted download?)") from None
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError(f"the zip member unpacks to more than {MAX_CSV_BYTES} bytes")
    return data


def parse_dataset(raw: bytes, dataset: FrenchDataset) -> tuple[str | None, pd.DataFrame]:
    """Parse a French CSV and check the dataset's block (step 2); returns (vintage, frame)."""
    try:
        parsed: FrenchFile = parse_french_csv(raw.decode("latin-1"))
    except XLFactorError as exc:
        raise ValidationError(f"the CSV could not be parsed: {exc}") from None
    block = next((b for b in parsed.blocks if b.name == dataset.block), None)
    if block is None:
        names = ", ".join(repr(b.name) for b in parsed.blocks) or "none"
        raise ValidationError(f"the CSV has no {dataset.block!r} block (blocks found: {names})")
    if block.freq != dataset.freq:
        raise ValidationError(f"the {dataset.block!r} block has dates of frequency {block.freq}, not {dataset.freq}")
    frame = block.data.rename(columns=dict(dataset.rename))
    if tuple(frame.columns) != dataset.columns:
        raise ValidationError(
            f"the {dataset.block!r} block has columns {list(frame.columns)}; expected {list(dataset.columns)}"
        )
    _check_values(frame, dataset, f"the {dataset.block!r} block")
    return parsed.vintage, frame


def _check_values(frame: pd.DataFrame, dataset: FrenchDataset | LibraryDataset, where: str) -> None:
    values = frame.to_numpy()
    bad = ~np.isfinite(values) & ~(np.isnan(values) if dataset.missing_ok else False)
    if bad.any():
        what = "non-finite" if dataset.missing_ok else "missing or non-finite"
        raise ValidationError(f"{where} has {what} values")
    if len(frame) < dataset.min_rows:
        raise ValidationError(f"{where} has only {len(frame)} rows (expected >= {dataset.min_rows})")


_PARSERS = {
    "q_csv": library_files.parse_q_csv,
    "stambaugh_csv": library_files.parse_stambaugh_csv,
    "ps_txt": library_files.parse_ps_txt,
}


def parse_library_file(
    raw: bytes, dataset: LibraryDataset, *, file_name: str, last_modified: str | None = None
) -> tuple[str | None, pd.DataFrame]:
    """Parse a downloaded library file and check it (steps 2 of the French files); returns (vintage, frame).

    The vintage comes from the dataset's ``vintage_rule``: the year in ``file_name``, the
    ``last_modified`` HTTP date, or the file's last date (``YYYY-MM``).
    """
    try:
        if dataset.layout == "xlsx":
            frame = _workbook_frame(raw, dataset)
        else:
            frame = _PARSERS[dataset.layout](raw, dataset.freq)
    except XLFactorError as exc:
        raise ValidationError(f"{file_name}: {exc}") from None
    missing = [c for c in dataset.columns if c not in frame.columns]
    if missing:
        raise ValidationError(f"{file_name} has no column {', '.join(missing)} (columns: {', '.join(frame.columns)})")
    if dataset.layout != "xlsx":
        frame = frame[list(dataset.columns)]
    _check_values(frame, dataset, file_name)
    big = np.nanmax(np.abs(frame.drop(columns="RF", errors="ignore").to_numpy())) if len(frame) else 0.0
    if big >= 1.0:
        raise ValidationError(
            f"{file_name} has a return of {100 * big:.0f}%; the publisher's units changed (percent where decimals "
            "were expected?)"
        )
    if dataset.vintage_rule == "year":
        vintage = re.search(r"(\d{4})\D*$", file_name).group(1)
    elif dataset.vintage_rule == "data":
        vintage = f"{frame.index[-1]:%Y-%m}"
    else:
        vintage = library_files.vintage_from_last_modified(last_modified)
    return vintage, frame


def _workbook_frame(raw: bytes, dataset: LibraryDataset) -> pd.DataFrame:
    """The sheets of an xlsx dataset joined on their dates, columns named by the sheets' templates."""
    sheets = library_files.read_workbook_sheets(raw, [sheet for sheet, _ in dataset.sheets])
    parts = []
    for sheet, template in dataset.sheets:
        table = library_files.sheet_table(sheets[sheet], str(sheet), dataset.freq)
        if "{}" not in template:
            if table.shape[1] != 1:
                raise XLFactorError(f"sheet {sheet!r} has {table.shape[1]} columns; expected one ({template})")
            table.columns = [template]
        else:
            table.columns = [template.format(c) for c in table.columns]
        parts.append(table)
    frame = pd.concat(parts, axis=1, join="outer").sort_index()
    if frame.columns.has_duplicates:
        raise XLFactorError(f"columns named twice: {sorted(set(frame.columns[frame.columns.duplicated()]))}")
    return frame


def check_against_stored(
    new: pd.DataFrame,
    old: pd.DataFrame,
    *,
    new_vintage: str | None = None,
    old_vintage: str | None = None,
    against: str = "the stored copy",
    max_revision: float = MAX_REVISION,
    same_vintage_tolerance: float = SAME_VINTAGE_TOLERANCE,
    vintage_name: str = "CRSP vintage",
) -> None:
    """Step 3: the new copy must cover ``old``'s end and differ only by plausible revisions.

    With ``new_vintage == old_vintage`` (both known) a value may move at most
    ``SAME_VINTAGE_TOLERANCE``; otherwise at most ``max_revision``, and each column's
    ``rms(new - old) / rms(old)`` over the common dates at most ``MAX_RELATIVE_RMS_CHANGE``.
    ``against`` names ``old`` in messages. A ``new_vintage`` older than ``old_vintage`` (both
    known, ``YYYYMM``) is refused whatever the values: refreshes never go back in time.

    ``same_vintage_tolerance`` is the file's last printed digit (French: 0.01 pp; other libraries:
    their own, see :class:`~xlfactor.data.library.LibraryDataset`).

    ``max_revision`` is ``inf`` (and ``old_vintage`` None) when ``old`` is not one of French's
    files but months compounded from his daily file (the shipped Developed and Europe months):
    his monthly factors come from monthly portfolio returns and differ from compounded daily ones
    by more than a vintage revision in single months (US 1990-2021: up to 7.4 pp for momentum,
    April 2009; 3.2 pp for RMW), yet only by 0.24 of their RMS size at most, so the relative-RMS
    test (units, shifted dates, swapped columns) still applies.
    """
    if _older(new_vintage, old_vintage):
        raise ValidationError(
            f"the new file's vintage {new_vintage} is older than that of {against} ({old_vintage}); an older "
            "vintage does not replace a newer one (a stale mirror?), so the stored copy is kept"
        )
    if new.index[-1] < old.index[-1]:
        raise ValidationError(
            f"the new file ends {new.index[-1]:%Y-%m-%d}, before {against} "
            f"({old.index[-1]:%Y-%m-%d}); an out-of-date mirror?"
        )
    common = new.index.intersection(old.index)
    if len(common) == 0:
        raise ValidationError(f"the new file shares no dates with {against}")
    a = new.loc[common, list(old.columns)].to_numpy()
    b = old.loc[common].to_numpy()
    diff = np.nan_to_num(np.abs(a - b))  # a value missing (-99.99) in either copy is not compared
    b = np.nan_to_num(b)
    worst = diff.max(axis=0)
    rms_old = np.sqrt(np.mean(b**2, axis=0))
    rel = np.sqrt(np.mean(diff**2, axis=0)) / np.where(rms_old > 0, rms_old, np.inf)
    same_vintage = new_vintage is not None and new_vintage == old_vintage
    for j, column in enumerate(old.columns):
        if same_vintage and worst[j] > same_vintage_tolerance:
            at = common[int(diff[:, j].argmax())]
            moved = int((diff[:, j] > same_vintage_tolerance).sum())
            raise ValidationError(
                f"{column} on {at:%Y-%m-%d} changed by {100 * worst[j]:.2f} pp versus {against} "
                f"({moved} values moved) although the {vintage_name} ({new_vintage}) is unchanged; a revision "
                "without a new vintage is refused"
            )
        if worst[j] > max_revision:
            at = common[int(diff[:, j].argmax())]
            raise ValidationError(
                f"{column} on {at:%Y-%m-%d} changed by {100 * worst[j]:.2f} pp versus {against} "
                f"(more than the {100 * max_revision:g} pp a vintage revision explains)"
            )
        if rel[j] > MAX_RELATIVE_RMS_CHANGE:
            raise ValidationError(
                f"{column} differs from {against} by {rel[j]:.2f} of its typical size over "
                f"{len(common)} common dates (limit {MAX_RELATIVE_RMS_CHANGE}); units or dates changed?"
            )


def _older(new_vintage: str | None, old_vintage: str | None) -> bool:
    """Whether vintage ``new_vintage`` (``"202511"``) precedes ``old_vintage``; False when either is unknown."""
    if not new_vintage or not old_vintage or not (new_vintage.isdigit() and old_vintage.isdigit()):
        return False
    return int(new_vintage) < int(old_vintage)
