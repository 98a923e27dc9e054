"""`report` and `ledger` end to end on a synthetic catalog (real SQLite file, real models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequelcast.catalog import open_catalog
from sequelcast.catalog.ledger import Ledger
from sequelcast.cli import app
from sequelcast.franchise import build_franchises

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")


@pytest.fixture(scope="module")
def env(synthetic_catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("synthetic-report")
    return {
        "SEQUELCAST_DB": synthetic_catalog_url,
        "SEQUELCAST_MODEL_DIR": str(root / "cache"),
        "SEQUELCAST_TODAY": "2026-11-25",
        "OUT": str(root / "out"),
    }


def run(env: dict[str, str], *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_markdown_report_with_its_chart(env: dict[str, str]) -> None:
    out = Path(env["OUT"]) / "synth3.md"
    run(env, "report", "Synth Show 3", "--out", str(out))
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Synth Show 3 Season ")
    assert ": is it returning?" in md.splitlines()[0]
    for section in (
        "## The facts",
        "## Source material",
        "## Popularity",
        "## The forecast",
        "## What would change this",
        "## Sources",
    ):
        assert section in md
    assert "![Chance of an announcement by date](synth3-chart.png)" in md
    assert (out.parent / "synth3-chart.png").read_bytes()[:4] == b"\x89PNG"


def test_json_report_matches_the_forecast(env: dict[str, str]) -> None:
    report = json.loads(run(env, "report", "Synth Show 3", "--format", "json"))
    forecast = json.loads(run(env, "forecast", "Synth Show 3", "--json"))
    assert report["as_of"] == forecast["as_of"] == "2026-08-01"
    fc = report["forecast"]
    assert fc["state"] == "odds"
    assert [c["probability"] for c in fc["chances"]] == [
        forecast["forecast"][k] for k in ("p_1y", "p_2y", "p_3y", "p_5y")
    ]
    assert [f["text"] for f in fc["factors"]] == [
        f["text"] for f in forecast["forecast"]["factors"]
    ]
    studios = {f["label"]: f for f in report["facts"]}["Studios"]
    assert studios["source"] == "mal_tv_seasons"
    assert studios["observed_at"]


def test_html_report_to_stdout(env: dict[str, str]) -> None:
    html = run(env, "report", "Synth Show 3", "--format", "html")
    assert html.startswith("<!doctype html>")
    assert "<svg" in html
    assert "<h2>The forecast</h2>" in html


def test_announced_sequel_gets_the_announcement_not_odds(env: dict[str, str]) -> None:
    with open_catalog(env["SEQUELCAST_DB"]) as cat:
        graph = build_franchises(cat.snapshot())
        fr = next(f for f in graph if f.next_season.status == "announced" and f.seasons[0].mal_id)
    report = json.loads(run(env, "report", str(fr.seasons[0].mal_id), "--format", "json"))
    assert report["status"]["state"] == "announced"
    assert report["status"]["text"].startswith(f"{fr.next_season.title} is announced")
    assert report["forecast"]["state"] == "announced"
    assert report["forecast"]["chances"] == []


def test_static_site_of_the_most_followed(env: dict[str, str]) -> None:
    site = Path(env["OUT"]) / "site"
    output = run(env, "report", "--all", "--top", "3", "--out", str(site))
    assert "Wrote 4 pages" in output
    index = (site / "index.html").read_text(encoding="utf-8")
    pages = sorted(p.name for p in site.glob("*.html") if p.name != "index.html")
    assert len(pages) == 3
    for name in pages:
        assert f'href="{name}"' in index
        assert ": is it returning?" in (site / name).read_text(encoding="utf-8")


def test_report_argument_errors(env: dict[str, str]) -> None:
    assert "give a title or MAL id, or --all" in run(env, "report", code=2)
    assert "--all: give --out DIR" in run(env, "report", "--all", code=2)
    assert "expected one of md, html, json" in run(
        env, "report", "Synth Show 3", "--format", "pdf", code=2
    )


def test_ledger_record_replay_and_score(env: dict[str, str]) -> None:
    first = json.loads(run(env, "ledger", "record", "--json"))
    assert first["skipped"] is False
    assert first["as_of"] == "2026-08-01"
    assert first["n_forecasts"] > 10
    again = json.loads(run(env, "ledger", "record", "--json"))
    assert again["skipped"] is True
    assert again["run_id"] == first["run_id"]

    runs = json.loads(
        run(
            env,
            "ledger",
            "replay",
            "--since",
            "2019-01-01",
            "--until",
            "2019-01-01",
            "--every",
            "year",
            "--json",
        )
    )
    assert [(r["as_of"], r["skipped"]) for r in runs] == [("2019-01-01", False)]
    with open_catalog(env["SEQUELCAST_DB"]) as cat:
        rows = [r for r in Ledger(cat).forecasts() if r["kind"] == "replay"]
    assert len(rows) == runs[0]["n_forecasts"]
    # what was known on the date only: every show had ended by then, or was still airing then
    # (nothing waited yet: an undated show with no episode count is read as still airing)
    assert all(r["ended"] is not None for r in rows)
    assert all(str(r["ended"]) <= "2019-01-01" or r["waited_years"] < 0.01 for r in rows)
    # the same forecast as `forecast --as-of` on that date
    some = rows[0]
    past = json.loads(run(env, "forecast", str(some["mal_id"]), "--as-of", "2019-01-01", "--json"))
    assert past["forecast"]["p_1y"] == some["p_1y"]

    score = json.loads(run(env, "ledger", "score", "--json"))
    assert {"n_forecasts", "n_resolved", "brier", "horizons", "calibration"} <= set(score)
    assert score["n_forecasts"] + score["n_early"] == first["n_forecasts"] + len(rows)
    assert (
        0 < score["n_resolved"] <= len(rows)
    )  # the forecasts of the catalog's date cannot be resolved yet
    assert set(score["horizons"]) == {"1", "2", "3", "5"}
    assert 0.0 <= score["brier"] <= 1.0
    assert score["runs"]["record"] == 1
    assert score["runs"]["replay"] == 1
    table = run(env, "ledger", "score")
    assert table.startswith("# Track record")


def test_ledger_replay_argument_errors(env: dict[str, str]) -> None:
    assert "--every: expected quarter or year" in run(
        env, "ledger", "replay", "--every", "month", code=2
    )
    assert "must be before" in run(env, "ledger", "replay", "--since", "2030-01-01", code=2)


def test_ledger_needs_a_built_catalog(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    out = run({"SEQUELCAST_DB": f"sqlite:///{missing}"}, "ledger", "score", code=1)
    assert f"no catalog at {missing}: run `sequelcast build` first" in out
    assert not missing.exists()
