"""The "announced" claim checks of ``evaluate_status``: the lenient "never aired in any form"
figure beside the strict one, the signals known on the date, and what requiring each would do
(docs/franchises.md, "Unconfirmed announcements: the evidence")."""

from __future__ import annotations

import dataclasses
from datetime import date

from tests.franchise._snap import anidb, listed, snapshot, tv, tvdb

from sequelcast.domain import Anime, Snapshot
from sequelcast.franchise import build_franchises
from sequelcast.franchise.evaluate import (
    SIGNALS,
    StatusReport,
    announced_signals,
    claim_signals,
    evaluate_status,
)

D = date
AS_OF = D(2018, 5, 7)


def _abyss(as_of: date | None, second: Anime) -> Snapshot:
    return snapshot(as_of, [tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29)), second])


def _report(newest_second: Anime, newest: Snapshot | None = None) -> StatusReport:
    then_snap = _abyss(AS_OF, tv(2, "Abyss 2nd Season", None, first_seen=D(2018, 1, 4)))
    newest_snap = newest or _abyss(None, newest_second)
    return evaluate_status(
        build_franchises(newest_snap), build_franchises(then_snap), AS_OF, then_snap, newest_snap
    )


def test_an_announced_season_that_aired_as_a_movie_is_unconfirmed_but_aired() -> None:
    report = _report(tv(2, "Abyss Movie: Dawn", D(2020, 1, 17), kind="Movie"))
    assert (report.announced, report.unconfirmed, report.never_aired) == (1, 1, 0)
    (claim,) = report.claims
    assert (claim.confirmed, claim.aired_later, claim.truth_announced) == (False, True, False)
    assert "never aired in any form 0" in report.summary()
    assert claim.describe().startswith("'Abyss 2nd Season': unconfirmed, aired in another form;")


def test_an_undated_movie_the_newest_data_scores_counts_as_aired() -> None:
    undated = tv(2, "Abyss Movie: Dawn", None, kind="Movie", first_seen=D(2018, 1, 4))
    assert _report(undated).never_aired == 1
    scored = dataclasses.replace(undated, score=8.1)
    assert _report(scored, _abyss(None, scored)).never_aired == 0


def test_a_placeholder_that_never_aired_counts_in_both_figures() -> None:
    gone = snapshot(None, [tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29))])  # removed from MAL
    report = _report(tv(1, "Abyss", D(2017, 7, 7)), gone)
    assert (report.unconfirmed, report.never_aired) == (1, 1)
    assert report.unconfirmed_rate == report.never_aired_rate == 1.0
    assert report.claims[0].describe().endswith("unconfirmed, never aired; signals: fresh")


def test_a_confirmed_claim_is_neither_unconfirmed_nor_never_aired() -> None:
    report = _report(tv(2, "Abyss 2nd Season", D(2022, 7, 6), first_seen=D(2018, 1, 4)))
    assert (report.unconfirmed, report.never_aired, report.accuracy) == (0, 0, 1.0)
    assert report.claims[0].confirmed
    assert report.claims[0].truth_announced


def test_signals_of_a_bare_placeholder_and_of_a_corroborated_announcement() -> None:
    bare = _abyss(AS_OF, tv(2, "Abyss 2nd Season", None, first_seen=D(2016, 1, 4)))
    claim = build_franchises(bare).of(1).next_season
    got = claim_signals(bare, claim, AS_OF, bare.latest_tvdb())
    assert set(got) == set(SIGNALS)
    assert not any(got.values()), got  # first seen over a year before: not fresh either

    second = dataclasses.replace(
        tv(2, "Abyss 2nd Season", None, first_seen=D(2018, 1, 4), episodes=12),
        studios=("Kinema",),
        members=5000,
        year=2018,
        season="summer",
    )
    first = dataclasses.replace(tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29)), members=80_000)
    rich = dataclasses.replace(
        snapshot(AS_OF, [first, second]),
        id_links=[anidb(2, 20)],
        tvdb_mappings=[tvdb(20, "Abyss 2", "777", "2", D(2018, 5, 4))],
        first_seen={20: listed(20, D(2018, 1, 4))},
    )
    claim = build_franchises(rich).of(1).next_season
    assert claim.status == "announced"
    got = claim_signals(rich, claim, AS_OF, rich.latest_tvdb(), latest_mal_id=1)
    assert got == {**dict.fromkeys(SIGNALS, True), "relation": False}
    # 5,000 members are 6% of the first season's 80,000; 3% of 160,000 is below the 5% share
    bigger = dataclasses.replace(first, members=160_000)
    richer = dataclasses.replace(rich, entries={1: bigger, 2: second})
    assert not claim_signals(richer, claim, AS_OF, richer.latest_tvdb(), 1)["members_share"]


