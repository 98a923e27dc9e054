"""Use cases: where the catalog, the sources and the pure packages meet.

The CLI, the JSON API and the web page all call these functions, so they give the same answers.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from sequelcast import __version__
from sequelcast.asof import admit, assemble
from sequelcast.catalog import Catalog
from sequelcast.domain import Anime, Batch, Evidence, NextSeason, Snapshot, merge_batches
from sequelcast.errors import CatalogError, ModelError, NotFoundError, ResolveError
from sequelcast.forecast import (
    BacktestResult,
    Forecaster,
    ForecastInputs,
    ShowForecast,
    inputs_from_snapshot,
    run_backtest,
)
from sequelcast.franchise import Franchise, FranchiseGraph, build_franchises
from sequelcast.resolve import Match, TitleIndex, resolve_one
from sequelcast.sources import (
    FileSource,
    anilist,
    downloads,
    jikan,
    load_batches,
    offline_db,
)
from sequelcast.sources.http import make_client


@dataclass
class BuildReport:
    build_id: int
    data_dir: str
    as_of: date | None
    files: int
    counts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def build_catalog(
    catalog: Catalog,
    data_dir: Path | Sequence[Path],
    as_of: date | None = None,
    progress: Callable[[FileSource, Path, int, int], None] | None = None,
) -> BuildReport:
    """Rebuild ``catalog`` from every source file below ``data_dir``, keeping only facts known on ``as_of``.

    Every file is read and parsed before anything is written; the write is one transaction.
    So an unreadable file (:class:`~sequelcast.errors.SourceFileError`) leaves the catalog as it
    was, and running the same build twice gives the same catalog.
    """
    t0 = time.perf_counter()
    started = datetime.now()
    batches = load_batches(data_dir, progress)
    where = str(data_dir) if isinstance(data_dir, (str, Path)) else ", ".join(map(str, data_dir))
    merged = merge_batches(batches, source="all", location=where)
    admitted = admit(merged, as_of)
    snap = assemble(admitted, as_of)
    counts = {
        "files": len(batches),
        "entries": len(snap.entries),
        "facts": len(admitted.facts),
        "facts_left_out_as_of": len(merged.facts) - len(admitted.facts),
        "id_links": len(admitted.id_links),
        "tvdb_mappings": len(admitted.tvdb_mappings),
        "first_seen": len(admitted.first_seen),
        "relations": len(admitted.relations),
        "collection_members": len(admitted.collection_members),
        "rejects": len(admitted.rejects),
        "skipped": admitted.skipped,
        "per_file": {b.location: {"records": len(b), "rejects": len(b.rejects), "skipped": b.skipped}
                     for b in batches},
    }
    graph = build_franchises(snap)
    counts["franchises"] = len(graph)
    links, members = _franchise_rows(graph)
    build_id = catalog.replace(
        admitted, snap, data_dir=where, as_of=as_of, started_at=started, counts=counts,
        franchise_links=links, franchise_members=members,
    )
    return BuildReport(build_id, where, as_of, len(batches), counts, time.perf_counter() - t0)


def _evidence_json(ev: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [{"source": e.source, "detail": e.detail,
             "observed_at": e.observed_at.isoformat() if e.observed_at else None} for e in ev]


def _franchise_rows(graph: FranchiseGraph) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    links = [
        {"kind": x.kind, "from_mal_id": x.from_mal_id, "from_anidb_id": x.from_anidb_id,
         "to_mal_id": x.to_mal_id, "to_anidb_id": x.to_anidb_id, "rank": x.rank,
         "accepted": int(x.accepted), "note": x.note, "evidence": _evidence_json(x.evidence),
         "observed_at": max((e.observed_at for e in x.evidence if e.observed_at), default=None)}
        for x in graph.links
    ]
    members: list[tuple[Any, ...]] = []
    for fr in graph:
        members += [(fr.id, "season", x.mal_id, x.anidb_id, x.number, x.part, x.title) for x in fr.seasons]
        members += [(fr.id, "other", x.mal_id, x.anidb_id, None, None, x.title) for x in fr.others]
    return links, members


_SNAPSHOTS: dict[tuple[str, str, date | None], Snapshot] = {}
_INDEXES: dict[str, TitleIndex] = {}
_GRAPHS: dict[tuple[str, date | None], FranchiseGraph] = {}


def _build_key(catalog: Catalog) -> str:
    build = catalog.last_build()
    if build is None:
        raise CatalogError("the catalog holds no build: run `sequelcast build` first")
    stamp = build["finished_at"].isoformat() if build["finished_at"] else ""
    # the version is part of the key: a cache written by another sequelcast is never read
    digest = hashlib.sha256(f"{__version__}|{catalog.engine.url!r}|{build['id']}|{stamp}".encode()).hexdigest()
    return digest[:16]


def _disk_cached(cache_dir: Path | None, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, pickled under ``cache_dir/name`` (a damaged or missing file is recomputed)."""
    path = cache_dir / name if cache_dir is not None else None
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # any unreadable cache (damaged, written by other code) is rebuilt
            pass
    value = compute()
    if path is not None:
        _write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def load_snapshot(catalog: Catalog, as_of: date | None = None, cache_dir: Path | None = None) -> Snapshot:
    """What the catalog knew on ``as_of``, cached in memory and (for the whole catalog) on disk.

    The disk cache is a pickle keyed by the database URL and the last build (id and time), so a
    rebuild never serves a stale snapshot. Loading it takes about 2 s instead of about 6 s.
    """
    build = _build_key(catalog)
    key = (str(catalog.engine.url), build, as_of)
    snap = _SNAPSHOTS.get(key)
    if snap is None:
        snap = _disk_cached(cache_dir if as_of is None else None, f"snapshot-{build}.pickle",
                            lambda: catalog.snapshot(as_of))
        _SNAPSHOTS.clear()  # keep one snapshot in memory: they are large
        _SNAPSHOTS[key] = snap
    return snap


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def get_entry(catalog: Catalog, mal_id: int) -> Anime:
    """The stored entry, or :class:`NotFoundError`."""
    entry = catalog.get_anime(mal_id)
    if entry is None:
        raise NotFoundError(f"MAL id {mal_id} is not in the catalog")
    return entry


