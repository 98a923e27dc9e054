"""MyAnimeList members, score and scored-by counts from nine dated public scrapes, 2020-2024.

``derived/mal_popularity_snapshots_2020-2024.csv`` (columns ``mal_id, snapshot_date, known_by,
members, score, scored_by, popularity, source_key``). ``snapshot_date`` is the best estimate of
when the values were observed, ``known_by`` the date of the commit that published them: the
latest they can be from. Facts are stamped with ``known_by`` so an as-of read never sees a value
before it was public. Empty cells give no fact; a row with no value at all is rejected.
"""

from __future__ import annotations

from typing import Any

from sequelcast.domain import Batch, Fact
from sequelcast.sources._csv import parse_rows
from sequelcast.sources.base import parse_date, parse_float, parse_int

SOURCE = "mal_popularity_2020_2024"
PATTERN = "derived/mal_popularity_snapshots_20*-20??.csv"
_REQUIRED = ("mal_id", "snapshot_date", "known_by", "members", "score", "scored_by", "popularity")


def _row(row: dict[str, str]) -> list[Fact]:
    mal_id = parse_int(row["mal_id"])
    if mal_id is None or mal_id <= 0:
        raise ValueError(f"bad MAL id {row['mal_id']!r}")
    known_by = parse_date(row["known_by"])
    if known_by is None:
        raise ValueError(f"missing known_by date {row['known_by']!r}")
    score = parse_float(row["score"])
    values: dict[str, Any] = {
        "members": parse_int(row["members"]),
        "score": score if score else None,  # 0 means "not scored yet"
        "scored_by": parse_int(row["scored_by"]),
        "popularity": parse_int(row["popularity"]),
    }
    facts = [Fact(mal_id, k, v, known_by, SOURCE) for k, v in values.items() if v is not None]
    if not facts:
        raise ValueError("no members, score, scored_by or popularity value")
    return facts


def parse(data: bytes, location: str) -> Batch:
    """Parse ``mal_popularity_snapshots_2020-2024.csv`` (facts stamped at ``known_by``)."""
    batch = Batch(source=SOURCE, location=location)
    return parse_rows(
        data, location, source=SOURCE, required=_REQUIRED, row_facts=_row, batch=batch
    )
