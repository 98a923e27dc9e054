"""anime-offline-database: JSONL and minified JSON, links, rejects, broken files, download."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sequelcast.domain import FACT_FIELDS, Batch, IdLink, Relation
from sequelcast.errors import FetchError, SourceFileError
from sequelcast.sources import offline_db
from sequelcast.sources.http import FetchStatusError, make_client

FIXTURES = Path(__file__).parent / "fixtures"
JSONL = FIXTURES / "offline_db_sample.jsonl"
MINIFIED = FIXTURES / "offline_db_sample.json"
DUMP_DATE = date(2026, 1, 31)
META = '{"repository": "https://github.com/manami-project/anime-offline-database", "lastUpdate": "2026-01-31"}'


def facts_of(batch: Batch, mal_id: int) -> dict[str, Any]:
    return {f.field: f.value for f in batch.facts if f.mal_id == mal_id}


def entry(mal_id: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sources": [f"https://myanimelist.net/anime/{mal_id}"],
        "title": f"Anime {mal_id}",
        "type": "TV",
        "episodes": 12,
        "status": "FINISHED",
        "animeSeason": {"season": "FALL", "year": 2020},
        "picture": "https://example.invalid/p.png",
        "thumbnail": "https://example.invalid/t.png",
        "synonyms": [],
        "studios": [],
        "producers": [],
        "relatedAnime": [],
        "tags": [],
    }
    base.update(fields)
    return base


def jsonl(*entries: Any) -> str:
    return "\n".join([META, *(e if isinstance(e, str) else json.dumps(e) for e in entries)]) + "\n"


@pytest.fixture
def sample() -> Batch:
    return offline_db.parse_jsonl(JSONL.read_text(encoding="utf-8"), str(JSONL))


def test_observed_at_is_last_update(sample: Batch) -> None:
    assert sample.observed_at == DUMP_DATE
    assert all(r.observed_at == DUMP_DATE and r.source == "offline_db" for r in sample.records())


def test_higehiro_facts(sample: Batch) -> None:
    assert facts_of(sample, 40938) == {
        "title": "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        "synonyms": [
            "Higehiro",
            "I Shaved. Then I Brought a High School Girl Home.",
            "ひげを剃る。そして女子高生を拾う。",
        ],
        "type": "TV",
        "episodes": 13,
        "status": "Finished Airing",
        "season": "spring",
        "year": 2021,
        "studios": ["project no.9"],
        "producers": ["kadokawa", "toei video"],
    }


def test_higehiro_links_to_every_other_site(sample: Batch) -> None:
    links = {(link.site, link.external_id) for link in sample.id_links if link.mal_id == 40938}
    assert links == {
        ("anidb", "15332"),
        ("anilist", "114232"),
        (
            "anime-planet",
            "higehiro-after-being-rejected-i-shaved-and-took-in-a-high-school-runaway",
        ),
        ("anisearch", "14844"),
        ("kitsu", "42923"),
        ("livechart", "9741"),
        ("notify.moe", "vfmDdWzMg"),
        ("simkl", "1381235"),
    }


def test_kitsu_io_is_kitsu_too(sample: Batch) -> None:
    assert IdLink(39535, "kitsu", "42323", DUMP_DATE, "offline_db") in sample.id_links


def test_related_anime_on_mal_become_untyped_relations(sample: Batch) -> None:
    related = [(r.from_mal_id, r.to_mal_id, r.kind) for r in sample.relations]
    assert related == [
        (39535, 45576, "related"),
        (39535, 50360, "related"),
        (60001, 55555, "related"),
    ]
    assert all(
        isinstance(r, Relation) and r.evidence.startswith("anime-offline-database")
        for r in sample.relations
    )


def test_unknown_values_give_no_fact(sample: Batch) -> None:
    # type UNKNOWN, 0 episodes, season UNDEFINED: not known yet, so no fact
    assert facts_of(sample, 60001) == {
        "title": "Announced Sequel 2nd Season",
        "status": "Not yet aired",
        "year": 2026,
    }


def test_rejects(sample: Batch) -> None:
    reasons = {r.location: r.reason for r in sample.rejects}
    assert reasons["line 4"] == "no MyAnimeList source"
    assert reasons["line 5"].startswith("line 5: Expecting ',' delimiter")
    assert reasons["line 6"] == "episodes: expected an integer, got 'one'"
    assert (
        reasons["line 7"]
        == "mal_id 5114: unrecognised source URL(s): https://example.org/anime/5114"
    )
    assert len(sample.rejects) == 4
    assert sample.rejects[1].raw.startswith('{"sources": ["https://myanimelist.net/anime/1"]')


def test_entry_with_unknown_url_keeps_its_facts(sample: Batch) -> None:
    assert facts_of(sample, 5114)["title"] == "Fullmetal Alchemist: Brotherhood"


def test_minified_json_gives_the_same_records(sample: Batch) -> None:
    minified = offline_db.parse_json(MINIFIED.read_bytes(), str(MINIFIED))
    assert minified.observed_at == DUMP_DATE
    assert minified.facts == sample.facts
    assert minified.id_links == sample.id_links
    assert minified.relations == sample.relations
    assert [r.location for r in minified.rejects] == ["data[2]", "data[3]", "data[4]", "data[5]"]
    assert minified.rejects[1].reason == "not a JSON object"


def test_parse_dump_picks_the_format_by_name(sample: Batch) -> None:
    assert (
        offline_db.parse_dump(JSONL.read_bytes(), "x/anime-offline-database.jsonl").facts
        == sample.facts
    )
    assert (
        offline_db.parse_dump(MINIFIED.read_bytes(), "x/anime-offline-database-minified.json").facts
        == sample.facts
    )


def test_bytes_with_bom_are_read() -> None:
    data = ("\ufeff" + jsonl(entry(1))).encode("utf-8")
    assert facts_of(offline_db.parse_jsonl(data, "dump.jsonl"), 1)["title"] == "Anime 1"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "the file is empty"),
        (
            '{"lastUpdate": "2026-01-31"\n' + json.dumps(entry(1)) + "\n",
            "line 1: the metadata line is not valid JSON",
        ),
        (
            json.dumps(entry(1)) + "\n" + json.dumps(entry(2)) + "\n",
            "expected the metadata object, found an anime entry",
        ),
        ('{"repository": "x"}\n' + json.dumps(entry(1)) + "\n", 'no "lastUpdate" date'),
        (
            '{"lastUpdate": "last week"}\n' + json.dumps(entry(1)) + "\n",
            "\"lastUpdate\" is not a date: 'last week'",
        ),
        (META + "\n", "no anime entries after the metadata line"),
        (
            META + "\n" + json.dumps(entry(1)) + "\n" + json.dumps(entry(2))[:40],
            r"line 3 breaks off .*truncated",
        ),
    ],
    ids=[
        "empty",
        "broken-metadata",
        "no-metadata",
        "no-last-update",
        "bad-last-update",
        "no-entries",
        "truncated",
    ],
)
def test_broken_jsonl_files_raise(text: str, match: str) -> None:
    with pytest.raises(SourceFileError, match=match) as info:
        offline_db.parse_jsonl(text, "/data/anime-offline-database.jsonl")
    assert "offline_db: cannot read /data/anime-offline-database.jsonl" in str(info.value)


def test_not_utf8_raises() -> None:
    with pytest.raises(SourceFileError, match="not UTF-8"):
        offline_db.parse_jsonl(b"\xff\xfe\x00junk", "dump.jsonl")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            '{"lastUpdate": "2026-01-31", "data": [{"sources": [',
            "the file ends early: a truncated download",
        ),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"lastUpdate": "2026-01-31", "data": {}}', 'expected a "data" list'),
        ('{"data": []}', 'no "lastUpdate" date'),
        ("{nope}", "invalid JSON at line 1 column 2"),
    ],
    ids=["truncated", "list", "data-object", "no-last-update", "garbage"],
)
def test_broken_json_files_raise(text: str, match: str) -> None:
    with pytest.raises(SourceFileError, match=match) as info:
        offline_db.parse_json(text, "/data/minified.json")
    assert "/data/minified.json" in str(info.value)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (entry(1, sources=["https://anidb.net/anime/1"]), "no MyAnimeList source"),
        (
            entry(
                1, sources=["https://myanimelist.net/anime/1", "https://myanimelist.net/anime/2"]
            ),
            "several MyAnimeList sources",
        ),
        (entry(1, sources=["https://myanimelist.net/anime/abc"]), "bad MyAnimeList source"),
        (entry(1, type="TV_SPECIAL"), "type: unknown value 'TV_SPECIAL'"),
        (entry(1, title=None), "no title"),
        (entry(1, animeSeason=[2020]), "animeSeason: expected an object"),
        (entry(1, sources="https://myanimelist.net/anime/1"), "sources: expected a list of texts"),
    ],
    ids=["no-mal", "two-mal", "bad-mal", "new-type", "no-title", "season-list", "sources-text"],
)
def test_bad_entries_become_rejects(bad: dict[str, Any], reason: str) -> None:
    batch = offline_db.parse_jsonl(jsonl(entry(7), bad), "dump.jsonl")
    assert facts_of(batch, 7)["title"] == "Anime 7"
    assert [r.location for r in batch.rejects] == ["line 3"]
    assert batch.rejects[0].reason.startswith(reason)


def test_every_fact_has_the_declared_type(sample: Batch) -> None:
    for fact in sample.facts:
        assert isinstance(fact.value, FACT_FIELDS[fact.field]), fact


def test_fetch_latest_release_follows_redirect_and_streams(tmp_path: Path) -> None:
    body = MINIFIED.read_bytes()
    asset = "https://objects.githubusercontent.com/release-asset/abc"
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "github.com":
            return httpx.Response(302, headers={"Location": asset})
        return httpx.Response(200, content=body, headers={"Content-Length": str(len(body))})

    with make_client(transport=httpx.MockTransport(handler), rate_limit_per_second=None) as client:
        path = offline_db.fetch_latest_release(client, tmp_path, chunk_size=100)
    assert asked == [offline_db.RELEASE_URL.format(asset=offline_db.MINIFIED_ASSET), asset]
    assert path == tmp_path / "anime-offline-database-minified.json"
    assert path.read_bytes() == body
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert offline_db.parse_json(path.read_bytes(), str(path)).observed_at == DUMP_DATE


def test_fetch_latest_release_404_leaves_nothing(tmp_path: Path) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(404, text="Not Found"))
    dest = tmp_path / "dump.jsonl"
    with make_client(transport=transport, rate_limit_per_second=None) as client:
        with pytest.raises(
            FetchStatusError, match=r"anime-offline-database\.jsonl answered HTTP 404"
        ):
            offline_db.fetch_latest_release(client, dest, asset=offline_db.JSONL_ASSET)
    assert list(tmp_path.iterdir()) == []


def test_fetch_latest_release_short_body_is_an_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{}", headers={"Content-Length": "10"})

    dest = tmp_path / "dump.json"
    with make_client(transport=httpx.MockTransport(handler), rate_limit_per_second=None) as client:
        with pytest.raises(FetchError, match=r"download ended early \(2 of 10 bytes\)"):
            offline_db.fetch_latest_release(
                client, dest, url="https://mirror.example.org/dump.json"
            )
    assert list(tmp_path.iterdir()) == []


def test_fetch_latest_release_stream_failure_is_fetch_error(tmp_path: Path) -> None:
    class Broken(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b'{"lastUpdate": '
            raise httpx.ReadError("connection reset")

    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=Broken()))
    with make_client(transport=transport, rate_limit_per_second=None) as client:
        with pytest.raises(FetchError, match=r"download failed after 15 bytes"):
            offline_db.fetch_latest_release(client, tmp_path / "dump.json")
    assert list(tmp_path.iterdir()) == []


anime = st.fixed_dictionaries(
    {
        "title": st.text(min_size=1, max_size=20).filter(str.strip),
        "type": st.sampled_from(["TV", "MOVIE", "OVA", "ONA", "SPECIAL", "UNKNOWN"]),
        "episodes": st.integers(min_value=0, max_value=2000),
        "status": st.sampled_from(["FINISHED", "ONGOING", "UPCOMING", "UNKNOWN"]),
        "season": st.sampled_from(["SPRING", "SUMMER", "FALL", "WINTER", "UNDEFINED"]),
        "year": st.integers(min_value=1907, max_value=2030),
    }
)


@given(st.dictionaries(st.integers(min_value=1, max_value=10**6), anime, max_size=8))
def test_round_trip_and_both_formats_agree(entries: dict[int, dict[str, Any]]) -> None:
    records = [
        entry(
            mal_id,
            title=a["title"],
            type=a["type"],
            episodes=a["episodes"],
            status=a["status"],
            animeSeason={"season": a["season"], "year": a["year"]},
            sources=[
                f"https://myanimelist.net/anime/{mal_id}",
                f"https://anilist.co/anime/{mal_id + 7}",
            ],
        )
        for mal_id, a in entries.items()
    ]
    meta = json.loads(META)
    from_lines = offline_db.parse_jsonl(jsonl(*records), "d.jsonl") if records else None
    from_json = offline_db.parse_json(json.dumps({**meta, "data": records}), "d.json")
    assert from_json.rejects == []
    if from_lines is not None:
        assert from_lines.facts == from_json.facts
        assert from_lines.id_links == from_json.id_links
    for mal_id, a in entries.items():
        facts = facts_of(from_json, mal_id)
        assert facts["title"] == a["title"].strip()
        assert facts["year"] == a["year"]
        assert facts.get("episodes") == (a["episodes"] or None)
        assert ("type" in facts) == (a["type"] != "UNKNOWN")
        assert ("season" in facts) == (a["season"] != "UNDEFINED")
    assert {(link.mal_id, link.external_id) for link in from_json.id_links} == {
        (m, str(m + 7)) for m in entries
    }


junk_lines = st.lists(
    st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=30),
    min_size=1,
    max_size=6,
).filter(lambda lines: any(line.strip() for line in lines))


@given(junk_lines)
def test_junk_lines_are_rejected_never_raised(lines: list[str]) -> None:
    batch = offline_db.parse_jsonl(META + "\n" + "\n".join(lines) + "\n", "junk.jsonl")
    non_blank = [line for line in lines if line.strip()]
    assert len(batch.rejects) + len({f.mal_id for f in batch.facts}) <= len(non_blank)
    assert len(batch.rejects) == len(non_blank)  # no junk line is an anime with a MAL source
