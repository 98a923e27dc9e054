"""Jikan v4 (https://api.jikan.moe/v4), the unofficial MyAnimeList REST API.

:func:`fetch_season` reads ``/seasons/{year}/{season}`` page by page (following
``pagination.has_next_page``); :func:`fetch_anime` reads ``/anime/{id}/full``, which adds the
typed ``relations`` and the ``external`` links. :func:`parse_anime_list` and
:func:`parse_anime_full` turn those answers into a :class:`~sequelcast.domain.Batch`: every
field of :data:`~sequelcast.domain.FACT_FIELDS` Jikan gives (MyAnimeList's own spellings, so no
mapping is needed), relations to other *anime* (``sequel``, ``prequel``, ``side_story``...), and
id links read from the external AniDB/AniList/... pages. Every record is stamped ``fetched_at``.

Jikan allows 3 requests a second and 60 a minute: :func:`make_jikan_client` paces for both.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from sequelcast.domain import Batch, Fact, IdLink, Relation
from sequelcast.errors import FetchError
from sequelcast.sources._mapping import (
    SEASONS,
    as_date,
    as_float,
    as_int,
    as_text,
    as_texts,
    is_int,
    relation_kind,
    site_id,
)
from sequelcast.sources.base import reject
from sequelcast.sources.http import get_json, make_client

SOURCE = "jikan"
BASE_URL = "https://api.jikan.moe/v4"
RATE_LIMIT_PER_SECOND = 3.0
RATE_LIMIT_PER_MINUTE = 60

_TEXTS = {
    "title": "title",
    "title_english": "title_english",
    "title_japanese": "title_japanese",
    "type": "type",
    "status": "status",
    "source": "source_type",
    "rating": "rating",
    "duration": "duration",
}
_NAMED_LISTS = ("studios", "producers", "licensors", "genres", "themes", "demographics")
_INTS = ("episodes", "year", "scored_by", "rank", "popularity", "members", "favorites")
# titles[].type -> field, for answers that only carry the newer ``titles`` array
_TITLE_TYPES = {"Default": "title", "English": "title_english", "Japanese": "title_japanese"}


def make_jikan_client(**kwargs: Any) -> httpx.Client:
    """A :func:`~sequelcast.sources.http.make_client` client paced for Jikan (3/s and 60/min).

    Parameters
    ----------
    **kwargs
        Passed to :func:`~sequelcast.sources.http.make_client`; they win over the pacing here.
    """
    options: dict[str, Any] = {
        "rate_limit_per_second": RATE_LIMIT_PER_SECOND,
        "rate_limit_per_minute": RATE_LIMIT_PER_MINUTE,
    }
    options.update(kwargs)
    return make_client(**options)


def fetch_season(
    client: httpx.Client,
    year: int,
    season: str,
    *,
    page: int | None = None,
    max_pages: int = 50,
    base_url: str = BASE_URL,
) -> list[dict[str, Any]]:
    """Fetch the anime of one season, every page unless ``page`` is given.

    Parameters
    ----------
    client : httpx.Client
        A client from :func:`make_jikan_client`.
    year : int
        e.g. 2021.
    season : str
        ``winter``, ``spring``, ``summer`` or ``fall``.
    page : int, optional
        Fetch only this page; by default every page from 1, following
        ``pagination.has_next_page``.
    max_pages : int
        Stop with a :class:`~sequelcast.errors.FetchError` rather than read more pages than this.
    base_url : str
        The API root.

    Returns
    -------
    list of dict
        The raw answers, one per page, each ready for :func:`parse_anime_list`.
    """
    season = season.lower()
    if season not in SEASONS:
        raise ValueError(f"season must be one of {', '.join(SEASONS)}, got {season!r}")
    return fetch_pages(
        client, f"{base_url}/seasons/{int(year)}/{season}", page=page, max_pages=max_pages
    )


def fetch_upcoming(
    client: httpx.Client, *, max_pages: int = 50, base_url: str = BASE_URL
) -> list[dict[str, Any]]:
    """Fetch ``/seasons/upcoming``: the announced anime that have not started, every page."""
    return fetch_pages(client, f"{base_url}/seasons/upcoming", max_pages=max_pages)


def fetch_pages(
    client: httpx.Client, url: str, *, page: int | None = None, max_pages: int = 50
) -> list[dict[str, Any]]:
    """Every page of a Jikan list endpoint (only ``page`` when given), following ``has_next_page``."""
    pages: list[dict[str, Any]] = []
    number = page or 1
    while True:
        payload = get_json(client, url, params={"page": number})
        _data_list(payload, f"{url}?page={number}")
        pages.append(payload)
        pagination = payload.get("pagination") or {}
        if page is not None or pagination.get("has_next_page") is not True:
            return pages
        if len(pages) >= max_pages:
            raise FetchError(f"{url}: more than {max_pages} pages")
        number += 1


def fetch_anime(client: httpx.Client, mal_id: int, *, base_url: str = BASE_URL) -> dict[str, Any]:
    """Fetch ``/anime/{mal_id}/full``: one entry with its relations and external links.

    Parameters
    ----------
    client : httpx.Client
        A client from :func:`make_jikan_client`.
    mal_id : int
        The MyAnimeList id.
    base_url : str
        The API root.

    Returns
    -------
    dict
        The raw answer, ready for :func:`parse_anime_full`.

    Raises
    ------
    FetchError
        A :class:`~sequelcast.sources.http.FetchStatusError` with ``status_code`` 404 when MAL has
        no such entry; a ``FetchError`` for an answer of the wrong shape.
    """
    url = f"{base_url}/anime/{int(mal_id)}/full"
    payload = get_json(client, url)
    _data_object(payload, url)
    return payload  # type: ignore[no-any-return]


def _data_list(payload: Any, where: str) -> list[Any]:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        raise FetchError(f'{where}: expected {{"data": [...]}}, got {_shape(payload)}')
    return data


def _data_object(payload: Any, where: str) -> dict[str, Any]:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise FetchError(f'{where}: expected {{"data": {{...}}}}, got {_shape(payload)}')
    return data


def _shape(payload: Any) -> str:
    if isinstance(payload, dict):
        return "an object with keys " + ", ".join(sorted(map(str, payload))[:8])
    return type(payload).__name__


def parse_anime_list(payload: Any, fetched_at: date, *, location: str = BASE_URL) -> Batch:
    """Parse one page of a list answer (``/seasons``, ``/anime?...``, ``/top/anime``...).

    Parameters
    ----------
    payload : dict
        ``{"pagination": {...}, "data": [anime, ...]}``.
    fetched_at : date
        When it was fetched: every record is stamped with it.
    location : str
        The URL it came from, for the batch and its rejects.

    Returns
    -------
    Batch
        A bad anime object becomes a reject located ``mal_id N`` (or ``data[i]``).

    Raises
    ------
    FetchError
        The answer has no ``data`` list.

    Examples
    --------
    >>> page = {"data": [{"mal_id": 40938, "title": "Hige wo Soru.", "episodes": 13}]}
    >>> sorted((f.field, f.value) for f in parse_anime_list(page, date(2024, 5, 1)).facts)
    [('episodes', 13), ('title', 'Hige wo Soru.')]
    """
    batch = Batch(source=SOURCE, location=location, observed_at=fetched_at)
    for i, anime in enumerate(_data_list(payload, location)):
        _add_anime(batch, anime, f"data[{i}]", fetched_at)
    return batch


def parse_anime_full(payload: Any, fetched_at: date, *, location: str = BASE_URL) -> Batch:
    """Parse a ``/anime/{id}/full`` answer (``{"data": anime}``), relations included.

    Parameters
    ----------
    payload : dict
        The answer of :func:`fetch_anime`.
    fetched_at : date
        When it was fetched: every record is stamped with it.
    location : str
        The URL it came from.

    Returns
    -------
    Batch
        Facts, relations to other anime, id links from ``external``; or one reject.

    Raises
    ------
    FetchError
        The answer has no ``data`` object.
    """
    batch = Batch(source=SOURCE, location=location, observed_at=fetched_at)
    _add_anime(batch, _data_object(payload, location), "data", fetched_at)
    return batch


def _add_anime(batch: Batch, anime: Any, where: str, seen: date) -> None:
    if not isinstance(anime, dict):
        batch.rejects.append(reject(SOURCE, where, "not a JSON object", anime))
        return
    if is_int(anime.get("mal_id")):
        where = f"mal_id {anime['mal_id']}"
    try:
        mal_id, values = _anime_values(anime)
        relations = _relations(anime, mal_id, seen)
        links = _external_links(anime, mal_id, seen)
    except (ValueError, TypeError) as exc:
        batch.rejects.append(reject(SOURCE, where, str(exc), anime))
        return
    batch.facts.extend(
        Fact(mal_id, field, value, seen, SOURCE)
        for field, value in values.items()
        if value is not None and value != []
    )
    batch.relations.extend(relations)
    batch.id_links.extend(links)


def _names(value: Any, name: str) -> list[str]:
    """The ``name`` of each ``{mal_id, type, name, url}`` object (plain strings also accepted)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{name}: expected a list, got {value!r}")
    out = []
    for item in value:
        text = item.get("name") if isinstance(item, dict) else item
        if not isinstance(text, str):
            raise ValueError(f"{name}: bad item {item!r}")
        if text.strip():
            out.append(text.strip())
    return out


