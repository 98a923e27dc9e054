"""Jikan v4: season pagination, /anime/{id}/full, facts, relations, rejects, errors, pacing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sequelcast.domain import FACT_FIELDS, Batch, IdLink, Relation, merge_batches
from sequelcast.errors import FetchError
from sequelcast.sources import jikan
from sequelcast.sources.http import FetchStatusError, make_client

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED = date(2026, 3, 1)
SEASON_URL = "https://api.jikan.moe/v4/seasons/2021/spring"
FULL_URL = "https://api.jikan.moe/v4/anime/40938/full"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def facts_of(batch: Batch, mal_id: int) -> dict[str, Any]:
    return {f.field: f.value for f in batch.facts if f.mal_id == mal_id}


def routes(table: dict[str, list[httpx.Response]]) -> tuple[httpx.MockTransport, list[str]]:
    """Answer each URL (with its query) from its own queue; record the URLs asked."""
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        asked.append(url)
        return table[url].pop(0)

    return httpx.MockTransport(handler), asked


def quiet_client(transport: httpx.BaseTransport) -> httpx.Client:
    return make_client(transport=transport, rate_limit_per_second=None, sleep=lambda s: None)


@pytest.fixture
def season() -> Batch:
    pages = [load("jikan_season_page1.json"), load("jikan_season_page2.json")]
    return merge_batches((jikan.parse_anime_list(p, FETCHED) for p in pages), "jikan", SEASON_URL)


def test_fetch_season_follows_has_next_page() -> None:
    transport, asked = routes(
        {
            f"{SEASON_URL}?page=1": [httpx.Response(200, json=load("jikan_season_page1.json"))],
            f"{SEASON_URL}?page=2": [httpx.Response(200, json=load("jikan_season_page2.json"))],
        }
    )
    with quiet_client(transport) as client:
        pages = jikan.fetch_season(client, 2021, "Spring")
    assert asked == [f"{SEASON_URL}?page=1", f"{SEASON_URL}?page=2"]
    assert [p["pagination"]["current_page"] for p in pages] == [1, 2]


def test_fetch_season_one_page() -> None:
    transport, asked = routes(
        {f"{SEASON_URL}?page=2": [httpx.Response(200, json=load("jikan_season_page2.json"))]}
    )
    with quiet_client(transport) as client:
        assert len(jikan.fetch_season(client, 2021, "spring", page=2)) == 1


def test_fetch_season_stops_at_max_pages() -> None:
    page1 = load("jikan_season_page1.json")
    transport, _ = routes(
        {f"{SEASON_URL}?page={n}": [httpx.Response(200, json=page1)] for n in (1, 2)}
    )
    with (
        quiet_client(transport) as client,
        pytest.raises(FetchError, match=r"spring: more than 2 pages"),
    ):
        jikan.fetch_season(client, 2021, "spring", max_pages=2)


def test_fetch_season_rejects_a_bad_season() -> None:
    with quiet_client(routes({})[0]) as client, pytest.raises(ValueError, match="autumn"):
        jikan.fetch_season(client, 2021, "autumn")


def test_season_facts_for_higehiro(season: Batch) -> None:
    assert facts_of(season, 40938) == {
        "title": "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        "title_english": "Higehiro: After Being Rejected, I Shaved and Took in a High School Runaway",
        "title_japanese": "ひげを剃る。そして女子高生を拾う。",
        "synonyms": ["I Shaved. Then I Brought a High School Girl Home.", "Higehiro"],
        "type": "TV",
        "episodes": 13,
        "status": "Finished Airing",
        "start_date": date(2021, 4, 5),
        "end_date": date(2021, 6, 28),
        "season": "spring",
        "year": 2021,
        "source_type": "Light novel",
        "studios": ["Project No.9"],
        "producers": ["Toei Video", "Kadokawa"],
        "genres": ["Drama", "Romance"],
        "rating": "PG-13 - Teens 13 or older",
        "duration": "23 min per ep",
        "score": 7.26,
        "scored_by": 355504,
        "rank": 3177,
        "popularity": 361,
        "members": 663323,
        "favorites": 6331,
    }
    assert all(f.observed_at == FETCHED and f.source == "jikan" for f in season.facts)


def test_bad_record_is_rejected_by_mal_id(season: Batch) -> None:
    assert [(r.location, r.reason) for r in season.rejects] == [
        ("mal_id 99999", "episodes: expected an integer, got 'thirteen'")
    ]
    assert json.loads(season.rejects[0].raw)["title"] == "A Record With A Broken Field"
    assert facts_of(season, 99999) == {}


def test_titles_array_and_partial_dates(season: Batch) -> None:
    facts = facts_of(season, 55555)
    assert facts["title"] == "Announced Sequel 2nd Season"
    assert facts["synonyms"] == ["AS2"]
    assert "start_date" not in facts  # "2026 to ?" is a year, not a date
    assert facts["status"] == "Not yet aired"
    assert "score" not in facts


def test_fetch_and_parse_anime_full() -> None:
    transport, asked = routes(
        {FULL_URL: [httpx.Response(200, json=load("jikan_anime_full_40938.json"))]}
    )
    with quiet_client(transport) as client:
        payload = jikan.fetch_anime(client, 40938)
    batch = jikan.parse_anime_full(payload, FETCHED, location=FULL_URL)
    assert asked == [FULL_URL]
    assert batch.location == FULL_URL
    assert facts_of(batch, 40938)["title"] == "Hige wo Soru. Soshite Joshikousei wo Hirou."
    assert batch.relations == [
        Relation(40938, 49999, "side_story", "MAL 40938 Side Story 49999", FETCHED, "jikan")
    ]
    assert batch.id_links == [IdLink(40938, "anidb", "15332", FETCHED, "jikan")]
    assert batch.rejects == []


def test_fetch_anime_404_names_url_and_message() -> None:
    body = {
        "status": 404,
        "type": "BadResponseException",
        "message": "Resource does not exist",
        "error": None,
    }
    transport, _ = routes({FULL_URL: [httpx.Response(404, json=body)]})
    with quiet_client(transport) as client, pytest.raises(FetchStatusError) as info:
        jikan.fetch_anime(client, 40938)
    assert info.value.status_code == 404
    assert str(info.value) == f"{FULL_URL} answered HTTP 404: Resource does not exist"


def test_fetch_anime_500_then_success() -> None:
    sleeps: list[float] = []
    transport, asked = routes(
        {
            FULL_URL: [
                httpx.Response(500, json={"message": "upstream"}),
                httpx.Response(200, json=load("jikan_anime_full_40938.json")),
            ]
        }
    )
    with make_client(
        transport=transport, rate_limit_per_second=None, sleep=sleeps.append
    ) as client:
        payload = jikan.fetch_anime(client, 40938)
    assert payload["data"]["mal_id"] == 40938
    assert len(asked) == 2
    assert sleeps == [1.0]


def test_fetch_anime_429_waits_retry_after() -> None:
    sleeps: list[float] = []
    transport, _ = routes(
        {
            FULL_URL: [
                httpx.Response(429, headers={"Retry-After": "2"}),
                httpx.Response(200, json=load("jikan_anime_full_40938.json")),
            ]
        }
    )
    with make_client(
        transport=transport, rate_limit_per_second=None, sleep=sleeps.append
    ) as client:
        jikan.fetch_anime(client, 40938)
    assert sleeps == [2.0]


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (httpx.Response(200, text="<!doctype html>"), "not JSON"),
        (httpx.Response(200, json={"data": []}), r'expected \{"data": \{\.\.\.\}\}, got an object'),
        (httpx.Response(200, json=[1]), "got list"),
    ],
    ids=["html", "data-list", "top-list"],
)
def test_fetch_anime_malformed(response: httpx.Response, match: str) -> None:
    transport, _ = routes({FULL_URL: [response]})
    with quiet_client(transport) as client, pytest.raises(FetchError, match=match) as info:
        jikan.fetch_anime(client, 40938)
    assert FULL_URL in str(info.value)


def test_fetch_season_malformed_names_the_page() -> None:
    transport, _ = routes({f"{SEASON_URL}?page=1": [httpx.Response(200, json={"pagination": {}})]})
    with (
        quiet_client(transport) as client,
        pytest.raises(FetchError, match=r"spring\?page=1: expected"),
    ):
        jikan.fetch_season(client, 2021, "spring")


@pytest.mark.parametrize(
    ("anime", "reason"),
    [
        ({"mal_id": -1, "title": "X"}, "bad mal_id -1"),
        ({"mal_id": True, "title": "X"}, "bad mal_id True"),
        ({"mal_id": 1}, "no title"),
        ({"mal_id": 1, "title": "X", "score": "7.5"}, "score: expected a number"),
        ({"mal_id": 1, "title": "X", "studios": "Bones"}, "studios: expected a list"),
        ({"mal_id": 1, "title": "X", "aired": {"from": "soon"}}, "aired.from: not a date"),
        (
            {"mal_id": 1, "title": "X", "relations": [{"relation": "Sequel"}]},
            "relations: bad group",
        ),
        ({"mal_id": 1, "title": "X", "external": [{"name": "AniDB"}]}, "external: bad link"),
        ([1, 2], "not a JSON object"),
    ],
    ids=[
        "negative-id",
        "bool-id",
        "no-title",
        "score-text",
        "studios-text",
        "bad-date",
        "bad-relation",
        "bad-external",
        "list",
    ],
)
def test_bad_records_become_rejects(anime: Any, reason: str) -> None:
    batch = jikan.parse_anime_list({"data": [anime]}, FETCHED)
    assert batch.facts == []
    assert len(batch.rejects) == 1
    assert batch.rejects[0].reason.startswith(reason)


def test_make_jikan_client_keeps_to_3_a_second_and_60_a_minute() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=load("jikan_anime_full_40938.json"))

    times = []
    with jikan.make_jikan_client(
        transport=httpx.MockTransport(handler), clock=lambda: now[0], sleep=sleep
    ) as client:
        for _ in range(61):
            jikan.fetch_anime(client, 40938)
            times.append(now[0])
    assert times[3] == pytest.approx(1.0)  # 4th request one second after the 1st
    assert times[59] == pytest.approx(59 / 3)
    assert times[60] == pytest.approx(60.0)  # the 61st waits for the minute window


def test_every_fact_has_the_declared_type(season: Batch) -> None:
    for fact in season.facts:
        assert isinstance(fact.value, FACT_FIELDS[fact.field]), fact


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"title": st.one_of(st.text(min_size=1, max_size=10), junk)},
            optional=dict.fromkeys(
                ("episodes", "score", "type", "aired", "studios", "season", "members", "titles"),
                junk,
            ),
        ),
        max_size=6,
    )
)
def test_every_record_is_accepted_or_rejected(records: list[dict[str, Any]]) -> None:
    payload = {"data": [{"mal_id": i + 1, **r} for i, r in enumerate(records)]}
    batch = jikan.parse_anime_list(payload, FETCHED)
    accepted = {f.mal_id for f in batch.facts}
    rejected = {int(r.location.removeprefix("mal_id ")) for r in batch.rejects}
    assert accepted.isdisjoint(rejected)
    assert accepted | rejected == set(range(1, len(records) + 1))
    for fact in batch.facts:
        assert isinstance(fact.value, FACT_FIELDS[fact.field])
