"""Integration: the graph built from the real data in ../shared/data (done-when checks)."""

from __future__ import annotations

from datetime import date

import pytest

from sequelcast.domain import Snapshot
from sequelcast.errors import NotFoundError
from sequelcast.franchise import FranchiseGraph
from sequelcast.franchise.evaluate import evaluate_against_erengy

pytestmark = pytest.mark.integration

#: Floors under the measured figures in docs/franchises.md.
ERENGY_MIN_PRECISION = 0.95
ERENGY_MIN_RECALL = 0.95


def test_higehiro_has_one_season_and_no_next(real_graph: FranchiseGraph) -> None:
    f = real_graph.of(40938)
    assert [s.mal_id for s in f.seasons] == [40938]
    assert f.next_season.status == "none"
    assert f.seasons[0].announced == date(2019, 12, 26)  # first seen on MAL (AniDB: 2019-12-30)


def test_shingeki_no_kyojin_in_order_with_dates(real_graph: FranchiseGraph) -> None:
    f = real_graph.of(48583)  # any season gives the same franchise
    assert f.id == "mal:16498"
    got = [(s.mal_id, s.number, s.part, s.start) for s in f.seasons]
    assert got == [
        (16498, 1, None, date(2013, 4, 7)),
        (25777, 2, None, date(2017, 4, 1)),
        (35760, 3, 1, date(2018, 7, 23)),
        (38524, 3, 2, date(2019, 4, 29)),
        (40028, 4, 1, date(2020, 12, 7)),
        (48583, 4, 2, date(2022, 1, 10)),
    ]
    assert 23775 in {o.mal_id for o in f.others}  # a movie, listed beside
    assert all(t.lag_days is not None and t.lag_days > 0 for t in f.transitions)


def test_kaguya_sama_renamed_sequels(real_graph: FranchiseGraph) -> None:
    assert [s.mal_id for s in real_graph.of(40591).seasons] == [37999, 40591, 43608]


def test_as_of_2018_sequel_listed_in_2019_is_none(
    graph_2018: FranchiseGraph, real_graph: FranchiseGraph
) -> None:
    # Oregairu Zoku (2015): its sequel "Kan" (MAL 39547) was first listed on AniDB in 2019.
    later = real_graph.of(23847).next_after(23847)
    assert later.mal_id == 39547
    assert later.first_seen is not None
    assert later.first_seen.year == 2019
    assert graph_2018.of(23847).next_season.status == "none"


def test_as_of_2018_known_sequels_are_announced(graph_2018: FranchiseGraph) -> None:
    aot = graph_2018.of(16498).next_season
    assert (aot.status, aot.mal_id) == ("announced", 35760)  # Season 3 aired in July 2018
    assert aot.first_seen is not None
    assert aot.first_seen <= date(2018, 5, 7)


def test_as_of_2018_does_not_know_higehiro(graph_2018: FranchiseGraph) -> None:
    with pytest.raises(NotFoundError, match="MAL id 40938"):
        graph_2018.of(40938)


def test_nothing_aired_after_as_of(graph_2018: FranchiseGraph) -> None:
    for f in graph_2018.franchises:
        for s in f.aired_seasons():
            assert s.start is not None
            assert s.start <= date(2018, 5, 7)


def test_every_entry_has_exactly_one_franchise(
    real_snapshot: Snapshot, real_graph: FranchiseGraph
) -> None:
    held = [i for f in real_graph.franchises for i in f.mal_ids]
    assert len(held) == len(set(held))
    assert set(held) == set(real_snapshot.entries)


def test_erengy_precision_and_recall(real_snapshot: Snapshot) -> None:
    score = evaluate_against_erengy(real_snapshot)
    print(score.summary())
    assert score.precision >= ERENGY_MIN_PRECISION, score.false_positives
    assert score.recall >= ERENGY_MIN_RECALL, score.missed
