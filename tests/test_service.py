"""Use cases in service.py on the tiny data: the offline-database dump, caches."""

from __future__ import annotations

import shutil
from pathlib import Path

from sequelcast import service
from sequelcast.catalog import open_catalog

FIXTURES = Path(__file__).parent / "sources" / "fixtures"


def test_build_reads_an_offline_database_dump(tiny_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(tiny_data, data)
    dump_dir = data / "raw" / "anime-offline-database"
    dump_dir.mkdir(parents=True)
    shutil.copy(FIXTURES / "offline_db_sample.jsonl", dump_dir / "dump.jsonl")
    with open_catalog(f"sqlite:///{tmp_path / 'c.db'}") as cat:
        report = service.build_catalog(cat, data)
        stats = cat.stats()
        assert "offline_db" in stats["entries_by_source"]
        assert stats["rejects_by_source"].get("offline_db", 0) >= 1  # the fixture's bad records
        assert any("dump.jsonl" in loc for loc in report.counts["per_file"])
        hige = cat.get_anime(40938)
        assert hige is not None
        assert hige.external_id("anilist") == "114232"


def test_snapshot_cache_survives_a_new_process_and_not_a_rebuild(tiny_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with open_catalog(url) as cat:
        service.build_catalog(cat, tiny_data)
        first = service.load_snapshot(cat, None, cache)
        assert len(list(cache.glob("snapshot-*.pickle"))) == 1
        service.clear_caches()  # as in a new process
        again = service.load_snapshot(cat, None, cache)
        assert again.entries == first.entries
        service.build_catalog(cat, tiny_data)  # a new build gets a new key
        service.load_snapshot(cat, None, cache)
        assert len(list(cache.glob("snapshot-*.pickle"))) == 2


def test_damaged_cache_is_rebuilt(tiny_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with open_catalog(f"sqlite:///{tmp_path / 'c.db'}") as cat:
        service.build_catalog(cat, tiny_data)
        service.load_snapshot(cat, None, cache)
        (path,) = cache.glob("snapshot-*.pickle")
        path.write_bytes(b"not a pickle")
        service.clear_caches()
        snap = service.load_snapshot(cat, None, cache)
        assert 40938 in snap.entries


def test_announced_refusal_names_the_entry_and_its_dates() -> None:
    from datetime import date

    from sequelcast.domain import NextSeason
    from sequelcast.service._forecast import _announced_message

    nxt = NextSeason("announced", mal_id=51, title="Show Season 2", first_seen=date(2025, 3, 1),
                     expected=date(2026, 10, 4))
    msg = _announced_message("Show", nxt)
    assert msg == ("Show: the next season is already announced: Show Season 2 (MAL 51), "
                   "first seen 2025-03-01, airs 2026-10-04")
    tba = _announced_message("Show", NextSeason("announced", title="Show 2"))
    assert tba.endswith("Show 2, air date TBA")
