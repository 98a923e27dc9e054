from __future__ import annotations

import doctest
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sequelcast.domain import Anime, Fact, Season
from sequelcast.forecast import dataset
from sequelcast.forecast.dataset import (
    FEATURE_COLUMNS,
    ForecastInputs,
    build_features,
    build_spells,
    censor_at,
    make_dataset,
    members_percentile,
)

AS_OF = date(2018, 5, 7)


def _season(
    fid: str,
    n: int,
    start: date,
    end: date | None,
    announced: date | None,
    mal_id: int | None = None,
    part: int | None = None,
) -> Season:
    return Season(fid, n, mal_id, None, f"{fid} {n}", start, end, 12, announced, part)


def test_doctests() -> None:
    assert doctest.testmod(dataset).failed == 0


def test_spells_durations_events_and_risk_set() -> None:
    seasons = {
        "a": [
            _season("a", 1, date(2010, 1, 1), date(2010, 3, 26), date(2009, 6, 1), 1),
            _season("a", 2, date(2013, 1, 1), date(2013, 3, 26), date(2012, 3, 26), 2),
        ],
        # next season announced before the finale: season 1 is never at risk
        "b": [
            _season("b", 1, date(2015, 1, 1), date(2015, 3, 26), date(2014, 6, 1), 3),
            _season("b", 2, date(2016, 1, 1), date(2016, 3, 26), date(2015, 3, 1), 4),
        ],
        # still airing at as_of, nothing after it known: at risk, nothing waited yet
        "c": [_season("c", 1, date(2018, 4, 1), date(2018, 6, 20), date(2017, 9, 1), 5)],
        # still airing, its successor already known: not at risk
        "e": [
            _season("e", 1, date(2018, 4, 1), date(2018, 6, 20), date(2017, 9, 1), 8),
            _season("e", 2, date(2019, 4, 1), date(2019, 6, 20), date(2018, 5, 1), 9),
        ],
        # season 2 announced only after as_of: season 1 is censored and at risk
        "d": [
            _season("d", 1, date(2016, 1, 1), date(2016, 3, 26), date(2015, 6, 1), 6),
            _season("d", 2, date(2019, 1, 1), date(2019, 3, 26), date(2018, 6, 1), 7),
        ],
    }
    spells = build_spells(seasons, AS_OF)
    assert list(spells.index) == ["a:1", "a:2", "b:2", "c:1", "d:1"]
    c1 = spells.loc["c:1"]
    assert c1["at_risk"]
    assert c1["airing"]
    assert not c1["event"]
    assert c1["duration"] == pytest.approx(1 / 365.25)
    assert not spells.loc[["a:1", "a:2", "b:2", "d:1"], "airing"].any()
    a1 = spells.loc["a:1"]
    assert a1["event"]
    assert not a1["at_risk"]
    assert a1["duration"] == pytest.approx((date(2012, 3, 26) - date(2010, 3, 26)).days / 365.25)
    assert spells.loc["a:2", "at_risk"]
    assert not spells.loc["a:2", "event"]
    assert spells.loc["a:2", "duration"] == pytest.approx((AS_OF - date(2013, 3, 26)).days / 365.25)
    assert spells.loc["d:1", "at_risk"]
    assert not spells.loc["d:1", "event"]
    assert (spells["duration"] > 0).all()


def test_spell_end_estimated_from_episodes_and_undated_season_skipped() -> None:
    s1 = replace(_season("a", 1, date(2010, 1, 1), None, None, 1), episodes=13)
    undated = Season("a", 2, 2, None, "a 2", None, None, None, None)
    spells = build_spells({"a": [s1, undated]}, AS_OF)
    assert spells.loc["a:1", "end"] == date(2010, 3, 26)
    assert spells.loc["a:1", "at_risk"]


