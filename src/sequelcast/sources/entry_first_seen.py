"""First sightings of MAL entries: ``derived/mal_anime_first_seen.csv`` (MAL id cache, 2019-2024)
and ``derived/anilist_mal_pair_first_seen.csv`` (AniList<->MAL pairs, 2024-2026).

Each row becomes an :class:`~sequelcast.domain.EntryFirstSeen`, known from its date. Two caveats
of ``../shared/data/README.md`` become rules:

- **Floors.** The first version of each list (MAL cache reformat 2019-09-21, pair list 2024-07-31)
  says "already there": rows on that day are ``censored``.
- **Re-adds.** Ids grow with creation time. A row seen more than :data:`READD_DAYS` days after the
  median sighting of its id neighbours (:data:`NEIGHBOURS` ids each side) was re-added in a batch
  (the MAL cache re-added older ids on 2021-09-28 and 2021-10-01): it is ``suspect`` and not used as
  an announcement date. For pairs the id compared is the AniList id (a pair mapped long after its
  neighbours were is suspect). A day that added more than :data:`BATCH_SIZE` ids spread over more
  than :data:`BATCH_SPAN` ids is a batch re-add day: every row of that day is ``suspect``.

A row with a missing or non-positive id or an unreadable timestamp is rejected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from sequelcast.domain import Batch, EntryFirstSeen
from sequelcast.sources._csv import iter_rows
from sequelcast.sources.base import parse_date, parse_int, reject

SOURCE_MAL = "mal_anime_first_seen"
PATTERN_MAL = "derived/mal_anime_first_seen*.csv"
SOURCE_PAIRS = "anilist_mal_pair_first_seen"
PATTERN_PAIRS = "derived/anilist_mal_pair_first_seen*.csv"
#: the first version of each list: a sighting on that day only says "already there"
FLOOR = {SOURCE_MAL: date(2019, 9, 21), SOURCE_PAIRS: date(2024, 7, 31)}
#: a sighting this much later than the median sighting of its id neighbours is a re-add
READD_DAYS = 180
#: how many ids on each side make the neighbourhood
NEIGHBOURS = 25
#: a day adding more ids than this, spread over more than BATCH_SPAN ids, is a batch re-add
BATCH_SIZE = 100
BATCH_SPAN = 5000


def _positive(value: str, what: str) -> int:
    n = parse_int(value)
    if n is None or n <= 0:
        raise ValueError(f"bad {what} {value!r}")
    return n


def _when(value: str) -> date:
    day = parse_date((value or "").strip())
    if day is None:
        raise ValueError("missing first-seen date")
    return day


def batch_days(rows: Iterable[EntryFirstSeen], key: str) -> set[date]:
    """Days (other than the floor) that added more than :data:`BATCH_SIZE` ids spread over more
    than :data:`BATCH_SPAN` ids: batch re-adds of older entries, not announcements."""
    ids: dict[date, list[int]] = defaultdict(list)
    for row in rows:
        if not row.censored:
            ids[row.first_seen].append(getattr(row, key) or 0)
    return {d for d, xs in ids.items() if len(xs) > BATCH_SIZE and max(xs) - min(xs) > BATCH_SPAN}


def mark_readds(rows: Iterable[EntryFirstSeen], key: str) -> list[EntryFirstSeen]:
    """``rows`` (sorted by ``key``) with ``suspect`` set on re-adds: a sighting on a batch day, or
    more than :data:`READD_DAYS` after the median sighting of its :data:`NEIGHBOURS` lower and
    higher ids."""
    ordered = sorted(rows, key=lambda r: getattr(r, key) or 0)
    batches = batch_days(ordered, key)
    days = [r.first_seen for r in ordered]
    out = []
    for i, row in enumerate(ordered):
        near = sorted(days[max(0, i - NEIGHBOURS) : i + NEIGHBOURS + 1])
        late = row.first_seen > near[len(near) // 2] + timedelta(days=READD_DAYS)
        if not row.censored and (late or row.first_seen in batches):
            row = replace(row, suspect=True)
        out.append(row)
    return out


def parse_mal(data: bytes, location: str) -> Batch:
    """Parse ``mal_anime_first_seen.csv`` (``mal_id, first_seen_utc_offset_iso, commit``)."""
    batch = Batch(source=SOURCE_MAL, location=location)
    rows = []
    for line, row in iter_rows(data, SOURCE_MAL, location, ("mal_id", "first_seen_utc_offset_iso")):
        try:
            day = _when(row["first_seen_utc_offset_iso"])
            rows.append(
                EntryFirstSeen(
                    _positive(row["mal_id"], "mal_id"),
                    day,
                    day == FLOOR[SOURCE_MAL],
                    False,
                    SOURCE_MAL,
                )
            )
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE_MAL, f"{location}:{line}", str(exc), dict(row)))
    batch.entry_first_seen = mark_readds(rows, "mal_id")
    return batch


def parse_pairs(data: bytes, location: str) -> Batch:
    """Parse ``anilist_mal_pair_first_seen.csv`` (``idAL, idMal, idAniDB_at_first_seen, first_seen``).

    A pair with no MAL id is counted in ``skipped``.
    """
    batch = Batch(source=SOURCE_PAIRS, location=location)
    rows = []
    for line, row in iter_rows(data, SOURCE_PAIRS, location, ("idAL", "idMal", "first_seen")):
        try:
            anilist = _positive(row["idAL"], "idAL")
            day = _when(row["first_seen"])
            if not (row["idMal"] or "").strip():
                batch.skipped += 1
                continue
            anidb = parse_int(row.get("idAniDB_at_first_seen"))
            rows.append(
                EntryFirstSeen(
                    _positive(row["idMal"], "idMal"),
                    day,
                    day == FLOOR[SOURCE_PAIRS],
                    False,
                    SOURCE_PAIRS,
                    anilist,
                    anidb,
                )
            )
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE_PAIRS, f"{location}:{line}", str(exc), dict(row)))
    batch.entry_first_seen = mark_readds(rows, "anilist_id")
    return batch
