"""The manami-project anime-offline-database dump (released weekly on GitHub).

Two shapes of the same data are read:

- JSONL (``anime-offline-database.jsonl``): the first line is a metadata object
  (``$schema``, ``license``, ``repository``, ``scoreRange``, ``lastUpdate``), then one anime per
  line (:func:`parse_jsonl`);
- minified JSON (``anime-offline-database-minified.json``): one object
  ``{"$schema", "license", "repository", "scoreRange", "lastUpdate", "data": [anime, ...]}``
  (:func:`parse_json`).

Every record is stamped with the dump's ``lastUpdate``. An anime with one
``https://myanimelist.net/anime/<id>`` source gives facts in MyAnimeList's spellings (title,
synonyms, type, episodes, status, season, year, studios, producers: the dump writes studio and
producer names in lower case, and they are kept so), an :class:`~sequelcast.domain.IdLink` for
every other source (``anilist``, ``anidb``, ``kitsu``, ``anime-planet``, ``anisearch``,
``livechart``, ``notify.moe``, ``simkl``, ``animecountdown``) and an untyped ``related``
:class:`~sequelcast.domain.Relation` for each MyAnimeList entry of ``relatedAnime``.

An anime without a MyAnimeList source, a line that is not JSON, or a record of the wrong shape is
a :class:`~sequelcast.domain.Reject`; a file whose metadata or top level is broken, or that ends in
the middle of a record, raises :class:`~sequelcast.errors.SourceFileError`.
:func:`fetch_latest_release` downloads the newest release asset.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from sequelcast.domain import Batch, Fact, IdLink, Relation
from sequelcast.errors import FetchError, SourceFileError
from sequelcast.sources._mapping import (
    OFFLINE_DB_STATUSES,
    OFFLINE_DB_TYPES,
    as_int,
    as_text,
    as_texts,
    site_id,
)
from sequelcast.sources.base import decode_text, reject

SOURCE = "offline_db"
REPOSITORY = "https://github.com/manami-project/anime-offline-database"
#: The release assets: minified JSON (the default) and JSON lines.
MINIFIED_ASSET = "anime-offline-database-minified.json"
JSONL_ASSET = "anime-offline-database.jsonl"
RELEASE_URL = REPOSITORY + "/releases/latest/download/{asset}"


def fetch_latest_release(
    client: httpx.Client,
    dest: str | Path,
    *,
    asset: str = MINIFIED_ASSET,
    url: str | None = None,
    chunk_size: int = 1 << 16,
) -> Path:
    """Download the latest release asset to ``dest``, streaming, and return its path.

    The file is written next to ``dest`` as ``<name>.part`` and renamed only once complete, so
    an interrupted download never leaves a truncated dump behind.

    Parameters
    ----------
    client : httpx.Client
        A client from :func:`~sequelcast.sources.http.make_client`.
    dest : str or Path
        The file to write, or a directory to write ``asset`` into.
    asset : str
        :data:`MINIFIED_ASSET` or :data:`JSONL_ASSET`.
    url : str, optional
        Download from here instead of the latest GitHub release (redirects are followed).
    chunk_size : int
        Bytes per write.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    FetchError
        A bad status, a network failure, or a body shorter than its ``Content-Length``.
    """
    source_url = url or RELEASE_URL.format(asset=asset)
    target = Path(dest)
    if target.is_dir():
        target = target / asset
    part = target.with_name(target.name + ".part")
    try:
        with client.stream(
            "GET", source_url, follow_redirects=True, headers={"Accept": "application/octet-stream"}
        ) as response:
            written = _write_body(response, part, chunk_size)
            expected = response.headers.get("Content-Length")
            if (
                expected is not None
                and "Content-Encoding" not in response.headers
                and expected.isdigit()
            ):
                if written != int(expected):
                    raise FetchError(
                        f"{response.url}: download ended early ({written} of {expected} bytes)"
                    )
        part.replace(target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return target


def _write_body(response: httpx.Response, part: Path, chunk_size: int) -> int:
    written = 0
    try:
        with part.open("wb") as out:
            for chunk in response.iter_bytes(chunk_size):
                out.write(chunk)
                written += len(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(
            f"{response.url}: download failed after {response.num_bytes_downloaded} bytes: {exc!r}"
        ) from exc
    return written


def parse_dump(data: str | bytes, location: str) -> Batch:
    """Parse a dump, choosing :func:`parse_jsonl` for a ``.jsonl`` location, else :func:`parse_json`.

    Parameters
    ----------
    data : str or bytes
        The whole file.
    location : str
        Its path or URL (named in every reject and error).

    Returns
    -------
    Batch
    """
    if location.lower().endswith(".jsonl"):
        return parse_jsonl(data, location)
    return parse_json(data, location)


def parse_jsonl(text: str | bytes, location: str) -> Batch:
    """Parse the JSON-lines dump: a metadata line, then one anime per line.

    Parameters
    ----------
    text : str or bytes
        The whole file (bytes are read as UTF-8).
    location : str
        Its path or URL.

    Returns
    -------
    Batch
        ``observed_at`` is the metadata's ``lastUpdate``. A line that is not JSON becomes a reject
        ``"line N: <json error>"`` located ``line N``.

    Raises
    ------
    SourceFileError
        The first line is not a metadata object with a ``lastUpdate`` date, no anime follows it,
        or the last line breaks off (a truncated download).

    Examples
    --------
    >>> dump = '{"lastUpdate": "2026-01-31"}\\n' + json.dumps({
    ...     "sources": ["https://myanimelist.net/anime/40938", "https://anidb.net/anime/15332"],
    ...     "title": "Hige wo Soru.", "type": "TV", "episodes": 13, "status": "FINISHED",
    ...     "animeSeason": {"season": "SPRING", "year": 2021}}) + "\\n"
    >>> batch = parse_jsonl(dump, "sample.jsonl")
    >>> sorted((f.field, f.value) for f in batch.facts if f.field in ("status", "season"))
    [('season', 'spring'), ('status', 'Finished Airing')]
    >>> [(link.site, link.external_id) for link in batch.id_links]
    [('anidb', '15332')]
    """
    if isinstance(text, bytes):
        text = decode_text(text, SOURCE, location)
    lines = text.split("\n")
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise SourceFileError(SOURCE, location, "the file is empty")
    first_n, first = numbered[0]
    try:
        meta = json.loads(first)
    except json.JSONDecodeError as exc:
        raise SourceFileError(
            SOURCE, location, f"line {first_n}: the metadata line is not valid JSON: {exc}"
        ) from exc
    if isinstance(meta, dict) and "sources" in meta:
        raise SourceFileError(
            SOURCE, location, f"line {first_n}: expected the metadata object, found an anime entry"
        )
    batch = Batch(source=SOURCE, location=location, observed_at=_last_update(meta, location))
    if len(numbered) == 1:
        raise SourceFileError(SOURCE, location, "no anime entries after the metadata line")
    ends_cleanly = text.rstrip(" \t\r").endswith("\n")
    last_n = numbered[-1][0]
    for n, line in numbered[1:]:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            if n == last_n and not ends_cleanly:
                raise SourceFileError(
                    SOURCE, location, f"line {n} breaks off ({exc.msg}): the file is truncated"
                ) from exc
            batch.rejects.append(reject(SOURCE, f"line {n}", f"line {n}: {exc}", line))
            continue
        _add_entry(batch, entry, f"line {n}")
    return batch


def parse_json(text: str | bytes, location: str) -> Batch:
    """Parse the (minified) JSON dump: ``{"lastUpdate": ..., "data": [anime, ...]}``.

    Parameters
    ----------
    text : str or bytes
        The whole file (bytes are read as UTF-8).
    location : str
        Its path or URL.

    Returns
    -------
    Batch
        ``observed_at`` is ``lastUpdate``; a bad entry becomes a reject located ``data[i]``.

    Raises
    ------
    SourceFileError
        The file is not JSON (a truncated download is named as such), or its top level is not an
        object with a ``lastUpdate`` date and a ``data`` list.
    """
    if isinstance(text, bytes):
        text = decode_text(text, SOURCE, location)
    try:
        top = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = (
            " (the file ends early: a truncated download?)" if exc.pos >= len(text.rstrip()) else ""
        )
        raise SourceFileError(
            SOURCE,
            location,
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}",
        ) from exc
    if not isinstance(top, dict):
        raise SourceFileError(SOURCE, location, f"expected a JSON object, got {type(top).__name__}")
    observed = _last_update(top, location)
    data = top.get("data")
    if not isinstance(data, list):
        raise SourceFileError(SOURCE, location, 'expected a "data" list of anime')
    batch = Batch(source=SOURCE, location=location, observed_at=observed)
    for i, entry in enumerate(data):
        _add_entry(batch, entry, f"data[{i}]")
    return batch


def _last_update(meta: Any, location: str) -> date:
    value = meta.get("lastUpdate") if isinstance(meta, dict) else None
    if not isinstance(value, str):
        raise SourceFileError(SOURCE, location, 'the metadata has no "lastUpdate" date')
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SourceFileError(SOURCE, location, f'"lastUpdate" is not a date: {value!r}') from None


def _add_entry(batch: Batch, entry: Any, where: str) -> None:
    """Add the records of one anime to ``batch``, or a reject naming ``where``."""
    seen = batch.observed_at
    assert seen is not None
    if not isinstance(entry, dict):
        batch.rejects.append(reject(SOURCE, where, "not a JSON object", entry))
        return
    try:
        mal_id, others = _mal_id(entry)
        facts = _facts(entry, mal_id, seen)
        relations = _relations(entry, mal_id, seen)
    except ValueError as exc:
        batch.rejects.append(reject(SOURCE, where, str(exc), entry))
        return
    batch.facts.extend(facts)
    batch.relations.extend(relations)
    unknown = []
    for url in others:
        found = site_id(url)
        if found is None:
            unknown.append(url)
        else:
            batch.id_links.append(IdLink(mal_id, found[0], found[1], seen, SOURCE))
    if unknown:
        reason = f"mal_id {mal_id}: unrecognised source URL(s): {', '.join(unknown)}"
        batch.rejects.append(reject(SOURCE, where, reason, entry))


def _mal_id(entry: dict[str, Any]) -> tuple[int, list[str]]:
    """The entry's one MyAnimeList id and its other source URLs; ``ValueError`` otherwise."""
    sources = as_texts(entry.get("sources"), "sources")
    mal: list[str] = []
    others: list[str] = []
    for url in sources:
        found = site_id(url)
        (mal if found is not None and found[0] == "mal" else others).append(url)
    if not mal:
        raise ValueError("no MyAnimeList source")
    if len(mal) > 1:
        raise ValueError(f"several MyAnimeList sources: {', '.join(mal)}")
    mal_text = site_id(mal[0])[1]  # type: ignore[index]
    if not mal_text.isdigit() or int(mal_text) <= 0:
        raise ValueError(f"bad MyAnimeList source {mal[0]!r}")
    return int(mal_text), others


