"""The web page on a real SQLite catalog: search, redirects, the show page and error pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sequelcast import service
from sequelcast.api import create_app
from sequelcast.errors import ModelError

from .conftest import Client, make_settings, run_client

# the real forecast runs on every show page: on 5 shows its fits warn that events are few
pytestmark = pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed (good enough for assertions)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_has_a_labelled_search_form(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="en">' in html
    assert '<form class="search" role="search" action="/search" method="get">' in html
    assert '<label for="q">Title or MAL id</label>' in html
    assert 'id="q" name="q" type="search"' in html
    assert "<h1>Will it get another season?</h1>" in html
    assert "<script" not in html


def test_stylesheet_is_served(client: Client) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "/static/style.css" in client.get("/").text


def test_confident_search_redirects_to_the_show(client: Client) -> None:
    response = client.get("/search", params={"q": "higehiro"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/anime/40938")


def test_search_by_mal_id_redirects(client: Client) -> None:
    response = client.get("/search", params={"q": "100"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/anime/100")


def test_ambiguous_search_lists_candidates(client: Client) -> None:
    response = client.get("/search", params={"q": "show"})
    assert response.status_code == 200
    html = response.text
    assert "'show' is ambiguous" in html.replace("&#39;", "'")
    assert '<th scope="col">Title</th>' in html
    assert '<th scope="row"><a href="http://testserver/anime/100">Tiny Show</a></th>' in html
    assert "/anime/300" in html


def test_search_without_match_says_so(client: Client) -> None:
    response = client.get("/search", params={"q": "qqqzzzxxx"})
    assert response.status_code == 200
    assert "No show matches “qqqzzzxxx”" in response.text


def test_blank_search_is_a_friendly_400(client: Client) -> None:
    response = client.get("/search", params={"q": "  "})
    assert response.status_code == 400
    assert "q: type a title or a MAL id" in response.text.replace("&#39;", "'")
    assert response.headers["content-type"].startswith("text/html")


def test_show_page(client: Client) -> None:
    response = client.get("/anime/40938")
    assert response.status_code == 200
    html = response.text
    text = text_of(html)
    assert "<h1>Hige wo Soru. Soshite Joshikousei wo Hirou.</h1>" in html
    assert "<title>Hige wo Soru. Soshite Joshikousei wo Hirou. – sequelcast</title>" in html
    assert '<tr><th scope="row">Studios</th><td>Project No.9</td></tr>' in html
    assert '<tr><th scope="row">Source</th><td>Light novel</td></tr>' in html
    assert "Aired 2021-04-05 to 2021-06-28" in text
    assert "percentile 100 among 1 TV shows of 2021" in text
    assert "Next season: none announced" in text
    assert '<th scope="col">Title</th>' in html
    assert 'aria-current="page"' in html  # the show's own row of the seasons table
    assert '<label for="as_of">As known on</label>' in html


def test_show_page_of_an_aired_sequel_links_it(client: Client) -> None:
    html = client.get("/anime/100").text
    text = text_of(html)
    # one rule for every surface: the status after the franchise's latest season (the 2nd), the
    # same as `sequelcast franchise`; the aired sequel is linked from the seasons table
    assert "Next season: none" in text
    assert "no main-line TV entry after" in text
    assert '<a href="http://testserver/anime/200">Tiny Show 2nd Season</a>' in html
    assert "Tiny Show Movie" in text  # the other entries of the franchise


def test_show_page_as_of(client: Client) -> None:
    html = client.get("/anime/100", params={"as_of": "2018-08-01"}).text
    text = text_of(html)
    assert "as known on 2018-08-01" in text
    assert "Next season: announced" in text
    assert "first seen 2018-06-01" in text
    assert 'value="2018-08-01"' in html


def test_show_page_by_title(client: Client) -> None:
    response = client.get("/anime/Tiny Show")
    assert response.status_code == 200
    assert "<h1>Tiny Show</h1>" in response.text


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        pytest.param("/anime/123456789", 404, "MAL id 123456789 is not in the catalog", id="unknown-id"),
        pytest.param("/anime/qqqzzzxxx", 404, "no title matches 'qqqzzzxxx'", id="no-match"),
        pytest.param("/anime/100?as_of=2018-13-01", 400, "as_of: expected a date as YYYY-MM-DD, got '2018-13-01'",
                     id="bad-as-of"),
        pytest.param("/nowhere", 404, "Not Found", id="unknown-page"),
    ],
)
def test_error_pages_show_the_api_message(client: Client, url: str, status: int, message: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    html = response.text.replace("&#39;", "'")
    assert f'<p class="notice notice-error" role="alert">{message}' in html
    assert "Back to the search" in html
    api = client.get(url.replace("/anime/", "/api/v1/anime/", 1)) if url.startswith("/anime/") else None
    if api is not None:
        assert api.json()["error"] == message or message in api.json()["error"]


def test_ambiguous_show_page_offers_candidates(client: Client) -> None:
    response = client.get("/anime/show")
    assert response.status_code == 409
    html = response.text
    assert "Did you mean" in html
    assert '<a href="http://testserver/anime/300">Old Show &amp; Friends</a>' in html


def test_internal_error_page_hides_details(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(service, "fact_sheet", broken)
    response = client.get("/anime/100")
    assert response.status_code == 500
    assert "internal error" in response.text
    assert "secret" not in response.text


def test_forecast_block(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def forecast(catalog: Any, title_or_id: str, as_of: date | None, today: date,
                 cache_dir: Path | None = None) -> dict[str, Any]:
        when = (as_of or today).isoformat()
        return {
            "franchise": {"id": "mal:100", "title": "Tiny Show"}, "as_of": when,
            "next_season": {"status": "none"}, "status": "waiting", "message": None,
            "forecast": {"mal_id": 200, "title": "Tiny Show 2nd Season", "as_of": when,
                         "ended": "2019-03-25", "waited_years": 1.5, "p_1y": 0.1, "p_2y": 0.2,
                         "p_3y": 0.3, "p_5y": 0.45, "median_years": None, "model": "cox",
                         "window": {"label": "2027 Q1–2027 Q4", "start": "2027 Q1", "end": "2027 Q4",
                                    "probability": 0.3},
                         "factors": [{"text": "very popular for its year", "effect": 0.4, "raises": True},
                                     {"text": "original anime", "effect": -0.2, "raises": False}]},
        }

    monkeypatch.setattr(service, "forecast", forecast, raising=False)
    html = client.get("/anime/100").text
    text = text_of(html)
    assert '<h2 id="forecast-h">Forecast</h2>' in html
    assert "Tiny Show 2nd Season ended 2019-03-25 and has been waiting 1.5 years on 2026-08-01" in text
    for row in ("1 year 10%", "2 years 20%", "3 years 30%", "5 years 45%"):
        assert row in text
    assert "Median time to an announcement: more than 10 years (likely never)" in text
    assert "Likely release window: 2027 Q1–2027 Q4 (30% chance it airs in that window)" in text
    assert '<li class="raises"><span class="effect" aria-hidden="true">▲</span>' in html
    assert "▲ very popular for its year" in text
    assert "▼ original anime" in text
    assert "Model: cox" in text


def test_forecast_block_when_the_season_is_announced(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def forecast(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"status": "announced", "forecast": None,
                "message": "Tiny Show: the next season is already announced"}

    monkeypatch.setattr(service, "forecast", forecast, raising=False)
    assert "No forecast: Tiny Show: the next season is already announced" in client.get("/anime/100").text


def test_forecast_block_shows_why_there_is_none(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def forecast(*args: Any, **kwargs: Any) -> Any:
        raise ModelError("forecast: franchise(s) ['mal:100'] are not waiting for a next season")

    monkeypatch.setattr(service, "forecast", forecast, raising=False)
    response = client.get("/anime/100")
    assert response.status_code == 200
    assert "No forecast: forecast: franchise(s)" in response.text


def test_no_forecast_block_without_the_service(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(service, "forecast", raising=False)
    assert 'id="forecast-h"' not in client.get("/anime/100").text


def test_missing_catalog_page(tmp_path: Path) -> None:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'none.db'}", tmp_path))
    for client in run_client(app):
        assert client.get("/").status_code == 200  # the search box needs no catalog
        response = client.get("/anime/100")
        assert response.status_code == 503
        assert "run `sequelcast build` first" in response.text
