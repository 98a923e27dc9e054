"""Feeds: the iCalendar of announced next seasons (all and watchlist) and the watch-check webhook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sequelcast.catalog import Catalog, open_catalog
from sequelcast.cli import app
from sequelcast.errors import FetchError
from sequelcast.feeds import SeasonEvent, escape_text, fold, icalendar, webhook_payload
from sequelcast.service import Sequelcast, build_catalog
from sequelcast.service._feeds import announced_seasons, calendar, send_webhook
from sequelcast.settings import Settings
from sequelcast.sources.webhook import make_webhook_client

runner = CliRunner()
NOW = datetime(2026, 11, 30, 12, 0)
AS_OF = date(2018, 8, 1)  # the tiny world: AniDB lists Tiny Show's second season, not aired yet


def _unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


# -- iCalendar, pure ----------------------------------------------------------------------------


def test_fold_keeps_lines_within_75_octets_and_characters_whole() -> None:
    line = "SUMMARY:" + "ひげを剃る。そして女子高生を拾う。" * 4
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line


def test_text_values_are_escaped() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_calendar_structure() -> None:
    events = [
        SeasonEvent("b@x", "Later", "Later 2", date(2027, 4, 1), mal_id=2),
        SeasonEvent("a@x", "Soon, really", "Soon; 2", date(2027, 1, 8), date(2026, 3, 1), None, 5),
    ]
    text = icalendar(events, name="Test", now=NOW, base_url="https://example.org/")
    lines = _unfold(text)
    assert lines[:6] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//sequelcast//announced next seasons//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Test",
    ]
    assert lines[-1] == "END:VCALENDAR"
    assert [line for line in lines if line.startswith("UID:")] == [
        "UID:a@x",
        "UID:b@x",
    ]  # soonest first
    assert "DTSTART;VALUE=DATE:20270108" in lines
    assert "DTEND;VALUE=DATE:20270109" in lines
    assert "SUMMARY:Soon\\; 2" in lines
    assert "DESCRIPTION:Next season of Soon\\, really. First seen 2026-03-01." in lines
    assert "URL:https://myanimelist.net/anime/2" in lines
    assert all(
        line.startswith("DTSTAMP:20261130T120000Z") for line in lines if line.startswith("DTSTAMP")
    )
    assert text.count("BEGIN:VEVENT") == text.count("END:VEVENT") == 2


# -- from a catalog -----------------------------------------------------------------------------


@pytest.fixture
def announced_data(tmp_path: Path) -> Path:
    """A downloads directory with Jikan's upcoming page of 2018-07-15: Tiny Show 2nd Season's date."""
    root = tmp_path / "downloads"
    page = {
        "pagination": {"has_next_page": False},
        "data": [
            {
                "mal_id": 200,
                "title": "Tiny Show 2nd Season",
                "type": "TV",
                "status": "Not yet aired",
                "aired": {"from": "2019-01-07T00:00:00+00:00", "to": None},
                "season": "winter",
                "year": 2019,
            }
        ],
    }
    (root / "raw" / "jikan").mkdir(parents=True)
    (root / "raw" / "jikan" / "season-upcoming-p1_2018-07-15.json").write_text(json.dumps(page))
    return root


@pytest.fixture
def db(tmp_path: Path, tiny_data: Path, announced_data: Path) -> str:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with open_catalog(url) as cat:
        build_catalog(cat, [tiny_data, announced_data], AS_OF, forecasts=False)
    return url


@pytest.fixture
def cat(db: str) -> Iterator[Catalog]:
    with open_catalog(db) as c:
        yield c


def test_announced_seasons_with_dates(cat: Catalog) -> None:
    (event,) = announced_seasons(cat)
    assert (event.franchise, event.title, event.start, event.first_seen, event.mal_id) == (
        "Tiny Show",
        "Tiny Show 2nd Season",
        date(2019, 1, 7),
        date(2018, 6, 1),
        200,
    )
    assert event.uid == "mal:100-next-200@sequelcast"


def test_announced_without_a_date_has_no_event(tmp_path: Path, tiny_data: Path) -> None:
    with open_catalog(f"sqlite:///{tmp_path / 'tba.db'}") as cat:
        build_catalog(cat, tiny_data, AS_OF, forecasts=False)
        assert cat.franchise_doc("mal:100")["next_season"]["status"] == "announced"  # type: ignore[index]
        assert announced_seasons(cat) == []
        assert "BEGIN:VEVENT" not in calendar(cat, NOW)


def _service(url: str, root: Path, today: date = AS_OF) -> Sequelcast:
    return Sequelcast(
        Settings(
            db=url, data=None, today=today, model_dir=root / "models", downloads=root / "downloads"
        )
    )


def test_watchlist_calendar_has_only_watched_franchises(
    db: str, cat: Catalog, tmp_path: Path
) -> None:
    assert "BEGIN:VEVENT" not in calendar(cat, NOW, watchlist=True)
    with _service(db, tmp_path) as svc:
        svc.watch_add("300")  # Old Show: nothing announced
        assert "BEGIN:VEVENT" not in calendar(cat, NOW, watchlist=True)
        svc.watch_add("Tiny Show")
        text = calendar(cat, NOW, watchlist=True)
    assert text.count("BEGIN:VEVENT") == 1
    assert "X-WR-CALNAME:sequelcast: my watchlist" in _unfold(text)


def test_cli_calendar(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["calendar", "--db", db])
    assert result.exit_code == 0, result.output
    assert "SUMMARY:Tiny Show 2nd Season" in _unfold(result.stdout_bytes.decode("utf-8"))
    out = tmp_path / "seasons.ics"
    result = runner.invoke(app, ["calendar", "--db", db, "--watchlist", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 0 events to" in result.stderr
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


# -- webhook ------------------------------------------------------------------------------------


class Hook:
    """A webhook receiver: answers with the queued statuses (then 200) and keeps what it got."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, object]] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.headers["content-type"] == "application/json"
        self.bodies.append(json.loads(request.content))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)

    def client(self) -> httpx.Client:
        return make_webhook_client(
            transport=httpx.MockTransport(self.handler), sleep=self.sleeps.append
        )


