"""Source material: link anime to the manga / novels they adapt, and describe those works on a date.

Pure (no I/O): fed the records of a :class:`~sequelcast.domain.Batch` admitted on ``as_of``, it
gives ``Snapshot.source_features`` (see :class:`~sequelcast.domain.SourceFeatures`). Rules are in
``docs/source_material.md`` and in the docstrings of :mod:`._works` (what a work looked like on a
date), :mod:`._link` (which work an anime adapts) and :mod:`._features` (the features and words).

Every TV anime whose MAL source is a manga, light novel, novel or web novel gets an entry; it has
``linked=False`` when no work was linked confidently. Other anime get none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sequelcast.domain import Anime, MangaRecord, NovelRecord, Relation, SourceFeatures
from sequelcast.source_material._features import (
    EPISODES_PER_VOLUME,
    aired_episodes,
    all_features,
    summarize,
    volume_rates,
)
from sequelcast.source_material._link import (
    MARGIN,
    MIN_SCORE,
    SourceLink,
    anime_kind,
    first_season,
    link_sources,
    prequel_map,
)
from sequelcast.source_material._works import (
    ANIME_SOURCE_KIND,
    COMPATIBLE_TYPES,
    Work,
    collect_works,
    work_as_of,
)


def source_features(
    entries: Mapping[int, Anime],
    manga: Iterable[MangaRecord],
    novels: Iterable[NovelRecord],
    relations: Iterable[Relation],
    as_of: date | None,
    extra_titles: Mapping[int, Sequence[str]] | None = None,
) -> dict[int, SourceFeatures]:
    """Anime MAL id -> :class:`SourceFeatures` on ``as_of`` from records admitted on ``as_of``.

    ``manga`` must already be re-derived for ``as_of`` (:func:`work_as_of`, done by
    :func:`sequelcast.asof.admit`). With ``as_of=None`` durations run to the newest observation.
    """
    works = collect_works(manga, novels)
    rels = list(relations)
    links = link_sources(entries, works, rels, extra_titles)
    ref = max((w.observed_at for w in works), default=date.min)
    out = all_features(links, entries, prequel_map(rels), works, as_of, ref)
    for mal_id, anime in entries.items():
        kind = anime_kind(anime)
        if kind is not None and mal_id not in out:
            out[mal_id] = SourceFeatures(linked=False, kind=kind, summary="no source work linked")
    return out


__all__ = [
    "ANIME_SOURCE_KIND",
    "COMPATIBLE_TYPES",
    "EPISODES_PER_VOLUME",
    "MARGIN",
    "MIN_SCORE",
    "SourceLink",
    "Work",
    "aired_episodes",
    "anime_kind",
    "collect_works",
    "first_season",
    "link_sources",
    "prequel_map",
    "source_features",
    "summarize",
    "volume_rates",
    "work_as_of",
]
