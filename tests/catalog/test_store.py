"""The catalog store on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sequelcast.catalog import Catalog, open_catalog
from sequelcast.catalog import schema as s
from sequelcast.domain import Batch, Fact
from sequelcast.errors import CatalogError, SourceFileError
from sequelcast.service import build_catalog


def test_migrations_are_recorded(catalog: Catalog) -> None:
    assert catalog.version() == s.LATEST


def test_build_tiny(catalog: Catalog, tiny_data: Path) -> None:
    report = build_catalog(catalog, tiny_data)
    assert report.counts["entries"] == 5
    hige = catalog.get_anime(40938)
    assert hige is not None
    assert hige.title == "Hige wo Soru. Soshite Joshikousei wo Hirou."
    assert hige.episodes == 13
    assert (hige.start_date, hige.end_date) == (date(2021, 4, 5), date(2021, 6, 28))
    assert hige.studios == ("Project No.9",)
    assert "Higehiro" in hige.synonyms
    assert hige.external_id("anidb") == "15332"
    st_ = catalog.stats()
    assert st_["entries_by_type"] == {"Movie": 1, "TV": 4}
    assert st_["rejects"] == 3
    assert st_["rejects_by_source"] == {
        "mal_manga_2021": 1,
        "mal_snapshot_2018": 1,
        "mal_tv_seasons": 1,
    }
    assert (
        st_["records"]["manga"] == 2 + 3 + 3
    )  # the 2021 sample, the 2024-12 manga and light novels
    assert st_["records"]["novels"] == 3
    assert st_["records"]["manga_id_links"] == 2
    links = {r["mal_id"]: r for r in catalog.source_links()}
    assert links[40938]["work_id"] == 116201
    assert (
        links[40938]["summary"]
        == "light novel, 5 volumes, finished June 2021: little left to adapt"
    )


def test_rejects_keep_location_reason_and_raw(catalog: Catalog, tiny_data: Path) -> None:
    build_catalog(catalog, tiny_data)
    rows = {r["source"]: r for r in catalog.rejects()}
    bad = rows["mal_snapshot_2018"]
    assert bad["location"] == "raw/mal_snapshot_2018/tiny_2018-05-07.csv:4"
    assert "abc" in bad["reason"]
    assert "Bad Row" in bad["raw"]


def test_build_is_idempotent(catalog: Catalog, tiny_data: Path) -> None:
    build_catalog(catalog, tiny_data)
    first = (catalog.stats(), sorted(map(repr, catalog.load_batch().records())))
    build_catalog(catalog, tiny_data)
    second = (catalog.stats(), sorted(map(repr, catalog.load_batch().records())))
    assert first[1] == second[1]
    assert {k: v for k, v in first[0].items() if k != "last_build"} == {
        k: v for k, v in second[0].items() if k != "last_build"
    }


def test_bad_file_leaves_catalog_untouched(
    catalog: Catalog, tiny_data: Path, tmp_path: Path
) -> None:
    build_catalog(catalog, tiny_data)
    before = sorted(map(repr, catalog.load_batch().records()))
    broken = tmp_path / "data"
    shutil.copytree(tiny_data, broken)
    (broken / "raw/mal_snapshot_2016/tiny_2016.csv").write_bytes(b"\xff\xfebroken")
    with pytest.raises(
        SourceFileError, match="mal_snapshot_2016: cannot read .*tiny_2016.csv: not UTF-8"
    ):
        build_catalog(catalog, broken)
    assert sorted(map(repr, catalog.load_batch().records())) == before


def test_failed_write_rolls_back(catalog: Catalog, tiny_data: Path) -> None:
    build_catalog(catalog, tiny_data)
    before = catalog.stats()["facts"]
    admitted = Batch("x", "x", facts=[Fact(1, "title", object(), date(2020, 1, 1), "x")])
    from sequelcast.asof import assemble

    with pytest.raises((CatalogError, TypeError)):
        catalog.replace(
            admitted,
            assemble(Batch("x", "x"), None),
            data_dir="x",
            as_of=None,
            started_at=__import__("datetime").datetime.now(),
            counts={},
        )
    assert catalog.stats()["facts"] == before


def test_a_write_failing_after_the_records_keeps_the_previous_catalog_and_its_indexes(
    catalog: Catalog, tiny_data: Path
) -> None:
    """On SQLite the build's indexes are dropped and rebuilt inside the write transaction: a failure
    late in the write (a bad derived row, after every record was inserted) restores them too."""
    from sqlalchemy import inspect

    def indexes() -> set[str]:
        with catalog.engine.connect() as conn:
            found = inspect(conn)
            return {ix["name"] for t in s.BUILD_TABLES for ix in found.get_indexes(t.name)}

    build_catalog(catalog, tiny_data, forecasts=False)
    before, names = catalog.stats(), indexes()
    assert {ix.name for t in s.BUILD_TABLES for ix in t.indexes} <= names
    snap = catalog.snapshot()
    with pytest.raises(CatalogError):
        catalog.replace(
            catalog.load_batch(),
            snap,
            data_dir="x",
            as_of=None,
            started_at=__import__("datetime").datetime.now(),
            counts={},
            derived={"franchises": [{"id": None, "title": "x", "doc": {}}]},
        )
    assert catalog.stats() == before
    assert indexes() == names


def test_as_of_build_holds_nothing_later(catalog: Catalog, tiny_data: Path) -> None:
    as_of = date(2018, 5, 7)
    build_catalog(catalog, tiny_data, as_of)
    assert catalog.get_anime(40938) is None
    for rec in catalog.load_batch().records():
        assert rec.observed_at <= as_of
    assert catalog.get_anime(100).members == 210000
    assert catalog.last_build()["as_of"] == as_of


def test_snapshot_as_of_from_full_catalog_equals_as_of_build(
    catalog_url: str, tiny_data: Path, tmp_path: Path
) -> None:
    as_of = date(2018, 5, 7)
    with open_catalog(catalog_url) as full:
        build_catalog(full, tiny_data)
        from_full = full.snapshot(as_of)
    with open_catalog(f"sqlite:///{tmp_path / 'asof.db'}") as past:
        build_catalog(past, tiny_data, as_of)
        from_past = past.snapshot(as_of)
    assert from_full.entries == from_past.entries
    assert sorted(map(repr, from_full.id_links)) == sorted(map(repr, from_past.id_links))


def test_open_missing_sqlite_without_create(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="run `sequelcast build` first"):
        open_catalog(f"sqlite:///{tmp_path / 'none.db'}", create=False)


def test_newer_schema_is_refused(catalog_url: str) -> None:
    with open_catalog(catalog_url) as cat, cat.engine.begin() as conn:
        conn.execute(s.schema_version.insert().values(version=s.LATEST + 1))
    with pytest.raises(CatalogError, match="newer than this sequelcast"):
        open_catalog(catalog_url)


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    with open_catalog(f"sqlite:///{tmp_path / 'w.db'}") as cat, cat.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


#: a value of the right type for each kind of field
FIELD_VALUES = {
    "title": st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30
    ),
    "members": st.integers(0, 2**31 - 1),
    "score": st.floats(0, 10, allow_nan=False, width=32),
    "genres": st.lists(
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=10),
        max_size=4,
    ),
    "start_date": st.dates(),
}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fact=st.sampled_from(sorted(FIELD_VALUES)).flatmap(
        lambda f: st.builds(
            Fact,
            st.integers(1, 10**6),
            st.just(f),
            FIELD_VALUES[f],
            st.dates(min_value=date(2000, 1, 1)),
            st.sampled_from(["a", "mal_tv_seasons"]),
        )
    )
)
def test_fact_round_trip(catalog: Catalog, fact: Fact) -> None:
    """A fact written to either backend reads back equal."""
    with catalog.engine.begin() as conn:
        conn.execute(s.facts.delete())
        catalog._insert_records(conn, Batch("t", "t", facts=[fact]))
    (back,) = catalog.load_batch().facts
    assert back == fact
    with catalog.engine.connect() as conn:
        assert conn.execute(select(s.facts.c.mal_id)).scalar_one() == fact.mal_id


@pytest.mark.parametrize(
    ("table", "record"),
    [
        (s.id_links, "IdLink"),
        (s.tvdb_mappings, "TvdbMapping"),
        (s.first_seen, "FirstSeen"),
        (s.relations, "Relation"),
        (s.collection_members, "CollectionMember"),
    ],
)
def test_record_tables_follow_record_field_order(table, record) -> None:
    """The bulk insert sends records as tuples: column order must be the dataclass's field order."""
    import dataclasses

    from sequelcast import domain

    assert [c.name for c in table.columns] == [
        f.name for f in dataclasses.fields(getattr(domain, record))
    ]


