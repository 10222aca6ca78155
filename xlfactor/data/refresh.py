"""``refresh_factors``: download the factor files, validate them, store them in one transaction.

The same steps serve every publisher (:mod:`xlfactor.data.sources`): French's zips and the
other libraries' files (:mod:`xlfactor.data.library`). A file whose name carries its release
year (global-q, Pastor-Stambaugh) is looked for from the current year backwards (down to the
year stored); each publisher's base URL comes from its ``XLFACTOR_<SOURCE>_BASE_URL``.

Per dataset: a conditional GET (304 -> unchanged); the zip checks, parse checks
and revision checks of :mod:`xlfactor.data.validate`; an identical CSV (same
sha256) -> unchanged. Everything that passed is written in ONE SQLite transaction,
so readers see either all the old data or all the new. Revisions are measured twice:
against the stored copy (where an unchanged CRSP vintage allows rounding only) and
against the shipped snapshot, so small accepted revisions cannot ratchet the
history away step by step. Stored copies whose checksum fails are repaired before
they are compared (never reported "unchanged"). A dataset that fails keeps
its stored copy; the failure is listed in the returned :class:`RefreshReport` and
in a ``RuntimeWarning``, never raised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlfactor.data import cache
from xlfactor.data.catalog import (
    BASE_MODELS,
    Dataset,
    FrenchDataset,
    datasets_for,
    french_model,
    model_freqs,
    model_names_hint,
    normalize_freq,
)
from xlfactor.data.download import DownloadError, Fetched, fetch
from xlfactor.data.frame_codec import decode_frame
from xlfactor.data.records import COMPOUNDED_NOTE, Record, snapshot_record
from xlfactor.data.sources import SOURCES
from xlfactor.data.validate import (
    MAX_REVISION,
    check_against_stored,
    extract_csv,
    parse_dataset,
    parse_library_file,
)
from xlfactor.errors import XLFactorError
from xlfactor.models._validate import positive_number, whole_number

ProgressCallback = Callable[[str, int, int], None]
PYODIDE_NO_DOWNLOADS = (
    "refresh: downloads are not available in this runtime (Pyodide, e.g. xlwings Lite: the browser blocks the "
    "French data library, which sends no CORS headers). The factor data shipped with xlfactor stay in use. "
    "For newer data install a newer xlfactor wheel in requirements.txt, or use the classic add-in or xlwings Server."
)


@dataclass(frozen=True)
class DatasetResult:
    """What happened to one dataset: ``status`` is "updated", "unchanged" or "failed"."""

    dataset: str
    status: str
    message: str
    url: str
    vintage: str | None = None
    rows: int | None = None


@dataclass(frozen=True)
class RefreshReport:
    """Per-dataset outcome of :func:`refresh_factors`.

    ``ok`` is False if any dataset failed; ``str(report)`` is a readable table.
    """

    results: tuple[DatasetResult, ...]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def failed(self) -> list[DatasetResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def updated(self) -> list[DatasetResult]:
        return [r for r in self.results if r.status == "updated"]

    @property
    def unchanged(self) -> list[DatasetResult]:
        return [r for r in self.results if r.status == "unchanged"]

    def to_frame(self) -> pd.DataFrame:
        """One row per dataset: dataset, status, vintage, rows, message, url."""
        columns = ["dataset", "status", "vintage", "rows", "message", "url"]
        return pd.DataFrame([[getattr(r, c) for c in columns] for r in self.results], columns=columns)

    def __str__(self) -> str:
        width = max([len(r.dataset) for r in self.results] + [7])
        lines = [f"{'dataset':<{width}}  {'status':<9}  message"]
        lines += [f"{r.dataset:<{width}}  {r.status:<9}  {r.message}" for r in self.results]
        return "\n".join(lines)


def base_url(source: str = "french") -> str:
    """The base URL of a publisher's files: ``$XLFACTOR_<SOURCE>_BASE_URL`` (a mirror) or the publisher's folder.

    Raises
    ------
    XLFactorError
        If the variable is set to something other than an http(s) URL with a host.
    """
    return SOURCES[source].base_url()


def refresh_factors(
    models: str | Iterable[str] | None = None,
    freq: str | Iterable[str] | None = None,
    *,
    progress: ProgressCallback | None = None,
    timeout: float = 30.0,
    retries: int = 2,
    backoff: float = 1.0,
) -> RefreshReport:
    """Download, validate and store the factor files behind ``models`` at ``freq``.

    Parameters
    ----------
    models : str or list of str, optional
        Built-in models, US (``"FF5"``), regional (``"FF6-DEV"``) or from another library
        (``"Q5"``, ``"SY4"``, ``"AQR4"``, ``"PS"``, ``"DHS3"``, ``"BS6"``; see
        :mod:`xlfactor.data.library`); their datasets are refreshed once each. Default: the
        US models, every file downloaded before, and every model this data folder was asked
        for while it was not stored (so the ribbon's Refresh fetches a model a formula
        named). Name a regional or library model to fetch it the first time (or to replace
        the shipped Developed/Europe 202101 vintage).
    freq : {"D", "W", "M"} or list, optional
        Default: daily and monthly (monthly only for Emerging, which French publishes
        monthly only). Weekly data come from the daily files.
    progress : callable, optional
        Called as ``progress(dataset, done, total)`` after each dataset.
    timeout, retries, backoff : float, int, float
        Seconds allowed for each download attempt as a whole (> 0; see
        :func:`xlfactor.data.download.fetch`); retries (0 to 10) after a timeout,
        connection error or HTTP 5xx, sleeping ``backoff * 2**k`` seconds (>= 0)
        before retry ``k+1``.

    Returns
    -------
    RefreshReport
        updated / unchanged / failed (+ reason) per dataset. Failures are also
        issued as one ``RuntimeWarning``; the stored copy of a failed dataset is kept.

    Raises
    ------
    XLFactorError
        For bad arguments (unknown model or frequency, a timeout that is not a
        positive number of seconds, ...), a ``XLFACTOR_<SOURCE>_BASE_URL`` (``FRENCH``, ``GLOBALQ``,
        ``STAMBAUGH``, ``AQR``, ``DHS``) that is not an http(s) URL, a cache that cannot be
        written, or Pyodide (xlwings Lite), whose browser sandbox cannot download the files;
        nothing is downloaded then.
    """
    if sys.platform == "emscripten":
        raise XLFactorError(PYODIDE_NO_DOWNLOADS)
    timeout = positive_number(timeout, "timeout", "a number of seconds above 0, such as 30")
    retries = whole_number(retries, "retries", 0, 10)
    if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or not 0 <= backoff < math.inf:
        raise XLFactorError.at("backoff", f"expected a number of seconds >= 0, such as 1, got {backoff!r}")
    model_list = _models(models)
    freqs = None if freq is None else [normalize_freq(f) for f in ([freq] if isinstance(freq, str) else freq)]
    downloaded = frozenset()
    if model_list is None:  # the defaults, the datasets downloaded before, and the models asked for but missing
        downloaded = cache.run(_downloaded)
        wanted = [m for m in map(french_model, cache.wanted_models()) if m is not None]
        wanted = [m for m in wanted if freqs is None or {"D" if f == "W" else f for f in freqs} <= set(model_freqs(m))]
        model_list = list(dict.fromkeys([*BASE_MODELS, *wanted]))
    datasets = datasets_for(model_list, freqs, downloaded)
    bases = {d.source: base_url(d.source) for d in datasets}
    cache.require_writable()
    cache.check_datasets(d.name for d in datasets)
    stored = cache.run(lambda c: _stored(c, [d.name for d in datasets]))
    results, records, touched = [], [], []
    for i, dataset in enumerate(datasets):
        url = bases[dataset.source] + dataset.download_name
        try:
            fetch_args = {"timeout": timeout, "retries": retries, "backoff": backoff}
            result, record, touch = _refresh_one(dataset, bases[dataset.source], stored.get(dataset.name), fetch_args)
        except XLFactorError as exc:
            result, record, touch = DatasetResult(dataset.name, "failed", str(exc), url), None, None
        except Exception as exc:  # noqa: BLE001 - never let one dataset stop the others; report it
            result, record, touch = DatasetResult(dataset.name, "failed", f"unexpected error: {exc!r}", url), None, None
        results.append(result)
        if record is not None:
            records.append(record)
        if touch is not None:
            touched.append(touch)
        if progress is not None:
            progress(dataset.name, i + 1, len(datasets))
    try:
        cache.write_records(records, touched)
    except Exception as exc:  # noqa: BLE001 - the transaction rolled back: nothing was replaced
        results = [
            DatasetResult(r.dataset, "failed", f"could not store the new copy ({exc}); kept the old one", r.url)
            if r.status == "updated"
            else r
            for r in results
        ]
    report = RefreshReport(tuple(results))
    if not report.ok:
        lines = "; ".join(f"{r.dataset}: {r.message}" for r in report.failed)
        warnings.warn(
            f"xlfactor refresh: {len(report.failed)} dataset(s) failed and kept their stored copy: {lines}",
            RuntimeWarning,
            stacklevel=2,
        )
    return report


def _reference(dataset: Dataset, source: str, vintage: str | None) -> dict:
    """How far a new file may move from a copy with this source and vintage.

    Months compounded from French's daily file (the shipped Developed and Europe months)
    are no vintage of his monthly file: no same-vintage rule and no per-value bound
    (see :func:`~xlfactor.data.validate.check_against_stored`); French's own files get both.
    Other libraries' files get their dataset's bounds (:class:`~xlfactor.data.library.LibraryDataset`).
    """
    if COMPOUNDED_NOTE in source:
        return {"old_vintage": None, "max_revision": np.inf}
    if isinstance(dataset, FrenchDataset):
        return {"old_vintage": vintage, "max_revision": MAX_REVISION}
    return {
        "old_vintage": vintage,
        "max_revision": dataset.max_revision,
        "same_vintage_tolerance": dataset.same_vintage_tolerance,
        "vintage_name": f"{dataset.database} vintage",
    }


def _models(models: str | Iterable[str] | None) -> list[str] | None:
    if models is None:
        return None
    out = []
    for model in [models] if isinstance(models, str) else models:
        name = french_model(model)
        if name is None:
            raise XLFactorError.at(
                "models",
                f"{model!r} is not a built-in model; {model_names_hint()}. Registered factor files "
                "are updated by registering the file again",
            )
        out.append(name)
    return out


def _downloaded(conn) -> frozenset[str]:
    """Names of the built-in datasets stored from a download (a regional or other library's one is refreshed
    by default from then on)."""
    rows = conn.execute("SELECT name FROM datasets WHERE kind IN ('french', 'library') AND origin = 'download'")
    return frozenset(name for (name,) in rows)


def _stored(conn, names: list[str]) -> dict[str, dict]:
    cur = conn.execute(
        f"SELECT name, sha256, etag, last_modified, vintage, rows, payload, origin, source FROM datasets "
        f"WHERE name IN ({','.join('?' * len(names))})",
        names,
    )
    return {row[0]: dict(zip([d[0] for d in cur.description], row, strict=True)) for row in cur}


def _fetch_newest(dataset: Dataset, base: str, old: dict, fetch_args: dict) -> tuple[str, str, Fetched]:
    """(url, file name, response) of the dataset's newest file: a conditional GET of the stored file, or for a
    file named by its release year, the first year found walking back from this year (down to the stored one)."""
    stored_name = old["source"].rsplit("/", 1)[-1] if old["origin"] == "download" else None
    oldest = int(old["vintage"]) if dataset.vintage_rule == "year" and str(old["vintage"] or "").isdigit() else None
    names = dataset.file_names(dt.date.today().year, oldest)
    for k, name in enumerate(names):
        url = base + name
        conditional = {"etag": old["etag"], "last_modified": old["last_modified"]} if name == stored_name else {}
        try:
            return url, name, fetch(url, **conditional, **fetch_args, max_bytes=dataset.max_bytes)
        except DownloadError as exc:
            if "HTTP 404" not in str(exc) or len(names) == 1:
                raise
            if k == len(names) - 1:
                raise DownloadError(
                    f"no {dataset.download_name} under {base}: tried {names[0]} back to {names[-1]} (HTTP 404 each)"
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _read(dataset: Dataset, body: bytes, name: str, last_modified: str | None):
    """(raw bytes whose sha256 identifies the file, a function returning (vintage, frame))."""
    if isinstance(dataset, FrenchDataset):
        raw = extract_csv(body, dataset)
        return raw, lambda: parse_dataset(raw, dataset)
    return body, lambda: parse_library_file(body, dataset, file_name=name, last_modified=last_modified)


def _refresh_one(dataset: Dataset, base: str, old: dict | None, fetch_args: dict):
    """(result, record to write or None, (name, etag, last_modified) to touch or None).

    ``old`` is None for a dataset never stored (a region or library not shipped): it
    is fetched unconditionally and passes every check except the comparison with a
    stored copy, which does not exist.
    """
    if old is None:
        old = {
            "etag": None,
            "last_modified": None,
            "sha256": None,
            "vintage": None,
            "rows": None,
            "payload": None,
            "origin": None,
            "source": "",
        }
    url, name, got = _fetch_newest(dataset, base, old, fetch_args)
    touch = (dataset.name, got.etag, got.last_modified)
    if got.body is None:
        return (
            DatasetResult(dataset.name, "unchanged", "not modified (HTTP 304)", url, old["vintage"], old["rows"]),
            None,
            touch,
        )
    raw, parse = _read(dataset, got.body, name, got.last_modified)
    sha = hashlib.sha256(raw).hexdigest()
    if sha == old["sha256"]:
        message = "same file as stored (sha256 matches)"
        return DatasetResult(dataset.name, "unchanged", message, url, old["vintage"], old["rows"]), None, touch
    vintage, frame = parse()
    if old["payload"] is not None:
        reference = _reference(dataset, old["source"], old["vintage"])
        check_against_stored(frame, decode_frame(old["payload"]), new_vintage=vintage, **reference)
    if dataset.shipped and old["origin"] not in (None, "snapshot"):  # a download: measure the total revision too
        baseline = snapshot_record(dataset)
        check_against_stored(
            frame,
            baseline.frame,
            new_vintage=vintage,
            against="the shipped snapshot",
            **_reference(dataset, baseline.source, baseline.vintage),
        )
    record = Record(
        name=dataset.name,
        kind=dataset.kind,
        origin="download",
        freq=dataset.freq,
        source=url,
        vintage=vintage,
        sha256=sha,
        frame=frame,
        download_sha256=hashlib.sha256(got.body).hexdigest(),
        etag=got.etag,
        last_modified=got.last_modified,
    )
    if old["payload"] is None:
        message = f"first download: {dataset.database} {vintage}, {len(frame)} rows"
    elif COMPOUNDED_NOTE in old["source"]:
        message = f"French's monthly file {dataset.database} {vintage} replaces months compounded from daily data"
    else:
        message = f"{dataset.database} {old['vintage']} -> {vintage}, {old['rows']} -> {len(frame)} rows"
    return DatasetResult(dataset.name, "updated", message, url, vintage, len(frame)), record, None
