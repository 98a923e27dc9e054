"""AniList: the GraphQL request, pagination, MAL spellings, relations, rejects and errors."""

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
from sequelcast.sources import anilist
from sequelcast.sources._mapping import ANILIST_FORMATS, ANILIST_SOURCES, ANILIST_STATUSES
from sequelcast.sources.http import FetchStatusError, make_client

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED = date(2026, 3, 1)


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def facts_of(batch: Batch, mal_id: int) -> dict[str, Any]:
    return {f.field: f.value for f in batch.facts if f.mal_id == mal_id}


def serve(*payloads: Any, status: int = 200) -> tuple[httpx.MockTransport, list[dict[str, Any]]]:
    """Answer each POST with the next payload; record the GraphQL bodies sent."""
    queue = list(payloads)
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert str(request.url) == anilist.URL
        bodies.append(json.loads(request.content))
        item = queue.pop(0)
        if isinstance(item, str):
            return httpx.Response(status, text=item)
        return httpx.Response(status, json=item)

    return httpx.MockTransport(handler), bodies


def quiet_client(transport: httpx.BaseTransport) -> httpx.Client:
    return make_client(transport=transport, rate_limit_per_second=None, sleep=lambda s: None)


@pytest.fixture
def page() -> Batch:
    return anilist.parse_media(load("anilist_page.json"), FETCHED)


def test_fetch_follows_pages_by_mal_id() -> None:
    transport, bodies = serve(load("anilist_page.json"), load("anilist_page2.json"))
    with quiet_client(transport) as client:
        pages = anilist.fetch_media(client, mal_ids=[40938, 39535, 45576], per_page=2)
    assert len(pages) == 2
    assert [b["variables"]["page"] for b in bodies] == [1, 2]
    assert bodies[0]["variables"] == {"page": 1, "perPage": 2, "ids": [40938, 39535, 45576]}
    assert "idMal_in: $ids" in bodies[0]["query"]
    assert "type: ANIME" in bodies[0]["query"]
    batch = merge_batches((anilist.parse_media(p, FETCHED) for p in pages), "anilist", anilist.URL)
    assert {f.mal_id for f in batch.facts} == {40938, 39535, 45576}


def test_fetch_by_anilist_id_uses_id_in() -> None:
    transport, bodies = serve(load("anilist_page2.json"))
    with quiet_client(transport) as client:
        anilist.fetch_media(client, anilist_ids=[127720])
    assert "id_in: $ids" in bodies[0]["query"]
    assert "idMal_in" not in bodies[0]["query"]


def test_fetch_one_page_only() -> None:
    transport, bodies = serve(load("anilist_page.json"))
    with quiet_client(transport) as client:
        pages = anilist.fetch_media(client, mal_ids=[40938], page=3)
    assert len(pages) == 1
    assert bodies[0]["variables"]["page"] == 3


def test_fetch_stops_at_max_pages() -> None:
    transport, _ = serve(load("anilist_page.json"), load("anilist_page.json"))
    with quiet_client(transport) as client:
        with pytest.raises(FetchError, match=r"graphql\.anilist\.co: more than 2 pages"):
            anilist.fetch_media(client, mal_ids=[1], max_pages=2)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"mal_ids": [1], "anilist_ids": [2]}, {"mal_ids": [1], "per_page": 51}],
    ids=["no-ids", "both-ids", "per-page-too-big"],
)
def test_fetch_rejects_bad_arguments(kwargs: dict[str, Any]) -> None:
    with quiet_client(serve()[0]) as client, pytest.raises(ValueError, match=r"ids|per_page"):
        anilist.fetch_media(client, **kwargs)


def test_fetch_nothing_for_no_ids() -> None:
    with quiet_client(serve()[0]) as client:
        assert anilist.fetch_media(client, mal_ids=[]) == []


def test_graphql_errors_become_fetch_error() -> None:
    answer = {"errors": [{"message": "Validation error of type FieldUndefined", "status": 400}]}
    transport, _ = serve(answer)
    with quiet_client(transport) as client:
        with pytest.raises(
            FetchError, match=r"graphql\.anilist\.co page 1: GraphQL error: Validation"
        ):
            anilist.fetch_media(client, mal_ids=[40938])