def test_v1_catalog_is_migrated_to_latest(catalog_url: str) -> None:
    """A catalog made by schema version 1 gains the franchise tables when opened."""
    from sqlalchemy import inspect

    from sequelcast.catalog.store import make_engine

    engine = make_engine(catalog_url)
    with engine.begin() as conn:
        s._v1(conn)
        conn.execute(s.schema_version.insert().values(version=1))
        assert not inspect(conn).has_table("franchise_links")
    engine.dispose()
    with open_catalog(catalog_url) as cat:
        assert cat.version() == s.LATEST == max(v for v, _, _ in s.MIGRATIONS)
        with cat.engine.connect() as conn:
            assert inspect(conn).has_table("ledger_forecasts")
            assert inspect(conn).has_table("franchise_links")
            assert inspect(conn).has_table("source_links")
            assert inspect(conn).has_table("franchise_members")
            assert inspect(conn).has_table("franchises")
            assert inspect(conn).has_table("forecasts")


def test_a_missing_migration_below_the_newest_is_applied(catalog_url: str) -> None:
    """Versions are numbered by feature: a catalog with 8 but without 4 still gets 4."""
    from sqlalchemy import inspect

    from sequelcast.catalog.store import make_engine

    engine = make_engine(catalog_url)
    with engine.begin() as conn:
        for version, _, apply in s.MIGRATIONS:
            if version != 4:
                apply(conn)
                conn.execute(s.schema_version.insert().values(version=version))
        assert not inspect(conn).has_table("manga")
    engine.dispose()
    with open_catalog(catalog_url) as cat, cat.engine.connect() as conn:
        assert inspect(conn).has_table("manga")
        assert s.applied_versions(conn) == {v for v, _, _ in s.MIGRATIONS}


