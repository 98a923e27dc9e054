"""The report page and the track-record page, on real SQLite catalogs built from the tiny data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from sequelcast.api import create_app
from sequelcast.catalog import open_catalog
from sequelcast.catalog.ledger import FORECAST_COLUMNS, Ledger
from sequelcast.service import build_catalog

from .conftest import Client, make_settings, run_client

TINY_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
pytestmark = pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_report_page_has_every_section(client: Client) -> None:
    response = client.get("/anime/40938/report")
    assert response.status_code == 200
    html = response.text
    text = text_of(html)
    assert re.search(r"<h1>Higehiro[^<]* Season 2: is it returning\?</h1>", html)
    for section in (
        "The facts",
        "Source material",
        "Popularity",
        "Studio, licensors and staff",
        "The forecast",
        "What would change this",
        "Sources",
    ):
        assert f"<h2>{section}</h2>" in html
    assert "2021-04-05" in text
    assert '/anime/40938">' in html  # back to the show's page
    article = html[html.index('<article class="report">') : html.index("</article>")]
    assert "<script" not in article


def test_report_page_as_of_and_errors(client: Client) -> None:
    old = client.get("/anime/100/report", params={"as_of": "2018-05-07"})
    assert old.status_code == 200
    text = text_of(old.text)
    assert "Season 2 is not announced as of 2018-05-07." in text
    # too little data then for a model: the report says why instead of failing
    assert "no next season was announced in the data by 2018-05-07" in text
    bad = client.get("/anime/100/report", params={"as_of": "someday"})
    assert bad.status_code == 400
    assert "as_of" in text_of(bad.text)
    assert client.get("/anime/999999/report").status_code == 404


def test_empty_track_record(client: Client) -> None:
    response = client.get("/track-record")
    assert response.status_code == 200
    assert "The ledger holds no resolved forecast yet." in response.text


def test_track_record_scores_a_kept_forecast(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    with open_catalog(url) as cat:
        build_catalog(cat, TINY_DATA)
        row: dict[str, object] = dict.fromkeys(FORECAST_COLUMNS)
        # Tiny Show (MAL 100) on 2017-01-01; its 2nd season was first listed on 2018-06-01
        row.update(
            franchise_id="mal:100",
            spell_id="x",
            mal_id=100,
            title="Tiny <b>Show</b>",
            ended=date(2015, 3, 30),
            waited_years=1.76,
            p_1y=0.2,
            p_2y=0.6,
            p_3y=0.7,
            p_5y=0.8,
            model="cox",
        )
        Ledger(cat).add_run(
            kind="replay",
            as_of=date(2017, 1, 1),
            build_key="k",
            build_id=None,
            model="auto",
            version="test",
            forecasts=[row],
        )
    app = create_app(make_settings(url, tmp_path))
    for client in run_client(app):
        html = client.get("/track-record").text
    text = text_of(html)
    # 1 year: .2 against 0; 2, 3, 5 years: .6 .7 .8 against 1: (.04 + .16 + .09 + .04) / 4
    assert "1 of 1 forecasts" in text
    assert "Brier 0.083" in text
    assert "<svg" in html
    assert "<circle" in html
