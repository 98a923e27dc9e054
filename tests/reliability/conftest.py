"""Apps over real catalogs (SQLite file, PostgreSQL database) built from the tiny data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
from fastapi import FastAPI

from sequelcast.api import create_app
from sequelcast.catalog import open_catalog
from sequelcast.service import build_catalog
from sequelcast.settings import Settings

TINY_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"


class Client:
    """A synchronous client for an ASGI app: ``httpx.AsyncClient`` driven through a portal."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, client: httpx.AsyncClient) -> None:
        self.portal = portal
        self.client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)


def run_client(app: FastAPI, base_url: str = "http://testserver") -> Iterator[Client]:
    """Start the app's lifespan and yield a client; stop it afterwards."""
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        with portal.wrap_async_context_manager(client):
            yield Client(portal, client)


def make_settings(url: str, root: Path) -> Settings:
    return Settings(
        db=url,
        data=None,
        today=date(2026, 8, 1),
        model_dir=root / "models",
        downloads=root / "downloads",
    )


def build_tiny(url: str) -> str:
    with open_catalog(url) as cat:
        build_catalog(cat, TINY_DATA)
    return url


@pytest.fixture
def built_url(catalog_url: str) -> str:
    """A catalog (SQLite file or PostgreSQL database) built from the tiny data."""
    return build_tiny(catalog_url)


@pytest.fixture
def any_client(built_url: str, tmp_path: Path) -> Iterator[Client]:
    """A client of an app over :func:`built_url` (both backends)."""
    yield from run_client(create_app(make_settings(built_url, tmp_path)))
