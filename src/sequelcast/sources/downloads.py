"""Network answers saved as files, so that ``sequelcast build`` reads them like any other source.

``sequelcast fetch`` writes every answer, as fetched, under the data directory:

- ``raw/jikan/<label>_<YYYY-MM-DD>.json``: one Jikan page (``/seasons``) or one ``/anime/{id}/full``;
- ``raw/anilist/<label>_<YYYY-MM-DD>.json``: one AniList ``Page`` answer;
- ``raw/anime-offline-database/<asset>``: the offline-database release.

The date in the file name is the fetch date: every record of the file is stamped with it. These
files are the raw records, keyed by source, id (the label) and fetch date.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from sequelcast.domain import Batch
from sequelcast.errors import FetchError, SourceFileError
from sequelcast.sources import anilist, jikan
from sequelcast.sources.base import date_in_name, decode_json

JIKAN_PATTERN = "raw/jikan/*.json"
ANILIST_PATTERN = "raw/anilist/*.json"
_LABEL = re.compile(r"[^A-Za-z0-9.-]+")


def parse_jikan_file(data: bytes, location: str) -> Batch:
    """A saved Jikan answer: a list page (``data`` is a list) or one full entry.

    An answer of the wrong shape is a :class:`SourceFileError` naming the file (as for any file),
    not the :class:`FetchError` the same answer gives when it comes over the network.
    """
    when = date_in_name(jikan.SOURCE, location)
    payload = decode_json(data, jikan.SOURCE, location)
    try:
        if isinstance(payload, dict) and isinstance(payload.get("data"), list):
            return jikan.parse_anime_list(payload, when, location=location)
        return jikan.parse_anime_full(payload, when, location=location)
    except FetchError as exc:
        raise SourceFileError(jikan.SOURCE, location, str(exc)) from exc


def parse_anilist_file(data: bytes, location: str) -> Batch:
    """A saved AniList ``Page`` answer (a wrong shape is a :class:`SourceFileError`)."""
    when = date_in_name(anilist.SOURCE, location)
    try:
        return anilist.parse_media(
            decode_json(data, anilist.SOURCE, location), when, location=location
        )
    except FetchError as exc:
        raise SourceFileError(anilist.SOURCE, location, str(exc)) from exc


def answer_path(root: Path, source: str, label: str, when: date) -> Path:
    """Where an answer of ``source`` labelled ``label`` and fetched on ``when`` is saved."""
    clean = _LABEL.sub("-", label).strip("-") or "answer"
    return Path(root) / "raw" / source / f"{clean}_{when.isoformat()}.json"


def save_answer(root: Path, source: str, label: str, when: date, payload: Any) -> Path:
    """Write one answer as JSON (written to a temporary name, then renamed)."""
    path = answer_path(root, source, label, when)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path
