"""The JSON API on a real SQLite catalog: every route, every error path in the one shape."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from sequelcast.api import create_app
from sequelcast.api.deps import get_service
from sequelcast.cli import app as cli_app
from sequelcast.service import Sequelcast

from .conftest import Client, make_settings, run_client

ERROR_KEYS = {"ok", "status", "error", "errors"}


def assert_error(response: Any, status: int, message: str) -> dict[str, Any]:
    """The response is the one error shape, with this status and a message containing ``message``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["ok"] is False
    assert body["status"] == status
    assert message in body["error"]
    assert isinstance(body["errors"], list)
    assert "Traceback" not in response.text
    return body


# -- successes ----------------------------------------------------------------------------------


def test_resolve(client: Client) -> None:
    response = client.get("/api/v1/resolve", params={"q": "hige wo soru"})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["results"][0]["mal_id"] == 40938
    assert set(body["results"][0]) == {"mal_id", "title", "score", "matched_on"}


def test_resolve_limit_and_order(client: Client) -> None:
    body = client.get("/api/v1/resolve", params={"q": "tiny", "limit": 2}).json()
    assert [r["mal_id"] for r in body["results"]] == [100, 400]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_resolve_no_match_is_an_empty_list(client: Client) -> None:
    body = client.get("/api/v1/resolve", params={"q": "qqqzzzxxx"}).json()
    assert body == {"ok": True, "results": []}


def test_anime_by_title_matches_the_cli_json(client: Client, tiny_catalog_url: str) -> None:
    response = client.get("/api/v1/anime/higehiro")
    assert response.status_code == 200
    sheet = response.json()
    assert sheet.pop("ok") is True
    cli = CliRunner().invoke(
        cli_app,
        ["show", "40938", "--json"],
        env={"SEQUELCAST_DB": tiny_catalog_url, "SEQUELCAST_TODAY": "2026-08-01"},
    )
    assert cli.exit_code == 0, cli.output
    assert sheet == json.loads(cli.output)
    assert sheet["mal_id"] == 40938
    assert sheet["studios"] == ["Project No.9"]
    assert sheet["peers"]["group"] == "TV shows of 2021"
    assert sheet["next_season"]["status"] == "none"


def test_anime_as_of_hides_later_facts(client: Client) -> None:
    sheet = client.get("/api/v1/anime/100", params={"as_of": "2018-05-07"}).json()
    assert sheet["members"] == 210000
    assert sheet["as_of"] == "2018-05-07"
    assert sheet["next_season"]["status"] == "none"


def test_franchise_any_season_gives_the_same_franchise(client: Client) -> None:
    first = client.get("/api/v1/franchise/100").json()
    second = client.get("/api/v1/franchise/Tiny Show 2nd Season").json()
    assert first == second
    assert first["ok"] is True
    assert [s["mal_id"] for s in first["seasons"]] == [100, 200]
    assert first["next_season"]["status"] == "none"


def test_franchise_as_of(client: Client) -> None:
    data = client.get("/api/v1/franchise/100", params={"as_of": "2018-08-01"}).json()
    assert [(s["mal_id"], s["anidb_id"]) for s in data["seasons"]] == [(100, 1000), (None, 2000)]
    assert data["next_season"]["status"] == "announced"
    assert data["next_season"]["first_seen"] == "2018-06-01"


def test_stats(client: Client) -> None:
    body = client.get("/api/v1/stats").json()
    assert body["ok"] is True
    assert body["entries_by_type"] == {"Movie": 1, "TV": 4}
    assert body["rejects"] == 3
    assert body["last_build"]["id"] >= 1


