"""The old MyAnimeList snapshots (2016-12 and 2018-05-07) and the 2026-07-19 ranking, all CSV.

Each fact is stamped with the snapshot's date. The 2016 file carries no date of its own: it is the
CooperUnion "Anime Recommendations Database" scrape, published on Kaggle on 2016-12-21; its highest
MAL id (34527) fits that date.
"""

from __future__ import annotations

import ast
import html
from datetime import date
from typing import Any

from sequelcast.domain import Batch, Fact
from sequelcast.sources._csv import parse_rows
from sequelcast.sources.base import parse_float, parse_int

OBSERVED_2018 = date(2018, 5, 7)
OBSERVED_2016 = date(2016, 12, 21)
OBSERVED_RANKING = date(2026, 7, 19)

_SEASONS = {"Spring": "spring", "Summer": "summer", "Fall": "fall", "Winter": "winter"}


def _mal_id(value: str) -> int:
    mal_id = parse_int(value)
    if mal_id is None or mal_id <= 0:
        raise ValueError(f"bad MAL id {value!r}")
    return mal_id


def _title(value: str) -> str:
    title = html.unescape(value or "").strip()
    if not title:
        raise ValueError("missing title")
    return title


def _list_literal(value: str) -> list[str]:
    if not value or value.strip() in ("", "[]"):
        return []
    parsed = ast.literal_eval(value)
    if not isinstance(parsed, list) or not all(isinstance(x, str) for x in parsed):
        raise ValueError(f"not a list of names: {value!r}")
    return [html.unescape(x).strip() for x in parsed if x.strip()]


def _facts(mal_id: int, values: dict[str, Any], observed: date, source: str) -> list[Fact]:
    return [
        Fact(mal_id, k, v, observed, source)
        for k, v in values.items()
        if v is not None and v != "" and v != []
    ]


# -- 2018-05-07 -------------------------------------------------------------------------------

SOURCE_2018 = "mal_snapshot_2018"
PATTERN_2018 = "raw/mal_snapshot_2018/*.csv"
_REQ_2018 = (
    "animeID",
    "name",
    "premiered",
    "genre",
    "type",
    "episodes",
    "studio",
    "source",
    "scored",
    "scoredBy",
    "members",
)


def _premiered(value: str) -> tuple[str | None, int | None]:
    if not value or value == "None":
        return None, None
    parts = value.split()
    if len(parts) != 2 or parts[0] not in _SEASONS:
        raise ValueError(f"bad premiered season {value!r}")
    return _SEASONS[parts[0]], int(parts[1])


def _row_2018(row: dict[str, str]) -> list[Fact]:
    season, year = _premiered(row["premiered"])
    score = parse_float(row["scored"])
    values = {
        "title": _title(row["name"]),
        "season": season,
        "year": year,
        "genres": _list_literal(row["genre"]),
        "type": (row["type"] or "").strip() or None,
        "episodes": parse_int(row["episodes"]) or None,
        "producers": _list_literal(row.get("producer", "")),
        "licensors": _list_literal(row.get("licensor", "")),
        "studios": _list_literal(row["studio"]),
        "source_type": (row["source"] or "").strip() or None,
        "score": score if score else None,  # 0.0 means "not scored yet"
        "scored_by": parse_int(row["scoredBy"]),
        "members": parse_int(row["members"]),
    }
    return _facts(_mal_id(row["animeID"]), values, OBSERVED_2018, SOURCE_2018)


def parse_2018(data: bytes, location: str) -> Batch:
    """Parse ``myAnimeListDataset_2018-05-07.csv``."""
    batch = Batch(source=SOURCE_2018, location=location, observed_at=OBSERVED_2018)
    return parse_rows(
        data, location, source=SOURCE_2018, required=_REQ_2018, row_facts=_row_2018, batch=batch
    )


# -- about 2016-12 -----------------------------------------------------------------------------

SOURCE_2016 = "mal_snapshot_2016"
PATTERN_2016 = "raw/mal_snapshot_2016/*.csv"
_REQ_2016 = ("anime_id", "name", "genre", "type", "episodes", "rating", "members")


def _row_2016(row: dict[str, str]) -> list[Fact]:
    genres = [g.strip() for g in (row["genre"] or "").split(",") if g.strip()]
    values = {
        "title": _title(row["name"]),
        "genres": genres,
        "type": (row["type"] or "").strip() or None,
        "episodes": parse_int(row["episodes"]),
        "score": parse_float(row["rating"]),
        "members": parse_int(row["members"]),
    }
    return _facts(_mal_id(row["anime_id"]), values, OBSERVED_2016, SOURCE_2016)


def parse_2016(data: bytes, location: str) -> Batch:
    """Parse the CooperUnion ``anime.csv`` (about 2016-12)."""
    batch = Batch(source=SOURCE_2016, location=location, observed_at=OBSERVED_2016)
    return parse_rows(
        data, location, source=SOURCE_2016, required=_REQ_2016, row_facts=_row_2016, batch=batch
    )


# -- ranking 2026-07-19 ------------------------------------------------------------------------

SOURCE_RANKING = "mal_ranking_2026"
PATTERN_RANKING = "raw/mal_ranking_2026/*.csv"
_REQ_RANKING = ("id", "title", "mean", "rank", "popularity", "num_list_users", "num_scoring_users")


def _row_ranking(row: dict[str, str]) -> list[Fact]:
    values = {
        "title": _title(row["title"]),
        "score": parse_float(row["mean"]),
        "rank": parse_int(row["rank"]),
        "popularity": parse_int(row["popularity"]),
        "members": parse_int(row["num_list_users"]),
        "scored_by": parse_int(row["num_scoring_users"]),
    }
    return _facts(_mal_id(row["id"]), values, OBSERVED_RANKING, SOURCE_RANKING)


def parse_ranking(data: bytes, location: str) -> Batch:
    """Parse ``anime-ranking_2026-07-19.csv`` (MAL API v2 ranking)."""
    batch = Batch(source=SOURCE_RANKING, location=location, observed_at=OBSERVED_RANKING)
    return parse_rows(
        data,
        location,
        source=SOURCE_RANKING,
        required=_REQ_RANKING,
        row_facts=_row_ranking,
        batch=batch,
    )
