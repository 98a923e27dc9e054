"""Source works as known on a date: MAL manga and novels (re-derived from dates), NovelUpdates novels."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sequelcast.domain import MangaRecord, NovelRecord

#: MAL's anime ``source`` (lower case) -> the kind of source work it names.
ANIME_SOURCE_KIND = {
    "manga": "manga",
    "4-koma manga": "manga",
    "web manga": "manga",
    "light novel": "light_novel",
    "novel": "novel",
    "web novel": "web_novel",
}
#: Kind -> the MAL manga types that can be that source (``NovelUpdates`` for NovelUpdates novels).
COMPATIBLE_TYPES = {
    "manga": frozenset({"Manga", "Manhwa", "Manhua", "One-shot"}),
    "light_novel": frozenset({"Light Novel", "Novel", "NovelUpdates"}),
    "novel": frozenset({"Novel", "Light Novel", "NovelUpdates"}),
    "web_novel": frozenset({"Light Novel", "Novel", "NovelUpdates"}),
}
FINISHED = "Finished"
PUBLISHING = "Publishing"
#: When two records of one MAL work were observed the same day, the higher one wins.
_PRIORITY = {"mal_lightnovels_2024": 3, "mal_manga_2024": 2, "mal_manga_2021": 1}


def work_as_of(record: MangaRecord, as_of: date | None) -> MangaRecord | None:
    """What ``record`` (observed on ``record.observed_at``) says about its work on ``as_of``.

    Observed by ``as_of``: the record as it is. Observed later: the work is known only if it had
    started by ``as_of``; it is finished only if it ended on or before ``as_of`` (volumes kept only
    then), otherwise it was still publishing, with unknown end, volumes and chapters. A work MAL
    calls finished with no end date (or whose status is unknown) has an unknown status on an
    earlier date. A re-derived record is stamped ``as_of``, so admitting twice changes nothing.

    >>> r = MangaRecord(116201, "Higehiro", None, None, "Light Novel", 5, 82, "Finished",
    ...                 date(2018, 2, 1), date(2021, 6, 1), None, None, date(2024, 12, 31), "x")
    >>> work_as_of(r, date(2020, 1, 1)).status, work_as_of(r, date(2020, 1, 1)).volumes
    ('Publishing', None)
    >>> work_as_of(r, date(2021, 6, 1)).volumes
    5
    >>> work_as_of(r, date(2017, 1, 1)) is None
    True
    """
    if as_of is None or record.observed_at <= as_of:
        return record
    if record.published_from is None or record.published_from > as_of:
        return None
    if record.published_to is not None and record.published_to <= as_of:
        return dataclasses.replace(record, observed_at=as_of)
    if record.status is None or (record.status == FINISHED and record.published_to is None):
        return dataclasses.replace(
            record, status=None, volumes=None, chapters=None, published_to=None, observed_at=as_of
        )
    return dataclasses.replace(
        record, status=PUBLISHING, volumes=None, chapters=None, published_to=None, observed_at=as_of
    )


@dataclass(frozen=True)
class Work:
    """A source work on a date, from MAL (``source="mal"``) or NovelUpdates (``"novelupdates"``)."""

    source: str
    work_id: int
    type: str
    title: str
    titles: tuple[str, ...]
    start: date | None
    end: date | None
    finished: bool | None
    volumes: int | None
    members: int | None
    observed_at: date
    #: volumes published so far when observed, for a work still running (NovelUpdates counts)
    volumes_so_far: int | None = None


def _mal_work(r: MangaRecord) -> Work:
    titles = tuple(t for t in (r.title, r.title_english, r.title_japanese) if t)
    finished = None if r.status is None else r.status == FINISHED
    if r.status in ("Discontinued",) and r.published_to is not None:
        finished = True
    return Work(
        "mal",
        r.manga_id,
        r.type or "",
        r.title,
        titles,
        r.published_from,
        r.published_to,
        finished,
        r.volumes if finished else None,
        r.members,
        r.observed_at,
    )


def _nu_work(n: NovelRecord) -> Work:
    start = date(n.start_year, 1, 1) if n.start_year else None
    return Work(
        "novelupdates",
        n.novel_id,
        "NovelUpdates",
        n.title,
        (n.title, *n.aliases),
        start,
        None,
        n.complete,
        n.volumes if n.complete else None,
        None,
        n.observed_at,
        None if n.complete else n.volumes,
    )


def collect_works(manga: Iterable[MangaRecord], novels: Iterable[NovelRecord]) -> list[Work]:
    """One :class:`Work` per MAL work and per Japanese (or unknown-language) NovelUpdates novel.

    A MAL manga id keeps its newest record. The same work listed under two ids (same type, title,
    English title and start: 127 works in the 2024-12 files, mostly light novels of the manga file
    with another id than in the light-novel file) is kept once, from the higher-priority file.
    """
    newest: dict[int, MangaRecord] = {}
    for r in manga:
        old = newest.get(r.manga_id)
        if old is None or (r.observed_at, _PRIORITY.get(r.source, 0)) > (
            old.observed_at,
            _PRIORITY.get(old.source, 0),
        ):
            newest[r.manga_id] = r
    same: dict[tuple[object, ...], MangaRecord] = {}
    for r in sorted(newest.values(), key=lambda r: (-_PRIORITY.get(r.source, 0), r.manga_id)):
        same.setdefault((r.type, r.title, r.title_english, r.published_from), r)
    works = [_mal_work(r) for r in same.values()]
    works.extend(_nu_work(n) for n in novels if n.language in (None, "japanese"))
    return works