def entry_json(entry: Anime) -> dict[str, Any]:
    """The stable JSON shape of one entry."""
    return {
        "mal_id": entry.mal_id,
        "title": entry.title,
        "title_english": entry.title_english,
        "title_japanese": entry.title_japanese,
        "synonyms": list(entry.synonyms),
        "type": entry.type,
        "episodes": entry.episodes,
        "start_date": entry.start_date.isoformat() if entry.start_date else None,
        "end_date": entry.end_date.isoformat() if entry.end_date else None,
        "season": entry.season,
        "year": entry.year,
        "status": entry.status,
        "source_type": entry.source_type,
        "studios": list(entry.studios),
        "producers": list(entry.producers),
        "licensors": list(entry.licensors),
        "genres": list(entry.genres),
        "themes": list(entry.themes),
        "demographics": list(entry.demographics),
        "rating": entry.rating,
        "duration": entry.duration,
        "score": entry.score,
        "scored_by": entry.scored_by,
        "members": entry.members,
        "favorites": entry.favorites,
        "rank": entry.rank,
        "popularity": entry.popularity,
        "first_seen": entry.first_seen.isoformat() if entry.first_seen else None,
        "last_observed": entry.last_observed.isoformat() if entry.last_observed else None,
        "ids": dict(entry.ids),
    }


# -- resolution ---------------------------------------------------------------------------------

def title_index(catalog: Catalog, cache_dir: Path | None = None) -> TitleIndex:
    """The title index of the catalog's last build (built once, then kept in memory)."""
    build = _build_key(catalog)
    index = _INDEXES.get(build)
    if index is None:

        def compute() -> TitleIndex:
            popularity, types = catalog.popularity_and_types()
            return TitleIndex(catalog.titles(), popularity=popularity, types=types,
                              seasons=catalog.season_numbers())

        index = _disk_cached(cache_dir, f"titles-{build}.pickle", compute)
        _INDEXES.clear()
        _INDEXES[build] = index
    return index


