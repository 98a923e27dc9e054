"""Resolution end to end: the real catalog, its stored title index and franchise season numbers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sequelcast.catalog import open_catalog
from sequelcast.service import Sequelcast
from sequelcast.settings import Settings

pytestmark = pytest.mark.integration


def _queries() -> list[tuple[str, int]]:
    path = Path(__file__).resolve().parents[1] / "resolve" / "test_real_queries.py"
    spec = importlib.util.spec_from_file_location("real_queries", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.QUERIES)


def service(url: str, root: Path) -> Sequelcast:
    return Sequelcast(
        Settings(db=url, data=None, today=None, model_dir=root / "models", downloads=root)
    )


def test_catalog_resolution_with_franchise_seasons(real_catalog_url: str, tmp_path: Path) -> None:
    """The same query table, with season numbers from the franchise graph instead of a hand map."""
    queries = _queries()
    with open_catalog(real_catalog_url, create=False) as cat:
        seasons = cat.season_numbers()
    assert seasons[43608][1] == 3  # Kaguya-sama: Ultra Romantic is season 3
    misses = []
    with service(real_catalog_url, tmp_path) as svc:
        for query, expected in queries:
            got = svc.resolve(query, 3)
            if not got or got[0].mal_id != expected:
                misses.append((query, expected, [(m.mal_id, m.title) for m in got]))
    accuracy = 1 - len(misses) / len(queries)
    assert accuracy >= 0.97, misses


def test_fact_sheet_of_higehiro(real_catalog_url: str, tmp_path: Path) -> None:
    with service(real_catalog_url, tmp_path) as svc:
        sheet = svc.fact_sheet("Higehiro")
    assert sheet["mal_id"] == 40938
    assert sheet["studios"] == ["Project No.9"]
    assert sheet["peers"]["group"] == "TV shows of 2021"
    assert 80 < sheet["peers"]["members_percentile"] <= 100
    assert [s["mal_id"] for s in sheet["franchise"]["seasons"]] == [40938]
    assert sheet["next_season"]["status"] == "none"
