"""Tests of TitleIndex, resolve_one and the public API of sequelcast.resolve, on tiny indexes."""

from __future__ import annotations

import ast
import dataclasses
import doctest
import importlib
import inspect
from pathlib import Path

import pytest

import sequelcast.resolve as resolve
from sequelcast.domain import TitleRecord
from sequelcast.errors import ResolveError
from sequelcast.resolve import Match, TitleIndex, resolve_one

RESOLVE_DIR = Path(resolve.__file__).parent

#: (mal_id, main, english, japanese, synonyms, members, type)
_ENTRIES = [
    (16498, "Shingeki no Kyojin", "Attack on Titan", "進撃の巨人", ["AoT"], 4_300_000, "TV"),
    (25777, "Shingeki no Kyojin Season 2", "Attack on Titan Season 2", "進撃の巨人 Season2", [], 3_000_000, "TV"),
    (35760, "Shingeki no Kyojin Season 3", "Attack on Titan Season 3", "進撃の巨人 Season3", [], 2_600_000, "TV"),
    (40028, "Shingeki no Kyojin: The Final Season", "Attack on Titan: Final Season", "進撃の巨人 The Final Season", [], 2_200_000, "TV"),
    (40938, "Hige wo Soru. Soshite Joshikousei wo Hirou.", None, "ひげを剃る。そして女子高生を拾う。", ["Higehiro", "I Shaved. Then I Brought a High School Girl Home."], 660_000, "TV"),
    (37999, "Kaguya-sama wa Kokurasetai: Tensai-tachi no Renai Zunousen", "Kaguya-sama: Love is War", "かぐや様は告らせたい～天才たちの恋愛頭脳戦～", [], 1_900_000, "TV"),
    (40591, "Kaguya-sama wa Kokurasetai? Tensai-tachi no Renai Zunousen", "Kaguya-sama: Love is War?", "かぐや様は告らせたい？～天才たちの恋愛頭脳戦～", [], 1_500_000, "TV"),
    (43608, "Kaguya-sama wa Kokurasetai: Ultra Romantic", "Kaguya-sama: Love is War -Ultra Romantic-", "かぐや様は告らせたい-ウルトラロマンティック-", [], 1_100_000, "TV"),
    (29803, "Overlord", "Overlord", "オーバーロード", [], 1_700_000, "TV"),
    (48895, "Overlord IV", "Overlord IV", "オーバーロード IV", [], 600_000, "TV"),
    (1, "Cowboy Bebop", "Cowboy Bebop", "カウボーイビバップ", [], 2_000_000, "TV"),
    (5, "Cowboy Bebop: Tengoku no Tobira", "Cowboy Bebop: The Movie", None, [], 400_000, "Movie"),
    (101, "Twin Star", None, None, [], 1_000, "TV"),
    (102, "Twin Star", None, None, [], 1_200, "OVA"),
]  # fmt: skip

KAGUYA_SEASONS = {37999: ("kaguya", 1), 40591: ("kaguya", 2), 43608: ("kaguya", 3)}


def _records() -> list[TitleRecord]:
    out = []
    for mal_id, main, english, japanese, synonyms, _, _ in _ENTRIES:
        out.append(TitleRecord(mal_id, main, "main"))
        if english:
            out.append(TitleRecord(mal_id, english, "english"))
        if japanese:
            out.append(TitleRecord(mal_id, japanese, "japanese"))
        out.extend(TitleRecord(mal_id, s, "synonym") for s in synonyms)
    return out