def test_health(client: Client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["catalog"]["backend"] == "sqlite"
    assert body["catalog"]["last_build"]["as_of"] is None
    assert (
        body["forecast"] is True
    )  # five shows: the fit warns (kept in the build's counts) but works


def test_health_of_a_catalog_with_forecasts(synthetic_client: Client) -> None:
    assert synthetic_client.get("/api/v1/health").json()["forecast"] is True


def test_forecast_reads_the_stored_forecast(
    synthetic_client: Client, synthetic_app: FastAPI
) -> None:
    response = synthetic_client.get("/api/v1/forecast/Synth Show 3")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.pop("ok") is True
    assert body["status"] == "waiting"
    assert body["as_of"] == "2026-08-01"  # settings.today (2026-11-25), capped at the end of data
    fc = body["forecast"]
    probabilities = [fc[f"p_{h}y"] for h in (1, 2, 3, 5)]
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert probabilities == sorted(probabilities)
    assert fc["factors"]
    svc = synthetic_app.state.sequelcast
    assert body == svc.forecast("Synth Show 3")
    assert fc == svc.catalog.stored_forecast(body["franchise"]["id"])


@pytest.mark.slow
def test_forecast_as_of_a_past_date_is_fitted_on_demand(synthetic_client: Client) -> None:
    body = synthetic_client.get(
        "/api/v1/forecast/Synth Show 3", params={"as_of": "2018-05-07"}
    ).json()
    assert body["status"] == "waiting"
    assert body["as_of"] == body["forecast"]["as_of"] == "2018-05-07"
    sheet = synthetic_client.get(
        "/api/v1/anime/Synth Show 3", params={"as_of": "2018-05-07"}
    ).json()
    assert sheet["as_of"] == "2018-05-07"


def test_forecast_of_a_show_whose_next_season_is_announced(client: Client) -> None:
    body = client.get("/api/v1/forecast/100", params={"as_of": "2018-08-01"}).json()
    assert body["status"] == "announced"
    assert body["forecast"] is None
    assert body["message"] == (
        "Tiny Show: the next season is already announced: AniDB 2000, "
        "first seen 2018-06-01, air date TBA"
    )
    assert body["next_season"]["first_seen"] == "2018-06-01"


def test_routes_get_the_service_through_the_dependency(
    app: FastAPI,
    synthetic_catalog_url: str,
    tmp_path: Path,
) -> None:
    """``app.dependency_overrides[get_service]`` swaps the service: here, one over another catalog."""
    other = Sequelcast(make_settings(synthetic_catalog_url, tmp_path))
    app.dependency_overrides[get_service] = lambda: other
    try:
        for client in run_client(app):
            assert client.get("/api/v1/anime/10031").json()["title"] == "Synth Show 3"
    finally:
        app.dependency_overrides.clear()
        other.close()


def test_forecast_model_error_is_422(client: Client) -> None:
    """On 2018-06-15 no sequel in the tiny data had been announced: nothing to learn from, so a 422."""
    assert_error(
        client.get("/api/v1/forecast/100", params={"as_of": "2018-06-15"}),
        422,
        "forecast: the model could not be fitted on 2018-06-15: no next season was announced in the data by 2018-06-15",
    )


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        pytest.param(
            "/api/v1/anime/100?as_of=2018-13-01",
            400,
            "as_of: expected a date as YYYY-MM-DD, got '2018-13-01'",
            id="anime-bad-as-of",
        ),
        pytest.param(
            "/api/v1/franchise/100?as_of=yesterday",
            400,
            "as_of: expected a date as YYYY-MM-DD, got 'yesterday'",
            id="franchise-bad-as-of",
        ),
        pytest.param(
            "/api/v1/forecast/100?as_of=2020-02-30",
            400,
            "as_of: expected a date as YYYY-MM-DD, got '2020-02-30'",
            id="forecast-bad-as-of",
        ),
        pytest.param(
            "/api/v1/anime/%20", 400, "title_or_id: type a title or a MAL id", id="blank-title"
        ),
        pytest.param("/api/v1/resolve?q=%20%20", 400, "q: type a title or a MAL id", id="blank-q"),
        pytest.param(
            "/api/v1/anime/123456789",
            404,
            "MAL id 123456789 is not in the catalog",
            id="unknown-id",
        ),
        pytest.param(
            "/api/v1/franchise/123456789",
            404,
            "MAL id 123456789 is not in the catalog",
            id="franchise-unknown-id",
        ),
        pytest.param("/api/v1/anime/qqqzzzxxx", 404, "no title matches 'qqqzzzxxx'", id="no-match"),
        pytest.param(
            "/api/v1/anime/40938?as_of=2018-05-07",
            404,
            "MAL id 40938 was not known on 2018-05-07",
            id="not-known-yet",
        ),
        pytest.param("/api/v1/nowhere", 404, "Not Found", id="unknown-route"),
    ],
)
def test_error_shape(client: Client, url: str, status: int, message: str) -> None:
    body = assert_error(client.get(url), status, message)
    if status == 404:
        assert body["errors"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({}, "query parameter 'q': Field required", id="missing-q"),
        pytest.param(
            {"q": ""}, "query parameter 'q': String should have at least 1 character", id="empty-q"
        ),
        pytest.param(
            {"q": "x", "limit": 0},
            "query parameter 'limit': Input should be greater than or equal to 1",
            id="limit-0",
        ),
        pytest.param(
            {"q": "x", "limit": "many"},
            "query parameter 'limit': Input should be a valid integer",
            id="limit-text",
        ),
    ],
)
def test_validation_errors_use_the_one_shape(
    client: Client, params: dict[str, Any], message: str
) -> None:
    body = assert_error(client.get("/api/v1/resolve", params=params), 400, message)
    assert body["errors"]
    assert set(body["errors"][0]) == {"loc", "msg", "type"}
    assert body["errors"][0]["loc"][0] == "query"


