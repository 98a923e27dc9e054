"""``sequelcast serve``: the command function, with uvicorn.run replaced by a recorder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

import sequelcast.api
from sequelcast.api.serve import serve
from sequelcast.errors import CatalogError, ConfigError

# serve() fits the forecast model before listening: on 5 shows its fits warn that events are few
pytestmark = pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")


@pytest.fixture(autouse=True)
def model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """serve() reads the environment: keep its caches under tmp_path."""
    monkeypatch.setenv("SEQUELCAST_MODEL_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def test_serve_runs_the_app_on_the_catalog(
    tiny_catalog_url: str, model_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: list[dict[str, Any]] = []

    def run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", run)
    serve(host="127.0.0.1", port=8123, db=tiny_catalog_url)
    assert len(calls) == 1
    assert isinstance(calls[0]["app"], FastAPI)
    assert calls[0]["app"].state.sequelcast.catalog_url == tiny_catalog_url
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
    assert calls[0]["app"].state.sequelcast.cache_dir == model_dir


def test_serve_uses_the_db_setting(tiny_catalog_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(app.state.sequelcast.catalog_url))
    monkeypatch.setenv("SEQUELCAST_DB", tiny_catalog_url)
    serve(host="127.0.0.1", port=8000, db=None)
    assert seen == [tiny_catalog_url]


def test_serve_without_catalog_fails_before_listening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("uvicorn must not start"))
    with pytest.raises(CatalogError, match=r"no catalog at .*none\.db: run `sequelcast build` first"):
        serve(host="127.0.0.1", port=8000, db=f"sqlite:///{tmp_path / 'none.db'}")
    assert not (tmp_path / "none.db").exists()


def test_serve_bad_db_url() -> None:
    with pytest.raises(ConfigError, match="use sqlite:///path/to/catalog.db or postgresql://"):
        serve(host="127.0.0.1", port=8000, db="mysql://x")


def test_serve_has_help_text() -> None:
    assert (serve.__doc__ or "").strip()


def test_api_all() -> None:
    assert sequelcast.api.__all__ == sorted(sequelcast.api.__all__) == ["create_app"]
