"""The web page on a real SQLite catalog: search, redirects, the show page and error pages."""

from __future__ import annotations

import re
import shutil
import sqlite3
from html import unescape
from pathlib import Path

import pytest

from sequelcast.api import create_app
from sequelcast.web.views import forecast_view

from .conftest import Client, make_settings, run_client

# the real forecast runs on every show page: on 5 shows its fits warn that events are few
pytestmark = pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed (good enough for assertions)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


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
    # suggestions come from one static script (no inline script, so a strict CSP allows it)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts == [""]
    assert '<script src="/static/suggest.js" defer></script>' in html
    assert 'list="q-suggestions" data-suggest' in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "javascript:" not in html


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
    assert '<th scope="row"><a href="/anime/100">Tiny Show</a></th>' in html
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
    assert "100th percentile among 1 TV shows of 2021" in text
    assert 'href="/anime/40938/report"' in html  # the full report is one click away
    assert 'href="/track-record"' in html
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
    assert '<a href="/anime/200">Tiny Show 2nd Season</a>' in html
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
        pytest.param(
            "/anime/123456789", 404, "MAL id 123456789 is not in the catalog", id="unknown-id"
        ),
        pytest.param("/anime/qqqzzzxxx", 404, "no title matches 'qqqzzzxxx'", id="no-match"),
        pytest.param(
            "/anime/100?as_of=2018-13-01",
            400,
            "as_of: expected a date as YYYY-MM-DD, got '2018-13-01'",
            id="bad-as-of",
        ),
        pytest.param("/nowhere", 404, "Not Found", id="unknown-page"),
    ],
)
def test_error_pages_show_the_api_message(
    client: Client, url: str, status: int, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    html = response.text.replace("&#39;", "'")
    assert f'<p class="notice notice-error" role="alert">{message}' in html
    assert "Back to the search" in html
    api = (
        client.get(url.replace("/anime/", "/api/v1/anime/", 1))
        if url.startswith("/anime/")
        else None
    )
    if api is not None:
        assert api.json()["error"] == message or message in api.json()["error"]


def test_ambiguous_show_page_offers_candidates(client: Client) -> None:
    response = client.get("/anime/show")
    assert response.status_code == 409
    html = response.text
    assert "Did you mean" in html
    assert '<a href="/anime/300">Old Show &amp; Friends</a>' in html


def test_internal_error_page_hides_details(tiny_catalog_url: str, tmp_path: Path) -> None:
    source = Path(tiny_catalog_url.removeprefix("sqlite:///"))
    damaged = tmp_path / "damaged.db"
    shutil.copy(source, damaged)
    with sqlite3.connect(damaged) as conn:
        conn.execute("DROP TABLE anime_derived")  # a real database error, not a planted one
    for client in run_client(create_app(make_settings(f"sqlite:///{damaged}", tmp_path))):
        response = client.get("/anime/100")
        assert response.status_code == 500
        assert "internal error" in response.text
        assert "anime_derived" not in response.text


def test_forecast_block(synthetic_client: Client) -> None:
    """The stored forecast of a waiting show, as the API gives it, in words."""
    fc = synthetic_client.get("/api/v1/forecast/Synth Show 3").json()["forecast"]
    html = synthetic_client.get("/anime/Synth Show 3").text
    text = text_of(html)
    assert '<h2 id="forecast-h">Forecast</h2>' in html
    assert (
        f"{fc['title']} ended {fc['ended']} and has been waiting {fc['waited_years']:.1f} years "
        f"on {fc['as_of']}"
    ) in text
    for years, key in (
        ("1 year", "p_1y"),
        ("2 years", "p_2y"),
        ("3 years", "p_3y"),
        ("5 years", "p_5y"),
    ):
        assert f"{years} {100 * fc[key]:.0f}%" in text
    assert fc["factors"]
    for factor in fc["factors"]:
        assert ("▲ " if factor["raises"] else "▼ ") + factor["text"] in text
    assert f"Model: {fc['model']}" in text
    assert f"Median time to an announcement: {fc['median_text']}" in text
    assert f"Verdict: {fc['verdict']}" in text
    assert "likely never" not in text


def test_forecast_block_when_the_season_is_announced(client: Client) -> None:
    html = client.get("/anime/100", params={"as_of": "2018-08-01"}).text
    assert "No forecast: Tiny Show: the next season is already announced" in html


def test_forecast_block_shows_why_there_is_none(client: Client) -> None:
    response = client.get("/anime/100", params={"as_of": "2018-06-15"})
    assert response.status_code == 200  # the fact sheet is still worth showing
    assert "No forecast: forecast: the model could not be fitted on 2018-06-15: " in response.text
    assert "no next season was announced in the data by 2018-06-15" in response.text


def test_missing_catalog_page(tmp_path: Path) -> None:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'none.db'}", tmp_path))
    for client in run_client(app):
        home = client.get("/")
        assert home.status_code == 200  # the search box needs no catalog
        assert 'id="q" name="q"' in home.text
        assert (
            "run `sequelcast build` first" in home.text
        )  # and the page says why there are no lists
        response = client.get("/anime/100")
        assert response.status_code == 503
        assert "run `sequelcast build` first" in response.text


