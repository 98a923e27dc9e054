"""AniList (GraphQL at https://graphql.anilist.co): titles, dates, studios and typed relations.

:func:`fetch_media` asks for anime by AniList or MyAnimeList id, one ``Page`` at a time, following
``pageInfo.hasNextPage``; :func:`parse_media` turns one page into a :class:`~sequelcast.domain.Batch`:

- facts keyed by ``idMal``, in MyAnimeList's spellings (``LIGHT_NOVEL`` -> ``Light novel``,
  ``MOVIE`` -> ``Movie``, ``RELEASING`` -> ``Currently Airing``, ``SPRING`` -> ``spring``);
- an :class:`~sequelcast.domain.IdLink` ``anilist`` for each entry;
- a :class:`~sequelcast.domain.Relation` for each anime-to-anime edge, its kind the lower-cased
  ``relationType`` (``sequel``, ``prequel``, ``side_story``...), with both AniList ids kept.

AniList's own popularity counts (``averageScore``, ``popularity``, ``favourites``) are fetched but
give no facts: they count AniList users, and the catalog's ``score``/``members``/``favorites`` are
MyAnimeList's. They stay in the raw payload. Every record is stamped with ``fetched_at``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from sequelcast.domain import Batch, Fact, IdLink, Relation
from sequelcast.errors import FetchError
from sequelcast.sources._mapping import (
    ANILIST_FORMATS,
    ANILIST_SOURCES,
    ANILIST_STATUSES,
    as_int,
    as_text,
    as_texts,
    is_int,
    relation_kind,
)
from sequelcast.sources.base import reject
from sequelcast.sources.http import decode_json_response, make_client

SOURCE = "anilist"
URL = "https://graphql.anilist.co"
#: AniList documents 90 requests a minute but has long served 30 ("degraded state").
RATE_LIMIT_PER_MINUTE = 30
# enum values with no MyAnimeList word: no fact
_NO_MAL_SPELLING = frozenset({"CANCELLED", "HIATUS"})
#: Largest ``perPage`` AniList accepts.
MAX_PER_PAGE = 50

_MEDIA_FIELDS = """
      id
      idMal
      title { romaji english native }
      synonyms
      format
      episodes
      status(version: 2)
      startDate { year month day }
      endDate { year month day }
      season
      seasonYear
      source(version: 3)
      studios { nodes { name isAnimationStudio } }
      genres
      averageScore
      meanScore
      popularity
      favourites
      relations { edges { relationType(version: 2) node { id idMal format type } } }
