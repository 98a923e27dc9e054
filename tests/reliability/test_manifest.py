"""The build manifest: a build that lost a source (or most of its rows) is refused, the old catalog kept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequelcast.catalog import open_catalog
from sequelcast.cli import app
from sequelcast.errors import BuildRefusedError, SourceFileError
from sequelcast.service import build_catalog
from sequelcast.sources import DATA_SOURCES, load_batches
from sequelcast.sources.manifest import (
    SourceCount,
    check_manifest,
    manifest_problems,
    previous_counts,
)

runner = CliRunner()
RANKING = "raw/mal_ranking_2026"


@pytest.fixture
def data(tmp_path: Path, tiny_data: Path) -> Path:
    """A writable copy of the tiny data directory."""
    return Path(shutil.copytree(tiny_data, tmp_path / "data"))


@pytest.fixture
def db(tmp_path: Path, data: Path) -> str:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    with open_catalog(url) as cat:
        build_catalog(cat, data)
    return url


def _last_build_id(url: str) -> int:
    with open_catalog(url, create=False) as cat:
        build = cat.last_build()
    assert build is not None
    return int(build["id"])


# -- pure comparison ----------------------------------------------------------------------------


def test_missing_source_is_a_problem_and_growth_is_not() -> None:
    before = {"a": SourceCount(2, 100), "b": SourceCount(1, 50)}
    now = {"a": SourceCount(3, 150), "c": SourceCount(1, 5)}
    problems = manifest_problems(before, now)
    assert set(problems) == {"b"}
    assert "no file found" in problems["b"]
    assert "50 records" in problems["b"]


@pytest.mark.parametrize(("records", "refused"), [(90, False), (89, True), (0, True)])
def test_a_fall_of_more_than_ten_percent_is_a_problem(records: int, refused: bool) -> None:
    problems = manifest_problems({"a": SourceCount(1, 100)}, {"a": SourceCount(1, records)})
    assert ("a" in problems) is refused


def test_check_names_every_refused_source_and_the_flag() -> None:
    with pytest.raises(BuildRefusedError) as info:
        check_manifest({"a": SourceCount(1, 10), "b": SourceCount(1, 10)}, {})
    assert info.value.sources == ["a", "b"]
    assert "--allow-missing a --allow-missing b" in str(info.value)
    assert check_manifest({"a": SourceCount(1, 10)}, {}, ["a"]) == ["a"]
    assert check_manifest({"a": SourceCount(1, 10)}, {}, ["all"]) == ["a"]


def test_builds_before_the_manifest_are_read_from_per_file() -> None:
    counts = {
        "per_file": {
            "raw/mal_ranking_2026/x_2026-07-19.csv": {"records": 7},
            "raw/mal_tv_seasons_ate329/2019/winter.json": {"records": 3},
            "somewhere/else.txt": {"records": 1},
        }
    }
    got = previous_counts(counts, ((s.name, s.pattern) for s in DATA_SOURCES))
    assert got == {"mal_ranking_2026": SourceCount(1, 7), "mal_tv_seasons": SourceCount(1, 3)}


# -- builds on a real SQLite file ---------------------------------------------------------------


def test_the_build_records_its_manifest(db: str, data: Path) -> None:
    with open_catalog(db, create=False) as cat:
        build = cat.last_build()
    assert build is not None
    per_source = build["counts"]["per_source"]
    ranking = [b for b in load_batches(data) if b.source == "mal_ranking_2026"]
    assert per_source["mal_ranking_2026"] == {"files": 1, "records": len(ranking[0])}
    assert per_source["mal_tv_seasons"]["files"] == 3


def test_a_missing_source_folder_is_refused_and_the_catalog_kept(db: str, data: Path) -> None:
    before = _last_build_id(db)
    shutil.rmtree(data / RANKING)
    with (
        open_catalog(db) as cat,
        pytest.raises(BuildRefusedError, match="mal_ranking_2026: no file found"),
    ):
        build_catalog(cat, data)
    assert _last_build_id(db) == before


def test_a_sharp_fall_is_refused(db: str, data: Path) -> None:
    (data / "raw/mal_tv_seasons_ate329/2019").rename(data / "elsewhere")
    with (
        open_catalog(db) as cat,
        pytest.raises(BuildRefusedError, match="mal_tv_seasons: .* fewer"),
    ):
        build_catalog(cat, data)


def test_the_cli_refuses_with_exit_1_and_accepts_with_allow_missing(db: str, data: Path) -> None:
    before = _last_build_id(db)
    shutil.rmtree(data / RANKING)
    args = ["build", "--data", str(data), "--db", db, "-q"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "mal_ranking_2026" in refused.output
    assert "Traceback" not in refused.output
    assert _last_build_id(db) == before
    accepted = runner.invoke(app, [*args, "--allow-missing", "mal_ranking_2026"])
    assert accepted.exit_code == 0, accepted.output
    assert "built without the full source mal_ranking_2026" in accepted.output
    assert _last_build_id(db) > before
    # the accepted build is the new reference: the next one goes through without the flag
    assert runner.invoke(app, args).exit_code == 0


def test_a_source_folder_that_cannot_be_listed_is_a_clear_error(db: str, data: Path) -> None:
    shutil.rmtree(data / RANKING)
    (data / RANKING).write_text("not a folder")
    with (
        open_catalog(db) as cat,
        pytest.raises(SourceFileError, match="mal_ranking_2026.*not a readable directory"),
    ):
        build_catalog(cat, data)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their permissions")
def test_an_unlistable_subfolder_is_a_clear_error(db: str, data: Path) -> None:
    sub = data / "raw/mal_tv_seasons_ate329/2019"
    sub.chmod(0)
    try:
        with open_catalog(db) as cat, pytest.raises(SourceFileError, match="2019.*cannot be read"):
            build_catalog(cat, data)
    finally:
        sub.chmod(0o755)
