"""The SVG chart of the chance of an announcement by date."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from sequelcast.web._chart import announcement_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_valid_svg_with_words_for_screen_readers() -> None:
    svg = announcement_chart_svg(
        [(date(2028, 6, 1), 0.35), (date(2027, 6, 1), 0.2)], start=date(2026, 6, 1), ident="fc"
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "fc-title fc-desc"
    assert root.find(f"{SVG}title").text == "Chance of an announcement by date"
    assert root.find(f"{SVG}desc").text == "20% by 2027-06-01; 35% by 2028-06-01"
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert labels == ["20%", "35%"]
    years = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "axis"]
    assert "2027" in years
    assert "2028" in years
    assert "style=" not in svg  # CSP-friendly: classes only


def test_curve_never_goes_down_and_higher_chance_is_drawn_higher() -> None:
    svg = announcement_chart_svg([(date(2027, 1, 1), 0.5), (date(2028, 1, 1), 0.4)])
    dots = list(ET.fromstring(svg).iter(f"{SVG}circle"))
    ys = [float(c.get("cy")) for c in dots]
    assert ys[1] <= ys[0]  # cumulative: shown no lower than the earlier point
    xs = [float(c.get("cx")) for c in dots]
    assert xs[0] < xs[1]


def test_no_points_no_chart_and_bad_probability_named() -> None:
    assert announcement_chart_svg([]) == ""
    with pytest.raises(ValueError, match="2027-01-01: probability 1.5"):
        announcement_chart_svg([(date(2027, 1, 1), 1.5)])


def test_title_is_escaped() -> None:
    svg = announcement_chart_svg([(date(2027, 1, 1), 0.1)], title="<b>&")
    assert '<title id="chart-title">&lt;b&gt;&amp;</title>' in svg


def test_timeline_has_one_bar_per_dated_season_in_order() -> None:
    from sequelcast.web._chart import seasons_timeline_svg

    svg = seasons_timeline_svg(
        [
            ("S1", date(2015, 1, 5), date(2015, 3, 30)),
            ("S2", date(2019, 1, 7), None),
            ("S3 (announced)", None, None),
        ],
        until=date(2019, 2, 1),
    )
    root = ET.fromstring(svg)
    bars = list(root.iter(f"{SVG}rect"))
    assert [b.find(f"{SVG}title").text for b in bars] == ["S1", "S2"]
    assert bars[1].get("class") == "season open"  # no end yet: drawn to the page's date, dashed
    assert float(bars[0].get("x")) < float(bars[1].get("x"))
    assert root.find(f"{SVG}desc").text == "S1: 2015-01-05 to 2015-03-30; S2: from 2019-01-07"
    years = [t.text for t in root.iter(f"{SVG}text") if t.text and len(t.text) == 4]
    assert years[0] == "2015"
    assert "2019" in years
    assert seasons_timeline_svg([("S1", None, None)], until=date(2020, 1, 1)) == ""