def test_graphql_error_with_http_400_names_the_message() -> None:
    answer = {"errors": [{"message": "Invalid query", "status": 400}], "data": None}
    transport, _ = serve(answer, status=400)
    with quiet_client(transport) as client:
        with pytest.raises(FetchStatusError, match=r"HTTP 400: Invalid query") as info:
            anilist.fetch_media(client, mal_ids=[40938])
    assert info.value.url == anilist.URL


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        ("<html>502 Bad Gateway</html>", "not JSON"),
        ([], "expected a JSON object"),
        ({"data": {"Page": {"media": None}}}, r"data\.Page\.media"),
        ({"data": None}, r"data\.Page\.media"),
    ],
    ids=["html", "list", "media-null", "data-null"],
)
def test_malformed_answers_become_fetch_error(answer: Any, match: str) -> None:
    transport, _ = serve(answer)
    with quiet_client(transport) as client, pytest.raises(FetchError, match=match) as info:
        anilist.fetch_media(client, mal_ids=[40938])
    assert "graphql.anilist.co" in str(info.value)


def test_higehiro_facts_in_mal_spellings(page: Batch) -> None:
    facts = facts_of(page, 40938)
    assert facts == {
        "title": "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        "title_english": "Higehiro: After Being Rejected, I Shaved and Took in a High School Runaway",
        "title_japanese": "ひげを剃る。そして女子高生を拾う。",
        "synonyms": ["Higehiro", "I Shaved. Then I Brought a High School Girl Home."],
        "type": "TV",
        "episodes": 13,
        "status": "Finished Airing",
        "start_date": date(2021, 4, 5),
        "end_date": date(2021, 6, 28),
        "season": "spring",
        "year": 2021,
        "source_type": "Light novel",
        "studios": ["Project No.9"],
        "genres": ["Drama", "Romance", "Slice of Life"],
    }
    assert all(f.observed_at == FETCHED and f.source == "anilist" for f in page.facts)
    assert page.observed_at == FETCHED


def test_anilist_popularity_counts_are_not_mal_facts(page: Batch) -> None:
    fields = {f.field for f in page.facts}
    assert not fields & {"score", "members", "favorites", "popularity"}


def test_id_links(page: Batch) -> None:
    assert IdLink(40938, "anilist", "114232", FETCHED, "anilist") in page.id_links
    assert IdLink(39535, "anilist", "108465", FETCHED, "anilist") in page.id_links


def test_relations_keep_anime_edges_only(page: Batch) -> None:
    assert page.relations == [
        Relation(
            39535,
            45576,
            "sequel",
            "AniList 108465 SEQUEL 127720",
            FETCHED,
            "anilist",
            108465,
            127720,
        ),
        Relation(
            39535,
            50360,
            "side_story",
            "AniList 108465 SIDE_STORY 141534",
            FETCHED,
            "anilist",
            108465,
            141534,
        ),
    ]


def test_sequel_without_mal_id_keeps_its_anilist_id() -> None:
    batch = anilist.parse_media(load("anilist_page2.json"), FETCHED)
    sequel = [r for r in batch.relations if r.kind == "sequel"]
    assert sequel == [
        Relation(
            45576,
            None,
            "sequel",
            "AniList 127720 SEQUEL 146065",
            FETCHED,
            "anilist",
            127720,
            146065,
        )
    ]
    assert [r.kind for r in batch.relations] == ["prequel", "sequel"]


def test_entry_without_mal_id_is_rejected(page: Batch) -> None:
    assert [(r.location, r.reason) for r in page.rejects] == [
        ("anilist id 170000", "no MyAnimeList id")
    ]
    assert json.loads(page.rejects[0].raw)["title"]["romaji"] == "Donghua Without MAL"