def _aired(value: Any, end: str) -> date | None:
    """``aired.from``/``aired.to`` as a date, only when ``aired.prop`` gives day, month and year."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"aired: expected an object, got {value!r}")
    when = as_date(value.get(end), f"aired.{end}")
    prop = value.get("prop")
    parts = prop.get(end) if isinstance(prop, dict) else None
    if isinstance(parts, dict) and any(parts.get(k) is None for k in ("day", "month", "year")):
        return None  # a partial date ("2024", "Apr 2024") is not a start date
    return when


def _titles(anime: dict[str, Any], values: dict[str, Any]) -> None:
    """Fill title fields missing at the top level from ``titles[]``; merge its synonyms."""
    titles = anime.get("titles")
    if titles is None:
        return
    if not isinstance(titles, list):
        raise ValueError(f"titles: expected a list, got {titles!r}")
    for item in titles:
        if not isinstance(item, dict):
            raise ValueError(f"titles: bad item {item!r}")
        kind = item.get("type")
        text = as_text(item.get("title"), "titles[].title")
        if text is None:
            continue
        if kind == "Synonym" and text not in values["synonyms"]:
            values["synonyms"].append(text)
        elif kind in _TITLE_TYPES and values.get(_TITLE_TYPES[kind]) is None:
            values[_TITLE_TYPES[kind]] = text


def _anime_values(anime: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The MAL id and the fact values of one Jikan anime object; ``ValueError`` for a bad one."""
    mal_id = anime.get("mal_id")
    if not is_int(mal_id) or mal_id <= 0:
        raise ValueError(f"bad mal_id {mal_id!r}")
    values: dict[str, Any] = {field: as_text(anime.get(key), key) for key, field in _TEXTS.items()}
    values["synonyms"] = list(
        dict.fromkeys(as_texts(anime.get("title_synonyms"), "title_synonyms"))
    )
    _titles(anime, values)
    if values["title"] is None:
        raise ValueError("no title")
    season = as_text(anime.get("season"), "season")
    values["season"] = season.lower() if season else None
    values["start_date"] = _aired(anime.get("aired"), "from")
    values["end_date"] = _aired(anime.get("aired"), "to")
    for key in _NAMED_LISTS:
        values[key] = _names(anime.get(key), key)
    for key in _INTS:
        values[key] = as_int(anime.get(key), key)
    values["score"] = as_float(anime.get("score"), "score")
    return mal_id, values


