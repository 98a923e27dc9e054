"""The public homes of the files ``sequelcast build`` reads, and a polite, resumable downloader.

:data:`UPSTREAMS` is the one table of where each file comes from; ``sequelcast sync`` downloads
each into the downloads directory under the name its adapter reads, with the fetch date in the
name (``anime-list-master_2026-11-30.xml``), so every record is stamped with the day it was
really fetched.

:func:`download` makes a conditional request (``If-None-Match`` / ``If-Modified-Since`` from the
``<file>.sync`` JSON written beside the last download): a ``304`` or an unchanged body writes
nothing. A body is streamed to ``<name>.part``; an interrupted download is resumed with a
``Range`` request (``If-Range`` on the ETag) the next time, and renamed into place only when
complete.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from sequelcast.errors import FetchError
from sequelcast.sources.http import FetchStatusError

#: The suffix of the JSON written beside each downloaded file (no adapter pattern matches it).
SIDECAR_SUFFIX = ".sync"


@dataclass(frozen=True)
class Upstream:
    """One file of a public repository, and where the downloads directory keeps it.

    ``dest`` is a path below the downloads directory with ``{date}`` where the fetch date goes;
    it matches the pattern of the adapter that reads the file.
    """

    name: str
    url: str
    dest: str
    home: str
    description: str

    def path(self, root: Path, when: date) -> Path:
        """Where the download of ``when`` is saved below ``root``."""
        return Path(root) / self.dest.format(date=when.isoformat())

    def versions(self, root: Path) -> list[Path]:
        """The downloads of this file below ``root``, oldest first (by the date in their name)."""
        pattern = self.dest.format(date="*")
        return sorted(p for p in Path(root).glob(pattern) if p.is_file())


_RAW = "https://raw.githubusercontent.com"

#: Every file sync downloads, from its public home (the ``HEAD`` of the default branch).
UPSTREAMS: tuple[Upstream, ...] = (
    Upstream(
        "anidb_tvdb",
        f"{_RAW}/Anime-Lists/anime-lists/HEAD/anime-list-master.xml",
        "raw/anidb_tvdb_anime_lists/anime-list-master_{date}.xml",
        "https://github.com/Anime-Lists/anime-lists",
        "AniDB-to-TheTVDB season list",
    ),
    Upstream(
        "fribb_ids",
        f"{_RAW}/Fribb/anime-lists/HEAD/anime-list-mini.json",
        "raw/id_maps_and_relations/fribb_anime-list-mini_{date}.json",
        "https://github.com/Fribb/anime-lists",
        "ID crosswalk MAL/AniList/AniDB/Kitsu/TVDB",
    ),
    Upstream(
        "fribb_collections",
        f"{_RAW}/Fribb/anime-lists/HEAD/collections/mal_collection.json",
        "raw/id_maps_and_relations/fribb_mal_collection_{date}.json",
        "https://github.com/Fribb/anime-lists",
        "franchise clusters of MAL ids",
    ),
    Upstream(
        "erengy_relations",
        f"{_RAW}/erengy/anime-relations/HEAD/anime-relations.txt",
        "raw/id_maps_and_relations/erengy_anime-relations_{date}.txt",
        "https://github.com/erengy/anime-relations",
        "explicit sequel rules",
    ),
    Upstream(
        "anilist_mal_lists_2026",
        f"{_RAW}/anime-and-manga/lists/HEAD/anime-full.json",
        "raw/anilist_mal_lists_2026/anime-full_{date}.json",
        "https://github.com/anime-and-manga/lists",
        "AniList-MAL-AniDB crosswalk of anime, with titles",
    ),
    Upstream(
        "anilist_manga_2026",
        f"{_RAW}/anime-and-manga/lists/HEAD/manga.json",
        "raw/anilist_mal_lists_2026/manga_{date}.json",
        "https://github.com/anime-and-manga/lists",
        "AniList-MAL crosswalk of manga and novels",
    ),
    Upstream(
        "offline_db",
        "https://github.com/manami-project/anime-offline-database/releases/latest/download/"
        "anime-offline-database-minified.json",
        "raw/anime-offline-database/anime-offline-database-minified_{date}.json",
        "https://github.com/manami-project/anime-offline-database",
        "anime-offline-database weekly release (about 40 MB)",
    ),
)


def upstream(name: str) -> Upstream:
    """The :class:`Upstream` called ``name``; ``KeyError`` naming the known ones otherwise."""
    for u in UPSTREAMS:
        if u.name == name:
            return u
    raise KeyError(f"unknown upstream {name!r}; known: {', '.join(u.name for u in UPSTREAMS)}")


@dataclass(frozen=True)
class Download:
    """What :func:`download` did: ``changed`` is False for a ``304`` or an identical body."""

    name: str
    path: Path
    changed: bool
    resumed: bool
    bytes: int


def sidecar(path: Path) -> Path:
    """The JSON file beside ``path`` that keeps its URL, ETag, Last-Modified, hash and dates."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar of ``path`` (an empty dict when there is none or it is unreadable)."""
    try:
        data = json.loads(sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_sidecar(path: Path, meta: dict[str, Any]) -> None:
    tmp = sidecar(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(sidecar(path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _conditional_headers(last: dict[str, Any]) -> dict[str, str]:
    headers = {"Accept": "*/*"}
    if last.get("etag"):
        headers["If-None-Match"] = str(last["etag"])
    if last.get("last_modified"):
        headers["If-Modified-Since"] = str(last["last_modified"])
    return headers


def _stream_to(response: httpx.Response, part: Path, append: bool) -> int:
    written = 0
    try:
        with part.open("ab" if append else "wb") as out:
            for chunk in response.iter_bytes(1 << 16):
                out.write(chunk)
                written += len(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(
            f"{response.url}: download interrupted after {written} bytes "
            f"(run sync again to resume): {exc!r}"
        ) from exc
    expected = response.headers.get("Content-Length")
    if (
        expected
        and expected.isdigit()
        and "Content-Encoding" not in response.headers
        and written != int(expected)
    ):
        raise FetchError(
            f"{response.url}: download ended early ({written} of {expected} bytes); "
            "run sync again to resume"
        )
    return written


def download(client: httpx.Client, source: Upstream, root: Path, when: date) -> Download:
    """Fetch ``source`` into ``root`` as of ``when``, conditionally and resumably.

    Parameters
    ----------
    client : httpx.Client
        From :func:`~sequelcast.sources.http.make_client` (rate limit, retries with back-off).
    source : Upstream
        What to fetch and where it goes.
    root : Path
        The downloads directory.
    when : date
        The fetch date, written into the file name.

    Returns
    -------
    Download
        ``changed`` is False when the server says ``304 Not Modified`` or the body is identical to
        the last download (then nothing new is written, only the sidecar's ``checked_at``).

    Raises
    ------
    FetchError
        A failed request (after retries) or a truncated body; a partial body is kept as
        ``<name>.part`` for the next run to resume.
    """
    versions = source.versions(root)
    last_path = versions[-1] if versions else None
    last = read_sidecar(last_path) if last_path else {}
    target = source.path(root, when)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        got = _fetch_part(client, source, part, _conditional_headers(last))
    except FetchStatusError as exc:
        if exc.status_code != 416:
            raise
        _discard(part)  # the partial file no longer fits the server's: start again
        got = _fetch_part(client, source, part, _conditional_headers(last))
    if got is None:
        assert last_path is not None
        _write_sidecar(last_path, {**last, "checked_at": when.isoformat()})
        return Download(source.name, last_path, False, False, 0)
    meta, written, resumed = got
    digest = _sha256(part)
    sidecar(part).unlink(missing_ok=True)
    if last_path is not None and last.get("sha256") == digest:
        part.unlink()
        _write_sidecar(
            last_path,
            {**last, **{k: v for k, v in meta.items() if v}, "checked_at": when.isoformat()},
        )
        return Download(source.name, last_path, False, resumed, written)
    part.replace(target)
    _write_sidecar(
        target,
        {**meta, "sha256": digest, "fetched_at": when.isoformat(), "checked_at": when.isoformat()},
    )
    return Download(source.name, target, True, resumed, written)


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    sidecar(part).unlink(missing_ok=True)


def _fetch_part(
    client: httpx.Client, source: Upstream, part: Path, headers: dict[str, str]
) -> tuple[dict[str, Any], int, bool] | None:
    """Stream the body into ``part`` (resuming it when it can); ``None`` for ``304``."""
    part_meta = read_sidecar(part) if part.exists() else {}
    etag = str(part_meta.get("etag") or "")
    # a weak ETag cannot validate a range (RFC 9110 13.1.5): then the download starts again
    resuming = (
        part.exists()
        and bool(etag)
        and not etag.startswith("W/")
        and part_meta.get("url") == source.url
    )
    if resuming:
        headers = {"Accept": "*/*", "Range": f"bytes={part.stat().st_size}-", "If-Range": etag}
    with client.stream("GET", source.url, headers=headers, follow_redirects=True) as response:
        if response.status_code == 304 and (
            "If-None-Match" in headers or "If-Modified-Since" in headers
        ):
            return None
        if response.status_code not in (200, 206):
            raise FetchError(f"{source.url} answered HTTP {response.status_code}")
        append = resuming and response.status_code == 206
        meta = {
            "url": source.url,
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
        }
        _write_sidecar(part, meta)
        written = _stream_to(response, part, append)
    return meta, written, append
