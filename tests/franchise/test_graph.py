"""Linking and ordering on tiny hand-made snapshots."""

from __future__ import annotations

from datetime import date

import pytest

import sequelcast.franchise as franchise_pkg
from sequelcast.errors import DataError, NotFoundError
from sequelcast.franchise import build_franchises
from sequelcast.franchise._titles import loosely_agree, parse_title

from ._snap import anidb, member, sequel, snapshot, tv, tvdb

D = date


def test_all_is_sorted_and_complete() -> None:
    public = {n for n in dir(franchise_pkg) if not n.startswith("_")} - {"annotations"}
    modules = {"evaluate"}
    assert franchise_pkg.__all__ == sorted(franchise_pkg.__all__)
    assert set(franchise_pkg.__all__) == public - modules


@pytest.mark.parametrize(
    ("title", "base", "season", "part", "final"),
    [
        ("Shingeki no Kyojin Season 3 Part 2", "shingeki no kyojin", 3, 2, False),
        ("Shingeki no Kyojin: The Final Season", "shingeki no kyojin", None, None, True),
        ("Mob Psycho 100 II", "mob psycho 100", 2, None, False),
        ("Boku no Hero Academia 2nd Season", "boku no hero academia", 2, None, False),
        (
            "Kono Subarashii Sekai ni Shukufuku wo! 3",
            "kono subarashii sekai ni shukufuku wo",
            3,
            None,
            False,
        ),
        ("Spy x Family Part 2", "spy x family", None, 2, False),
        ("Steins;Gate 0", "steins gate 0", None, None, False),
        ("Yuru Camp△ Season 2", "yuru camp", 2, None, False),
    ],
    ids=[
        "season-part",
        "final",
        "roman",
        "ordinal",
        "digit",
        "part",
        "zero-is-no-marker",
        "symbol",
    ],
)
def test_title_markers(
    title: str, base: str, season: int | None, part: int | None, final: bool
) -> None:
    key = parse_title(title)
    assert (key.base, key.season, key.part, key.final) == (base, season, part, final)


def test_loose_agreement_rejects_steins_gate_in_chaos_head_cluster() -> None:
    assert not loosely_agree(parse_title("Steins;Gate"), parse_title("ChäoS;HEAd"))


def test_title_pattern_chain_orders_by_start() -> None:
    snap = snapshot(
        None,
        [
            tv(3, "Kaiju 3rd Season", D(2024, 1, 1)),
            tv(1, "Kaiju", D(2020, 1, 1), D(2020, 3, 1)),
            tv(2, "Kaiju 2nd Season", D(2022, 1, 1), D(2022, 3, 1)),
        ],
    )
    graph = build_franchises(snap)
    assert [s.mal_id for s in graph.of(3).seasons] == [1, 2, 3]
    assert [s.number for s in graph.of(1).seasons] == [1, 2, 3]
    assert graph.of(2).id == "mal:1"
    assert graph.season_numbers() == {1: ("mal:1", 1), 2: ("mal:1", 2), 3: ("mal:1", 3)}


def test_renamed_sequel_is_linked_by_tvdb_season() -> None:
    snap = snapshot(
        None,
        [
            tv(10, "Kaguya-sama: Love", D(2019, 1, 1)),
            tv(11, "Kaguya-sama? Love", D(2020, 4, 1)),
            tv(12, "Kaguya-sama: Ultra", D(2022, 4, 1)),
        ],
        id_links=[anidb(10, 100), anidb(11, 101), anidb(12, 102)],
        tvdb_mappings=[
            tvdb(100, "K", "555", "1"),
            tvdb(101, "K2", "555", "2"),
            tvdb(102, "K3", "555", "3"),
        ],
    )
    graph = build_franchises(snap)
    assert [s.mal_id for s in graph.of(12).seasons] == [10, 11, 12]
    links = [lk for lk in graph.links if lk.kind == "sequel" and lk.accepted]
    assert {(lk.from_mal_id, lk.to_mal_id) for lk in links} == {(10, 11), (11, 12)}
    assert all(e.source == "anidb_tvdb" for lk in links for e in lk.evidence)


def test_tvdb_season_number_beats_start_date_order() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Alpha", D(2020, 1, 1)),
            tv(2, "Beta", D(2019, 1, 1)),
        ],
        id_links=[anidb(1, 10), anidb(2, 20)],
        tvdb_mappings=[tvdb(10, "Alpha", "7", "1"), tvdb(20, "Beta", "7", "2")],
    )
    assert [s.mal_id for s in build_franchises(snap).of(1).seasons] == [1, 2]


