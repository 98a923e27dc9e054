"""Issue 8 rules on hand-made snapshots: typed backbone, announced entries, dating, one row per work."""

from __future__ import annotations

from datetime import date

from tests.franchise._snap import anidb, member, snapshot, tv, tvdb

from sequelcast.domain import Anime, CrosswalkEntry, EntryFirstSeen, Relation
from sequelcast.franchise import build_franchises, season_state

D = date
TYPED_DAY = D(2023, 4, 17)


def typed(a: int, kind: str, b: int) -> Relation:
    return Relation(a, b, kind, f"MAL {a} has {kind} {b}", TYPED_DAY, "mal_relations_2023")


def test_a_typed_sequel_path_crosses_a_movie() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Abyss", D(2017, 7, 1)),
            tv(2, "Abyss Movie: Dawn", D(2020, 1, 1), kind="Movie"),
            tv(3, "Abyss: Golden City", D(2022, 7, 1)),
        ],
        relations=[typed(1, "Sequel", 2), typed(2, "Sequel", 3)],
    )
    f = build_franchises(snap).of(3)
    assert [s.mal_id for s in f.seasons] == [1, 3]
    assert [o.mal_id for o in f.others] == [2]
    link = next(lk for lk in f.links if lk.kind == "sequel")
    assert link.evidence[0].source == "mal_relations_2023"
    assert "through 'Abyss Movie: Dawn'" in link.evidence[0].detail


def test_a_prequel_edge_reads_the_other_way() -> None:
    snap = snapshot(
        None,
        [tv(1, "Kaiju", D(2020, 1, 1)), tv(2, "Kaiju Returns", D(2022, 1, 1))],
        relations=[typed(2, "Prequel", 1)],
    )
    assert [s.mal_id for s in build_franchises(snap).of(1).seasons] == [1, 2]


def test_an_alternative_version_starts_its_own_line() -> None:
    # the collection says they belong together; the typed data says remake: its own franchise
    snap = snapshot(
        None,
        [
            tv(1, "Devil", D(1972, 7, 1)),
            tv(2, "Devil: Crybaby", D(2018, 1, 5), kind="ONA"),
        ],
        relations=[typed(1, "Alternative version", 2)],
        collection_members=[member("Devil", 1), member("Devil", 2)],
    )
    graph = build_franchises(snap)
    assert graph.of(2).id != graph.of(1).id


def test_older_evidence_checked_against_a_typed_spin_off() -> None:
    # the title pattern says "Show: Side" continues "Show"; MAL types it a spin-off
    entries = [tv(1, "Show", D(2015, 1, 1)), tv(2, "Show: Side", D(2017, 1, 1))]
    untyped = build_franchises(snapshot(None, entries))
    assert [s.mal_id for s in untyped.of(1).seasons] == [1, 2]
    checked = build_franchises(snapshot(None, entries, relations=[typed(1, "Spin-off", 2)]))
    assert [s.mal_id for s in checked.of(1).seasons] == [1]
    assert any(lk.kind == "related" and lk.to_mal_id == 2 for lk in checked.links)


def test_an_untyped_announced_entry_with_a_marker_is_the_next_season() -> None:
    announced = Anime(2, "Rock 2nd Season")  # in a ranking: no type, no dates
    snap = snapshot(
        None,
        [tv(1, "Rock", D(2022, 10, 9), D(2022, 12, 25)), announced],
        entry_first_seen={
            2: EntryFirstSeen(2, D(2025, 2, 15), False, False, "anilist_mal_pair_first_seen")
        },
    )
    ns = build_franchises(snap).of(1).next_season
    assert (ns.status, ns.mal_id, ns.first_seen) == ("announced", 2, D(2025, 2, 15))


def test_the_crosswalk_type_decides_an_untyped_entry() -> None:
    snap = snapshot(
        None,
        [tv(1, "Rock", D(2022, 10, 9)), Anime(2, "Rock: Sisters' Diary")],
        crosswalk=[
            CrosswalkEntry(
                20,
                2,
                None,
                "Rock: Sisters' Diary",
                None,
                None,
                "ONA",
                D(2026, 8, 22),
                "anilist_mal_lists_2026",
            )
        ],
    )
    assert build_franchises(snap).of(1).next_season.status == "none"


def test_an_untyped_movie_title_is_never_the_next_season() -> None:
    snap = snapshot(
        None, [tv(1, "Lord", D(2015, 7, 7)), Anime(2, "Lord: Holy Kingdom-hen - Manner Movie")]
    )
    assert build_franchises(snap).of(1).next_season.status == "none"


def test_an_undated_older_entry_is_never_announced() -> None:
    # MAL 5 (lower id, no date) is linked by title after a 2011 show: an old entry, not a sequel
    snap = snapshot(
        D(2018, 5, 7),
        [
            tv(50, "Blood-X", D(2011, 7, 8)),
            Anime(5, "Blood-X 2", type="TV", first_seen=D(2016, 12, 21)),
        ],
    )
    f = build_franchises(snap).of(50)
    assert f.next_season.status == "none"
    assert 5 in {o.mal_id for o in f.others}


def test_an_aired_season_without_end_gets_an_estimated_one() -> None:
    bebop = Anime(1, "Bebop", type="TV", year=1998, season="spring", episodes=26)
    (s,) = build_franchises(snapshot(None, [bebop])).of(1).seasons
    assert (s.start, s.end, s.end_estimated) == (D(1998, 4, 1), D(1998, 9, 23), True)
    assert season_state(s, D(2020, 1, 1)) == "finished"
    assert season_state(s, D(1998, 5, 1)) == "airing"
    assert season_state(s, D(1998, 1, 1)) == "upcoming"


def test_anidb_year_row_and_undated_mal_entry_are_one_row() -> None:
    # AniDB names the third season "Frieren (2027)" (no TVDB yet); MAL lists "Frieren: Golden Land"
    snap = snapshot(
        None,
        [
            tv(1, "Frieren", D(2023, 9, 29)),
            tv(2, "Frieren 2nd Season", D(2026, 1, 16)),
            Anime(3, "Frieren: Golden Land-hen"),
        ],
        id_links=[anidb(1, 100), anidb(2, 200)],
        tvdb_mappings=[
            tvdb(100, "Frieren", "1", "1"),
            tvdb(200, "Frieren (2026)", "1", "2"),
            tvdb(300, "Frieren (2027)", "", ""),
        ],
    )
    seasons = build_franchises(snap).of(1).seasons
    assert [(s.mal_id, s.anidb_id) for s in seasons] == [(1, 100), (2, 200), (3, 300)]
