"""The forecast on the real data: train as of 2018-05-07, score against the 2026-08-20 data.

Targets (3-year horizon, selected model; issue 10): td-AUC >= 0.85 and at least 0.03 above every
baseline's, C-index >= 0.75, ICI <= 0.05; coverage >= 97%. Measured (docs/backtest.md): td-AUC
0.877, best baseline 0.833 (start_year), ICI 0.007, coverage 98.4%. Timings are measured by benchmarks/forecast.py, not here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sequelcast.forecast.backtest import BacktestResult, run_backtest
from sequelcast.forecast.dataset import ForecastInputs, inputs_from_snapshot
from sequelcast.forecast.forecaster import Forecaster
from sequelcast.forecast.models import BASELINES

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
AS_OF = date(2018, 5, 7)
NEWEST = date(2026, 8, 20)


@pytest.fixture(scope="module")
def real_inputs() -> tuple[ForecastInputs, ForecastInputs]:
    if not DATA.is_dir():
        pytest.skip(f"the shared data is not at {DATA}")
    from sequelcast.asof import snapshot_from_batches
    from sequelcast.franchise import build_franchises
    from sequelcast.sources import load_batches

    batches = load_batches(DATA)
    out = []
    for when in (AS_OF, NEWEST):
        snapshot = snapshot_from_batches(batches, when)
        out.append(inputs_from_snapshot(snapshot, build_franchises(snapshot)))
    return out[0], out[1]


@pytest.fixture(scope="module")
def result(real_inputs: tuple[ForecastInputs, ForecastInputs]) -> BacktestResult:
    then, newest = real_inputs
    return run_backtest(then, newest, AS_OF, NEWEST)


def test_selected_model_meets_the_targets(result: BacktestResult, tmp_path: Path) -> None:
    summary = result.summary()
    print(summary.round(3).T.to_string())  # the numbers, for the log
    result.plot_reliability(tmp_path / "reliability_2018.png")
    assert result.selected not in BASELINES
    best = summary.loc[result.selected]
    assert best["td_auc_3"] >= 0.85
    assert best["c_index"] >= 0.75
    assert best["ici_3"] <= 0.05
    for baseline in BASELINES:
        assert best["td_auc_3"] >= summary.loc[baseline, "td_auc_3"] + 0.03
        assert best["c_index"] > summary.loc[baseline, "c_index"]
        assert best["integrated_brier"] < summary.loc[baseline, "integrated_brier"]


def test_backtest_population(result: BacktestResult) -> None:
    assert result.n_train > 1000
    assert result.n_train_events > 200
    assert len(result.outcomes) > 1000
    assert result.n_unmatched <= 0.02 * len(result.outcomes)
    assert not result.outcomes["early"].any()  # never waiting on as_of: left out of the scores


def test_every_waiting_show_is_answered(result: BacktestResult) -> None:
    """Coverage: still-airing shows and old shows with estimated dates are scored too.

    The issue's target, 97% (98.4% as of 2018-05-07 on the real data: what is left are shows the
    newest data no longer calls TV series; ``scripts/coverage_reasons.py`` counts them).
    """
    assert result.coverage >= 0.97
    assert result.n_airing > 0
    assert result.n_estimated > 0


def test_every_waiting_show_gets_a_forecast(
    real_inputs: tuple[ForecastInputs, ForecastInputs],
) -> None:
    """(How long this takes is printed by benchmarks/forecast.py, not asserted here.)"""
    then, _ = real_inputs
    fc = Forecaster().fit(then, AS_OF)
    forecasts = fc.predict(detail=False)
    assert len(forecasts) == len(fc.at_risk())
    assert any(f.airing for f in forecasts)