def resolve(catalog: Catalog, query: str, limit: int = 10, cache_dir: Path | None = None) -> list[Match]:
    """Ranked candidates for a title query (an empty list when nothing comes close)."""
    return title_index(catalog, cache_dir).search(query, limit=limit)


def find_mal_id(catalog: Catalog, title_or_id: str, cache_dir: Path | None = None) -> int:
    """A MAL id from a MAL id or a title; :class:`ResolveError` (with candidates) when unsure."""
    text = title_or_id.strip()
    if text.isdigit():
        mal_id = int(text)
        if catalog.get_anime(mal_id) is None:
            raise NotFoundError(f"MAL id {mal_id} is not in the catalog")
        return mal_id
    return resolve_one(title_index(catalog, cache_dir), text).mal_id


# -- franchises ---------------------------------------------------------------------------------

def franchise_graph(catalog: Catalog, as_of: date | None = None, cache_dir: Path | None = None) -> FranchiseGraph:
    """Every franchise as known on ``as_of`` (kept in memory for the last build and date)."""
    build = _build_key(catalog)
    key = (build, as_of)
    graph = _GRAPHS.get(key)
    if graph is None:
        graph = _disk_cached(cache_dir if as_of is None else None, f"franchises-{build}.pickle",
                             lambda: build_franchises(load_snapshot(catalog, as_of, cache_dir)))
        _GRAPHS.clear()
        _GRAPHS[key] = graph
    return graph


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def next_season_json(ns: NextSeason) -> dict[str, Any]:
    return {
        "status": ns.status,
        "mal_id": ns.mal_id,
        "anidb_id": ns.anidb_id,
        "title": ns.title,
        "first_seen": _iso(ns.first_seen),
        "expected": _iso(ns.expected),
        "evidence": _evidence_json(ns.evidence),
    }


def franchise_json(fr: Franchise) -> dict[str, Any]:
    """The stable JSON shape of a franchise (``sequelcast franchise --json``)."""
    return {
        "id": fr.id,
        "title": fr.title,
        "as_of": _iso(fr.reference_date),
        "seasons": [
            {"number": x.number, "mal_id": x.mal_id, "anidb_id": x.anidb_id, "title": x.title,
             "start": _iso(x.start), "end": _iso(x.end), "episodes": x.episodes, "part": x.part,
             "announced": _iso(x.announced)}
            for x in fr.seasons
        ],
        "others": [
            {"mal_id": o.mal_id, "anidb_id": o.anidb_id, "title": o.title, "type": o.type,
             "start": _iso(o.start), "episodes": o.episodes}
            for o in fr.others
        ],
        "next_season": next_season_json(fr.next_season),
        "lags_days": fr.lags(),
    }


def franchise_of(catalog: Catalog, title_or_id: str, as_of: date | None = None,
                 cache_dir: Path | None = None) -> Franchise:
    """The franchise of a title or MAL id, as known on ``as_of``.

    A title that is ambiguous only between entries of one franchise ("kaguya-sama") is fine here.
    """
    graph = franchise_graph(catalog, as_of, cache_dir)
    try:
        mal_id = find_mal_id(catalog, title_or_id, cache_dir)
    except ResolveError as exc:
        owners = {graph.of(c.mal_id).id for c in exc.candidates if c.mal_id in graph}
        if len(owners) != 1 or not exc.candidates:
            raise
        mal_id = exc.candidates[0].mal_id
    if mal_id not in graph:
        raise NotFoundError(f"MAL id {mal_id} was not known on {as_of}" if as_of
                            else f"MAL id {mal_id} belongs to no franchise")
    return graph.of(mal_id)


# -- fact sheet ---------------------------------------------------------------------------------

