"""Hand-checked franchises: main-line TV seasons in order, from public knowledge (MyAnimeList).

MAL ids were looked up in ``raw/mal_tv_seasons_ate329/<year>/<season>.json`` (and the 2018 MAL
snapshot for pre-2006 shows). A "main-line season" is a MyAnimeList *TV* entry that continues the
story (see ``docs/franchises.md``): ONAs, movies, OVAs and TV specials are not listed, a
split-cour second half is. Remakes are their own franchise. The list is checked against the graph
built from everything in ``../shared/data``; a franchise the graph gets wrong is an ``xfail`` with
the reason, so a fix shows up as an XPASS (``xfail_strict``).
"""

from __future__ import annotations

from datetime import date

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
    "One Punch Man": [30276, 34134, 52807, 63193],  # 63193: Part 2, announced
    "Haikyuu!!": [20583, 28891, 32935, 38883, 40776],
    "Kono Subarashii Sekai ni Shukufuku wo!": [30831, 32937, 49458, 61203],
    "Overlord": [29803, 35073, 37675, 48895],
    "Vinland Saga": [37521, 49387],
    "Tensei shitara Slime Datta Ken": [37430, 39551, 41487, 53580, 59970, 63129],
    "Dr. Stone": [38691, 40852, 48549, 55644, 57592, 61322, 62568],
    "Yakusoku no Neverland": [37779, 39617],
    "Made in Abyss": [34599, 41084],
    "[Oshi no Ko]": [52034, 55791, 60058, 63794],
    "Mushoku Tensei": [39535, 45576, 51179, 55888, 59193],
    "Yahari Ore no Seishun Love Comedy wa Machigatteiru.": [14813, 23847, 39547],
    "Natsume Yuujinchou": [4081, 5300, 10379, 11665, 32983, 34591, 55823],
    "Gintama": [918, 9969, 15417, 28977, 34096, 35843, 36838, 37491],
    "Golden Kamuy": [36028, 37989, 40059, 50528, 55772, 63850],
    "Tokyo Ghoul": [22319, 27899, 36511, 37799],
    "Bungou Stray Dogs": [31478, 32867, 38003, 50330, 54898],
    "Yuru Camp": [34798, 38474, 53410, 60267],
    "Dungeon ni Deai wo Motomeru no wa Machigatteiru Darou ka": [
        28121,
        37347,
        40454,
        47164,
        53111,
        57066,
        63442,
    ],
    "Tate no Yuusha no Nariagari": [35790, 40356, 40357, 57907, 62564],
    "Kaijuu 8-gou": [52588, 59177, 63136],
    "Sousou no Frieren": [52991, 59978, 63816],  # 63816 = AniDB 19977 "Sousou no Frieren (2027)"
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
    "Mahouka Koukou no Rettousei": [20785, 40497, 50713, 64350],
    "Fullmetal Alchemist: Brotherhood": [5114],
    "Shokugeki no Souma": [28171, 32282, 35788, 36949, 39940, 40902],
    "Ao no Exorcist": [9919, 33506, 53889, 58516, 59226],
    "Toaru Majutsu no Index": [4654, 8937, 36432],
    "Toaru Kagaku no Railgun": [6213, 16049, 38481, 61012],
    "Sword Art Online": [11757, 21881, 36474, 39597, 40540],
    "K-On!": [5680, 7791],
    # remakes and reboots: each its own franchise
    "Urusei Yatsura (1981)": [1293],
    "Shaman King (2001)": [154],
    "Shaman King (2021)": [42205, 51673],
    "Trigun (1998)": [6],
    "Trigun Stampede": [52093, 54863],
    "Dororo (2019)": [37520],
    "Dororo to Hyakkimaru (1969)": [5760],
    "Berserk (2016)": [32379, 34055],
    "Gegege no Kitarou (2018)": [37140],
    "Gegege no Kitarou (2007)": [2165],
    # long runners
    "One Piece": [21],
    "Meitantei Conan": [235],
    "Naruto": [20, 1735, 34566, 54687],  # MAL: Boruto is the Sequel of Shippuuden
    "Bleach": [269, 41467, 53998, 56784, 60636],
    "Hajime no Ippo": [263, 5258, 19647],
    # split cours and renamed seasons
    "Uma Musume: Pretty Derby": [35249, 42941, 53526],
    "Uma Musume: Cinderella Gray": [59636, 61930],
    "Mushishi": [457, 21939, 24701],
    "Chihayafuru": [10800, 14397, 37379],
    "Non Non Biyori": [17549, 23623, 39808],
    "Yofukashi no Uta": [50346, 58390],
    # no sequel
    "Violet Evergarden": [33352],
    "Sora yori mo Tooi Basho": [35839],
    "Angel Beats!": [6547],
    "Hyouka": [12189],
    "Toradora!": [4224],
    "Little Witch Academia (TV)": [33489],
    "Cowboy Bebop": [1],
    # announced, not aired (the status is checked in STATUS below; several lists above end with
    # an announced season found in the 2026 ranking too)
    "Bocchi the Rock!": [47917, 61006],
    "Chainsaw Man": [44511, 63143],
}

