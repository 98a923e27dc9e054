"""select_model scores each candidate as the backtest would (same C-index and integrated Brier
score as score_forecasts on the same inner split), only without the calibration curves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pytest

from sequelcast.forecast.backtest import _forecast, score_forecasts, select_model
from sequelcast.forecast.dataset import (
    DAYS_PER_YEAR,
    ForecastInputs,
    SurvivalData,
    announced_while_airing,
    censor_at,
    make_dataset,
)
from sequelcast.forecast.models import CoxModel, KaplanMeierModel, SurvivalModel

AS_OF = date(2018, 5, 7)


def test_inner_scores_are_those_of_score_forecasts(
    inputs_at: Callable[[date], ForecastInputs],
) -> None:
    inputs = inputs_at(AS_OF)
    data = make_dataset(inputs, AS_OF)
    candidates: dict[str, SurvivalModel] = {"cox": CoxModel(), "km": KaplanMeierModel()}
    name, scores = select_model(
        data, inputs.seasons_by_franchise, AS_OF, candidates, (1.0, 2.0, 3.0, 5.0), 3.0
    )
    inner = AS_OF - timedelta(days=round(3.0 * DAYS_PER_YEAR))
    past = censor_at(data.spells, inputs.seasons_by_franchise, inner)
    risk = past[past["at_risk"]]
    later = data.spells.loc[risk.index]
    d = np.maximum(
        np.where(later["event"], later["duration"] - risk["duration"], 3.0).astype(float),
        1.0 / DAYS_PER_YEAR,
    )
    e = later["event"].to_numpy(dtype=bool)
    hs = [1.0, 2.0]
    rate = announced_while_airing(inputs.seasons_by_franchise, inner)
    for key, model in candidates.items():
        fitted = model.fit(
            data.X.loc[past.index], past["duration"].to_numpy(float), past["event"].to_numpy(bool)
        )
        within, grid, _ = _forecast(
            fitted, SurvivalData(data.X.loc[past.index], past), risk.index, hs, rate
        )
        full = score_forecasts(key, d, e, within, grid, hs, hs[-1])
        assert scores.loc[key, "c_index"] == pytest.approx(full.c_index)
        assert scores.loc[key, "integrated_brier"] == pytest.approx(full.integrated_brier)
    assert name == scores["c_index"].idxmax()