def _percentile(value: float | None, values: list[float]) -> float | None:
    """Share of ``values`` at or below ``value``, in percent (``None`` when unknown)."""
    if value is None or not values:
        return None
    return round(100.0 * sum(1 for v in values if v <= value) / len(values), 1)


def _year(a: Anime) -> int | None:
    return a.year or (a.start_date.year if a.start_date else None)


def fact_sheet(catalog: Catalog, title_or_id: str, as_of: date | None = None,
               cache_dir: Path | None = None) -> dict[str, Any]:
    """Everything a "Season 2 release date" article tabulates, for one show, as known on ``as_of``."""
    mal_id = find_mal_id(catalog, title_or_id, cache_dir)
    snap = load_snapshot(catalog, as_of, cache_dir)
    entry = snap.entries.get(mal_id)
    if entry is None:
        raise NotFoundError(f"MAL id {mal_id} was not known on {as_of}")
    year = _year(entry)
    peers = [a for a in snap.entries.values() if a.type == entry.type and year and _year(a) == year]
    sheet = entry_json(entry)
    sheet["as_of"] = _iso(as_of)
    sheet["peers"] = {
        "group": f"{entry.type} shows of {year}" if year else None,
        "count": len(peers),
        "members_percentile": _percentile(entry.members, [a.members for a in peers if a.members is not None]),
        "score_percentile": _percentile(entry.score, [a.score for a in peers if a.score is not None]),
    }
    graph = franchise_graph(catalog, as_of, cache_dir)
    if mal_id in graph:
        franchise = graph.of(mal_id)
        fr = franchise_json(franchise)
        sheet["franchise"] = {k: fr[k] for k in ("id", "title", "seasons", "others")}
        is_season = any(x.mal_id == mal_id for x in franchise.seasons)
        # for a season: the season right after it ("aired" for an older one); else the franchise's
        sheet["next_season"] = (next_season_json(franchise.next_after(mal_id)) if is_season
                                else fr["next_season"])
    else:
        sheet["franchise"] = None
        sheet["next_season"] = None
    return sheet


# -- network sources ----------------------------------------------------------------------------

@dataclass
class FetchReport:
    source: str
    paths: list[Path]
    records: int
    rejects: int


def _saved(source: str, root: Path, answers: list[tuple[str, Any]], when: date,
           parse: Callable[[Any, date], Batch]) -> FetchReport:
    """Check every answer parses (a bad one raises before anything is saved), then save them all."""
    batches = [parse(payload, when) for _, payload in answers]
    paths = [downloads.save_answer(root, source, label, when, payload) for label, payload in answers]
    return FetchReport(source, paths, sum(len(b) for b in batches), sum(len(b.rejects) for b in batches))


def fetch_jikan_season(root: Path, year: int, season: str, *, when: date,
                       client: httpx.Client | None = None) -> FetchReport:
    """Fetch every page of a Jikan season into ``root/raw/jikan/`` (read by the next build)."""
    client = client or jikan.make_jikan_client()
    pages = jikan.fetch_season(client, year, season)
    answers = [(f"season-{year}-{season}-p{i}", p) for i, p in enumerate(pages, start=1)]
    return _saved(jikan.SOURCE, root, answers, when, jikan.parse_anime_list)


def fetch_jikan_anime(root: Path, mal_ids: list[int], *, when: date,
                      client: httpx.Client | None = None) -> FetchReport:
    """Fetch ``/anime/{id}/full`` (with relations) for each MAL id into ``root/raw/jikan/``."""
    client = client or jikan.make_jikan_client()
    answers = [(f"anime-{m}", jikan.fetch_anime(client, m)) for m in mal_ids]
    return _saved(jikan.SOURCE, root, answers, when, jikan.parse_anime_full)


def fetch_anilist(root: Path, mal_ids: list[int], *, when: date,
                  client: httpx.Client | None = None) -> FetchReport:
    """Fetch AniList media (with relations) by MAL id into ``root/raw/anilist/``."""
    client = client or anilist.make_anilist_client()
    pages = anilist.fetch_media(client, mal_ids=mal_ids)
    label = f"mal-{mal_ids[0]}-{len(mal_ids)}ids" if mal_ids else "mal"
    answers = [(f"{label}-p{i}", p) for i, p in enumerate(pages, start=1)]
    return _saved(anilist.SOURCE, root, answers, when, anilist.parse_media)