def test_unknown_enum_value_is_rejected() -> None:
    batch = anilist.parse_media(load("anilist_page2.json"), FETCHED)
    assert [(r.location, r.reason) for r in batch.rejects] == [
        ("anilist id 180000", "format: unknown value 'HOLOGRAM'")
    ]


@pytest.mark.parametrize(
    ("media", "reason"),
    [
        ({"id": 1, "idMal": "40938"}, "bad MyAnimeList id '40938'"),
        ({"id": 1, "idMal": 5, "episodes": "13"}, "episodes: expected an integer"),
        (
            {"id": 1, "idMal": 5, "startDate": {"year": 2021, "month": 2, "day": 30}},
            "startDate: not a date",
        ),
        ({"id": 1, "idMal": 5, "relations": {"edges": [{"node": {}}]}}, "relations: bad edge"),
        ({"id": 1, "idMal": 5, "studios": ["Bones"]}, "studios: expected"),
        ("not an object", "not a JSON object"),
    ],
    ids=[
        "mal-id-text",
        "episodes-text",
        "impossible-date",
        "bad-edge",
        "studios-list",
        "not-object",
    ],
)
def test_bad_media_become_rejects(media: Any, reason: str) -> None:
    batch = anilist.parse_media({"data": {"Page": {"media": [media]}}}, FETCHED)
    assert batch.facts == []
    assert len(batch.rejects) == 1
    assert batch.rejects[0].reason.startswith(reason)


def test_partial_dates_and_cancelled_status_give_no_fact() -> None:
    media = {
        "id": 7,
        "idMal": 70,
        "title": {"romaji": "X"},
        "status": "CANCELLED",
        "startDate": {"year": 2024, "month": 4, "day": None},
    }
    batch = anilist.parse_media({"data": {"Page": {"media": [media]}}}, FETCHED)
    assert facts_of(batch, 70) == {"title": "X"}


def test_make_anilist_client_paces_thirty_a_minute() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    transport, _ = serve(load("anilist_page2.json"), load("anilist_page2.json"))
    with anilist.make_anilist_client(
        transport=transport, clock=lambda: now[0], sleep=sleep
    ) as client:
        anilist.fetch_media(client, mal_ids=[1])
        anilist.fetch_media(client, mal_ids=[1])
    assert sleeps == [2.0]


def test_every_fact_has_the_declared_type(page: Batch) -> None:
    for fact in page.facts:
        assert isinstance(fact.value, FACT_FIELDS[fact.field]), fact


media_strategy = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=1, max_value=10**6),
        "idMal": st.one_of(st.none(), st.integers(min_value=1, max_value=10**6)),
        "format": st.one_of(st.none(), st.sampled_from(sorted(ANILIST_FORMATS))),
        "status": st.one_of(
            st.none(), st.sampled_from([*sorted(ANILIST_STATUSES), "CANCELLED", "HIATUS"])
        ),
        "source": st.one_of(st.none(), st.sampled_from(sorted(ANILIST_SOURCES))),
        "episodes": st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
        "title": st.fixed_dictionaries({"romaji": st.one_of(st.none(), st.text(max_size=20))}),
        "synonyms": st.lists(st.text(max_size=10), max_size=3),
        "startDate": st.fixed_dictionaries(
            {
                "year": st.one_of(st.none(), st.integers(1900, 2100)),
                "month": st.one_of(st.none(), st.integers(1, 12)),
                "day": st.one_of(st.none(), st.integers(1, 28)),
            }
        ),
    }
)


@given(st.lists(media_strategy, max_size=6))
def test_every_media_is_accepted_or_rejected(media: list[dict[str, Any]]) -> None:
    batch = anilist.parse_media({"data": {"Page": {"media": media}}}, FETCHED)
    with_mal = sum(1 for m in media if m["idMal"] is not None)
    assert len(batch.id_links) == with_mal
    assert len(batch.rejects) == len(media) - with_mal
    assert all(r.reason == "no MyAnimeList id" for r in batch.rejects)
    for fact in batch.facts:
        assert isinstance(fact.value, FACT_FIELDS[fact.field])
        assert fact.observed_at == FETCHED