def test_erengy_rule_wins_over_tvdb_and_the_loser_is_kept_with_a_note() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Show", D(2015, 1, 1)),
            tv(2, "Show: Arc", D(2016, 1, 1)),
            tv(3, "Other", D(2017, 1, 1)),
        ],
        id_links=[anidb(1, 10), anidb(3, 30)],
        tvdb_mappings=[tvdb(10, "Show", "9", "1"), tvdb(30, "Other", "9", "2")],
        relations=[sequel(1, 2)],
    )
    graph = build_franchises(snap)
    assert [s.mal_id for s in graph.of(1).seasons] == [1, 2, 3]  # 3 spliced after 2
    rule = next(lk for lk in graph.links if (lk.from_mal_id, lk.to_mal_id) == (1, 2))
    assert rule.accepted
    assert rule.rank == 1
    tvdb_link = next(lk for lk in graph.links if (lk.from_mal_id, lk.to_mal_id) == (1, 3))
    assert not tvdb_link.accepted
    assert "already continues" in tvdb_link.note


def test_absolute_numbering_rule_is_not_a_direct_sequel() -> None:
    long_runner = tv(1, "Long", D(2006, 1, 1))
    long_runner = type(long_runner)(**{**long_runner.__dict__, "episodes": 201})
    snap = snapshot(
        None,
        [long_runner, tv(2, "Arc", D(2017, 1, 1))],
        relations=[sequel(1, 2, "Long: 1:329-341 -> 2:1-13")],
    )
    graph = build_franchises(snap)
    assert graph.of(1).id != graph.of(2).id
    assert any(lk.kind == "related" for lk in graph.links)


def test_collection_needs_title_or_tvdb_agreement() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Steins;Gate", D(2011, 4, 1)),
            tv(2, "ChäoS;HEAd", D(2008, 10, 1)),
            tv(3, "Steins;Gate 0", D(2018, 4, 1)),
        ],
        collection_members=[member("ChäoS;HEAd", i) for i in (1, 2, 3)],
    )
    graph = build_franchises(snap)
    assert [s.mal_id for s in graph.of(1).seasons] == [1, 3]
    assert graph.of(2).id == "mal:2"


@pytest.mark.parametrize(
    ("old", "new"),
    [("Fruits Basket", "Fruits Basket (2019)"), ("Hunter x Hunter", "Hunter x Hunter (2011)")],
    ids=["fruits-basket", "hunter-x-hunter"],
)
def test_remakes_are_separate_franchises(old: str, new: str) -> None:
    snap = snapshot(
        None,
        [
            tv(1, old, D(2001, 1, 1)),
            tv(2, new, D(2019, 1, 1)),
            tv(3, f"{old} 2nd Season", D(2020, 4, 1)),
        ],
        collection_members=[member(old, i) for i in (1, 2, 3)],
    )
    graph = build_franchises(snap)
    assert graph.of(1).id != graph.of(2).id
    assert [s.mal_id for s in graph.of(2).seasons] == [2, 3]


def test_spin_off_gaiden_is_not_a_season() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Danmachi", D(2015, 4, 1), D(2015, 6, 1)),
            tv(2, "Danmachi Gaiden: Sword Oratoria", D(2017, 4, 1)),
            tv(3, "Danmachi II", D(2019, 7, 1)),
        ],
        collection_members=[member("Danmachi", i) for i in (1, 2, 3)],
    )
    assert [s.mal_id for s in build_franchises(snap).of(1).seasons] == [1, 3]


def test_movie_ova_and_tvdb_special_go_to_others() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Show", D(2019, 1, 1)),
            tv(2, "Show Movie: Train", D(2020, 10, 1), kind="Movie"),
            tv(3, "Show OVA", D(2019, 6, 1), kind="OVA"),
            tv(4, "Show Recap TV", D(2019, 7, 1)),
        ],
        id_links=[anidb(1, 10), anidb(4, 40)],
        tvdb_mappings=[tvdb(10, "Show", "3", "1"), tvdb(40, "Show Recap", "3", "0")],
    )
    f = build_franchises(snap).of(2)
    assert [s.mal_id for s in f.seasons] == [1]
    assert sorted(o.mal_id for o in f.others if o.mal_id) == [2, 3, 4]
    assert f.next_season.status == "none"


def test_unknown_id_raises_not_found_naming_it() -> None:
    graph = build_franchises(snapshot(date(2018, 5, 7), [tv(1, "Show", D(2010, 1, 1))]))
    with pytest.raises(
        NotFoundError, match=r"MAL id 99 is not in the snapshot \(as of 2018-05-07\)"
    ):
        graph.of(99)
    assert 1 in graph
    assert 99 not in graph


def test_unknown_evidence_kind_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"unknown evidence kind\(s\) \['rumours'\]"):
        build_franchises(snapshot(None, []), evidence=("tvdb", "rumours"))


def test_leaving_out_evidence_unlinks() -> None:
    snap = snapshot(
        None, [tv(1, "A", D(2019, 1, 1)), tv(2, "B", D(2020, 1, 1))], relations=[sequel(1, 2)]
    )
    assert build_franchises(snap).of(1).id == build_franchises(snap).of(2).id
    without = build_franchises(snap, evidence=("tvdb", "title", "collection"))
    assert without.of(1).id != without.of(2).id
