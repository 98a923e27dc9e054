"""Bounded cost per request: how much work the server takes on at once, and how much disk it caches.

A request with ``as_of`` is the expensive kind: a new date builds that date's snapshot and
franchises and fits a model for it (seconds to a minute on the whole data), then writes the model
to the cache directory. :class:`LimitWork` (pure ASGI middleware) bounds it:

=====================================  =======================================================
limit (:class:`Limits`, default)        when exceeded
=====================================  =======================================================
``max_requests`` (64) in flight         ``503`` + ``Retry-After``: the server is saturated
``max_as_of`` (2) ``as_of`` requests    waits up to ``as_of_wait`` (10 s) for a slot, then
in flight                               ``503`` + ``Retry-After``
``per_client_as_of`` (1) ``as_of``      ``429`` + ``Retry-After`` for that client (by address)
requests in flight per client
``cache_budget_mb`` (2048) of cache     after each ``as_of`` request, the least recently
files (``*.pickle`` in the cache dir)   written cache files are deleted until under budget
``threads`` (8) threads run the routes  a route waits for a free thread (anyio's default is 40;
that read the catalog                   they hold the GIL most of the time, so more threads
                                        only take turns at it: a longer tail)
=====================================  =======================================================

``/api/v1/health`` and ``/static`` are never limited, so a saturated server still says it is up;
``/health`` runs on the event loop (for a SQLite catalog), so it never waits for a thread either.
Memory: the service keeps one snapshot, one franchise graph and one fitted model in memory
(the last date asked), so memory does not grow with the number of dates.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import anyio.to_thread

from sequelcast.api._middleware import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("sequelcast.api")
UNLIMITED = ("/api/v1/health", "/static/")


@dataclass(frozen=True)
class Limits:
    """The limits of one app (see the module docstring)."""

    max_requests: int = 64
    max_as_of: int = 2
    as_of_wait: float = 10.0
    per_client_as_of: int = 1
    retry_after: int = 10
    cache_budget_mb: int = 2048
    threads: int = 8


def prune_cache(cache_dir: Path, budget_bytes: int) -> list[Path]:
    """Delete the least recently written ``*.pickle`` files of ``cache_dir`` until under budget.

    Returns the files deleted. A file that vanishes meanwhile (another process pruned it) is skipped.
    """
    files = []
    for path in cache_dir.glob("*.pickle"):
        try:
            st = path.stat()
        except OSError:
            continue
        files.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in files)
    removed = []
    for _, size, path in sorted(files):
        if total <= budget_bytes:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed.append(path)
    if removed:
        logger.info("cache over budget: deleted %d file(s) from %s", len(removed), cache_dir)
    return removed


def _has_as_of(scope: Scope) -> bool:
    query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
    return any(v.strip() for v in query.get("as_of", []))


async def _refuse(scope: Scope, send: Send, status: int, message: str, retry_after: int) -> None:
    path = str(scope.get("path", ""))
    if path.startswith("/api/"):
        body = json.dumps({"ok": False, "status": status, "error": message, "errors": []}).encode()
        kind = b"application/json"
    else:
        body = message.encode()
        kind = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LimitWork:
    """Bound the requests in flight, the ``as_of`` work, and the disk cache (see the module docstring)."""

    def __init__(self, app: ASGIApp, limits: Limits, cache_dir: Path) -> None:
        self.app = app
        self.limits = limits
        self.cache_dir = cache_dir
        self.in_flight = 0
        self.as_of_slots = asyncio.Semaphore(max(limits.max_as_of, 1))
        self.per_client: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path.startswith(UNLIMITED):
            await self.app(scope, receive, send)
            return
        lim = self.limits
        if self.in_flight >= lim.max_requests:
            await _refuse(
                scope,
                send,
                503,
                "the server is busy: too many requests at once; retry later",
                lim.retry_after,
            )
            return
        self.in_flight += 1
        try:
            if _has_as_of(scope):
                await self._as_of(scope, receive, send)
            else:
                await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _as_of(self, scope: Scope, receive: Receive, send: Send) -> None:
        lim = self.limits
        client = str((scope.get("client") or ("?",))[0])
        if self.per_client.get(client, 0) >= lim.per_client_as_of:
            await _refuse(
                scope,
                send,
                429,
                "too many as_of requests from you at once: wait for the previous one to finish",
                lim.retry_after,
            )
            return
        self.per_client[client] = self.per_client.get(client, 0) + 1
        try:
            if lim.max_as_of < 1:
                raise TimeoutError
            await asyncio.wait_for(self.as_of_slots.acquire(), lim.as_of_wait)
        except TimeoutError:
            self._leave(client)
            await _refuse(
                scope,
                send,
                503,
                "the server is busy with other as_of requests; retry later",
                lim.retry_after,
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.as_of_slots.release()
            self._leave(client)
            await anyio.to_thread.run_sync(
                prune_cache, self.cache_dir, lim.cache_budget_mb * 1024 * 1024
            )

    def _leave(self, client: str) -> None:
        left = self.per_client.get(client, 1) - 1
        if left > 0:
            self.per_client[client] = left
        else:
            self.per_client.pop(client, None)


__all__ = ["Limits", "LimitWork", "prune_cache"]
