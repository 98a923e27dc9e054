"""Which undated entries are the announced next season (docs/franchises.md, "Announced: precedence").

One test per rule, on hand-made snapshots: older entries, entries that aired without dates, stale
announcements, split-cour parts announced with part 1, untyped clusters, numbered undated sequels,
and continuations that are not TV seasons.
"""

from __future__ import annotations

from datetime import date

from tests.franchise._snap import anidb, listed, member, snapshot, tv, tvdb

from sequelcast.domain import Anime, Relation
from sequelcast.franchise import Franchise, build_franchises, season_state

D = date


def _kaiju(as_of: date, second: Anime, **parts: list) -> Franchise:
    return build_franchises(
        snapshot(as_of, [tv(1, "Kaiju", D(2015, 1, 5), D(2015, 3, 29)), second], **parts)
    ).of(1)


def test_a_fresh_undated_sequel_is_announced() -> None:
    f = _kaiju(D(2016, 6, 1), tv(2, "Kaiju 2nd Season", None, first_seen=D(2016, 1, 10)))
    assert (f.next_season.status, f.next_season.mal_id) == ("announced", 2)


def test_an_undated_entry_mal_scored_has_aired_and_is_not_announced() -> None:
    f = _kaiju(D(2019, 6, 1), tv(2, "Kaiju 2nd Season", None, first_seen=D(2016, 1, 10), score=6.5))
    assert [s.mal_id for s in f.seasons] == [1, 2]
    assert f.seasons[1].aired_undated
    assert f.next_season.status == "none"
    assert f.next_after(1).status == "aired"
    assert "date unknown" in f.next_after(1).evidence[-1].detail
    assert f.latest_season() is f.seasons[1]
    assert season_state(f.seasons[1], f.reference_date) == "finished"


def test_an_undated_entry_with_an_episode_count_has_aired() -> None:
    f = _kaiju(
        D(2019, 6, 1), tv(2, "Kaiju 2nd Season", None, first_seen=D(2016, 1, 10), episodes=13)
    )
    assert f.next_season.status == "none"
    assert f.seasons[1].aired_undated


def test_a_mal_announcement_pending_for_more_than_four_years_is_stale() -> None:
    second = tv(2, "Kaiju 2nd Season", None, first_seen=D(2016, 1, 10))
    assert _kaiju(D(2019, 12, 1), second).next_season.status == "announced"  # 3.9 years: pending
    stale = _kaiju(D(2020, 2, 1), second)  # 4.1 years, no date, no score: stale
    assert stale.next_season.status == "none"
    assert [s.mal_id for s in stale.seasons] == [1]
    assert 2 in {o.mal_id for o in stale.others}


def test_an_anidb_only_entry_mal_never_listed_is_stale_after_two_years() -> None:
    parts = {
        "id_links": [anidb(1, 10)],
        "tvdb_mappings": [tvdb(10, "Kaiju", "4242", "1"), tvdb(11, "AniDB 11", "4242", "2")],
        "first_seen": [listed(10, D(2014, 6, 1)), listed(11, D(2016, 1, 10))],
    }
    fresh = build_franchises(snapshot(D(2017, 12, 1), [tv(1, "Kaiju", D(2015, 1, 5))], **parts)).of(
        1
    )
    assert (fresh.next_season.status, fresh.next_season.anidb_id) == ("announced", 11)
    stale = build_franchises(snapshot(D(2018, 2, 1), [tv(1, "Kaiju", D(2015, 1, 5))], **parts)).of(
        1
    )
    assert stale.next_season.status == "none"


def test_a_part_two_seen_before_part_one_started_is_still_announced() -> None:
    # MAL lists "Part 2" a few weeks before part 1 starts: announced together, not an old entry
    snap = snapshot(
        D(2020, 12, 31),
        [
            tv(1, "Moriarty", D(2020, 10, 11), D(2020, 12, 20)),
            tv(2, "Moriarty Part 2", None, first_seen=D(2020, 10, 9)),
        ],
    )
    ns = build_franchises(snap).of(1).next_season
    assert (ns.status, ns.mal_id) == ("announced", 2)


def test_an_undated_entry_seen_before_the_latest_season_started_is_older() -> None:
    snap = snapshot(
        D(2020, 12, 31),
        [
            tv(1, "Moriarty", D(2020, 10, 11), D(2020, 12, 20)),
            tv(2, "Moriarty 2nd Season", None, first_seen=D(2020, 10, 9)),
        ],
    )
    assert build_franchises(snap).of(1).next_season.status == "none"


