"""A sample of 500 top MyAnimeList manga and novels (2021-08), with volumes and chapters.

A weak sample: it has no link to the anime (so the forecast cannot use it yet), and MAL reports
"Unknown" volumes for series still publishing. It is kept in the ``manga`` table so a later link
(manga id <-> anime) can turn it into the "source material left" feature.
"""

from __future__ import annotations

import ast
import re
from datetime import date

from sequelcast.domain import Batch, MangaRecord
from sequelcast.sources._csv import iter_rows
from sequelcast.sources.base import parse_date, parse_float, parse_int, reject

SOURCE = "mal_manga_2021"
PATTERN = "raw/mal_manga_sample_2021/*.csv"
#: The commit date of the file in its repository (the scrape date is not recorded).
OBSERVED = date(2021, 8, 28)
_REQ = (
    "Manga URL",
    "English Title",
    "Japanese Title",
    "Type",
    "Volumes",
    "Chapters",
    "Status",
    "Published Dates",
    "Score",
    "Members",
)
_URL = re.compile(r"/manga/(\d+)(?:/([^/?#]+))?")
_PARTIAL = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", "Unknown") else value


def _partial_date(value: str | None) -> date | None:
    """``1999-11-00`` and ``1999-00-00`` (MAL's month and year precision) become the first day."""
    if value is None:
        return None
    m = _PARTIAL.fullmatch(value.strip())
    if not m:
        return parse_date(value)
    year, month, day = (int(g) for g in m.groups())
    return date(year, month or 1, day or 1)


def _published(value: str) -> tuple[date | None, date | None]:
    if not value or value.strip() in ("", "Unknown"):
        return None, None
    parsed = ast.literal_eval(value)
    if not isinstance(parsed, dict):
        raise ValueError(f"bad Published Dates {value!r}")
    start, end = (_text(str(parsed.get(k) or "")) for k in ("from", "to"))
    return _partial_date(start), _partial_date(end)


def _row(row: dict[str, str]) -> MangaRecord:
    m = _URL.search(row["Manga URL"] or "")
    if not m:
        raise ValueError(f"no manga id in URL {row['Manga URL']!r}")
    english = _text(row["English Title"])
    slug = (m.group(2) or "").replace("_", " ").strip()
    title = english or slug
    if not title:
        raise ValueError("no title")
    start, end = _published(row["Published Dates"])
    return MangaRecord(
        int(m.group(1)),
        title,
        english,
        _text(row["Japanese Title"]),
        _text(row["Type"]),
        parse_int(row["Volumes"]),
        parse_int(row["Chapters"]),
        _text(row["Status"]),
        start,
        end,
        parse_float(row["Score"]),
        parse_int(row["Members"]),
        OBSERVED,
        SOURCE,
    )


def parse(data: bytes, location: str) -> Batch:
    """Parse ``manga_top500_2021-08.csv``."""
    batch = Batch(source=SOURCE, location=location, observed_at=OBSERVED)
    for line, row in iter_rows(data, SOURCE, location, _REQ):
        try:
            batch.manga.append(_row(row))
        except (ValueError, SyntaxError) as exc:
            batch.rejects.append(reject(SOURCE, f"{location}:{line}", str(exc), dict(row)))
    return batch
