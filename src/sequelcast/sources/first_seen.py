"""``derived/anidb_first_seen.csv``: when each AniDB id first appeared in the list history.

``first_listed`` is an upper bound on the announcement date. Where a row's ``first_mapped`` is
earlier than its ``first_listed`` (it happens once, by a day), the earlier date is taken as both.
"""

from __future__ import annotations

from sequelcast.domain import Batch, FirstSeen
from sequelcast.sources._csv import iter_rows
from sequelcast.sources.base import parse_date, parse_int, reject

SOURCE = "anidb_first_seen"
PATTERN = "derived/anidb_first_seen*.csv"
_REQ = ("anidb_id", "first_listed", "first_mapped", "tvdb_id", "tvdb_season")


def _row(row: dict[str, str]) -> FirstSeen:
    anidb_id = parse_int(row["anidb_id"])
    if anidb_id is None or anidb_id <= 0:
        raise ValueError(f"bad anidb_id {row['anidb_id']!r}")
    listed = parse_date(row["first_listed"])
    if listed is None:
        raise ValueError("missing first_listed")
    mapped = parse_date(row["first_mapped"])
    if mapped is not None and mapped < listed:
        # A few rows say "mapped" a day before "listed" (two commits on one day); an entry that
        # is mapped is listed, so the earlier date is the first sighting.
        listed = mapped
    season = (row["tvdb_season"] or "").strip() or None
    return FirstSeen(anidb_id, listed, mapped, (row["tvdb_id"] or "").strip() or None, season)


def parse(data: bytes, location: str) -> Batch:
    """Parse the derived first-seen CSV."""
    batch = Batch(source=SOURCE, location=location)
    for line, row in iter_rows(data, SOURCE, location, _REQ):
        try:
            batch.first_seen.append(_row(row))
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE, f"{location}:{line}", str(exc), dict(row)))
    return batch
