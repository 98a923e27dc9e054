"""The as-of rules on the tiny data: nothing observed later is admitted, links wait for their ends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sequelcast.asof import admit, snapshot_from_batches
from sequelcast.domain import merge_batches
from sequelcast.sources import load_batches

AS_OF = date(2018, 5, 7)


@pytest.fixture(scope="module")
def batches():
    return load_batches(Path(__file__).parent / "fixtures" / "tiny")


def test_full_snapshot_newest_fact_wins(batches) -> None:
    snap = snapshot_from_batches(batches)
    tiny = snap.entries[100]
    assert tiny.members == 410000  # ranking 2026-07-19 beats seasons 2026-02-15
    assert tiny.studios == ("Studio A",)
    assert tiny.external_id("anidb") == "1000"
    assert set(snap.entries) == {100, 200, 300, 400, 40938}


def test_as_of_snapshot_holds_only_what_was_known(batches) -> None:
    snap = snapshot_from_batches(batches, AS_OF)
    assert 40938 not in snap.entries  # Higehiro aired in 2021
    assert 200 not in snap.entries  # the sequel was first seen in 2018-06
    tiny = snap.entries[100]
    assert tiny.members == 210000  # the 2018 snapshot's figure, not today's
    assert tiny.start_date == date(2015, 1, 5)  # a past air date is known
    assert tiny.title_english is None  # English title only observed in 2026
    assert [f.value for f in snap.history[100] if f.field == "members"] == [150000, 210000]
    assert 2000 not in snap.first_seen
    assert 15332 not in snap.first_seen
    assert not snap.relations  # 100 -> 200 waits for 200
    assert all(m.observed_at <= AS_OF for m in snap.tvdb_mappings)


def test_admitted_records_are_all_on_or_before_as_of(batches) -> None:
    admitted = admit(merge_batches(batches, "all", "all"), AS_OF)
    for rec in admitted.records():
        assert rec.observed_at <= AS_OF, rec
        if getattr(rec, "first_mapped", None):
            assert rec.first_mapped <= AS_OF


def test_mapping_after_as_of_is_dropped_but_listing_kept(batches) -> None:
    snap = snapshot_from_batches(batches, date(2018, 6, 15))
    fs = snap.first_seen[2000]
    assert fs.first_listed == date(2018, 6, 1)
    assert fs.first_mapped is None
    assert fs.tvdb_season is None


def test_links_are_stamped_when_both_ends_are_known(batches) -> None:
    snap = snapshot_from_batches(batches)
    (rel,) = [r for r in snap.relations if r.source == "erengy_relations"]
    assert (rel.from_mal_id, rel.to_mal_id) == (100, 200)
    assert rel.observed_at == date(2019, 1, 7)  # the sequel's first sighting
    # a typed MAL relation is only known from its observation date (2023-04-17), even though both
    # ends were known in 2019
    typed = {
        (r.from_mal_id, r.to_mal_id, r.kind): r.observed_at
        for r in snap.relations
        if r.source == "mal_relations_2023"
    }
    assert typed[100, 200, "Sequel"] == date(2023, 4, 17)
    assert not [
        r
        for r in snapshot_from_batches(batches, date(2023, 4, 16)).relations
        if r.source == "mal_relations_2023"
    ]
    link = next(x for x in snap.id_links if x.mal_id == 40938 and x.site == "anidb")
    # MAL 40938 is known from its first MAL sighting (2019-12-26), AniDB 15332 from its first
    # listing (2019-12-30): the link is known from the later of the two
    assert link.observed_at == date(2019, 12, 30)


def test_admit_is_idempotent_and_composes(batches) -> None:
    merged = merge_batches(batches, "all", "all")
    direct = admit(merged, AS_OF)
    via_full = admit(admit(merged, None), AS_OF)
    assert sorted(map(repr, direct.records())) == sorted(map(repr, via_full.records()))
    again = admit(direct, AS_OF)
    assert sorted(map(repr, again.records())) == sorted(map(repr, direct.records()))