"""

_QUERY = """
query ($page: Int, $perPage: Int, $ids: [Int]) {
  Page(page: $page, perPage: $perPage) {
    pageInfo { currentPage hasNextPage }
    media(%s: $ids, type: ANIME, sort: ID) {%s    }
  }
}
"""

#: The GraphQL query by MyAnimeList ids (``idMal_in``) and by AniList ids (``id_in``).
QUERY_BY_MAL_ID = _QUERY % ("idMal_in", _MEDIA_FIELDS)
QUERY_BY_ANILIST_ID = _QUERY % ("id_in", _MEDIA_FIELDS)


def make_anilist_client(**kwargs: Any) -> httpx.Client:
    """A :func:`~sequelcast.sources.http.make_client` client paced for AniList (30 a minute).

    Parameters
    ----------
    **kwargs
        Passed to :func:`~sequelcast.sources.http.make_client`; they win over the pacing here.
    """
    options: dict[str, Any] = {
        "rate_limit_per_second": RATE_LIMIT_PER_MINUTE / 60,
        "rate_limit_per_minute": RATE_LIMIT_PER_MINUTE,
    }
    options.update(kwargs)
    return make_client(**options)


def fetch_media(
    client: httpx.Client,
    *,
    anilist_ids: list[int] | None = None,
    mal_ids: list[int] | None = None,
    page: int | None = None,
    per_page: int = MAX_PER_PAGE,
    max_pages: int = 100,
    url: str = URL,
) -> list[dict[str, Any]]:
    """Ask AniList for anime by AniList ids or by MyAnimeList ids.

    Parameters
    ----------
    client : httpx.Client
        A client from :func:`make_anilist_client` or :func:`~sequelcast.sources.http.make_client`.
    anilist_ids, mal_ids : list of int
        Exactly one of the two.
    page : int, optional
        Fetch only this page; by default every page from 1, following ``pageInfo.hasNextPage``.
    per_page : int
        Entries per page (at most 50).
    max_pages : int
        Stop with a :class:`~sequelcast.errors.FetchError` rather than read more pages than this.
    url : str
        The GraphQL endpoint.

    Returns
    -------
    list of dict
        The raw answers, one per page, each ready for :func:`parse_media`.

    Raises
    ------
    FetchError
        A bad status, a GraphQL ``errors`` array, or an answer of the wrong shape; the message
        names the URL and the page.
    """
    if (anilist_ids is None) == (mal_ids is None):
        raise ValueError("give exactly one of anilist_ids or mal_ids")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be 1..{MAX_PER_PAGE}, got {per_page}")
    query = QUERY_BY_MAL_ID if mal_ids is not None else QUERY_BY_ANILIST_ID
    ids = [int(i) for i in (mal_ids if mal_ids is not None else anilist_ids) or []]
    if not ids:
        return []
    pages: list[dict[str, Any]] = []
    number = page or 1
    while True:
        variables = {"page": number, "perPage": per_page, "ids": ids}
        response = client.post(url, json={"query": query, "variables": variables})
        payload = decode_json_response(response)
        where = f"{url} page {number}"
        _page_of(payload, where)
        pages.append(payload)
        if page is not None or not _has_next_page(payload):
            return pages
        if len(pages) >= max_pages:
            raise FetchError(f"{url}: more than {max_pages} pages of results; ask for fewer ids")
        number += 1


def _has_next_page(payload: dict[str, Any]) -> bool:
    info = payload["data"]["Page"].get("pageInfo") or {}
    return info.get("hasNextPage") is True


def _page_of(payload: Any, where: str) -> dict[str, Any]:
    """The ``data.Page`` object of an answer; GraphQL errors and wrong shapes are FetchErrors."""
    if not isinstance(payload, dict):
        raise FetchError(f"{where}: expected a JSON object, got {type(payload).__name__}")
    errors = payload.get("errors")
    if errors:
        messages = [
            str(e.get("message", e)) if isinstance(e, dict) else str(e)
            for e in (errors if isinstance(errors, list) else [errors])
        ]
        raise FetchError(f"{where}: GraphQL error: {'; '.join(messages)}")
    data = payload.get("data")
    page = data.get("Page") if isinstance(data, dict) else None
    if not isinstance(page, dict) or not isinstance(page.get("media"), list):
        raise FetchError(f"{where}: expected data.Page.media to be a list")
    return page


def parse_media(payload: Any, fetched_at: date, *, location: str = URL) -> Batch:
    """Turn one AniList ``Page`` answer into facts, id links and relations.

    Parameters
    ----------
    payload : dict
        One answer of :func:`fetch_media` (``{"data": {"Page": {"media": [...]}}}``).
    fetched_at : date
        When it was fetched: every record is stamped with it.
    location : str
        Where it came from, for the batch and the rejects.

    Returns
    -------
    Batch
        An entry without ``idMal``, or with a field of the wrong type, becomes a reject
        (location ``anilist id N``).

    Raises
    ------
    FetchError
        A GraphQL ``errors`` array or an answer that is not a ``Page`` of media.

    Examples
    --------
    >>> page = {"data": {"Page": {"media": [{"id": 114232, "idMal": 40938,
    ...     "title": {"romaji": "Hige wo Soru."}, "format": "TV"}]}}}
    >>> batch = parse_media(page, date(2024, 5, 1))
    >>> sorted((f.field, f.value) for f in batch.facts)
    [('title', 'Hige wo Soru.'), ('type', 'TV')]
    >>> batch.id_links[0].external_id
    '114232'
    """
    page = _page_of(payload, location)
    batch = Batch(source=SOURCE, location=location, observed_at=fetched_at)
    for i, media in enumerate(page["media"]):
        anilist_id = media.get("id") if isinstance(media, dict) else None
        where = f"anilist id {anilist_id}" if is_int(anilist_id) else f"media[{i}]"
        if not isinstance(media, dict):
            batch.rejects.append(reject(SOURCE, where, "not a JSON object", media))
            continue
        try:
            facts, relations = _media_records(media, fetched_at)
        except (ValueError, TypeError) as exc:
            batch.rejects.append(reject(SOURCE, where, str(exc), media))
            continue
        mal_id = media["idMal"]
        batch.facts.extend(facts)
        batch.id_links.append(IdLink(mal_id, "anilist", str(anilist_id), fetched_at, SOURCE))
        batch.relations.extend(relations)
    return batch


def _fuzzy_date(value: Any, name: str) -> date | None:
    """A ``FuzzyDate`` with year, month and day as a date; ``None`` when any part is missing."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{name}: expected a date object, got {value!r}")
    parts = [as_int(value.get(k), f"{name}.{k}") for k in ("year", "month", "day")]
    if any(p is None for p in parts):
        return None
    year, month, day = parts
    try:
        return date(year, month, day)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{name}: not a date: {value!r}") from None


