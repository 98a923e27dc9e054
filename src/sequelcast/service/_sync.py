"""``sequelcast sync``: fetch what ``build`` reads from the public homes, then rebuild.

Three kinds of sources, all written into the downloads directory under the names the adapters
read, stamped with the fetch date:

- the list files of :data:`~sequelcast.sources.upstream.UPSTREAMS` (conditional, resumable
  downloads);
- ``jikan``: MyAnimeList seasons through Jikan ``/v4/seasons/{year}/{season}`` from ``since`` to
  the next season, and ``/v4/seasons/upcoming`` (the announced shows);
- ``anilist``: typed relations through AniList GraphQL for the shows of the Jikan pages fetched
  by this run (50 ids a request).

What was done is kept in ``sync-state.json`` in the downloads directory: a unit (a list file, a
season, a batch of AniList ids) done on the same day is skipped, so an interrupted sync resumes
where it stopped. Without ``since``, Jikan seasons are read from a year before the last sync
(from 2006 on the first one).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from sequelcast.catalog import Catalog
from sequelcast.errors import ConfigError
from sequelcast.service._feeds import announced_next_seasons
from sequelcast.service._fetch import _saved
from sequelcast.service._reports import FetchReport
from sequelcast.sources import anilist, jikan
from sequelcast.sources.http import make_client
from sequelcast.sources.upstream import UPSTREAMS, Download, download

if TYPE_CHECKING:
    from sequelcast.service._build import BuildReport

#: The network sources besides the list files.
API_SOURCES = ("jikan", "anilist")
SEASON_ORDER = ("winter", "spring", "summer", "fall")
#: The first season read on a first sync (the shared data's MAL seasons start there too).
FIRST_SEASON = date(2006, 1, 1)
STATE_FILE = "sync-state.json"
ANILIST_BATCH = 50

#: ``progress(label, done, total)`` after each unit of work.
SyncProgress = Callable[[str, int, int], None]


def source_names() -> list[str]:
    """Every name ``--source`` accepts."""
    return [u.name for u in UPSTREAMS] + list(API_SOURCES)


@dataclass
class SyncClients:
    """The HTTP clients sync uses; tests pass clients over an ``httpx.MockTransport``."""

    files: httpx.Client | None = None
    jikan: httpx.Client | None = None
    anilist: httpx.Client | None = None

    def for_files(self) -> httpx.Client:
        if self.files is None:
            self.files = make_client(timeout=httpx.Timeout(120.0, connect=10.0))
        return self.files

    def for_jikan(self) -> httpx.Client:
        if self.jikan is None:
            self.jikan = jikan.make_jikan_client()
        return self.jikan

    def for_anilist(self) -> httpx.Client:
        if self.anilist is None:
            self.anilist = anilist.make_anilist_client()
        return self.anilist


@dataclass
class SyncReport:
    """What a sync fetched, skipped and changed."""

    when: date
    files: list[Download] = field(default_factory=list)
    answers: list[FetchReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    build: BuildReport | None = None
    first_build: bool = False
    new_entries: list[dict[str, Any]] = field(default_factory=list)
    new_announcements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed_files(self) -> list[Path]:
        return [d.path for d in self.files if d.changed] + [
            p for a in self.answers for p in a.paths
        ]

    def json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "date": self.when.isoformat(),
            "files": [
                {
                    "source": d.name,
                    "path": str(d.path),
                    "changed": d.changed,
                    "resumed": d.resumed,
                    "bytes": d.bytes,
                }
                for d in self.files
            ],
            "answers": [
                {
                    "source": a.source,
                    "files": len(a.paths),
                    "records": a.records,
                    "rejects": a.rejects,
                }
                for a in self.answers
            ],
            "skipped": self.skipped,
            "built": self.build is not None,
            "first_build": self.first_build,
            "entries": self.build.counts["entries"] if self.build else None,
            "new_entries": self.new_entries,
            "new_announcements": self.new_announcements,
        }


def season_of(day: date) -> tuple[int, str]:
    """The anime season a day falls in.

    Examples
    --------
    >>> season_of(date(2021, 4, 5))
    (2021, 'spring')
    """
    return day.year, SEASON_ORDER[(day.month - 1) // 3]


def seasons_between(since: date, until: date) -> list[tuple[int, str]]:
    """Every season from the one of ``since`` to the one after ``until``'s, in order.

    Examples
    --------
    >>> seasons_between(date(2025, 11, 1), date(2026, 2, 1))
    [(2025, 'fall'), (2026, 'winter'), (2026, 'spring')]
    """
    year, name = season_of(since)
    index = SEASON_ORDER.index(name)
    last_year, last_name = season_of(until)
    last = last_year * 4 + SEASON_ORDER.index(last_name) + 1
    out = []
    while year * 4 + index <= last:
        out.append((year, SEASON_ORDER[index]))
        index += 1
        if index == 4:
            year, index = year + 1, 0
    return out


class _State:
    """``sync-state.json``: the day each unit was last done, and the day of the last sync."""

    def __init__(self, root: Path) -> None:
        self.path = root / STATE_FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.done: dict[str, str] = dict(data.get("done") or {})
        self.last_sync: str | None = data.get("last_sync")

    def done_on(self, unit: str, when: date) -> bool:
        return self.done.get(unit) == when.isoformat()

    def mark(self, unit: str, when: date) -> None:
        self.done[unit] = when.isoformat()
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"last_sync": self.last_sync, "done": self.done}, indent=1, sort_keys=True),
            encoding="utf-8",
        )
        tmp.replace(self.path)


def check_sources(sources: Sequence[str] | None) -> list[str]:
    known = source_names()
    chosen = list(sources) if sources else known
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ConfigError(
            f"--source: unknown {', '.join(map(repr, unknown))}; choose among {', '.join(known)}"
        )
    return chosen


def _default_since(state: _State) -> date:
    if state.last_sync:
        last = date.fromisoformat(state.last_sync)
        return date(last.year - 1, last.month, min(last.day, 28))
    return FIRST_SEASON


def _jikan_units(since: date, when: date) -> list[tuple[str, int | None, str | None]]:
    units: list[tuple[str, int | None, str | None]] = [
        (f"jikan:{y}-{s}", y, s) for y, s in seasons_between(since, when)
    ]
    units.append(("jikan:upcoming", None, None))
    return units


def _saved_ids(root: Path, unit: str, when: date) -> list[int]:
    """The MAL ids of the pages a unit saved earlier today (a resumed sync still asks AniList)."""
    label = unit.removeprefix("jikan:")
    paths = sorted((root / "raw" / jikan.SOURCE).glob(f"season-{label}-p*_{when.isoformat()}.json"))
    return _ids_in(paths)


def _season_ids(report: FetchReport) -> list[int]:
    return _ids_in(report.paths)


def _ids_in(paths: Sequence[Path]) -> list[int]:
    ids: list[int] = []
    for path in paths:
        payload = json.loads(path.read_text(encoding="utf-8"))
        ids.extend(
            a["mal_id"]
            for a in payload.get("data", [])
            if isinstance(a, dict) and isinstance(a.get("mal_id"), int)
        )
    return ids


def _fetch_jikan_unit(
    root: Path, client: httpx.Client, year: int | None, season: str | None, when: date
) -> FetchReport:
    if year is None or season is None:
        pages = jikan.fetch_upcoming(client)
        answers = [(f"season-upcoming-p{i}", p) for i, p in enumerate(pages, start=1)]
        return _saved(jikan.SOURCE, root, answers, when, jikan.parse_anime_list)
    pages = jikan.fetch_season(client, year, season)
    answers = [(f"season-{year}-{season}-p{i}", p) for i, p in enumerate(pages, start=1)]
    return _saved(jikan.SOURCE, root, answers, when, jikan.parse_anime_list)


def _fetch_anilist_unit(
    root: Path, client: httpx.Client, ids: list[int], when: date
) -> FetchReport:
    pages = anilist.fetch_media(client, mal_ids=ids)
    label = f"mal-{ids[0]}-{len(ids)}ids"
    answers = [(f"{label}-p{i}", p) for i, p in enumerate(pages, start=1)]
    return _saved(anilist.SOURCE, root, answers, when, anilist.parse_media)


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def fetch_all(
    root: Path,
    when: date,
    *,
    sources: Sequence[str] | None = None,
    since: date | None = None,
    clients: SyncClients | None = None,
    progress: SyncProgress | None = None,
) -> SyncReport:
    """Download every chosen source into ``root`` (the downloads directory), stamped ``when``.

    Parameters
    ----------
    root : Path
        The downloads directory.
    when : date
        Today: the fetch date written into every file name.
    sources : list of str, optional
        Names from :func:`source_names` (default: all).
    since : date, optional
        First Jikan season to read (default: a year before the last sync, or 2006).
    clients : SyncClients, optional
        The HTTP clients (default: the real ones, paced for each service).
    progress : callable, optional
        ``progress(label, done, total)`` after each unit.

    Returns
    -------
    SyncReport
        Without the build part (see :func:`sync`).
    """
    chosen = check_sources(sources)
    clients = clients or SyncClients()
    state = _State(root)
    report = SyncReport(when)
    files = [u for u in UPSTREAMS if u.name in chosen]
    seasons = _jikan_units(since or _default_since(state), when) if "jikan" in chosen else []
    total = len(files) + len(seasons)
    done = 0
    mal_ids: list[int] = []

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(label, done, total)

    for up in files:
        if state.done_on(up.name, when):
            report.skipped.append(up.name)
        else:
            report.files.append(download(clients.for_files(), up, root, when))
            state.mark(up.name, when)
        step(up.name)
    for unit, year, season in seasons:
        if state.done_on(unit, when):
            report.skipped.append(unit)
            mal_ids.extend(_saved_ids(root, unit, when))
        else:
            fetched = _fetch_jikan_unit(root, clients.for_jikan(), year, season, when)
            report.answers.append(fetched)
            mal_ids.extend(_season_ids(fetched))
            state.mark(unit, when)
        step(unit)
    if "anilist" in chosen:
        _sync_anilist(root, when, sorted(set(mal_ids)), clients, state, report, progress)
    state.last_sync = when.isoformat()
    state.save()
    return report


def _sync_anilist(
    root: Path,
    when: date,
    mal_ids: list[int],
    clients: SyncClients,
    state: _State,
    report: SyncReport,
    progress: SyncProgress | None,
) -> None:
    batches = list(_chunks(mal_ids, ANILIST_BATCH))
    for i, ids in enumerate(batches, start=1):
        unit = f"anilist:{ids[0]}-{ids[-1]}"
        if state.done_on(unit, when):
            report.skipped.append(unit)
        else:
            report.answers.append(_fetch_anilist_unit(root, clients.for_anilist(), ids, when))
            state.mark(unit, when)
        if progress is not None:
            progress(unit, i, len(batches))


def _announced(catalog: Catalog, cache_dir: Path | None) -> dict[str, dict[str, Any]]:
    return {
        r["franchise_id"]: {
            "franchise": r["franchise"],
            "title": r["title"],
            "mal_id": r["mal_id"],
            "expected": r["expected"].isoformat() if r["expected"] else None,
        }
        for r in announced_next_seasons(catalog, cache_dir)
    }


def _entries(catalog: Catalog) -> dict[int, str]:
    return {a.mal_id: a.title for a in catalog.all_anime()}


def sync(
    catalog: Catalog,
    root: Path,
    data_dirs: Sequence[Path],
    when: date,
    *,
    sources: Sequence[str] | None = None,
    since: date | None = None,
    build: bool = True,
    clients: SyncClients | None = None,
    progress: SyncProgress | None = None,
    cache_dir: Path | None = None,
    forecasts: bool = True,
) -> SyncReport:
    """:func:`fetch_all`, then rebuild ``catalog`` from ``data_dirs`` and report what changed.

    ``new_entries`` are MAL ids the catalog did not hold before; ``new_announcements`` are
    franchises whose next season is announced now and was not (or announced as another season)
    at the previous build. On a first build both lists are left empty and ``first_build`` is set.
    """
    report = fetch_all(root, when, sources=sources, since=since, clients=clients, progress=progress)
    if not build:
        return report
    had_build = catalog.last_build() is not None
    before_entries = _entries(catalog) if had_build else {}
    before_announced = _announced(catalog, cache_dir) if had_build else {}
    from sequelcast.service._build import build_catalog  # every adapter, numpy: only to build

    report.build = build_catalog(catalog, list(data_dirs), forecasts=forecasts)
    report.first_build = not had_build
    if had_build:
        after = _entries(catalog)
        report.new_entries = [
            {"mal_id": m, "title": t} for m, t in sorted(after.items()) if m not in before_entries
        ]
        report.new_announcements = [
            {"franchise_id": k, **v}
            for k, v in sorted(_announced(catalog, cache_dir).items())
            if k not in before_announced or before_announced[k]["mal_id"] != v["mal_id"]
        ]
    return report
