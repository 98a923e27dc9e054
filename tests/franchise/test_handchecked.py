"""Hand-checked franchises: main-line TV seasons in order, from public knowledge (MyAnimeList).

MAL ids were looked up in ``raw/mal_tv_seasons_ate329/<year>/<season>.json`` (and the 2018 MAL
snapshot for pre-2006 shows). A "main-line season" is a MyAnimeList *TV* entry that continues the
story (see ``docs/franchises.md``): ONAs, movies, OVAs and TV specials are not listed, a
split-cour second half is. Remakes are their own franchise. The list is checked against the graph
built from everything in ``../shared/data``; a franchise the graph gets wrong is an ``xfail`` with
the reason, so a fix shows up as an XPASS (``xfail_strict``).
"""

from __future__ import annotations

import pytest

from sequelcast.franchise import FranchiseGraph
from sequelcast.franchise.evaluate import actual_order, evaluate_handchecked

HANDCHECKED: dict[str, list[int]] = {
    "Shingeki no Kyojin": [16498, 25777, 35760, 38524, 40028, 48583],
    "Kaguya-sama wa Kokurasetai": [37999, 40591, 43608],
    "Re:Zero kara Hajimeru Isekai Seikatsu": [31240, 39587, 42203, 54857, 61316],
    "Boku no Hero Academia": [31964, 33486, 36456, 38408, 41587, 49918, 54789, 60098],
    "Hige wo Soru (Higehiro)": [40938],
    "Kimetsu no Yaiba": [38000, 49926, 47778, 51019, 55701],
    "Jujutsu Kaisen": [40748, 51009, 57658, 63824],
    "Spy x Family": [50265, 50602, 53887, 59027],
    "Kingdom": [12031, 17389, 40682, 50160, 53223, 61517],
    "Hunter x Hunter (2011)": [11061],
    "Hunter x Hunter (1999)": [136],
    "Fruits Basket (2019)": [38680, 40417, 42938],
    "Fruits Basket (2001)": [120],
    "Mob Psycho 100": [32182, 37510, 50172],
    "One Punch Man": [30276, 34134, 52807],
    "Haikyuu!!": [20583, 28891, 32935, 38883, 40776],
    "Kono Subarashii Sekai ni Shukufuku wo!": [30831, 32937, 49458],
    "Overlord": [29803, 35073, 37675, 48895],
    "Vinland Saga": [37521, 49387],
    "Tensei shitara Slime Datta Ken": [37430, 39551, 41487, 53580, 59970],
    "Dr. Stone": [38691, 40852, 48549, 55644, 57592, 61322, 62568],
    "Yakusoku no Neverland": [37779, 39617],
    "Made in Abyss": [34599, 41084],
    "[Oshi no Ko]": [52034, 55791, 60058],
    "Mushoku Tensei": [39535, 45576, 51179, 55888, 59193],
    "Yahari Ore no Seishun Love Comedy wa Machigatteiru.": [14813, 23847, 39547],
    "Natsume Yuujinchou": [4081, 5300, 10379, 11665, 32983, 34591, 55823],
    "Gintama": [918, 9969, 15417, 28977, 34096, 35843, 36838, 37491],
    "Golden Kamuy": [36028, 37989, 40059, 50528, 55772],
    "Tokyo Ghoul": [22319, 27899, 36511, 37799],
    "Bungou Stray Dogs": [31478, 32867, 38003, 50330, 54898],
    "Yuru Camp": [34798, 38474, 53410],
    "Dungeon ni Deai wo Motomeru no wa Machigatteiru Darou ka": [
        28121, 37347, 40454, 47164, 53111, 57066,
    ],
    "Tate no Yuusha no Nariagari": [35790, 40356, 40357, 57907],
    "Kaijuu 8-gou": [52588, 59177],
    "Sousou no Frieren": [52991, 59978],
    "Kusuriya no Hitorigoto": [54492, 58514, 61987, 62841],
    "Hataraku Maou-sama!": [15809, 48413, 53200],
    "Urusei Yatsura (2022)": [50710, 54829],
    "Kuroko no Basket": [11771, 16894, 24415],
    "Psycho-Pass": [13601, 23281, 39491],
    "Code Geass": [1575, 2904],
    "Clannad": [2167, 4181],
    "Kimi ni Todoke": [6045, 9656],
    "Hibike! Euphonium": [27989, 31988, 39894],
    "Durarara!!": [6746, 23199, 27831, 27833],
    "Ansatsu Kyoushitsu": [24833, 30654],
    "Mahouka Koukou no Rettousei": [20785, 40497, 50713],
    "Fullmetal Alchemist: Brotherhood": [5114],
    "Shokugeki no Souma": [28171, 32282, 35788, 36949, 39940, 40902],
    "Ao no Exorcist": [9919, 33506, 53889, 58516, 59226],
    "Toaru Majutsu no Index": [4654, 8937, 36432],
    "Toaru Kagaku no Railgun": [6213, 16049, 38481],
    "Sword Art Online": [11757, 21881, 36474, 39597, 40540],
    "K-On!": [5680, 7791],
}

#: Franchises the graph gets wrong today, with the reason (see docs/franchises.md).
KNOWN_MISSES: dict[str, str] = {}

#: Floors for the overall pair score on this list (measured values are in docs/franchises.md).
MIN_PRECISION = 0.95
MIN_RECALL = 0.95

pytestmark = pytest.mark.integration


def test_the_list_is_big_enough() -> None:
    assert len(HANDCHECKED) >= 40
    ids = [i for seasons in HANDCHECKED.values() for i in seasons]
    assert len(ids) == len(set(ids)), "a MAL id is listed twice"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_MISSES[n], strict=True))
        if n in KNOWN_MISSES else n
        for n in HANDCHECKED
    ],
)
def test_season_order(real_graph: FranchiseGraph, name: str) -> None:
    expected = HANDCHECKED[name]
    got = actual_order(real_graph, expected[0])
    titles = {s.mal_id: s.title for s in real_graph.of(expected[0]).seasons}
    assert got == expected, f"{name}: expected {expected}, got {got} ({titles})"
    assert {real_graph.of(i).id for i in expected} == {real_graph.of(expected[0]).id}


def test_overall_precision_and_recall(real_graph: FranchiseGraph) -> None:
    report = evaluate_handchecked(real_graph, HANDCHECKED)
    print(report.describe())
    assert report.score.precision >= MIN_PRECISION, report.describe()
    assert report.score.recall >= MIN_RECALL, report.describe()
