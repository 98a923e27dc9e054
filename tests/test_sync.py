"""`sequelcast sync`: downloads from the public homes through injected transports (no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import pytest

from sequelcast import service
from sequelcast.catalog import open_catalog
from sequelcast.errors import ConfigError, FetchError
from sequelcast.service._sync import SyncClients, fetch_all, seasons_between, sync
from sequelcast.sources import discover
from sequelcast.sources.http import make_client
from sequelcast.sources.upstream import UPSTREAMS, read_sidecar, upstream

ROOT = Path(__file__).resolve().parent
TINY = ROOT / "fixtures" / "tiny"
FIXTURES = ROOT / "sources" / "fixtures"
DAY1, DAY2 = date(2026, 11, 1), date(2026, 11, 8)

#: URL path suffix -> the recorded-shape body served for it.
FILES = {
    "anime-list-master.xml": TINY / "raw/anidb_tvdb_anime_lists/anime-list-master_2026-08-01.xml",
    "anime-list-mini.json": TINY
    / "raw/id_maps_and_relations/fribb_anime-list-mini_2024-01-01.json",
    "mal_collection.json": TINY / "raw/id_maps_and_relations/fribb_mal_collection_2026-01-01.json",
    "anime-relations.txt": TINY / "raw/id_maps_and_relations/erengy_anime-relations_2026-01-01.txt",
    "anime-offline-database-minified.json": FIXTURES / "offline_db_sample.json",
}
#: The AniList-MAL crosswalks of anime-and-manga/lists, in their recorded shape.
LISTS = {
    "anime-full.json": [
        {
            "idAL": 114232,
            "idAniDB": 15332,
            "idMal": 40938,
            "type": "TV",
            "titles": {
                "romaji": "Hige wo Soru. Soshite Joshikousei wo Hirou.",
                "english": "Higehiro",
                "native": "ひげを剃る。そして女子高生を拾う。",
            },
        }
    ],
    "manga.json": [{"idAL": 105983, "idMal": 116999}],
}


class Upstreams:
    """A fake of the public homes: GitHub files with ETags, Jikan pages and AniList pages."""

    def __init__(self) -> None:
        self.bodies = {k: v.read_bytes() for k, v in FILES.items()}
        self.bodies.update(
            {k: json.dumps(v, ensure_ascii=False).encode() for k, v in LISTS.items()}
        )
        self.requests: list[httpx.Request] = []
        self.fail: Callable[[httpx.Request], httpx.Response | None] = lambda r: None

    def etag(self, name: str) -> str:
        return f'"{hash(self.bodies[name]) & 0xFFFFFF:x}"'

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        failed = self.fail(request)
        if failed is not None:
            return failed
        path = request.url.path
        if request.url.host == "api.jikan.moe":
            page = request.url.params.get("page", "1")
            return httpx.Response(
                200, content=(FIXTURES / f"jikan_season_page{page}.json").read_bytes()
            )
        if request.url.host == "graphql.anilist.co":
            page = json.loads(request.content)["variables"]["page"]
            name = "anilist_page.json" if page == 1 else "anilist_page2.json"
            return httpx.Response(200, content=(FIXTURES / name).read_bytes())
        name = next((k for k in self.bodies if path.endswith(k)), None)
        if name is None:
            return httpx.Response(404)
        tag = self.etag(name)
        if request.headers.get("If-None-Match") == tag:
            return httpx.Response(304, headers={"ETag": tag})
        return httpx.Response(200, content=self.bodies[name], headers={"ETag": tag})

    def clients(self, sleeps: list[float] | None = None) -> SyncClients:
        def client() -> httpx.Client:
            return make_client(
                transport=httpx.MockTransport(self.handler),
                rate_limit_per_second=None,
                max_retries=3,
                sleep=(sleeps.append if sleeps is not None else lambda s: None),
            )

        return SyncClients(files=client(), jikan=client(), anilist=client())


@pytest.fixture
def fake() -> Upstreams:
    return Upstreams()


def _since() -> date:
    return date(2026, 10, 1)  # the fall 2026 season and the next: two seasons + upcoming


def test_seasons_between() -> None:
    assert seasons_between(date(2025, 12, 31), date(2026, 1, 1)) == [
        (2025, "fall"),
        (2026, "winter"),
        (2026, "spring"),
    ]


def test_first_sync_saves_every_file_under_the_name_build_reads(
    fake: Upstreams, tmp_path: Path
) -> None:
    report = fetch_all(tmp_path, DAY1, since=_since(), clients=fake.clients())
    assert {d.name for d in report.files if d.changed} == {u.name for u in UPSTREAMS}
    for u in UPSTREAMS:
        path = u.path(tmp_path, DAY1)
        assert path.read_bytes() == fake.bodies[u.url.rsplit("/", 1)[1]]
        meta = read_sidecar(path)
        assert meta["fetched_at"] == "2026-11-01"
        assert meta["etag"] == fake.etag(u.url.rsplit("/", 1)[1])
    found = {src.name for src, _ in discover(tmp_path)}
    assert {
        "anidb_tvdb",
        "fribb_ids",
        "fribb_collections",
        "erengy_relations",
        "offline_db",
        "jikan",
        "anilist",
    } <= found
    # fall 2026 and winter 2027, then the upcoming list: two pages each
    jikan_files = sorted(p.name for p in (tmp_path / "raw" / "jikan").iterdir())
    assert "season-2026-fall-p1_2026-11-01.json" in jikan_files
    assert "season-upcoming-p2_2026-11-01.json" in jikan_files
    with open_catalog(f"sqlite:///{tmp_path / 'c.db'}") as cat:
        built = service.build_catalog(cat, [tmp_path], forecasts=False)
        assert built.counts["entries"] > 0
        stamps = {f.observed_at for f in cat.load_batch().facts if f.source == "jikan"}
        assert stamps == {DAY1}


def test_second_sync_asks_conditionally_and_keeps_unchanged_files(
    fake: Upstreams, tmp_path: Path
) -> None:
    fetch_all(tmp_path, DAY1, sources=["anidb_tvdb", "erengy_relations"], clients=fake.clients())
    fake.requests.clear()
    fake.bodies["anime-relations.txt"] += b"\n"
    report = fetch_all(
        tmp_path, DAY2, sources=["anidb_tvdb", "erengy_relations"], clients=fake.clients()
    )
    sent = {r.url.path.rsplit("/", 1)[1]: r.headers.get("If-None-Match") for r in fake.requests}
    assert sent["anime-list-master.xml"] == fake.etag("anime-list-master.xml")
    changed = {d.name: d.changed for d in report.files}
    assert changed == {"anidb_tvdb": False, "erengy_relations": True}
    anidb = upstream("anidb_tvdb")
    assert [p.name for p in anidb.versions(tmp_path)] == ["anime-list-master_2026-11-01.xml"]
    assert read_sidecar(anidb.path(tmp_path, DAY1))["checked_at"] == "2026-11-08"
    names = [p.name for p in upstream("erengy_relations").versions(tmp_path)]
    assert names == [
        "erengy_anime-relations_2026-11-01.txt",
        "erengy_anime-relations_2026-11-08.txt",
    ]


def test_an_identical_body_without_etag_support_writes_nothing(
    fake: Upstreams, tmp_path: Path
) -> None:
    fetch_all(tmp_path, DAY1, sources=["fribb_ids"], clients=fake.clients())
    fake.etag = lambda name: f'"changes-every-time-{len(fake.requests)}"'  # type: ignore[method-assign]
    report = fetch_all(tmp_path, DAY2, sources=["fribb_ids"], clients=fake.clients())
    assert [d.changed for d in report.files] == [False]
    assert len(upstream("fribb_ids").versions(tmp_path)) == 1


def test_an_interrupted_download_resumes_with_a_range_request(
    fake: Upstreams, tmp_path: Path
) -> None:
    u = upstream("anidb_tvdb")
    body = fake.bodies["anime-list-master.xml"]
    tag = fake.etag("anime-list-master.xml")
    part = u.path(tmp_path, DAY1).with_name(u.path(tmp_path, DAY1).name + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(body[:100])
    part.with_name(part.name + ".sync").write_text(json.dumps({"url": u.url, "etag": tag}))

    def partial(request: httpx.Request) -> httpx.Response | None:
        if request.headers.get("Range") == "bytes=100-" and request.headers.get("If-Range") == tag:
            return httpx.Response(206, content=body[100:], headers={"ETag": tag})
        return None

    fake.fail = partial
    report = fetch_all(tmp_path, DAY1, sources=["anidb_tvdb"], clients=fake.clients())
    assert report.files[0].resumed
    assert u.path(tmp_path, DAY1).read_bytes() == body
    assert not part.exists()


def test_a_failed_step_is_resumed_the_same_day(fake: Upstreams, tmp_path: Path) -> None:
    fake.fail = lambda r: httpx.Response(500) if r.url.host == "api.jikan.moe" else None
    with pytest.raises(FetchError, match="500"):
        fetch_all(
            tmp_path, DAY1, sources=["anidb_tvdb", "jikan"], since=_since(), clients=fake.clients()
        )
    assert upstream("anidb_tvdb").path(tmp_path, DAY1).exists()
    fake.fail = lambda r: None
    fake.requests.clear()
    report = fetch_all(
        tmp_path, DAY1, sources=["anidb_tvdb", "jikan"], since=_since(), clients=fake.clients()
    )
    assert report.skipped == ["anidb_tvdb"]
    assert all(r.url.host == "api.jikan.moe" for r in fake.requests)


def test_429_and_503_are_retried_with_backoff(fake: Upstreams, tmp_path: Path) -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(503)]
    fake.fail = lambda r: answers.pop(0) if answers else None
    sleeps: list[float] = []
    report = fetch_all(tmp_path, DAY1, sources=["erengy_relations"], clients=fake.clients(sleeps))
    assert report.files[0].changed
    assert sleeps == [2.0, 2.0]  # Retry-After, then the second back-off step (1 s doubled)


def test_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--source: unknown 'mal'; choose among anidb_tvdb"):
        fetch_all(tmp_path, DAY1, sources=["mal"])


def test_sync_builds_and_reports_new_entries(fake: Upstreams, tmp_path: Path) -> None:
    root = tmp_path / "downloads"
    with open_catalog(f"sqlite:///{tmp_path / 'c.db'}") as cat:
        first = sync(
            cat,
            root,
            [TINY, root],
            DAY1,
            sources=["anidb_tvdb"],
            clients=fake.clients(),
            cache_dir=tmp_path / "cache",
            forecasts=False,
        )
        assert first.first_build
        assert first.build is not None
        second = sync(
            cat,
            root,
            [TINY, root],
            DAY2,
            sources=["jikan"],
            since=_since(),
            clients=fake.clients(),
            cache_dir=tmp_path / "cache",
            forecasts=False,
        )
    assert not second.first_build
    # the season pages hold 40938 (Higehiro, already in the tiny catalog), 99999 (a broken
    # record: a reject) and two new entries
    assert {e["mal_id"] for e in second.new_entries} == {42249, 55555}
    assert second.json()["new_entries"] == second.new_entries


def test_docs_list_every_upstream() -> None:
    text = (ROOT.parent / "docs" / "sync.md").read_text(encoding="utf-8")
    for u in UPSTREAMS:
        assert f"| `{u.name}` | {u.url} | `{u.dest.format(date='<date>')}` |" in text


def _page(*anime: dict[str, object]) -> httpx.Response:
    return httpx.Response(200, json={"pagination": {"has_next_page": False}, "data": list(anime)})


SEQUEL = {
    "mal_id": 90001,
    "title": "Higehiro 2nd Season",
    "type": "TV",
    "status": "Not yet aired",
    "aired": {"from": "2027-01-05T00:00:00+00:00", "to": None},
    "season": "winter",
    "year": 2027,
}


def _media(
    mal_id: int,
    anilist_id: int,
    title: str,
    start: dict[str, int],
    status: str,
    relation: str,
    other: tuple[int, int],
) -> dict[str, object]:
    return {
        "id": anilist_id,
        "idMal": mal_id,
        "title": {"romaji": title},
        "format": "TV",
        "status": status,
        "startDate": start,
        "relations": {
            "edges": [
                {
                    "relationType": relation,
                    "node": {"id": other[1], "idMal": other[0], "format": "TV", "type": "ANIME"},
                }
            ]
        },
    }


def _announcing(request: httpx.Request) -> httpx.Response | None:
    """Day 2 of the world: Jikan lists Higehiro's second season as upcoming, AniList links them."""
    if request.url.host == "api.jikan.moe":
        return _page(SEQUEL) if request.url.path.endswith("/upcoming") else _page()
    if request.url.host == "graphql.anilist.co":
        media = [
            _media(
                40938,
                114232,
                "Hige wo Soru. Soshite Joshikousei wo Hirou.",
                {"year": 2021, "month": 4, "day": 5},
                "FINISHED",
                "SEQUEL",
                (90001, 190001),
            ),
            _media(
                90001,
                190001,
                "Higehiro 2nd Season",
                {"year": 2027, "month": 1, "day": 5},
                "NOT_YET_RELEASED",
                "PREQUEL",
                (40938, 114232),
            ),
        ]
        return httpx.Response(
            200, json={"data": {"Page": {"pageInfo": {"hasNextPage": False}, "media": media}}}
        )
    return None


