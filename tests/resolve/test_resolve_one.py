"""resolve_one's classes of errors, on a small synthetic catalog with franchises.

Each test is one class of error of issue 12 ("A clean first run", Resolution): nonsense is
refused, entries of one franchise are not ambiguous, a near miss clearly ahead is accepted, a
season beyond the franchise's last is refused with the number of seasons, and a season query
never lands in another franchise because that franchise's title carries the asked number.
"""

from __future__ import annotations

import pytest

from sequelcast.domain import TitleRecord
from sequelcast.errors import ResolveError
from sequelcast.resolve import TitleIndex, resolve_one
from sequelcast.resolve.score import ordinal

#: (mal_id, main title, synonyms, members, type, franchise, season number or None for "other")
_ENTRIES = [
    (849, "Suzumiya Haruhi no Yuuutsu", [], 990_000, "TV", "haruhi", 1),
    (4382, "Suzumiya Haruhi no Yuuutsu (2009)", [], 570_000, "TV", "haruhi", 1),
    (7311, "Suzumiya Haruhi no Shoushitsu", [], 650_000, "Movie", "haruhi", None),
    (5118, "Suzumiya Haruhi-chan no Yuuutsu", [], 100_000, "ONA", "haruhi-chan", None),
    (52991, "Sousou no Frieren", ["Frieren: Beyond Journey's End"], 1_480_000, "TV", "frieren", 1),
    (59978, "Sousou no Frieren 2nd Season", [], 580_000, "TV", "frieren", 2),
    (63816, "Sousou no Frieren: Ougonkyou-hen", [], 99_000, "Special", "frieren", None),
    (52859, "Friend.", [], 236, "TV", None, None),
    (50273, "Tomodachi Game", ["Friends Game"], 500_000, "TV", None, None),
    (29803, "Overlord", [], 1_770_000, "TV", "overlord", 1),
    (35073, "Overlord II", [], 1_000_000, "TV", "overlord", 2),
    (37675, "Overlord III", [], 900_000, "TV", "overlord", 3),
    (48895, "Overlord IV", [], 600_000, "TV", "overlord", 4),
    (31138, "Overlord: Ple Ple Pleiades", [], 86_000, "Special", "overlord", None),
    (33372, "Overlord: Ple Ple Pleiades - Nazarick Saidai no Kiki", [], 68_000, "Special", "overlord", None),
    (40938, "Hige wo Soru. Soshite Joshikousei wo Hirou.", ["Higehiro"], 680_000, "TV", "higehiro", 1),
    (14645, "Hiiro no Kakera 2nd Season", [], 57_000, "TV", "hiiro", 2),
    (12461, "Hiiro no Kakera", [], 119_000, "TV", "hiiro", 1),
    (52559, "Dizzy Dizzy", [], 186, "TV", None, None),
    (37065, "123", [], 689, "Movie", None, None),
    (101, "Twin Star", [], 1_000, "TV", None, None),
    (102, "Twin Star", [], 1_200, "OVA", None, None),
]  # fmt: skip


def _index(*, franchises: bool = True, season_counts: dict[str, int] | None = None) -> TitleIndex:
    records = [TitleRecord(e[0], e[1], "main") for e in _ENTRIES]
    records += [TitleRecord(e[0], s, "synonym") for e in _ENTRIES for s in e[2]]
    seasons = {e[0]: (e[5], e[6]) for e in _ENTRIES if e[5] and e[6]}
    members = {e[0]: e[5] for e in _ENTRIES if e[5]} if franchises else None
    return TitleIndex(
        records,
        {e[0]: e[3] for e in _ENTRIES},
        types={e[0]: e[4] for e in _ENTRIES},
        seasons=seasons,  # type: ignore[arg-type]
        franchises=members,  # type: ignore[arg-type]
        season_counts=season_counts,
    )


@pytest.fixture(scope="module")
def index() -> TitleIndex:
    return _index()


@pytest.mark.parametrize("query", ["Zzyzx", "xyz123", "qwertyuiop", "zzz zzz"])
def test_nonsense_is_refused(index: TitleIndex, query: str) -> None:
    with pytest.raises(ResolveError, match=r"no (confident match|title matches)") as info:
        resolve_one(index, query)
    assert all(m.score < 80 for m in info.value.candidates)


