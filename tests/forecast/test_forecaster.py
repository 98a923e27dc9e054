from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sequelcast.errors import ModelError
from sequelcast.forecast.dataset import ForecastInputs
from sequelcast.forecast.forecaster import Forecaster, ShowForecast, forecast_show
from sequelcast.forecast.models import CoxModel

AS_OF = date(2018, 5, 7)


@pytest.fixture(scope="module")
def fitted(inputs_at: Callable[[date], ForecastInputs]) -> Forecaster:
    return Forecaster(model="cox").fit(inputs_at(AS_OF), AS_OF)


def test_forecasts_every_waiting_show(fitted: Forecaster) -> None:
    out = fitted.predict()
    assert len(out) == len(fitted.at_risk())
    assert len({f.franchise_id for f in out}) == len(out)
    for f in out:
        p = [f.probabilities[h] for h in (1.0, 2.0, 3.0, 5.0)]
        assert all(0 <= x <= 1 for x in p)
        assert p == sorted(p)
        assert f.as_of == AS_OF
        assert f.ended <= AS_OF or f.airing
        assert f.model == "cox"
        assert f.window is not None
        assert sum(q for _, q in f.window.quarters) + f.window.beyond == pytest.approx(1.0)
        assert f.factors


def test_one_franchise(fitted: Forecaster) -> None:
    fid = str(fitted.at_risk()["franchise_id"].iloc[3])
    (f,) = fitted.predict([fid])
    assert isinstance(f, ShowForecast)
    assert f.franchise_id == fid
    if f.median_years is not None:
        assert f.probabilities[5.0] >= 0.5 or f.median_years > 5


def test_not_waiting_franchise_is_a_clear_error(
    fitted: Forecaster, inputs_at: Callable[[date], ForecastInputs]
) -> None:
    waiting = set(fitted.at_risk()["franchise_id"])
    busy = next(f for f in inputs_at(AS_OF).seasons_by_franchise if f not in waiting)
    with pytest.raises(ModelError, match="not waiting for a next season"):
        fitted.predict([busy])


def test_unknown_model_name() -> None:
    with pytest.raises(ModelError, match="unknown model 'magic'"):
        Forecaster(model="magic").fit(ForecastInputs({}), AS_OF)


def test_unfitted_forecaster() -> None:
    with pytest.raises(ModelError, match="not fitted"):
        Forecaster().predict()


def test_forecast_show_with_an_estimator(inputs_at: Callable[[date], ForecastInputs]) -> None:
    inputs = inputs_at(AS_OF)
    fc = Forecaster(model=CoxModel()).fit(inputs, AS_OF)
    fid = str(fc.at_risk()["franchise_id"].iloc[0])
    f = forecast_show(inputs, AS_OF, fid, model=CoxModel())
    assert f.model == "CoxModel"
    assert f.probabilities == fc.predict([fid])[0].probabilities


@pytest.mark.slow
def test_auto_selects_a_candidate(inputs_at: Callable[[date], ForecastInputs]) -> None:
    fc = Forecaster().fit(inputs_at(AS_OF), AS_OF)
    assert fc.model_name_ in {"cox", "gbsa", "discrete_boost"}
    assert fc.selection_ is not None
    assert len(fc.predict()) == len(fc.at_risk())


def test_source_groups_and_missing_evidence_read_each_row() -> None:
    from sequelcast.forecast.forecaster import (
        _evidence_columns,
        _missing_evidence,
        _source_groups,
    )

    X = pd.DataFrame(
        {
            "src_manga": [1.0, 0.0, 0.0, 1.0, np.nan],
            "src_novel": [0.0, 1.0, 0.0, 1.0, 0.0],
            "src_original": [0.0, 0.0, 1.0, 0.0, 0.0],
            "src_game": [0.0, 0.0, 0.0, 0.0, 0.0],
            "src_linked": [0.0, 1.0, 0.0, 1.0, 0.0],
            "disc_sales_missing": [1.0, 0.0, 1.0, 0.0, 1.0],
        }
    )
    assert _source_groups(X) == ["manga", "novel", "original", "manga", "other"]
    columns = _evidence_columns(X)
    reasons = [
        _missing_evidence({c: v[i] for c, v in columns.items()}, {"estimated": i == 2})
        for i in range(len(X))
    ]
    assert [r["no source work linked"] for r in reasons] == [True, False, False, False, False]
    assert [r["no disc sales"] for r in reasons] == [True, False, True, False, True]
    assert [r["estimated dates"] for r in reasons] == [False, False, True, False, False]
    # a model fitted without those columns: no source to link, sales unknown
    bare = _evidence_columns(pd.DataFrame(index=range(2)))
    assert bare == {
        "src_manga": [0.0, 0.0],
        "src_novel": [0.0, 0.0],
        "src_linked": [0.0, 0.0],
        "disc_sales_missing": [1.0, 1.0],
    }
    assert _source_groups(pd.DataFrame(index=range(2))) == ["other", "other"]
