"""MyAnimeList TV seasons 2006-2027 (Jikan ``/seasons`` answers, one JSON list per season file).

Facts are stamped with the snapshot date, except the dates of past events, which are stamped with
the event itself (an airing is public on the day it happens): ``start_date``, ``year``, ``season``
and ``type`` at the start date; ``end_date``, ``status`` and ``episodes`` of a finished show at the
end date. ``docs/catalog.md`` gives the reasons.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sequelcast.domain import Batch, Fact
from sequelcast.errors import SourceFileError
from sequelcast.sources.base import decode_json, parse_date, parse_float, parse_int, reject

SOURCE = "mal_tv_seasons"
OBSERVED = date(2026, 2, 15)
PATTERN = "raw/mal_tv_seasons_ate329/*/*.json"

_TEXT = {
    "title": "title",
    "title_english": "title_english",
    "title_japanese": "title_japanese",
    "source": "source_type",
    "rating": "rating",
    "duration": "duration",
}
_LISTS = ("studios", "producers", "licensors", "genres", "themes", "demographics")
_INTS = ("scored_by", "members", "favorites", "rank", "popularity")


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    out = []
    for v in value:
        name = v.get("name") if isinstance(v, dict) else v
        if not isinstance(name, str):
            raise ValueError(f"expected a name, got {v!r}")
        out.append(name)
    return out


def _event(when: date | None, observed: date) -> date:
    return min(when, observed) if when else observed


def parse_record(
    rec: dict[str, Any], observed: date = OBSERVED, source: str = SOURCE
) -> list[Fact]:
    """The facts of one Jikan anime object. Raises ``ValueError``/``KeyError`` on a bad record."""
    mal_id = parse_int(rec["mal_id"])
    if mal_id is None or mal_id <= 0:
        raise ValueError(f"bad mal_id {rec.get('mal_id')!r}")
    if not isinstance(rec.get("title"), str) or not rec["title"].strip():
        raise ValueError("missing title")
    start = parse_date(rec.get("aired_from"))
    end = parse_date(rec.get("aired_to"))
    finished = rec.get("status") == "Finished Airing"
    facts: list[Fact] = []

    def add(field: str, value: Any, when: date = observed) -> None:
        if value is None or value == "" or value == []:
            return
        facts.append(Fact(mal_id, field, value, when, source))

    for key, field in _TEXT.items():
        v = rec.get(key)
        if v is not None and not isinstance(v, str):
            raise ValueError(f"{key} is not text: {v!r}")
        add(field, v.strip() if isinstance(v, str) else None)
    synonyms = rec.get("title_synonyms") or []
    if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
        raise ValueError("title_synonyms is not a list of strings")
    add("synonyms", [s for s in synonyms if s.strip()])
    for key in _LISTS:
        add(key, _names(rec.get(key)))
    for key in _INTS:
        add(key, parse_int(rec.get(key)))
    add("score", parse_float(rec.get("score")))
    started = _event(start, observed)
    add("start_date", start, started)
    add("type", rec.get("type"), started)
    add("year", parse_int(rec.get("year")), started)
    add("season", rec.get("season"), started)
    ended = _event(end, observed) if finished else observed
    add("end_date", end, _event(end, observed))
    add("status", rec.get("status"), ended)
    add("episodes", parse_int(rec.get("episodes")), ended)
    add("image_url", _image_url(rec.get("image_url")))
    synopsis = rec.get("synopsis")
    add("synopsis", synopsis.strip() if isinstance(synopsis, str) else None)
    return facts


def _image_url(value: Any) -> str | None:
    """The poster's URL when it is an http(s) URL (the page shows nothing else)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ValueError(f"image_url is not an http(s) URL: {value!r}")
    return value.strip()


def parse(data: bytes, location: str) -> Batch:
    """Parse one season file (a JSON list of anime objects)."""
    items = decode_json(data, SOURCE, location)
    if not isinstance(items, list):
        raise SourceFileError(SOURCE, location, f"expected a JSON list, got {type(items).__name__}")
    batch = Batch(source=SOURCE, location=location, observed_at=OBSERVED)
    for i, rec in enumerate(items):
        where = f"{location}[{i}]"
        if not isinstance(rec, dict):
            batch.rejects.append(reject(SOURCE, where, "not a JSON object", rec))
            continue
        try:
            batch.facts.extend(parse_record(rec))
        except (ValueError, KeyError, TypeError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            batch.rejects.append(reject(SOURCE, f"{where} mal_id {rec.get('mal_id')}", reason, rec))
    return batch
