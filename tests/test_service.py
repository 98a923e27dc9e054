"""The service object on real SQLite catalogs: builds derive, queries read, caches are bounded."""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from sequelcast.catalog import open_catalog
from sequelcast.errors import CatalogError
from sequelcast.service import BoundedCache, Sequelcast, build_catalog
from sequelcast.service._app import VIEW_FILES_KEPT
from sequelcast.settings import Settings

FIXTURES = Path(__file__).parent / "sources" / "fixtures"


def settings(url: str, root: Path, today: date | None = None) -> Settings:
    return Settings(
        db=url, data=None, today=today, model_dir=root / "models", downloads=root / "downloads"
    )


def test_build_reads_an_offline_database_dump(tiny_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(tiny_data, data)
    dump_dir = data / "raw" / "anime-offline-database"
    dump_dir.mkdir(parents=True)
    shutil.copy(FIXTURES / "offline_db_sample.jsonl", dump_dir / "dump.jsonl")
    with open_catalog(f"sqlite:///{tmp_path / 'c.db'}") as cat:
        report = build_catalog(cat, data, forecasts=False)
        stats = cat.stats()
        assert "offline_db" in stats["entries_by_source"]
        assert stats["rejects_by_source"].get("offline_db", 0) >= 1  # the fixture's bad records
        assert any("dump.jsonl" in loc for loc in report.counts["per_file"])
        hige = cat.get_anime(40938)
        assert hige is not None
        assert hige.external_id("anilist") == "114232"


@pytest.fixture
def tiny_service(tiny_data: Path, tmp_path: Path) -> Sequelcast:
    svc = Sequelcast(settings(f"sqlite:///{tmp_path / 'c.db'}", tmp_path, today=date(2030, 1, 1)))
    svc.build(tiny_data, forecasts=False)
    return svc


def test_the_build_writes_what_queries_read(tiny_service: Sequelcast) -> None:
    cat = tiny_service.catalog
    assert cat.franchise_doc("mal:100") == tiny_service.franchise("100")
    derived = cat.derived_of(200)
    assert derived is not None
    assert derived["franchise_id"] == "mal:100"
    assert derived["next_season"]["status"] == "none"  # the season after season 2: none yet
    assert cat.blob("title-index") is not None
    assert cat.last_build()["counts"]["forecast"] == {"fitted": False, "error": "not asked"}


def test_the_date_is_decided_once_and_capped_at_the_end_of_data(tiny_service: Sequelcast) -> None:
    end = tiny_service.data_date()
    assert tiny_service.catalog.last_build()["counts"]["end_of_data"] == end.isoformat()
    assert tiny_service.answer_date() == end  # settings.today (2030) is after the data
    assert tiny_service.answer_date(date(2018, 5, 7)) == date(2018, 5, 7)
    assert tiny_service.answer_date(date(2099, 1, 1)) == end
    assert tiny_service.fact_sheet("100")["as_of"] == end.isoformat()
    assert tiny_service.franchise("100")["as_of"] == end.isoformat()


def test_a_past_date_is_derived_once_into_the_bounded_cache(tiny_service: Sequelcast) -> None:
    assert tiny_service.view_cache.keys() == []
    past = tiny_service.franchise("100", date(2018, 8, 1))
    assert past["next_season"]["status"] == "announced"
    assert tiny_service.fact_sheet("100", date(2018, 8, 1))["next_season"] == past["next_season"]
    assert len(tiny_service.view_cache.keys()) == 1  # both answers read the same derived date
    for day in (1, 2, 3):
        tiny_service.franchise("100", date(2018, 9, day))
    assert len(tiny_service.view_cache.keys()) == tiny_service.view_cache.size == 2


def test_a_rebuild_is_never_answered_from_the_old_caches(
    tiny_service: Sequelcast, tiny_data: Path
) -> None:
    first = tiny_service.build_key()
    tiny_service.franchise("100", date(2018, 8, 1))
    tiny_service.build(tiny_data, date(2018, 6, 15), forecasts=False)
    assert tiny_service.build_key() != first
    assert tiny_service.view_cache.keys() == []
    assert tiny_service.franchise("100")["next_season"]["status"] == "none"  # as of 2018-06-15


def test_a_damaged_stored_title_index_is_rebuilt_from_the_titles(tiny_service: Sequelcast) -> None:
    with tiny_service.catalog.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE derived_blobs SET data = x'00010203'")
    assert tiny_service.find_mal_id("higehiro") == 40938


def test_concurrent_readers_share_one_service(tiny_service: Sequelcast) -> None:
    answers: list[str] = []
    errors: list[BaseException] = []

    def ask(as_of: date | None) -> None:
        try:
            answers.append(tiny_service.franchise("Tiny Show", as_of)["next_season"]["status"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(d,)) for d in [None, date(2018, 8, 1)] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (
        sorted(answers) == ["announced"] * 4 + ["none"] * 4
    )  # Tiny Show's sequel aired: none after it


def test_no_catalog_is_a_clear_error(tmp_path: Path) -> None:
    svc = Sequelcast(settings(f"sqlite:///{tmp_path / 'none.db'}", tmp_path))
    with pytest.raises(CatalogError, match="run `sequelcast build` first"):
        svc.fact_sheet("100")
    assert not (tmp_path / "none.db").exists()


def test_bounded_cache_computes_each_key_once_across_threads() -> None:
    cache: BoundedCache[int] = BoundedCache(3)
    calls: list[int] = []
    gate = threading.Event()

    def slow() -> int:
        gate.wait(5)
        calls.append(1)
        return 42

    threads = [threading.Thread(target=cache.get, args=("k", slow)) for _ in range(5)]
    for t in threads:
        t.start()
    assert cache.get("other", lambda: 7) == 7  # another key is not blocked by the computation
    gate.set()
    for t in threads:
        t.join()
    assert calls == [1]
    assert cache.get("k", lambda: 0) == 42


def test_bounded_cache_refuses_a_size_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BoundedCache(0)


def test_both_backends_give_the_same_answers(
    catalog_url: str, tiny_data: Path, tmp_path: Path
) -> None:
    """The derived tables (JSON, the title index blob) read back the same from SQLite and PostgreSQL."""
    with Sequelcast(settings(catalog_url, tmp_path / "a")) as svc:
        svc.build(tiny_data, forecasts=False)
        answers = (
            svc.fact_sheet("higehiro"),
            svc.franchise("Tiny Show"),
            svc.forecast("100", date(2018, 8, 1)),
        )
    lite = f"sqlite:///{tmp_path / 'lite.db'}"
    with Sequelcast(settings(lite, tmp_path / "b")) as svc:
        svc.build(tiny_data, forecasts=False)
        assert answers == (
            svc.fact_sheet("higehiro"),
            svc.franchise("Tiny Show"),
            svc.forecast("100", date(2018, 8, 1)),
        )


def test_a_past_date_is_derived_into_a_file_another_service_reuses(
    tiny_service: Sequelcast, tmp_path: Path
) -> None:
    past = tiny_service.franchise("100", date(2018, 8, 1))
    (path,) = (tmp_path / "models").glob("asof-*.db")
    written = path.stat().st_mtime_ns
    with Sequelcast(tiny_service.settings) as other:  # as in another process or worker
        assert other.franchise("100", date(2018, 8, 1)) == past
    assert path.stat().st_mtime_ns == written
    for day in range(1, 9):
        tiny_service.fact_sheet("100", date(2018, 9, day))
    assert (
        len(list((tmp_path / "models").glob("asof-*.db"))) == VIEW_FILES_KEPT == 6
    )  # the disk budget
    tiny_service.close()


def test_announced_refusal_names_the_entry_and_its_dates() -> None:
    from sequelcast.service._app import _announced_message

    nxt = {
        "status": "announced",
        "mal_id": 51,
        "title": "Show Season 2",
        "first_seen": "2025-03-01",
        "expected": "2026-10-04",
    }
    msg = _announced_message("Show", nxt)
    assert msg == (
        "Show: the next season is already announced: Show Season 2 (MAL 51), "
        "first seen 2025-03-01, airs 2026-10-04"
    )
    tba = _announced_message(
        "Show",
        {
            "status": "announced",
            "title": "Show 2",
            "mal_id": None,
            "first_seen": None,
            "expected": None,
        },
    )
    assert tba.endswith("Show 2, air date TBA")


def test_the_child_deriving_past_dates_runs_at_a_lower_priority(tmp_path: Path) -> None:
    """Its seconds of CPU give way to the requests the parent answers meanwhile."""
    import os

    from sequelcast.service._app import CHILD_NICENESS

    with Sequelcast(settings(f"sqlite:///{tmp_path / 'c.db'}", tmp_path)) as svc:
        child = svc._child().submit(os.nice, 0).result()
    assert child == min(os.nice(0) + CHILD_NICENESS, 19)


def test_the_last_build_is_parsed_once_per_build(tiny_service: Sequelcast, tiny_data: Path) -> None:
    first = tiny_service.last_build()
    assert first is not None
    assert first == tiny_service.reads.last_build()
    assert tiny_service.last_build() is first  # the same build: not parsed again
    # a rebuild (another process could write it as well) is seen by the next call
    with open_catalog(tiny_service.settings.db) as cat:
        build_catalog(cat, tiny_data, date(2018, 6, 15), forecasts=False)
    second = tiny_service.last_build()
    assert second is not None
    assert second is not first
    assert second["id"] == first["id"] + 1
    assert second["as_of"] == date(2018, 6, 15)
    assert tiny_service.data_date() == date.fromisoformat(second["counts"]["end_of_data"])
    assert tiny_service.data_date() <= date(2018, 6, 15)
