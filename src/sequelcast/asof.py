"""Pure as-of logic: which records were known on a date, and what an entry looked like then.

Three rules, documented in ``docs/catalog.md``:

1. A fact, an AniDB-to-TVDB list row or a first-seen row is known on ``as_of`` when it was
   observed on or before ``as_of``. A first-seen row whose mapping came later keeps its listing
   but loses the mapping.
2. A source work (manga, novel) observed after ``as_of`` is known on ``as_of`` when it had started
   by then, with its status, end and volumes re-derived from its dates
   (:func:`sequelcast.source_material.work_as_of`, ``docs/source_material.md``).
3. A link (an ID crosswalk row, a sequel rule, a collection membership) says that records which
   exist are related. It is known as soon as every record it joins is known, and it is stamped with
   that date (the latest first sighting of its ends). A link to a record not yet known is left out.
   A link from a dated observation (the typed MAL relations of 2023-04-17, :data:`OBSERVED_LINKS`)
   is known from that date, or from when both ends were known if that is later.
3. A MAL first sighting (MAL id cache, AniList pair list) is known from its date; from then on the
   entry's identity (its ``title`` and ``type`` facts, :data:`IDENTITY_FIELDS`) is known too: MAL
   creates an entry, with its title and type, when the work is announced. Suspect sightings (batch
   re-adds) are kept as rows but move nothing.
4. An AniList crosswalk row is known when its MAL entry (or, without one, its AniDB entry) is.

:func:`admit` applies these rules to a :class:`~sequelcast.domain.Batch`, :func:`assemble` turns the
admitted records into a :class:`~sequelcast.domain.Snapshot`. ``admit`` is idempotent, and admitting
on a later date and then on an earlier one gives what admitting on the earlier one gives, so a
catalog built with everything answers ``--as-of`` questions exactly as a catalog built as of that
date does.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sequelcast.domain import (
    FACT_FIELDS,
    HISTORY_ONLY_FIELDS,
    LIST_FIELDS,
    Anime,
    Batch,
    CollectionMember,
    CrosswalkEntry,
    EntryFirstSeen,
    Fact,
    FirstSeen,
    IdLink,
    Snapshot,
    merge_batches,
)
from sequelcast.source_material import source_features, work_as_of

#: Fields that change over time; every observation is kept in ``Snapshot.history``.
VOLATILE_FIELDS = (
    frozenset({"score", "scored_by", "members", "favorites", "rank", "popularity"})
    | HISTORY_ONLY_FIELDS
)

#: When two sources observed a field on the same day, the higher one wins.
SOURCE_PRIORITY = {
    "jikan": 9,
    "anilist": 8,
    "mal_tv_seasons": 7,
    "mal_ranking_2026": 6,
    "offline_db": 5,
    "mal_snapshot_2018": 4,
    "mal_snapshot_2016": 3,
    "fribb_ids": 1,
}


#: Link sources whose links are known only from their observation date (see rule 2).
OBSERVED_LINKS = frozenset({"mal_relations_2023"})
#: Facts known from the entry's first sighting (rule 3).
IDENTITY_FIELDS = frozenset({"title", "type"})


def _known(when: date | None, as_of: date | None) -> bool:
    return when is not None and (as_of is None or when <= as_of)


def mal_first_seen(facts: Iterable[Fact]) -> dict[int, date]:
    """MAL id -> the date of its earliest fact."""
    seen: dict[int, date] = {}
    for f in facts:
        d = seen.get(f.mal_id)
        if d is None or f.observed_at < d:
            seen[f.mal_id] = f.observed_at
    return seen


def _admit_first_seen(rows: Iterable[FirstSeen], as_of: date | None) -> list[FirstSeen]:
    out = []
    for fs in rows:
        if not _known(fs.first_listed, as_of):
            continue
        if fs.first_mapped is not None and not _known(fs.first_mapped, as_of):
            fs = dataclasses.replace(fs, first_mapped=None, tvdb_id=None, tvdb_season=None)
        out.append(fs)
    return out


def _anidb_seen(batch: Batch) -> dict[int, date]:
    seen: dict[int, date] = {}
    for m in batch.tvdb_mappings:
        if m.anidb_id not in seen or m.observed_at < seen[m.anidb_id]:
            seen[m.anidb_id] = m.observed_at
    for fs in batch.first_seen:
        if fs.anidb_id not in seen or fs.first_listed < seen[fs.anidb_id]:
            seen[fs.anidb_id] = fs.first_listed
    return seen


def _admit_links(
    links: Iterable[IdLink], mal_seen: dict[int, date], anidb_seen: dict[int, date]
) -> list[IdLink]:
    out = []
    for link in links:
        stamp = mal_seen.get(link.mal_id)
        if stamp is None:
            continue
        if link.site == "anidb":
            other = anidb_seen.get(int(link.external_id)) if link.external_id.isdecimal() else None
            if other is None:
                continue
            stamp = max(stamp, other)
        if stamp != link.observed_at:
            link = IdLink(link.mal_id, link.site, link.external_id, stamp, link.source)
        out.append(link)
    return out


def admit(batch: Batch, as_of: date | None) -> Batch:
    """The records of ``batch`` known on ``as_of`` (everything when ``None``), links re-stamped."""
    out = Batch(source=batch.source, location=batch.location, observed_at=as_of)
    out.rejects = list(batch.rejects)
    out.skipped = batch.skipped
    out.entry_first_seen = [r for r in batch.entry_first_seen if _known(r.first_seen, as_of)]
    out.facts = _identity_restamped(batch.facts, out.entry_first_seen, as_of)
    out.tvdb_mappings = [m for m in batch.tvdb_mappings if _known(m.observed_at, as_of)]
    out.manga = [w for w in (work_as_of(m, as_of) for m in batch.manga) if w is not None]
    out.novels = [n for n in batch.novels if _known(n.observed_at, as_of)]
    out.manga_id_links = [x for x in batch.manga_id_links if _known(x.observed_at, as_of)]
    out.first_seen = _admit_first_seen(batch.first_seen, as_of)
    mal_seen = mal_first_seen(out.facts)
    anidb_seen = _anidb_seen(out)
    out.id_links = _admit_links(batch.id_links, mal_seen, anidb_seen)
    anilist_to_mal = {
        int(x.external_id): x.mal_id
        for x in batch.id_links
        if x.site == "anilist" and x.external_id.isdecimal()
    }
    for rel in batch.relations:
        a = rel.from_mal_id or anilist_to_mal.get(rel.from_anilist_id or -1)
        b = rel.to_mal_id or anilist_to_mal.get(rel.to_anilist_id or -1)
        if a is None or b is None:
            continue  # kept in the catalog's raw relations, unusable until both ends have MAL ids
        if a in mal_seen and b in mal_seen:
            stamp = max(mal_seen[a], mal_seen[b])
            if rel.source in OBSERVED_LINKS:
                if not _known(rel.observed_at, as_of):
                    continue
                stamp = max(stamp, rel.observed_at)
            out.relations.append(
                dataclasses.replace(rel, from_mal_id=a, to_mal_id=b, observed_at=stamp)
            )
    out.collection_members = [
        c
        if c.observed_at == mal_seen[c.mal_id]
        else CollectionMember(c.collection, c.mal_id, mal_seen[c.mal_id], c.source)
        for c in batch.collection_members
        if c.mal_id in mal_seen
    ]
    out.crosswalk = _admit_crosswalk(batch.crosswalk, mal_seen, anidb_seen)
    return out


def _identity_restamped(
    facts: list[Fact], sightings: list[EntryFirstSeen], as_of: date | None
) -> list[Fact]:
    """Facts known by ``as_of``; identity facts move back to the entry's first trusted sighting."""
    seen: dict[int, date] = {}
    for r in sightings:
        if not r.suspect and (r.mal_id not in seen or r.first_seen < seen[r.mal_id]):
            seen[r.mal_id] = r.first_seen
    out = []
    for f in facts:
        if f.field in IDENTITY_FIELDS:
            first = seen.get(f.mal_id)
            if first is not None and first < f.observed_at:
                f = dataclasses.replace(f, observed_at=first)
        if _known(f.observed_at, as_of):
            out.append(f)
    return out