def fetch_offline_db(root: Path, *, client: httpx.Client | None = None) -> FetchReport:
    """Download the latest anime-offline-database release into ``root/raw/anime-offline-database/``."""
    client = client or make_client(timeout=120.0)
    dest = root / "raw" / "anime-offline-database" / offline_db.MINIFIED_ASSET
    dest.parent.mkdir(parents=True, exist_ok=True)
    path = offline_db.fetch_latest_release(client, dest)
    batch = offline_db.parse_dump(path.read_bytes(), str(path))
    return FetchReport(offline_db.SOURCE, [path], len(batch), len(batch.rejects))


# -- watchlist ----------------------------------------------------------------------------------

def _next_key(ns: NextSeason) -> str:
    return f"{ns.status}|{ns.mal_id or ''}|{ns.anidb_id or ''}|{_iso(ns.expected) or ''}"


def _watched_franchise(catalog: Catalog, mal_id: int, cache_dir: Path | None) -> Franchise:
    graph = franchise_graph(catalog, None, cache_dir)
    if mal_id not in graph:
        raise NotFoundError(f"MAL id {mal_id} belongs to no franchise in the catalog")
    return graph.of(mal_id)


def watch_add(catalog: Catalog, title_or_id: str, today: date, cache_dir: Path | None = None) -> dict[str, Any]:
    """Put a show on the watchlist with its next-season status of today; returns the row."""
    mal_id = find_mal_id(catalog, title_or_id, cache_dir)
    fr = _watched_franchise(catalog, mal_id, cache_dir)
    row = {"mal_id": mal_id, "title": fr.title, "added_at": today, "last_checked": today,
           "status": fr.next_season.status, "next_key": _next_key(fr.next_season)}
    row["added"] = catalog.watch(dict(row))
    return row


def watch_remove(catalog: Catalog, title_or_id: str, cache_dir: Path | None = None) -> int:
    """Take a show off the watchlist (by MAL id or title); returns its MAL id."""
    text = title_or_id.strip()
    mal_id = int(text) if text.isdigit() else find_mal_id(catalog, text, cache_dir)
    if not catalog.unwatch(mal_id):
        raise NotFoundError(f"MAL id {mal_id} is not on the watchlist")
    return mal_id


def _event_message(title: str, old: str, ns: NextSeason) -> str:
    if ns.status == "announced":
        when = _iso(ns.expected) or "date TBA"
        seen = f", first seen {_iso(ns.first_seen)}" if ns.first_seen else ""
        what = ns.title or "a next season"
        verb = "announced" if old == "none" else "updated"
        return f"{title}: next season {verb}: {what} ({when}{seen})"
    if old == "announced":
        return f"{title}: the announced season has started airing"
    return f"{title}: next season status is now {ns.status}"


def watch_check(catalog: Catalog, today: date, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Compare every watched show's next-season status with the last check; store and return changes."""
    updates, events = [], []
    for row in catalog.watched():
        try:
            fr = _watched_franchise(catalog, row["mal_id"], cache_dir)
        except NotFoundError:
            continue  # not in this build; keep the row as it was
        key = _next_key(fr.next_season)
        updates.append({"mal_id": row["mal_id"], "last_checked": today, "status": fr.next_season.status,
                        "next_key": key})
        if key != row["next_key"]:
            events.append({"mal_id": row["mal_id"], "detected_at": today, "old_status": row["status"],
                           "new_status": fr.next_season.status,
                           "message": _event_message(row["title"], row["status"], fr.next_season)})
    catalog.record_watch_check(updates, events)
    return events


def watch_feed(catalog: Catalog, base_url: str = "https://sequelcast.invalid/") -> str:
    """An Atom feed of the watchlist's events, newest first."""
    from xml.sax.saxutils import escape

    events = catalog.watch_events()
    updated = events[0]["detected_at"].isoformat() if events else "1970-01-01"
    entries = "".join(
        f"<entry><id>{escape(base_url)}events/{e['id']}</id><title>{escape(e['message'])}</title>"
        f"<updated>{e['detected_at'].isoformat()}T00:00:00Z</updated>"
        f"<link href=\"{escape(base_url)}anime/{e['mal_id']}\"/>"
        f"<summary>{escape(e['old_status'])} -> {escape(e['new_status'])}</summary></entry>"
        for e in events
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(base_url)}watchlist</id><title>sequelcast watchlist</title>"
        f"<updated>{updated}T00:00:00Z</updated>{entries}</feed>"
    )


