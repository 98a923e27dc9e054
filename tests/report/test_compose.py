"""compose_report and its renderings on hand-written service answers (no catalog needed)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sequelcast.report import (
    ReportInputs,
    compose_report,
    md_escape,
    provenance,
    render_html,
    render_markdown,
)

AS_OF = date(2026, 8, 20)


def sheet(**over: Any) -> dict[str, Any]:
    base = {
        "mal_id": 40938,
        "title": "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        "title_english": "Higehiro: After Being Rejected, I Shaved and Took in a High School Runaway",
        "title_japanese": "ひげを剃る。そして女子高生を拾う。",
        "synonyms": ["Higehiro"],
        "type": "TV",
        "episodes": 13,
        "start_date": "2021-04-05",
        "end_date": "2021-06-28",
        "source_type": "Light novel",
        "studios": ["Project No.9"],
        "licensors": [],
        "genres": ["Drama", "Romance"],
        "themes": [],
        "demographics": [],
        "score": 7.25,
        "members": 678653,
        "peers": {
            "group": "TV shows of 2021",
            "count": 200,
            "members_percentile": 90.5,
            "score_percentile": 64.1,
        },
    }
    return {**base, **over}


NONE = {
    "status": "none",
    "evidence": [{"source": "franchise", "detail": "no later entry", "observed_at": "2026-08-20"}],
}
FRANCHISE = {
    "id": "mal:40938",
    "seasons": [
        {
            "number": 1,
            "mal_id": 40938,
            "title": "Hige wo Soru.",
            "start": "2021-04-05",
            "end": "2021-06-28",
            "episodes": 13,
            "announced": "2019-12-30",
        }
    ],
    "next_season": NONE,
}
WAITING = {
    "status": "waiting",
    "next_season": NONE,
    "message": None,
    "forecast": {
        "as_of": "2026-08-20",
        "ended": "2021-06-28",
        "waited_years": 5.14,
        "p_1y": 0.0091,
        "p_2y": 0.015,
        "p_3y": 0.0178,
        "p_5y": 0.0234,
        "model": "discrete_boost",
        "verdict": "unlikely",
        "confidence": "high",
        "window": {
            "label": "2027 Q1–2030 Q1",
            "start": "2027 Q1",
            "end": "2030 Q1",
            "probability": 0.0156,
            "conditional_probability": 0.5084,
        },
        "factors": [
            {
                "text": "popularity in the top 10% of 2021 shows: raises the chance",
                "effect": 0.54,
                "raises": True,
            },
            {"text": "ended 5 year(s) ago: lowers the chance", "effect": -0.19, "raises": False},
        ],
    },
}
SOURCE = {
    "linked": True,
    "kind": "light_novel",
    "work_id": 116201,
    "title": "Hige wo Soru.",
    "finished": True,
    "start": "2018-02-01",
    "end": "2021-06-01",
    "volumes": 5,
    "episodes_per_volume": 2.6,
    "summary": "little left to adapt",
}


def inputs(**over: Any) -> ReportInputs:
    base: dict[str, Any] = {
        "as_of": AS_OF,
        "asked": "Higehiro",
        "sheet": sheet(),
        "franchise": FRANCHISE,
        "forecast": WAITING,
        "provenance": provenance(
            [
                (40938, "studios", "mal_tv_seasons", date(2026, 2, 15)),
                (40938, "episodes", "mal_tv_seasons", date(2021, 6, 28)),
                (40938, "start_date", "mal_tv_seasons", date(2021, 4, 5)),
            ]
        ),
        "members_history": [
            {"date": "2021-06-30", "members": 300000, "source": "a"},
            {"date": "2026-07-19", "members": 678653, "source": "mal_ranking_2026"},
        ],
        "studios": [
            {"studio": "Project No.9", "seasons": 31, "continued": 3, "as_of": "2026-08-20"}
        ],
        "source_material": SOURCE,
    }
    return ReportInputs(**{**base, **over})


def test_headline_status_and_facts_with_sources() -> None:
    r = compose_report(inputs())
    assert r["headline"] == "Higehiro Season 2: is it returning?"
    assert r["status"]["text"] == "Season 2 is not announced as of 2026-08-20."
    facts = {f["label"]: f for f in r["facts"]}
    assert facts["Studios"]["value"] == "Project No.9"
    assert (facts["Studios"]["source"], facts["Studios"]["observed_at"]) == (
        "mal_tv_seasons",
        "2026-02-15",
    )
    assert facts["Episodes"]["value"] == "13"
    assert facts["First aired"]["value"] == "2021-04-05"
    assert facts["Licensors"]["value"] == "unknown"
    assert "ひげを剃る。そして女子高生を拾う。" in facts["Titles"]["value"]
    assert r["seasons"][0]["episodes"] == 13


def test_the_show_is_named_after_its_first_season() -> None:
    later = sheet(mal_id=52807, title="One Punch Man 3", title_english="One-Punch Man Season 3")
    r = compose_report(
        inputs(sheet=later, series={"title": "One Punch Man", "title_english": "One-Punch Man"})
    )
    assert r["headline"] == "One-Punch Man Season 2: is it returning?"
    assert r["name"] == "One-Punch Man"


def test_source_material_in_plain_words() -> None:
    text = compose_report(inputs())["source_material"]["text"]
    assert text == (
        "Little left to adapt. The source is “Hige wo Soru.” (MyAnimeList manga 116201), "
        "published February 2018 to June 2021; the anime has used about 2.6 episodes "
        "per volume."
    )
    plain = compose_report(inputs(source_material={**SOURCE, "summary": ""}))["source_material"][
        "text"
    ]
    assert plain == (
        "Light novel “Hige wo Soru.”, 5 volumes, finished in June 2021; the anime has used "
        "about 2.6 episodes per volume."
    )


def test_missing_source_material_is_unknown_not_invented() -> None:
    r = compose_report(inputs(source_material=None))
    assert r["source_material"]["known"] is False
    assert "volumes and publication status are unknown" in r["source_material"]["text"]
    running = compose_report(
        inputs(
            source_material={
                **SOURCE,
                "finished": False,
                "end": None,
                "volumes": None,
                "volumes_estimate": 7.0,
                "summary": "",
            }
        )
    )
    assert (
        "about 7 volumes so far, still publishing as of 2026-08-20"
        in running["source_material"]["text"]
    )


def test_forecast_verdict_chances_window_and_chart() -> None:
    fc = compose_report(inputs())["forecast"]
    assert fc["state"] == "odds"
    assert fc["lines"][0] == "Verdict: unlikely (confidence: high)."
    assert [c["text"] for c in fc["chances"]] == ["1%", "2%", "2%", "2%"]
    assert [c["by"] for c in fc["chances"]] == [
        "2027-08-20",
        "2028-08-19",
        "2029-08-20",
        "2031-08-20",
    ]
    assert "2027 Q1–2030 Q1" in fc["lines"][2]
    assert len(fc["chart"]) == 4


def test_a_missing_verdict_is_unknown() -> None:
    answer = {
        **WAITING,
        "forecast": {
            k: v
            for k, v in WAITING["forecast"].items()
            if k not in ("verdict", "confidence", "window")
        },
    }
    fc = compose_report(inputs(forecast=answer))["forecast"]
    assert fc["lines"][0] == "Verdict: unknown (confidence: unknown)."
    assert fc["lines"][2].startswith("Release window: unknown")


def test_popularity_and_studio_lines() -> None:
    r = compose_report(inputs())
    lines = r["popularity"]["lines"]
    assert lines[0] == "MAL score 7.25, percentile 64.1 among 200 TV shows of 2021."
    assert "+126%" in lines[2]
    assert lines[3].startswith("Disc sales: unknown")
    assert r["studio"]["lines"][0].startswith("Project No.9: 31 finished TV seasons")
    assert "3 of them followed by another season (10%)" in r["studio"]["lines"][0]


def test_disc_sales_when_known() -> None:
    r = compose_report(
        inputs(
            disc_sales={"avg_units": 3400.0, "source": "disc_sales", "observed_at": "2021-12-31"}
        )
    )
    assert r["popularity"]["lines"][3] == (
        "Disc sales: about 3,400 Blu-ray/DVD units per volume (disc_sales, 2021-12-31)."
    )
    assert {"fact": "Disc sales", "source": "disc_sales", "observed_at": "2021-12-31"} in r[
        "sources"
    ]


def test_announced_sequel_reports_the_announcement_instead_of_odds() -> None:
    announced = {
        "status": "announced",
        "title": "Tiny Show 2nd Season",
        "first_seen": "2018-06-01",
        "expected": "2019-01-07",
        "evidence": [
            {"source": "anidb_first_seen", "detail": "listed", "observed_at": "2018-06-01"}
        ],
    }
    answer = {
        "status": "announced",
        "next_season": announced,
        "forecast": None,
        "message": "Tiny Show: the next season is already announced",
    }
    r = compose_report(inputs(forecast=answer, franchise={**FRANCHISE, "next_season": announced}))
    assert r["status"]["state"] == "announced"
    assert r["status"]["text"] == (
        "Tiny Show 2nd Season is announced (first seen 2018-06-01), expected to start 2019-01-07."
    )
    assert r["forecast"]["state"] == "announced"
    assert r["forecast"]["chances"] == []
    md = render_markdown(r)
    assert "No odds are given" in md
    assert "%" not in md.split("## The forecast")[1].split("## What would change")[0]


def test_not_waiting_says_why() -> None:
    answer = {
        "status": "not_waiting",
        "next_season": NONE,
        "forecast": None,
        "message": "X: no forecast on 2026-08-20: its latest season has not finished airing",
    }
    r = compose_report(inputs(forecast=answer))
    assert r["forecast"]["lines"] == [answer["message"] + "."]


def test_every_section_is_rendered_in_markdown() -> None:
    md = render_markdown(compose_report(inputs()), "chart.png")
    for title in (
        "# Higehiro Season 2",
        "## The facts",
        "## Seasons",
        "## Source material",
        "## Popularity",
        "## Studio, licensors and staff",
        "## The forecast",
        "## What would change this",
        "## Sources",
        "![Chance of an announcement by date](chart.png)",
    ):
        assert title in md
    assert "| Studios | Project No.9 | mal_tv_seasons, 2026-02-15 |" in md


EVIL = '<script>alert("x")</script> & | co'


@pytest.mark.parametrize("where", ["title_english", "studios"])
def test_html_escapes_third_party_text(where: str) -> None:
    value: Any = [EVIL] if where == "studios" else EVIL
    html = render_html(compose_report(inputs(sheet=sheet(**{where: value}))))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; | co" in html
    assert html.count("<svg") == 1  # the chart is the only markup not from the template


def test_markdown_escapes_third_party_text() -> None:
    md = render_markdown(compose_report(inputs(sheet=sheet(studios=[EVIL]))))
    assert "<script>" not in md
    assert md_escape(EVIL) in md
    assert "\\|" in md_escape(EVIL)