def test_old_show_dated_by_its_broadcast_season() -> None:
    old = Season("f", 1, 1, None, "Old", None, None, None, date(2012, 9, 22))
    entry = Anime(1, "Old", episodes=26, season="spring", year=1998)
    est = dataset.estimate_dates(old, entry)
    assert (est.start, est.episodes) == (date(1998, 4, 1), 26)
    data = make_dataset(ForecastInputs({"f": [est]}, {1: entry}), AS_OF)
    assert data.spells.loc["f:1", "at_risk"]
    assert data.spells.loc["f:1", "estimated"]
    assert dataset.estimate_dates(old, Anime(1, "Old")) is old  # no year: left undated


def test_started_season_without_end_or_episodes_is_airing_and_estimated() -> None:
    long_runner = Season(
        "a", 1, 1, None, "Long runner", date(1993, 4, 1), None, None, date(1993, 1, 1)
    )
    spells = build_spells({"a": [long_runner]}, AS_OF)
    row = spells.loc["a:1"]
    assert row["at_risk"]
    assert row["airing"]
    assert row["estimated"]
    assert row["duration"] == pytest.approx(1 / 365.25)
    assert row["episodes_aired"] > 1000  # one a week since 1993


def test_undated_franchise_placed_by_title_year_or_first_sighting() -> None:
    from sequelcast.domain import Snapshot
    from sequelcast.forecast.dataset import inputs_from_snapshot, waiting_franchises

    class F:  # what inputs_from_snapshot reads of a franchise
        def __init__(self, fid: str, seasons: list[Season]) -> None:
            self.id, self.seasons, self.others = fid, seasons, []

    old = Season("old", 1, None, 7, "Old show", None, None, None, date(2012, 9, 22))
    young = Season("young", 1, None, 8, "New show", None, None, None, date(2018, 1, 10))
    titled = Season("titled", 1, None, 9, "Robotan (1989)", None, None, None, date(2018, 3, 22))
    dated = _season("dated", 1, date(2010, 1, 1), date(2010, 3, 26), date(2009, 6, 1), 1)
    tba = Season("dated", 2, None, 10, "dated 2", None, None, None, date(2012, 9, 22))
    franchises = [
        F("old", [old]),
        F("young", [young]),
        F("titled", [titled]),
        F("dated", [dated, tba]),
    ]
    inputs = inputs_from_snapshot(Snapshot(as_of=AS_OF), franchises)
    sbf = inputs.seasons_by_franchise
    assert sbf["old"][0].start == date(2012, 9, 22)  # first sighting, over a year before as_of
    assert sbf["young"][0].start is None  # seen four months ago: may not have aired
    assert sbf["titled"][0].start == date(1989, 1, 1)
    assert sbf["dated"][1].start is None  # after a dated season: announced (TBA), not placed
    assert waiting_franchises(sbf, AS_OF) == ["old", "titled"]
    data = make_dataset(inputs, AS_OF)
    risk = data.spells[data.spells["at_risk"]]
    assert set(risk["franchise_id"]) == {"old", "titled"}
    assert risk["estimated"].all()
    assert (data.X.loc[risk.index, "dates_estimated"] == 1.0).all()


def test_members_percentile_mid_rank() -> None:
    year = np.array([1.0, 2.0, 2.0, 4.0])
    assert members_percentile(2.0, year) == pytest.approx(0.5)
    assert members_percentile(5.0, year) == pytest.approx(1.0)
    assert math.isnan(members_percentile(math.nan, year))
    assert math.isnan(members_percentile(1.0, None))


def test_features_have_the_documented_columns(inputs_at: Callable[[date], ForecastInputs]) -> None:
    data = make_dataset(inputs_at(AS_OF), AS_OF)
    assert tuple(data.X.columns) == FEATURE_COLUMNS
    assert data.X.index.equals(data.spells.index)
    assert data.X["members_pct_year"].between(0, 1).all()
    src = data.X[[c for c in FEATURE_COLUMNS if c.startswith("src_")]]
    assert (src.sum(axis=1) == 1).all()