def test_entries_of_one_franchise_are_not_ambiguous(index: TitleIndex) -> None:
    match = resolve_one(index, "Haruhi")
    assert match.mal_id == 849  # the franchise's most popular first season
    # Haruhi-chan is another franchise; it loses on the combined members of the Haruhi entries
    assert "far more popular than 'Suzumiya Haruhi-chan no Yuuutsu'" in match.reasons


def test_without_franchises_the_same_entries_are_ambiguous() -> None:
    """The franchise mapping is what makes 'Haruhi' resolve: without it, it stays ambiguous."""
    with pytest.raises(ResolveError, match="'Haruhi' is ambiguous"):
        resolve_one(_index(franchises=False), "Haruhi")


def test_two_franchises_tied_stay_ambiguous(index: TitleIndex) -> None:
    with pytest.raises(ResolveError, match="'twin star' is ambiguous"):
        resolve_one(index, "twin star")


@pytest.mark.parametrize("query", ["Frieran", "frieern", "Freiren"])
def test_near_miss_clearly_ahead_is_accepted(index: TitleIndex, query: str) -> None:
    match = resolve_one(index, query)
    assert match.mal_id == 52991
    assert "one letter off ('frieren')" in match.reasons[0]


def test_word_typo_needs_a_distinctive_word() -> None:
    """A typo of a word found in many titles says nothing about which one is meant."""
    words = "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi"
    words += " Rho Sigma Tau Upsilon Phi Chi Psi Omega One Two Three Four Five Six Seven"
    records = [TitleRecord(i, f"Mahou Shoujo {w}", "main") for i, w in enumerate(words.split())]
    hits = TitleIndex(records).search("shoujp")
    assert not any("one letter off" in m.reasons[0] for m in hits)


@pytest.mark.parametrize("query", ["Overlord season 5", "overlord 5", "Overlord 5th Season"])
def test_season_beyond_the_last_says_how_many(index: TitleIndex, query: str) -> None:
    with pytest.raises(
        ResolveError, match=r"^'Overlord' has 4 seasons; no 5th season is announced$"
    ):
        resolve_one(index, query)


def test_season_within_the_franchise_resolves(index: TitleIndex) -> None:
    assert resolve_one(index, "Overlord season 4").mal_id == 48895
    assert resolve_one(index, "frieren season 2").mal_id == 59978


def test_announced_season_without_an_entry_is_named(index: TitleIndex) -> None:
    counts = {"frieren": 3}  # a third season announced, with no MAL entry yet
    with pytest.raises(ResolveError, match="3rd season of 'Sousou no Frieren' is announced"):
        resolve_one(_index(season_counts=counts), "Sousou no Frieren season 3")


def test_season_query_never_lands_in_another_franchise(index: TitleIndex) -> None:
    matches = index.search("Higehiro season 2")
    other = next(m for m in matches if m.mal_id == 14645)
    assert "season 2 of another franchise" in other.reasons
    with pytest.raises(ResolveError, match="has 1 season; no 2nd season is announced") as info:
        resolve_one(index, "Higehiro season 2")
    assert info.value.candidates[0].mal_id == 40938


def test_season_bonus_stays_within_the_named_franchise(index: TitleIndex) -> None:
    assert resolve_one(index, "Hiiro no Kakera season 2").mal_id == 14645


def test_ordinal() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "102nd", "111th",
    ]  # fmt: skip


def test_a_title_typed_out_is_not_refused_for_its_season_words() -> None:
    """ "Kaiju No. 8 Season 2" reads as season 8 (the "8 season" of its title); typed out, it is
    that entry, whatever the franchise's season count."""
    records = [
        TitleRecord(1, "Kaijuu 8-gou", "main"),
        TitleRecord(2, "Kaijuu 8-gou 2nd Season", "main"),
        TitleRecord(2, "Kaiju No. 8 Season 2", "synonym"),
    ]
    index = TitleIndex(
        records, {1: 900_000, 2: 400_000}, seasons={1: ("kaiju", 1), 2: ("kaiju", 2)}
    )
    assert resolve_one(index, "kaiju no 8 season 2").mal_id == 2
