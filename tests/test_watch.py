"""The watchlist: it survives rebuilds and reports an announcement when a build brings one."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequelcast.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, tiny_data: Path) -> dict[str, str]:
    return {
        "SEQUELCAST_DB": f"sqlite:///{tmp_path / 'c.db'}",
        "SEQUELCAST_DATA": str(tiny_data),
        "SEQUELCAST_MODEL_DIR": str(tmp_path / "cache"),
        "SEQUELCAST_TODAY": "2018-06-15",
        "SEQUELCAST_DOWNLOADS": str(tmp_path / "downloads"),
    }


def run(env: dict[str, str], *args: str) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_watch_reports_announcement_then_airing(env: dict[str, str]) -> None:
    run(env, "build", "-q", "--as-of", "2018-06-15")
    assert "next season none" in run(env, "watch", "add", "Tiny Show")
    assert "Already watching" in run(env, "watch", "add", "100")
    assert "No change since the last check." in run(env, "watch", "check")

    run(env, "build", "-q", "--as-of", "2018-08-01")  # AniDB lists the sequel, mapped to season 2
    out = run(env, "watch", "check")
    assert "Tiny Show: next season announced" in out
    assert "first seen 2018-06-01" in out

    run(env, "build", "-q")  # everything: the sequel aired in 2019
    out = run(env, "watch", "check")
    assert "the announced season has started airing" in out

    rows = json.loads(run(env, "watch", "list", "--json"))
    assert [(r["mal_id"], r["status"]) for r in rows] == [(100, "none")]
    feed = ET.fromstring(run(env, "watch", "feed"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert len(titles) == 2
    assert "started airing" in titles[0]


def test_watch_remove(env: dict[str, str]) -> None:
    run(env, "build", "-q")
    run(env, "watch", "add", "higehiro")
    assert "Removed MAL 40938" in run(env, "watch", "remove", "40938")
    result = runner.invoke(app, ["watch", "remove", "40938"], env=env)
    assert result.exit_code == 1
    assert "MAL id 40938 is not on the watchlist" in result.output