def _index(**kwargs: object) -> TitleIndex:
    popularity = {e[0]: e[5] for e in _ENTRIES}
    types = {e[0]: e[6] for e in _ENTRIES}
    return TitleIndex(_records(), popularity, types=types, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def index() -> TitleIndex:
    return _index()


@pytest.mark.parametrize(
    ("query", "expected", "kind"),
    [
        pytest.param("Shingeki no Kyojin", 16498, "main", id="exact-main"),
        pytest.param("attack on titan", 16498, "english", id="exact-english"),
        pytest.param("Higehiro", 40938, "synonym", id="exact-synonym"),
        pytest.param("I Shaved. Then I Brought a High School Girl Home", 40938, "synonym", id="punctuation"),
        pytest.param("ＨＩＧＥＨＩＲＯ", 40938, "synonym", id="full-width"),
        pytest.param("ひげを剃る。そして女子高生を拾う。", 40938, "japanese", id="japanese"),
        pytest.param("ひげを剃る", 40938, "japanese", id="japanese-prefix"),
        pytest.param("hige wo soru", 40938, "main", id="romaji-prefix"),
        pytest.param("hige o soru soshite joshikosei", 40938, "main", id="romaji-folded"),
    ],
)  # fmt: skip
def test_exact_and_prefix(index: TitleIndex, query: str, expected: int, kind: str) -> None:
    top = index.search(query)[0]
    assert (top.mal_id, top.kind) == (expected, kind)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("shingeki no kyojn", 16498),
        ("atack on titan", 16498),
        ("cowboy bepop", 1),
        ("higehro", 40938),
    ],
)
def test_typos(index: TitleIndex, query: str, expected: int) -> None:
    top = index.search(query)[0]
    assert top.mal_id == expected
    assert any("similar" in r for r in top.reasons)


def test_acronym_from_initials_and_alias_table(index: TitleIndex) -> None:
    # "AOT" is both a synonym here and an alias; "SNK" only comes from the alias table
    assert index.search("AOT")[0].mal_id == 16498
    snk = index.search("snk")[0]
    assert (snk.mal_id, snk.kind) == (16498, "alias")
    assert snk.reasons == ("nickname 'SNK'",)


def test_acronym_without_alias() -> None:
    records = [TitleRecord(7, "Your Lie in April", "english"), TitleRecord(8, "Yellow", "main")]
    top = TitleIndex(records, {7: 100, 8: 10}).search("ylia")[0]
    assert top.mal_id == 7
    assert top.reasons[0].startswith("initials of")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("attack on titan season 2", 25777, id="season-2"),
        pytest.param("aot season 3", 35760, id="alias-season"),
        pytest.param("AOT final season", 40028, id="final"),
        pytest.param("snk s2", 25777, id="s2"),
        pytest.param("進撃の巨人 第2期", 25777, id="japanese-season"),
        pytest.param("overlord 4", 48895, id="trailing-number"),
        pytest.param("overlord season 4", 48895, id="roman-title"),
        pytest.param("overlord", 29803, id="no-season-prefers-first"),
    ],
)
def test_season_preference_from_titles(index: TitleIndex, query: str, expected: int) -> None:
    assert index.search(query)[0].mal_id == expected


def test_season_preference_from_mapping() -> None:
    plain = _index()
    mapped = _index(seasons=KAGUYA_SEASONS)
    # S3's titles carry no number: only the franchise mapping knows it is season 3
    assert plain.search("kaguya sama season 3")[0].mal_id != 43608
    top = mapped.search("kaguya sama season 3")[0]
    assert top.mal_id == 43608
    assert "season 3 as asked" in top.reasons
    assert mapped.search("kaguya sama final season")[0].mal_id == 43608
    assert mapped.search("kaguya sama season 2")[0].mal_id == 40591
    assert mapped.search("kaguya sama")[0].mal_id == 37999


def test_movie_is_not_preferred_unless_asked(index: TitleIndex) -> None:
    assert index.search("cowboy bebop")[0].mal_id == 1
    assert index.search("cowboy bebop movie")[0].mal_id == 5


def test_tv_wins_ties() -> None:
    records = [TitleRecord(101, "Twin Star", "main"), TitleRecord(102, "Twin Star", "main")]
    index = TitleIndex(records, {101: 1_000, 102: 1_000}, types={101: "OVA", 102: "TV"})
    assert [m.mal_id for m in index.search("twin star")] == [102, 101]


