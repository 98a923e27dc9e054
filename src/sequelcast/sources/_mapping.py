"""Spellings shared by the network sources: MyAnimeList's words for types, statuses, sources...

AniList and the anime-offline-database write enums in upper case (``LIGHT_NOVEL``, ``MOVIE``,
``FINISHED``); the catalog stores MyAnimeList's spellings (``Light novel``, ``Movie``,
``Finished Airing``), so every source maps to them here. Anime page URLs of the sites the
offline database cross-references are turned into ``(site, id)`` pairs by :func:`site_id`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, TypeGuard
from urllib.parse import parse_qs, urlsplit

#: AniList ``MediaFormat`` -> MyAnimeList type (TV shorts are "TV" on MAL).
ANILIST_FORMATS: dict[str, str] = {
    "TV": "TV",
    "TV_SHORT": "TV",
    "MOVIE": "Movie",
    "SPECIAL": "Special",
    "OVA": "OVA",
    "ONA": "ONA",
    "MUSIC": "Music",
}

#: anime-offline-database ``type`` -> MyAnimeList type (``UNKNOWN`` is no fact).
OFFLINE_DB_TYPES: dict[str, str] = {
    "TV": "TV",
    "MOVIE": "Movie",
    "OVA": "OVA",
    "ONA": "ONA",
    "SPECIAL": "Special",
}

#: AniList ``MediaStatus`` -> MyAnimeList status. ``CANCELLED`` and ``HIATUS`` have no MAL
#: spelling and give no fact.
ANILIST_STATUSES: dict[str, str] = {
    "FINISHED": "Finished Airing",
    "RELEASING": "Currently Airing",
    "NOT_YET_RELEASED": "Not yet aired",
}

#: anime-offline-database ``status`` -> MyAnimeList status (``UNKNOWN`` is no fact).
OFFLINE_DB_STATUSES: dict[str, str] = {
    "FINISHED": "Finished Airing",
    "ONGOING": "Currently Airing",
    "UPCOMING": "Not yet aired",
}

#: AniList ``MediaSource`` -> MyAnimeList source (the ``source_type`` fact).
ANILIST_SOURCES: dict[str, str] = {
    "ORIGINAL": "Original",
    "MANGA": "Manga",
    "LIGHT_NOVEL": "Light novel",
    "VISUAL_NOVEL": "Visual novel",
    "VIDEO_GAME": "Game",
    "GAME": "Game",
    "OTHER": "Other",
    "NOVEL": "Novel",
    "DOUJINSHI": "Manga",
    "ANIME": "Other",
    "WEB_NOVEL": "Web novel",
    "LIVE_ACTION": "Other",
    "COMIC": "Manga",
    "MULTIMEDIA_PROJECT": "Mixed media",
    "PICTURE_BOOK": "Picture book",
    "BOOK": "Book",
    "MUSIC": "Music",
}

#: Season words, as Jikan (and so the catalog) spells them.
SEASONS = ("winter", "spring", "summer", "fall")

# host (without "www.") -> site name; the id is the path segment after "/anime/".
_ANIME_PATH_SITES: dict[str, str] = {
    "myanimelist.net": "mal",
    "anilist.co": "anilist",
    "anidb.net": "anidb",
    "kitsu.app": "kitsu",
    "kitsu.io": "kitsu",
    "anime-planet.com": "anime-planet",
    "anisearch.com": "anisearch",
    "livechart.me": "livechart",
    "notify.moe": "notify.moe",
    "simkl.com": "simkl",
}
# hosts whose id is the first path segment (https://animecountdown.com/1234).
_FIRST_SEGMENT_SITES: dict[str, str] = {
    "animecountdown.com": "animecountdown",
}
_ANIDB_LEGACY = re.compile(r"^/perl-bin/animedb\.pl$")


def site_id(url: str) -> tuple[str, str] | None:
    """The ``(site, id)`` an anime page URL names, or ``None`` for a URL of no known shape.

    Parameters
    ----------
    url : str
        An anime page, e.g. ``https://anilist.co/anime/114232``.

    Returns
    -------
    tuple of (str, str) or None
        The site name (``"mal"``, ``"anilist"``, ``"anidb"``, ``"kitsu"``, ``"anime-planet"``,
        ``"anisearch"``, ``"livechart"``, ``"notify.moe"``, ``"simkl"``, ``"animecountdown"``)
        and the id on that site, as text.

    Examples
    --------
    >>> site_id("https://myanimelist.net/anime/40938")
    ('mal', '40938')
    >>> site_id("https://kitsu.io/anime/42923")
    ('kitsu', '42923')
    >>> site_id("https://anidb.net/perl-bin/animedb.pl?show=anime&aid=15332")
    ('anidb', '15332')
    >>> site_id("https://example.com/anime/1") is None
    True
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host in _ANIME_PATH_SITES and len(segments) >= 2 and segments[0] == "anime":
        return _ANIME_PATH_SITES[host], segments[1]
    if host in ("anidb.net", "anidb.info") and _ANIDB_LEGACY.match(parts.path):
        aid = parse_qs(parts.query).get("aid", [""])[0]
        return ("anidb", aid) if aid.isdigit() else None
    if host in _FIRST_SEGMENT_SITES and len(segments) == 1:
        return _FIRST_SEGMENT_SITES[host], segments[0]
    return None


def relation_kind(label: str) -> str:
    """A relation label in the catalog's spelling: lower case words joined by ``_``.

    Examples
    --------
    >>> relation_kind("SEQUEL")
    'sequel'
    >>> relation_kind("Side Story")
    'side_story'
    >>> relation_kind("Spin-Off")
    'spin_off'
    """
    return "_".join(re.findall(r"[a-z0-9]+", label.lower()))


def is_int(value: Any) -> TypeGuard[int]:
    """True for an ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def as_int(value: Any, name: str) -> int | None:
    """An int (a float with no fraction is accepted), ``None`` for ``None``; else ``ValueError``."""
    if value is None:
        return None
    if is_int(value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"{name}: expected an integer, got {value!r}")


def as_float(value: Any, name: str) -> float | None:
    """A float from an int or a float, ``None`` for ``None``; else ``ValueError``."""
    if value is None:
        return None
    if is_int(value) or isinstance(value, float):
        f = float(value)
        if f != f:
            raise ValueError(f"{name}: expected a number, got NaN")
        return f
    raise ValueError(f"{name}: expected a number, got {value!r}")


def as_text(value: Any, name: str) -> str | None:
    """Stripped text, ``None`` for ``None`` or blank text; else ``ValueError``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected text, got {value!r}")
    return value.strip() or None


def as_texts(value: Any, name: str) -> list[str]:
    """A list of stripped, non-blank texts (``None`` is an empty list); else ``ValueError``."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name}: expected a list of texts, got {value!r}")
    return [v.strip() for v in value if v.strip()]


def as_date(value: Any, name: str) -> date | None:
    """A date from ``YYYY-MM-DD`` or an ISO timestamp (its date part); ``None`` for ``None``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a date, got {value!r}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"{name}: not a date: {value!r}") from None
