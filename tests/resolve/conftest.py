"""Fixtures of the resolver tests, and the loader of the real title data.

:func:`load_real_titles` reads the raw MyAnimeList files under ``../shared/data/raw`` (next to
the checkout): every ``mal_tv_seasons_ate329/<year>/<season>.json`` (all titles of TV entries)
and ``mal_ranking_2026/anime-ranking_2026-07-19.csv`` (the main title and members of every other
entry). ``benchmarks/resolve.py`` uses the same loader.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sequelcast.domain import TitleRecord

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
SEASONS_DIR = "raw/mal_tv_seasons_ate329"
RANKING_CSV = "raw/mal_ranking_2026/anime-ranking_2026-07-19.csv"


@dataclass
class RealTitles:
    """Titles, members and types of the real data, ready for :class:`TitleIndex`."""

    records: list[TitleRecord] = field(default_factory=list)
    popularity: dict[int, int] = field(default_factory=dict)
    types: dict[int, str] = field(default_factory=dict)


def _season_titles(row: dict[str, object]) -> list[tuple[str, str]]:
    out = [("main", row.get("title")), ("english", row.get("title_english"))]
    out.append(("japanese", row.get("title_japanese")))
    out.extend(("synonym", s) for s in row.get("title_synonyms") or [])  # type: ignore[union-attr]
    return [(kind, str(t)) for kind, t in out if t]


def load_real_titles(data_dir: Path = DATA_DIR) -> RealTitles:
    """Read the real MAL title data under ``data_dir`` (the folder holding ``raw/``)."""
    data = RealTitles()
    for path in sorted((data_dir / SEASONS_DIR).glob("*/*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            mal_id = int(row["mal_id"])
            if mal_id in data.types:
                continue
            data.types[mal_id] = str(row.get("type") or "TV")
            data.popularity[mal_id] = int(row.get("members") or 0)
            data.records.extend(TitleRecord(mal_id, t, kind) for kind, t in _season_titles(row))
    with (data_dir / RANKING_CSV).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            mal_id = int(row["id"])
            data.popularity[mal_id] = int(row["num_list_users"] or 0)
            if mal_id not in data.types:
                data.records.append(TitleRecord(mal_id, row["title"], "main"))
    return data


def real_data_available(data_dir: Path = DATA_DIR) -> bool:
    return (data_dir / SEASONS_DIR).is_dir() and (data_dir / RANKING_CSV).is_file()


@pytest.fixture(scope="session")
def real_titles() -> RealTitles:
    if not real_data_available():
        pytest.skip(f"real data not found under {DATA_DIR} (needs {SEASONS_DIR} and {RANKING_CSV})")
    return load_real_titles()
