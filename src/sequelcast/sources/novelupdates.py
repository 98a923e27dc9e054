"""NovelUpdates light and web novels, 2020-05-17 (``raw/novelupdates_2020/novels_*.csv``).

6,538 novels with no MAL or AniList id: they join the catalog by title only (``name`` and the
romaji / Japanese ``assoc_names``). Rules (documented in ``docs/source_material.md``):

- ``complete_original`` "True" / "False" says whether the original had ended on 2020-05-17; blank
  is unknown.
- ``chapters_original_current`` is free text: "21", "39 chapters", "1 volumes". "N volumes" gives
  ``volumes``, anything else ``chapters``.
- ``start_year`` outside 1900-2020 is dropped (unknown), not the row.
- The file's column is spelled ``original_langauge``; both spellings are read.
"""

from __future__ import annotations

import ast
import re
from datetime import date

from sequelcast.domain import Batch, NovelRecord
from sequelcast.sources._csv import iter_rows
from sequelcast.sources.base import date_in_name, reject

SOURCE = "novelupdates_2020"
PATTERN = "raw/novelupdates_2020/novels_*.csv"
_REQ = (
    "id",
    "name",
    "assoc_names",
    "start_year",
    "original_publisher",
    "complete_original",
    "chapters_original_current",
)
_COUNT = re.compile(r"(\d+)\s*(volumes?|chapters?)?", re.IGNORECASE)
_BOOL = {"True": True, "False": False, "": None}


def parse_count(text: str) -> tuple[int | None, int | None]:
    """``(volumes, chapters)`` from "39 chapters", "1 volumes" or "21" (chapters).

    >>> parse_count("1 volumes"), parse_count("39 chapters"), parse_count("")
    ((1, None), (None, 39), (None, None))
    """
    text = (text or "").strip()
    if not text:
        return None, None
    m = _COUNT.fullmatch(text)
    if not m:
        raise ValueError(f"chapters_original_current is not a count: {text!r}")
    n = int(m.group(1))
    return (n, None) if (m.group(2) or "").lower().startswith("volume") else (None, n)


def _aliases(text: str) -> tuple[str, ...]:
    text = (text or "").strip()
    if not text:
        return ()
    value = ast.literal_eval(text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"assoc_names is not a list of strings: {text[:80]!r}")
    return tuple(" ".join(v.split()) for v in value if v.strip())


def _year(text: str) -> int | None:
    text = (text or "").strip()
    if not text.isdigit():
        return None
    year = int(text)
    return year if 1900 <= year <= 2020 else None


def _row(row: dict[str, str], observed: date) -> NovelRecord:
    novel_id = int((row["id"] or "").strip())
    name = " ".join((row["name"] or "").split())
    if not name:
        raise ValueError("no name")
    complete = (row["complete_original"] or "").strip()
    if complete not in _BOOL:
        raise ValueError(f"complete_original is not True/False: {complete!r}")
    volumes, chapters = parse_count(row["chapters_original_current"])
    language = (row.get("original_language") or row.get("original_langauge") or "").strip() or None
    return NovelRecord(
        novel_id,
        name,
        _aliases(row["assoc_names"]),
        language,
        (row["original_publisher"] or "").strip() or None,
        _year(row["start_year"]),
        _BOOL[complete],
        volumes,
        chapters,
        observed,
        SOURCE,
    )


def parse(data: bytes, location: str) -> Batch:
    """Parse ``novels_<YYYY-MM-DD>.csv`` (observed on the file name's date)."""
    observed = date_in_name(SOURCE, location)
    batch = Batch(source=SOURCE, location=location, observed_at=observed)
    for line, row in iter_rows(data, SOURCE, location, _REQ):
        try:
            batch.novels.append(_row(row, observed))
        except (ValueError, SyntaxError, TypeError) as exc:
            batch.rejects.append(reject(SOURCE, f"{location}:{line}", str(exc), dict(row)))
    return batch
