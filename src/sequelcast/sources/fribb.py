"""Fribb/anime-lists: the ID crosswalk (``anime-list-mini``) and the MAL franchise collections.

The crosswalk's rows become :class:`~sequelcast.domain.IdLink` records (and a ``type`` fact); the
collections become :class:`~sequelcast.domain.CollectionMember` records. Both are stamped with the
file's date; :mod:`sequelcast.asof` later moves a link to the date both of its ends were known.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sequelcast.domain import Batch, CollectionMember, Fact, IdLink
from sequelcast.errors import SourceFileError
from sequelcast.sources.base import date_in_name, decode_json, parse_int, reject

SOURCE_IDS = "fribb_ids"
SOURCE_COLLECTIONS = "fribb_collections"
PATTERN_IDS = "raw/id_maps_and_relations/fribb_anime-list-mini_*.json"
PATTERN_COLLECTIONS = "raw/id_maps_and_relations/fribb_mal_collection_*.json"

#: crosswalk key -> site name used in the catalog
SITES = {
    "anilist_id": "anilist",
    "anidb_id": "anidb",
    "kitsu_id": "kitsu",
    "anime-planet_id": "anime-planet",
    "anisearch_id": "anisearch",
    "livechart_id": "livechart",
    "notify.moe_id": "notify.moe",
    "thetvdb_id": "tvdb",
    "imdb_id": "imdb",
    "themoviedb_id": "tmdb",
}
#: crosswalk type -> MAL spelling
TYPES = {"TV": "TV", "MOVIE": "Movie", "OVA": "OVA", "ONA": "ONA", "SPECIAL": "Special"}


def _crosswalk_row(row: dict[str, Any], observed: date) -> tuple[list[IdLink], list[Fact]]:
    mal_id = parse_int(row["mal_id"])
    if mal_id is None or mal_id <= 0:
        raise ValueError(f"bad mal_id {row['mal_id']!r}")
    links = []
    for key, site in SITES.items():
        value = row.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            raise ValueError(f"bad {key} {value!r}")
        links.append(IdLink(mal_id, site, str(value), observed, SOURCE_IDS))
    facts = []
    kind = TYPES.get(str(row.get("type", "")))
    if kind:
        facts.append(Fact(mal_id, "type", kind, observed, SOURCE_IDS))
    return links, facts


def parse_ids(data: bytes, location: str) -> Batch:
    """Parse ``anime-list-mini_<date>.json``: a JSON list of id rows."""
    observed = date_in_name(SOURCE_IDS, location)
    rows = decode_json(data, SOURCE_IDS, location)
    if not isinstance(rows, list):
        raise SourceFileError(
            SOURCE_IDS, location, f"expected a JSON list, got {type(rows).__name__}"
        )
    batch = Batch(source=SOURCE_IDS, location=location, observed_at=observed)
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            batch.rejects.append(reject(SOURCE_IDS, f"{location}[{i}]", "not a JSON object", row))
            continue
        if "mal_id" not in row:
            batch.skipped += 1  # a work MyAnimeList does not list: nothing to key it on
            continue
        try:
            links, facts = _crosswalk_row(row, observed)
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE_IDS, f"{location}[{i}]", str(exc), row))
            continue
        batch.id_links.extend(links)
        batch.facts.extend(facts)
    return batch


def parse_collections(data: bytes, location: str) -> Batch:
    """Parse ``mal_collection_<date>.json``: a JSON list of ``{name, ids}`` clusters."""
    observed = date_in_name(SOURCE_COLLECTIONS, location)
    rows = decode_json(data, SOURCE_COLLECTIONS, location)
    if not isinstance(rows, list):
        raise SourceFileError(
            SOURCE_COLLECTIONS, location, f"expected a JSON list, got {type(rows).__name__}"
        )
    batch = Batch(source=SOURCE_COLLECTIONS, location=location, observed_at=observed)
    for i, row in enumerate(rows):
        where = f"{location}[{i}]"
        name = row.get("name") if isinstance(row, dict) else None
        ids = row.get("ids") if isinstance(row, dict) else None
        if not isinstance(name, str) or not isinstance(ids, list):
            batch.rejects.append(reject(SOURCE_COLLECTIONS, where, "expected {name, ids[]}", row))
            continue
        try:
            members = [parse_int(x) for x in ids]
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE_COLLECTIONS, where, str(exc), row))
            continue
        batch.collection_members.extend(
            CollectionMember(name, m, observed, SOURCE_COLLECTIONS) for m in members if m
        )
    return batch