def test_sync_reports_a_new_announcement(fake: Upstreams, tmp_path: Path) -> None:
    root = tmp_path / "downloads"
    with open_catalog(f"sqlite:///{tmp_path / 'c.db'}") as cat:
        sync(
            cat,
            root,
            [TINY, root],
            DAY1,
            sources=["anidb_tvdb"],
            clients=fake.clients(),
            cache_dir=tmp_path / "cache",
            forecasts=False,
        )
        fake.fail = _announcing
        report = sync(
            cat,
            root,
            [TINY, root],
            DAY2,
            sources=["jikan", "anilist"],
            since=_since(),
            clients=fake.clients(),
            cache_dir=tmp_path / "cache",
            forecasts=False,
        )
    assert [e["mal_id"] for e in report.new_entries] == [90001]
    assert report.new_announcements == [
        {
            "franchise_id": "mal:40938",
            "franchise": "Hige wo Soru. Soshite Joshikousei wo Hirou.",
            "title": "Higehiro 2nd Season",
            "mal_id": 90001,
            "expected": "2027-01-05",
        }
    ]
    anilist_asked = [
        json.loads(r.content)["variables"]["ids"]
        for r in fake.requests
        if r.url.host == "graphql.anilist.co"
    ]
    assert anilist_asked == [[90001]]  # the shows of the pages this sync fetched