def _mapped(value: Any, table: dict[str, str], name: str) -> str | None:
    """The MAL spelling of an AniList enum value; ``None`` for none or one MAL has no word for.

    A value AniList's schema does not list raises ``ValueError`` (the entry is rejected), so a
    schema change shows up instead of quietly losing the field.
    """
    text = as_text(value, name)
    if text is None or text in _NO_MAL_SPELLING:
        return None
    if text not in table:
        raise ValueError(f"{name}: unknown value {text!r}")
    return table[text]


def _studios(value: Any) -> list[str]:
    if value is None:
        return []
    nodes = value.get("nodes") if isinstance(value, dict) else None
    if not isinstance(nodes, list):
        raise ValueError(f"studios: expected {{nodes: [...]}}, got {value!r}")
    names = []
    for node in nodes:
        if not isinstance(node, dict) or not isinstance(node.get("name"), str):
            raise ValueError(f"studios: bad studio {node!r}")
        if node.get("isAnimationStudio") is True and node["name"].strip():
            names.append(node["name"].strip())
    return list(dict.fromkeys(names))


def _media_records(media: dict[str, Any], seen: date) -> tuple[list[Fact], list[Relation]]:
    """Facts and relations of one media object; ``ValueError`` for a bad one."""
    anilist_id = media.get("id")
    if not is_int(anilist_id):
        raise ValueError(f"bad AniList id {anilist_id!r}")
    mal_id = media.get("idMal")
    if mal_id is None:
        raise ValueError("no MyAnimeList id")
    if not is_int(mal_id) or mal_id <= 0:
        raise ValueError(f"bad MyAnimeList id {mal_id!r}")
    title = media.get("title") or {}
    if not isinstance(title, dict):
        raise ValueError(f"title: expected an object, got {title!r}")
    season = as_text(media.get("season"), "season")
    values: dict[str, Any] = {
        "title": as_text(title.get("romaji"), "title.romaji"),
        "title_english": as_text(title.get("english"), "title.english"),
        "title_japanese": as_text(title.get("native"), "title.native"),
        "synonyms": as_texts(media.get("synonyms"), "synonyms"),
        "type": _mapped(media.get("format"), ANILIST_FORMATS, "format"),
        "episodes": as_int(media.get("episodes"), "episodes"),
        "status": _mapped(media.get("status"), ANILIST_STATUSES, "status"),
        "start_date": _fuzzy_date(media.get("startDate"), "startDate"),
        "end_date": _fuzzy_date(media.get("endDate"), "endDate"),
        "season": season.lower() if season else None,
        "year": as_int(media.get("seasonYear"), "seasonYear"),
        "source_type": _mapped(media.get("source"), ANILIST_SOURCES, "source"),
        "studios": _studios(media.get("studios")),
        "genres": as_texts(media.get("genres"), "genres"),
    }
    facts = [
        Fact(mal_id, field, value, seen, SOURCE)
        for field, value in values.items()
        if value is not None and value != []
    ]
    return facts, _relations(media, mal_id, anilist_id, seen)


def _relations(media: dict[str, Any], mal_id: int, anilist_id: int, seen: date) -> list[Relation]:
    relations = media.get("relations")
    if relations is None:
        return []
    edges = relations.get("edges") if isinstance(relations, dict) else None
    if not isinstance(edges, list):
        raise ValueError(f"relations: expected {{edges: [...]}}, got {relations!r}")
    out = []
    for edge in edges:
        node = edge.get("node") if isinstance(edge, dict) else None
        kind = edge.get("relationType") if isinstance(edge, dict) else None
        if not isinstance(node, dict) or not isinstance(kind, str) or not is_int(node.get("id")):
            raise ValueError(f"relations: bad edge {edge!r}")
        if node.get("type") != "ANIME":
            continue  # an adaptation's manga: its idMal is a MAL *manga* id
        to_mal = node.get("idMal")
        if to_mal is not None and not is_int(to_mal):
            raise ValueError(f"relations: bad idMal {to_mal!r}")
        out.append(
            Relation(
                from_mal_id=mal_id,
                to_mal_id=to_mal,
                kind=relation_kind(kind),
                evidence=f"AniList {anilist_id} {kind} {node['id']}",
                observed_at=seen,
                source=SOURCE,
                from_anilist_id=anilist_id,
                to_anilist_id=node["id"],
            )
        )
    return out
