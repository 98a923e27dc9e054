"""The reads of one show's answers: the same rows through sqlite3 as through SQLAlchemy."""

from __future__ import annotations

import gc
import shutil
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sequelcast.catalog import open_catalog, open_reads
from sequelcast.catalog import schema as s
from sequelcast.catalog._read import SCHEMA_VERSION, SqliteReads
from sequelcast.domain import PAGE_FIELDS
from sequelcast.errors import CatalogError, CatalogUnavailableError


def test_the_queries_are_written_for_the_latest_schema() -> None:
    assert SCHEMA_VERSION == s.LATEST


def test_a_sqlite_file_is_read_through_sqlite3(synthetic_catalog_url: str) -> None:
    with open_reads(synthetic_catalog_url) as reads:
        assert isinstance(reads, SqliteReads)
        assert reads.backend == "sqlite"


def test_every_read_gives_what_sqlalchemy_gives(synthetic_catalog_url: str) -> None:
    """Entries against SQLAlchemy's typed rows (dates, JSON lists), the rest against the Catalog."""
    with (
        open_catalog(synthetic_catalog_url, create=False) as cat,
        SqliteReads(Path(synthetic_catalog_url.removeprefix("sqlite:///"))) as lite,
    ):
        typed = {a.mal_id: a for a in cat.all_anime()}
        assert typed
        assert all(lite.get_anime(m) == a for m, a in typed.items())
        assert lite.get_anime(max(typed) + 1) is None
        with cat.engine.connect() as conn:
            build = dict(
                conn.execute(select(s.builds).order_by(s.builds.c.id.desc()).limit(1))
                .one()
                ._mapping
            )
            franchises = list(conn.execute(select(s.franchises.c.id)).scalars())
            keys = list(conn.execute(select(s.title_answers.c.key)).scalars())
            paged = list(
                conn.execute(
                    select(s.facts.c.mal_id).where(s.facts.c.field.in_(PAGE_FIELDS))
                ).scalars()
            )
        assert lite.last_build() == cat.last_build() == build
        assert franchises
        assert keys
        for fid in franchises:
            assert lite.franchise_doc(fid) == cat.franchise_doc(fid) is not None
            assert lite.stored_forecast(fid) == cat.stored_forecast(fid)
        assert any(lite.stored_forecast(fid) for fid in franchises)
        for key in keys[:500]:
            assert lite.title_answer(key) == cat.title_answer(key)
        assert lite.title_answer("=no such title") == (False, None)
        for mal_id in list(typed)[:200]:
            assert lite.derived_of(mal_id) == cat.derived_of(mal_id)
        for mal_id in set(paged) or list(typed)[:20]:
            for as_of in (None, date(2000, 1, 1), date(2020, 6, 1)):
                assert lite.page_facts(mal_id, as_of) == cat.page_facts(mal_id, as_of)
        assert lite.blob("title-index") == cat.blob("title-index")


def test_each_thread_reads_through_its_own_connection(synthetic_catalog_url: str) -> None:
    with open_reads(synthetic_catalog_url) as reads:
        expected = reads.last_build()
        seen: list[object] = []
        threads = [
            threading.Thread(target=lambda: seen.append(reads.last_build())) for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert seen == [expected] * 4
        gc.collect()
        assert reads.open_connections() == 1  # the threads' connections went with them


def test_a_replaced_file_is_read_again(
    synthetic_catalog_url: str, tiny_data: Path, tmp_path: Path
) -> None:
    """A catalog swapped in by renaming a new file over the old one is read, not the old inode."""
    from sequelcast.service import build_catalog

    path = tmp_path / "catalog.db"
    shutil.copy(synthetic_catalog_url.removeprefix("sqlite:///"), path)
    with open_catalog(f"sqlite:///{tmp_path / 'other.db'}") as other:
        build_catalog(other, tiny_data, forecasts=False)
    with SqliteReads(path) as reads:
        before = reads.last_build()
        assert before is not None
        (tmp_path / "other.db").replace(path)
        after = reads.last_build()
        assert after is not None
        assert after["counts"] != before["counts"]


def test_no_catalog_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no catalog at .*run `sequelcast build`"):
        open_reads(f"sqlite:///{tmp_path / 'missing.db'}")
    empty = tmp_path / "empty.db"
    open_catalog(f"sqlite:///{empty}").close()  # a schema, no build yet
    with open_reads(f"sqlite:///{empty}") as reads:
        assert reads.last_build() is None
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)  # not a catalog: the full checks of open_catalog answer
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(CatalogError, match="holds no catalog"):
        open_reads(f"sqlite:///{other}")


def test_a_deleted_file_is_unavailable_not_a_traceback(
    synthetic_catalog_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.db"
    shutil.copy(synthetic_catalog_url.removeprefix("sqlite:///"), path)
    with SqliteReads(path) as reads:
        assert reads.last_build() is not None
        path.unlink()
        with pytest.raises(CatalogUnavailableError, match="unavailable"):
            reads.last_build()