def _watch_then_announce(tmp_path: Path, tiny_data: Path, announced_data: Path) -> Sequelcast:
    svc = _service(f"sqlite:///{tmp_path / 'w.db'}", tmp_path)
    svc.build(tiny_data, date(2018, 6, 15), forecasts=False)
    svc.watch_add("Tiny Show")
    svc.build([tiny_data, announced_data], AS_OF, forecasts=False)  # the sequel appears
    return svc


def test_webhook_posts_the_changes(tmp_path: Path, tiny_data: Path, announced_data: Path) -> None:
    hook = Hook()
    with _watch_then_announce(tmp_path, tiny_data, announced_data) as svc:
        events = svc.watch_check(
            notify=lambda ev: send_webhook("https://hooks.example.org/x", ev, AS_OF, hook.client())
        )
    assert len(events) == 1
    (body,) = hook.bodies
    assert body["kind"] == "watch.check"
    assert body["checked_on"] == "2018-08-01"
    assert body["events"][0]["message"].startswith("Tiny Show: next season announced")  # type: ignore[index]


def test_webhook_retries_429_503_and_timeouts_with_backoff(
    tmp_path: Path, tiny_data: Path, announced_data: Path
) -> None:
    hook = Hook(429, 503, httpx.ReadTimeout("slow"))
    with _watch_then_announce(tmp_path, tiny_data, announced_data) as svc:
        svc.watch_check(
            notify=lambda ev: send_webhook("https://hooks.example.org/x", ev, AS_OF, hook.client())
        )
    assert len(hook.bodies) == 4
    assert hook.sleeps == [1.0, 2.0, 4.0]


def test_a_failed_webhook_leaves_the_check_unrecorded(
    tmp_path: Path, tiny_data: Path, announced_data: Path
) -> None:
    hook = Hook(500, 500, 500, 500)
    with _watch_then_announce(tmp_path, tiny_data, announced_data) as svc:
        with pytest.raises(FetchError, match=r"https://hooks.example.org/x answered HTTP 500"):
            svc.watch_check(
                notify=lambda ev: send_webhook(
                    "https://hooks.example.org/x", ev, AS_OF, hook.client()
                )
            )
        assert svc.catalog.watch_events() == []
        again = svc.watch_check()  # the same change is found again
    assert len(again) == 1


def test_no_change_posts_nothing(tmp_path: Path, tiny_data: Path) -> None:
    hook = Hook()
    with _service(f"sqlite:///{tmp_path / 'n.db'}", tmp_path) as svc:
        svc.build(tiny_data, forecasts=False)
        svc.watch_add("Tiny Show")
        assert (
            svc.watch_check(
                notify=lambda ev: send_webhook(
                    "https://hooks.example.org/x", ev, AS_OF, hook.client()
                )
            )
            == []
        )
    assert hook.bodies == []


def test_webhook_payload_dates_are_iso() -> None:
    body = webhook_payload(
        [{"mal_id": 1, "detected_at": date(2026, 1, 2)}], checked_on=date(2026, 1, 2)
    )
    assert json.loads(json.dumps(body))["events"] == [{"mal_id": 1, "detected_at": "2026-01-02"}]


def test_cli_rejects_a_bad_webhook_url(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["watch", "check", "--webhook", "ftp://x", "--db", f"sqlite:///{tmp_path / 'none.db'}"]
    )
    assert result.exit_code == 2
    assert "--webhook: expected an http:// or https:// URL, got 'ftp://x'" in result.output