def test_signal_effects_count_what_requiring_a_signal_would_do() -> None:
    """Two claims: a confirmed one with a TVDB season, a placeholder without. Requiring the TVDB
    season keeps the first and turns the second into a right "none"."""
    entries = [
        tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29)),
        tv(2, "Abyss 2nd Season", None, first_seen=D(2018, 1, 4)),
        tv(11, "Kaiju", D(2016, 1, 5), D(2016, 3, 29)),
        tv(12, "Kaiju 2nd Season", None, first_seen=D(2018, 2, 1)),
    ]
    parts: dict[str, list] = {
        "id_links": [anidb(12, 30)],
        "tvdb_mappings": [
            tvdb(30, "Kaiju 2nd Season", "888", "2", D(2018, 5, 4)),
        ],
        "first_seen": [listed(30, D(2018, 2, 1))],
    }
    then_snap = snapshot(AS_OF, entries, **parts)
    # the Abyss placeholder is gone from MAL; Kaiju 2nd Season aired
    newest_entries = [entries[0], entries[2], tv(12, "Kaiju 2nd Season", D(2019, 1, 5))]
    newest = build_franchises(snapshot(None, newest_entries, **parts))
    report = evaluate_status(newest, build_franchises(then_snap), AS_OF, then_snap)
    assert (report.checked, report.announced, report.unconfirmed, report.correct) == (2, 2, 1, 1)
    effects = {e.signal: e for e in report.signal_effects()}
    tv_season = effects["tvdb_season"]
    assert (tv_season.kept, tv_season.confirmed_kept, tv_season.unconfirmed_kept) == (1, 1, 0)
    assert (tv_season.right_kept, tv_season.right) == (1, 1)
    assert tv_season.unconfirmed_rate == 0.0
    assert tv_season.accuracy == 1.0  # the placeholder now says a right "none"
    fresh = effects["fresh"]  # both fresh: nothing changes
    assert (fresh.kept, fresh.unconfirmed_rate, fresh.accuracy) == (2, 0.5, 0.5)
    relation = effects["relation"]  # neither has one: both say "none", the right claim is lost
    assert (relation.kept, relation.accuracy) == (0, 0.5)
    assert relation.row() == "| relation | 0/1 | 0/1 | 0/1 | 0.0% | 50.00% |"


def test_announced_signals_lists_each_announced_status_of_a_graph() -> None:
    snap = snapshot(
        None,
        [
            tv(1, "Abyss", D(2017, 7, 7), D(2017, 9, 29)),
            dataclasses.replace(
                tv(2, "Abyss 2nd Season", None, first_seen=D(2018, 1, 4)), studios=("Kinema",)
            ),
            tv(11, "Kaiju", D(2016, 1, 5), D(2016, 3, 29)),  # nothing announced
        ],
    )
    # the reference date of a snapshot of everything: its newest observation
    snap.entries[11] = dataclasses.replace(snap.entries[11], last_observed=D(2018, 5, 7))
    ((title, signals),) = announced_signals(build_franchises(snap), snap)
    assert title == "Abyss 2nd Season"
    assert signals["studio"]
    assert not signals["schedule"]