def test_ambiguous_title_is_409_with_candidates(client: Client) -> None:
    body = assert_error(client.get("/api/v1/anime/show"), 409, "'show' is ambiguous")
    assert [c["mal_id"] for c in body["errors"][:2]] == [100, 300]
    assert set(body["errors"][0]) == {"mal_id", "title", "score", "matched_on"}
    assert body["errors"][0]["title"] == "Tiny Show"


def test_ambiguous_title_within_one_franchise_is_fine_for_franchise(client: Client) -> None:
    # "show" is ambiguous between franchises, so the franchise route refuses too
    assert_error(client.get("/api/v1/franchise/show"), 409, "'show' is ambiguous")


def damaged_catalog(tiny_catalog_url: str, tmp_path: Path) -> str:
    """A copy of the tiny catalog whose ``anime_derived`` table is gone (a real database error)."""
    source = Path(tiny_catalog_url.removeprefix("sqlite:///"))
    copy = tmp_path / "damaged.db"
    shutil.copy(source, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("DROP TABLE anime_derived")
    return f"sqlite:///{copy}"


def test_unexpected_error_is_500_and_logged(
    tiny_catalog_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(make_settings(damaged_catalog(tiny_catalog_url, tmp_path), tmp_path))
    for client in run_client(app):
        with caplog.at_level(logging.ERROR, logger="sequelcast.api"):
            response = client.get("/api/v1/anime/100")
        body = assert_error(response, 500, "internal error")
        assert body == {"ok": False, "status": 500, "error": "internal error", "errors": []}
        assert "anime_derived" not in response.text
        assert any(r.exc_info and "anime_derived" in str(r.exc_info[1]) for r in caplog.records)


def test_missing_catalog_is_503(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    app = create_app(make_settings(f"sqlite:///{missing}", tmp_path))
    for client in run_client(app):
        for url in ("/api/v1/health", "/api/v1/stats", "/api/v1/anime/100", "/api/v1/resolve?q=x"):
            assert_error(client.get(url), 503, "run `sequelcast build` first")
    assert not missing.exists()


# -- schema -------------------------------------------------------------------------------------


def test_openapi_lists_every_route(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "sequelcast"
    assert schema["info"]["version"] == "0.1.0"
    assert "one shape" in schema["info"]["description"]
    assert set(schema["paths"]) == {
        "/api/v1/resolve",
        "/api/v1/anime/{title_or_id}",
        "/api/v1/franchise/{title_or_id}",
        "/api/v1/forecast/{title_or_id}",
        "/api/v1/stats",
        "/api/v1/health",
    }
    anime = schema["paths"]["/api/v1/anime/{title_or_id}"]["get"]
    assert {"400", "404", "409", "500"} <= set(anime["responses"])
    assert "ErrorBody" in schema["components"]["schemas"]
    assert all(
        op["get"].get("description") or op["get"].get("summary") for op in schema["paths"].values()
    )


def test_docs_page_is_served(client: Client) -> None:
    assert client.get("/docs").status_code == 200