def test_popularity_breaks_ties() -> None:
    records = [TitleRecord(101, "Twin Star", "main"), TitleRecord(102, "Twin Star", "main")]
    index = TitleIndex(records, {101: 1_000, 102: 90_000})
    assert [m.mal_id for m in index.search("twin star")] == [102, 101]


def test_search_returns_one_match_per_entry_within_limit(index: TitleIndex) -> None:
    matches = index.search("shingeki no kyojin", limit=3)
    assert len(matches) == 3
    assert len({m.mal_id for m in matches}) == 3
    assert all(0 <= m.score <= 100 for m in matches)
    assert matches[0].title == "Shingeki no Kyojin"
    assert index.search("shingeki", limit=0) == []


def test_match_is_frozen(index: TitleIndex) -> None:
    match = index.search("Higehiro")[0]
    assert isinstance(match, Match)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.score = 0  # type: ignore[misc]


@pytest.mark.parametrize("query", ["", "   ", "!!!", "。"])
def test_empty_query_is_a_clear_error(index: TitleIndex, query: str) -> None:
    with pytest.raises(ResolveError, match="empty title query"):
        index.search(query)
    with pytest.raises(ResolveError, match="empty title query") as info:
        resolve_one(index, query)
    assert info.value.candidates == []


def test_resolve_one_returns_a_confident_match(index: TitleIndex) -> None:
    assert resolve_one(index, "Higehiro").mal_id == 40938
    assert resolve_one(index, "attack on titan season 2").mal_id == 25777


def test_resolve_one_raises_on_no_match(index: TitleIndex) -> None:
    with pytest.raises(ResolveError, match="no title matches 'zzqqxx'") as info:
        resolve_one(index, "zzqqxx")
    assert info.value.candidates == []
    assert isinstance(info.value, LookupError)


def test_resolve_one_raises_on_ambiguity_with_candidates(index: TitleIndex) -> None:
    # two entries share the title "Twin Star" and neither is far more popular
    with pytest.raises(ResolveError, match="'twin star' is ambiguous") as info:
        resolve_one(index, "twin star")
    assert {m.mal_id for m in info.value.candidates[:2]} == {101, 102}


def test_resolve_one_raises_when_not_confident(index: TitleIndex) -> None:
    with pytest.raises(ResolveError, match="no confident match") as info:
        resolve_one(index, "cowbell bop")
    assert info.value.candidates


def test_resolve_one_accepts_a_far_more_popular_entry() -> None:
    records = [TitleRecord(1, "Twin Star", "main"), TitleRecord(2, "Twin Star", "synonym")]
    match = resolve_one(TitleIndex(records, {1: 1_000_000, 2: 500}), "Twin Star")
    assert match.mal_id == 1
    assert "far more popular than 'Twin Star'" in match.reasons


def test_index_sizes(index: TitleIndex) -> None:
    assert len(index) == len(_ENTRIES)
    assert index.n_titles > len(_ENTRIES)
    assert index.members(16498) == 4_300_000
    assert index.members(999) == 0


def test_all_is_sorted_and_complete() -> None:
    assert resolve.__all__ == sorted(resolve.__all__)
    for name in resolve.__all__:  # each resolves (TitleIndex on first use, then kept in the module)
        getattr(resolve, name)
    public = {
        name
        for name, value in vars(resolve).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert set(resolve.__all__) == public


@pytest.mark.parametrize("path", sorted(RESOLVE_DIR.glob("*.py")), ids=lambda p: p.name)
def test_resolve_is_pure(path: Path) -> None:
    banned = ("sequelcast.catalog", "sequelcast.sources", "sqlite3", "httpx", "os", "pathlib")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "open":
            pytest.fail(f"{path.name} calls open()")
    bad = [m for m in imported if m.split(".")[0] in banned or m.startswith(banned)]
    assert bad == []


@pytest.mark.parametrize(
    "name", ["", ".aliases", ".candidates", ".normalize", ".score"], ids=lambda n: n or "package"
)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module("sequelcast.resolve" + name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 or name == ".aliases"
    assert result.failed == 0
