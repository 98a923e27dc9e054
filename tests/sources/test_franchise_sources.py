"""The issue-8 adapters: typed MAL relations, the AniList crosswalk, MAL and pair first sightings.

Each caveat of ``../shared/data/README.md`` / ``raw/SOURCES.md`` is a rule with a test here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sequelcast.asof import snapshot_from_batches
from sequelcast.errors import SourceFileError
from sequelcast.sources import anilist_lists, entry_first_seen, load_batches, mal_relations


def _json(rows: object) -> bytes:
    return json.dumps(rows).encode()


def test_typed_relations_are_read_as_parent_has_kind_child() -> None:
    batch = mal_relations.parse(
        _json(
            [
                {"relation": "Sequel", "parentAnimeId": 29803, "childAnimeId": 35073},
                {"relation": "Alternative version", "parentAnimeId": 2, "childAnimeId": 3},
            ]
        ),
        "animeRelations.json",
    )
    assert [(r.from_mal_id, r.to_mal_id, r.kind) for r in batch.relations] == [
        (29803, 35073, "Sequel"),
        (2, 3, "Alternative version"),
    ]
    assert {r.observed_at for r in batch.relations} == {date(2023, 4, 17)}
    assert not batch.rejects


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"relation": "Adaptation", "parentAnimeId": 1, "childAnimeId": 2}, "unknown relation"),
        ({"relation": "Other", "parentAnimeId": 5, "childAnimeId": 5}, "related to itself"),
        ({"relation": "Sequel", "parentAnimeId": None, "childAnimeId": 2}, "bad ids"),
        ({"relation": "Sequel", "parentAnimeId": -1, "childAnimeId": 2}, "bad ids"),
        (["Sequel", 1, 2], "not an object"),
    ],
)
def test_bad_relations_are_rejected_with_the_reason(row: object, reason: str) -> None:
    batch = mal_relations.parse(_json([row]), "rel.json")
    assert not batch.relations
    (rej,) = batch.rejects
    assert reason in rej.reason
    assert rej.location == "rel.json[0]"


def test_relations_file_that_is_not_a_list_names_the_file() -> None:
    with pytest.raises(SourceFileError, match="rel.json"):
        mal_relations.parse(b'{"relation": "Sequel"}', "rel.json")


def test_crosswalk_rows_give_titles_and_id_links() -> None:
    batch = anilist_lists.parse(
        _json(
            [
                {
                    "idAL": 186712,
                    "idAniDB": 19157,
                    "idMal": 61006,
                    "titles": {
                        "romaji": "Bocchi the Rock! 2nd Season",
                        "english": None,
                        "native": "ぼっち・ざ・ろっく！ 2期",
                    },
                    "type": "TV",
                },
                {
                    "idAL": 5,
                    "idAniDB": 9,
                    "idMal": None,
                    "titles": {"romaji": "Only AniList"},
                    "type": None,
                },
            ]
        ),
        "anime-full_2026-08-22.json",
    )
    first, second = batch.crosswalk
    assert first.titles() == ["Bocchi the Rock! 2nd Season", "ぼっち・ざ・ろっく！ 2期"]
    assert first.observed_at == date(2026, 8, 22)
    assert first.type == "TV"
    assert {(x.mal_id, x.site, x.external_id) for x in batch.id_links} == {
        (61006, "anilist", "186712"),
        (61006, "anidb", "19157"),
    }
    assert second.mal_id is None
    assert second.anidb_id == 9


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"idAL": None, "idMal": 1, "titles": {"romaji": "x"}}, "missing idAL"),
        ({"idAL": 1, "idMal": "one", "titles": {"romaji": "x"}}, "not an integer"),
        (
            {"idAL": 1, "idMal": 1, "titles": {"romaji": None, "english": None, "native": None}},
            "no title",
        ),
        ({"idAL": 1, "idMal": 1, "titles": {"romaji": "x"}, "type": "FILM"}, "unknown type"),
    ],
)
def test_bad_crosswalk_rows_are_rejected(row: object, reason: str) -> None:
    batch = anilist_lists.parse(_json([row]), "anime-full_2026-08-22.json")
    assert not batch.crosswalk
    assert not batch.id_links
    assert reason in batch.rejects[0].reason


def _mal_csv(rows: list[tuple[int, str]]) -> bytes:
    lines = ["mal_id,first_seen_utc_offset_iso,commit"] + [
        f"{m},{d}T10:00:00+00:00,c" for m, d in rows
    ]
    return "\n".join(lines).encode()


def test_mal_first_seen_floor_is_censored() -> None:
    batch = entry_first_seen.parse_mal(
        _mal_csv([(1, "2019-09-21"), (48895, "2021-05-08")]), "f.csv"
    )
    by_id = {r.mal_id: r for r in batch.entry_first_seen}
    assert by_id[1].censored
    assert not by_id[48895].censored
    assert by_id[48895].first_seen == date(2021, 5, 8)


def test_a_sighting_far_later_than_its_id_neighbours_is_suspect() -> None:
    rows = [(1000 + i, "2020-03-01") for i in range(30)] + [(1015, "2022-06-01")]
    rows = [r for r in rows if r != (1015, "2020-03-01")]
    batch = entry_first_seen.parse_mal(_mal_csv(rows), "f.csv")
    suspect = {r.mal_id for r in batch.entry_first_seen if r.suspect}
    assert suspect == {1015}


def test_a_batch_re_add_day_makes_every_row_of_that_day_suspect() -> None:
    # 150 ids spread over 15,000 ids all first seen on one day: a batch re-add
    batch_rows = [(10_000 + 100 * i, "2021-09-28") for i in range(150)]
    normal = [(40_000 + i, "2021-09-20") for i in range(5)]
    batch = entry_first_seen.parse_mal(_mal_csv(batch_rows + normal), "f.csv")
    assert {r.first_seen for r in batch.entry_first_seen if r.suspect} == {date(2021, 9, 28)}
    assert entry_first_seen.batch_days(batch.entry_first_seen, "mal_id") == {date(2021, 9, 28)}


def test_bad_first_seen_rows_are_rejected_with_their_line() -> None:
    data = b"mal_id,first_seen_utc_offset_iso,commit\n0,2020-01-01T00:00:00+00:00,c\n5,,c\n"
    batch = entry_first_seen.parse_mal(data, "f.csv")
    assert [r.location for r in batch.rejects] == ["f.csv:2", "f.csv:3"]
    assert "bad mal_id" in batch.rejects[0].reason
    assert "missing" in batch.rejects[1].reason


def test_pairs_floor_and_pairs_without_mal_id() -> None:
    data = (
        b"idAL,idMal,idAniDB_at_first_seen,first_seen,commit\n"
        b"1,1,,2024-07-31T14:41:34+00:00,c\n"
        b"204747,63193,,2026-03-02T00:00:00+00:00,c\n"
        b"7,,,2025-01-01T00:00:00+00:00,c\n"
    )
    batch = entry_first_seen.parse_pairs(data, "p.csv")
    assert batch.skipped == 1
    by_id = {r.mal_id: r for r in batch.entry_first_seen}
    assert by_id[1].censored
    assert not by_id[63193].censored
    assert by_id[63193].anilist_id == 204747


def test_as_of_sightings_and_identity(tiny_data: Path) -> None:
    batches = load_batches(tiny_data)
    # 40938 was first seen on MAL on 2019-12-26: by 2020-01-01 its title is known, long before the
    # 2021 season file is observed
    snap = snapshot_from_batches(batches, date(2020, 1, 1))
    assert 40938 in snap.entries
    assert snap.entry_first_seen[40938].first_seen == date(2019, 12, 26)
    assert snap.entries[40938].start_date is None  # the start is only known when it happens
    assert 40938 not in snapshot_from_batches(batches, date(2019, 12, 25)).entries
    full = snapshot_from_batches(batches)
    # the AniList-only row (AniDB 9000) joins no known entry: not admitted
    assert {c.mal_id for c in full.crosswalk} == {100, 200, 40938}
    assert full.entries[100].external_id("anilist") == "1100"
