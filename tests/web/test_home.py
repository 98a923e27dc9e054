"""The home page's lists (pure: built from franchises, forecasts and members)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sequelcast.domain import NextSeason, Season
from sequelcast.franchise import Franchise
from sequelcast.service._derive import franchise_json
from sequelcast.web._home import LIMIT, first_horizon, home_lists

AS_OF = date(2026, 8, 1)


def _season(fid: str, number: int, mal_id: int, start: date, end: date | None) -> Season:
    return Season(fid, number, mal_id, None, f"{fid} S{number}", start, end, 12, announced=None)


def _franchise(fid: str, seasons: list[Season], ns: NextSeason) -> dict[str, Any]:
    """A franchise as the build stores it (the JSON of ``sequelcast franchise --json``)."""
    return franchise_json(Franchise(fid, fid.title(), seasons, [], ns, []))


def _world() -> list[dict[str, Any]]:
    return [
        _franchise("late", [_season("late", 1, 1, date(2020, 1, 1), date(2020, 3, 1))],
                   NextSeason("announced", 11, None, "Late S2", first_seen=date(2025, 1, 1),
                              expected=date(2027, 4, 1))),
        _franchise("soon", [_season("soon", 1, 2, date(2021, 1, 1), date(2021, 3, 1))],
                   NextSeason("announced", None, 22, None, first_seen=date(2026, 7, 1),
                              expected=date(2026, 10, 1))),
        _franchise("tba", [_season("tba", 1, 3, date(2022, 1, 1), date(2022, 3, 1))],
                   NextSeason("announced", 33, None, "Tba S2", first_seen=None, expected=None)),
        _franchise("past", [_season("past", 1, 4, date(2019, 1, 1), date(2019, 3, 1))],
                   NextSeason("announced", 44, None, "Past S2", first_seen=date(2024, 1, 1),
                              expected=date(2025, 1, 1))),
        _franchise("airing", [_season("airing", 1, 5, date(2026, 7, 5), None)], NextSeason("none")),
        _franchise("airing-big", [_season("airing-big", 2, 6, date(2026, 7, 2), date(2026, 9, 20))],
                   NextSeason("none")),
        _franchise("ended", [_season("ended", 1, 7, date(2026, 1, 1), date(2026, 3, 20))],
                   NextSeason("none")),
        _franchise("future", [_season("future", 1, 8, date(2026, 10, 1), None)], NextSeason("none")),
    ]  # fmt: skip


FORECASTS = [
    {"franchise_id": "ended", "mal_id": 7, "title": "Ended S1", "p_1y": 0.2, "p_2y": 0.5},
    {"franchise_id": "airing", "mal_id": 5, "title": "Airing S1", "p_1y": 0.6, "p_2y": 0.8},
    {"franchise_id": "x", "mal_id": 9, "title": "No numbers"},
]


def test_announced_soonest_first_tba_last_and_past_dates_left_out() -> None:
    lists = home_lists(_world(), [], {}, AS_OF)
    assert [(x["title"], x["expected"]) for x in lists["announced"]] == [
        ("Soon: next season", "2026-10-01"),  # no title: named after the franchise
        ("Late S2", "2027-04-01"),
        ("Tba S2", None),
    ]
    # the link goes to the announced entry, else to the franchise's latest season
    assert [x["mal_id"] for x in lists["announced"]] == [2, 11, 33]


def test_recently_announced_newest_first_sighting_first() -> None:
    lists = home_lists(_world(), [], {}, AS_OF)
    assert [x["first_seen"] for x in lists["recent"]] == ["2026-07-01", "2025-01-01"]


def test_airing_now_most_followed_first_with_odds_when_known() -> None:
    lists = home_lists(_world(), FORECASTS, {5: 1_000, 6: 50_000}, AS_OF)
    rows = [(x["mal_id"], x["horizon"]) for x in lists["airing"]]
    assert rows == [(6, None), (5, (1.0, 0.6))]  # ended and not-yet-started shows are not airing


def test_most_likely_to_return_by_the_shortest_horizon() -> None:
    lists = home_lists([], FORECASTS, {}, AS_OF)
    assert [(x["title"], x["horizon"]) for x in lists["likely"]] == [
        ("Airing S1", (1.0, 0.6)),
        ("Ended S1", (1.0, 0.2)),
    ]


def test_lists_are_capped() -> None:
    many = [
        _franchise(f"f{i}", [_season(f"f{i}", 1, i, date(2020, 1, 1), date(2020, 3, 1))],
                   NextSeason("announced", 1000 + i, None, f"F{i} S2", expected=date(2027, 1, 1 + i)))
        for i in range(LIMIT + 5)
    ]  # fmt: skip
    assert len(home_lists(many, [], {}, AS_OF)["announced"]) == LIMIT


def test_first_horizon_ignores_missing_numbers() -> None:
    assert first_horizon({"p_1y": None, "p_3y": 0.4}) == (3.0, 0.4)
    assert first_horizon({"title": "x"}) is None


def test_announced_without_a_name_or_entry_is_named_after_the_franchise() -> None:
    seasons = [
        _season("kaiju", 1, 70, date(2020, 1, 1), date(2020, 3, 1)),
        Season("kaiju", 2, None, 99, "AniDB 99", None, None, None, announced=date(2026, 5, 1)),
    ]
    fr = _franchise(
        "kaiju", seasons, NextSeason("announced", None, 99, "AniDB 99", first_seen=date(2026, 5, 1))
    )
    (row,) = home_lists([fr], [], {}, AS_OF)["announced"]
    assert row["title"] == "Kaiju: next season"
    assert row["mal_id"] == 70  # the link goes to the latest season with a MAL entry