#: (MAL id of a season, as-of date or None for all the data) -> expected next-season status and
#: the MAL id (or ``"anidb:<id>"``) of the next season. Announced-but-unaired sequels, shows with
#: none, and old undated entries that must not read as "announced" as of 2018-05-07.
STATUS: dict[tuple[int, date | None], tuple[str, int | str | None]] = {
    (47917, None): (
        "announced",
        61006,
    ),  # Bocchi the Rock! 2nd Season: in the 2026 ranking, no score
    (30276, None): ("announced", 63193),  # One Punch Man 3 Part 2
    (44511, None): ("announced", 63143),  # Chainsaw Man: Shikaku-hen (MAL has no type yet)
    (52034, None): ("announced", 63794),  # [Oshi no Ko] 4th Season
    (52991, None): (
        "announced",
        63816,
    ),  # Ougonkyou-hen, one row with AniDB's "Sousou no Frieren (2027)"
    (1, None): ("none", None),  # Cowboy Bebop
    (33352, None): ("none", None),  # Violet Evergarden
    (29803, None): ("none", None),  # Overlord: the Sei Oukoku-hen "Manner Movie" is a movie
    (10490, date(2018, 5, 7)): ("none", None),  # Blood-C: Blood+ (2005) is older, not its sequel
    (34550, date(2018, 5, 7)): ("none", None),  # Warau Salesman New: the 1989 original is older
    (32887, date(2018, 5, 7)): ("none", None),  # Sword Oratoria: DanMachi II is not its sequel
    (37140, date(2018, 5, 7)): ("none", None),  # Gegege no Kitarou (2018): older series are remakes
}

#: Franchises the graph gets wrong today, with the reason (see docs/franchises.md).
KNOWN_MISSES: dict[str, str] = {
    "Berserk (2016)": "MAL's typed Sequel path runs from Kenpuu Denki Berserk (1997) through the Golden "
    "Age movies to Berserk (2016), and on to the 2022 'Memorial Edition' re-edit",
}

#: Floors for the overall pair score on this list (measured values are in docs/franchises.md).
MIN_PRECISION = 0.95
MIN_RECALL = 0.95

pytestmark = pytest.mark.integration


def test_the_list_is_big_enough() -> None:
    assert len(HANDCHECKED) >= 80
    ids = [i for seasons in HANDCHECKED.values() for i in seasons]
    assert len(ids) == len(set(ids)), "a MAL id is listed twice"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_MISSES[n], strict=True))
        if n in KNOWN_MISSES
        else n
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


@pytest.fixture(scope="module")
def graphs(
    real_graph: FranchiseGraph, graph_2018: FranchiseGraph
) -> dict[date | None, FranchiseGraph]:
    return {None: real_graph, date(2018, 5, 7): graph_2018}


@pytest.mark.parametrize("key", list(STATUS), ids=[f"{m}@{d}" for m, d in STATUS])
def test_next_season_status(
    graphs: dict[date | None, FranchiseGraph], key: tuple[int, date | None]
) -> None:
    mal_id, when = key
    status, nxt = STATUS[key]
    got = graphs[when].of(mal_id).next_season
    assert got.status == status, got
    if isinstance(nxt, str):
        assert f"anidb:{got.anidb_id}" == nxt
    else:
        assert got.mal_id == nxt
    if status == "announced":
        assert got.first_seen is not None, "an announced season carries its first-seen date"


def test_a_remake_is_its_own_line(real_graph: FranchiseGraph) -> None:
    # Devilman Crybaby (2018, ONA) is an alternative version of Devilman (1972): its own franchise
    assert real_graph.of(35120).id != real_graph.of(2252).id


@pytest.mark.parametrize("first", [52034, 52991])  # [Oshi no Ko], Sousou no Frieren
def test_no_season_is_listed_twice(real_graph: FranchiseGraph, first: int) -> None:
    seasons = real_graph.of(first).seasons
    assert all(s.mal_id is not None for s in seasons), "an AniDB-only row next to its MAL row"
    mal = [s.mal_id for s in seasons if s.mal_id is not None]
    anidb = [s.anidb_id for s in seasons if s.anidb_id is not None]
    assert len(mal) == len(set(mal))
    assert len(anidb) == len(set(anidb))


def test_every_aired_season_has_an_end(real_graph: FranchiseGraph) -> None:
    (bebop,) = real_graph.of(1).seasons
    assert bebop.end is not None
    assert bebop.end_estimated
    missing = [
        s
        for f in real_graph
        for s in f.seasons
        if s.start is not None and s.end is None and s.episodes
    ]
    assert not missing, missing[:5]


def test_undated_older_entries_are_never_announced_as_of_2018(graph_2018: FranchiseGraph) -> None:
    for f in graph_2018:
        ns = f.next_season
        latest = f.latest_season()
        if (
            ns.status == "announced"
            and ns.mal_id is not None
            and latest is not None
            and latest.mal_id
        ):
            assert ns.mal_id > latest.mal_id or ns.expected is not None, (f.title, ns.title)
