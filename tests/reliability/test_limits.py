"""Bounded cost: 503/429 with Retry-After when saturated, /health never limited, a disk budget for the cache."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sequelcast.api import create_app
from sequelcast.api._limits import Limits, LimitWork, prune_cache

from .conftest import build_tiny, make_settings, run_client

Handler = Callable[[httpx.AsyncClient, httpx.AsyncClient], Awaitable[None]]


class Downstream:
    """An ASGI app standing for the real one: ``/slow`` waits until released, the rest answers at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["path"].endswith("/slow"):
            self.entered.set()
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})


def _run(limits: Limits, tmp_path: Path, scenario: Callable[..., Awaitable[None]]) -> None:
    async def main() -> None:
        down = Downstream()
        app = LimitWork(down, limits, tmp_path)
        a = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.1", 1)), base_url="http://t"
        )
        b = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.2", 1)), base_url="http://t"
        )
        async with a, b:
            await scenario(down, a, b)

    asyncio.run(main())


def test_as_of_work_beyond_the_slots_is_503_with_retry_after(tmp_path: Path) -> None:
    async def scenario(down: Downstream, a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        first = asyncio.create_task(a.get("/api/v1/slow", params={"as_of": "2020-01-01"}))
        await down.entered.wait()
        second = await b.get("/api/v1/x", params={"as_of": "2019-01-01"})
        assert second.status_code == 503
        assert second.headers["retry-after"] == "7"
        assert second.json()["status"] == 503
        assert (await b.get("/api/v1/x")).status_code == 200  # without as_of: not limited here
        down.release.set()
        assert (await first).status_code == 200
        assert (await b.get("/api/v1/x", params={"as_of": "2019-01-01"})).status_code == 200

    _run(
        Limits(max_as_of=1, as_of_wait=0.05, per_client_as_of=5, retry_after=7), tmp_path, scenario
    )


def test_one_client_with_too_many_as_of_requests_gets_429(tmp_path: Path) -> None:
    async def scenario(down: Downstream, a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        first = asyncio.create_task(a.get("/api/v1/slow", params={"as_of": "2020-01-01"}))
        await down.entered.wait()
        again = await a.get("/anime/1", params={"as_of": "2020-01-02"})
        assert again.status_code == 429
        assert "retry-after" in again.headers
        down.release.set()
        assert (await first).status_code == 200

    _run(Limits(max_as_of=4, per_client_as_of=1), tmp_path, scenario)


def test_too_many_requests_in_flight_is_503_but_health_answers(tmp_path: Path) -> None:
    async def scenario(down: Downstream, a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        first = asyncio.create_task(a.get("/api/v1/slow"))
        await down.entered.wait()
        busy = await b.get("/api/v1/anime/1")
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "10"
        assert (await b.get("/api/v1/health")).status_code == 200
        assert (await b.get("/static/style.css")).status_code == 200
        down.release.set()
        assert (await first).status_code == 200
        assert (await b.get("/api/v1/anime/1")).status_code == 200

    _run(Limits(max_requests=1), tmp_path, scenario)


def test_prune_cache_deletes_the_oldest_files_until_under_budget(tmp_path: Path) -> None:
    for i, name in enumerate(["a", "b", "c", "d"]):
        path = tmp_path / f"{name}.pickle"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "keep.txt").write_bytes(b"x" * 1000)
    removed = prune_cache(tmp_path, 250)
    assert [p.name for p in removed] == ["a.pickle", "b.pickle"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.pickle", "d.pickle", "keep.txt"]
    assert prune_cache(tmp_path, 250) == []


# -- the real app -------------------------------------------------------------------------------


@pytest.fixture
def url(tmp_path: Path) -> str:
    return build_tiny(f"sqlite:///{tmp_path / 'catalog.db'}")


def test_the_app_answers_saturation_in_the_one_shape(url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(url, tmp_path), limits=Limits(max_requests=0))
    for client in run_client(app):
        busy = client.get("/api/v1/anime/100")
        assert busy.status_code == 503
        assert set(busy.json()) == {"ok", "status", "error", "errors"}
        assert busy.headers["retry-after"] == "10"
        assert busy.headers["x-content-type-options"] == "nosniff"
        assert client.get("/").status_code == 503
        assert client.get("/api/v1/health").status_code == 200


@pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")  # the tiny data is tiny
def test_as_of_work_stays_within_the_disk_budget(url: str, tmp_path: Path) -> None:
    settings = make_settings(url, tmp_path)
    for budget, expect_files in ((2048, True), (0, False)):
        app = create_app(settings, limits=Limits(cache_budget_mb=budget))
        for client in run_client(app):
            assert (
                client.get("/api/v1/forecast/100", params={"as_of": "2025-06-01"}).status_code
                == 200
            )
        cached = list(settings.model_dir.glob("*.pickle"))
        assert bool(cached) is expect_files, cached


def test_health_answers_while_every_thread_is_busy(url: str, tmp_path: Path) -> None:
    """The routes that read the catalog run in ``Limits.threads`` threads; /health (a SQLite catalog)
    runs on the event loop, so it answers while all of them are taken and a fact sheet waits."""
    import threading

    import anyio.to_thread

    app = create_app(make_settings(url, tmp_path), limits=Limits(threads=2))

    async def main() -> None:
        release = threading.Event()
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            assert anyio.to_thread.current_default_thread_limiter().total_tokens == 2
            holders = [
                asyncio.create_task(anyio.to_thread.run_sync(release.wait)) for _ in range(2)
            ]
            await asyncio.sleep(0)
            sheet = asyncio.create_task(client.get("/api/v1/anime/100"))
            with anyio.fail_after(60):  # a deadlock guard, not a timing
                health = await client.get("/api/v1/health")
            assert health.status_code == 200
            assert not sheet.done()  # it waits for a thread
            release.set()
            await asyncio.gather(*holders)
            assert (await sheet).status_code == 200

    asyncio.run(main())
