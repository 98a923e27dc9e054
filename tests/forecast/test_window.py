from __future__ import annotations

import doctest
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sequelcast.domain import Anime, Season
from sequelcast.errors import DataError
from sequelcast.forecast import window
from sequelcast.forecast.dataset import ForecastInputs
from sequelcast.forecast.window import (
    AiringLagModel,
    airing_lags,
    median_years,
    quarter_label,
    release_window,
)

AS_OF = date(2018, 5, 7)


def test_doctests() -> None:
    assert doctest.testmod(window).failed == 0


def _s(
    fid: str,
    n: int,
    start: date | None,
    announced: date | None,
    mal_id: int,
    part: int | None = None,
) -> Season:
    return Season(fid, n, mal_id, None, f"{fid}{n}", start, None, 12, announced, part)


def test_airing_lags_observed_censored_and_excluded() -> None:
    seasons = {
        "a": [
            _s("a", 1, date(2010, 1, 1), date(2009, 1, 1), 1),
            _s("a", 2, date(2013, 1, 1), date(2012, 1, 1), 2),
        ],  # lag 1 year, aired
        "b": [
            _s("b", 1, date(2014, 1, 1), date(2013, 1, 1), 3),
            _s("b", 2, date(2019, 1, 1), date(2017, 5, 7), 4),
        ],  # not aired: censored
        "c": [
            _s("c", 1, date(2014, 1, 1), date(2013, 1, 1), 5),
            _s("c", 2, date(2015, 1, 1), date(2015, 6, 1), 6),
        ],  # seen after start
        "d": [
            _s("d", 1, date(2014, 1, 1), date(2013, 1, 1), 7),
            _s("d", 2, date(2020, 1, 1), date(2019, 1, 1), 8),
        ],  # announced later
    }
    entries = {2: Anime(2, "a2", source_type="Manga")}
    lags = airing_lags(seasons, entries, AS_OF)
    assert len(lags) == 2
    aired = lags[lags["aired"]].iloc[0]
    assert aired["lag"] == pytest.approx(366 / 365.25)
    assert aired["group"] == "manga"
    censored = lags[~lags["aired"]].iloc[0]
    assert censored["lag"] == pytest.approx(1.0, abs=0.01)


def test_airing_lags_drop_the_left_censored_heap() -> None:
    heap = date(2012, 9, 22)
    seasons = {
        f"f{i}": [
            _s(f"f{i}", 1, date(2008, 1, 1), heap, 10 * i),
            _s(f"f{i}", 2, date(2013, 1, 1), heap, 10 * i + 1),
        ]
        for i in range(window.HEAP_MIN)
    }
    seasons["z"] = [
        _s("z", 1, date(2014, 1, 1), date(2013, 6, 1), 1),
        _s("z", 2, date(2016, 1, 1), date(2015, 1, 1), 2),
    ]
    lags = airing_lags(seasons, {}, AS_OF)
    assert len(lags) == 1


def test_lag_model_pmf_sums_to_one_and_falls_back() -> None:
    rng = np.random.default_rng(1)
    lags = pd.DataFrame(
        {
            "lag": rng.uniform(0.2, 2.0, 80),
            "aired": rng.random(80) < 0.9,
            "group": ["manga"] * 40 + ["novel"] * 40,
        }
    )
    model = AiringLagModel(min_group=30).fit(lags)
    assert model.pmf().sum() == pytest.approx(1.0)
    assert model.pmf("manga").sum() == pytest.approx(1.0)
    assert model.pmf("game") is model.pmf("all")
    assert 0.2 <= model.median_years_ <= 2.0


def test_lag_model_needs_aired_seasons() -> None:
    with pytest.raises(DataError, match="no season was both announced and aired"):
        AiringLagModel().fit(pd.DataFrame({"lag": [1.0], "aired": [False], "group": ["x"]}))


def test_release_window_probabilities_sum_to_one() -> None:
    months = np.arange(1, 121)
    cdf = 1 - np.exp(-0.02 * months)  # announcement cdf over 10 years
    lag = np.zeros(61)
    lag[12] = 1.0  # airs exactly a year after the announcement
    w = release_window(cdf, lag, AS_OF, coverage=0.5)
    total = sum(p for _, p in w.quarters) + w.beyond
    assert total == pytest.approx(1.0)
    assert w.beyond == pytest.approx(1 - cdf[-13], abs=1e-9)
    assert w.conditional_probability >= 0.5
    assert w.label.startswith("2019")


def test_release_window_point_mass() -> None:
    cdf = np.zeros(24)
    cdf[2:] = 1.0  # announced in month 3 (July 2018)
    lag = np.zeros(61)
    lag[6] = 1.0  # six months later: January 2019
    w = release_window(cdf, lag, AS_OF)
    assert (w.start, w.end) == ("2019 Q1", "2019 Q1")
    assert w.label == "2019 Q1"
    assert w.probability == pytest.approx(1.0)


def test_release_window_with_nothing_likely() -> None:
    w = release_window(np.zeros(12), np.eye(1, 61).ravel(), AS_OF)
    assert w.label == "no window"
    assert w.beyond == pytest.approx(1.0)


def test_release_window_rejects_bad_coverage() -> None:
    with pytest.raises(DataError, match="coverage"):
        release_window(np.zeros(12), np.eye(1, 61).ravel(), AS_OF, coverage=0.0)


def test_quarters_and_median() -> None:
    assert quarter_label(date(2028, 4, 1)) == "2028 Q2"
    assert median_years([0.1, 0.2]) is None
    assert median_years([0.5]) == pytest.approx(1 / 12)


def test_lags_from_synthetic_data(inputs_at: Callable[[date], ForecastInputs]) -> None:
    inputs = inputs_at(AS_OF)
    lags = airing_lags(inputs.seasons_by_franchise, inputs.entries, AS_OF)
    assert lags["aired"].sum() > 30
    assert (lags["lag"] >= 0).all()
    model = AiringLagModel().fit(lags)
    assert 0.3 <= model.median_years_ <= 2.0  # the simulation draws 4 to 23 months