def _facts(entry: dict[str, Any], mal_id: int, seen: date) -> list[Fact]:
    title = as_text(entry.get("title"), "title")
    if title is None:
        raise ValueError("no title")
    kind = as_text(entry.get("type"), "type")
    status = as_text(entry.get("status"), "status")
    episodes = as_int(entry.get("episodes"), "episodes")
    anime_season = entry.get("animeSeason") or {}
    if not isinstance(anime_season, dict):
        raise ValueError(f"animeSeason: expected an object, got {anime_season!r}")
    season = as_text(anime_season.get("season"), "animeSeason.season")
    values: dict[str, Any] = {
        "title": title,
        "synonyms": list(dict.fromkeys(as_texts(entry.get("synonyms"), "synonyms"))),
        "type": _mapped(kind, OFFLINE_DB_TYPES, "type"),
        "episodes": episodes or None,  # 0 means "not known yet"
        "status": _mapped(status, OFFLINE_DB_STATUSES, "status"),
        "season": season.lower() if season and season != "UNDEFINED" else None,
        "year": as_int(anime_season.get("year"), "animeSeason.year"),
        "studios": as_texts(entry.get("studios"), "studios"),
        "producers": as_texts(entry.get("producers"), "producers"),
    }
    return [
        Fact(mal_id, field, value, seen, SOURCE)
        for field, value in values.items()
        if value is not None and value != []
    ]


def _mapped(value: str | None, table: dict[str, str], name: str) -> str | None:
    """The MAL spelling of an enum value; ``None`` for ``UNKNOWN``; ``ValueError`` for a new one."""
    if value is None or value == "UNKNOWN":
        return None
    if value not in table:
        raise ValueError(f"{name}: unknown value {value!r}")
    return table[value]


def _relations(entry: dict[str, Any], mal_id: int, seen: date) -> list[Relation]:
    out = []
    for url in as_texts(entry.get("relatedAnime"), "relatedAnime"):
        found = site_id(url)
        if found is None or found[0] != "mal" or not found[1].isdigit():
            continue  # the same related anime on another site: its MAL link is listed too
        out.append(
            Relation(
                from_mal_id=mal_id,
                to_mal_id=int(found[1]),
                kind="related",
                evidence=f"anime-offline-database: MAL {mal_id} relatedAnime {url}",
                observed_at=seen,
                source=SOURCE,
            )
        )
    return out