def _relations(anime: dict[str, Any], mal_id: int, seen: date) -> list[Relation]:
    groups = anime.get("relations")
    if groups is None:
        return []
    if not isinstance(groups, list):
        raise ValueError(f"relations: expected a list, got {groups!r}")
    out = []
    for group in groups:
        label = group.get("relation") if isinstance(group, dict) else None
        entries = group.get("entry") if isinstance(group, dict) else None
        if not isinstance(label, str) or not isinstance(entries, list):
            raise ValueError(f"relations: bad group {group!r}")
        for entry in entries:
            if not isinstance(entry, dict) or not is_int(entry.get("mal_id")):
                raise ValueError(f"relations: bad entry {entry!r}")
            if entry.get("type") != "anime":
                continue  # a manga or novel: its mal_id is not an anime id
            out.append(
                Relation(
                    from_mal_id=mal_id,
                    to_mal_id=entry["mal_id"],
                    kind=relation_kind(label),
                    evidence=f"MAL {mal_id} {label} {entry['mal_id']}",
                    observed_at=seen,
                    source=SOURCE,
                )
            )
    return out


def _external_links(anime: dict[str, Any], mal_id: int, seen: date) -> list[IdLink]:
    """Id links from ``external`` pages of known anime sites (others are ordinary web pages)."""
    external = anime.get("external")
    if external is None:
        return []
    if not isinstance(external, list):
        raise ValueError(f"external: expected a list, got {external!r}")
    out = []
    for item in external:
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(url, str):
            raise ValueError(f"external: bad link {item!r}")
        found = site_id(url)
        if found is not None and found[0] != "mal":
            out.append(IdLink(mal_id, found[0], found[1], seen, SOURCE))
    return out
