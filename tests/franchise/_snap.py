"""Tiny hand-made snapshots for the unit tests."""

from __future__ import annotations

from datetime import date

from sequelcast.domain import (
    Anime,
    CollectionMember,
    FirstSeen,
    IdLink,
    Relation,
    Snapshot,
    TvdbMapping,
)

LIST_DAY = date(2020, 12, 31)


def tv(
    mal_id: int,
    title: str,
    start: date | None,
    end: date | None = None,
    kind: str = "TV",
    first_seen: date | None = None,
    episodes: int | None = None,
    score: float | None = None,
) -> Anime:
    """A MAL entry; an undated one (an announcement) has no episode count unless given."""
    eps = episodes if episodes is not None else (12 if start is not None else None)
    return Anime(
        mal_id,
        title,
        type=kind,
        start_date=start,
        end_date=end,
        episodes=eps,
        score=score,
        first_seen=first_seen or start,
    )


def anidb(mal_id: int, anidb_id: int) -> IdLink:
    return IdLink(mal_id, "anidb", str(anidb_id), date(2020, 1, 1), "fribb_ids")


def tvdb(
    anidb_id: int, name: str, series: str, season: str, observed: date = LIST_DAY
) -> TvdbMapping:
    return TvdbMapping(anidb_id, name, series, season, None, None, observed, "anidb_tvdb")


def listed(anidb_id: int, day: date) -> FirstSeen:
    return FirstSeen(anidb_id, day, day, None, None)


def sequel(a: int, b: int, detail: str = "") -> Relation:
    return Relation(
        a, b, "sequel", detail or f"x: {a}:13-24 -> {b}:1-12", date(2021, 1, 1), "erengy_relations"
    )


def member(cluster: str, mal_id: int) -> CollectionMember:
    return CollectionMember(cluster, mal_id, date(2021, 1, 1), "fribb_collections")


def snapshot(as_of: date | None, entries: list[Anime], **parts: list) -> Snapshot:
    first_seen = {f.anidb_id: f for f in parts.pop("first_seen", [])}
    return Snapshot(
        as_of=as_of, entries={e.mal_id: e for e in entries}, first_seen=first_seen, **parts
    )
