"""Will a show get another season, and when? Pure survival forecasting (no I/O).

Time is an argument (``as_of``), randomness is an argument (``random_state``), and nothing dated
after ``as_of`` is ever used. Modules: :mod:`~sequelcast.forecast.dataset` (spells and as-of
features), :mod:`~sequelcast.forecast.models` (estimators), :mod:`~sequelcast.forecast.metrics`,
:mod:`~sequelcast.forecast.explain`, :mod:`~sequelcast.forecast.window` (release window),
:mod:`~sequelcast.forecast.backtest` and :mod:`~sequelcast.forecast.forecaster`.
"""

from __future__ import annotations

from sequelcast.forecast.backtest import BacktestResult, ModelScores, run_backtest, select_model
from sequelcast.forecast.dataset import (
    FEATURE_COLUMNS,
    ForecastInputs,
    SurvivalData,
    build_features,
    build_spells,
    inputs_from_snapshot,
    make_dataset,
)
from sequelcast.forecast.explain import Factor, explain_forecasts
from sequelcast.forecast.forecaster import Forecaster, ShowForecast, forecast_all, forecast_show
from sequelcast.forecast.metrics import (
    brier_scores,
    concordance_index,
    integrated_brier_score,
    integrated_calibration_index,
    time_dependent_auc,
)
from sequelcast.forecast.models import (
    CalibratedModel,
    CoxModel,
    DiscreteTimeBoostingModel,
    GradientBoostingModel,
    KaplanMeierModel,
    PopularityLogisticModel,
    RandomSurvivalForestModel,
    RuleOfThumbModel,
    StartYearModel,
    SurvivalModel,
    default_models,
)
from sequelcast.forecast.window import AiringLagModel, ReleaseWindow, airing_lags, release_window

__all__ = [
    "AiringLagModel",
    "BacktestResult",
    "CalibratedModel",
    "CoxModel",
    "DiscreteTimeBoostingModel",
    "FEATURE_COLUMNS",
    "Factor",
    "ForecastInputs",
    "Forecaster",
    "GradientBoostingModel",
    "KaplanMeierModel",
    "ModelScores",
    "PopularityLogisticModel",
    "RandomSurvivalForestModel",
    "ReleaseWindow",
    "RuleOfThumbModel",
    "ShowForecast",
    "StartYearModel",
    "SurvivalData",
    "SurvivalModel",
    "airing_lags",
    "brier_scores",
    "build_features",
    "build_spells",
    "concordance_index",
    "default_models",
    "explain_forecasts",
    "forecast_all",
    "forecast_show",
    "inputs_from_snapshot",
    "integrated_brier_score",
    "integrated_calibration_index",
    "make_dataset",
    "release_window",
    "run_backtest",
    "select_model",
    "time_dependent_auc",
]
