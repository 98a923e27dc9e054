from __future__ import annotations

import doctest
import threading
import warnings
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sequelcast.errors import ConvergenceWarning, DataError, ModelError
from sequelcast.forecast import metrics, models
from sequelcast.forecast.dataset import ForecastInputs, SurvivalData, make_dataset
from sequelcast.forecast.models import (
    BASELINES,
    MONOTONE,
    UNCONSTRAINED,
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

AS_OF = date(2018, 5, 7)
TIMES = np.array([0.0, 0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 15.0, 40.0])

#: Every estimator, small enough to be quick.
ESTIMATORS: dict[str, Callable[[], SurvivalModel]] = {
    "kaplan_meier": KaplanMeierModel,
    "cox": CoxModel,
    "gbsa": lambda: GradientBoostingModel(n_estimators=20),
    "rsf": lambda: RandomSurvivalForestModel(n_estimators=10),
    "discrete_boost": lambda: DiscreteTimeBoostingModel(max_iter=30),
    "popularity_logistic": PopularityLogisticModel,
    "rule_of_thumb": RuleOfThumbModel,
    "calibrated_cox": lambda: CalibratedModel(CoxModel(), n_splits=3),
}


@pytest.fixture(scope="module")
def data(inputs_at: Callable[[date], ForecastInputs]) -> SurvivalData:
    return make_dataset(inputs_at(AS_OF), AS_OF)


def assert_survival_function_properties(S: np.ndarray) -> None:
    assert np.all(np.isfinite(S))
    assert np.all((S >= 0) & (S <= 1))
    assert np.all(np.diff(S, axis=1) <= 1e-12)


def test_doctests() -> None:
    assert doctest.testmod(models).failed == 0


@pytest.mark.parametrize("name", list(ESTIMATORS), ids=list(ESTIMATORS))
def test_estimator_contract(name: str, data: SurvivalData) -> None:
    est = ESTIMATORS[name]()
    params = est.get_params()
    assert not [k for k in vars(est) if k.endswith("_")], "__init__ must only store parameters"
    assert est.fit(data.X, data.durations, data.events) is est
    assert est.get_params() == params
    assert hasattr(est, "max_time_")
    risk = est.predict(data.X)
    assert risk.shape == (len(data.X),)
    assert np.all(np.isfinite(risk))
    S = est.predict_survival_function(data.X, TIMES)
    assert S.shape == (len(data.X), len(TIMES))
    assert_survival_function_properties(S)
    assert np.allclose(S[:, 0], 1.0)
    waited = data.durations
    within = est.predict_within(data.X, waited, [1, 2, 3, 5])
    assert np.all((within >= 0) & (within <= 1))
    assert np.all(np.diff(within, axis=1) >= -1e-12)
    clone(est)  # sklearn-compatible parameters


@pytest.mark.parametrize("name", ["cox", "discrete_boost"])
def test_models_beat_the_base_rate(name: str, data: SurvivalData) -> None:
    est = ESTIMATORS[name]().fit(data.X, data.durations, data.events)
    c = metrics.concordance_index(data.durations, data.events, est.predict(data.X))
    assert c > 0.62


def test_cox_learns_that_popular_shows_get_sequels_sooner(data: SurvivalData) -> None:
    cox = CoxModel().fit(data.X, data.durations, data.events)
    coef = dict(zip(cox.columns_, cox.coef_, strict=True))
    assert coef["members_pct_year"] + coef["log_members"] > 0


def test_kaplan_meier_matches_lifelines(data: SurvivalData) -> None:
    from lifelines import KaplanMeierFitter

    km = KaplanMeierModel().fit(data.X, data.durations, data.events)
    ref = KaplanMeierFitter().fit(data.durations, data.events)
    times = np.array([0.5, 1.0, 2.0, 4.0])
    ours = km.predict_survival_function(data.X.iloc[:1], times)[0]
    assert ours == pytest.approx(ref.survival_function_at_times(times).to_numpy(), rel=1e-9)


def test_tail_keeps_a_steady_hazard(data: SurvivalData) -> None:
    km = KaplanMeierModel().fit(data.X, data.durations, data.events)
    far = km.predict_within(data.X.iloc[:1], [30.0], [1.0, 2.0])[0]
    assert 0 < far[0] < far[1] < 1


def test_conditional_probability_formula(data: SurvivalData) -> None:
    cox = CoxModel().fit(data.X, data.durations, data.events)
    X = data.X.iloc[:5]
    S = cox.predict_survival_function(X, [2.0, 5.0])
    p = cox.predict_within(X, 2.0, [3.0])[:, 0]
    assert p == pytest.approx(1 - S[:, 1] / S[:, 0])


def test_calibrated_model_learns_a_monotone_map(data: SurvivalData) -> None:
    cal = CalibratedModel(CoxModel(), n_splits=3).fit(data.X, data.durations, data.events)
    assert np.isfinite(cal.a_)
    assert cal.b_ > 0
    base = cal.estimator_.predict(data.X)
    assert np.array_equal(cal.predict(data.X), base)


def test_rule_of_thumb_is_fixed_and_uses_recency(data: SurvivalData) -> None:
    rule = RuleOfThumbModel().fit(data.X, data.durations, data.events)
    X = data.X.iloc[:1].copy()
    X["members_pct_year"] = 0.95
    recent = rule.predict_within(X, 0.5, [1.0])[0, 0]
    old = rule.predict_within(X, 10.0, [1.0])[0, 0]
    assert recent > old
    other = RuleOfThumbModel().fit(data.X.iloc[:50], data.durations[:50], data.events[:50])
    assert other.predict_within(X, 0.5, [1.0])[0, 0] == recent


def test_few_events_warn(data: SurvivalData) -> None:
    events = np.zeros(len(data.X), dtype=bool)
    events[:3] = True
    with pytest.warns(ConvergenceWarning, match="only 3 events"):
        KaplanMeierModel().fit(data.X, data.durations, events)


@pytest.mark.parametrize(
    ("X", "durations", "match"),
    [
        pytest.param([[1.0]], [1.0], "must be a pandas DataFrame", id="not-a-frame"),
        pytest.param(pd.DataFrame({"a": [1.0, 2.0]}), [1.0], "must both have shape", id="length"),
        pytest.param(
            pd.DataFrame({"a": [1.0, 2.0]}),
            [1.0, 0.0],
            "must be finite and > 0",
            id="zero-duration",
        ),
    ],
)
def test_bad_input_is_a_clear_error(X: object, durations: list[float], match: str) -> None:
    with pytest.raises(DataError, match=match):
        KaplanMeierModel().fit(X, durations, [True] * len(durations))  # type: ignore[arg-type]


def test_unfitted_model_is_a_model_error(data: SurvivalData) -> None:
    with pytest.raises(ModelError, match="not fitted"):
        CoxModel().predict(data.X)


def test_missing_feature_column_is_named(data: SurvivalData) -> None:
    cox = CoxModel().fit(data.X, data.durations, data.events)
    with pytest.raises(DataError, match="score"):
        cox.predict(data.X.drop(columns=["score"]))


def test_default_models_name_the_baselines() -> None:
    names = default_models()
    assert set(BASELINES) <= set(names)
    assert {"cox", "gbsa_free", "discrete_boost", "discrete_boost_free", "start_year"} <= set(names)
    assert set(UNCONSTRAINED) <= set(names)
    # two settings of the boosting model, for the inner time split to choose from
    fast, slow = names["discrete_boost"], names["discrete_boost_slow"]
    assert isinstance(fast, CalibratedModel)
    assert isinstance(slow, CalibratedModel)
    assert (fast.estimator.max_iter, fast.estimator.learning_rate) == (100, 0.1)
    assert (slow.estimator.max_iter, slow.estimator.learning_rate) == (200, 0.05)
    assert slow.estimator.monotone == MONOTONE


def _confounded(n: int = 400) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A feature ``score`` whose raw effect is negative (shows with a sequel are rated later)."""
    rng = np.random.default_rng(7)
    X = pd.DataFrame({"score": rng.normal(7, 1, n), "log_members": rng.normal(11, 1, n)})
    rate = np.exp(0.8 * (X["log_members"] - 11) - 0.6 * (X["score"] - 7)).to_numpy()
    durations = rng.exponential(1 / (0.3 * rate)) + 0.01
    events = durations < 6
    return X, np.minimum(durations, 6.0), events


def test_monotone_boosting_never_lowers_the_chance_with_a_higher_score() -> None:
    X, d, e = _confounded()
    free = DiscreteTimeBoostingModel(max_iter=50).fit(X, d, e)
    mono = DiscreteTimeBoostingModel(max_iter=50, monotone={"score": 1}).fit(X, d, e)
    grid = X.iloc[[0] * 30].copy()
    grid["score"] = np.linspace(4, 10, 30)
    p_mono = mono.predict_within(grid, np.full(30, 0.5), [2.0])[:, 0]
    p_free = free.predict_within(grid, np.full(30, 0.5), [2.0])[:, 0]
    assert np.all(np.diff(p_mono) >= -1e-12)
    assert np.any(np.diff(p_free) < -1e-6)  # the data alone pushes the other way


def test_cox_drops_a_constrained_column_with_the_wrong_sign() -> None:
    X, d, e = _confounded()
    free = CoxModel().fit(X, d, e)
    mono = CoxModel(monotone={"score": 1, "log_members": 1}).fit(X, d, e)
    names = list(free.columns_)
    assert free.coef_[names.index("score")] < 0
    assert list(mono.dropped_) == ["score"]
    assert mono.coef_[names.index("score")] == 0.0
    assert mono.coef_[names.index("log_members")] > 0


def test_start_year_baseline_ranks_by_recency() -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"start_year": rng.uniform(2000, 2020, 300), "score": rng.normal(7, 1, 300)})
    d = rng.exponential(1 / np.exp(0.15 * (X["start_year"].to_numpy() - 2010))) + 0.01
    m = StartYearModel().fit(X, np.minimum(d, 8.0), d < 8.0)
    assert list(m.feature_names_in_) == ["start_year"]
    risk = m.predict(X.sort_values("start_year"))
    assert np.all(np.diff(risk) >= 0)


def test_lifelines_convergence_trouble_becomes_our_warning() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=60)})
    X["b"] = X["a"] * 1.0  # perfectly collinear: lifelines complains
    d = rng.exponential(size=60) + 0.01
    e = d < np.median(d)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CoxModel(penalizer=0.0).fit(X, d, e)
    assert all(issubclass(w.category, ConvergenceWarning) for w in caught)


def test_thread_limit_is_set_once_per_thread() -> None:
    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime the boosting models use)
    from threadpoolctl import threadpool_info

    models.limit_threads(1)
    models.limit_threads(2)  # later calls change nothing
    assert models._THREADS_LIMITED.n in (1, None)
    seen: list[object] = []

    def in_a_new_thread() -> None:  # OpenMP's limit is per thread: a new thread sets its own
        models.limit_threads(1)
        models.limit_threads(2)
        omp = [p for p in threadpool_info() if p["user_api"] == "openmp"]
        seen.append((models._THREADS_LIMITED.n, [p["num_threads"] for p in omp]))

    worker = threading.Thread(target=in_a_new_thread)
    worker.start()
    worker.join()
    limit, counts = seen[0]  # type: ignore[misc]
    assert limit == 1
    assert counts
    assert all(n == 1 for n in counts)
