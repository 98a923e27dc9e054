"""``raw/mal_relations_2023/animeRelations.json``: typed MAL anime-to-anime relations (2023-04-17).

Each edge ``{relation, parentAnimeId, childAnimeId}`` reads "parent has <relation> child" and
becomes a :class:`~sequelcast.domain.Relation` with ``kind`` = the MAL relation name
(``"Sequel"``, ``"Prequel"``, ``"Side story"``, ``"Alternative version"``...), observed on
2023-04-17, the day of the scrape (``raw/SOURCES.md`` section 8). :mod:`sequelcast.asof` admits it
from that date, or from when both ends were known if that is later. An edge with a missing or
non-positive id, an unknown relation name, or a self loop is rejected.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sequelcast.domain import Batch, Relation
from sequelcast.errors import SourceFileError
from sequelcast.sources.base import decode_json, parse_int, reject

SOURCE = "mal_relations_2023"
PATTERN = "raw/mal_relations_2023/animeRelations*.json"
#: the day the scrape was committed (one commit)
OBSERVED = date(2023, 4, 17)
#: every relation name MAL uses between two anime
KINDS = frozenset(
    {
        "Sequel",
        "Prequel",
        "Side story",
        "Parent story",
        "Alternative version",
        "Alternative setting",
        "Spin-off",
        "Summary",
        "Full story",
        "Character",
        "Other",
    }
)


def _edge(row: Any) -> Relation:
    if not isinstance(row, dict):
        raise ValueError("not an object")
    kind = row.get("relation")
    if kind not in KINDS:
        raise ValueError(f"unknown relation {kind!r}")
    parent = parse_int(row.get("parentAnimeId"))
    child = parse_int(row.get("childAnimeId"))
    if parent is None or parent <= 0 or child is None or child <= 0:
        raise ValueError(f"bad ids {row.get('parentAnimeId')!r} -> {row.get('childAnimeId')!r}")
    if parent == child:
        raise ValueError(f"an entry related to itself ({parent})")
    return Relation(parent, child, kind, f"MAL {parent} has {kind} {child}", OBSERVED, SOURCE)


def parse(data: bytes, location: str) -> Batch:
    """Parse ``animeRelations.json`` (a JSON list of edges)."""
    rows = decode_json(data, SOURCE, location)
    if not isinstance(rows, list):
        raise SourceFileError(SOURCE, location, "not a JSON list of relations")
    batch = Batch(source=SOURCE, location=location, observed_at=OBSERVED)
    for i, row in enumerate(rows):
        try:
            batch.relations.append(_edge(row))
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE, f"{location}[{i}]", str(exc), row))
    return batch
