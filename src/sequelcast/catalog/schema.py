"""The catalog's tables (SQLAlchemy Core) and its versioned migrations.

Record tables (what sources said, each row stamped with ``observed_at`` and ``source``):
``facts``, ``id_links``, ``tvdb_mappings``, ``first_seen``, ``relations``, ``collection_members``,
``manga``, ``crosswalk``, ``entry_first_seen``.
Derived tables, rebuilt with every build: ``anime`` (one row per entry, newest fact winning) and
``titles`` (every title of every entry, for the resolver), ``franchise_links`` and
``franchise_members``. Bookkeeping: ``builds``, ``rejects``, ``raw_records`` and
``schema_version``. The user's ``watchlist`` and its ``watch_events`` survive rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
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

raw_records = Table(
    "raw_records",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("record_id", String(200), primary_key=True),
    Column("fetched_at", DateTime, primary_key=True),
    Column("payload", Text, nullable=False),
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

_V2_TABLES = [franchise_links, franchise_members]
_V3_TABLES = [watchlist, watch_events]
_V4_TABLES = [manga]
_V5_TABLES = [crosswalk, entry_first_seen]
_V1_TABLES = [t for t in metadata.sorted_tables
              if t not in _V2_TABLES + _V3_TABLES + _V4_TABLES + _V5_TABLES]

#: Tables a build replaces as a whole (in this order for deletes).
BUILD_TABLES = (
    entry_first_seen, crosswalk, manga,
    franchise_members, franchise_links, titles, anime, rejects, collection_members, relations,
    first_seen, tvdb_mappings, id_links, facts,
)


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


#: (version, description, function). Append, never edit, once released.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "initial catalog: records, derived tables, builds, rejects, raw records", _v1),
    (2, "franchise links with their evidence, and franchise members", _v2),
    (3, "watchlist and its events (kept across builds)", _v3),
    (4, "MyAnimeList manga and novels (volumes, chapters, publication status)", _v4),
    (5, "AniList crosswalk with titles in three scripts; MAL and AniList-pair first sightings", _v5),
)
LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    """The schema version of the database (0 when empty)."""
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    return conn.execute(select(func.max(schema_version.c.version))).scalar() or 0


def migrate(conn: Connection) -> list[int]:
    """Apply every migration newer than the database; returns the versions applied."""
    done = current_version(conn)
    applied = []
    for version, _description, apply in MIGRATIONS:
        if version > done:
            apply(conn)
            conn.execute(schema_version.insert().values(version=version))
            applied.append(version)
    return applied
