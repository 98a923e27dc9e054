"""Source material: works as of a date, linking by title (and refusing), features and words."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sequelcast.asof import snapshot_from_batches
from sequelcast.catalog import Catalog
from sequelcast.domain import Anime, MangaRecord, NovelRecord, Relation
from sequelcast.service import build_catalog
from sequelcast.source_material import (
    collect_works,
    link_sources,
    source_features,
    summarize,
    work_as_of,
)
from sequelcast.source_material.evaluate import CheckedLink, coverage, precision
from sequelcast.sources import load_batches

SEEN = date(2024, 12, 31)


def _work(
    mid: int,
    title: str,
    type_: str = "Light Novel",
    *,
    english: str | None = None,
    start: date | None = date(2010, 1, 1),
    end: date | None = None,
    status: str = "Publishing",
    volumes: int | None = None,
    members: int = 1000,
    source: str = "mal_lightnovels_2024",
) -> MangaRecord:
    return MangaRecord(
        mid,
        title,
        english,
        None,
        type_,
        volumes,
        None,
        status,
        start,
        end,
        7.0,
        members,
        SEEN,
        source,
    )


def _anime(
    mal_id: int,
    title: str,
    source: str = "Light novel",
    *,
    start: date | None = date(2015, 1, 1),
    episodes: int | None = 12,
    **kw: object,
) -> Anime:
    return Anime(
        mal_id=mal_id,
        title=title,
        type="TV",
        source_type=source,
        start_date=start,
        episodes=episodes,
        **kw,
    )  # type: ignore[arg-type]


def _links(
    entries: list[Anime],
    works: list[MangaRecord],
    novels: list[NovelRecord] = (),
    relations: list[Relation] = (),
) -> dict:
    return link_sources({a.mal_id: a for a in entries}, collect_works(works, novels), relations)


# -- works as of a date ----------------------------------------------------------------------

HIGE = _work(
    116201,
    "Hige wo Soru. Soshite Joshikousei wo Hirou.",
    start=date(2018, 2, 1),
    end=date(2021, 6, 1),
    status="Finished",
    volumes=5,
)


@pytest.mark.parametrize(
    ("as_of", "status", "volumes", "end"),
    [
        (None, "Finished", 5, date(2021, 6, 1)),
        (date(2025, 1, 1), "Finished", 5, date(2021, 6, 1)),
        (date(2021, 6, 1), "Finished", 5, date(2021, 6, 1)),
        (date(2021, 5, 31), "Publishing", None, None),
        (date(2018, 2, 1), "Publishing", None, None),
    ],
    ids=["everything", "after-observation", "end-day", "day-before-end", "start-day"],
)
def test_work_as_of(as_of: date | None, status: str, volumes: int | None, end: date | None) -> None:
    w = work_as_of(HIGE, as_of)
    assert w is not None
    assert (w.status, w.volumes, w.published_to) == (status, volumes, end)


def test_work_unknown_before_it_starts_and_status_unknown_without_end() -> None:
    assert work_as_of(HIGE, date(2018, 1, 31)) is None
    no_end = dataclasses.replace(HIGE, published_to=None)
    w = work_as_of(no_end, date(2020, 1, 1))
    assert w is not None
    assert (w.status, w.volumes) == (None, None)


def test_work_as_of_is_idempotent_and_order_free() -> None:
    for later, earlier in [
        (date(2022, 1, 1), date(2019, 1, 1)),
        (date(2020, 1, 1), date(2019, 1, 1)),
    ]:
        via_later = work_as_of(work_as_of(HIGE, later), earlier)  # type: ignore[arg-type]
        assert via_later == work_as_of(HIGE, earlier)
        assert work_as_of(work_as_of(HIGE, earlier), earlier) == work_as_of(HIGE, earlier)  # type: ignore[arg-type]


# -- linking ---------------------------------------------------------------------------------


def test_higehiro_links_to_its_light_novel_not_the_manga() -> None:
    hige = _anime(
        40938,
        "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        start=date(2021, 4, 5),
        episodes=13,
        synonyms=("Higehiro",),
    )
    manga = _work(
        117000,
        "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        "Manga",
        start=date(2018, 12, 26),
        source="mal_manga_2024",
    )
    links = _links([hige], [HIGE, manga])
    assert links[40938].work.work_id == 116201
    assert links[40938].kind == "light_novel"


def test_work_must_start_before_the_anime() -> None:
    anime = _anime(1, "Some Story", start=date(2015, 1, 1))
    assert _links([anime], [_work(10, "Some Story", start=date(2016, 1, 1))]) == {}
    assert _links([anime], [_work(10, "Some Story", start=None)])[1].work.work_id == 10


def test_source_type_must_be_compatible() -> None:
    assert _links([_anime(1, "Some Story", "Manga")], [_work(10, "Some Story")]) == {}
    assert _links([_anime(1, "Some Story", "Original")], [_work(10, "Some Story")]) == {}
    assert (
        _links([_anime(1, "Some Story", "Web manga")], [_work(10, "Some Story", "Manhwa")])[
            1
        ].work.work_id
        == 10
    )


def test_english_title_and_season_markers() -> None:
    anime = _anime(
        2,
        "Tate no Yuusha no Nariagari Season 2",
        title_english="The Rising of the Shield Hero Season 2",
    )
    work = _work(67617, "Tate no Yuusha no Nariagari", english="The Rising of the Shield Hero")
    assert _links([anime], [work])[2].work.work_id == 67617


def test_close_spelling_scores_below_exact() -> None:
    anime = _anime(3, "Kenkou Zenrakei Suiei-bu Umishou", "Manga")
    link = _links([anime], [_work(1154, "Kenkou Zenrakei Suieibu Umishou", "Manga")])[3]
    assert 92 <= link.score < 100


def test_refuses_when_two_works_are_equally_good() -> None:
    anime = _anime(4, "Twin Title")
    older = date(2008, 1, 1)
    assert (
        _links(
            [anime],
            [
                _work(1, "Twin Title", members=1000),
                _work(2, "Twin Title", members=900, start=older),
            ],
        )
        == {}
    )
    # a far more popular one wins a tie
    twins = [
        _work(1, "Twin Title", members=10000),
        _work(2, "Twin Title", members=900, start=older),
    ]
    assert _links([anime], twins)[4].work.work_id == 1


def test_refuses_a_near_rival_and_a_weak_match() -> None:
    anime = _anime(5, "Magical Academy Story")
    near = [
        _work(1, "Magical Academy Storey"),
        _work(2, "Magical Academy Storeys"),
    ]  # 97.7 and 95.5
    assert _links([anime], near) == {}
    assert _links([anime], [_work(3, "Magical Academy Chronicle")]) == {}


def test_stop_word_titles_never_match() -> None:
    anime = _anime(6, "Mahou Shoujo ni Akogarete", "Web manga", synonyms=("&",))
    assert _links([anime], [_work(23519, "&", "Manga")]) == {}


def test_series_name_before_a_colon() -> None:
    anime = _anime(7, "Bleach: Sennen Kessen-hen - Soukoku-tan", "Manga")
    assert _links([anime], [_work(12, "Bleach", "Manga")])[7].work.work_id == 12


def test_sequel_takes_the_first_season_link() -> None:
    first = _anime(10, "Kaguya Story", "Manga")
    second = _anime(11, "Totally Different Name", "Manga", start=date(2019, 1, 1))
    rel = Relation(10, 11, "sequel", "x", date(2020, 1, 1), "x")
    links = _links([first, second], [_work(100, "Kaguya Story", "Manga")], relations=[rel])
    assert links[11].work.work_id == 100
    assert links[11].via_mal_id == 10


def test_novelupdates_only_when_mal_has_nothing() -> None:
    nu = NovelRecord(
        7001,
        "I Shaved. Then I Brought a High School Girl Home.",
        ("ひげを剃る。そして女子高生を拾う。",),
        "japanese",
        None,
        2017,
        False,
        None,
        39,
        date(2020, 5, 17),
        "nu",
    )
    anime = _anime(
        40938,
        "Hige wo Soru. Soshite Joshikousei wo Hirou.",
        title_japanese="ひげを剃る。そして女子高生を拾う。",
        start=date(2021, 4, 5),
    )
    assert _links([anime], [], [nu])[40938].work.source == "novelupdates"
    assert _links([anime], [HIGE], [nu])[40938].work.source == "mal"


def test_same_work_under_two_ids_is_kept_once() -> None:
    a = _work(5450, "Zero no Tsukaima", source="mal_lightnovels_2024")
    b = _work(1926, "Zero no Tsukaima", source="mal_manga_2024")
    assert [w.work_id for w in collect_works([b, a], [])] == [5450]
    assert _links([_anime(8, "Zero no Tsukaima")], [a, b])[8].work.work_id == 5450


# -- features and words ----------------------------------------------------------------------


def test_summary_words() -> None:
    from sequelcast.domain import SourceFeatures

    f = SourceFeatures(
        linked=True, kind="light_novel", finished=True, end=date(2021, 6, 1), volumes=5
    )
    assert summarize(f, 13) == "light novel, 5 volumes, finished June 2021: little left to adapt"
    assert summarize(f, 5).endswith("some left to adapt")  # 5 - 5 / 2.5 = 3 volumes left
    assert summarize(dataclasses.replace(f, volumes=30), 12).endswith("plenty left to adapt")
    running = SourceFeatures(
        linked=True, kind="manga", finished=False, years_running=8.7, volumes_estimate=16.2
    )
    assert (
        summarize(running, 24)
        == "manga, about 16 volumes, still publishing for 9 years: more keeps coming"
    )
    assert summarize(SourceFeatures(linked=False), None) == "no source work linked"


def test_tiny_snapshot_features_as_of(tiny_data: Path) -> None:
    batches = load_batches(tiny_data)
    now = snapshot_from_batches(batches).source_features
    assert now[40938].work_id == 116201
    assert (now[40938].finished, now[40938].volumes, now[40938].end) == (True, 5, date(2021, 6, 1))
    assert now[40938].episodes_per_volume == 2.6
    assert now[40938].summary == "light novel, 5 volumes, finished June 2021: little left to adapt"
    assert now[100].work_id == 9001
    assert now[100].finished is False
    then = snapshot_from_batches(batches, date(2018, 5, 7)).source_features
    assert 40938 not in then  # not known yet
    assert (then[100].work_id, then[100].finished, then[100].end) == (9001, False, None)
    assert then[100].years_running == pytest.approx(6.18, abs=0.01)
    assert then[100].summary.startswith("light novel")
    assert "still publishing" in then[100].summary


def test_every_manga_or_novel_source_tv_anime_gets_an_entry() -> None:
    entries = {1: _anime(1, "Nothing Like It"), 2: _anime(2, "Orig", "Original")}
    out = source_features(entries, [], [], [], date(2020, 1, 1))
    assert out == {1: dataclasses.replace(out[1], linked=False)}
    assert out[1].kind == "light_novel"
    assert out[1].summary == "no source work linked"


def test_precision_and_coverage() -> None:
    entries = [_anime(1, "Alpha Story"), _anime(2, "Beta Story"), _anime(3, "Gamma", "Original")]
    links = _links(entries, [_work(10, "Alpha Story")])
    checked = [CheckedLink(1, "mal", 10, True), CheckedLink(2, "mal", 11, True)]
    p = precision(links, checked)
    assert (p.checked, p.still_made, p.correct, p.value) == (2, 1, 1, 1.0)
    assert (
        precision(links, [CheckedLink(1, "mal", 99, True)]).value == 0.0
    )  # now linked elsewhere: unchecked
    assert coverage({a.mal_id: a for a in entries}, links) == {"light_novel": (2, 1), "all": (2, 1)}


@pytest.mark.parametrize(
    "as_of", [None, date(2018, 5, 7), date(2020, 1, 1)], ids=["all", "2018", "2020"]
)
def test_catalog_snapshot_and_parsed_files_agree(
    catalog: Catalog, tiny_data: Path, as_of: date | None
) -> None:
    build_catalog(catalog, tiny_data)
    from_files = snapshot_from_batches(load_batches(tiny_data), as_of).source_features
    assert from_files
    assert catalog.snapshot(as_of).source_features == from_files


def test_as_of_build_stores_features_of_that_date(catalog: Catalog, tiny_data: Path) -> None:
    build_catalog(catalog, tiny_data, date(2018, 5, 7))
    rows = {r["mal_id"]: r for r in catalog.source_links()}
    assert rows[100]["work_id"] == 9001
    assert rows[100]["finished"] == 0
    assert rows[100]["published_to"] is None
    assert 40938 not in rows


def test_variants_only_when_the_titles_give_nothing_confident() -> None:
    works = [_work(13245, "Chihayafuru", "Manga"), _work(18, "Kodomo no Omocha", "Manga")]
    links = _links(
        [_anime(14397, "Chihayafuru 2", "Manga"), _anime(1486, "Kodomo no Omocha (TV)", "Manga")],
        works,
    )
    assert links[14397].work.work_id == 13245
    assert links[1486].work.work_id == 18
    # a confident match of the plain titles wins over a variant's
    sweet = [
        _work(1397, "Chi's Sweet Home", "Manga", start=date(2004, 1, 1)),
        _work(114073, "Chi's Sweet Adventure", "Manga", start=date(2016, 1, 1)),
    ]
    chi = _anime(
        33240,
        "Koneko no Chi",
        "Manga",
        start=date(2016, 10, 2),
        title_english="Chi's Sweet Adventure",
        synonyms=("Chi's Sweet Home (2016)",),
    )
    assert _links([chi], sweet)[33240].work.work_id == 114073


def test_a_mal_work_beats_an_exact_novelupdates_title() -> None:
    nu = NovelRecord(
        935,
        "Maria-sama ga Miteru",
        ("Marimite",),
        "japanese",
        None,
        1998,
        True,
        None,
        None,
        date(2020, 5, 17),
        "nu",
    )
    anime = _anime(3750, "Maria-sama ga Miteru 4th", synonyms=("MariMite 4",))
    assert (
        _links([anime], [_work(4177, "Maria-sama ga Miteru", start=date(1998, 5, 1))], [nu])[
            3750
        ].work.work_id
        == 4177
    )


def test_sequel_of_a_movie_takes_the_nearest_linked_prequel() -> None:
    movie = Anime(
        mal_id=20,
        title="Prologue Film",
        type="Movie",
        source_type="Manga",
        start_date=date(2014, 1, 1),
    )
    first = _anime(21, "Kaguya Story", "Manga")
    later = _anime(22, "Other Name", "Manga", start=date(2019, 1, 1))
    rels = [
        Relation(20, 21, "Sequel", "x", date(2023, 4, 17), "x"),
        Relation(22, 21, "Prequel", "x", date(2023, 4, 17), "x"),
    ]
    links = _links(
        [movie, first, later],
        [_work(100, "Kaguya Story", "Manga", start=date(2012, 1, 1))],
        relations=rels,
    )
    assert links[22].via_mal_id == 21
    assert 20 not in links  # not TV


def test_running_novel_estimate_anchored_on_a_novelupdates_count() -> None:
    from sequelcast.source_material._features import _Counts, features
    from sequelcast.source_material._link import SourceLink

    mal = collect_works(
        [_work(74697, "Re:Zero kara Hajimeru Isekai Seikatsu", start=date(2014, 1, 23))], []
    )[0]
    nu = NovelRecord(
        1,
        "Re:Zero",
        ("Re:Zero kara Hajimeru Isekai Seikatsu",),
        "japanese",
        None,
        2014,
        False,
        23,
        None,
        date(2020, 5, 17),
        "nu",
    )
    counts = _Counts(collect_works([], [nu]))
    link = SourceLink(31240, "light_novel", mal, 100.0, "x")
    rates = {"Light Novel": 2.0}
    anchored = features(link, date(2021, 5, 17), 25, rates, counts)
    assert anchored.volumes_estimate == pytest.approx(
        23 + 2.0, abs=0.1
    )  # 23 counted a year earlier + 2 a year
    before = features(link, date(2020, 1, 1), 25, rates, counts)  # the count was not made yet
    assert before.volumes_estimate == pytest.approx(2.0 * 5.94, abs=0.1)
    assert features(link, date(2021, 5, 17), 25, {}, counts).volumes_estimate == 23


@given(
    start=st.dates(date(1990, 1, 1), date(2024, 12, 31)),
    length=st.one_of(st.none(), st.integers(0, 8000)),
    status=st.sampled_from(["Finished", "Publishing", "On Hiatus", "Discontinued", None]),
    volumes=st.one_of(st.none(), st.integers(1, 100)),
    first=st.dates(date(1990, 1, 1), date(2026, 12, 31)),
    second=st.dates(date(1990, 1, 1), date(2026, 12, 31)),
)
def test_work_as_of_properties(
    start: date,
    length: int | None,
    status: str | None,
    volumes: int | None,
    first: date,
    second: date,
) -> None:
    """Idempotent, later-then-earlier equals earlier, and never claims more than the date knew."""
    from datetime import timedelta

    end = None if length is None else min(start + timedelta(days=length), SEEN)
    rec = _work(1, "W", start=start, end=end, status=status or "Finished", volumes=volumes)
    if status is None:
        rec = dataclasses.replace(rec, status=None)
    later, earlier = max(first, second), min(first, second)
    once = work_as_of(rec, earlier)
    assert work_as_of(once, earlier) == once if once is not None else True
    via_later = work_as_of(rec, later)
    assert (work_as_of(via_later, earlier) if via_later is not None else None) == once
    if once is not None and earlier < SEEN:
        assert once.published_from is not None
        assert once.published_from <= earlier
        assert once.published_to is None or once.published_to <= earlier
        assert once.volumes is None or once.published_to is not None
