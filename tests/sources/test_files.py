"""The file adapters on hand-written fixtures: records, stamps, rejects and unreadable files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sequelcast.domain import FACT_FIELDS, PAGE_FIELDS
from sequelcast.errors import SourceFileError
from sequelcast.sources import (
    DATA_SOURCES,
    airing_daily,
    anidb_tvdb,
    disc_sales,
    discover,
    erengy,
    first_seen,
    fribb,
    load_batches,
    mal_popularity,
    mal_seasons,
    mal_snapshots,
)
from sequelcast.sources.base import parse_int


def facts_of(batch, mal_id):
    return {f.field: f for f in batch.facts if f.mal_id == mal_id}


#: sources the shared data layout does not hold (files made by `sequelcast fetch` or downloads)
OPTIONAL = {"jikan", "anilist", "offline_db"}


def test_every_source_finds_its_tiny_file(tiny_data: Path) -> None:
    found = {src.name for src, _ in discover(tiny_data)}
    assert found == {src.name for src in DATA_SOURCES} - OPTIONAL


def test_mal_seasons_stamps_past_events_at_the_event(tiny_data: Path) -> None:
    path = tiny_data / "raw/mal_tv_seasons_ate329/2021/spring-tiny.json"
    batch = mal_seasons.parse(path.read_bytes(), "spring-tiny.json")
    f = facts_of(batch, 40938)
    assert f["title"].value == "Hige wo Soru. Soshite Joshikousei wo Hirou."
    assert f["synonyms"].value == ["I Shaved. Then I Brought a High School Girl Home.", "Higehiro"]
    assert f["studios"].value == ["Project No.9"]
    assert f["source_type"].value == "Light novel"
    assert f["start_date"].value == date(2021, 4, 5)
    assert f["start_date"].observed_at == date(2021, 4, 5)
    assert f["end_date"].observed_at == date(2021, 6, 28)
    assert f["episodes"].observed_at == date(2021, 6, 28)
    assert f["members"].observed_at == mal_seasons.OBSERVED
    assert f["score"].observed_at == date(2026, 2, 15)


def test_mal_seasons_rejects_a_bad_record_and_keeps_the_rest(tiny_data: Path) -> None:
    path = tiny_data / "raw/mal_tv_seasons_ate329/2021/spring-tiny.json"
    batch = mal_seasons.parse(path.read_bytes(), "spring-tiny.json")
    assert len(batch.rejects) == 1
    rej = batch.rejects[0]
    assert rej.location == "spring-tiny.json[1] mal_id not-a-number"
    assert "not-a-number" in rej.raw
    assert {f.mal_id for f in batch.facts} == {40938}


def test_future_start_is_stamped_at_the_snapshot() -> None:
    rec = {
        "mal_id": 5,
        "title": "Later",
        "aired_from": "2027-01-10T00:00:00+00:00",
        "status": "Not yet aired",
        "type": "TV",
    }
    f = {x.field: x for x in mal_seasons.parse_record(rec)}
    assert f["start_date"].observed_at == mal_seasons.OBSERVED
    assert f["status"].observed_at == mal_seasons.OBSERVED


def test_poster_and_synopsis_are_page_facts() -> None:
    rec = {
        "mal_id": 5,
        "title": "Kaiju",
        "image_url": "https://cdn.myanimelist.net/images/anime/1/2l.jpg",
        "synopsis": "  A kaiju.\n\n[Written by MAL Rewrite] ",
    }
    f = {x.field: x.value for x in mal_seasons.parse_record(rec)}
    assert f["image_url"] == "https://cdn.myanimelist.net/images/anime/1/2l.jpg"
    assert f["synopsis"] == "A kaiju.\n\n[Written by MAL Rewrite]"
    assert set(f) - set(FACT_FIELDS) == set(PAGE_FIELDS)  # page-only: not fields of Anime


def test_poster_that_is_not_a_url_rejects_the_record() -> None:
    payload = json.dumps(
        [{"mal_id": 5, "title": "Kaiju", "image_url": "javascript:alert(1)"}]
    ).encode()
    batch = mal_seasons.parse(payload, "2021/spring.json")
    assert [r.reason for r in batch.rejects] == [
        "image_url is not an http(s) URL: 'javascript:alert(1)'"
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param(b'[{"mal_id": 1,', "invalid JSON at line 1", id="truncated"),
        pytest.param(b'{"mal_id": 1}', "expected a JSON list, got dict", id="wrong-shape"),
        pytest.param(b"\xff\xfe\x00garbage", "not UTF-8 text", id="encoding"),
    ],
)
def test_unreadable_season_file_names_file_and_problem(payload: bytes, message: str) -> None:
    with pytest.raises(SourceFileError, match=message) as info:
        mal_seasons.parse(payload, "2021/spring.json")
    assert "mal_tv_seasons: cannot read 2021/spring.json" in str(info.value)


def test_snapshot_2018_rows_and_reject(tiny_data: Path) -> None:
    path = tiny_data / "raw/mal_snapshot_2018/tiny_2018-05-07.csv"
    batch = mal_snapshots.parse_2018(path.read_bytes(), "tiny.csv")
    f = facts_of(batch, 100)
    assert f["members"].value == 210000
    assert f["season"].value == "winter"
    assert f["year"].value == 2015
    assert f["genres"].value == ["Comedy", "School"]
    assert all(x.observed_at == date(2018, 5, 7) for x in batch.facts)
    assert [r.location for r in batch.rejects] == ["tiny.csv:4"]
    assert "bad MAL id 'abc'" in batch.rejects[0].reason or "abc" in batch.rejects[0].reason


def test_snapshot_2016_unescapes_titles(tiny_data: Path) -> None:
    path = tiny_data / "raw/mal_snapshot_2016/tiny_2016.csv"
    batch = mal_snapshots.parse_2016(path.read_bytes(), "tiny.csv")
    assert facts_of(batch, 300)["title"].value == "Old Show & Friends"
    assert "episodes" not in facts_of(batch, 300)  # "Unknown"


def test_csv_missing_columns_is_a_file_error() -> None:
    with pytest.raises(SourceFileError, match="missing column"):
        mal_snapshots.parse_ranking(b"id,name\n1,x\n", "ranking.csv")


def test_anidb_list_date_from_file_name(tiny_data: Path) -> None:
    path = tiny_data / "raw/anidb_tvdb_anime_lists/anime-list-master_2026-08-01.xml"
    batch = anidb_tvdb.parse(path.read_bytes(), path.name)
    by_id = {m.anidb_id: m for m in batch.tvdb_mappings}
    assert by_id[2000].tvdb_id == "5000"
    assert by_id[2000].tvdb_season == "2"
    assert by_id[4000].tvdb_id == "movie"
    assert {m.observed_at for m in batch.tvdb_mappings} == {date(2026, 8, 1)}


def test_anidb_list_bad_xml_and_bad_element() -> None:
    with pytest.raises(SourceFileError, match="invalid XML"):
        anidb_tvdb.parse(b"<anime-list><anime", "anime-list-master_2020-01-01.xml")
    with pytest.raises(SourceFileError, match="no YYYY-MM-DD date"):
        anidb_tvdb.parse(b"<anime-list/>", "anime-list.xml")
    batch = anidb_tvdb.parse(
        b'<anime-list><anime anidbid="x"><name>a</name></anime></anime-list>',
        "anime-list-master_2020-01-01.xml",
    )
    assert batch.rejects
    assert "not an integer: 'x'" in batch.rejects[0].reason


def test_fribb_crosswalk(tiny_data: Path) -> None:
    path = tiny_data / "raw/id_maps_and_relations/fribb_anime-list-mini_2024-01-01.json"
    batch = fribb.parse_ids(path.read_bytes(), path.name)
    links = {(x.mal_id, x.site): x.external_id for x in batch.id_links}
    assert links[40938, "anidb"] == "15332"
    assert links[40938, "kitsu"] == "42923"
    assert batch.skipped == 1  # the row without a MAL id
    assert {f.value for f in batch.facts if f.mal_id == 400} == {"Movie"}


def test_erengy_rules_skip_renumbering(tiny_data: Path) -> None:
    path = tiny_data / "raw/id_maps_and_relations/erengy_anime-relations_2026-01-01.txt"
    batch = erengy.parse(path.read_bytes(), path.name)
    assert [(r.from_mal_id, r.to_mal_id) for r in batch.relations] == [(100, 200)]
    assert batch.relations[0].to_anilist_id == 1200
    assert "Tiny Show -> ~ 2nd Season" in batch.relations[0].evidence
    assert batch.skipped == 1


def test_erengy_unknown_ids_and_bad_rule() -> None:
    text = b"::rules\n# X\n- ?|7205|15061:51-101 -> ?|7972|20181:1-51\n- nonsense\n"
    batch = erengy.parse(text, "erengy_anime-relations_2026-01-01.txt")
    assert batch.relations[0].from_mal_id is None
    assert batch.relations[0].from_anilist_id == 15061
    assert batch.rejects[0].location.endswith(":4")


def test_first_seen_rows(tiny_data: Path) -> None:
    path = tiny_data / "derived/anidb_first_seen_tiny.csv"
    batch = first_seen.parse(path.read_bytes(), path.name)
    by_id = {x.anidb_id: x for x in batch.first_seen}
    assert by_id[15332].first_listed == date(2019, 12, 30)
    assert by_id[15332].first_mapped == date(2021, 1, 8)


def test_first_seen_mapped_before_listed_takes_the_earlier_date() -> None:
    data = b"anidb_id,first_listed,first_mapped,tvdb_id,tvdb_season\n7,2021-02-16,2021-02-15,1,2\n"
    (row,) = first_seen.parse(data, "x.csv").first_seen
    assert row.first_listed == row.first_mapped == date(2021, 2, 15)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (12.0, 12), ("", None), ("Unknown", None), (None, None), ("3.0", 3)],
)
def test_parse_int(value, expected) -> None:
    assert parse_int(value) == expected


def test_parse_int_refuses_fractions() -> None:
    with pytest.raises(ValueError, match="not an integer"):
        parse_int("2.5")


def test_load_batches_reports_progress(tiny_data: Path) -> None:
    seen = []
    batches = load_batches(tiny_data, lambda src, path, i, n: seen.append((i, n)))
    assert len(batches) == len(seen) == seen[-1][1]
    assert all(not Path(b.location).is_absolute() for b in batches)


def test_load_batches_missing_dir(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="no such directory"):
        load_batches(tmp_path / "nope")
    with pytest.raises(SourceFileError, match="holds none of the known source files"):
        load_batches(tmp_path)


def test_manga_sample(tiny_data: Path) -> None:
    from sequelcast.sources import mal_manga

    path = tiny_data / "raw/mal_manga_sample_2021/manga_tiny_2021-08.csv"
    batch = mal_manga.parse(path.read_bytes(), path.name)
    by_id = {m.manga_id: m for m in batch.manga}
    assert by_id[2].volumes is None  # "Unknown" while publishing
    assert by_id[2].published_from == date(1989, 8, 25)
    assert by_id[2].published_to is None
    assert by_id[1706].title == "JoJo no Kimyou na Bouken Part 7  Steel Ball Run"  # from the URL
    assert (by_id[1706].volumes, by_id[1706].chapters) == (24, 96)
    assert [r.location for r in batch.rejects] == ["manga_tiny_2021-08.csv:4"]
    assert "no manga id" in batch.rejects[0].reason


def test_manga_partial_publication_dates() -> None:
    from sequelcast.sources import mal_manga

    header = (
        "Manga ID,Manga URL,English Title,Synonims Titles,Japanese Title,Type,Volumes,Chapters,"
        "Status,Published,Published Dates,Genres,Author,Serialization,Score,Ranked,Popularity,"
        "Members,Favorites,Score Voted By\n"
    )
    row = (
        "36,https://myanimelist.net/manga/657/Real,Real,Unknown,x,Manga,Unknown,Unknown,Publishing,"
        "1999 to ?,\"{'from': '1999-00-00', 'to': 'Unknown'}\",[],[],x,8.7,37,288,31030,1,1\n"
        "32,https://myanimelist.net/manga/418/Mushishi,Mushishi,,x,Manga,10,50,Finished,x,"
        "\"{'from': '1999-11-00', 'to': '2008-08-25'}\",[],[],x,8.7,33,163,46511,1,1\n"
    )
    batch = mal_manga.parse((header + row).encode(), "m.csv")
    assert not batch.rejects
    by_id = {m.manga_id: m for m in batch.manga}
    assert by_id[657].published_from == date(1999, 1, 1)
    assert by_id[418].published_from == date(1999, 11, 1)
    assert by_id[418].published_to == date(2008, 8, 25)


def _parse_tiny(tiny_data: Path, name: str):
    ((src, path),) = [(s, p) for s, p in discover(tiny_data) if s.name == name]
    return src.parse(path.read_bytes(), path.name)


def test_disc_sales_stamped_six_months_after_the_season_began(tiny_data: Path) -> None:
    batch = _parse_tiny(tiny_data, "disc_sales")
    (fact,) = batch.facts
    assert (fact.mal_id, fact.field, fact.value) == (100, "disc_sales", 4.0)
    assert fact.observed_at == date(2015, 7, 1)  # Winter 2015 starts in January
    header = (tiny_data / "derived/disc_sales_someanithing_tiny.csv").read_text().splitlines()[0]
    bad_rows = "\n".join(
        [
            header,
            "A,2015,Monsoon,2,0,2,x,S,manga,l,7",
            "B,2015,Fall,-1,0,2,x,S,manga,l,8",
            "C,2015,Fall,1,0,1,x,S,manga,l,",
        ]
    )
    batch = disc_sales.parse(bad_rows.encode(), "d.csv")
    assert [r.location for r in batch.rejects] == ["d.csv:2", "d.csv:3", "d.csv:4"]
    assert "Monsoon" in batch.rejects[0].reason
    assert "avg_sales" in batch.rejects[1].reason
    assert "MAL id" in batch.rejects[2].reason


def test_popularity_snapshots_stamped_at_known_by(tiny_data: Path) -> None:
    batch = _parse_tiny(tiny_data, "mal_popularity_2020_2024")
    by = {(f.field, f.observed_at): f.value for f in batch.facts}
    assert by[("members", date(2020, 12, 13))] == 250000  # known_by, not snapshot_date
    assert by[("popularity", date(2020, 12, 13))] == 900
    assert ("scored_by", date(2020, 12, 13)) not in by  # empty cell: no fact
    assert by[("scored_by", date(2024, 1, 1))] == 150000
    assert not batch.rejects
    text = "mal_id,snapshot_date,known_by,members,score,scored_by,popularity\n1,2020-01-01,2020-02-01,,,,\n2,x,,5,,,\n"
    batch = mal_popularity.parse(text.encode(), "p.csv")
    assert ["no members" in r.reason for r in batch.rejects] == [True, False]
    assert "known_by" in batch.rejects[1].reason


def test_airing_daily_keeps_anilist_members_apart(tiny_data: Path) -> None:
    batch = _parse_tiny(tiny_data, "airing_anime_daily")
    facts = sorted((f.observed_at, f.value) for f in batch.facts)
    assert {f.field for f in batch.facts} == {"anilist_members"}
    assert facts == [(date(2026, 1, 10), 5200), (date(2026, 1, 11), 5500)]  # last of each day
    assert batch.skipped == 1  # no MAL id
    assert not batch.rejects
    text = "anime_id,mal_id,members,collected_at\n1,12.5,10,2026-01-01T00:00:00\n2,3.0,-4,2026-01-01\n3,4,5,\n"
    batch = airing_daily.parse(text.encode(), "a.csv")
    assert [r.location for r in batch.rejects] == ["a.csv:2", "a.csv:3", "a.csv:4"]
    assert "12.5" in batch.rejects[0].reason


def test_airing_daily_not_gzip_is_a_file_error() -> None:
    with pytest.raises(SourceFileError, match="gzip"):
        airing_daily.parse(b"\x1f\x8bnot really", "x.csv.gz")


def test_history_only_fields_stay_out_of_the_entry() -> None:
    from sequelcast.asof import snapshot_from_batches
    from sequelcast.domain import Batch, Fact

    batch = Batch(
        "t",
        "t",
        facts=[
            Fact(5, "title", "Show", date(2020, 1, 1), "t"),
            Fact(5, "disc_sales", 3.0, date(2020, 7, 1), "disc_sales"),
            Fact(5, "anilist_members", 900, date(2021, 1, 1), "airing_anime_daily"),
        ],
    )
    snap = snapshot_from_batches([batch], date(2020, 12, 31))
    assert not hasattr(snap.entries[5], "disc_sales")
    assert [(f.field, f.value) for f in snap.history[5]] == [("disc_sales", 3.0)]
