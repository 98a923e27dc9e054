"""Higehiro's report from the whole real data (../shared/data)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sequelcast import service
from sequelcast.report import render_html, render_markdown
from sequelcast.settings import Settings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning"),
]
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def higehiro(real_catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("report-cache")
    settings = Settings(
        db=real_catalog_url,
        data=None,
        today=TODAY,
        model_dir=root / "models",
        downloads=root / "downloads",
    )
    with service.Sequelcast(settings) as svc:
        report = service.report_json(svc, "Higehiro")
        forecast = svc.forecast("40938")
        linked = bool(svc.catalog.snapshot(svc.data_date()).source_features)
    return {"report": report, "forecast": forecast, "linked": linked}


def test_facts_studio_episodes_and_dates(higehiro: dict) -> None:
    r = higehiro["report"]
    assert r["mal_id"] == 40938
    assert r["headline"] == "Higehiro Season 2: is it returning?"
    facts = {f["label"]: f for f in r["facts"]}
    assert facts["Studios"]["value"] == "Project No.9"
    assert facts["Studios"]["source"]
    assert facts["Studios"]["observed_at"]
    assert facts["Episodes"]["value"] == "13"
    assert facts["First aired"]["value"] == "2021-04-05"
    assert r["seasons"][0]["start"] == "2021-04-05"
    assert r["seasons"][0]["episodes"] == 13
    assert "Project No.9" in r["studio"]["lines"][0]
    md = render_markdown(r)
    assert "| Studios | Project No.9 |" in md
    assert "2021-04-05" in md
    assert "ひげを剃る。そして女子高生を拾う。" in render_html(r)


def test_verdict_and_chances_are_the_forecast(higehiro: dict) -> None:
    r, fc = higehiro["report"], higehiro["forecast"]
    assert fc["status"] == "waiting"
    assert r["status"]["state"] == "not_announced"
    chances = [c["probability"] for c in r["forecast"]["chances"]]
    assert chances == [fc["forecast"][k] for k in ("p_1y", "p_2y", "p_3y", "p_5y")]
    verdict = fc["forecast"].get("verdict") or "unknown"
    assert r["forecast"]["lines"][0].startswith(f"Verdict: {verdict}")


def test_source_material_five_volume_light_novel_finished_2021(higehiro: dict) -> None:
    if not higehiro["linked"]:
        pytest.skip(
            "this build links no source material to any anime (domain.SourceFeatures unfilled)"
        )
    sm = higehiro["report"]["source_material"]
    assert sm["known"] is True
    assert sm["kind"] == "light_novel"
    assert sm["volumes"] == 5
    assert sm["finished"] is True
    assert sm["end"].startswith("2021")
    assert "light novel" in sm["text"].lower()
    assert "5 volumes" in sm["text"]
    assert "2021" in sm["text"]


def test_report_file_written(real_catalog_url: str, tmp_path: Path, higehiro: dict) -> None:
    text = service.render_report(higehiro["report"], "md", tmp_path / "chart.png")
    assert "![Chance of an announcement by date](chart.png)" in text
    assert (tmp_path / "chart.png").stat().st_size > 1000
