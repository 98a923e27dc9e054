"""The catalog store: the only code that speaks SQL. One code path for SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, create_engine, delete, event, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sequelcast.asof import admit, assemble
from sequelcast.catalog import schema as s
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
    Relation,
    Snapshot,
    TitleRecord,
    TvdbMapping,
)
from sequelcast.errors import CatalogError

_CHUNK = 20_000
_DATE_FIELDS = frozenset(k for k, v in FACT_FIELDS.items() if v is date)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's directory is created, and the file runs in WAL mode."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
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


def _row(record: Any) -> tuple[Any, ...]:
    """A record's fields in declaration order (which is its table's column order)."""
    return tuple(getattr(record, f.name) for f in dataclasses.fields(record))


def _anime_row(a: Anime) -> dict[str, Any]:
    row = {f.name: getattr(a, f.name) for f in dataclasses.fields(a)}
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


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), _CHUNK):
        yield rows[i : i + _CHUNK]


class Catalog:
    """A catalog database. Open it with :func:`open_catalog`; close it (or use ``with``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def version(self) -> int:
        with self.engine.connect() as conn:
            return s.current_version(conn)

    # -- writing -----------------------------------------------------------------------------

    def replace(self, admitted: Batch, snapshot: Snapshot, *, data_dir: str, as_of: date | None,
                started_at: datetime, counts: dict[str, Any],
                franchise_links: Sequence[dict[str, Any]] = (),
                franchise_members: Sequence[tuple[Any, ...]] = ()) -> int:
        """Replace the whole catalog with ``admitted`` records in one transaction; returns the build id.

        Any failure rolls everything back: the previous catalog stays as it was.
        """
        try:
            with self.engine.begin() as conn:
                for table in s.BUILD_TABLES:
                    conn.execute(delete(table))
                self._insert_records(conn, admitted)
                self._insert_derived(conn, snapshot)
                self._insert(conn, s.franchise_links, franchise_links)
                self._bulk(conn, s.franchise_members, franchise_members)
                build_id = conn.execute(
                    insert(s.builds).values(
                        started_at=started_at, finished_at=datetime.now(), data_dir=data_dir,
                        as_of=as_of, counts=counts,
                    ).returning(s.builds.c.id)
                ).scalar_one()
                self._insert(conn, s.rejects, [
                    {"build_id": build_id, "source": r.source, "location": r.location,
                     "reason": r.reason, "raw": r.raw} for r in admitted.rejects
                ])
        except SQLAlchemyError as exc:
            raise CatalogError(f"the build could not be written; the catalog is unchanged: {exc}") from exc
        return int(build_id)

    @staticmethod
    def _insert(conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` through SQLAlchemy's type processing (for tables with JSON columns)."""
        for chunk in _chunks(rows):
            conn.execute(insert(table), chunk)

    @staticmethod
    def _bulk(conn: Connection, table: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert plain tuples (in column order) straight through the driver's ``executemany``.

        Only for tables of integers, text and dates: the statement is compiled by SQLAlchemy for
        the connection's dialect, dates are sent as ISO text to SQLite (what its Date type stores)
        and as dates to PostgreSQL. Several times faster than the processed path on big tables.
        """
        if not rows:
            return
        compiled = insert(table).compile(dialect=conn.dialect)
        names = [c.name for c in table.columns]
        if conn.dialect.name == "sqlite":
            iso = [isinstance(c.type, Date) for c in table.columns]
            rows = [tuple(v.isoformat() if d and v is not None else v for v, d in zip(r, iso, strict=True)) for r in rows]
        if compiled.positiontup is not None:
            order = [names.index(k) for k in compiled.positiontup]
            data: list[Any] = [tuple(r[i] for i in order) for r in rows]
        else:
            data = [dict(zip(names, r, strict=True)) for r in rows]
        for chunk in _chunks(data):
            conn.exec_driver_sql(compiled.string, chunk)

    def _insert_records(self, conn: Connection, b: Batch) -> None:
        self._bulk(conn, s.facts, [
            (f.mal_id, f.field, _fact_value(f.value), f.observed_at, f.source) for f in b.facts
        ])
        self._bulk(conn, s.id_links, [_row(x) for x in b.id_links])
        self._bulk(conn, s.tvdb_mappings, [_row(x) for x in b.tvdb_mappings])
        self._bulk(conn, s.first_seen, [_row(x) for x in b.first_seen])
        self._bulk(conn, s.relations, [_row(x) for x in b.relations])
        self._bulk(conn, s.collection_members, [_row(x) for x in b.collection_members])
        self._bulk(conn, s.manga, [_row(x) for x in b.manga])
        self._bulk(conn, s.crosswalk, [_row(x) for x in b.crosswalk])
        self._bulk(conn, s.entry_first_seen, [
            (x.mal_id, x.first_seen, int(x.censored), int(x.suspect), x.source, x.anilist_id, x.anidb_id)
            for x in b.entry_first_seen
        ])

    def _insert_derived(self, conn: Connection, snap: Snapshot) -> None:
        self._insert(conn, s.anime, [_anime_row(a) for a in snap.entries.values()])
        self._bulk(conn, s.titles, [
            (a.mal_id, t, kind) for a in snap.entries.values() for kind, t in a.all_titles()
        ])

    def record_raw(self, source: str, record_id: str, fetched_at: datetime, payload: str) -> None:
        """Keep a network payload as fetched, keyed by source, id and fetch time."""
        with self.engine.begin() as conn:
            conn.execute(insert(s.raw_records).values(
                source=source, record_id=record_id, fetched_at=fetched_at, payload=payload))

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
            b.id_links = [IdLink(m, site, x, d(o), src) for m, site, x, o, src in _raw_rows(conn, s.id_links)]
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
                CollectionMember(c, m, d(o), src) for c, m, o, src in _raw_rows(conn, s.collection_members)
            ]
            b.manga = [
                MangaRecord(mid, t, te, tj, ty, vol, ch, st, d.optional(pf), d.optional(pt), sc, mem, d(o), src)
                for mid, t, te, tj, ty, vol, ch, st, pf, pt, sc, mem, o, src in _raw_rows(conn, s.manga)
            ]
            b.crosswalk = [
                CrosswalkEntry(al, m, a, r, e, n, ty, d(o), src)
                for al, m, a, r, e, n, ty, o, src in _raw_rows(conn, s.crosswalk)
            ]
            b.entry_first_seen = [
                EntryFirstSeen(m, d(f), bool(c), bool(su), src, al, a)
                for m, f, c, su, src, al, a in _raw_rows(conn, s.entry_first_seen)
            ]
        return b

    def snapshot(self, as_of: date | None = None) -> Snapshot:
        """What the catalog knew on ``as_of`` (everything when ``None``)."""
        return assemble(admit(self.load_batch(), as_of), as_of)

    def get_anime(self, mal_id: int) -> Anime | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(s.anime).where(s.anime.c.mal_id == mal_id)).first()
        return _anime_from_row(row) if row else None

    def all_anime(self) -> list[Anime]:
        with self.engine.connect() as conn:
            return [_anime_from_row(r) for r in conn.execute(select(s.anime))]

    def newest_observation(self) -> date | None:
        """The date of the newest stored record (fact, list row or first sighting)."""
        with self.engine.connect() as conn:
            days = [conn.execute(select(func.max(col))).scalar() for col in
                    (s.facts.c.observed_at, s.tvdb_mappings.c.observed_at, s.first_seen.c.first_listed)]
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
        q = select(s.franchise_members.c.mal_id, s.franchise_members.c.franchise_id,
                   s.franchise_members.c.number).where(
            s.franchise_members.c.role == "season", s.franchise_members.c.mal_id.is_not(None))
        with self.engine.connect() as conn:
            return {m: (f, n) for m, f, n in conn.execute(q)}

    def franchise_links(self, mal_id: int | None = None) -> list[dict[str, Any]]:
        """Stored franchise links (every one, or those touching ``mal_id``), with their evidence."""
        q = select(s.franchise_links)
        if mal_id is not None:
            q = q.where((s.franchise_links.c.from_mal_id == mal_id) | (s.franchise_links.c.to_mal_id == mal_id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # -- watchlist (kept across builds) -------------------------------------------------------

    def watched(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.watchlist).order_by(s.watchlist.c.title))]

    def watch(self, row: dict[str, Any]) -> bool:
        """Add a show to the watchlist; ``False`` when it was already there."""
        with self.engine.begin() as conn:
            found = conn.execute(select(s.watchlist.c.mal_id).where(s.watchlist.c.mal_id == row["mal_id"])).first()
            if found:
                return False
            conn.execute(insert(s.watchlist).values(**row))
        return True

    def unwatch(self, mal_id: int) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(s.watchlist).where(s.watchlist.c.mal_id == mal_id)).rowcount)

    def record_watch_check(self, updates: Sequence[dict[str, Any]], events: Sequence[dict[str, Any]]) -> None:
        """Store the new status of each watched show and the changes noticed, in one transaction."""
        with self.engine.begin() as conn:
            for row in updates:
                conn.execute(s.watchlist.update().where(s.watchlist.c.mal_id == row["mal_id"]).values(**row))
            self._insert(conn, s.watch_events, events)

    def watch_events(self, limit: int = 50) -> list[dict[str, Any]]:
        q = select(s.watch_events).order_by(s.watch_events.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def last_build(self) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(s.builds).order_by(s.builds.c.id.desc()).limit(1)).first()
        return dict(row._mapping) if row else None

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
                "entries_by_source": grouped(s.facts.c.source, func.count(func.distinct(s.facts.c.mal_id))),
                "facts": conn.execute(select(func.count()).select_from(s.facts)).scalar_one(),
                "records": {
                    t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (s.id_links, s.tvdb_mappings, s.first_seen, s.relations,
                              s.collection_members, s.titles, s.franchise_links, s.franchise_members,
                              s.manga, s.crosswalk, s.entry_first_seen)
                },
                "rejects": conn.execute(select(func.count()).select_from(s.rejects)).scalar_one(),
                "rejects_by_source": grouped(s.rejects.c.source, func.count()),
            }
        if "None" in out["entries_by_type"]:
            out["entries_by_type"]["Unknown"] = out["entries_by_type"].pop("None")
        build = self.last_build()
        out["last_build"] = (
            {"id": build["id"], "finished_at": build["finished_at"].isoformat(timespec="seconds"),
             "as_of": build["as_of"].isoformat() if build["as_of"] else None,
             "data_dir": build["data_dir"]}
            if build else None
        )
        return out


def open_catalog(url: str, *, create: bool = True) -> Catalog:
    """Open (and migrate) the catalog at ``url``.

    With ``create=False`` a database that has never been built raises :class:`CatalogError`
    telling the user to run ``sequelcast build``.
    """
    if not create and url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///"):]).expanduser()
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
    except BaseException:
        engine.dispose()
        raise
    return Catalog(engine)

