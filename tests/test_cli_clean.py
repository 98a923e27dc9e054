"""A clean first run: help without raw placeholders, piped output at full width, JSON errors, words.

CliRunner on a real SQLite catalog built from the tiny fixture data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from sequelcast.cli import app
from sequelcast.words import duration_years, or_unknown, ordinal, plural

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> str:
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    db = f"sqlite:///{tmp_path_factory.mktemp('clean') / 'cat.db'}"
    result = runner.invoke(app, ["build", "--data", str(tiny), "--db", db, "-q"])
    assert result.exit_code == 0, result.output
    return db


def _command_paths() -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = [[]]
    for name, cmd in sorted(root.commands.items()):  # type: ignore[attr-defined]
        paths.append([name])
        paths.extend([name, sub] for sub in sorted(getattr(cmd, "commands", {}) or {}))
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "sequelcast")
def test_help_has_no_raw_placeholders(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    text = result.output
    for raw in ("<bool>", "<str>", "<int>", "<float>", "<list[", "<dir>", "<path>", "<file>"):
        assert raw not in text
    assert not re.search(r"\{[a-z_]+\}", text), text  # a required argument written {mal_ids}
    assert re.search(r"--help\s+Show this message", text)  # a flag shows no type


def test_help_words_for_options_and_arguments() -> None:
    result = runner.invoke(app, ["fetch", "anilist", "--help"], env={"COLUMNS": "120"})
    assert "Usage: sequelcast fetch anilist [OPTIONS] MAL_IDS" in result.output
    assert re.search(r"MAL_IDS\s+TEXT\s+MAL ids, separated by commas", result.output)
    assert re.search(r"--out\s+DIR\s+Directory to save into", result.output)
    build = runner.invoke(app, ["build", "--help"], env={"COLUMNS": "120"}).output
    assert re.search(r"--data\s+DIR\s", build)
    assert re.search(r"--db\s+URL\s", build)
    assert re.search(r"--as-of\s+DATE\s", build)
    assert re.search(r"--quiet\s+-q\s+No progress bar", build)
    forecast = runner.invoke(app, ["forecast", "--help"], env={"COLUMNS": "120"}).output
    assert "[OPTIONS] [TITLE_OR_ID]" in forecast


def test_piped_tables_are_neither_wrapped_nor_cut(built: str) -> None:
    result = runner.invoke(app, ["rejects", "--db", built])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) > 80
    assert "…" not in result.stdout
    # one row per reject: the raw record stays on its row
    assert sum(1 for line in lines if "mal_snapshot_2018" in line) == 1


def test_json_error_for_an_unknown_id(built: str) -> None:
    result = runner.invoke(app, ["show", "123456789", "--db", built, "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "ok": False,
        "error": "MAL id 123456789 is not in the catalog",
        "errors": [],
    }


def test_json_error_for_an_ambiguous_title_lists_candidates(built: str) -> None:
    result = runner.invoke(app, ["franchise", "show", "--db", built, "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["error"].startswith("'show' is ambiguous")
    assert {c["mal_id"] for c in data["errors"]} >= {100, 300}


def test_json_error_for_a_bad_option_value(built: str) -> None:
    result = runner.invoke(app, ["show", "100", "--db", built, "--as-of", "2018-13-01", "--json"])
    assert result.exit_code == 2
    assert (
        json.loads(result.stdout)["error"]
        == "--as-of: expected a date as YYYY-MM-DD, got '2018-13-01'"
    )


def test_json_error_for_a_missing_argument() -> None:
    result = runner.invoke(app, ["show", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "ok": False,
        "error": "Missing argument 'TITLE_OR_ID'.",
        "errors": [],
    }


def test_without_json_errors_stay_one_line_on_stderr(built: str) -> None:
    result = runner.invoke(app, ["show", "123456789", "--db", built])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "Error: MAL id 123456789 is not in the catalog"


def test_show_words(built: str) -> None:
    result = runner.invoke(app, ["show", "Higehiro", "--db", built])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"Members\s+│?\s*678,653 \(100th percentile of TV shows of 2021\)", result.stdout
    )
    assert "13 episodes" in result.stdout
    assert "?" not in result.stdout
    assert "(s)" not in result.stdout


def test_unknown_values_read_unknown(built: str) -> None:
    result = runner.invoke(app, ["show", "300", "--db", built])
    assert result.exit_code == 0, result.output
    assert "?" not in result.stdout
    assert "unknown" in result.stdout


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (64.1, "64th"),
        (90.5, "91st"),
        (100, "100th"),
        (111, "111th"),
        (1001, "1,001st"),
    ],
)
def test_ordinal(value: float, text: str) -> None:
    assert ordinal(value) == text


def test_plural_and_durations() -> None:
    assert [plural(n, "year") for n in (0, 1, 1.0, 1.04, 1.5, 5, 1234)] == [
        "0 years",
        "1 year",
        "1 year",
        "1 year",
        "1.5 years",
        "5 years",
        "1,234 years",
    ]
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"
    assert [duration_years(y) for y in (0.01, 0.5, 1, 2.26)] == [
        "1 month",
        "6 months",
        "1 year",
        "2.3 years",
    ]
    assert [or_unknown(v) for v in (None, "", 0, "TV")] == ["unknown", "unknown", "0", "TV"]


def test_resolve_table_speaks_of_confidence(built: str) -> None:
    result = runner.invoke(app, ["resolve", "Tiny Show", "--db", built])
    assert result.exit_code == 0, result.output
    assert re.search(r"MAL id\s+┃\s+title\s+┃\s+confidence\s+┃\s+matched on", result.stdout)
    assert re.search(r"100\s+│\s+Tiny Show\s+│\s+\d+%", result.stdout)


def test_build_summary_has_no_model_jargon(tmp_path: Path) -> None:
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    result = runner.invoke(
        app,
        ["build", "--data", str(tiny), "--db", f"sqlite:///{tmp_path / 'b.db'}", "-q"],
        env={"SEQUELCAST_MODEL_DIR": str(tmp_path / "models")},
    )
    assert result.exit_code == 0, result.output
    # Tiny Show 2nd Season, Higehiro, and Old Show (undated, first seen 2016: placed there)
    assert "Forecasts as of 2026-08-01: 3 waiting shows." in result.stdout
    assert "model" not in result.stdout