def test_cli_sync_bad_options_are_usage_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sequelcast.cli import app

    env = {
        "SEQUELCAST_DOWNLOADS": str(tmp_path / "dl"),
        "SEQUELCAST_DB": f"sqlite:///{tmp_path / 'c.db'}",
    }
    result = CliRunner().invoke(app, ["sync", "--source", "mal", "--json"], env=env)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"].startswith(
        "--source: unknown 'mal'; choose among anidb_tvdb"
    )
    result = CliRunner().invoke(app, ["sync", "--since", "2026-02-30"], env=env)
    assert result.exit_code == 2
    assert "--since: expected a date as YYYY-MM-DD, got '2026-02-30'" in result.output


def test_default_clients_are_paced_for_each_service() -> None:
    clients = SyncClients()
    jikan_limiter = clients.for_jikan()._transport.limiter  # type: ignore[attr-defined]
    anilist_limiter = clients.for_anilist()._transport.limiter  # type: ignore[attr-defined]
    assert (jikan_limiter.interval, jikan_limiter.per_minute) == (pytest.approx(1 / 3), 60)
    assert (anilist_limiter.interval, anilist_limiter.per_minute) == (2.0, 30)


def test_a_part_with_a_weak_etag_is_downloaded_again(fake: Upstreams, tmp_path: Path) -> None:
    u = upstream("erengy_relations")
    part = u.path(tmp_path, DAY1).with_name(u.path(tmp_path, DAY1).name + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"stale bytes")
    part.with_name(part.name + ".sync").write_text(json.dumps({"url": u.url, "etag": 'W/"weak"'}))
    report = fetch_all(tmp_path, DAY1, sources=["erengy_relations"], clients=fake.clients())
    assert not report.files[0].resumed
    assert "Range" not in fake.requests[0].headers
    assert u.path(tmp_path, DAY1).read_bytes() == fake.bodies["anime-relations.txt"]


def test_the_cli_lists_every_source_sync_accepts() -> None:
    """``sync --source``'s help names the sources without importing them (a read command starts fast)."""
    from sequelcast.cli_sync import SOURCE_NAMES
    from sequelcast.service._sync import source_names

    assert list(SOURCE_NAMES) == source_names()
