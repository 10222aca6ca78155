"""Reading factor models from the cache: ``load_factors``, ``data_vintage``, ``factor_info``.

Every call first asks SQLite whether anything was committed since the last call
(``PRAGMA data_version`` and this connection's ``total_changes``, ~4 us); only then
are the ``data_key`` values of the datasets behind the model read again (one indexed
query). If this process already holds a frame built from exactly those keys it is
reused, otherwise the payloads are decoded and joined. So a refresh by any process
is seen by the next call, and repeated calls cost a dictionary lookup and a copy.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd

from xlfactor.data import cache
from xlfactor.data.catalog import (
    DATASETS,
    MODELS,
    french_model,
    model_columns,
    model_datasets,
    model_names_hint,
    model_region,
    normalize_freq,
)
from xlfactor.data.library import MODEL_CITATIONS
from xlfactor.data.periods import compound_weekly, period_labels
from xlfactor.data.records import COMPOUNDED_NOTE
from xlfactor.data.sources import SOURCES
from xlfactor.errors import REFRESH, Action, XLFactorError
from xlfactor.models.frequency import frequency_name

_MAX_FRAMES = 64
_frames: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
# Resolved dataset versions per (model, freq), valid while the cache's change token is unchanged.
_specs: dict[tuple[str, str], _Spec] = {}
_specs_token: tuple[int, int] | None = None


def _forget() -> None:
    global _specs_token
    _frames.clear()
    _specs.clear()
    _specs_token = None


cache.on_reset(_forget)


@dataclass(frozen=True)
class _Spec:
    """A resolved model request: canonical name, output frequency, datasets and their versions."""

    model: str
    freq: str
    builtin: bool
    stored_freq: str
    rows: tuple[sqlite3.Row | tuple, ...]  # (name, data_key, vintage) per dataset, model order

    @property
    def key(self) -> str:
        parts = "+".join(f"{vintage or 'file'}-{data_key[:12]}" for _, data_key, vintage in self.rows)
        return f"{self.model}/{self.freq}:{parts}"


def load_factors(model: str, freq: str = "M", start=None, end=None) -> pd.DataFrame:
    """Factor returns of a model (decimals) plus ``RF``, from the local cache.

    Parameters
    ----------
    model : str
        ``"CAPM"`` (Mkt-RF), ``"FF3"`` (Mkt-RF, SMB, HML), ``"FF5"`` (+ RMW, CMA),
        ``"FF6"`` (FF5 + MOM), ``"CARHART4"`` (FF3 + MOM): US factors; with a
        region suffix French's international factors: ``-DEV`` Developed,
        ``-DEVXUS`` Developed ex US, ``-EUR`` Europe, ``-JPN`` Japan, ``-APXJ`` Asia
        Pacific ex Japan, ``-NAM`` North America, ``-EM`` Emerging (monthly only),
        e.g. ``"FF5-DEV"``; case-insensitive. Or the name of factors registered
        with :func:`register_factors`. Developed and Europe ship with xlfactor
        (Bloomberg 202101 vintage); other regions need one
        :func:`refresh_factors` first.
    freq : {"M", "W", "D"}
        Monthly (index = month end), weekly (compounded from daily, index = the
        week's Friday, see :func:`xlfactor.data.periods.compound_weekly`) or daily.
    start, end : date-like, optional
        Inclusive bounds, snapped to the period containing them (``end="2020-06-15"``
        with ``freq="M"`` keeps June 2020).

    Returns
    -------
    pandas.DataFrame
        Columns as French names them (``Mkt-RF, SMB, HML, RMW, CMA``; momentum as
        ``MOM``) then ``RF``; rows = dates common to every file the model needs,
        from the first date all the model's factors have a value (international
        files mark missing early values -99.99). ``RF`` and ``Mkt-RF`` come from the
        five-factor file for FF5/FF6 and regional CAPM, and from the three-factor
        file for US CAPM, FF3 and CARHART4 (see :mod:`xlfactor.data.catalog`).

    Raises
    ------
    XLFactorError
        Unknown model or frequency (the message lists the valid ones), a region
        not downloaded yet (the message says how), bad dates, a ``start``/``end`` window holding no data.
    """
    spec = _resolve(model, freq)
    frame = _frame(spec)
    if start is not None or end is not None:
        lo = _bound(start, "start", spec.freq)
        hi = _bound(end, "end", spec.freq)
        window = frame.loc[lo:hi]
        if window.empty and not frame.empty:
            first, last = (f"{d:%Y-%m-%d}" for d in (frame.index[0], frame.index[-1]))
            asked = f"{first if lo is None else f'{lo:%Y-%m-%d}'} to {last if hi is None else f'{hi:%Y-%m-%d}'}"
            raise XLFactorError.at(
                "start",
                f"no {spec.model} {frequency_name(spec.freq)} factor data from {asked} (the stored data cover "
                f"{first} to {last}); choose dates inside that span",
            )
        frame = window
    return frame.copy()


def data_vintage(model: str, freq: str = "M") -> str:
    """A key that changes whenever the stored data behind ``model`` at ``freq`` change.

    Example: ``"FF5/D:202511-1f0c2a9e4b7d"``: model, frequency, then per dataset its
    CRSP vintage and the first 12 hex digits of the sha256 of the stored numbers.
    Cheap (one small query), for memoising results computed from the factors.
    """
    return _resolve(model, freq).key


def available_models() -> list[str]:
    """Built-in model names (US, then regional: ``FF5-DEV``...) followed by the names of registered factor sets."""
    users = cache.run(
        lambda c: [r[0] for r in c.execute("SELECT name FROM datasets WHERE kind = 'user' ORDER BY name")]
    )
    return [*MODELS, *users]


def factor_info(model: str, freq: str = "M") -> dict:
    """Where the data of ``model`` at ``freq`` come from, in plain words and as fields.

    Returns
    -------
    dict
        ``model``, ``freq``, ``columns``, ``origin`` ("snapshot": the copy shipped in
        the package; "download": fetched from the French site; "file": a registered
        user file; "mixed"), ``vintage`` (database month, e.g. "202511"; several joined
        by "/" if the files differ), ``database`` ("CRSP" for the US models,
        "Bloomberg" for the regional ones, None for registered files), ``first_date``,
        ``last_date``, ``rows`` (of the model's frame), ``data_key`` (= :func:`data_vintage`),
        ``datasets`` (one dict of stored metadata per dataset: source, sha256, fetched_at,
        ETag, ...) and ``summary``, a sentence saying all that (for the shipped regional
        files: that they are an older Bloomberg vintage, whether the months were
        compounded from days, and the command that refreshes them); ``excel_summary`` says
        the same with the Excel fix (the ribbon's Refresh data) instead of a command.
    """
    spec = _resolve(model, freq)
    frame = _frame(spec)
    names = [r[0] for r in spec.rows]
    metas = cache.run(lambda c: _metadata(c, names))
    origins = sorted({m["origin"] for m in metas})
    vintages = sorted({m["vintage"] for m in metas if m["vintage"]})
    origin = origins[0] if len(origins) == 1 else "mixed"
    vintage = "/".join(vintages) or None
    first, last = (
        (frame.index[0].strftime("%Y-%m-%d"), frame.index[-1].strftime("%Y-%m-%d")) if len(frame) else ("", "")
    )
    database = DATASETS[names[0]].database if spec.builtin else None
    sources = _sources(spec)
    old_snapshot = [m for m in metas if m["origin"] == "snapshot" and DATASETS[m["name"]].region]
    stamp = f"{database or 'data'} vintage {vintage}" if vintage else f"no {database or 'data'} vintage"

    def summary(fixes: dict[str, str]) -> str:
        where = {
            "snapshot": f"the snapshot shipped with xlfactor (no download yet; {fixes['newer']})",
            "download": "downloaded from " + ", ".join(f"{m['source']} at {m['fetched_at']}" for m in metas),
            "file": "registered file " + ", ".join(m["source"] for m in metas),
            "mixed": "; ".join(f"{m['name']}: {m['origin']} ({m['source']})" for m in metas),
        }[origin]
        if old_snapshot:
            where = f"{_older_vintage_note(old_snapshot, metas)}; {fixes['current']}"
        text = f"{spec.model} {frequency_name(spec.freq)}: {where}; {stamp}; {first} to {last}, {len(frame)} rows."
        if sources:
            publishers = list(dict.fromkeys(SOURCES[DATASETS[n].source].label for n in names))
            text += f" Source: {', '.join(publishers)}; cite {sources['citation']}."
        return text

    python_fixes = {
        "newer": "run `xlfactor refresh` for newer data",
        "current": f"run `xlfactor refresh --model {spec.model}` (or xlfactor.refresh_factors({spec.model!r})) with "
        "internet access for French's current files",
    }
    excel_fixes = {
        "newer": "click Refresh data on the xlfactor ribbon for newer data",
        "current": "click Refresh data on the xlfactor ribbon, with internet access, for French's current files",
    }
    return {
        "model": spec.model,
        "freq": spec.freq,
        "columns": list(frame.columns),
        "origin": origin,
        "vintage": vintage,
        "database": database,
        "first_date": first,
        "last_date": last,
        "rows": len(frame),
        "data_key": spec.key,
        "datasets": metas,
        "summary": summary(python_fixes),
        "excel_summary": summary(excel_fixes),
        **sources,
    }


def _sources(spec: _Spec) -> dict:
    """Publisher, citation, licence note and per-column source of a built-in model ({} for registered files)."""
    if not spec.builtin:
        return {}
    parts = model_columns(spec.model)
    datasets = [DATASETS[name] for name, _, _ in spec.rows]
    used = list(dict.fromkeys(SOURCES[d.source] for d in datasets))
    column_sources = {}
    for (_, _, shown), d in zip(parts, datasets, strict=True):
        for column in shown:
            column_sources[column] = f"{SOURCES[d.source].label} ({d.download_name})"
    column_sources["RF"] = f"{SOURCES[datasets[0].source].label} ({datasets[0].download_name})"
    return {
        "source": "; ".join(s.name for s in used),
        "citation": "; ".join([*filter(None, [MODEL_CITATIONS.get(spec.model)]), *(s.citation for s in used)]),
        "licence": "; ".join(f"{s.label}: {s.licence}" for s in used),
        "column_sources": column_sources,
    }


def _older_vintage_note(shipped: list[dict], metas: list[dict]) -> str:
    """Plain words for regional data still from the shipped Bloomberg 202101 files."""
    vintages = "/".join(sorted({m["vintage"] for m in shipped if m["vintage"]}))
    ends = min(m["last_date"] for m in shipped)
    note = (
        f"the snapshot shipped with xlfactor, an OLDER vintage (Bloomberg {vintages}, data end {ends})"
        if len(shipped) == len(metas)
        else "; ".join(f"{m['name']}: {m['origin']} ({m['source']})" for m in metas)
    )
    if any(COMPOUNDED_NOTE in m["source"] for m in shipped):
        note += f"; {COMPOUNDED_NOTE}, until a refresh brings French's monthly file"
    return note


def request_refresh(info: dict) -> None:
    """Have the next plain refresh (the ribbon's Refresh data) fetch French's current files for a regional
    model of ``info`` (a :func:`factor_info`) still served from the shipped snapshot."""
    if any(m["origin"] == "snapshot" and DATASETS[m["name"]].region for m in info["datasets"]):
        cache.remember_wanted(info["model"])


def stored_datasets() -> pd.DataFrame:
    """One row per stored dataset: dataset, kind, origin, freq, vintage, first, last, rows,
    fetched, checked, source, sha256 (for ``xlfactor info``).

    Every stored payload's checksum is verified first; damaged ones are repaired
    (:func:`xlfactor.data.cache.check_datasets`) and listed by ``cache.quarantined()``.
    """
    cache.check_datasets()
    metas = cache.run(lambda c: _metadata(c, None))
    table = pd.DataFrame(metas)
    table = table.rename(
        columns={
            "name": "dataset",
            "first_date": "first",
            "last_date": "last",
            "fetched_at": "fetched",
            "checked_at": "checked",
        }
    )
    return table[
        [
            "dataset",
            "kind",
            "origin",
            "freq",
            "vintage",
            "first",
            "last",
            "rows",
            "fetched",
            "checked",
            "source",
            "sha256",
        ]
    ]


def _metadata(conn: sqlite3.Connection, names: list[str] | None) -> list[dict]:
    sql = f"SELECT {cache.META_COLUMNS} FROM datasets"
    if names is None:
        cur = conn.execute(sql + " ORDER BY kind, name")
        return [dict(zip([d[0] for d in cur.description], row, strict=True)) for row in cur]
    cur = conn.execute(sql + f" WHERE name IN ({','.join('?' * len(names))})", names)
    found = {row[0]: dict(zip([d[0] for d in cur.description], row, strict=True)) for row in cur}
    return [found[n] for n in names]


def _resolve(model: str, freq: str) -> _Spec:
    """:func:`_read_spec`, remembered until anything is committed to the cache.

    Thousands of formula recalculations ask for the same few models; one
    ``PRAGMA data_version`` check replaces a query per call.
    """
    global _specs_token
    token = cache.change_token()
    if token != _specs_token:
        _specs.clear()
        _specs_token = token
    key = (str(model), str(freq))
    spec = _specs.get(key)
    if spec is None:
        spec = _specs[key] = _read_spec(model, freq)
    return spec


def _read_spec(model: str, freq: str) -> _Spec:
    """Validate ``model``/``freq`` and read the current versions of the datasets behind them."""
    code = normalize_freq(freq)
    builtin = french_model(model)
    if builtin is not None:
        names = [d.name for d in model_datasets(builtin, code)]

        def versions(conn: sqlite3.Connection) -> list:
            rows = conn.execute(
                f"SELECT name, data_key, vintage FROM datasets WHERE name IN ({','.join('?' * len(names))})", names
            ).fetchall()
            order = {n: i for i, n in enumerate(names)}
            return sorted(rows, key=lambda r: order[r[0]])

        rows = cache.run(versions)
        if len(rows) < len(names):
            cache.remember_wanted(builtin)  # a plain refresh (the ribbon's Refresh data) then fetches it
            raise NotStoredError(builtin, code, [n for n in names if n not in {r[0] for r in rows}])
        return _Spec(builtin, code, True, "D" if code == "W" else code, tuple(rows))
    name = str(model).strip()
    row = cache.run(
        lambda c: c.execute(
            "SELECT name, data_key, vintage, freq FROM datasets WHERE kind = 'user' AND name = ?", (name,)
        ).fetchone()
    )
    if row is None:
        users = [m for m in available_models() if m not in MODELS]
        registered = f"; registered factor sets: {', '.join(users)}" if users else ""
        raise XLFactorError.at(
            "model",
            f"{model!r} is not a known model; {model_names_hint()}{registered}. "
            "Register your own factors with register_factors(name, path)",
        )
    stored = row[3]
    if code != stored and not (code == "W" and stored == "D"):
        hint = " or 'W'" if stored == "D" else ""
        raise XLFactorError.at(
            "freq",
            f"factors {row[0]!r} are stored {frequency_name(stored)}; use freq={stored!r}{hint}, "
            "or register a file at the frequency you need",
        )
    return _Spec(row[0], code, False, stored, (tuple(row[:3]),))


class NotStoredError(XLFactorError):
    """A built-in model whose files were never downloaded (not shipped, not fetched yet).

    ``model``, ``freq`` and ``datasets`` (the missing dataset names). The error's action is
    :data:`~xlfactor.errors.REFRESH` of the model: each front end words it as its own command (Python
    ``refresh_factors``, the CLI ``xlfactor refresh``, Excel the ribbon's Refresh data, which fetches
    every model asked for while it was not stored: :func:`xlfactor.data.cache.remember_wanted`).
    """

    def __init__(self, model: str, freq: str, datasets: list[str]) -> None:
        self.model, self.freq, self.datasets = model, freq, tuple(datasets)
        missing = [DATASETS[n] for n in self.datasets]
        files = ", ".join(
            d.download_name if d.source == "french" else f"{d.download_name} from {SOURCES[d.source].label}"
            for d in missing
        )
        if model_region(model) is not None or all(d.source == "french" for d in missing):
            shipped = "the US factors and the Developed and Europe five-factor and momentum files"
        else:
            shipped = "only Kenneth French's files: the other publishers grant no redistribution licence"
        super().__init__(
            argument="model",
            problem=(
                f"{model} {frequency_name(freq)} data are not stored yet (xlfactor ships {shipped}; "
                f"{files} must be downloaded)"
            ),
            action=Action(REFRESH, model),
        )


def _frame(spec: _Spec) -> pd.DataFrame:
    """The model's full frame for the versions in ``spec`` (from memory when possible)."""
    memo_key = (str(cache.db_path()), spec.key)
    hit = _frames.get(memo_key)
    if hit is not None:
        _frames.move_to_end(memo_key)
        return hit
    parts = [_dataset_frame(name, data_key) for name, data_key, _ in spec.rows]
    if any(p is None for p in parts):  # replaced by a refresh since the version query: start again
        return _frame(_resolve(spec.model, spec.freq))
    if spec.builtin:
        pieces = []
        for i, (frame, (_, columns, shown)) in enumerate(zip(parts, model_columns(spec.model), strict=True)):
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise XLFactorError.at(
                    "model",
                    f"the stored file behind {spec.model} has no column {', '.join(missing)}; the publisher "
                    f"changed it. Run `xlfactor refresh --model {spec.model}` for the current file",
                )
            piece = frame[[*columns, "RF"] if i == 0 else columns]
            pieces.append(piece.set_axis([*shown, "RF"] if i == 0 else shown, axis=1))
        combined = pd.concat(pieces, axis=1, join="inner") if len(pieces) > 1 else pieces[0]
        combined = combined[[c for c in combined.columns if c != "RF"] + ["RF"]]
        combined.index = pd.DatetimeIndex(combined.index, freq=None)  # concat may infer one; keep all alike
        complete = combined.notna().all(axis=1)
        combined = combined.loc[complete.cummax() & complete[::-1].cummax()[::-1]]  # first to last complete row
    else:
        combined = parts[0]
    if spec.freq == "W":
        combined = compound_weekly(combined)
    _frames[memo_key] = combined
    while len(_frames) > _MAX_FRAMES:
        _frames.popitem(last=False)
    return combined


def _dataset_frame(name: str, data_key: str) -> pd.DataFrame | None:
    """The decoded frame of one dataset version, or None if that version is no longer stored
    (replaced by a refresh, or found damaged and repaired: the caller resolves again)."""
    memo_key = (str(cache.db_path()), "dataset", data_key)
    hit = _frames.get(memo_key)
    if hit is not None:
        return hit
    frame = cache.read_frame(name, data_key)
    if frame is None:
        return None
    _frames[memo_key] = frame
    return frame


def _bound(value, label: str, freq: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise XLFactorError.at(label, f"{value!r} is not a date; pass e.g. '2020-01-31'") from None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return period_labels(pd.DatetimeIndex([stamp]), freq)[0]
