"""First-seen dates from the git history of Anime-Lists/anime-lists (``anime-list-master.xml``).

AniDB creates an entry when a work is announced and the list picks it up days to weeks later, so
the date an ``anidbid`` first appears in the list is an upper bound on its announcement date (the
"announcement proxy"). :func:`read_versions` walks every version of the file in a local clone,
oldest first (I/O: ``git log`` and ``git cat-file``); :func:`first_seen_rows` is pure and gives,
for each AniDB id:

- ``first_listed``: the date of the first version that lists it;
- ``first_mapped``, ``tvdb_id``, ``tvdb_season``: the first version where it is mapped to a
  TheTVDB series (a numeric ``tvdbid``) and a season (``defaulttvdbseason`` a positive number, or
  ``a`` for absolute numbering; ``0``, specials, is not a season), with that mapping.

The dates are the commits' author dates (the day in the author's time zone, as ``git log``
shows it). A version that does not parse as the list is
skipped and counted. :func:`write_csv` writes the columns of ``derived/anidb_first_seen.csv``.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sequelcast.errors import SourceFileError

SOURCE = "anime_lists_history"
LIST_PATH = "anime-list-master.xml"
COLUMNS = ("anidb_id", "first_listed", "first_mapped", "tvdb_id", "tvdb_season")

_ANIME = re.compile(rb"<anime\s([^>]*)>")
_ATTR = re.compile(rb'([\w-]+)="([^"]*)"')


@dataclass
class FirstSeenRow:
    anidb_id: int
    first_listed: date
    first_mapped: date | None = None
    tvdb_id: str | None = None
    tvdb_season: str | None = None


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise SourceFileError(SOURCE, str(repo), "git is not installed") from exc
    if done.returncode != 0:
        raise SourceFileError(
            SOURCE,
            str(repo),
            f"git {' '.join(args[:2])} failed: {done.stderr.strip() or done.returncode}",
        )
    return done.stdout


def commits(repo: Path, path: str = LIST_PATH) -> list[tuple[str, date]]:
    """``(commit, author date)`` of every commit that changed ``path``, oldest first."""
    if not (Path(repo) / ".git").exists() and not (Path(repo) / "HEAD").is_file():
        raise SourceFileError(
            SOURCE,
            str(repo),
            "is not a git repository (clone https://github.com/Anime-Lists/anime-lists first)",
        )
    out = _git(Path(repo), "log", "--reverse", "--format=%H %as", "--", path)
    found = []
    for line in out.splitlines():
        sha, day = line.split()
        found.append((sha, date.fromisoformat(day)))
    if not found:
        raise SourceFileError(SOURCE, str(repo), f"no commit touches {path}")
    return found


def read_versions(repo: Path, path: str = LIST_PATH) -> Iterator[tuple[date, bytes]]:
    """Every version of ``path`` in the clone ``repo`` with its commit date, oldest first."""
    history = commits(repo, path)
    with subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        for sha, day in history:
            proc.stdin.write(f"{sha}:{path}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 3 or header[1] != b"blob":
                continue  # the file was deleted in this commit
            body = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)
            yield day, body
        proc.stdin.close()


def _mapping(attrs: dict[bytes, bytes]) -> tuple[str, str] | None:
    # as written: " 80785" (a stray space, fixed later in the list's history) is not yet a mapping
    tvdb = attrs.get(b"tvdbid", b"").decode("utf-8", "replace")
    season = attrs.get(b"defaulttvdbseason", b"").decode("utf-8", "replace")
    if not tvdb.isdigit() or int(tvdb) <= 0:
        return None
    if season == "a" or (season.isdigit() and int(season) > 0):
        return tvdb, season
    return None


def _entries(body: bytes) -> Iterator[tuple[int, tuple[str, str] | None]]:
    for match in _ANIME.finditer(body):
        attrs = dict(_ATTR.findall(match.group(1)))
        raw = attrs.get(b"anidbid", b"")
        if raw.isdigit() and int(raw) > 0:
            yield int(raw), _mapping(attrs)


def first_seen_rows(versions: Iterable[tuple[date, bytes]]) -> tuple[list[FirstSeenRow], int]:
    """First listing and first mapping of every AniDB id over ``versions`` (oldest first).

    Returns the rows sorted by AniDB id, and how many versions were skipped as unreadable.

    Examples
    --------
    >>> v1 = b'<anime-list><anime anidbid="1" tvdbid="" defaulttvdbseason=""></anime></anime-list>'
    >>> v2 = b'<anime-list><anime anidbid="1" tvdbid="72025" defaulttvdbseason="1"></anime>' \\
    ...      b'<anime anidbid="2" tvdbid="movie" defaulttvdbseason=""></anime></anime-list>'
    >>> rows, skipped = first_seen_rows([(date(2012, 9, 22), v1), (date(2013, 1, 5), v2)])
    >>> [(r.anidb_id, str(r.first_listed), str(r.first_mapped), r.tvdb_id) for r in rows]
    [(1, '2012-09-22', '2013-01-05', '72025'), (2, '2013-01-05', 'None', None)]
    """
    seen: dict[int, FirstSeenRow] = {}
    skipped = 0
    for day, body in versions:
        if b"<anime-list" not in body:
            skipped += 1
            continue
        for anidb_id, mapping in _entries(body):
            row = seen.get(anidb_id)
            if row is None:
                row = seen[anidb_id] = FirstSeenRow(anidb_id, day)
            if mapping is not None and row.first_mapped is None:
                row.first_mapped, (row.tvdb_id, row.tvdb_season) = day, mapping
    return [seen[k] for k in sorted(seen)], skipped


def render_csv(rows: Iterable[FirstSeenRow]) -> str:
    """The rows as the CSV of ``derived/anidb_first_seen.csv``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.anidb_id,
                r.first_listed.isoformat(),
                r.first_mapped.isoformat() if r.first_mapped else "",
                r.tvdb_id or "",
                r.tvdb_season or "",
            ]
        )
    return out.getvalue()


def write_csv(rows: Iterable[FirstSeenRow], dest: Path) -> Path:
    """Write :func:`render_csv` to ``dest`` (through a temporary file, then renamed)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_text(render_csv(rows), encoding="utf-8")
    tmp.replace(dest)
    return dest
