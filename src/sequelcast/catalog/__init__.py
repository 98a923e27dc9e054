"""The catalog: the only package that speaks SQL.

:func:`open_reads` (the reads of one show's answers, without SQLAlchemy for a SQLite file) loads
fast; :class:`Catalog` and :func:`open_catalog` (everything, through SQLAlchemy) are imported on
first use, so that a read command does not pay for SQLAlchemy.
"""

from typing import TYPE_CHECKING, Any

from sequelcast.catalog._read import Reads, open_reads

if TYPE_CHECKING:
    from sequelcast.catalog.store import Catalog, open_catalog

__all__ = ["Catalog", "Reads", "open_catalog", "open_reads"]


def __getattr__(name: str) -> Any:
    if name in ("Catalog", "open_catalog"):
        from sequelcast.catalog import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
