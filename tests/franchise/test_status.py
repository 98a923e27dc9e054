"""Next-season status on tiny snapshots: aired, announced (dated or TBA), none, as-of rules."""

from __future__ import annotations

from datetime import date

import pytest

from sequelcast.errors import NotFoundError
from sequelcast.franchise import build_franchises

from ._snap import anidb, listed, snapshot, tv, tvdb

D = date


def _two_seasons(as_of: date | None, second_start: date | None):
    return snapshot(
        as_of,
        [
            tv(1, "Kaiju", D(2020, 1, 5), D(2020, 3, 29)),
            tv(2, "Kaiju 2nd Season", second_start, first_seen=D(2021, 2, 1)),
        ],
        id_links=[anidb(1, 10), anidb(2, 20)],
        first_seen=[listed(10, D(2019, 6, 1)), listed(20, D(2020, 12, 1))],
    )


def test_announced_with_date() -> None:
    f = build_franchises(_two_seasons(D(2021, 6, 1), D(2022, 1, 9))).of(1)
    ns = f.next_season
    assert (ns.status, ns.mal_id, ns.expected) == ("announced", 2, D(2022, 1, 9))
    assert ns.first_seen == D(2020, 12, 1)  # AniDB listing beats the first MAL observation
    assert any(e.source == "title" for e in ns.evidence)
    assert f.next_after(1).status == "announced"


def test_announced_tba() -> None:
    ns = build_franchises(_two_seasons(D(2021, 6, 1), None)).of(1).next_season
    assert (ns.status, ns.expected, ns.title) == ("announced", None, "Kaiju 2nd Season")
    assert "TBA" in ns.evidence[-1].detail


def test_aired_next_season_moves_the_question_on() -> None:
    f = build_franchises(_two_seasons(D(2022, 6, 1), D(2022, 1, 9))).of(1)
    assert f.next_after(1).status == "aired"
    assert f.next_season.status == "none"
    assert [s.title for s in f.aired_seasons()] == ["Kaiju", "Kaiju 2nd Season"]


def test_none_when_nothing_follows() -> None:
    snap = snapshot(D(2022, 1, 1), [tv(1, "Higehiro", D(2021, 4, 5))])
    ns = build_franchises(snap).of(1).next_season
    assert ns.status == "none"
    assert ns.mal_id is None
    assert "no main-line TV entry after 'Higehiro'" in ns.evidence[0].detail


def test_start_after_as_of_is_never_aired() -> None:
    # The snapshot is normally filtered already; a start date past as_of still means "not yet".
    f = build_franchises(_two_seasons(D(2021, 12, 31), D(2022, 1, 9))).of(1)
    assert f.next_season.status == "announced"
    assert [s.mal_id for s in f.aired_seasons()] == [1]


def test_as_of_before_the_sequel_is_known_says_none() -> None:
    snap = snapshot(
        D(2020, 6, 1),
        [tv(1, "Kaiju", D(2020, 1, 5))],
        id_links=[anidb(1, 10)],
        first_seen=[listed(10, D(2019, 6, 1))],
    )
    assert build_franchises(snap).of(1).next_season.status == "none"


def test_anidb_only_sequel_counts_as_announced() -> None:
    snap = snapshot(
        D(2021, 3, 1),
        [tv(1, "Kaiju", D(2020, 1, 5))],
        id_links=[anidb(1, 10)],
        tvdb_mappings=[tvdb(10, "Kaiju", "4242", "1"), tvdb(11, "Kaiju (2022)", "4242", "2")],
        first_seen=[listed(10, D(2019, 6, 1)), listed(11, D(2021, 1, 20))],
    )
    f = build_franchises(snap).of(1)
    ns = f.next_season
    assert (ns.status, ns.mal_id, ns.anidb_id, ns.title) == ("announced", None, 11, "Kaiju (2022)")
    assert ns.first_seen == D(2021, 1, 20)
    assert ns.expected is None
    assert f.seasons[1].mal_id is None
    assert f.seasons[1].number == 2


