"""``sequelcast serve``: the command function, with uvicorn.run replaced by a recorder (one worker;
tests/api/test_workers.py runs several as a real server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

import sequelcast.api
from sequelcast.api.app import app_from_env
from sequelcast.api.serve import FACTORY, serve
from sequelcast.errors import CatalogError, ConfigError

from .conftest import run_client


@pytest.fixture(autouse=True)
def model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """serve() reads the environment (and sets SEQUELCAST_DB for its workers): keep both in the test."""
    monkeypatch.setenv("SEQUELCAST_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SEQUELCAST_DB", "sqlite:///placeholder-restored-after-the-test.db")
    return tmp_path / "models"


def test_serve_runs_the_factory_in_workers(
    tiny_catalog_url: str,
    model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: list[dict[str, Any]] = []

    def run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", run)
    serve(host="127.0.0.1", port=8123, workers=1, db=tiny_catalog_url)
    serve(host="127.0.0.1", port=8123, workers=1, db=tiny_catalog_url, access_log=False)
    assert [c["access_log"] for c in calls] == [True, False]
    calls.pop()
    assert len(calls) == 1
    assert calls[0]["app"] == FACTORY
    assert calls[0]["factory"] is True
    assert (calls[0]["host"], calls[0]["port"], calls[0]["workers"]) == ("127.0.0.1", 8123, 1)
    assert "http://127.0.0.1:8123/ with 1 worker(s)" in capsys.readouterr().out
    # several workers (tests/api/test_workers.py runs them): each builds the same app
    # what each worker builds: the app over the catalog given to serve, warm before it takes traffic
    worker_app = app_from_env()
    svc = worker_app.state.sequelcast
    assert svc.settings.db == tiny_catalog_url
    assert svc.settings.model_dir == model_dir
    for client in run_client(worker_app):
        assert svc.index_cache.keys() == [
            svc.build_key()
        ]  # loaded by the startup, before any request
        assert (
            client.get("/api/v1/resolve", params={"q": "higehiro"}).json()["results"][0]["mal_id"]
            == 40938
        )


def test_serve_uses_the_db_setting(tiny_catalog_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setenv("SEQUELCAST_DB", tiny_catalog_url)
    serve(host="127.0.0.1", port=8000, workers=1, db=None)
    assert app_from_env().state.sequelcast.settings.db == tiny_catalog_url


def test_serve_without_catalog_fails_before_listening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("uvicorn must not start"))
    with pytest.raises(
        CatalogError, match=r"no catalog at .*none\.db: run `sequelcast build` first"
    ):
        serve(host="127.0.0.1", port=8000, workers=1, db=f"sqlite:///{tmp_path / 'none.db'}")
    assert not (tmp_path / "none.db").exists()


def test_serve_bad_db_url() -> None:
    with pytest.raises(ConfigError, match="use sqlite:///path/to/catalog.db or postgresql://"):
        serve(host="127.0.0.1", port=8000, workers=1, db="mysql://x")


def test_serve_has_help_text() -> None:
    assert (serve.__doc__ or "").strip()


def test_api_all() -> None:
    assert sequelcast.api.__all__ == sorted(sequelcast.api.__all__) == ["create_app"]