# -- forecast -----------------------------------------------------------------------------------

#: The model `forecast` uses unless told otherwise: the one the backtests keep (docs/backtest.md).
DEFAULT_MODEL = "auto"
_FORECASTERS: dict[str, Forecaster] = {}


def forecast_inputs(snapshot: Snapshot, graph: FranchiseGraph) -> ForecastInputs:
    """What the forecast reads, from a snapshot and its franchises (both as of the same date)."""
    return inputs_from_snapshot(snapshot, graph)


def data_date(catalog: Catalog) -> date:
    """The newest observation in the catalog: forecasts cannot count from later than this."""
    newest = catalog.newest_observation()
    if newest is None:
        raise CatalogError("the catalog is empty: run `sequelcast build` first")
    return newest


def forecast_date(catalog: Catalog, as_of: date | None, today: date) -> date:
    """``as_of`` if given, else today, but never after the newest data."""
    return min(as_of or today, data_date(catalog))


def forecaster(catalog: Catalog, as_of: date, cache_dir: Path | None = None,
               model: str = DEFAULT_MODEL) -> Forecaster:
    """The model fitted on what the catalog knew on ``as_of`` (fitted once, then cached on disk)."""
    build = _build_key(catalog)
    key = f"forecaster-{build}-{as_of.isoformat()}-{model}"
    fitted = _FORECASTERS.get(key)
    if fitted is None:

        def fit() -> Forecaster:
            snap = load_snapshot(catalog, None if as_of >= data_date(catalog) else as_of, cache_dir)
            graph = franchise_graph(catalog, snap.as_of, cache_dir)
            return Forecaster(model=model, random_state=0).fit(forecast_inputs(snap, graph), as_of)

        fitted = _disk_cached(cache_dir, f"{key}.pickle", fit)
        _FORECASTERS.clear()
        _FORECASTERS[key] = fitted
    return fitted


def _round(p: float) -> float:
    return round(float(p), 4)


def forecast_json(fc: ShowForecast) -> dict[str, Any]:
    """The stable JSON shape of one forecast."""
    window = fc.window
    return {
        "franchise_id": fc.franchise_id,
        "mal_id": fc.mal_id,
        "title": fc.title,
        "as_of": fc.as_of.isoformat(),
        "ended": _iso(fc.ended),
        "waited_years": round(fc.waited_years, 2),
        **{f"p_{h:g}y": _round(p) for h, p in fc.probabilities.items()},
        "median_years": None if fc.median_years is None else round(fc.median_years, 1),
        "window": None if window is None else {
            "label": window.label, "start": window.start, "end": window.end,
            "probability": _round(window.probability),
            "conditional_probability": _round(window.conditional_probability),
            "quarters": [{"quarter": q, "probability": _round(p)} for q, p in window.quarters if p >= 0.005],
            "beyond": _round(window.beyond),
        },
        "factors": [{"text": f.text, "effect": round(f.effect, 4), "raises": f.raises, "kind": f.kind}
                    for f in fc.factors],
        "model": fc.model,
    }


