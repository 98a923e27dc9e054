"""`sequelcast sync first-seen`: first-seen dates from a small git repository made by the test."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequelcast.cli import app
from sequelcast.errors import SourceFileError
from sequelcast.sources import anime_lists_history, first_seen

runner = CliRunner()

ENTRY = (
    '<anime anidbid="{id}" tvdbid="{tvdb}" defaulttvdbseason="{season}" episodeoffset="" '
    'tmdbid="" imdbid="">\n    <name>Show {id}</name>\n  </anime>'
)

#: (author date, {anidb id: (tvdbid, defaulttvdbseason)}) per commit, oldest first.
HISTORY = [
    ("2012-09-22T15:56:24+01:00", {1: ("72025", "1"), 2: ("", "")}),
    ("2013-08-10T08:20:17+01:00", {1: ("72025", "1"), 2: (" 80785", "1"), 3: ("movie", "")}),
    (
        "2013-08-12T23:30:00-05:00",
        {1: ("72025", "1"), 2: ("80785", "1"), 3: ("movie", ""), 4: ("80785", "0")},
    ),
    ("2014-01-01T10:00:00+00:00", None),  # a broken version of the file
    (
        "2014-02-01T10:00:00+00:00",
        {
            1: ("72025", "1"),
            2: ("80785", "1"),
            3: ("movie", ""),
            4: ("80785", "2"),
            5: ("90000", "a"),
        },
    ),
]


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def anime_lists(tmp_path: Path) -> Path:
    repo = tmp_path / "anime-lists"
    repo.mkdir()
    _git(repo, "init", "-q")
    base = {
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    for i, (when, entries) in enumerate(HISTORY):
        if entries is None:
            text = "<<< merge conflict\n"
        else:
            body = "\n  ".join(
                ENTRY.format(id=k, tvdb=t, season=s) for k, (t, s) in entries.items()
            )
            text = (
                f'<?xml version="1.0" encoding="utf-8"?>\n<anime-list>\n  {body}\n</anime-list>\n'
            )
        (repo / "anime-list-master.xml").write_text(text, encoding="utf-8")
        (repo / "README.md").write_text(f"version {i}\n")
        _git(repo, "add", "-A")
        # the committer date is a month later: the author date is the one that counts
        env = {**base, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": "2020-01-01T00:00:00+00:00"}
        _git(repo, "commit", "-q", "-m", f"v{i}", env=env)
    # a commit that does not touch the list is not a version of it
    (repo / "README.md").write_text("docs only\n")
    _git(
        repo,
        "commit",
        "-q",
        "-am",
        "docs",
        env={
            **base,
            "GIT_AUTHOR_DATE": "2015-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2015-01-01T00:00:00Z",
        },
    )
    return repo


EXPECTED = [
    # anidb_id, first_listed, first_mapped, tvdb_id, tvdb_season
    ["1", "2012-09-22", "2012-09-22", "72025", "1"],
    ["2", "2012-09-22", "2013-08-12", "80785", "1"],  # " 80785" is not a mapping yet
    ["3", "2013-08-10", "", "", ""],  # a movie is never mapped to a season
    ["4", "2013-08-12", "2014-02-01", "80785", "2"],  # season 0 (specials) is not a season
    ["5", "2014-02-01", "2014-02-01", "90000", "a"],
]


def test_rows_from_the_history(anime_lists: Path) -> None:
    assert [d.isoformat() for _, d in anime_lists_history.commits(anime_lists)] == [
        "2012-09-22",
        "2013-08-10",
        "2013-08-12",
        "2014-01-01",
        "2014-02-01",
    ]
    rows, skipped = anime_lists_history.first_seen_rows(
        anime_lists_history.read_versions(anime_lists)
    )
    assert skipped == 1
    text = anime_lists_history.render_csv(rows)
    assert list(csv.reader(text.splitlines())) == [list(anime_lists_history.COLUMNS), *EXPECTED]


def test_cli_writes_the_csv_the_build_reads(anime_lists: Path, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    result = runner.invoke(
        app,
        ["sync", "first-seen", "--repo", str(anime_lists)],
        env={"SEQUELCAST_DOWNLOADS": str(downloads)},
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 5 AniDB ids to" in result.output
    assert "1 unreadable version skipped" in result.output
    out = downloads / "derived" / "anidb_first_seen.csv"
    batch = first_seen.parse(out.read_bytes(), "derived/anidb_first_seen.csv")
    assert not batch.rejects
    assert [(f.anidb_id, f.first_listed.isoformat()) for f in batch.first_seen] == [
        (int(r[0]), r[1]) for r in EXPECTED
    ]


@pytest.mark.integration
def test_same_columns_as_the_shared_file(shared_data: Path) -> None:
    with (shared_data / "derived" / "anidb_first_seen.csv").open() as f:
        assert tuple(next(csv.reader(f))) == anime_lists_history.COLUMNS


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="is not a git repository"):
        anime_lists_history.commits(tmp_path)
    result = runner.invoke(app, ["sync", "first-seen", "--repo", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "--repo: " in result.output
