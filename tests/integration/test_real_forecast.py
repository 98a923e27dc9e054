"""The three forecasts issue 10 names, on the whole real data (../shared/data).

Golden Kamuy as of 2018-05-07 (still airing then), Cowboy Bebop (an old show) and Higehiro (a
finished 5-volume light novel) each get probabilities, a verdict, a confidence, a window and
factors whose words agree with their direction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sequelcast import service
from sequelcast.settings import Settings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning"),
]
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def answers(real_catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("forecast-cache")
    settings = Settings(
        db=real_catalog_url,
        data=None,
        today=TODAY,
        model_dir=root / "models",
        downloads=root / "downloads",
    )
    with service.Sequelcast(settings) as svc:
        return {
            "kamuy": svc.forecast("Golden Kamuy", as_of=date(2018, 5, 7)),
            "bebop": svc.forecast("Cowboy Bebop"),
            "higehiro": svc.forecast("Higehiro"),
        }


def _complete(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["status"] == "waiting", answer.get("message")
    fc: dict[str, Any] = answer["forecast"]
    chances = [fc[k] for k in ("p_1y", "p_2y", "p_3y", "p_5y")]
    assert all(0.0 <= p <= 1.0 for p in chances)
    assert chances == sorted(chances)
    assert fc["verdict"] in {"very likely", "likely", "possible", "unlikely", "very unlikely"}
    assert fc["confidence"] in {"low", "medium", "high"}
    assert fc["conditional_window"] is not None
    assert fc["airs_by"]
    assert fc["factors"]
    for factor in fc["factors"]:
        verb = "raises the chance" if factor["raises"] else "lowers the chance"
        assert factor["text"].endswith(verb) or factor["text"].endswith("hardly changes the chance")
    return fc


def test_golden_kamuy_while_it_aired(answers: dict[str, Any]) -> None:
    fc = _complete(answers["kamuy"])
    assert fc["airing"]
    assert fc["mal_id"] == 36028
    assert not fc["estimated_dates"]  # a projected end of a season still airing is no estimate


def test_cowboy_bebop_old_show(answers: dict[str, Any]) -> None:
    fc = _complete(answers["bebop"])
    assert fc["mal_id"] == 1
    assert not fc["airing"]


def test_higehiro_names_its_finished_light_novel(answers: dict[str, Any]) -> None:
    fc = _complete(answers["higehiro"])
    source = [f for f in fc["factors"] if "light novel" in f["text"]]
    assert source, [f["text"] for f in fc["factors"]]
    assert "5 volumes" in source[0]["text"]
    assert "finished" in source[0]["text"]
    assert not source[0]["raises"]  # nothing left to adapt never raises the chance


def test_studio_record_words_agree_across_shows(answers: dict[str, Any]) -> None:
    """A higher studio record never "lowers" while a lower one "raises" (the issue's complaint)."""
    rates = []
    for key in ("bebop", "higehiro"):
        for f in answers[key]["forecast"]["factors"]:
            if "got another season" in f["text"]:
                pct = int(f["text"].split("another season ")[1].split("%")[0])
                rates.append((pct, f["raises"]))
    for pct_a, raises_a in rates:
        for pct_b, raises_b in rates:
            assert not (pct_a > pct_b and not raises_a and raises_b)
