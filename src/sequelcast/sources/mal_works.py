"""MyAnimeList top manga and top light novels, scraped Nov-Dec 2024 (``derived/mal_*_2024-12.csv``).

Both files give MAL manga ids, status, volumes and publication dates; they become
:class:`~sequelcast.domain.MangaRecord` rows of the ``manga`` table, like the 2021 sample. Rules
(documented in ``docs/source_material.md``):

- ``Title`` is "Romaji (English)" when MAL has an English title: the last parenthesised group
  becomes ``title_english`` ("Hi no Tori (1967) (Phoenix)" -> "Hi no Tori (1967)", "Phoenix").
  A one-character romaji part ("u (GeGeGe no Kitaro)", ". (Othello)": 12 rows, the scrape lost it) is
  dropped and the English title becomes the title.
- Manga file, ``Status`` = Publishing: ``Volumes`` = 3 and ``Chapters`` = 16 are the scraper's
  placeholders (MAL says "Unknown"), so volumes and chapters of a work that is not finished are
  unknown (``None``); only finished works keep their counts.
- ``Completed date`` = "Updating" means no end date. The file gives MAL's partial dates as their
  first day, so an end before the start that is January 1 of the start's year is a year-only date
  (read as December 31); any other end before the start is unknown (10 of 19,057 rows in 2024-12, 9 of them January 1).
- Light-novel file, ``Published``: "Feb  1, 2018 to Jun  1, 2021", "Feb  10, 2006 to ?", "Feb 2018",
  "2018" (MAL's partial dates; "10, 2008", a day with no month, is read as the year). A partial start is its first day, a partial end its last day (the
  latest day it can mean, so "ended by a date" is never claimed too early). A single date with no
  "to" is a one-volume publication: it ends that day when the work is Finished, else it is the start.
- Both files are dated 2024-12-31 (the end of the scrape): status and volumes are what MAL said then.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from sequelcast.domain import Batch, MangaRecord
from sequelcast.sources._csv import iter_rows
from sequelcast.sources.base import parse_float, parse_int, reject

SOURCE_MANGA = "mal_manga_2024"
SOURCE_NOVELS = "mal_lightnovels_2024"
PATTERN_MANGA = "derived/mal_manga_2024-12*.csv"
PATTERN_NOVELS = "derived/mal_lightnovels_2024-12*.csv"
#: The end of the scrape (Nov-Dec 2024): what the files say was known by then.
OBSERVED = date(2024, 12, 31)
_REQ_COMMON = (
    "Title",
    "Score",
    "Members",
    "Types",
    "Volumes",
    "Chapters",
    "Status",
    "mal_manga_id",
)
_REQ_MANGA = (*_REQ_COMMON, "Released date", "Completed date")
_REQ_NOVELS = (*_REQ_COMMON, "Published")
_FINISHED = "Finished"
_NO_MONTH = re.compile(r"^\d{1,2}, (\d{4})$")
#: The manga scraper wrote these for every work MAL shows with "Unknown" volumes and chapters.
PLACEHOLDER_VOLUMES, PLACEHOLDER_CHAPTERS = 3, 16


def split_title(text: str) -> tuple[str, str | None]:
    """``"Romaji (English)"`` -> ``("Romaji", "English")``; a title with no trailing group is kept whole.

    >>> split_title("Shingeki no Kyojin (Attack on Titan)")
    ('Shingeki no Kyojin', 'Attack on Titan')
    >>> split_title("Hi no Tori (1967) (Phoenix)")
    ('Hi no Tori (1967)', 'Phoenix')
    >>> split_title("Berserk")
    ('Berserk', None)
    """
    text = " ".join(text.split())
    if not text.endswith(")"):
        return text, None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            head, inner = text[:i].rstrip(), text[i + 1 : -1].strip()
            if head and inner and text[i - 1 : i] == " ":
                return head, inner
            return text, None
    return text, None


def _count(value: str) -> int | None:
    return parse_int((value or "").replace(",", "").strip())


def _iso_or_none(value: str) -> date | None:
    value = (value or "").strip()
    if value in ("", "Updating", "Unknown", "?"):
        return None
    return date.fromisoformat(value)


def parse_mal_date(text: str, *, end: bool) -> date | None:
    """A MAL display date: "Feb  1, 2018", "Feb 2018" or "2018"; ``None`` for "?" or blank.

    A partial date is its first day, or its last day when ``end`` is true.

    >>> parse_mal_date("Jun  1, 2021", end=True)
    datetime.date(2021, 6, 1)
    >>> parse_mal_date("Feb 2018", end=True), parse_mal_date("2018", end=False)
    (datetime.date(2018, 2, 28), datetime.date(2018, 1, 1))
    """
    text = " ".join((text or "").split())
    if text in ("", "?", "Unknown"):
        return None
    text = _NO_MONTH.sub(r"\1", text)  # "10, 2008": a day with no month is read as the year only
    for fmt in ("%b %d, %Y", "%b %Y", "%Y"):
        try:
            d = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if end and fmt == "%b %Y":
            return d.replace(day=calendar.monthrange(d.year, d.month)[1])
        if end and fmt == "%Y":
            return d.replace(month=12, day=31)
        return d
    raise ValueError(f"not a MAL date: {text!r}")


def parse_published(text: str) -> tuple[date | None, date | None]:
    """``"Feb  1, 2018 to Jun  1, 2021"`` -> (start, end); "to ?" has no end; one date starts and ends.

    >>> parse_published("Feb  10, 2006 to ?")
    (datetime.date(2006, 2, 10), None)
    """
    text = (text or "").strip()
    if text in ("", "Unknown", "Not available"):
        return None, None
    if " to " in f" {text} ":
        left, _, right = f" {text} ".partition(" to ")
        return parse_mal_date(left, end=False), parse_mal_date(right, end=True)
    return parse_mal_date(text, end=False), parse_mal_date(text, end=True)


def _year_end(start: date, end: date) -> date | None:
    """An end before the start: ``YYYY-01-01`` of the start's year is a year-only date (its last day);
    any other contradiction leaves the end unknown.

    >>> _year_end(date(2005, 2, 1), date(2005, 1, 1)), _year_end(date(2012, 8, 24), date(2012, 6, 13))
    (datetime.date(2005, 12, 31), None)
    """
    if (end.month, end.day) == (1, 1) and end.year == start.year:
        return date(end.year, 12, 31)
    return None


def _record(row: dict[str, str], start: date | None, end: date | None, source: str) -> MangaRecord:
    manga_id = parse_int(row["mal_manga_id"])
    if manga_id is None:
        raise ValueError("no mal_manga_id")
    title, english = split_title(row["Title"] or "")
    if english and len(title) <= 1:  # "u (GeGeGe no Kitaro)": the scrape lost the romaji title
        title, english = english, None
    if not title:
        raise ValueError("no title")
    status = (row["Status"] or "").strip() or None
    volumes, chapters = _count(row["Volumes"]), _count(row["Chapters"])
    if status != _FINISHED:
        volumes = chapters = (
            None  # placeholders or MAL's "Unknown": counts are final only once finished
        )
    if start is not None and end is not None and end < start:
        end = _year_end(start, end)
    return MangaRecord(
        manga_id,
        title,
        english,
        None,
        (row["Types"] or "").strip() or None,
        volumes,
        chapters,
        status,
        start,
        end,
        parse_float(row["Score"]),
        _count(row["Members"]),
        OBSERVED,
        source,
    )


def parse_manga(data: bytes, location: str) -> Batch:
    """Parse ``mal_manga_2024-12.csv`` (manga, manhwa, one-shots, some light novels)."""
    batch = Batch(source=SOURCE_MANGA, location=location, observed_at=OBSERVED)
    for line, row in iter_rows(data, SOURCE_MANGA, location, _REQ_MANGA):
        try:
            start = _iso_or_none(row["Released date"])
            end = _iso_or_none(row["Completed date"])
            batch.manga.append(_record(row, start, end, SOURCE_MANGA))
        except (ValueError, TypeError) as exc:
            batch.rejects.append(reject(SOURCE_MANGA, f"{location}:{line}", str(exc), dict(row)))
    return batch


def parse_novels(data: bytes, location: str) -> Batch:
    """Parse ``mal_lightnovels_2024-12.csv``."""
    batch = Batch(source=SOURCE_NOVELS, location=location, observed_at=OBSERVED)
    for line, row in iter_rows(data, SOURCE_NOVELS, location, _REQ_NOVELS):
        try:
            start, end = parse_published(row["Published"])
            if (
                " to " not in (row["Published"] or "")
                and (row["Status"] or "").strip() != _FINISHED
            ):
                end = None  # a single date of a work still running is its start only
            batch.manga.append(_record(row, start, end, SOURCE_NOVELS))
        except (ValueError, TypeError) as exc:
            batch.rejects.append(reject(SOURCE_NOVELS, f"{location}:{line}", str(exc), dict(row)))
    return batch