def test_no_look_ahead(
    full_inputs: ForecastInputs, inputs_at: Callable[[date], ForecastInputs]
) -> None:
    """The features and spells at as_of are the same with or without later data."""
    filtered = make_dataset(inputs_at(AS_OF), AS_OF)
    unfiltered = make_dataset(
        ForecastInputs(
            full_inputs.seasons_by_franchise,
            full_inputs.entries,
            full_inputs.history,
            {
                k: v
                for k, v in full_inputs.others_count.items()
                if k in inputs_at(AS_OF).others_count
            },
        ),
        AS_OF,
    )
    pd.testing.assert_frame_equal(filtered.X, unfiltered.X)
    pd.testing.assert_frame_equal(filtered.spells, unfiltered.spells)
    # the full data really holds later facts and seasons
    later = [f for facts in full_inputs.history.values() for f in facts if f.observed_at > AS_OF]
    assert later
    assert len(make_dataset(full_inputs, date(2026, 8, 20)).spells) > len(filtered.spells)


def test_volatile_values_come_from_history_as_of() -> None:
    s1 = _season("a", 1, date(2010, 1, 1), date(2010, 3, 26), date(2009, 6, 1), 1)
    entry = Anime(1, "a", type="TV", start_date=date(2010, 1, 1), members=999_999, score=9.9)
    history = {
        1: [
            Fact(1, "members", 1000, date(2012, 1, 1), "t"),
            Fact(1, "members", 5000, date(2020, 1, 1), "t"),
            Fact(1, "score", 8.0, date(2020, 1, 1), "t"),
        ]
    }
    spells = build_spells({"a": [s1]}, AS_OF)
    X = build_features(spells, {"a": [s1]}, {1: entry}, history, {}, AS_OF)
    assert X.loc["a:1", "log_members"] == pytest.approx(math.log1p(1000))
    assert math.isnan(X.loc["a:1", "score"])  # only observed after as_of


def test_entry_value_used_without_history() -> None:
    s1 = _season("a", 1, date(2010, 1, 1), date(2010, 3, 26), date(2009, 6, 1), 1)
    entry = Anime(
        1,
        "a",
        type="TV",
        start_date=date(2010, 1, 1),
        members=100,
        score=7.5,
        last_observed=date(2018, 5, 7),
    )
    spells = build_spells({"a": [s1]}, AS_OF)
    X = build_features(spells, {"a": [s1]}, {1: entry}, {}, {"a": 3}, AS_OF)
    assert X.loc["a:1", "score"] == pytest.approx(7.5)
    assert X.loc["a:1", "log_others"] == pytest.approx(math.log1p(3))
    late = replace(entry, last_observed=date(2026, 1, 1))
    X = build_features(spells, {"a": [s1]}, {1: late}, {}, {}, AS_OF)
    assert math.isnan(X.loc["a:1", "score"])


def test_studio_record_leaves_own_franchise_out() -> None:
    seasons = {}
    entries = {}
    for i, fid in enumerate("abc"):
        s1 = _season(fid, 1, date(2010, 1, 1), date(2010, 3, 26), date(2009, 6, 1), 10 * i + 1)
        s2 = _season(fid, 2, date(2012, 1, 1), date(2012, 3, 26), date(2011, 6, 1), 10 * i + 2)
        seasons[fid] = [s1, s2] if fid != "c" else [s1]
        for s in seasons[fid]:
            entries[s.mal_id] = Anime(
                s.mal_id, s.title, type="TV", start_date=s.start, studios=("S",)
            )
    spells = build_spells(seasons, AS_OF)
    X = build_features(spells, seasons, entries, {}, {}, AS_OF)
    base = spells["event"].mean()  # 2 events among 5 spells
    # franchise c sees a and b: 4 spells, 2 events
    assert X.loc["c:1", "studio_rate"] == pytest.approx((2 + 10 * base) / (4 + 10))
    # franchise a sees b (2 spells, 1 event) and c (1 spell, 0 events)
    assert X.loc["a:1", "studio_rate"] == pytest.approx((1 + 10 * base) / (3 + 10))


