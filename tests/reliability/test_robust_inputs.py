"""No 5xx and no traceback for huge MAL ids, digit-like characters, or a database that is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from sequelcast.api import create_app
from sequelcast.cli import app as cli_app
from sequelcast.errors import NotFoundError
from sequelcast.service._app import parse_mal_id

from .conftest import Client, build_tiny, make_settings, run_client

runner = CliRunner()
HUGE_IDS = [str(2**31), str(2**63), str(2**64 + 1), "9" * 40, "1" * 5000, "0"]
DIGIT_LIKE = ["²", "①", "x²", "Ⅻ", "⁹⁹", "½"]
ROUTES = ["/api/v1/anime/{}", "/api/v1/franchise/{}", "/api/v1/forecast/{}", "/anime/{}"]


def test_parse_mal_id_takes_decimal_digits_only() -> None:
    assert parse_mal_id("40938") == 40938
    assert (
        parse_mal_id("４０９３８") == 40938
    )  # full-width digits, as a Japanese keyboard types them
    assert parse_mal_id("²") is None
    assert parse_mal_id("①") is None
    with pytest.raises(NotFoundError, match="MAL ids run from 1 to 2147483647"):
        parse_mal_id(str(2**63))
    with pytest.raises(NotFoundError, match=r"\(5000 digits\)"):
        parse_mal_id("1" * 5000)


@pytest.mark.parametrize("value", HUGE_IDS)
def test_huge_ids_are_404_on_both_backends(any_client: Client, value: str) -> None:
    for route in ROUTES:
        response = any_client.get(route.format(value))
        assert response.status_code == 404, (route, response.text[:300])
        assert "Traceback" not in response.text


@pytest.mark.parametrize("value", DIGIT_LIKE)
def test_digit_like_characters_are_titles_not_ids(any_client: Client, value: str) -> None:
    for route in ROUTES:
        response = any_client.get(route.format(value))
        assert response.status_code in (200, 404, 409), (route, response.text[:300])
    resolved = any_client.get("/api/v1/resolve", params={"q": value})
    assert resolved.status_code == 200


def test_full_width_digits_are_the_id(any_client: Client) -> None:
    response = any_client.get("/api/v1/anime/４０９３８")
    assert response.status_code == 200
    assert response.json()["mal_id"] == 40938


@pytest.mark.parametrize("value", [str(2**63), "²", "①"])
def test_the_cli_says_what_is_wrong_without_a_traceback(value: str, tmp_path: Path) -> None:
    db = build_tiny(f"sqlite:///{tmp_path / 'c.db'}")
    for command in (["show", value], ["franchise", value], ["forecast", value]):
        result = runner.invoke(cli_app, [*command, "--db", db])
        assert result.exit_code in (1, 2), (command, result.output)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Error" in result.output


# -- a database that is down -------------------------------------------------------------------


def _assert_503(client: Client) -> None:
    for url in ("/api/v1/health", "/api/v1/anime/100", "/api/v1/resolve?q=tiny", "/api/v1/stats"):
        response = client.get(url)
        assert response.status_code == 503, (url, response.text[:300])
        body = response.json()
        assert body["ok"] is False
        assert "Traceback" not in response.text


def test_postgres_unreachable_at_startup_is_503(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:nothing@127.0.0.1:9/nothing?connect_timeout=2"
    for client in run_client(create_app(make_settings(url, tmp_path))):
        _assert_503(client)


def test_sqlite_file_missing_is_503(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'never-built.db'}"
    for client in run_client(create_app(make_settings(url, tmp_path))):
        _assert_503(client)


def test_sqlite_file_broken_while_serving_is_503(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    url = build_tiny(f"sqlite:///{path}")
    for client in run_client(create_app(make_settings(url, tmp_path))):
        assert client.get("/api/v1/health").status_code == 200
        for extra in (path.with_name("c.db-wal"), path.with_name("c.db-shm")):
            extra.unlink(missing_ok=True)
        path.write_bytes(b"this is not a database" * 400)
        _assert_503(client)


@pytest.mark.postgres
def test_postgres_going_down_while_serving_is_503(postgres_server_url: str, tmp_path: Path) -> None:
    admin_url = make_url(postgres_server_url).set(database="postgres")
    name = "sequelcast_down_test"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = build_tiny(
        make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    )
    try:
        for client in run_client(create_app(make_settings(url, tmp_path))):
            assert client.get("/api/v1/health").status_code == 200
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            _assert_503(client)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_cli_with_the_database_down_says_so(tmp_path: Path) -> None:
    url = "postgresql://nobody:nothing@127.0.0.1:9/nothing?connect_timeout=2"
    for command in (["stats"], ["show", "100"]):
        result = runner.invoke(cli_app, [*command, "--db", url])
        assert result.exit_code == 1, result.output
        assert "cannot open the catalog" in result.output
        assert "Traceback" not in result.output


@pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")  # the tiny data is tiny
def test_a_date_with_too_few_shows_to_fit_a_model_is_422_not_500(any_client: Client) -> None:
    response = any_client.get("/api/v1/forecast/100", params={"as_of": "2020-06-01"})
    assert response.status_code == 422, response.text[:300]
    assert "could not be fitted" in response.json()["error"]