def forecast(catalog: Catalog, title_or_id: str, as_of: date | None, today: date,
             cache_dir: Path | None = None, model: str = DEFAULT_MODEL) -> dict[str, Any]:
    """Will this show get a next season, and when? (``status`` tells when the question is moot.)"""
    when = forecast_date(catalog, as_of, today)
    fr = franchise_of(catalog, title_or_id, when if when < data_date(catalog) else None, cache_dir)
    base = {"franchise": {"id": fr.id, "title": fr.title}, "as_of": when.isoformat(),
            "next_season": next_season_json(fr.next_season)}
    if fr.next_season.status != "none":
        return {**base, "status": "announced", "forecast": None,
                "message": f"{fr.title}: the next season is already announced"}
    fc = forecaster(catalog, when, cache_dir, model)
    waiting = set(fc.at_risk()["franchise_id"])
    if fr.id not in waiting:
        latest = fr.aired_seasons()[-1] if fr.aired_seasons() else None
        why = ("its latest season has not finished airing" if latest is not None and
               (latest.end is None or latest.end > when) else "it has no finished main-line TV season")
        return {**base, "status": "not_waiting", "forecast": None,
                "message": f"{fr.title}: no forecast on {when}: {why}"}
    (show,) = fc.predict([fr.id])
    return {**base, "status": "waiting", "forecast": forecast_json(show), "message": None}


def forecast_every(catalog: Catalog, as_of: date | None, today: date, cache_dir: Path | None = None,
                   model: str = DEFAULT_MODEL) -> list[dict[str, Any]]:
    """A forecast for every show waiting for a next season (``forecast --all``).

    Only the probabilities (no window or factors). The table is computed once per build, date
    and model, then read from the disk cache.
    """
    when = forecast_date(catalog, as_of, today)
    name = f"forecaster-{_build_key(catalog)}-{when.isoformat()}-{model}-all.pickle"

    def compute() -> list[dict[str, Any]]:
        return [forecast_json(f) for f in forecaster(catalog, when, cache_dir, model).predict(detail=False)]

    rows: list[dict[str, Any]] = _disk_cached(cache_dir, name, compute)
    return rows


# -- backtest -----------------------------------------------------------------------------------

@dataclass
class BacktestReport:
    result: BacktestResult
    summary: dict[str, Any]
    plot: Path | None


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else round(value, 4)
    return value


def backtest(catalog: Catalog, as_of: date, horizons: Sequence[float] = (1, 2, 3, 5),
             out_dir: Path | None = None, cache_dir: Path | None = None) -> BacktestReport:
    """Train on what was known on ``as_of``, forecast every show waiting then, score against the newest data.

    The past is the catalog as of ``as_of`` (the same records an as-of build keeps: see
    docs/catalog.md); the outcomes come from everything the catalog holds, censored at its newest
    observation. Every model and baseline runs on the same shows. With ``out_dir`` the
    reliability plot is saved there as ``reliability-<as_of>.png``.
    """
    newest = data_date(catalog)
    if as_of >= newest:
        raise ModelError(f"backtest: --as-of {as_of} leaves no future to score against "
                         f"(the newest data is from {newest})")
    past = load_snapshot(catalog, as_of)
    past_inputs = forecast_inputs(past, build_franchises(past))
    full = load_snapshot(catalog, None, cache_dir)
    full_inputs = forecast_inputs(full, franchise_graph(catalog, None, cache_dir))
    result = run_backtest(past_inputs, full_inputs, as_of, newest, horizons)
    plot = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        plot = result.plot_reliability(out_dir / f"reliability-{as_of.isoformat()}.png")
    table = result.summary()
    summary = {
        "as_of": as_of.isoformat(),
        "outcome_date": newest.isoformat(),
        "horizons": list(result.horizons),
        "selected": result.selected,
        "n_train": result.n_train,
        "n_train_events": result.n_train_events,
        "n_at_risk": len(result.outcomes),
        "n_announced_after": int(result.outcomes["event"].sum()),
        "models": {name: {k: _clean(v) for k, v in row.items()} for name, row in table.iterrows()},
        "n_unmatched": result.n_unmatched,
        "n_early": result.n_early,
        "plot": str(plot) if plot else None,
    }
    return BacktestReport(result, summary, plot)
