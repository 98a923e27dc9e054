"""Building the catalog, and the stored entry."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sequelcast.asof import admit, assemble
from sequelcast.catalog import Catalog
from sequelcast.catalog.lock import build_lock
from sequelcast.domain import Anime, Evidence, merge_batches
from sequelcast.errors import NotFoundError
from sequelcast.franchise import FranchiseGraph, build_franchises
from sequelcast.sources import (
    DATA_SOURCES,
    FileSource,
    load_batches,
)
from sequelcast.sources.manifest import check_manifest, previous_counts, source_counts


@dataclass
class BuildReport:
    build_id: int
    data_dir: str
    as_of: date | None
    files: int
    counts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    accepted_missing: list[str] = field(default_factory=list)


def build_catalog(
    catalog: Catalog,
    data_dir: Path | Sequence[Path],
    as_of: date | None = None,
    progress: Callable[[FileSource, Path, int, int], None] | None = None,
    allow_missing: Collection[str] = (),
) -> BuildReport:
    """Rebuild ``catalog`` from every source file below ``data_dir``, keeping only facts known on ``as_of``.

    Every file is read and parsed before anything is written; the write is one transaction.
    So an unreadable file (:class:`~sequelcast.errors.SourceFileError`) leaves the catalog as it
    was, and running the same build twice gives the same catalog. A source that the previous
    build read and that is now missing, or whose record count fell sharply, stops the build
    (:class:`~sequelcast.errors.BuildRefusedError`, see :mod:`sequelcast.sources.manifest`)
    unless it is named in ``allow_missing``. Two builds of one catalog never overlap: the second
    stops with :class:`~sequelcast.errors.BuildLockedError` (see :mod:`sequelcast.catalog.lock`).
    """
    with build_lock(catalog):
        return _build(catalog, data_dir, as_of, progress, allow_missing)


def _build(
    catalog: Catalog,
    data_dir: Path | Sequence[Path],
    as_of: date | None,
    progress: Callable[[FileSource, Path, int, int], None] | None,
    allow_missing: Collection[str],
) -> BuildReport:
    t0 = time.perf_counter()
    started = datetime.now()
    batches = load_batches(data_dir, progress)
    per_source = source_counts(batches)
    last = catalog.last_build()
    previous = previous_counts(last["counts"] if last else None,
                              ((s.name, s.pattern) for s in DATA_SOURCES))
    accepted = check_manifest(previous, per_source, allow_missing)
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
        "per_source": {k: v.json() for k, v in per_source.items()},
        "accepted_missing": accepted,
    }
    graph = build_franchises(snap)
    counts["franchises"] = len(graph)
    links, members = _franchise_rows(graph)
    build_id = catalog.replace(
        admitted, snap, data_dir=where, as_of=as_of, started_at=started, counts=counts,
        franchise_links=links, franchise_members=members,
    )
    return BuildReport(build_id, where, as_of, len(batches), counts, time.perf_counter() - t0, accepted)


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