def _admit_crosswalk(
    rows: Iterable[CrosswalkEntry], mal_seen: dict[int, date], anidb_seen: dict[int, date]
) -> list[CrosswalkEntry]:
    out = []
    for row in rows:
        if row.mal_id is not None:
            stamp = mal_seen.get(row.mal_id)
        else:
            stamp = anidb_seen.get(row.anidb_id) if row.anidb_id is not None else None
        if stamp is None:
            continue
        out.append(row if stamp == row.observed_at else dataclasses.replace(row, observed_at=stamp))
    return out


def earliest_sightings(rows: Iterable[EntryFirstSeen]) -> dict[int, EntryFirstSeen]:
    """MAL id -> its earliest trustworthy sighting (suspect rows left out)."""
    out: dict[int, EntryFirstSeen] = {}
    for r in rows:
        if r.suspect:
            continue
        best = out.get(r.mal_id)
        if best is None or r.first_seen < best.first_seen:
            out[r.mal_id] = r
    return out


def _value(field: str, value: Any) -> Any:
    if field in LIST_FIELDS:
        return tuple(value)
    return value


def _entry(mal_id: int, facts: list[Fact], ids: dict[str, str]) -> Anime:
    facts.sort(key=lambda f: (f.observed_at, SOURCE_PRIORITY.get(f.source, 0)))
    values: dict[str, Any] = {}
    for f in facts:
        # page fields (poster, synopsis) are read by the page only; history-only fields stay in history
        if f.field in FACT_FIELDS and f.field not in HISTORY_ONLY_FIELDS:
            values[f.field] = _value(f.field, f.value)
    values.setdefault("title", f"MAL {mal_id}")
    return Anime(
        mal_id=mal_id,
        first_seen=facts[0].observed_at,
        last_observed=facts[-1].observed_at,
        ids=tuple(sorted(ids.items())),
        **values,
    )


