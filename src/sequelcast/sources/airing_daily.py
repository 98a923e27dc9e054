"""Daily AniList popularity of every airing anime, 2025-11 to 2026-08 (gzipped CSV).

``derived/airing_anime_daily_2025-11_2026-08.csv.gz``: one row per airing show per collection
(253 collections), from AniList (``data_source`` = ``anilist``), with the MAL id when AniList has
one. ``members`` there counts AniList list entries, not MyAnimeList members, so it becomes the
history field ``anilist_members`` (never mixed with MAL ``members``), stamped with the day of
``collected_at``. The AniList id -> MAL id map is the file's own ``anime_id`` / ``mal_id``
columns: a row without a MAL id is counted as skipped (the AniList id alone cannot join the
catalog); a row whose MAL id is malformed is rejected. Several collections on one day keep the
last one of that day.
"""

from __future__ import annotations

import gzip
import zlib
from datetime import date

from sequelcast.domain import Batch, Fact
from sequelcast.errors import SourceFileError
from sequelcast.sources._csv import iter_rows
from sequelcast.sources.base import parse_date, parse_int, reject

SOURCE = "airing_anime_daily"
PATTERN = "derived/airing_anime_daily_*.csv.gz"
_REQUIRED = ("anime_id", "mal_id", "members", "collected_at")


def _mal_id(value: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    number = float(text)  # the file writes ids as floats ("60407.0")
    if number <= 0 or number != int(number):
        raise ValueError(f"bad MAL id {value!r}")
    return int(number)


def parse(data: bytes, location: str) -> Batch:
    """Parse the gzipped daily file into ``anilist_members`` facts (one per show and day)."""
    try:
        text = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceFileError(SOURCE, location, f"not a readable gzip file: {exc}") from exc
    batch = Batch(source=SOURCE, location=location)
    latest: dict[tuple[int, date], int] = {}
    for line, row in iter_rows(text, SOURCE, location, _REQUIRED):
        try:
            mal_id = _mal_id(row["mal_id"])
            day = parse_date((row["collected_at"] or "")[:10])
            members = parse_int(row["members"])
            if day is None or members is None or members < 0:
                raise ValueError(
                    f"bad collected_at {row['collected_at']!r} or members {row['members']!r}"
                )
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE, f"{location}:{line}", str(exc), dict(row)))
            continue
        if mal_id is None:
            batch.skipped += 1
            continue
        latest[mal_id, day] = members
    batch.facts = [Fact(m, "anilist_members", v, d, SOURCE) for (m, d), v in latest.items()]
    return batch
