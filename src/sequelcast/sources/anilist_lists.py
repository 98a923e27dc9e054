"""``raw/anilist_mal_lists_2026/anime-full_<date>.json``: the AniList<->MAL anime crosswalk.

Each row ``{idAL, idAniDB, idMal, titles{romaji, english, native}, type}`` becomes a
:class:`~sequelcast.domain.CrosswalkEntry` (titles in three scripts, AniList's format), plus
:class:`~sequelcast.domain.IdLink` records MAL -> AniList and MAL -> AniDB when it has a MAL id.
Everything is stamped with the file's date; :mod:`sequelcast.asof` moves the links and the entry to
the date their ends were known. A row without a positive ``idAL``, with a non-integer id or with
no title at all is rejected. (The ``manga_*.json`` file of the same directory is another adapter.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sequelcast.domain import Batch, CrosswalkEntry, IdLink
from sequelcast.errors import SourceFileError
from sequelcast.sources.base import date_in_name, decode_json, parse_int, reject

SOURCE = "anilist_mal_lists_2026"
PATTERN = "raw/anilist_mal_lists_2026/anime-full_*.json"
#: AniList formats
FORMATS = frozenset({"TV", "TV_SHORT", "MOVIE", "SPECIAL", "OVA", "ONA", "MUSIC"})


def _text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"bad {what} {value!r}")
    return value.strip() or None


def _id(row: dict[str, Any], key: str) -> int | None:
    value = parse_int(row.get(key))
    if value is not None and value <= 0:
        raise ValueError(f"bad {key} {row.get(key)!r}")
    return value


def _row(row: Any, observed: date) -> CrosswalkEntry:
    if not isinstance(row, dict):
        raise ValueError("not an object")
    anilist_id = _id(row, "idAL")
    if anilist_id is None:
        raise ValueError("missing idAL")
    titles = row.get("titles") or {}
    if not isinstance(titles, dict):
        raise ValueError(f"bad titles {titles!r}")
    romaji, english, native = (
        _text(titles.get(k), f"{k} title") for k in ("romaji", "english", "native")
    )
    if not (romaji or english or native):
        raise ValueError("no title")
    kind = row.get("type")
    if kind is not None and kind not in FORMATS:
        raise ValueError(f"unknown type {kind!r}")
    return CrosswalkEntry(
        anilist_id,
        _id(row, "idMal"),
        _id(row, "idAniDB"),
        romaji,
        english,
        native,
        kind,
        observed,
        SOURCE,
    )


def parse(data: bytes, location: str) -> Batch:
    """Parse ``anime-full_<date>.json`` (a JSON list)."""
    observed = date_in_name(SOURCE, location)
    rows = decode_json(data, SOURCE, location)
    if not isinstance(rows, list):
        raise SourceFileError(SOURCE, location, "not a JSON list of anime")
    batch = Batch(source=SOURCE, location=location, observed_at=observed)
    for i, row in enumerate(rows):
        try:
            entry = _row(row, observed)
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE, f"{location}[{i}]", str(exc), row))
            continue
        batch.crosswalk.append(entry)
        if entry.mal_id is not None:
            batch.id_links.append(
                IdLink(entry.mal_id, "anilist", str(entry.anilist_id), observed, SOURCE)
            )
            if entry.anidb_id is not None:
                batch.id_links.append(
                    IdLink(entry.mal_id, "anidb", str(entry.anidb_id), observed, SOURCE)
                )
    return batch
