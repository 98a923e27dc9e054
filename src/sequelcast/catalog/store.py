"""The catalog store: the only code that speaks SQL. One code path for SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, create_engine, delete, event, func, insert, select, text
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError, SQLAlchemyError

from sequelcast.catalog import schema as s
from sequelcast.catalog._read import Reads
from sequelcast.domain import (
    FACT_FIELDS,
    LIST_FIELDS,
    Anime,
    Batch,
    CollectionMember,
    CrosswalkEntry,
    EntryFirstSeen,
    Fact,
    FirstSeen,
    IdLink,
    MangaRecord,
    NovelRecord,
    Relation,
    Snapshot,
    TitleRecord,
    TvdbMapping,
)
from sequelcast.errors import CatalogError, CatalogUnavailableError

_CHUNK = 20_000
_DATE_FIELDS = frozenset(k for k, v in FACT_FIELDS.items() if v is date)
#: What SQLite's Date type stores, and what the driver sends a ``date`` as (said here rather than
#: left to the driver's deprecated default adapter, which does the same); datetimes keep theirs.
sqlite3.register_adapter(date, date.isoformat)
#: SQLite page cache of the build's connection (KiB, as a negative ``cache_size``): the indexes are
#: built from sorted pages held in memory rather than re-read.
_BUILD_CACHE_KIB = 32_768


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _unavailable(context: ExceptionContext) -> None:
    """Turn "the database cannot be reached or used" into :class:`CatalogUnavailableError` (a 503).

    Connection failures (server down, dropped connection, database gone), operational errors
    (SQLite's "unable to open database file", "database is locked", "disk I/O error") and a file
    that is not a database. Programming errors (bad SQL, a violated constraint) stay as they are.
    """
    exc = context.sqlalchemy_exception
    unusable = isinstance(exc, OperationalError | InterfaceError) or type(exc) is DatabaseError
    if "no such table" in str(exc) or "no such column" in str(exc):  # SQLite's word for a bug
        unusable = False
    if context.is_disconnect or unusable:
        orig = context.original_exception
        first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        raise CatalogUnavailableError(f"the catalog database is unavailable: {first_line}") from exc


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's directory is created, and the file runs in WAL mode.

    Every "cannot reach or use the database" error of the engine is a
    :class:`~sequelcast.errors.CatalogUnavailableError` (see :func:`_unavailable`).
    """
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///") :]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _unavailable)
    return engine


def _fact_value(value: Any) -> str:
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


class _Dates:
    """Turns the dates a raw query returns (``date`` on PostgreSQL, text on SQLite) into dates."""

    def __init__(self) -> None:
        self._seen: dict[Any, date | None] = {None: None}

    def __call__(self, value: Any) -> date:
        """A date (never ``None``: for columns declared NOT NULL)."""
        d = self.optional(value)
        if d is None:
            raise CatalogError("a required date column holds NULL")
        return d

    def optional(self, value: Any) -> date | None:
        try:
            return self._seen[value]
        except KeyError:
            d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
            self._seen[value] = d
            return d


def _raw_rows(conn: Connection, table: Any) -> Any:
    """All rows of ``table`` as plain tuples, in column order, without SQLAlchemy's type processing."""
    cols = ", ".join(c.name for c in table.columns)
    return conn.exec_driver_sql(f"SELECT {cols} FROM {table.name}").all()


_GETTERS: dict[type, Any] = {}


def _rows(records: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Records' fields in declaration order (which is their table's column order)."""
    if not records:
        return []
    kind = type(records[0])
    get = _GETTERS.get(kind)
    if get is None:
        get = _GETTERS[kind] = attrgetter(*(f.name for f in dataclasses.fields(kind)))
    return [get(r) for r in records]


#: Value types whose JSON text is the same for every equal value of the same type (cacheable)
_PLAIN = (str, int, float, date, type(None))


def _fact_values(facts: Sequence[Fact]) -> list[tuple[Any, ...]]:
    """``facts`` rows with each value as JSON text (:func:`_fact_value`), each distinct value encoded once."""
    seen: dict[tuple[type, Any], str] = {}
    out = []
    for f in facts:
        v = f.value
        kind = type(v)
        if kind in _PLAIN or (kind is tuple and all(type(x) is str for x in v)):
            try:
                text = seen[kind, v]
            except KeyError:
                text = seen[kind, v] = _fact_value(v)
        else:
            text = _fact_value(v)
        out.append((f.mal_id, f.field, text, f.observed_at, f.source))
    return out


_ANIME_FIELDS = [f.name for f in dataclasses.fields(Anime)]


def _anime_row(a: Anime) -> dict[str, Any]:
    row = dict(zip(_ANIME_FIELDS, attrgetter(*_ANIME_FIELDS)(a), strict=True))
    for key in LIST_FIELDS:
        row[key] = list(row[key])
    row["ids"] = dict(a.ids)
    return row


def _anime_from_row(row: Any) -> Anime:
    values = dict(row._mapping)
    for key in LIST_FIELDS:
        values[key] = tuple(values[key] or ())
    values["ids"] = tuple(sorted((values["ids"] or {}).items()))
    return Anime(**values)


def _source_link_rows(snap: Snapshot) -> list[tuple[Any, ...]]:
    """One ``source_links`` row per anime of ``snap.source_features`` (as of the snapshot's date)."""
    return [
        (
            m,
            f.kind or "",
            int(f.linked),
            f.work_id,
            f.title,
            None if f.finished is None else int(f.finished),
            f.start,
            f.end,
            f.volumes,
            f.summary,
        )
        for m, f in sorted(snap.source_features.items())
    ]


def _chunks(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(rows), _CHUNK):
        yield rows[i : i + _CHUNK]


class Catalog(Reads):
    """A catalog database. Open it with :func:`open_catalog`; close it (or use ``with``).

    The reads of one show's answers are :class:`~sequelcast.catalog._read.Reads`' (plain SQL run
    here through SQLAlchemy); everything else is written with SQLAlchemy Core.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), dict(params or {}))]

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:  # type: ignore[override]  # read-only here: the engine's dialect
        return self.engine.dialect.name

    def version(self) -> int:
        with self.engine.connect() as conn:
            return s.current_version(conn)

    # -- writing -----------------------------------------------------------------------------

    def replace(
        self,
        admitted: Batch,
        snapshot: Snapshot,
        *,
        data_dir: str,
        as_of: date | None,
        started_at: datetime,
        counts: dict[str, Any],
        franchise_links: Sequence[dict[str, Any]] = (),
        franchise_members: Sequence[tuple[Any, ...]] = (),
        derived: Mapping[str, Sequence[dict[str, Any]]] | None = None,
        blobs: Mapping[str, bytes] | None = None,
        pending: Callable[[], tuple[Mapping[str, Sequence[dict[str, Any]]], Mapping[str, Any]]]
        | None = None,
    ) -> int:
        """Replace the whole catalog with ``admitted`` records in one transaction; returns the build id.

        ``derived`` maps a derived table's name (``franchises``, ``anime_derived``, ``forecasts``)
        to its rows; ``blobs`` names the binary artifacts (the pickled title index). ``pending``,
        when given, is called inside the transaction once every other row is written, and returns
        more derived rows and entries to add to ``counts``: work still running (the forecast fit)
        overlaps the write. Any failure, of ``pending`` too, rolls everything back: the previous
        catalog stays as it was.
        """
        from sequelcast import __version__

        derived = derived or {}
        try:
            with self.engine.begin() as conn:
                with self._bulk_load(conn):
                    self._insert_records(conn, admitted)
                    self._insert_derived(conn, snapshot)
                    self._insert(conn, s.franchise_links, franchise_links)
                    self._bulk(conn, s.franchise_members, franchise_members)
                    self._insert_derived_tables(conn, derived)
                if pending is not None:  # last: the indexes are built while it still runs
                    late, more_counts = pending()
                    self._insert_derived_tables(conn, late)
                    counts = {**counts, **more_counts}
                self._insert(
                    conn,
                    s.derived_blobs,
                    [
                        {"name": k, "version": __version__, "data": v}
                        for k, v in (blobs or {}).items()
                    ],
                )
                build_id = conn.execute(
                    insert(s.builds)
                    .values(
                        started_at=started_at,
                        finished_at=datetime.now(),
                        data_dir=data_dir,
                        as_of=as_of,
                        counts=counts,
                    )
                    .returning(s.builds.c.id)
                ).scalar_one()
                self._insert(
                    conn,
                    s.rejects,
                    [
                        {
                            "build_id": build_id,
                            "source": r.source,
                            "location": r.location,
                            "reason": r.reason,
                            "raw": r.raw,
                        }
                        for r in admitted.rejects
                    ],
                )
        except (SQLAlchemyError, CatalogUnavailableError) as exc:
            raise CatalogError(
                f"the build could not be written; the catalog is unchanged: {exc}"
            ) from exc
        return int(build_id)

    def _insert_derived_tables(
        self, conn: Connection, derived: Mapping[str, Sequence[dict[str, Any]]]
    ) -> None:
        unknown = set(derived) - {t.name for t in s.DERIVED_TABLES}
        if unknown:
            raise CatalogError(f"not a derived table: {', '.join(sorted(unknown))}")
        for table in s.DERIVED_TABLES:  # in their order (foreign keys)
            if table.name in derived:
                self._insert(conn, table, derived[table.name])

    @contextmanager
    def _bulk_load(self, conn: Connection) -> Iterator[None]:
        """Empty the build's tables for the rows the caller inserts, inside its transaction.

        On SQLite the tables' secondary indexes are dropped once the deletes have opened the
        transaction, and built again, from the sorted rows, once everything is inserted, with a larger page cache for the connection; SQLite's
        DDL is transactional, so a failure (or a kill) still leaves the previous catalog whole, indexes
        included, and readers keep seeing the previous build until the commit (WAL). PostgreSQL keeps
        its indexes: dropping one would lock its table against readers until the commit.
        """
        sqlite = conn.dialect.name == "sqlite"
        indexes = [ix for t in s.BUILD_TABLES for ix in t.indexes] if sqlite else []
        if sqlite:
            (old_cache,) = conn.exec_driver_sql("PRAGMA cache_size").one()
            conn.exec_driver_sql(f"PRAGMA cache_size=-{_BUILD_CACHE_KIB}")
        try:
            for table in s.BUILD_TABLES:
                conn.execute(delete(table))
            # The driver opens SQLite's transaction at the first DML statement and runs DDL before it
            # in autocommit mode: the indexes are dropped only once the deletes have opened it.
            if indexes and not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                raise CatalogError(
                    "the build's write transaction is not open: indexes left in place"
                )
            for ix in indexes:
                ix.drop(conn)
            yield
            for ix in indexes:
                ix.create(conn)
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size={int(old_cache)}")

    @staticmethod
    def _insert(conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts with the same keys) into a table that may have JSON columns.

        On SQLite the JSON values are encoded here with ``json.dumps``, the encoder SQLAlchemy's
        JSON type uses (the engine sets no other), ``None`` as ``null`` as it does, and the rows go
        straight to the driver: the same stored text, without SQLAlchemy's per-value processing
        (a third of the write of a build). Elsewhere, and for rows with a timestamp (SQLAlchemy's
        text for it is not the driver's), they go through that processing.
        """
        if not rows:
            return
        keys = list(rows[0])
        stamped = any(isinstance(table.c[k].type, DateTime) for k in keys)  # SQLAlchemy's format
        if conn.dialect.name != "sqlite" or stamped or any(len(r) != len(keys) for r in rows):
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)
            return
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
        encode = {c.name for c in table.columns if isinstance(c.type, JSON)}
        order = [(k, k in encode) for k in compiled.positiontup or keys]
        dumps = json.dumps
        data = [tuple(dumps(r[k]) if j else r[k] for k, j in order) for r in rows]
        for chunk in _chunks(data):
            conn.exec_driver_sql(compiled.string, chunk)

    @staticmethod
    def _bulk(conn: Connection, table: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert plain tuples (in column order) straight through the driver's ``executemany``.

        Only for tables of integers, text and dates: the statement is compiled by SQLAlchemy for
        the connection's dialect; dates go to SQLite as ISO text (what its Date type stores, see
        the adapter registered above) and to PostgreSQL as dates. Several times faster than the
        processed path on big tables.
        """
        if not rows:
            return
        compiled = insert(table).compile(dialect=conn.dialect)
        names = [c.name for c in table.columns]
        data: Sequence[Any]
        if compiled.positiontup is not None:
            order = [names.index(k) for k in compiled.positiontup]
            data = (
                rows
                if order == list(range(len(names)))
                else [tuple(r[i] for i in order) for r in rows]
            )
        else:
            data = [dict(zip(names, r, strict=True)) for r in rows]
        for chunk in _chunks(data):
            conn.exec_driver_sql(compiled.string, chunk)

    def _insert_records(self, conn: Connection, b: Batch) -> None:
        self._bulk(conn, s.facts, _fact_values(b.facts))
        self._bulk(conn, s.id_links, _rows(b.id_links))
        self._bulk(conn, s.tvdb_mappings, _rows(b.tvdb_mappings))
        self._bulk(conn, s.first_seen, _rows(b.first_seen))
        self._bulk(conn, s.relations, _rows(b.relations))
        self._bulk(conn, s.collection_members, _rows(b.collection_members))
        self._bulk(conn, s.manga, _rows(b.manga))
        self._bulk(conn, s.crosswalk, _rows(b.crosswalk))
        self._bulk(
            conn,
            s.entry_first_seen,
            [
                (
                    x.mal_id,
                    x.first_seen,
                    int(x.censored),
                    int(x.suspect),
                    x.source,
                    x.anilist_id,
                    x.anidb_id,
                )
                for x in b.entry_first_seen
            ],
        )
        self._bulk(conn, s.manga_id_links, _rows(b.manga_id_links))
        self._bulk(
            conn,
            s.novels,
            [
                (
                    n.novel_id,
                    n.title,
                    json.dumps(list(n.aliases), ensure_ascii=False),
                    n.language,
                    n.publisher,
                    n.start_year,
                    None if n.complete is None else int(n.complete),
                    n.volumes,
                    n.chapters,
                    n.observed_at,
                    n.source,
                )
                for n in b.novels
            ],
        )

    def _insert_derived(self, conn: Connection, snap: Snapshot) -> None:
        self._insert(conn, s.anime, [_anime_row(a) for a in snap.entries.values()])
        self._bulk(
            conn,
            s.titles,
            [(a.mal_id, t, kind) for a in snap.entries.values() for kind, t in a.all_titles()],
        )
        self._bulk(conn, s.source_links, _source_link_rows(snap))

    def write_view(
        self, snapshot: Snapshot, derived: Mapping[str, Sequence[dict[str, Any]]]
    ) -> None:
        """Replace the entries and the derived tables only: a catalog that answers for another date
        (the service's files of past dates; see :meth:`sequelcast.service.Sequelcast.view`)."""
        unknown = set(derived) - {t.name for t in s.DERIVED_TABLES}
        if unknown:
            raise CatalogError(f"not a derived table: {', '.join(sorted(unknown))}")
        with self.engine.begin() as conn:
            for table in (*s.DERIVED_TABLES, s.anime, s.source_links):
                conn.execute(delete(table))
            self._insert(conn, s.anime, [_anime_row(a) for a in snapshot.entries.values()])
            self._bulk(conn, s.source_links, _source_link_rows(snapshot))
            for table in s.DERIVED_TABLES:
                self._insert(conn, table, derived.get(table.name, ()))

    # -- reading -----------------------------------------------------------------------------

    def load_batch(self) -> Batch:
        """Every stored record (and reject) as a :class:`Batch`."""
        b = Batch(source="catalog", location=str(self.engine.url))
        d = _Dates()
        decoded: dict[tuple[str, str], Any] = {}  # values repeat a lot: decode each one once
        with self.engine.connect() as conn:
            for mal_id, fld, value, observed, source in _raw_rows(conn, s.facts):
                try:
                    v = decoded[fld, value]
                except KeyError:
                    v = json.loads(value)
                    v = d.optional(v) if fld in _DATE_FIELDS else v
                    decoded[fld, value] = v
                b.facts.append(Fact(mal_id, fld, v, d(observed), source))
            b.id_links = [
                IdLink(m, site, x, d(o), src) for m, site, x, o, src in _raw_rows(conn, s.id_links)
            ]
            b.tvdb_mappings = [
                TvdbMapping(a, n, t, se, off, st, d(o), src)
                for a, n, t, se, off, st, o, src in _raw_rows(conn, s.tvdb_mappings)
            ]
            b.first_seen = [
                FirstSeen(a, d(fl), d.optional(fm), t, se, src)
                for a, fl, fm, t, se, src in _raw_rows(conn, s.first_seen)
            ]
            b.relations = [
                Relation(fm, tm, k, e, d(o), src, fa, ta)
                for fm, tm, k, e, o, src, fa, ta in _raw_rows(conn, s.relations)
            ]
            b.collection_members = [
                CollectionMember(c, m, d(o), src)
                for c, m, o, src in _raw_rows(conn, s.collection_members)
            ]
            b.manga = [
                MangaRecord(
                    mid,
                    t,
                    te,
                    tj,
                    ty,
                    vol,
                    ch,
                    st,
                    d.optional(pf),
                    d.optional(pt),
                    sc,
                    mem,
                    d(o),
                    src,
                )
                for mid, t, te, tj, ty, vol, ch, st, pf, pt, sc, mem, o, src in _raw_rows(
                    conn, s.manga
                )
            ]
            b.crosswalk = [
                CrosswalkEntry(al, m, a, r, e, n, ty, d(o), src)
                for al, m, a, r, e, n, ty, o, src in _raw_rows(conn, s.crosswalk)
            ]
            b.entry_first_seen = [
                EntryFirstSeen(m, d(f), bool(c), bool(su), src, al, a)
                for m, f, c, su, src, al, a in _raw_rows(conn, s.entry_first_seen)
            ]
            b.manga_id_links = [
                IdLink(m, site, x, d(o), src)
                for m, site, x, o, src in _raw_rows(conn, s.manga_id_links)
            ]
            b.novels = [
                NovelRecord(
                    nid,
                    t,
                    tuple(json.loads(al)),
                    lang,
                    pub,
                    sy,
                    None if c is None else bool(c),
                    vol,
                    ch,
                    d(o),
                    src,
                )
                for nid, t, al, lang, pub, sy, c, vol, ch, o, src in _raw_rows(conn, s.novels)
            ]
        return b

    def snapshot(self, as_of: date | None = None) -> Snapshot:
        """What the catalog knew on ``as_of`` (everything when ``None``)."""
        from sequelcast.asof import admit, assemble  # numpy and rapidfuzz: not for a read command

        return assemble(admit(self.load_batch(), as_of), as_of)

    def source_links(self) -> list[dict[str, Any]]:
        """The build's anime -> source work rows (``source_links``), by anime MAL id."""
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(select(s.source_links).order_by(s.source_links.c.mal_id))
            ]

    def all_anime(self) -> list[Anime]:
        with self.engine.connect() as conn:
            return [_anime_from_row(r) for r in conn.execute(select(s.anime))]

    def fact_sources(
        self, mal_ids: Sequence[int], as_of: date | None = None
    ) -> list[tuple[int, str, str, date]]:
        """``(mal_id, field, source, observed_at)`` of every fact of these entries known on ``as_of``."""
        f = s.facts
        q = select(f.c.mal_id, f.c.field, f.c.source, f.c.observed_at).where(
            f.c.mal_id.in_(list(mal_ids))
        )
        if as_of is not None:
            q = q.where(f.c.observed_at <= as_of)
        with self.engine.connect() as conn:
            return [(m, fld, src, obs) for m, fld, src, obs in conn.execute(q)]

    def newest_observation(self) -> date | None:
        """The date of the newest stored record (fact, list row or first sighting)."""
        with self.engine.connect() as conn:
            days = [
                conn.execute(select(func.max(col))).scalar()
                for col in (
                    s.facts.c.observed_at,
                    s.tvdb_mappings.c.observed_at,
                    s.first_seen.c.first_listed,
                )
            ]
        known = [d if isinstance(d, date) else date.fromisoformat(str(d)[:10]) for d in days if d]
        return max(known) if known else None

    def popularity_and_types(self) -> tuple[dict[int, int], dict[int, str]]:
        """MAL id -> members, and MAL id -> type, of every entry."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.anime.c.mal_id, s.anime.c.members, s.anime.c.type)).all()
        return {m: n or 0 for m, n, _ in rows}, {m: t or "Unknown" for m, _, t in rows}

    def titles(self) -> list[TitleRecord]:
        with self.engine.connect() as conn:
            return [TitleRecord(r.mal_id, r.title, r.kind) for r in conn.execute(select(s.titles))]

    def season_numbers(self) -> dict[int, tuple[str, int]]:
        """MAL id -> (franchise id, season number) of every main-line season, from the last build."""
        q = select(
            s.franchise_members.c.mal_id,
            s.franchise_members.c.franchise_id,
            s.franchise_members.c.number,
        ).where(s.franchise_members.c.role == "season", s.franchise_members.c.mal_id.is_not(None))
        with self.engine.connect() as conn:
            return {m: (f, n) for m, f, n in conn.execute(q)}

    def franchise_memberships(self) -> tuple[dict[int, str], dict[str, int]]:
        """MAL id -> franchise id of every member, and franchise id -> number of seasons (announced
        ones without a MAL id included), from the last build."""
        fm = s.franchise_members.c
        members: dict[int, str] = {}
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            for mal_id, franchise, role, number in conn.execute(
                select(fm.mal_id, fm.franchise_id, fm.role, fm.number)
            ):
                if mal_id is not None:
                    members[mal_id] = franchise
                if role == "season" and number is not None:
                    counts[franchise] = max(counts.get(franchise, 0), number)
        return members, counts

    # -- derived tables (written by the build, read by every query) ----------------------------

    def franchise_docs(self) -> list[dict[str, Any]]:
        """The stored JSON of every franchise."""
        with self.engine.connect() as conn:
            return [dict(doc) for doc in conn.execute(select(s.franchises.c.doc)).scalars()]

    def stored_forecasts(self) -> list[dict[str, Any]]:
        """Every forecast the build stored, in the order of ``forecast --all``."""
        with self.engine.connect() as conn:
            return [
                dict(d)
                for d in conn.execute(
                    select(s.forecasts.c.doc).order_by(s.forecasts.c.position)
                ).scalars()
            ]

    # -- watchlist (kept across builds) -------------------------------------------------------

    def watched(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(select(s.watchlist).order_by(s.watchlist.c.title))
            ]

    def watch(self, row: dict[str, Any]) -> bool:
        """Add a show to the watchlist; ``False`` when it was already there."""
        with self.engine.begin() as conn:
            found = conn.execute(
                select(s.watchlist.c.mal_id).where(s.watchlist.c.mal_id == row["mal_id"])
            ).first()
            if found:
                return False
            conn.execute(insert(s.watchlist).values(**row))
        return True

    def unwatch(self, mal_id: int) -> bool:
        with self.engine.begin() as conn:
            return bool(
                conn.execute(delete(s.watchlist).where(s.watchlist.c.mal_id == mal_id)).rowcount
            )

    def record_watch_check(
        self, updates: Sequence[dict[str, Any]], events: Sequence[dict[str, Any]]
    ) -> None:
        """Store the new status of each watched show and the changes noticed, in one transaction."""
        with self.engine.begin() as conn:
            for row in updates:
                conn.execute(
                    s.watchlist.update().where(s.watchlist.c.mal_id == row["mal_id"]).values(**row)
                )
            self._insert(conn, s.watch_events, events)

    def watch_events(self, limit: int = 50) -> list[dict[str, Any]]:
        q = select(s.watch_events).order_by(s.watch_events.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def rejects(self, limit: int | None = None) -> list[dict[str, Any]]:
        q = select(s.rejects).order_by(s.rejects.c.id)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def stats(self) -> dict[str, Any]:
        """Entries per source and per type, record counts, rejects per source, last build."""
        with self.engine.connect() as conn:

            def grouped(col: Any, count: Any) -> dict[str, int]:
                rows = conn.execute(select(col, count).group_by(col).order_by(col))
                return {str(k): int(v) for k, v in rows}

            out: dict[str, Any] = {
                "backend": self.backend,
                "schema_version": s.current_version(conn),
                "entries": conn.execute(select(func.count()).select_from(s.anime)).scalar_one(),
                "entries_by_type": grouped(s.anime.c.type, func.count()),
                "entries_by_source": grouped(
                    s.facts.c.source, func.count(func.distinct(s.facts.c.mal_id))
                ),
                "facts": conn.execute(select(func.count()).select_from(s.facts)).scalar_one(),
                "records": {
                    t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (
                        s.id_links,
                        s.tvdb_mappings,
                        s.first_seen,
                        s.relations,
                        s.collection_members,
                        s.titles,
                        s.franchise_links,
                        s.franchise_members,
                        s.crosswalk,
                        s.entry_first_seen,
                        s.manga,
                        s.manga_id_links,
                        s.novels,
                        s.source_links,
                        s.franchises,
                        s.forecasts,
                    )
                },
                "rejects": conn.execute(select(func.count()).select_from(s.rejects)).scalar_one(),
                "rejects_by_source": grouped(s.rejects.c.source, func.count()),
            }
        if "None" in out["entries_by_type"]:
            out["entries_by_type"]["Unknown"] = out["entries_by_type"].pop("None")
        build = self.last_build()
        out["last_build"] = (
            {
                "id": build["id"],
                "finished_at": build["finished_at"].isoformat(timespec="seconds"),
                "as_of": build["as_of"].isoformat() if build["as_of"] else None,
                "data_dir": build["data_dir"],
            }
            if build
            else None
        )
        return out


def open_catalog(url: str, *, create: bool = True) -> Catalog:
    """Open (and migrate) the catalog at ``url``.

    With ``create=False`` a database that has never been built raises :class:`CatalogError`
    telling the user to run ``sequelcast build``.
    """
    if not create and url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///") :]).expanduser()
        if not path.exists():
            raise CatalogError(f"no catalog at {path}: run `sequelcast build` first (or pass --db)")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            version = s.current_version(conn)
            if version > s.LATEST:
                raise CatalogError(
                    f"the catalog at {engine.url!r} has schema version {version}, newer than this "
                    f"sequelcast ({s.LATEST}): upgrade sequelcast"
                )
            if create:
                s.migrate(conn)
            elif version == 0:
                raise CatalogError(f"{engine.url!r} holds no catalog: run `sequelcast build` first")
    except OperationalError as exc:
        engine.dispose()
        raise CatalogError(f"cannot open the catalog at {engine.url!r}: {exc.orig}") from exc
    except CatalogUnavailableError as exc:
        engine.dispose()
        raise CatalogUnavailableError(f"cannot open the catalog at {engine.url!r}: {exc}") from exc
    except BaseException:
        engine.dispose()
        raise
    return Catalog(engine)