def test_show_page_poster_synopsis_and_links(client: Client) -> None:
    html = client.get("/anime/40938").text
    text = text_of(html)
    assert (
        '<img class="poster" src="https://cdn.myanimelist.net/images/anime/1146/113477l.jpg" '
        'alt="Poster of Hige wo Soru. Soshite Joshikousei wo Hirou."'
    ) in html
    assert "<p>Salaryman Yoshida takes in Sayu, a runaway high school girl.</p>" in html
    assert "Synopsis: MyAnimeList, through Jikan (the MAL seasons files), 2026-02-15." in text
    assert '<p class="subtitle-ja" lang="ja">ひげを剃る。そして女子高生を拾う。</p>' in html
    assert '<a href="https://myanimelist.net/anime/40938" rel="noopener">MyAnimeList</a>' in html
    assert '<a href="https://anidb.net/anime/15332" rel="noopener">AniDB</a>' in html


def test_show_page_without_poster_or_synopsis(client: Client) -> None:
    html = client.get("/anime/200").text
    assert '<img class="poster"' not in html
    assert "Synopsis:" not in html
    assert 'class="show-header"' in html  # no poster column
    assert '<a href="https://myanimelist.net/anime/200" rel="noopener">MyAnimeList</a>' in html


def test_forecast_view_draws_the_chart_by_date() -> None:
    view = forecast_view(
        {"forecast": {"as_of": "2026-08-01", "p_1y": 0.1, "p_2y": 0.3, "title": "X"}}
    )
    svg = view["chart"]
    assert svg.startswith('<svg class="chart"')
    assert '<desc id="forecast-chart-desc">10% by 2027-08-01; 30% by 2028-08-01</desc>' in svg
    assert (
        forecast_view({"forecast": {"p_1y": 0.1, "title": "X"}})["chart"] == ""
    )  # no date, no chart


def test_home_page_lists(client: Client) -> None:
    html = client.get("/").text
    for heading in (
        "Announced next seasons",
        "Recently announced",
        "Airing now",
        "Most likely to return",
    ):
        assert f">{heading}</h2>" in html
    assert "Lists as of the newest data, 2026-08-01." in text_of(html)


def test_search_results_grouped_by_franchise(client: Client) -> None:
    html = client.get("/search", params={"q": "show"}).text
    groups = re.findall(r'<h2 id="group-\d+">(.*?)</h2>', html)
    assert groups == ["Tiny Show", "Old Show &amp; Friends"]
    tiny = html[html.index('id="group-1"') : html.index('id="group-2"')]
    assert [int(m) for m in re.findall(r'href="/anime/(\d+)"', tiny)] == [100, 400, 200]
    assert "2 franchises may match, best first." in text_of(html)


def test_search_for_nonsense_gives_one_message(client: Client) -> None:
    html = client.get("/search", params={"q": "zzyzx"}).text
    assert text_of(html).count("No show matches “zzyzx”") == 1
    assert 'role="status"' in html
    assert "<table" not in html


def test_search_for_a_season_beyond_the_last(client: Client) -> None:
    html = client.get("/search", params={"q": "tiny show season 3"}).text.replace("&#39;", "'")
    assert "'Tiny Show' has 2 seasons; no 3rd season is announced" in html


def test_search_leaves_out_weak_guesses(client: Client) -> None:
    # "tiny mo" finds Tiny Show (75) and Tiny Show Movie (71), and Tiny Show 2nd Season at only 69
    html = client.get("/search", params={"q": "tiny mo"}).text
    assert "/anime/100" in html
    assert "/anime/400" in html
    assert "/anime/200" not in html


def test_show_page_draws_the_seasons_on_a_timeline(client: Client) -> None:
    html = client.get("/anime/100").text
    assert '<svg class="chart timeline"' in html
    assert (
        "Season 1, Tiny Show: 2015-01-05 to 2015-03-30; "
        "Season 2, Tiny Show 2nd Season: 2019-01-07 to 2019-03-25</desc>"
    ) in html
