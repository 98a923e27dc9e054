from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sequelcast.domain import Season
from sequelcast.errors import DataError, ModelError
from sequelcast.forecast.backtest import (
    BacktestResult,
    outcomes_for,
    run_backtest,
    select_model,
)
from sequelcast.forecast.dataset import ForecastInputs, build_spells, make_dataset
from sequelcast.forecast.models import (
    CalibratedModel,
    CoxModel,
    DiscreteTimeBoostingModel,
    KaplanMeierModel,
    PopularityLogisticModel,
    RuleOfThumbModel,
    SurvivalModel,
)

AS_OF = date(2016, 5, 7)
NEWEST = date(2026, 8, 20)
HORIZONS = (1.0, 2.0, 3.0, 5.0)


def fast_models() -> dict[str, SurvivalModel]:
    return {
        "cox": CalibratedModel(CoxModel(), n_splits=2),
        "discrete_boost": CalibratedModel(DiscreteTimeBoostingModel(max_iter=40), n_splits=2),
        "kaplan_meier": KaplanMeierModel(),
        "popularity_logistic": PopularityLogisticModel(),
        "rule_of_thumb": RuleOfThumbModel(),
    }


@pytest.fixture(scope="module")
def result(
    full_inputs: ForecastInputs, inputs_at: Callable[[date], ForecastInputs]
) -> BacktestResult:
    return run_backtest(
        inputs_at(AS_OF), full_inputs, AS_OF, NEWEST, HORIZONS, models=fast_models()
    )


def test_every_model_is_scored(result: BacktestResult) -> None:
    summary = result.summary()
    assert list(summary.index) == list(fast_models())
    for h in ("1", "2", "3", "5"):
        assert summary[f"td_auc_{h}"].notna().all()
        assert summary[f"ici_{h}"].between(0, 1).all()
    for s in result.scores.values():
        assert list(s.table.index) == list(HORIZONS)


def test_models_beat_the_base_rate(result: BacktestResult) -> None:
    summary = result.summary()
    km = summary.loc["kaplan_meier"]
    best = summary.loc[result.selected]
    assert best["c_index"] > km["c_index"] + 0.03
    assert best["td_auc_3"] > km["td_auc_3"] + 0.03


def test_selection_is_made_on_the_training_window(result: BacktestResult) -> None:
    assert result.selected in {"cox", "discrete_boost"}
    assert set(result.selection.index) == {"cox", "discrete_boost"}
    assert result.selection["c_index"].notna().all()


def test_outcomes_are_counted_from_as_of(
    result: BacktestResult, inputs_at: Callable[[date], ForecastInputs]
) -> None:
    data = make_dataset(inputs_at(AS_OF), AS_OF)
    at_risk = data.spells[data.spells["at_risk"]]
    assert set(result.outcomes.index) == set(at_risk.index)
    assert result.n_unmatched == 0
    follow = (NEWEST - AS_OF).days / 365.25
    assert (result.outcomes["duration"] <= follow + 1e-9).all()
    censored = result.outcomes[~result.outcomes["event"]]
    assert np.allclose(censored["duration"], follow)


def test_reliability_plot_is_written(result: BacktestResult, tmp_path: Path) -> None:
    out = result.plot_reliability(tmp_path / "reliability.png")
    assert out.exists()
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_outcomes_for_matches_by_mal_id_and_flags_early_ones() -> None:
    s1 = Season(
        "old-id", 1, 10, None, "A", date(2010, 1, 1), date(2010, 3, 26), 12, date(2009, 1, 1)
    )
    spells = build_spells({"old-id": [s1]}, AS_OF)
    renamed = Season(
        "new-id", 1, 10, None, "A", date(2010, 1, 1), date(2010, 3, 26), 12, date(2009, 1, 1)
    )
    nxt = Season(
        "new-id", 2, 11, None, "A2", date(2020, 1, 1), date(2020, 3, 26), 12, date(2019, 1, 1)
    )
    out, unmatched = outcomes_for(spells, {"new-id": [renamed, nxt]}, AS_OF, NEWEST)
    assert unmatched == 0
    assert out.loc["old-id:1", "event"]
    assert out.loc["old-id:1", "duration"] == pytest.approx(
        (date(2019, 1, 1) - AS_OF).days / 365.25
    )
    # a next season the newest data dates before as_of counts as announced right after it
    early = Season("new-id", 2, 11, None, "A2", date(2015, 1, 1), None, 12, date(2014, 1, 1))
    out, _ = outcomes_for(spells, {"new-id": [renamed, early]}, AS_OF, NEWEST)
    assert out.loc["old-id:1", "duration"] == pytest.approx(1 / 365.25)
    out, unmatched = outcomes_for(spells, {}, AS_OF, NEWEST)
    assert unmatched == 1
    assert out.empty


def test_outcome_date_must_follow_as_of() -> None:
    with pytest.raises(DataError, match="must be after as_of"):
        outcomes_for(pd.DataFrame(), {}, AS_OF, AS_OF)


def test_select_model_needs_candidates(inputs_at: Callable[[date], ForecastInputs]) -> None:
    inputs = inputs_at(AS_OF)
    with pytest.raises(ModelError, match="no candidate"):
        select_model(make_dataset(inputs, AS_OF), inputs.seasons_by_franchise, AS_OF, {})


@pytest.mark.slow
def test_default_models_backtest(
    full_inputs: ForecastInputs, inputs_at: Callable[[date], ForecastInputs]
) -> None:
    res = run_backtest(inputs_at(date(2018, 5, 7)), full_inputs, date(2018, 5, 7), NEWEST)
    summary = res.summary()
    assert res.selected not in {"kaplan_meier", "popularity_logistic", "rule_of_thumb"}
    assert summary.loc[res.selected, "td_auc_3"] > summary.loc["kaplan_meier", "td_auc_3"]


def test_coverage_is_the_share_of_waiting_franchises_scored(result: BacktestResult) -> None:
    assert result.n_waiting >= len(result.outcomes) > 0
    assert result.coverage == pytest.approx(len(result.outcomes) / result.n_waiting)
    assert (result.summary()["coverage"] == result.coverage).all()


def test_waiting_franchises_leave_out_an_announced_next_season() -> None:
    from sequelcast.domain import Season
    from sequelcast.forecast.dataset import waiting_franchises

    aired = Season("a", 1, 1, None, "A", date(2015, 1, 1), date(2015, 3, 1), 12, date(2014, 6, 1))
    nxt = Season("a", 2, 2, None, "A2", date(2019, 1, 1), None, 12, date(2018, 1, 1))
    undated = Season("b", 1, 3, None, "B", None, None, None, date(2012, 9, 22))
    tba = Season("d", 2, 4, None, "A3", None, None, None, date(2016, 1, 1))
    spells = {"a": [aired, nxt], "b": [undated], "c": [aired], "d": [aired, tba]}
    # an undated latest season has not aired (the franchise graph's rule): "b" has nothing aired,
    # "d" has its next season announced with no date (TBA); neither is waiting
    assert waiting_franchises(spells, date(2018, 5, 7)) == ["c"]
    assert waiting_franchises(spells, date(2017, 5, 7)) == ["a", "c"]
    assert waiting_franchises(spells, date(2015, 6, 1)) == ["a", "c", "d"]
