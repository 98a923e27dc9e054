"""Shared fixtures: environment isolation, catalogs on SQLite and PostgreSQL, data directories."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sequelcast.catalog import Catalog, open_catalog
from sequelcast.catalog import schema as catalog_schema
from sequelcast.domain import Batch
from sequelcast.service import build_catalog
from sequelcast.sources import load_batches

ROOT = Path(__file__).resolve().parents[1]
TINY_DATA = ROOT / "tests" / "fixtures" / "tiny"
#: The real public data: ../shared/data beside the checkout (CI has it there too).
SHARED_DATA = Path(os.environ.get("SEQUELCAST_TEST_DATA", ROOT.parent / "shared" / "data"))
#: Admin URL of a PostgreSQL server, e.g. postgresql://postgres:postgres@localhost/postgres.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SEQUELCAST_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("SEQUELCAST_"):
            monkeypatch.delenv(key)


@pytest.fixture
def tiny_data() -> Path:
    return TINY_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "raw").is_dir():
        pytest.skip(f"the shared data directory {SHARED_DATA} is missing")
    return SHARED_DATA


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for the whole session, dropped at the end."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set (CI sets it; see .ci/run)")
    admin_url = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    name = f"sequelcast_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists:
            pytest.exit(f"database {name} already exists: refusing to reuse it")
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        catalog_schema.metadata.drop_all(conn)
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    """The session's PostgreSQL database, emptied."""
    _reset_postgres(postgres_server_url)
    return postgres_server_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty catalog: a SQLite file under tmp_path, or a clean PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.db'}"
    url: str = request.getfixturevalue("postgres_server_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    cat = open_catalog(catalog_url)
    try:
        yield cat
    finally:
        cat.close()


@pytest.fixture(scope="session")
def synthetic_catalog_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite catalog built once per session from tests/fixtures/synthetic.py's data.

    Big enough for the build to fit the forecast model and store a forecast for every waiting show.
    """
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    from synthetic import write_synthetic_data

    root = tmp_path_factory.mktemp("synthetic")
    data = write_synthetic_data(root / "data")
    url = f"sqlite:///{root / 'catalog.db'}"
    with open_catalog(url) as cat:
        report = build_catalog(cat, data)
    assert report.counts["forecast"]["fitted"] is True, report.counts["forecast"]
    return url


@pytest.fixture(scope="session")
def real_batches(shared_data: Path) -> list[Batch]:
    """Every parsed batch of the real data (read once per session)."""
    return load_batches(shared_data)


@pytest.fixture(scope="session")
def real_catalog_url(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite catalog built once per session from the whole real data (without the forecasts:
    fitting the model takes minutes, and the forecast tests build their own)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('real') / 'catalog.db'}"
    with open_catalog(url) as cat:
        build_catalog(cat, shared_data, forecasts=False)
    return url
