from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sequelcast.forecast.dataset import ForecastInputs, SurvivalData, make_dataset
from sequelcast.forecast.explain import GROUPS, Factor, explain_forecasts, group_effects
from sequelcast.forecast.models import (
    CalibratedModel,
    CoxModel,
    DiscreteTimeBoostingModel,
    SurvivalModel,
)

AS_OF = date(2018, 5, 7)


@pytest.fixture(scope="module")
def data(inputs_at: Callable[[date], ForecastInputs]) -> SurvivalData:
    return make_dataset(inputs_at(AS_OF), AS_OF)


def _extremes(data: SurvivalData) -> pd.DataFrame:
    """Two copies of one show: very popular (row 0) and very unpopular (row 1)."""
    row = data.X.iloc[[0, 0]].copy()
    row.index = ["popular", "unpopular"]
    hi, lo = data.X.quantile(0.98), data.X.quantile(0.02)
    for col in ("log_members", "members_pct_year", "log_scored_by"):
        row.loc["popular", col] = hi[col]
        row.loc["unpopular", col] = lo[col]
    row["start_year"] = 2016.0
    return row


def _popularity(factors: list[Factor]) -> Factor:
    return next(f for f in factors if f.group == "popularity")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: CalibratedModel(CoxModel(), n_splits=3), id="cox"),
        pytest.param(lambda: DiscreteTimeBoostingModel(max_iter=30), id="discrete-boost"),
    ],
)
def test_popularity_factor_has_the_right_direction(
    make: Callable[[], SurvivalModel], data: SurvivalData
) -> None:
    model = make().fit(data.X, data.durations, data.events)
    X = _extremes(data)
    popular, unpopular = explain_forecasts(model, X, data.X, np.array([0.5, 0.5]), top=len(GROUPS))
    assert _popularity(popular).raises
    assert "top" in _popularity(popular).text
    assert _popularity(popular).text.endswith("raises the chance")
    assert not _popularity(unpopular).raises
    assert "bottom" in _popularity(unpopular).text
    assert _popularity(unpopular).text.endswith("lowers the chance")
    assert "of 2016 shows" in _popularity(popular).text


def test_long_wait_lowers_the_chance(data: SurvivalData) -> None:
    model = CoxModel().fit(data.X, data.durations, data.events)
    X = data.X.iloc[:1]
    (factors,) = explain_forecasts(model, X, data.X, np.array([9.0]))
    wait = next(f for f in factors if f.group == "waited")
    assert wait.text == "ended 9 years ago: lowers the chance"
    assert not wait.raises


def test_cox_effects_are_log_hazard_ratios(data: SurvivalData) -> None:
    cox = CoxModel().fit(data.X, data.durations, data.events)
    X = data.X.iloc[:7]
    effects, kind = group_effects(cox, X, data.X, np.zeros(7))
    assert kind == "log_hazard_ratio"
    # the group effects add up to the model's log hazard ratio against the training mean
    assert effects.sum(axis=1).to_numpy() == pytest.approx(cox.predict(X), abs=1e-9)


def test_factors_are_sorted_and_limited(data: SurvivalData) -> None:
    model = CoxModel().fit(data.X, data.durations, data.events)
    (factors,) = explain_forecasts(model, data.X.iloc[:1], data.X, np.array([1.0]), top=3)
    groups = [f for f in factors if f.group != "waited"]
    assert len(groups) == 3
    sizes = [abs(f.effect) for f in groups]
    assert sizes == sorted(sizes, reverse=True)
    assert all(": " in f.text for f in factors)


#: Groups whose words claim a direction ("top 5%", "23% of the time", "more keeps coming").
_DIRECTIONAL = ("popularity", "score", "studio", "source_left", "source_pace", "era")


def test_directional_groups_hold_only_monotone_columns() -> None:
    from sequelcast.forecast.models import MONOTONE

    for group in _DIRECTIONAL:
        assert set(GROUPS[group]) <= set(MONOTONE), group


def test_studio_record_never_contradicts_its_rate(data: SurvivalData) -> None:
    """A higher studio record never reads "lowers" while a lower one reads "raises"."""
    from sequelcast.forecast.models import MONOTONE

    model = DiscreteTimeBoostingModel(monotone=MONOTONE, random_state=0)
    model.fit(data.X, data.durations, data.events)
    X = data.X.iloc[:40]
    effects, _ = group_effects(model, X, data.X, np.ones(len(X)))
    ref = float(data.X["studio_rate"].median())
    rate = X["studio_rate"].to_numpy()
    eff = effects["studio"].to_numpy()
    assert (eff[rate > ref] >= -1e-9).all()
    assert (eff[rate < ref] <= 1e-9).all()


def test_binary_group_is_weighed_against_both_values(data: SurvivalData) -> None:
    """A one-column 0/1 group (``dates``) reads against the mix of both values in the training
    data: opposite signs for 0 and 1 under a monotone model, not "hardly changes" for the common
    value."""
    train = data.X.copy()
    rng = np.random.default_rng(0)
    # a binary column that carries signal: the shows that got a next season, with noise
    train["dates_estimated"] = np.where(
        rng.random(len(train)) < 0.8, data.events, ~data.events
    ).astype(float)
    model = DiscreteTimeBoostingModel(monotone={"dates_estimated": 1}, random_state=0)
    model.fit(train, data.durations, data.events)
    X = train.iloc[:30].copy()
    X["dates_estimated"] = [0.0, 1.0] * 15
    effects, _ = group_effects(model, X, train, np.ones(len(X)))
    eff = effects["dates"].to_numpy()
    flag = X["dates_estimated"].to_numpy()
    assert (eff[flag == 1.0] > 0).all()
    assert (eff[flag == 0.0] < 0).all()


def test_strongest_first_orders_rows_as_pandas_does_ties_and_missing_included() -> None:
    from sequelcast.forecast.explain import _strongest_first

    rng = np.random.default_rng(0)
    effects = rng.choice([-0.3, -0.1, 0.0, 0.1, 0.2, 0.3], size=(200, 30))  # many ties
    effects[5, 3] = np.nan
    got = _strongest_first(effects)
    for i in range(len(effects)):
        expected = pd.Series(np.abs(effects[i])).sort_values(ascending=False).index.to_numpy()
        assert got[i].tolist() == expected.tolist()