def test_the_sqlite_insert_stores_the_text_sqlalchemy_would(tmp_path: Path) -> None:
    # Catalog._insert encodes JSON itself on SQLite; SQLAlchemy's JSON type is the reference
    rows = [
        {
            "franchise_id": "f1",
            "position": 0,
            "mal_id": 5,
            "as_of": date(2026, 8, 22),
            "model": "m",
            "doc": {"p": [0.25, None], "名": "ひげ", "ok": True},
        },
        {
            "franchise_id": "f2",
            "position": 1,
            "mal_id": None,
            "as_of": date(2020, 1, 31),
            "model": "m",
            "doc": [],
        },
    ]
    derived_rows = [
        {"mal_id": 1, "franchise_id": None, "next_season": None, "peers": {"n": 3}},
        {"mal_id": 2, "franchise_id": "f", "next_season": {"status": "none"}, "peers": {}},
    ]
    stored = []
    for fast in (True, False):
        with open_catalog(f"sqlite:///{tmp_path / f'{fast}.db'}") as cat:
            with cat.engine.begin() as conn:
                for table, data in ((s.forecasts, rows), (s.anime_derived, derived_rows)):
                    if fast:
                        Catalog._insert(conn, table, data)
                    else:
                        conn.execute(table.insert(), data)
                stored.append(
                    [
                        conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").all()
                        for t in ("forecasts", "anime_derived")
                    ]
                )
            with cat.engine.connect() as conn:  # and it reads back as it was written
                assert [dict(r._mapping) for r in conn.execute(select(s.forecasts))] == rows
    assert stored[0] == stored[1]
    assert stored[0][1][0][2] == "null"  # None in a JSON column is JSON null, as SQLAlchemy writes
