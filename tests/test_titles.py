"""The one title grammar: the resolver and the franchise code read the same markers."""

from __future__ import annotations

import pytest

from sequelcast.franchise._titles import parse_title as franchise_title
from sequelcast.resolve.normalize import parse_title as resolve_title
from sequelcast.titles import trailing_markers

#: title -> (season, part, final) as both readers must see them
CASES = {
    "Bocchi the Rock! 2nd Season": (2, None, False),
    "Re:Zero kara Hajimeru Isekai Seikatsu Season2": (2, None, False),
    "Yuru Camp Season 3": (3, None, False),
    "Kaguya-sama wa Kokurasetai: Second Season": (2, None, False),
    "Overlord II": (2, None, False),
    "Mob Psycho 100 III": (3, None, False),
    "Date A Live V": (5, None, False),
    "One Punch Man Season 3 Part 2": (3, 2, False),
    "Jujutsu Kaisen 2nd Cour": (None, 2, False),
    "Re:Zero kara Hajimeru Isekai Seikatsu 2nd Season Part 2": (2, 2, False),
    "Shingeki no Kyojin: The Final Season": (None, None, True),
    "Shingeki no Kyojin: The Final Season Part 2": (None, 2, True),
    "Shingeki no Kyojin: The Final Season - Kanketsu-hen": (None, None, True),
    "Final Fantasy": (None, None, False),
    "Initial D Final Stage": (None, None, False),
    "Chou Denji Machine Voltes": (None, None, False),
    "Kimetsu no Yaiba: Yuukaku-hen": (None, None, False),
    "Kaguya & Friends": (None, None, False),
}


def _resolver(title: str) -> tuple[int | None, int | None, bool]:
    p = resolve_title(title)
    return (p.season if isinstance(p.season, int) else None, p.part, p.season == "final")


def _franchise(title: str) -> tuple[int | None, int | None, bool]:
    k = franchise_title(title)
    return (k.season, k.part, k.final)


@pytest.mark.parametrize(("title", "expected"), CASES.items())
def test_both_readers_see_the_same_markers(
    title: str, expected: tuple[int | None, int | None, bool]
) -> None:
    assert _franchise(title) == expected
    assert _resolver(title) == expected


def test_and_and_ampersand_read_the_same_in_both() -> None:
    assert franchise_title("Kaguya & Friends").base == franchise_title("Kaguya and Friends").base
    assert resolve_title("Kaguya & Friends").norm == resolve_title("Kaguya and Friends").norm


def test_a_bare_trailing_digit_is_a_season_only_for_franchises() -> None:
    # the franchise reader takes "Gintama 2" as season 2; the resolver leaves a bare number to the
    # title index, which tries that reading only when the words before it name a known title
    assert franchise_title("One Punch Man 3 Part 2").season == 3
    assert resolve_title("One Punch Man 3 Part 2").season is None
    assert trailing_markers(["gintama", "2"], bare_digit=True).season == 2
    assert trailing_markers(["gintama", "2"]).season is None


def test_a_lone_roman_five_is_a_word_not_a_season() -> None:
    assert trailing_markers(["v"]).season is None
    assert trailing_markers(["voltes", "v", "victory"]).season is None
