"""Tests of sequelcast.resolve.normalize."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sequelcast.resolve.normalize import normalize, parse_title, season_hint

#: Words that exercise the season-marker, romaji and Unicode rules when glued together.
_TRICKY = st.sampled_from(
    [
        "season", "the", "final", "part", "cour", "2nd", "second", "two", "ii", "iii", "s2",
        "p2", "wo", "woo", "ou", "uu", "ｓ２", "第2期", "Ⅱ", "&", "'", "ō", "é", "ß", "İ",
        "ﬁ", "x", "×", "0", "00", "s0", "season2", "オーバーロード", "ー", "゙", "\u0301",
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("Higehiro", "higehiro", id="plain"),
        pytest.param("ＳＨＩＮＧＥＫＩ　ｎｏ　Ｋｙｏｊｉｎ", "shingeki no kyojin", id="full-width"),
        pytest.param("Kidō Senshi Gundam", "kido senshi gundam", id="macron"),
        pytest.param("Pokémon", "pokemon", id="accent"),
        pytest.param("Hige wo Soru. Soshite Joshikousei wo Hirou.", "hige o soru soshite joshikosei o hiro", id="romaji"),
        pytest.param("Haikyuu!!", "haikyu", id="long-u"),
        pytest.param("Kaguya-sama: Love is War", "kaguya sama love is war", id="punctuation"),
        pytest.param("JoJo's Bizarre Adventure", "jojos bizarre adventure", id="apostrophe"),
        pytest.param("Rock & Roll", "rock and roll", id="ampersand"),
        pytest.param("Hunter×Hunter", "hunter x hunter", id="times-sign"),
        pytest.param("ひげを剃る。そして女子高生を拾う。", "ひげを剃る そして女子高生を拾う", id="japanese-kept"),
        pytest.param("  ", "", id="blank"),
        pytest.param("!!!", "", id="punctuation-only"),
    ],
)  # fmt: skip
def test_normalize(title: str, expected: str) -> None:
    assert normalize(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("Boku no Hero Academia 2nd Season", "boku no hero academia s2", id="2nd-season"),
        pytest.param("Attack on Titan Season 2", "attack on titan s2", id="season-2"),
        pytest.param("Yahari Ore no Seishun: Second Season", "yahari ore no seishun s2", id="second-season"),
        pytest.param("Overlord II", "overlord s2", id="roman"),
        pytest.param("オーバーロードⅡ", "オーバーロード s2", id="roman-glued-to-japanese"),
        pytest.param("re zero S2", "re zero s2", id="s2"),
        pytest.param("Sword Art Online season two", "sword art online s2", id="number-word"),
        pytest.param("進撃の巨人 Season2", "進撃の巨人 s2", id="glued"),
        pytest.param("僕のヒーローアカデミア 第7期", "僕のヒーローアカデミア s7", id="japanese-ki"),
        pytest.param("Shingeki no Kyojin Season 3 Part 2", "shingeki no kyojin s3 p2", id="part"),
        pytest.param("Haikyu!! To the Top 2nd-cour", "haikyu to the top p2", id="cour"),
        pytest.param("Shingeki no Kyojin: The Final Season", "shingeki no kyojin final", id="final"),
        pytest.param("Initial D Final Stage", "initial d final stage", id="final-not-season"),
        pytest.param("Hunter x Hunter", "hunter x hunter", id="x-is-not-ten"),
    ],
)  # fmt: skip
def test_season_markers(title: str, expected: str) -> None:
    assert normalize(title) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kaguya sama season 3", 3),
        ("re zero 2nd season", 2),
        ("AOT final season", "final"),
        ("Attack on Titan: The Final Season Part 2", "final"),
        ("Mob Psycho 100 III", 3),
        ("aot s4", 4),
        ("Higehiro", None),
        ("overlord 4", None),
        ("Final Fantasy", None),
        ("Kaiju No. 8", None),
    ],
)
def test_season_hint(query: str, expected: object) -> None:
    assert season_hint(query) == expected


def test_parse_title_splits_base_and_markers() -> None:
    p = parse_title("Re:Zero kara Hajimeru Isekai Seikatsu 2nd Season Part 2")
    assert (p.norm, p.base, p.season, p.part) == (
        "re zero kara hajimeru isekai seikatsu s2 p2",
        "re zero kara hajimeru isekai seikatsu",
        2,
        2,
    )


def test_a_title_that_is_only_a_marker_keeps_its_words() -> None:
    assert parse_title("II").base == "s2"


@given(st.text())
def test_normalize_is_idempotent(title: str) -> None:
    once = normalize(title)
    assert normalize(once) == once


@given(st.lists(st.one_of(_TRICKY, st.text(max_size=3))).map(" ".join))
def test_normalize_is_idempotent_on_marker_soup(title: str) -> None:
    once = normalize(title)
    assert normalize(once) == once
    assert parse_title(title).norm == once
