"""The CLI on a real SQLite file: exit codes and exact messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequelcast.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cat.db'}"


@pytest.fixture
def built(db: str, tiny_data: Path) -> str:
    result = runner.invoke(app, ["build", "--data", str(tiny_data), "--db", db, "--quiet"])
    assert result.exit_code == 0, result.output
    return db


def test_build_prints_summary(db: str, tiny_data: Path) -> None:
    result = runner.invoke(app, ["build", "--data", str(tiny_data), "--db", db, "-q"])
    assert result.exit_code == 0
    assert "5 entries" in result.output
    assert "3 rejects" in result.output


def test_build_uses_env_data_and_db(tiny_data: Path, tmp_path: Path) -> None:
    env = {"SEQUELCAST_DATA": str(tiny_data), "SEQUELCAST_DB": f"sqlite:///{tmp_path / 'e.db'}"}
    result = runner.invoke(app, ["build", "-q"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "e.db").exists()


def test_build_as_of(db: str, tiny_data: Path) -> None:
    result = runner.invoke(
        app, ["build", "--data", str(tiny_data), "--db", db, "-q", "--as-of", "2018-05-07"]
    )
    assert result.exit_code == 0
    assert "as of 2018-05-07" in result.output
    shown = runner.invoke(app, ["show", "40938", "--db", db])
    assert shown.exit_code == 1
    assert "MAL id 40938 is not in the catalog" in shown.output


def test_build_bad_date_is_a_usage_error(db: str, tiny_data: Path) -> None:
    result = runner.invoke(
        app, ["build", "--data", str(tiny_data), "--db", db, "--as-of", "2018-13-01"]
    )
    assert result.exit_code == 2
    assert "--as-of: expected a date as YYYY-MM-DD, got '2018-13-01'" in result.output


def test_build_missing_data_dir(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--data", str(tmp_path / "nope"), "--db", db])
    assert result.exit_code == 1
    assert "no such directory" in result.output
    assert "Traceback" not in result.output


def test_bad_db_url_is_a_usage_error(tiny_data: Path) -> None:
    result = runner.invoke(app, ["stats", "--db", "mysql://x"])
    assert result.exit_code == 2
    assert "use sqlite:///path/to/catalog.db or postgresql://" in result.output


def test_stats_json(built: str) -> None:
    result = runner.invoke(app, ["stats", "--db", built, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["entries_by_type"] == {"Movie": 1, "TV": 4}
    assert data["rejects"] == 3
    assert data["entries_by_source"]["mal_tv_seasons"] == 3


def test_stats_table(built: str) -> None:
    result = runner.invoke(app, ["stats", "--db", built])
    assert result.exit_code == 0
    assert "type TV" in result.output


def test_stats_without_catalog(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 1
    assert "run `sequelcast build` first" in result.output
    assert not (tmp_path / "none.db").exists()


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEQUELCAST_MODEL_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_show_json(built: str) -> None:
    result = runner.invoke(app, ["show", "40938", "--db", built, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["title"] == "Hige wo Soru. Soshite Joshikousei wo Hirou."
    assert data["episodes"] == 13
    assert data["start_date"] == "2021-04-05"
    assert data["end_date"] == "2021-06-28"
    assert data["studios"] == ["Project No.9"]
    assert data["source_type"] == "Light novel"
    assert "Higehiro" in data["synonyms"]


def test_show_by_title_with_fact_sheet(built: str) -> None:
    result = runner.invoke(app, ["show", "higehiro", "--db", built, "--json"])
    assert result.exit_code == 0, result.output
    sheet = json.loads(result.output)
    assert sheet["mal_id"] == 40938
    assert sheet["peers"]["group"] == "TV shows of 2021"
    assert sheet["peers"]["members_percentile"] == 100.0
    assert [s["mal_id"] for s in sheet["franchise"]["seasons"]] == [40938]
    assert sheet["next_season"]["status"] == "none"


def test_show_table_by_title(built: str) -> None:
    result = runner.invoke(app, ["show", "Tiny Show", "--db", built])
    assert result.exit_code == 0, result.output
    assert "Studio A" in result.output
    # one rule for every surface: the status after the franchise's latest season (2nd Season),
    # not after the season asked about
    assert "Next season: none announced" in result.output
    assert "after 'Tiny Show 2nd Season'" in result.output


def test_show_as_of_hides_later_facts(built: str) -> None:
    result = runner.invoke(app, ["show", "100", "--db", built, "--as-of", "2018-05-07", "--json"])
    assert result.exit_code == 0, result.output
    sheet = json.loads(result.output)
    assert sheet["members"] == 210000
    assert sheet["next_season"]["status"] == "none"
    assert sheet["as_of"] == "2018-05-07"


def test_show_unmatched_title(built: str) -> None:
    result = runner.invoke(app, ["show", "qqqzzzxxx", "--db", built])
    assert result.exit_code == 1
    assert "no title matches 'qqqzzzxxx'" in result.output


def test_resolve_json(built: str) -> None:
    result = runner.invoke(app, ["resolve", "hige wo soru", "--db", built, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["mal_id"] == 40938
    assert set(rows[0]) == {"mal_id", "title", "score", "matched_on"}


def test_resolve_typo_table(built: str) -> None:
    result = runner.invoke(app, ["resolve", "Tiny Shwo", "--db", built])
    assert result.exit_code == 0, result.output
    assert "Tiny Show" in result.output


def test_franchise_json_any_season_gives_same_franchise(built: str) -> None:
    first = json.loads(runner.invoke(app, ["franchise", "100", "--db", built, "--json"]).output)
    second = json.loads(runner.invoke(app, ["franchise", "200", "--db", built, "--json"]).output)
    assert first == second
    assert [(s["mal_id"], s["start"]) for s in first["seasons"]] == [
        (100, "2015-01-05"),
        (200, "2019-01-07"),
    ]
    assert [o["mal_id"] for o in first["others"]] == [400]
    assert first["next_season"]["status"] == "none"
    assert set(first["seasons"][0]) >= {"mal_id", "title", "start", "end", "episodes", "part"}


def test_franchise_as_of(built: str) -> None:
    result = runner.invoke(
        app, ["franchise", "100", "--db", built, "--json", "--as-of", "2018-08-01"]
    )
    data = json.loads(result.output)
    # the sequel is known only from AniDB (listed 2018-06-01, mapped to TVDB season 2 on 2018-07-01)
    assert [(s["mal_id"], s["anidb_id"]) for s in data["seasons"]] == [(100, 1000), (None, 2000)]
    assert data["next_season"]["status"] == "announced"
    assert data["next_season"]["anidb_id"] == 2000
    assert data["next_season"]["first_seen"] == "2018-06-01"


def test_franchise_as_of_before_the_mapping(built: str) -> None:
    result = runner.invoke(
        app, ["franchise", "100", "--db", built, "--json", "--as-of", "2018-06-15"]
    )
    data = json.loads(result.output)
    assert [s["mal_id"] for s in data["seasons"]] == [100]
    assert data["next_season"]["status"] == "none"


def test_franchise_table(built: str) -> None:
    result = runner.invoke(app, ["franchise", "Tiny Show", "--db", built])
    assert result.exit_code == 0, result.output
    assert "Tiny Show 2nd Season" in result.output
    assert "Next season: none announced" in result.output


def test_show_unknown_id(built: str) -> None:
    result = runner.invoke(app, ["show", "123456789", "--db", built])
    assert result.exit_code == 1
    assert "Error: MAL id 123456789 is not in the catalog" in result.output


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name, cmd in app.registered_commands and [
        (c.name or c.callback.__name__, c) for c in app.registered_commands
    ]:
        assert cmd.callback.__doc__, f"{name} has no help text"


def test_rejects_lists_location_reason_and_raw(built: str) -> None:
    rows = json.loads(runner.invoke(app, ["rejects", "--db", built, "--json"]).output)
    assert {r["source"] for r in rows} == {"mal_snapshot_2018", "mal_tv_seasons", "mal_manga_2021"}
    only = json.loads(
        runner.invoke(
            app, ["rejects", "--db", built, "--json", "--source", "mal_snapshot_2018"]
        ).output
    )
    assert [r["location"] for r in only] == ["raw/mal_snapshot_2018/tiny_2018-05-07.csv:4"]
    assert "Bad Row" in only[0]["raw"]
    table = runner.invoke(app, ["rejects", "--db", built])
    assert table.exit_code == 0
    assert "Rejected rows" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["fetch", "jikan-anime", "1,x"],
            "MAL ids: expected numbers separated by commas, got '1,x'",
        ),
        (["fetch", "anilist", ","], "MAL ids: give at least one"),
        (
            ["fetch", "jikan-season", "2021", "autumn"],
            "season: expected winter, spring, summer or fall",
        ),
    ],
)
def test_fetch_bad_arguments_are_usage_errors(
    args: list[str], message: str, tmp_path: Path
) -> None:
    """Checked before any request is made (no network in tests)."""
    result = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output
    assert not any(tmp_path.iterdir())


def test_ambiguous_title_offers_did_you_mean(built: str) -> None:
    result = runner.invoke(app, ["show", "show", "--db", built])
    assert result.exit_code == 1
    assert (
        "'show' is ambiguous: 'Tiny Show' (MAL 100) or 'Old Show & Friends' (MAL 300)"
        in result.output
    )
    assert "Did you mean:" in result.output
    assert "Traceback" not in result.output


def test_build_without_data_says_where_it_looked_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    env = {
        "SEQUELCAST_DOWNLOADS": str(tmp_path / "dl"),
        "SEQUELCAST_DB": f"sqlite:///{tmp_path / 'c.db'}",
    }
    result = runner.invoke(app, ["build", "-q"], env=env)
    assert result.exit_code == 1
    assert "Error: no data to build from. Looked in SEQUELCAST_DATA (not set), " in result.output
    assert str(tmp_path / "shared" / "data") in result.output
    assert f"{tmp_path / 'dl'} (downloads)" in result.output
    assert "Run `sequelcast sync`" in result.output
    assert "--data DIR" in result.output
