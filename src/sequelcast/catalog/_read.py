"""The reads a query about one show makes, written once in plain SQL, runnable without SQLAlchemy.

``sequelcast show X`` and every API request make a handful of indexed reads of the tables the
build wrote (the last build, an entry, its derived row, its franchise, its stored forecast, a
stored title answer, its page facts). :class:`Reads` holds these queries and the decoding of
their rows, once, over any DB-API connection that takes ``:name`` parameters:

* :class:`~sequelcast.catalog.Catalog` inherits them and runs them through SQLAlchemy (SQLite and
  PostgreSQL: one code path);
* :class:`SqliteReads`, what :func:`open_reads` gives for a SQLite file, runs them through the
  standard library's :mod:`sqlite3` with one connection per thread, so that a read command does
  not import SQLAlchemy (about 0.2 s of CPU) and a request does not go through its pool.

Values come back as each driver gives them (SQLite: JSON and dates as text; PostgreSQL: decoded),
and :func:`json_value`, :func:`date_value` and :func:`datetime_value` accept both.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sequelcast.domain import LIST_FIELDS, PAGE_FIELDS, Anime
from sequelcast.errors import CatalogError, CatalogUnavailableError

#: The schema version these queries are written for (``schema.LATEST``; a test keeps them equal).
#: A file of another version is opened by the full :func:`~sequelcast.catalog.open_catalog`.
SCHEMA_VERSION = 11

Row = tuple[Any, ...]

_ANIME_COLUMNS = tuple(f.name for f in dataclasses.fields(Anime))
_ANIME_DATES = frozenset(f.name for f in dataclasses.fields(Anime) if "date" in str(f.type))
_ANIME_SQL = f"SELECT {', '.join(_ANIME_COLUMNS)} FROM anime WHERE mal_id = :mal_id"
_PAGE_FIELDS_SQL = ", ".join(f"'{f}'" for f in sorted(PAGE_FIELDS))


def json_value(value: Any) -> Any:
    """A JSON column's value: text (SQLite) is decoded, a decoded value (PostgreSQL) kept.

    >>> json_value('{"a": [1]}'), json_value({"a": [1]}), json_value(None)
    ({'a': [1]}, {'a': [1]}, None)
    """
    return json.loads(value) if isinstance(value, str | bytes) else value


def date_value(value: Any) -> date | None:
    """A date column's value (``'2020-01-31'`` on SQLite, a :class:`date` on PostgreSQL).

    >>> date_value("2020-01-31"), date_value(None)
    (datetime.date(2020, 1, 31), None)
    """
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def datetime_value(value: Any) -> datetime | None:
    """A timestamp column's value (``'2026-11-30 20:18:57.533772'`` on SQLite).

    >>> datetime_value("2026-11-30 20:18:57.533772")
    datetime.datetime(2026, 11, 30, 20, 18, 57, 533772)
    """
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


class Reads:
    """The read queries of one show's answers. A subclass supplies :meth:`rows` and :meth:`close`."""

    #: The catalog's URL, with any password hidden.
    url: str
    #: ``"sqlite"`` or ``"postgresql"``.
    backend: str

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one ``SELECT`` (``:name`` parameters) and return its rows as plain tuples."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Reads:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _one(self, sql: str, **params: Any) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def last_build_key(self) -> tuple[int, datetime | None] | None:
        """``(id, finished_at)`` of the newest build, ``None`` without one: two columns of one row,
        no JSON (what :meth:`sequelcast.service.Sequelcast.last_build` compares its copy with)."""
        row = self._one("SELECT id, finished_at FROM builds ORDER BY id DESC LIMIT 1")
        return None if row is None else (int(row[0]), datetime_value(row[1]))

    def last_build(self) -> dict[str, Any] | None:
        """The newest build: ``id``, ``started_at``, ``finished_at``, ``data_dir``, ``as_of``, ``counts``."""
        row = self._one(
            "SELECT id, started_at, finished_at, data_dir, as_of, counts FROM builds "
            "ORDER BY id DESC LIMIT 1"
        )
        if row is None:
            return None
        build_id, started, finished, data_dir, as_of, counts = row
        return {
            "id": build_id,
            "started_at": datetime_value(started),
            "finished_at": datetime_value(finished),
            "data_dir": data_dir,
            "as_of": date_value(as_of),
            "counts": json_value(counts),
        }

    def get_anime(self, mal_id: int) -> Anime | None:
        """The entry as the last build assembled it, ``None`` if the catalog has no such MAL id."""
        row = self._one(_ANIME_SQL, mal_id=mal_id)
        if row is None:
            return None
        values = dict(zip(_ANIME_COLUMNS, row, strict=True))
        for key in LIST_FIELDS:
            values[key] = tuple(json_value(values[key]) or ())
        for key in _ANIME_DATES:
            values[key] = date_value(values[key])
        values["ids"] = tuple(sorted((json_value(values["ids"]) or {}).items()))
        return Anime(**values)

    def derived_of(self, mal_id: int) -> dict[str, Any] | None:
        """The derived row of one entry: ``franchise_id``, ``next_season``, ``peers``."""
        row = self._one(
            "SELECT mal_id, franchise_id, next_season, peers FROM anime_derived "
            "WHERE mal_id = :mal_id",
            mal_id=mal_id,
        )
        if row is None:
            return None
        return {
            "mal_id": row[0],
            "franchise_id": row[1],
            "next_season": json_value(row[2]),
            "peers": json_value(row[3]),
        }

    def franchise_doc(self, franchise_id: str) -> dict[str, Any] | None:
        """The stored JSON of one franchise."""
        row = self._one("SELECT doc FROM franchises WHERE id = :id", id=franchise_id)
        return None if row is None else dict(json_value(row[0]))

    def stored_forecast(self, franchise_id: str) -> dict[str, Any] | None:
        """The forecast the build stored for a waiting franchise (``None``: not waiting)."""
        row = self._one("SELECT doc FROM forecasts WHERE franchise_id = :id", id=franchise_id)
        return None if row is None else dict(json_value(row[0]))

    def title_answer(self, key: str) -> tuple[bool, int | None]:
        """Whether the build stored an answer of the title resolver under ``key`` (see
        ``resolve.answers.exact_key``), and the MAL id it chose (``None``: it refused)."""
        row = self._one("SELECT mal_id FROM title_answers WHERE key = :key", key=key)
        return (False, None) if row is None else (True, None if row[0] is None else int(row[0]))

    def page_facts(self, mal_id: int, as_of: date | None = None) -> dict[str, dict[str, Any]]:
        """The newest poster URL and synopsis of an entry known on ``as_of``: field -> ``{"value",
        "source", "observed_at"}`` (fields of :data:`~sequelcast.domain.PAGE_FIELDS`; absent when
        unknown)."""
        sql = (
            "SELECT field, value, source, observed_at FROM facts WHERE mal_id = :mal_id "
            f"AND field IN ({_PAGE_FIELDS_SQL})"
        )
        params: dict[str, Any] = {"mal_id": mal_id}
        if as_of is not None:
            sql += " AND observed_at <= :as_of"
            params["as_of"] = as_of if self.backend != "sqlite" else as_of.isoformat()
        out: dict[str, dict[str, Any]] = {}
        for field, value, source, observed in self.rows(sql + " ORDER BY observed_at", params):
            out[field] = {
                "value": json.loads(value),
                "source": source,
                "observed_at": str(observed)[:10],
            }
        return out

    def blob(self, name: str) -> tuple[str, bytes] | None:
        """A binary artifact of the build: ``(sequelcast version that wrote it, bytes)``."""
        row = self._one("SELECT version, data FROM derived_blobs WHERE name = :name", name=name)
        return None if row is None else (str(row[0]), bytes(row[1]))


