"""What one :class:`~sequelcast.service.Sequelcast` keeps between calls: bounded caches.

No module-level state: every cache belongs to one service object. A value is computed once per
key even when several threads ask for it at the same time, and computing one key never blocks a
reader of another key (there is one lock per key being computed, not one lock for the cache).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """A thread-safe least-recently-used cache of at most ``size`` values.

    Examples
    --------
    >>> cache: BoundedCache[int] = BoundedCache(2)
    >>> cache.get("a", lambda: 1), cache.get("b", lambda: 2), cache.get("a", lambda: 99)
    (1, 2, 1)
    >>> cache.get("c", lambda: 3)  # "b" is the least recently used: it goes
    3
    >>> sorted(cache.keys())
    ['a', 'c']
    """

    def __init__(self, size: int, on_evict: Callable[[V], None] | None = None) -> None:
        if size < 1:
            raise ValueError(f"cache size must be at least 1, got {size}")
        self.size = size
        self.on_evict = on_evict
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()  # guards the dictionaries only, never a computation
        self._computing: dict[Hashable, threading.Lock] = {}

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._values)

    def _lookup(self, key: Hashable) -> tuple[bool, V | None]:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return True, self._values[key]
            return False, None

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``, computed by ``compute()`` the first time (once, whatever the threads)."""
        found, value = self._lookup(key)
        if found:
            return value  # type: ignore[return-value]
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            found, value = self._lookup(key)
            if found:
                return value  # type: ignore[return-value]
            computed = compute()
            with self._lock:
                self._values[key] = computed
                self._values.move_to_end(key)
                evicted = [
                    self._values.popitem(last=False)[1]
                    for _ in range(len(self._values) - self.size)
                ]
                self._computing.pop(key, None)
            self._evicted(evicted)
            return computed

    def _evicted(self, values: list[V]) -> None:
        if self.on_evict is not None:
            for value in values:
                self.on_evict(value)

    def clear(self) -> None:
        with self._lock:
            evicted = list(self._values.values())
            self._values.clear()
        self._evicted(evicted)


def disk_cached(path: Path | None, compute: Callable[[], Any]) -> Any:
    """``compute()``, pickled at ``path`` (a damaged or missing file is recomputed; ``None``: no disk)."""
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # any unreadable cache (damaged, written by other code) is rebuilt
            pass
    value = compute()
    if path is not None:
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
