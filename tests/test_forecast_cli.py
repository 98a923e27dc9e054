"""`forecast` and `backtest` end to end on a synthetic catalog (real SQLite file, real models)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequelcast.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def env(synthetic_catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("synthetic-cli")
    return {
        "SEQUELCAST_DB": synthetic_catalog_url,
        "SEQUELCAST_MODEL_DIR": str(root / "cache"),
        "SEQUELCAST_TODAY": "2026-11-25",
        "SEQUELCAST_DOWNLOADS": str(root / "downloads"),
        "OUT": str(root / "out"),
    }


def run(env: dict[str, str], *args: str) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_forecast_json(env: dict[str, str]) -> None:
    data = json.loads(run(env, "forecast", "Synth Show 3", "--json"))
    assert data["status"] == "waiting"
    assert data["as_of"] == "2026-08-01"  # today, but never after the newest data
    fc = data["forecast"]
    probs = [fc["p_1y"], fc["p_2y"], fc["p_3y"], fc["p_5y"]]
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert probs == sorted(probs)
    assert fc["factors"]
    assert all(isinstance(f["text"], str) and f["text"] for f in fc["factors"])
    assert fc["window"] is None or 0.0 <= fc["window"]["probability"] <= 1.0
    assert fc["verdict"] in ("very likely", "likely", "possible", "unlikely", "very unlikely")
    assert fc["confidence"] in ("high", "medium", "low")
    assert "likely never" not in fc["median_text"]
    assert fc["conditional_window"] is None or fc["conditional_window"]["text"].startswith(
        "if it is announced, it most likely airs within"
    )
    assert all(0.0 <= b["probability"] <= fc["p_5y"] + 1e-9 for b in fc["airs_by"])


def test_forecast_table(env: dict[str, str]) -> None:
    out = run(env, "forecast", "Synth Show 3")
    assert "5 years" in out
    assert "Median time to an announcement" in out
    assert "Verdict:" in out
    assert "Why:" in out


def test_forecast_as_of_uses_the_past(env: dict[str, str]) -> None:
    data = json.loads(run(env, "forecast", "Synth Show 3", "--json", "--as-of", "2018-05-07"))
    assert data["as_of"] == "2018-05-07"
    if data["forecast"] is not None:
        assert data["forecast"]["as_of"] == "2018-05-07"


def test_forecast_all_csv(env: dict[str, str]) -> None:
    out = run(env, "forecast", "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    assert list(rows[0]) == ["mal_id", "title", "p_1y", "p_2y", "p_3y", "p_5y"]
    assert all(float(r["p_1y"]) <= float(r["p_5y"]) for r in rows)


def test_forecast_all_json(env: dict[str, str]) -> None:
    rows = json.loads(run(env, "forecast", "--all", "--format", "json"))
    assert {"mal_id", "title", "p_3y"} <= set(rows[0])


def test_forecast_needs_a_title_or_all(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["forecast"], env=env)
    assert result.exit_code == 2
    assert "give a title or MAL id, or --all" in result.output


def test_backtest_json_and_plot(env: dict[str, str]) -> None:
    summary = json.loads(
        run(env, "backtest", "--as-of", "2018-05-07", "--json", "--out", env["OUT"])
    )
    assert summary["as_of"] == "2018-05-07"
    assert {"kaplan_meier", "popularity_logistic", "rule_of_thumb", "cox"} <= set(summary["models"])
    assert summary["selected"] in summary["models"]
    for m in summary["models"].values():
        assert 0.0 <= m["c_index"] <= 1.0
        assert "td_auc_3" in m
        assert "ici_3" in m
    plot = Path(summary["plot"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_after_the_data_is_an_error(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["backtest", "--as-of", "2026-09-01"], env=env)
    assert result.exit_code == 1
    assert "leaves no future to score against" in result.output


def test_backtest_bad_horizons(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["backtest", "--as-of", "2018-05-07", "--horizons", "1,x"], env=env)
    assert result.exit_code == 2
    assert "--horizons: expected numbers" in result.output