class _Opened:
    """One thread's connection and the file (inode) it was opened on. Held by that thread's
    ``threading.local`` only: when the thread ends, it goes, and the connection is closed."""

    __slots__ = ("__weakref__", "conn", "inode")

    def __init__(self, conn: sqlite3.Connection, inode: int) -> None:
        self.conn, self.inode = conn, inode


class SqliteReads(Reads):
    """:class:`Reads` of a SQLite file through :mod:`sqlite3`: one read-only connection per thread.

    Each ``SELECT`` runs in autocommit mode, so it sees the newest committed build (the file is in
    WAL mode: a build being written never blocks it). A connection is reopened when the file at
    the path is replaced by another one, and closed when its thread ends (the server's threads
    come and go) or by :meth:`close`.
    """

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self._local = threading.local()
        self._open: weakref.WeakSet[_Opened] = weakref.WeakSet()
        self._lock = threading.Lock()

    def _connect(self, inode: int) -> _Opened:
        try:
            conn = sqlite3.connect(
                _file_uri(self.path), uri=True, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA query_only=1")
        except sqlite3.Error as exc:
            raise CatalogUnavailableError(f"the catalog database is unavailable: {exc}") from exc
        opened = _Opened(conn, inode)
        with self._lock:
            self._open.add(opened)
        return opened

    def _connection(self) -> sqlite3.Connection:
        try:
            inode = os.stat(self.path).st_ino
        except OSError as exc:
            raise CatalogUnavailableError(f"the catalog database is unavailable: {exc}") from exc
        opened: _Opened | None = getattr(self._local, "opened", None)
        if opened is None or opened.inode != inode:
            if opened is not None:
                opened.conn.close()
            opened = self._local.opened = self._connect(inode)
        return opened.conn

    def open_connections(self) -> int:
        """How many threads hold a connection now."""
        with self._lock:
            return len(self._open)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            return self._connection().execute(sql, dict(params or {})).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc) or "no such column" in str(exc):
                raise  # a bug, not an outage
            raise CatalogUnavailableError(f"the catalog database is unavailable: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise CatalogUnavailableError(f"the catalog database is unavailable: {exc}") from exc

    def close(self) -> None:
        """Close every thread's connection (a later read opens a new one)."""
        with self._lock:
            opened, self._open = list(self._open), weakref.WeakSet()
        self._local = threading.local()
        for o in opened:
            o.conn.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (``None`` for another database or SQLite in memory).

    >>> sqlite_path("sqlite:///cat.db"), sqlite_path("sqlite:///:memory:"), sqlite_path("postgresql://h/db")
    (PosixPath('cat.db'), None, None)
    """
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:" or "?" in url:
        return None
    return Path(url[len("sqlite:///") :]).expanduser()


def _file_uri(path: Path) -> str:
    """An URI for :func:`sqlite3.connect` that opens an existing file only (never creates one)."""
    return f"{path.resolve().as_uri()}?mode=rw"


def _sqlite_version(path: Path) -> int | None:
    """The schema version of a SQLite file (0: no catalog), ``None`` when it cannot be read here."""
    try:
        conn = sqlite3.connect(_file_uri(path), uri=True)
        try:
            row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        return 0 if "no such table" in str(exc) else None
    except sqlite3.DatabaseError:
        return None
    return int(row[0] or 0)


def open_reads(url: str) -> Reads:
    """The read queries of the built catalog at ``url``.

    A SQLite file of this version is read through :mod:`sqlite3` (:class:`SqliteReads`); any other
    database, or a file that needs the full checks, through :func:`~sequelcast.catalog.open_catalog`
    (``create=False``), whose errors it raises (no catalog: run ``sequelcast build``).
    """
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise CatalogError(f"no catalog at {path}: run `sequelcast build` first (or pass --db)")
        if _sqlite_version(path) == SCHEMA_VERSION:
            return SqliteReads(path)
    from sequelcast.catalog.store import open_catalog

    return open_catalog(url, create=False)


__all__ = [
    "SCHEMA_VERSION",
    "Reads",
    "SqliteReads",
    "date_value",
    "datetime_value",
    "json_value",
    "open_reads",
    "sqlite_path",
]
