"""Fetching into the downloads directory, through injected transports (no network, no patching)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import httpx
import pytest

from sequelcast.asof import IDENTITY_FIELDS
from sequelcast.catalog import open_catalog
from sequelcast.errors import FetchError
from sequelcast.service import Sequelcast, build_catalog
from sequelcast.settings import Settings
from sequelcast.sources import downloads, jikan
from sequelcast.sources.http import make_client

FIXTURES = Path(__file__).parent / "sources" / "fixtures"
WHEN = date(2026, 11, 1)


def service(downloads_dir: Path, today: date | None = None) -> Sequelcast:
    """A service saving into ``downloads_dir`` (it never opens the catalog to fetch)."""
    return Sequelcast(
        Settings(
            db="sqlite:///unused.db",
            data=None,
            today=today,
            model_dir=downloads_dir / "models",
            downloads=downloads_dir,
        )
    )


def client_serving(routes: dict[str, str | int]) -> httpx.Client:
    """A client whose transport answers each path with a fixture file (or a status code)."""

    def handler(request: httpx.Request) -> httpx.Response:
        for prefix, answer in routes.items():
            if request.url.path.startswith(prefix):
                if isinstance(answer, int):
                    return httpx.Response(answer, json={"error": "nope"})
                page = request.url.params.get("page", "1")
                name = answer.replace("{page}", page)
                return httpx.Response(
                    200,
                    content=(FIXTURES / name).read_bytes(),
                    headers={"content-type": "application/json"},
                )
        return httpx.Response(404)

    return make_client(
        transport=httpx.MockTransport(handler),
        rate_limit_per_second=None,
        max_retries=0,
        sleep=lambda s: None,
    )


def test_jikan_season_pages_are_saved_and_built(tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "downloads"
    client = client_serving({"/v4/seasons/2021/spring": "jikan_season_page{page}.json"})
    report = service(out).fetch_jikan_season(2021, "spring", when=WHEN, client=client)
    assert [p.name for p in report.paths] == [
        "season-2021-spring-p1_2026-11-01.json",
        "season-2021-spring-p2_2026-11-01.json",
    ]
    assert report.records > 0
    with open_catalog(f"sqlite:///{tmp_path / 'c.db'}") as cat:
        build_catalog(cat, [tiny_data, out], forecasts=False)
        assert "jikan" in cat.stats()["entries_by_source"]
        facts = [f for f in cat.load_batch().facts if f.source == "jikan"]
        # identity facts (title, type) move back to the entry's first sighting (Higehiro: 2019-12-26)
        assert {f.observed_at for f in facts if f.field not in IDENTITY_FIELDS} == {WHEN}
        assert {
            f.observed_at for f in facts if f.field in IDENTITY_FIELDS and f.mal_id == 40938
        } == {date(2019, 12, 26)}


def test_jikan_anime_full(tmp_path: Path) -> None:
    client = client_serving({"/v4/anime/40938/full": "jikan_anime_full_40938.json"})
    report = service(tmp_path).fetch_jikan_anime([40938], when=WHEN, client=client)
    (path,) = report.paths
    assert path == downloads.answer_path(tmp_path, "jikan", "anime-40938", WHEN)
    batch = downloads.parse_jikan_file(path.read_bytes(), str(path))
    assert any(f.mal_id == 40938 and f.field == "title" for f in batch.facts)


def test_anilist_pages(tmp_path: Path) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append(body["variables"])
        name = "anilist_page.json" if len(calls) == 1 else "anilist_page2.json"
        return httpx.Response(
            200,
            content=(FIXTURES / name).read_bytes(),
            headers={"content-type": "application/json"},
        )

    client = make_client(
        transport=httpx.MockTransport(handler),
        rate_limit_per_second=None,
        max_retries=0,
        sleep=lambda s: None,
    )
    report = service(tmp_path).fetch_anilist([40938, 39535], when=WHEN, client=client)
    assert len(report.paths) == len(calls) >= 1
    assert all(p.parent == tmp_path / "raw" / "anilist" for p in report.paths)


def test_a_fetch_is_stamped_with_the_real_date_not_the_forecast_date(tmp_path: Path) -> None:
    """SEQUELCAST_TODAY moves the forecast date; a download is still dated the day it was made."""
    client = client_serving({"/v4/anime/40938/full": "jikan_anime_full_40938.json"})
    before = date.today()
    (path,) = (
        service(tmp_path, today=date(2018, 5, 7)).fetch_jikan_anime([40938], client=client).paths
    )
    stamp = date.fromisoformat(path.stem.rsplit("_", 1)[1])
    assert before <= stamp <= date.today()


def test_failed_fetch_saves_nothing(tmp_path: Path) -> None:
    client = client_serving({"/v4/anime/": 500})
    with pytest.raises(FetchError, match="500"):
        service(tmp_path).fetch_jikan_anime([1], when=WHEN, client=client)
    assert not (tmp_path / "raw").exists()


def test_offline_db_release(tmp_path: Path) -> None:
    client = client_serving({"/manami-project/": "offline_db_sample.json"})
    report = service(tmp_path).fetch_offline_db(client=client)
    (path,) = report.paths
    assert path.parent == tmp_path / "raw" / "anime-offline-database"
    assert report.records > 0


def test_saved_answer_needs_its_date(tmp_path: Path) -> None:
    from sequelcast.errors import SourceFileError

    with pytest.raises(SourceFileError, match="carries no YYYY-MM-DD date"):
        downloads.parse_jikan_file(b"{}", "raw/jikan/answer.json")


def test_saved_answers_are_read_by_discover(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "jikan_anime_full_40938.json", tmp_path / "x.json")
    path = downloads.save_answer(
        tmp_path, jikan.SOURCE, "anime 40938!", WHEN, json.loads((tmp_path / "x.json").read_text())
    )
    assert path.name == "anime-40938_2026-11-01.json"
    from sequelcast.sources import discover

    assert [src.name for src, _ in discover(tmp_path)] == ["jikan"]
