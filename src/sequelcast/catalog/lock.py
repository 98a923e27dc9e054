"""One build at a time per catalog: a lock row in the catalog itself (SQLite and PostgreSQL alike).

:func:`build_lock` inserts the single row of the ``build_lock`` table (primary key 1) in its own
short transaction, before the build reads any file, and deletes it when the build ends (written,
refused or failed). A second build that finds the row, or that races for it (a primary-key
conflict on both backends, or SQLite's "database is locked" while the first build writes), stops
at once with :class:`~sequelcast.errors.BuildLockedError`: "another build is running ...".

Stale locks: a build killed with ``kill -9`` (or a lost machine) leaves its row behind. The row
names the host and process id of its holder; it is taken over by the next build when

* the holder ran on this host and that process no longer exists, or
* it is older than :data:`STALE_AFTER` (6 hours, far longer than any build), whatever the host.

Otherwise delete it by hand (``DELETE FROM build_lock``) once sure no build is running.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from sequelcast.catalog import schema as s
from sequelcast.catalog.store import Catalog
from sequelcast.errors import BuildLockedError, CatalogError, CatalogUnavailableError

#: A lock older than this is taken over whatever host holds it.
STALE_AFTER = timedelta(hours=6)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def is_stale(row: Any, now: datetime, host: str) -> bool:
    """Whether a lock row may be taken over (see the module docstring)."""
    if now - row.started_at > STALE_AFTER:
        return True
    return bool(row.host == host and not _alive(int(row.pid)))


def _locked(row: Any | None) -> BuildLockedError:
    if row is None:
        return BuildLockedError(
            "another build is running on this catalog (it is being written); "
            "wait for it to finish, then build again"
        )
    return BuildLockedError(
        f"another build is running on this catalog (process {row.pid} on {row.host}, started "
        f"{row.started_at:%Y-%m-%d %H:%M:%S}); wait for it to finish, then build again"
    )


def holder(catalog: Catalog) -> Any | None:
    """The current lock row (``token``, ``host``, ``pid``, ``started_at``), or ``None``."""
    with catalog.engine.connect() as conn:
        return conn.execute(select(s.build_lock).where(s.build_lock.c.id == 1)).first()


def acquire(catalog: Catalog, now: datetime | None = None) -> str:
    """Take the lock; returns its token. :class:`BuildLockedError` when another build holds it."""
    now = now or datetime.now()
    host, token = socket.gethostname(), uuid.uuid4().hex
    try:
        with catalog.engine.begin() as conn:
            row = conn.execute(select(s.build_lock).where(s.build_lock.c.id == 1)).first()
            if row is not None:
                if not is_stale(row, now, host):
                    raise _locked(row)
                conn.execute(
                    delete(s.build_lock).where(
                        s.build_lock.c.id == 1, s.build_lock.c.token == row.token
                    )
                )
            conn.execute(
                insert(s.build_lock).values(
                    id=1, token=token, host=host, pid=os.getpid(), started_at=now
                )
            )
    except IntegrityError:  # another build inserted its row first
        raise _locked(holder(catalog)) from None
    except (OperationalError, CatalogUnavailableError) as exc:
        if "locked" not in str(exc).lower():
            raise
        raise _locked(None) from None  # SQLite: another build holds the write lock
    return token


def release(catalog: Catalog, token: str) -> None:
    """Give the lock back (only if ``token`` still holds it)."""
    with catalog.engine.begin() as conn:
        conn.execute(
            delete(s.build_lock).where(s.build_lock.c.id == 1, s.build_lock.c.token == token)
        )


@contextmanager
def build_lock(catalog: Catalog) -> Iterator[str]:
    """Hold the catalog's build lock for the ``with`` block (see the module docstring)."""
    token = acquire(catalog)
    try:
        yield token
    finally:
        try:
            release(catalog, token)
        except (SQLAlchemyError, CatalogError):  # the database went away: the row turns stale
            pass


__all__ = ["STALE_AFTER", "acquire", "build_lock", "holder", "is_stale", "release"]
