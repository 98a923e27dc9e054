"""Looking things up: titles, franchises, fact sheets."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sequelcast.catalog import Catalog
from sequelcast.domain import Anime, NextSeason
from sequelcast.errors import NotFoundError, ResolveError
from sequelcast.franchise import Franchise, FranchiseGraph, build_franchises, season_state
from sequelcast.resolve import Match, TitleIndex, resolve_one
from sequelcast.service._build import _evidence_json, entry_json
from sequelcast.service._cache import _GRAPHS, _INDEXES, _build_key, _disk_cached, load_snapshot

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
             "start": _iso(x.start), "end": _iso(x.end), "end_estimated": x.end_estimated,
             "state": season_state(x, fr.reference_date), "episodes": x.episodes, "part": x.part,
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
        # one rule for every surface: the franchise's latest season and its next-season status
        sheet["next_season"] = fr["next_season"]
    else:
        sheet["franchise"] = None
        sheet["next_season"] = None
    return sheet
