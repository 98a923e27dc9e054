"""The catalog's tables (SQLAlchemy Core) and its versioned migrations.

Record tables (what sources said, each row stamped with ``observed_at`` and ``source``):
``facts``, ``id_links``, ``tvdb_mappings``, ``first_seen``, ``relations``, ``collection_members``,
``crosswalk``, ``entry_first_seen``.
Derived tables, rebuilt with every build in the same transaction, as of the build's end of data:
``anime`` (one row per entry, newest fact winning), ``titles`` (every title of every entry, for
the resolver), ``franchise_links``, ``franchise_members``, ``franchises`` (each franchise's JSON:
seasons in order, others, next-season status with evidence), ``anime_derived`` (per entry: its
franchise, the status of the season after it, its peers' percentiles), ``forecasts`` (the forecast
of every waiting show, fitted during the build), ``derived_blobs`` (the pickled title index) and
``title_answers`` (the entry the resolver chose for each catalog title, so that a query typing a
title out is answered by one indexed read).
``source_links`` (anime -> source work, as of the build's date). Source works: ``manga`` (MAL
manga and novels), ``manga_id_links`` (AniList ids of MAL manga), ``novels`` (NovelUpdates).
Bookkeeping: ``builds``, ``rejects`` and ``schema_version``. The user's ``watchlist`` and its
``watch_events`` survive rebuilds. The forecast ledger (``ledger_runs``,
``ledger_forecasts``) survives them too, and is insert-only: triggers refuse any ``UPDATE`` or
``DELETE`` of its rows.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime, nullable=False, server_default=func.now()),
)

builds = Table(
    "builds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("data_dir", Text),
    Column("as_of", Date),
    Column("counts", JSON),
)

facts = Table(
    "facts",
    metadata,
    Column("mal_id", Integer, nullable=False),
    Column("field", String(32), nullable=False),
    Column("value", Text, nullable=False),  # JSON text, encoded by the store
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
    Index("ix_facts_mal_id", "mal_id"),
    Index("ix_facts_observed_at", "observed_at"),
)

id_links = Table(
    "id_links",
    metadata,
    Column("mal_id", Integer, nullable=False),
    Column("site", String(32), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
    Index("ix_id_links_mal_id", "mal_id"),
    Index("ix_id_links_site_external", "site", "external_id"),
)

tvdb_mappings = Table(
    "tvdb_mappings",
    metadata,
    Column("anidb_id", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("tvdb_id", String(40)),
    Column("tvdb_season", String(8)),
    Column("episode_offset", Integer),
    Column("studio", Text),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
    Index("ix_tvdb_mappings_anidb", "anidb_id"),
)

first_seen = Table(
    "first_seen",
    metadata,
    Column("anidb_id", Integer, primary_key=True, autoincrement=False),
    Column("first_listed", Date, nullable=False),
    Column("first_mapped", Date),
    Column("tvdb_id", String(40)),
    Column("tvdb_season", String(8)),
    Column("source", String(40), nullable=False),
)

relations = Table(
    "relations",
    metadata,
    Column("from_mal_id", Integer),
    Column("to_mal_id", Integer),
    Column("kind", String(32), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
    Column("from_anilist_id", Integer),
    Column("to_anilist_id", Integer),
)

collection_members = Table(
    "collection_members",
    metadata,
    Column("collection", Text, nullable=False),
    Column("mal_id", Integer, nullable=False),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
    Index("ix_collection_members_mal", "mal_id"),
)

rejects = Table(
    "rejects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("build_id", Integer),
    Column("source", String(40), nullable=False),
    Column("location", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),
)

anime = Table(
    "anime",
    metadata,
    Column("mal_id", Integer, primary_key=True, autoincrement=False),
    Column("title", Text, nullable=False),
    Column("title_english", Text),
    Column("title_japanese", Text),
    Column("synonyms", JSON, nullable=False),
    Column("type", String(16)),
    Column("episodes", Integer),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("season", String(8)),
    Column("year", Integer),
    Column("status", String(32)),
    Column("source_type", String(32)),
    Column("studios", JSON, nullable=False),
    Column("producers", JSON, nullable=False),
    Column("licensors", JSON, nullable=False),
    Column("genres", JSON, nullable=False),
    Column("themes", JSON, nullable=False),
    Column("demographics", JSON, nullable=False),
    Column("rating", Text),
    Column("duration", Text),
    Column("score", Float),
    Column("scored_by", Integer),
    Column("members", Integer),
    Column("favorites", Integer),
    Column("rank", Integer),
    Column("popularity", Integer),
    Column("first_seen", Date),
    Column("last_observed", Date),
    Column("ids", JSON, nullable=False),
    Index("ix_anime_type", "type"),
)

titles = Table(
    "titles",
    metadata,
    Column("mal_id", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Index("ix_titles_mal_id", "mal_id"),
)

franchise_links = Table(
    "franchise_links",
    metadata,
    Column("kind", String(16), nullable=False),
    Column("from_mal_id", Integer),
    Column("from_anidb_id", Integer),
    Column("to_mal_id", Integer),
    Column("to_anidb_id", Integer),
    Column("rank", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("observed_at", Date),
)

franchise_members = Table(
    "franchise_members",
    metadata,
    Column("franchise_id", String(40), nullable=False),
    Column("role", String(8), nullable=False),  # "season" or "other"
    Column("mal_id", Integer),
    Column("anidb_id", Integer),
    Column("number", Integer),
    Column("part", Integer),
    Column("title", Text, nullable=False),
    Index("ix_franchise_members_mal", "mal_id"),
)

watchlist = Table(
    "watchlist",
    metadata,
    Column("mal_id", Integer, primary_key=True, autoincrement=False),
    Column("title", Text, nullable=False),
    Column("added_at", Date, nullable=False),
    Column("last_checked", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("next_key", Text, nullable=False),  # what the next season was, to notice a change
)

watch_events = Table(
    "watch_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mal_id", Integer, nullable=False),
    Column("detected_at", Date, nullable=False),
    Column("old_status", String(16), nullable=False),
    Column("new_status", String(16), nullable=False),
    Column("message", Text, nullable=False),
)

manga = Table(
    "manga",
    metadata,
    Column("manga_id", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("title_english", Text),
    Column("title_japanese", Text),
    Column("type", String(16)),
    Column("volumes", Integer),
    Column("chapters", Integer),
    Column("status", String(32)),
    Column("published_from", Date),
    Column("published_to", Date),
    Column("score", Float),
    Column("members", Integer),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
)

build_lock = Table(
    "build_lock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1: one build at a time
    Column("token", String(32), nullable=False),
    Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
)

crosswalk = Table(
    "crosswalk",
    metadata,
    Column("anilist_id", Integer, nullable=False),
    Column("mal_id", Integer),
    Column("anidb_id", Integer),
    Column("romaji", Text),
    Column("english", Text),
    Column("native", Text),
    Column("type", String(16)),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
    Index("ix_crosswalk_mal", "mal_id"),
)

entry_first_seen = Table(
    "entry_first_seen",
    metadata,
    Column("mal_id", Integer, nullable=False),
    Column("first_seen", Date, nullable=False),
    Column("censored", Integer, nullable=False),
    Column("suspect", Integer, nullable=False),
    Column("source", String(40), nullable=False),
    Column("anilist_id", Integer),
    Column("anidb_id", Integer),
    Index("ix_entry_first_seen_mal", "mal_id"),
)

manga_id_links = Table(
    "manga_id_links",
    metadata,
    Column("manga_id", Integer, nullable=False),  # a MAL *manga* id
    Column("site", String(32), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
)

novels = Table(
    "novels",
    metadata,
    Column("novel_id", Integer, nullable=False),  # a NovelUpdates id (no MAL id: joined by title)
    Column("title", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list of strings
    Column("language", String(32)),
    Column("publisher", Text),
    Column("start_year", Integer),
    Column("complete", Integer),  # 1 / 0 / NULL (unknown)
    Column("volumes", Integer),
    Column("chapters", Integer),
    Column("observed_at", Date, nullable=False),
    Column("source", String(40), nullable=False),
)

source_links = Table(
    "source_links",
    metadata,
    Column(
        "mal_id", Integer, nullable=False
    ),  # the anime; one row per manga / novel-source TV anime
    Column("kind", String(16), nullable=False),  # manga, light_novel, novel, web_novel
    Column("linked", Integer, nullable=False),  # 1: a source work was linked
    Column("work_id", Integer),  # MAL manga id (NULL for a NovelUpdates work)
    Column("title", Text),
    Column("finished", Integer),  # 1 / 0 / NULL (unknown) on the build's as-of date
    Column("published_from", Date),
    Column("published_to", Date),
    Column("volumes", Integer),
    Column("summary", Text, nullable=False),
    Index("ix_source_links_mal_id", "mal_id"),
)

franchises = Table(
    "franchises",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("title", Text, nullable=False),
    Column("doc", JSON, nullable=False),  # the JSON of `sequelcast franchise --json`
)

anime_derived = Table(
    "anime_derived",
    metadata,
    Column("mal_id", Integer, primary_key=True, autoincrement=False),
    Column("franchise_id", String(40)),
    Column("next_season", JSON),  # for a main-line season: the status of the season after it
    Column("peers", JSON, nullable=False),  # peer group, its size, the percentiles
)

forecasts = Table(
    "forecasts",
    metadata,
    Column("franchise_id", String(40), primary_key=True),
    Column("position", Integer, nullable=False),  # the order of `forecast --all`
    Column("mal_id", Integer),
    Column("as_of", Date, nullable=False),
    Column("model", String(32), nullable=False),
    Column("doc", JSON, nullable=False),  # the "forecast" member of `sequelcast forecast --json`
)

derived_blobs = Table(
    "derived_blobs",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("version", String(40), nullable=False),  # the sequelcast that wrote it
    Column("data", LargeBinary, nullable=False),
)

ledger_runs = Table(
    "ledger_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "kind", String(8), nullable=False
    ),  # "record" (made on the day) or "replay" (made later)
    Column("as_of", Date, nullable=False),  # the date the forecasts are for (what was known then)
    Column("build_key", String(32), nullable=False),  # identity of the catalog build used
    Column("build_id", Integer),
    Column("model", String(40), nullable=False),  # the model asked for ("auto", "cox"...)
    Column("version", String(40), nullable=False),  # sequelcast version
    Column("created_at", DateTime, nullable=False),
    Column("n_forecasts", Integer, nullable=False),
    UniqueConstraint("kind", "as_of", "build_key", "model", name="uq_ledger_runs_once"),
)

ledger_forecasts = Table(
    "ledger_forecasts",
    metadata,
    Column("run_id", Integer, ForeignKey("ledger_runs.id"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("franchise_id", String(40), nullable=False),
    Column("spell_id", String(80), nullable=False),
    Column("mal_id", Integer),  # the season that ended with no next season known
    Column("anidb_id", Integer),
    Column("number", Integer),
    Column("part", Integer),
    Column("title", Text, nullable=False),
    Column("ended", Date),
    Column("waited_years", Float, nullable=False),
    Column("p_1y", Float),
    Column("p_2y", Float),
    Column("p_3y", Float),
    Column("p_5y", Float),
    Column("verdict", Text),
    Column("confidence", Text),
    Column("model", String(40), nullable=False),  # the model that made it ("cox_calibrated"...)
    Index("ix_ledger_forecasts_as_of", "as_of"),
    Index("ix_ledger_forecasts_run", "run_id"),
)

#: Horizons (years) the ledger keeps a probability for, as column ``p_<h>y``.
LEDGER_HORIZONS = (1, 2, 3, 5)

title_answers = Table(
    "title_answers",
    metadata,
    # resolve.answers.exact_key of a catalog title, or parsed_key of its parsed form
    Column("key", Text, primary_key=True),
    Column("mal_id", Integer),  # the entry the title resolver chose (NULL: it refused to choose)
)

_V2_TABLES = [franchise_links, franchise_members]
_V3_TABLES = [watchlist, watch_events]
_V4_TABLES = [manga]
_V5_TABLES = [crosswalk, entry_first_seen]
_V6_TABLES = [manga_id_links, novels, source_links]
_V8_TABLES = [franchises, anime_derived, forecasts, derived_blobs]
_V9_TABLES = [ledger_runs, ledger_forecasts]
_V10_TABLES = [build_lock]
_V11_TABLES = [title_answers]
_V1_TABLES = [
    t
    for t in metadata.sorted_tables
    if t
    not in (
        _V2_TABLES
        + _V3_TABLES
        + _V4_TABLES
        + _V5_TABLES
        + _V6_TABLES
        + _V8_TABLES
        + _V9_TABLES
        + _V10_TABLES
        + _V11_TABLES
    )
]

#: Tables a build replaces as a whole (in this order for deletes).
BUILD_TABLES = (
    title_answers,
    derived_blobs,
    forecasts,
    anime_derived,
    franchises,
    source_links,
    novels,
    manga_id_links,
    entry_first_seen,
    crosswalk,
    manga,
    franchise_members,
    franchise_links,
    titles,
    anime,
    rejects,
    collection_members,
    relations,
    first_seen,
    tvdb_mappings,
    id_links,
    facts,
)


#: Derived tables of JSON rows the build writes through :meth:`Catalog.replace`'s ``derived``.
DERIVED_TABLES = (franchises, anime_derived, forecasts, title_answers)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V1_TABLES)


def _v2(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V2_TABLES)


def _v3(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V3_TABLES)


def _v4(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V4_TABLES)


def _v5(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V5_TABLES)


def _v6(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V6_TABLES)


def _v8(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V8_TABLES)
    conn.exec_driver_sql(
        "DROP TABLE IF EXISTS raw_records"
    )  # never written: the downloads keep payloads


def _v9(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V9_TABLES)
    for table in ("ledger_runs", "ledger_forecasts"):
        for statement in _insert_only(conn.dialect.name, table):
            conn.execute(text(statement))


def _insert_only(dialect: str, table: str) -> list[str]:
    """SQL that makes ``table`` refuse ``UPDATE`` and ``DELETE`` (a forecast is never rewritten)."""
    message = f"{table} is insert-only: a recorded forecast is never rewritten"
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_insert_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_insert_only()",
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def _v10(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V10_TABLES)


def _v11(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V11_TABLES)


#: (version, description, function). Append, never edit, once released.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "initial catalog: records, derived tables, builds, rejects, raw records", _v1),
    (2, "franchise links with their evidence, and franchise members", _v2),
    (3, "watchlist and its events (kept across builds)", _v3),
    (4, "MyAnimeList manga and novels (volumes, chapters, publication status)", _v4),
    (
        5,
        "AniList crosswalk with titles in three scripts; MAL and AniList-pair first sightings",
        _v5,
    ),
    (6, "source material: AniList manga ids, NovelUpdates novels, anime -> source work links", _v6),
    (
        8,
        "derived tables: franchises, per-entry facts, forecasts, title index; raw_records dropped",
        _v8,
    ),
    (9, "forecast ledger: runs and their forecasts, insert-only (kept across builds)", _v9),
    (10, "build lock: one build at a time per catalog", _v10),
    (
        11,
        "title answers: the entry each catalog title resolves to, read without the title index",
        _v11,
    ),
)
LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    """The schema version of the database (0 when empty)."""
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    return conn.execute(select(func.max(schema_version.c.version))).scalar() or 0


def applied_versions(conn: Connection) -> set[int]:
    """Every migration version recorded in the database."""
    if not conn.dialect.has_table(conn, "schema_version"):
        return set()
    return {int(v) for (v,) in conn.execute(select(schema_version.c.version))}


def migrate(conn: Connection) -> list[int]:
    """Apply every migration the database has not recorded (in order); returns the versions applied.

    Versions are numbered by feature, not by date, so a database may hold 8 and miss 5: each
    missing one is applied, not only those above the highest.
    """
    done = applied_versions(conn)
    applied = []
    for version, _description, apply in MIGRATIONS:
        if version not in done:
            apply(conn)
            conn.execute(schema_version.insert().values(version=version))
            applied.append(version)
    return applied
