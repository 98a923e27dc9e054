"""Fetching from the network sources into the downloads directory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from sequelcast.domain import Batch
from sequelcast.service._reports import FetchReport
from sequelcast.sources import (
    anilist,
    downloads,
    jikan,
    offline_db,
)
from sequelcast.sources.http import make_client

# -- network sources ----------------------------------------------------------------------------


def _saved(
    source: str,
    root: Path,
    answers: list[tuple[str, Any]],
    when: date,
    parse: Callable[[Any, date], Batch],
) -> FetchReport:
    """Check every answer parses (a bad one raises before anything is saved), then save them all."""
    batches = [parse(payload, when) for _, payload in answers]
    paths = [
        downloads.save_answer(root, source, label, when, payload) for label, payload in answers
    ]
    return FetchReport(
        source, paths, sum(len(b) for b in batches), sum(len(b.rejects) for b in batches)
    )


def fetch_jikan_season(
    root: Path, year: int, season: str, *, when: date, client: httpx.Client | None = None
) -> FetchReport:
    """Fetch every page of a Jikan season into ``root/raw/jikan/`` (read by the next build)."""
    client = client or jikan.make_jikan_client()
    pages = jikan.fetch_season(client, year, season)
    answers = [(f"season-{year}-{season}-p{i}", p) for i, p in enumerate(pages, start=1)]
    return _saved(jikan.SOURCE, root, answers, when, jikan.parse_anime_list)


def fetch_jikan_anime(
    root: Path, mal_ids: list[int], *, when: date, client: httpx.Client | None = None
) -> FetchReport:
    """Fetch ``/anime/{id}/full`` (with relations) for each MAL id into ``root/raw/jikan/``."""
    client = client or jikan.make_jikan_client()
    answers = [(f"anime-{m}", jikan.fetch_anime(client, m)) for m in mal_ids]
    return _saved(jikan.SOURCE, root, answers, when, jikan.parse_anime_full)


def fetch_anilist(
    root: Path, mal_ids: list[int], *, when: date, client: httpx.Client | None = None
) -> FetchReport:
    """Fetch AniList media (with relations) by MAL id into ``root/raw/anilist/``."""
    client = client or anilist.make_anilist_client()
    pages = anilist.fetch_media(client, mal_ids=mal_ids)
    label = f"mal-{mal_ids[0]}-{len(mal_ids)}ids" if mal_ids else "mal"
    answers = [(f"{label}-p{i}", p) for i, p in enumerate(pages, start=1)]
    return _saved(anilist.SOURCE, root, answers, when, anilist.parse_media)


def fetch_offline_db(root: Path, *, client: httpx.Client | None = None) -> FetchReport:
    """Download the latest anime-offline-database release into ``root/raw/anime-offline-database/``."""
    client = client or make_client(timeout=120.0)
    dest = root / "raw" / "anime-offline-database" / offline_db.MINIFIED_ASSET
    dest.parent.mkdir(parents=True, exist_ok=True)
    path = offline_db.fetch_latest_release(client, dest)
    batch = offline_db.parse_dump(path.read_bytes(), str(path))
    return FetchReport(offline_db.SOURCE, [path], len(batch), len(batch.rejects))