def test_newest_tvdb_row_wins() -> None:
    old = tvdb(11, "Kaiju (2022)", "4242", "0", observed=D(2020, 12, 31))
    new = tvdb(11, "Kaiju (2022)", "4242", "2", observed=D(2021, 2, 1))
    snap = snapshot(
        D(2021, 3, 1),
        [tv(1, "Kaiju", D(2020, 1, 5))],
        id_links=[anidb(1, 10)],
        tvdb_mappings=[tvdb(10, "Kaiju", "4242", "1"), new, old],
    )
    assert build_franchises(snap).of(1).next_season.anidb_id == 11


def test_split_cour_part_two_is_marked_and_counts() -> None:
    snap = snapshot(
        D(2022, 3, 1),
        [
            tv(1, "Spy Family", D(2022, 4, 9), D(2022, 6, 25)),
            tv(2, "Spy Family Part 2", D(2022, 10, 1)),
            tv(3, "Spy Family Season 2", D(2023, 10, 7)),
        ],
    )
    f = build_franchises(snap).of(2)
    assert [(s.number, s.part) for s in f.seasons] == [(1, 1), (1, 2), (2, None)]
    assert f.next_season.status == "none"  # nothing aired yet by 2022-03-01
    later = (
        build_franchises(
            snapshot(
                D(2022, 7, 1),
                [
                    tv(1, "Spy Family", D(2022, 4, 9), D(2022, 6, 25)),
                    tv(2, "Spy Family Part 2", D(2022, 10, 1)),
                ],
            )
        )
        .of(1)
        .next_season
    )
    assert (later.status, later.mal_id, later.expected) == ("announced", 2, D(2022, 10, 1))


def test_split_cour_from_shared_tvdb_season() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Titan Season 3", D(2018, 7, 23), D(2018, 10, 15)),
            tv(2, "Titan Season 3 (2019)", D(2019, 4, 29)),
        ],
        id_links=[anidb(1, 10), anidb(2, 20)],
        tvdb_mappings=[tvdb(10, "T3", "1", "3"), tvdb(20, "T3b", "1", "3")],
    )
    assert [s.part for s in build_franchises(snap).of(1).seasons] == [1, 2]


def test_movie_between_seasons_is_listed_beside() -> None:
    snap = snapshot(
        D(2021, 6, 1),
        [
            tv(1, "Blade", D(2019, 4, 6), D(2019, 9, 28)),
            tv(2, "Blade Movie: Train", D(2020, 10, 16), kind="Movie"),
            tv(3, "Blade: Red Light Arc", D(2021, 12, 5)),
        ],
    )
    f = build_franchises(snap).of(2)
    assert [s.mal_id for s in f.seasons] == [1, 3]
    assert [o.mal_id for o in f.others] == [2]
    assert (f.next_season.status, f.next_season.mal_id) == ("announced", 3)


def test_transitions_and_lags() -> None:
    f = build_franchises(_two_seasons(D(2022, 6, 1), D(2022, 1, 9))).of(1)
    (t,) = f.transitions
    assert (t.before.mal_id, t.after.mal_id) == (1, 2)
    assert (t.announced, t.start, t.lag_days) == (D(2020, 12, 1), D(2022, 1, 9), 404)
    assert f.lags() == [404]


def test_censored_announcement_is_left_out_of_lags() -> None:
    snap = snapshot(
        None,
        [tv(1, "Old", D(2010, 1, 1)), tv(2, "Old 2nd Season", D(2013, 1, 1))],
        id_links=[anidb(1, 10), anidb(2, 20)],
        first_seen=[listed(10, D(2012, 9, 22)), listed(20, D(2012, 9, 22))],
    )
    f = build_franchises(snap).of(1)
    assert f.transitions[0].censored
    assert f.lags() == []
    assert f.lags(include_censored=True) == [101]


def test_next_after_unknown_season_raises() -> None:
    f = build_franchises(snapshot(None, [tv(1, "Solo", D(2020, 1, 1))])).of(1)
    with pytest.raises(NotFoundError, match="MAL id 5 is not a main-line season of mal:1"):
        f.next_after(5)
