"""Everything that reads dumps or speaks HTTP.

File adapters (``../shared/data`` layout, see ``docs/catalog.md``):

======================  ===================================================  ==============
source                  files                                                observed
======================  ===================================================  ==============
mal_tv_seasons          raw/mal_tv_seasons_ate329/<year>/<season>.json       2026-02-15
mal_snapshot_2018       raw/mal_snapshot_2018/*.csv                          2018-05-07
mal_snapshot_2016       raw/mal_snapshot_2016/*.csv                          2016-12-21
mal_ranking_2026        raw/mal_ranking_2026/*.csv                           2026-07-19
anidb_tvdb              raw/anidb_tvdb_anime_lists/anime-list-master_*.xml   file name date
fribb_ids               raw/id_maps_and_relations/fribb_anime-list-mini_*    file name date
fribb_collections       raw/id_maps_and_relations/fribb_mal_collection_*     file name date
erengy_relations        raw/id_maps_and_relations/erengy_anime-relations_*   file name date
anidb_first_seen        derived/anidb_first_seen*.csv                        per row
mal_relations_2023      raw/mal_relations_2023/animeRelations*.json          2023-04-17
anilist_mal_lists_2026  raw/anilist_mal_lists_2026/anime-full_*.json         file name date
mal_anime_first_seen    derived/mal_anime_first_seen*.csv                    per row
anilist_mal_pair_fi...  derived/anilist_mal_pair_first_seen*.csv             per row
mal_manga_2021          raw/mal_manga_sample_2021/*.csv                      2021-08-28
disc_sales              derived/disc_sales_someanithing_*.csv                season + 6 months
mal_popularity_2020...  derived/mal_popularity_snapshots_20*-20??.csv        known_by per row
airing_anime_daily      derived/airing_anime_daily_*.csv.gz                  collected_at per row
mal_manga_2024          derived/mal_manga_2024-12*.csv                       2024-12-31
mal_lightnovels_2024    derived/mal_lightnovels_2024-12*.csv                 2024-12-31
novelupdates_2020       raw/novelupdates_2020/novels_*.csv                   file name date
anilist_manga_2026      raw/anilist_mal_lists_2026/manga_*.json              file name date
offline_db              raw/anime-offline-database/*.json, *.jsonl           lastUpdate
======================  ===================================================  ==============

``sequelcast fetch`` saves Jikan and AniList answers under ``raw/jikan/`` and ``raw/anilist/``
(see :mod:`~sequelcast.sources.downloads`). Put a downloaded anime-offline-database release (minified JSON or JSONL) in
``raw/anime-offline-database/`` of the data directory and ``sequelcast build`` reads it.

Network sources: :mod:`~sequelcast.sources.anilist`, :mod:`~sequelcast.sources.jikan` and the
anime-offline-database dump (:mod:`~sequelcast.sources.offline_db`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from sequelcast.domain import Batch
from sequelcast.errors import SourceFileError
from sequelcast.sources import (
    airing_daily,
    anidb_tvdb,
    anilist,
    anilist_lists,
    anilist_manga,
    disc_sales,
    downloads,
    entry_first_seen,
    erengy,
    first_seen,
    fribb,
    jikan,
    mal_manga,
    mal_popularity,
    mal_relations,
    mal_seasons,
    mal_snapshots,
    mal_works,
    novelupdates,
    offline_db,
)
from sequelcast.sources.base import FileSource, read_source_file

DATA_SOURCES: tuple[FileSource, ...] = (
    FileSource(
        mal_seasons.SOURCE,
        mal_seasons.PATTERN,
        mal_seasons.parse,
        "MyAnimeList TV seasons 2006-2027 (Jikan)",
    ),
    FileSource(
        mal_snapshots.SOURCE_2018,
        mal_snapshots.PATTERN_2018,
        mal_snapshots.parse_2018,
        "MyAnimeList snapshot 2018-05-07",
    ),
    FileSource(
        mal_snapshots.SOURCE_2016,
        mal_snapshots.PATTERN_2016,
        mal_snapshots.parse_2016,
        "MyAnimeList snapshot 2016-12",
    ),
    FileSource(
        mal_snapshots.SOURCE_RANKING,
        mal_snapshots.PATTERN_RANKING,
        mal_snapshots.parse_ranking,
        "MyAnimeList ranking 2026-07-19",
    ),
    FileSource(
        anidb_tvdb.SOURCE, anidb_tvdb.PATTERN, anidb_tvdb.parse, "AniDB-to-TheTVDB season lists"
    ),
    FileSource(fribb.SOURCE_IDS, fribb.PATTERN_IDS, fribb.parse_ids, "ID crosswalk (Fribb)"),
    FileSource(
        fribb.SOURCE_COLLECTIONS,
        fribb.PATTERN_COLLECTIONS,
        fribb.parse_collections,
        "franchise clusters (Fribb)",
    ),
    FileSource(erengy.SOURCE, erengy.PATTERN, erengy.parse, "sequel rules (erengy)"),
    FileSource(
        first_seen.SOURCE, first_seen.PATTERN, first_seen.parse, "AniDB first-seen dates (derived)"
    ),
    FileSource(
        mal_relations.SOURCE,
        mal_relations.PATTERN,
        mal_relations.parse,
        "typed MyAnimeList relations 2023-04-17",
    ),
    FileSource(
        anilist_lists.SOURCE,
        anilist_lists.PATTERN,
        anilist_lists.parse,
        "AniList<->MAL anime crosswalk with titles (2026-08-22)",
    ),
    FileSource(
        entry_first_seen.SOURCE_MAL,
        entry_first_seen.PATTERN_MAL,
        entry_first_seen.parse_mal,
        "MyAnimeList first-seen dates 2019-2024 (derived)",
    ),
    FileSource(
        entry_first_seen.SOURCE_PAIRS,
        entry_first_seen.PATTERN_PAIRS,
        entry_first_seen.parse_pairs,
        "AniList<->MAL pair first-seen dates 2024-2026 (derived)",
    ),
    FileSource(
        mal_manga.SOURCE,
        mal_manga.PATTERN,
        mal_manga.parse,
        "MyAnimeList manga sample 2021-08 (volumes, chapters)",
    ),
    FileSource(
        disc_sales.SOURCE,
        disc_sales.PATTERN,
        disc_sales.parse,
        "Blu-ray/DVD sales per series 2006-2020 (someanithing, derived)",
    ),
    FileSource(
        mal_popularity.SOURCE,
        mal_popularity.PATTERN,
        mal_popularity.parse,
        "MyAnimeList popularity snapshots 2020-2024 (derived)",
    ),
    FileSource(
        airing_daily.SOURCE,
        airing_daily.PATTERN,
        airing_daily.parse,
        "daily AniList popularity of airing anime 2025-11 to 2026-08 (derived)",
    ),
    FileSource(
        mal_works.SOURCE_MANGA,
        mal_works.PATTERN_MANGA,
        mal_works.parse_manga,
        "MyAnimeList top manga 2024-12 (status, volumes, dates)",
    ),
    FileSource(
        mal_works.SOURCE_NOVELS,
        mal_works.PATTERN_NOVELS,
        mal_works.parse_novels,
        "MyAnimeList top light novels 2024-12 (status, volumes, dates)",
    ),
    FileSource(
        novelupdates.SOURCE,
        novelupdates.PATTERN,
        novelupdates.parse,
        "NovelUpdates light/web novels 2020-05-17 (title join only)",
    ),
    FileSource(
        anilist_manga.SOURCE,
        anilist_manga.PATTERN,
        anilist_manga.parse,
        "AniList <-> MAL manga id crosswalk 2026-08-22",
    ),
    FileSource(
        offline_db.SOURCE,
        "raw/anime-offline-database/*.json",
        offline_db.parse_dump,
        "anime-offline-database dump (minified JSON)",
    ),
    FileSource(
        offline_db.SOURCE,
        "raw/anime-offline-database/*.jsonl",
        offline_db.parse_dump,
        "anime-offline-database dump (JSON lines)",
    ),
    FileSource(
        jikan.SOURCE,
        downloads.JIKAN_PATTERN,
        downloads.parse_jikan_file,
        "Jikan answers saved by `sequelcast fetch`",
    ),
    FileSource(
        anilist.SOURCE,
        downloads.ANILIST_PATTERN,
        downloads.parse_anilist_file,
        "AniList answers saved by `sequelcast fetch`",
    ),
)

Progress = Callable[[FileSource, Path, int, int], None]


def discover(data_dir: Path) -> list[tuple[FileSource, Path]]:
    """Every ``(source, file)`` pair below ``data_dir``; an empty or missing directory is an error."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise SourceFileError("data", str(data_dir), "no such directory")
    try:
        with os.scandir(data_dir) as entries:
            next(entries, None)
    except OSError as exc:
        raise SourceFileError(
            "data", str(data_dir), f"the directory cannot be read ({exc.strerror})"
        ) from exc
    for src in DATA_SOURCES:
        src.check_readable(data_dir)
    found = [(src, p) for src in DATA_SOURCES for p in src.discover(data_dir)]
    if not found:
        raise SourceFileError(
            "data", str(data_dir), "holds none of the known source files (see docs/catalog.md)"
        )
    return found


def load_batches(data_dir: Path | Sequence[Path], progress: Progress | None = None) -> list[Batch]:
    """Read and parse every source file below ``data_dir`` (one directory or several).

    A file that cannot be read or parsed raises :class:`~sequelcast.errors.SourceFileError`
    naming it; bad records inside a readable file come back as ``Batch.rejects``. Locations are
    relative to their directory (prefixed with the directory's name when there are several).
    ``progress(source, path, i, n)`` is called after each file.
    """
    dirs = [Path(data_dir)] if isinstance(data_dir, (str, Path)) else [Path(d) for d in data_dir]
    files = [(d, src, p) for d in dirs for src, p in discover(d)]
    batches = []
    for i, (root, src, path) in enumerate(files, start=1):
        location = str(path.relative_to(root))
        if len(dirs) > 1:
            location = f"{root.name}/{location}"
        batches.append(src.parse(read_source_file(src.name, path), location))
        if progress is not None:
            progress(src, path, i, len(files))
    return batches


__all__ = ["DATA_SOURCES", "FileSource", "discover", "load_batches"]