def assemble(admitted: Batch, as_of: date | None) -> Snapshot:
    """A :class:`Snapshot` of admitted records: newest fact per field wins."""
    by_mal: dict[int, list[Fact]] = defaultdict(list)
    for f in admitted.facts:
        by_mal[f.mal_id].append(f)
    ids: dict[int, dict[str, str]] = defaultdict(dict)
    for link in sorted(admitted.id_links, key=lambda x: x.observed_at):
        ids[link.mal_id][link.site] = link.external_id
    entries = {m: _entry(m, fs, ids.get(m, {})) for m, fs in by_mal.items()}
    history: dict[int, list[Fact]] = {}
    for m, fs in by_mal.items():
        vol = [f for f in fs if f.field in VOLATILE_FIELDS]  # fs is sorted by _entry
        if vol:
            history[m] = vol
    first_seen: dict[int, FirstSeen] = {row.anidb_id: row for row in admitted.first_seen}
    return Snapshot(
        as_of=as_of,
        entries=entries,
        history=history,
        first_seen=first_seen,
        tvdb_mappings=list(admitted.tvdb_mappings),
        id_links=list(admitted.id_links),
        relations=list(admitted.relations),
        collection_members=list(admitted.collection_members),
        crosswalk=list(admitted.crosswalk),
        entry_first_seen=earliest_sightings(admitted.entry_first_seen),
        source_features=source_features(
            entries, admitted.manga, admitted.novels, admitted.relations, as_of
        ),
    )


def end_of_data(batch: Batch) -> date | None:
    """The one "end of data": the date of the newest record (fact, AniDB-to-TVDB row or first listing).

    Forecasts are never made later than this (see :meth:`sequelcast.service.Sequelcast.answer_date`), and
    a build derives its franchises and forecasts as of this date.

    Examples
    --------
    >>> b = Batch(source="x", location="y")
    >>> b.facts.append(Fact(1, "title", "A", date(2024, 3, 1), "mal"))
    >>> b.first_seen.append(FirstSeen(7, date(2024, 5, 2), None, None, None, "anidb"))
    >>> end_of_data(b)
    datetime.date(2024, 5, 2)
    >>> end_of_data(Batch(source="x", location="y")) is None
    True
    """
    days = [f.observed_at for f in batch.facts]
    days += [m.observed_at for m in batch.tvdb_mappings]
    days += [fs.first_listed for fs in batch.first_seen]
    return max(days, default=None)


def snapshot_from_batches(batches: Iterable[Batch], as_of: date | None = None) -> Snapshot:
    """What ``batches`` say was known on ``as_of`` (everything when ``None``)."""
    merged = merge_batches(batches, source="all", location="all")
    return assemble(admit(merged, as_of), as_of)


__all__ = [
    "IDENTITY_FIELDS",
    "OBSERVED_LINKS",
    "SOURCE_PRIORITY",
    "VOLATILE_FIELDS",
    "admit",
    "assemble",
    "earliest_sightings",
    "end_of_data",
    "mal_first_seen",
    "snapshot_from_batches",
]