def test_censor_at_views_spells_earlier(inputs_at: Callable[[date], ForecastInputs]) -> None:
    inputs = inputs_at(AS_OF)
    data = make_dataset(inputs, AS_OF)
    earlier = censor_at(data.spells, inputs.seasons_by_franchise, date(2015, 5, 7))
    assert set(earlier.index) <= set(data.spells.index)
    ended = earlier[~earlier["airing"]]
    assert (ended["end"] <= date(2015, 5, 7)).all()
    assert (earlier.loc[earlier["airing"], "start"] <= date(2015, 5, 7)).all()
    assert earlier.loc[earlier["airing"], "at_risk"].all()
    assert len(earlier) < len(data.spells)
    assert earlier["event"].sum() < data.spells["event"].sum()


def test_disc_sales_used_only_after_the_delay_and_missing_flagged() -> None:
    from sequelcast.domain import SourceFeatures

    s1 = Season("f", 1, 1, None, "A", date(2012, 1, 1), date(2012, 3, 20), 12, date(2011, 6, 1))
    g1 = Season("g", 1, 2, None, "B", date(2012, 1, 1), date(2012, 3, 20), 12, date(2011, 6, 1))
    history = {1: [Fact(1, "disc_sales", 9.0, date(2012, 4, 1), "disc_sales")]}
    sf = {
        1: SourceFeatures(
            True,
            "light_novel",
            finished=True,
            volumes=5,
            episodes_per_volume=2.4,
            summary="light novel, 5 volumes, finished 2021: little left to adapt",
        )
    }
    inputs = ForecastInputs(
        {"f": [s1], "g": [g1]},
        {1: Anime(1, "A", studios=("Studio A",)), 2: Anime(2, "B")},
        history,
        source_features=sf,
    )
    early = make_dataset(inputs, date(2012, 5, 1))  # known, but the season ended < 90 days ago
    assert math.isnan(early.X.loc["f:1", "log_disc_sales"])
    assert early.X.loc["f:1", "disc_sales_missing"] == 1.0
    later = make_dataset(inputs, date(2013, 1, 1))
    assert later.X.loc["f:1", "log_disc_sales"] == pytest.approx(math.log1p(9.0))
    assert later.X.loc["f:1", "disc_sales_missing"] == 0.0
    assert later.X.loc["g:1", "disc_sales_missing"] == 1.0
    assert later.X.loc["f:1", "src_finished"] == 1.0
    assert later.X.loc["f:1", "src_volumes_per_episode"] == pytest.approx(1 / 2.4)
    assert later.X.loc["g:1", "src_linked"] == 0.0
    assert later.spells.loc["f:1", "studio"] == "Studio A"
    assert "5 volumes" in later.spells.loc["f:1", "source_summary"]


@pytest.mark.parametrize(
    ("announced", "expected"),
    [
        (date(2009, 1, 1), 1.0),  # listed a year before it aired
        (date(2003, 1, 1), dataset.MAX_LEAD_YEARS),  # capped
        (date(2010, 2, 1), 0.0),  # first seen once airing
        (None, math.nan),
        (date(2019, 1, 1), math.nan),  # a sighting after as_of is not known on as_of
    ],
)
def test_lead_years_from_the_first_sighting_known_on_as_of(
    announced: date | None, expected: float
) -> None:
    s1 = _season("a", 1, date(2010, 1, 1), date(2010, 3, 26), announced, 1)
    entry = Anime(1, "a", type="TV", start_date=date(2010, 1, 1))
    X = build_features(build_spells({"a": [s1]}, AS_OF), {"a": [s1]}, {1: entry}, {}, {}, AS_OF)
    got = X.loc["a:1", "lead_years"]
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=0.01)
