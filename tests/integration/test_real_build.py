"""The whole real data (../shared/data): counts, the Higehiro record, and the as-of guarantee."""

from __future__ import annotations

from datetime import date

import pytest

from sequelcast.asof import admit
from sequelcast.catalog import open_catalog
from sequelcast.domain import merge_batches

pytestmark = pytest.mark.integration


def test_full_build_counts(real_catalog_url: str) -> None:
    with open_catalog(real_catalog_url, create=False) as cat:
        stats = cat.stats()
        tv_with_dates = sum(1 for a in cat.all_anime() if a.type == "TV" and a.start_date)
    assert stats["entries_by_type"]["TV"] >= 3900
    assert tv_with_dates >= 3900
    assert stats["entries_by_source"]["mal_tv_seasons"] == 3961
    assert stats["entries_by_source"]["mal_snapshot_2018"] == 13368
    assert stats["entries_by_source"]["mal_snapshot_2016"] == 12294
    assert stats["records"]["tvdb_mappings"] == 9815 + 11169 + 12931 + 16865
    assert (
        stats["records"]["manga"] == 500 + 19057 + 7600
    )  # the 2021 sample, the 2024-12 manga and light novels
    assert stats["records"]["novels"] == 6538
    # the only rejects of the real data: six self-loops of the 2023 MAL relations (docs/catalog.md)
    assert stats["rejects_by_source"] == {"mal_relations_2023": 6}


def test_higehiro(real_catalog_url: str) -> None:
    with open_catalog(real_catalog_url, create=False) as cat:
        hige = cat.get_anime(40938)
    assert hige is not None
    assert hige.title == "Hige wo Soru. Soshite Joshikousei wo Hirou."
    assert hige.episodes == 13
    assert (hige.start_date, hige.end_date) == (date(2021, 4, 5), date(2021, 6, 28))
    assert hige.studios == ("Project No.9",)
    assert hige.source_type == "Light novel"
    assert "Higehiro" in hige.synonyms
    assert dict(hige.ids)["anidb"] == "15332"


def test_as_of_2018_holds_nothing_observed_later(real_batches) -> None:
    as_of = date(2018, 5, 7)
    admitted = admit(merge_batches(real_batches, "all", "all"), as_of)
    later = [r for r in admitted.records() if r.observed_at > as_of]
    assert later == []
    assert all(fs.first_mapped is None or fs.first_mapped <= as_of for fs in admitted.first_seen)
    mal_ids = {f.mal_id for f in admitted.facts}
    assert 40938 not in mal_ids  # Higehiro
    members = {f.source for f in admitted.facts if f.mal_id == 16498 and f.field == "members"}
    assert members == {"mal_snapshot_2018", "mal_snapshot_2016"}


@pytest.mark.postgres
def test_real_build_on_postgres_matches_sqlite(
    shared_data, postgres_url: str, real_catalog_url: str
) -> None:
    """The whole real data also loads into PostgreSQL (column widths, types) with the same result."""
    from sequelcast.service import build_catalog

    with open_catalog(postgres_url) as pg:
        build_catalog(pg, shared_data, forecasts=False)
        pg_stats = pg.stats()
        hige = pg.get_anime(40938)
    with open_catalog(real_catalog_url, create=False) as lite:
        lite_stats = lite.stats()
    for key in ("entries", "entries_by_type", "entries_by_source", "facts", "records", "rejects"):
        assert pg_stats[key] == lite_stats[key], key
    assert hige is not None
    assert hige.start_date == date(2021, 4, 5)
