"""Adapters of the source material: MAL manga / light novels 2024-12, NovelUpdates 2020, AniList manga ids."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sequelcast.errors import SourceFileError
from sequelcast.sources import anilist_manga, mal_works, novelupdates

MANGA_HEADER = (
    "Title,Score,Vote,Ranked,Popularity,Members,Favorite,Types,Volumes,Chapters,Status,Genres,Demographic,"
    "Serialization,Author,Released date,Completed date,Total Review,Recommended,Mixed Feelings,"
    "Not Recommended,mal_manga_id,rom\n"
)
NOVEL_HEADER = (
    "Title,Score,Vote,Ranked,Popularity,Members,Favorite,Types,Volumes,Chapters,Status,Published,Genres,"
    "Themes,Demographic,Serialization,Author,Total Review,Type Review,mal_manga_id\n"
)


def _manga(*rows: str) -> list:
    batch = mal_works.parse_manga((MANGA_HEADER + "".join(rows)).encode(), "m.csv")
    return [batch.manga, batch.rejects]


def test_tiny_files(tiny_data: Path) -> None:
    path = tiny_data / "derived/mal_lightnovels_2024-12_tiny.csv"
    by_id = {m.manga_id: m for m in mal_works.parse_novels(path.read_bytes(), path.name).manga}
    hige = by_id[116201]
    assert hige.title == "Hige wo Soru. Soshite Joshikousei wo Hirou."
    assert (
        hige.title_english
        == "Higehiro: After Being Rejected, I Shaved and Took in a High School Runaway"
    )
    assert (hige.type, hige.volumes, hige.status) == ("Light Novel", 5, "Finished")
    assert (hige.published_from, hige.published_to) == (date(2018, 2, 1), date(2021, 6, 1))
    assert hige.members == 13504
    assert (by_id[9001].published_to, by_id[9001].volumes) == (None, None)  # "to ?" and "Unknown"
    assert (by_id[9003].published_from, by_id[9003].published_to) == (
        date(2010, 9, 1),
        date(2010, 9, 30),
    )
    path = tiny_data / "derived/mal_manga_2024-12_tiny.csv"
    berserk = next(
        m for m in mal_works.parse_manga(path.read_bytes(), path.name).manga if m.manga_id == 2
    )
    assert (berserk.volumes, berserk.chapters, berserk.published_to) == (None, None, None)


def test_publishing_placeholders_become_unknown() -> None:
    manga, rejects = _manga(
        "A,7,1,1,1,100,1,Manga,3,16,Publishing,[],,,[],2015-01-01,Updating,0,0,0,0,10,a\n",
        "B,7,1,1,1,100,1,Manga,3,16,Finished,[],,,[],2015-01-01,2016-01-01,0,0,0,0,11,b\n",
        "C,7,1,1,1,100,1,Manga,12,100,On Hiatus,[],,,[],2015-01-01,2019-01-01,0,0,0,0,12,c\n",
    )
    assert not rejects
    assert [(m.volumes, m.chapters) for m in manga] == [(None, None), (3, 16), (None, None)]


def test_end_before_start_is_a_year_or_unknown() -> None:
    manga, rejects = _manga(
        "A,7,1,1,1,100,1,Manga,2,9,Finished,[],,,[],2005-02-01,2005-01-01,0,0,0,0,10,a\n",
        "B,7,1,1,1,100,1,Manga,2,9,Finished,[],,,[],2012-08-24,2012-06-13,0,0,0,0,11,b\n",
    )
    assert not rejects
    assert [m.published_to for m in manga] == [date(2005, 12, 31), None]


def test_bad_manga_rows_are_rejected_with_line_and_reason() -> None:
    manga, rejects = _manga(
        "A,7,1,1,1,100,1,Manga,2,9,Finished,[],,,[],2005-02-01,2006-01-01,0,0,0,0,,a\n",
        "B,7,1,1,1,100,1,Manga,2,9,Finished,[],,,[],Feb 2005,2006-01-01,0,0,0,0,11,b\n",
        "C,7,1,1,1,many,1,Manga,2,9,Finished,[],,,[],2005-02-01,2006-01-01,0,0,0,0,12,c\n",
    )
    assert manga == []
    assert [r.location for r in rejects] == ["m.csv:2", "m.csv:3", "m.csv:4"]
    assert "no mal_manga_id" in rejects[0].reason
    assert "Feb 2005" in rejects[1].reason
    assert "many" in rejects[2].reason


@pytest.mark.parametrize(
    ("published", "status", "expected"),
    [
        ("Feb  1, 2018 to Jun  1, 2021", "Finished", (date(2018, 2, 1), date(2021, 6, 1))),
        ("Feb  10, 2006 to ?", "Publishing", (date(2006, 2, 10), None)),
        ("Feb 2018 to Mar 2019", "Finished", (date(2018, 2, 1), date(2019, 3, 31))),
        ("2018 to  2019", "Finished", (date(2018, 1, 1), date(2019, 12, 31))),
        ("Oct  10, 2018", "Finished", (date(2018, 10, 10), date(2018, 10, 10))),
        ("Oct  10, 2018", "On Hiatus", (date(2018, 10, 10), None)),
        ("10, 2008 to ?", "Finished", (date(2008, 1, 1), None)),
    ],
    ids=["full", "open", "months", "years", "one-day", "one-date-running", "day-without-month"],
)
def test_light_novel_published_text(published: str, status: str, expected: tuple) -> None:
    row = f'X,7,1.0,1.0,1,"1,000",1,Light Novel,2,9,{status},"{published}",[],[],,,"Y (Story)",0,"[0, 0, 0]",5\n'
    batch = mal_works.parse_novels((NOVEL_HEADER + row).encode(), "n.csv")
    assert not batch.rejects
    assert (batch.manga[0].published_from, batch.manga[0].published_to) == expected


def test_light_novel_bad_date_rejected() -> None:
    row = (
        'X,7,1.0,1.0,1,"1,000",1,Light Novel,2,9,Finished,"sometime",[],[],,,"Y",0,"[0, 0, 0]",5\n'
    )
    batch = mal_works.parse_novels((NOVEL_HEADER + row).encode(), "n.csv")
    assert [(r.location, r.reason) for r in batch.rejects] == [
        ("n.csv:2", "not a MAL date: 'sometime'")
    ]


def test_missing_column_names_the_file() -> None:
    with pytest.raises(SourceFileError, match="missing column"):
        mal_works.parse_manga(b"Title,Score\nA,1\n", "m.csv")


def test_novelupdates(tiny_data: Path) -> None:
    path = tiny_data / "raw/novelupdates_2020/novels_tiny_2020-05-17.csv"
    batch = novelupdates.parse(path.read_bytes(), path.name)
    by_id = {n.novel_id: n for n in batch.novels}
    hige = by_id[7001]
    assert hige.aliases == (
        "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        "ひげを剃る。そして女子高生を拾う。",
    )
    assert (hige.complete, hige.chapters, hige.volumes, hige.start_year) == (False, 39, None, 2017)
    assert hige.observed_at == date(2020, 5, 17)
    assert (by_id[7003].volumes, by_id[7003].complete) == (4, True)
    assert by_id[7002].language == "chinese"


def test_novelupdates_bad_rows() -> None:
    header = (
        "id,name,assoc_names,original_langauge,start_year,original_publisher,complete_original,"
        "chapters_original_current\n"
    )
    rows = (
        "1,A,[],japanese,2015,x,maybe,4 volumes\n"
        "2,B,not a list,japanese,2015,x,True,4 volumes\n"
        "3,C,[],japanese,2015,x,True,about four\n"
        "4,,[],japanese,2015,x,True,4\n"
        "5,E,[],japanese,3015,x,,\n"
    )
    batch = novelupdates.parse((header + rows).encode(), "novels_2020-05-17.csv")
    assert [r.location.rsplit(":", 1)[1] for r in batch.rejects] == ["2", "3", "4", "5"]
    assert "complete_original" in batch.rejects[0].reason
    assert "not a count" in batch.rejects[2].reason
    assert [(n.novel_id, n.start_year, n.complete) for n in batch.novels] == [(5, None, None)]


def test_anilist_manga_crosswalk() -> None:
    data = b'[{"idAL": 1, "idMal": 2}, {"idAL": 3, "idMal": null}, {"idMal": 5}, "x"]'
    batch = anilist_manga.parse(data, "manga_2026-08-22.json")
    assert [(x.mal_id, x.external_id, x.observed_at) for x in batch.manga_id_links] == [
        (2, "1", date(2026, 8, 22))
    ]
    assert batch.skipped == 1
    assert [r.location for r in batch.rejects] == [
        "manga_2026-08-22.json[2]",
        "manga_2026-08-22.json[3]",
    ]
    with pytest.raises(SourceFileError, match="invalid JSON"):
        anilist_manga.parse(b"[", "manga_2026-08-22.json")


def test_lost_romaji_title_gives_way_to_the_english_one() -> None:
    manga, rejects = _manga(
        "u (GeGeGe no Kitaro),7,1,1,1,100,1,Manga,17,117,Finished,[],,,[],1965-01-01,1969-01-01,0,0,0,0,10499,u\n"
    )
    assert not rejects
    assert (manga[0].title, manga[0].title_english) == ("GeGeGe no Kitaro", None)