def test_an_untyped_cluster_never_links_an_unaired_series() -> None:
    # "Zoids Wild" (a new series) sits in the "Zoids" cluster; it starts after the as-of date
    entries = [
        tv(1, "Zoids", D(1999, 9, 4), D(2000, 12, 23)),
        tv(2, "Zoids Wild", D(2018, 7, 7), first_seen=D(2018, 3, 22)),
    ]
    clusters = [member("Zoids", 1), member("Zoids", 2)]
    before = build_franchises(snapshot(D(2018, 5, 7), entries, collection_members=clusters)).of(1)
    assert before.next_season.status == "none"
    assert 2 not in before.mal_ids
    after = build_franchises(snapshot(D(2019, 1, 1), entries, collection_members=clusters)).of(1)
    assert [s.mal_id for s in after.seasons] == [
        1,
        2,
    ]  # once aired, the cluster (titles agree) links it


def test_numbered_sequels_without_any_dates_are_chained_by_number() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Bus Tayo", None, episodes=26),
            tv(3, "Bus Tayo 3", None, episodes=26),
            tv(2, "Bus Tayo 2", None, episodes=26),
            tv(4, "Bus Tayo: Song Museum", None, episodes=26),
        ],
    )
    f = build_franchises(snap).of(1)
    assert [s.mal_id for s in f.seasons] == [1, 2, 3]
    assert 4 not in [s.mal_id for s in f.seasons]  # a subtitle alone does not order undated entries


def test_a_typed_continuation_that_is_not_tv_is_named_but_not_a_season() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29)),
            tv(2, "Abyss: Golden City", D(2022, 7, 6), D(2022, 9, 28)),
            Anime(3, "Abyss: Awakening", type="Special", first_seen=D(2023, 1, 15)),
        ],
        relations=[
            Relation(1, 2, "Sequel", "", D(2023, 4, 17), "mal_relations_2023"),
            Relation(2, 3, "Sequel", "", D(2023, 4, 17), "mal_relations_2023"),
        ],
    )
    f = build_franchises(snap).of(1)
    assert [s.mal_id for s in f.seasons] == [1, 2]
    assert 3 in {o.mal_id for o in f.others}
    ns = f.next_season
    assert ns.status == "none"
    assert any("not a TV season: 'Abyss: Awakening' (Special)" in e.detail for e in ns.evidence)


def test_a_stale_entry_leaves_alone_and_the_next_one_is_announced() -> None:
    snap = snapshot(
        D(2020, 12, 31),
        [
            tv(1, "Kaiju", D(2014, 10, 5)),
            tv(2, "Kaiju 2nd Season", None, first_seen=D(2019, 12, 20)),
        ],
        id_links=[anidb(1, 10), anidb(2, 12)],
        tvdb_mappings=[
            tvdb(10, "Kaiju", "4242", "1"),
            tvdb(11, "AniDB 11", "4242", "2"),
            tvdb(12, "Kaiju 2nd Season", "4242", "3"),
        ],
        first_seen=[
            listed(10, D(2014, 6, 1)),
            listed(11, D(2015, 8, 3)),
            listed(12, D(2019, 12, 20)),
        ],
    )
    f = build_franchises(snap).of(1)
    assert [(s.mal_id, s.anidb_id) for s in f.seasons] == [(1, 10), (2, 12)]
    assert 11 in {o.anidb_id for o in f.others}
    assert (f.next_season.status, f.next_season.mal_id) == ("announced", 2)


def test_status_report_lists_an_unconfirmed_claim_with_what_became_of_it() -> None:
    from sequelcast.franchise.evaluate import evaluate_status

    as_of = D(2018, 5, 7)
    then = build_franchises(
        snapshot(
            as_of,
            [
                tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29)),
                tv(2, "Abyss 2nd Season", None, first_seen=D(2018, 1, 4)),
            ],
        )
    )
    newest = build_franchises(
        snapshot(
            None,
            [
                tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29)),
                tv(
                    2, "Abyss Movie 3: Dawn", D(2020, 1, 17), kind="Movie", first_seen=D(2018, 1, 4)
                ),
            ],
        )
    )
    report = evaluate_status(newest, then, as_of)
    assert (report.checked, report.announced, report.unconfirmed) == (1, 1, 1)
    assert report.accuracy == 0.0
    (line,) = report.unconfirmed_claims
    assert "mal=2" in line
    assert "'Abyss 2nd Season'" in line
    assert "no start date (TBA)" in line
    assert "Movie beside 'Abyss'" in line
