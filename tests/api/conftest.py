"""An app over a real SQLite catalog built once from the tiny data, and an in-process client."""

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

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.get, url, **kwargs))


def run_client(app: FastAPI) -> Iterator[Client]:
    """Start the app's lifespan and yield a client; stop it afterwards."""
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
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


@pytest.fixture(scope="session")
def tiny_catalog_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite catalog file built once per session from tests/fixtures/tiny."""
    url = f"sqlite:///{tmp_path_factory.mktemp('api-catalog') / 'catalog.db'}"
    with open_catalog(url) as cat:
        build_catalog(cat, TINY_DATA)
    return url


@pytest.fixture(scope="module")
def app(tiny_catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(make_settings(tiny_catalog_url, tmp_path_factory.mktemp("api-cache")))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[Client]:
    yield from run_client(app)


def synthetic_settings(url: str, root: Path) -> Settings:
    return Settings(
        db=url,
        data=None,
        today=date(2026, 11, 25),
        model_dir=root / "models",
        downloads=root / "downloads",
    )


@pytest.fixture(scope="module")
def synthetic_app(synthetic_catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The app over the synthetic catalog, whose build stored real forecasts."""
    return create_app(
        synthetic_settings(synthetic_catalog_url, tmp_path_factory.mktemp("synthetic-api"))
    )


@pytest.fixture(scope="module")
def synthetic_client(synthetic_app: FastAPI) -> Iterator[Client]:
    yield from run_client(synthetic_app)
