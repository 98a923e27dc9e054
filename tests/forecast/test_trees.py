"""The shows x times evaluation of the boosting classifier gives scikit-learn's own numbers,
bit for bit, and the hazard model and its explanations use it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from sequelcast.forecast._trees import TreeGrid, grid_available, grid_proba
from sequelcast.forecast.explain import explain_forecasts, group_effects
from sequelcast.forecast.models import MONOTONE, DiscreteTimeBoostingModel


def _classifier(
    seed: int = 0, missing: bool = True, depth: int = 3
) -> tuple[HistGradientBoostingClassifier, np.ndarray]:
    """A classifier on (features..., time), with NaNs in one feature and splits on the time."""
    rng = np.random.default_rng(seed)
    n = 3000
    F = rng.normal(size=(n, 4))
    if missing:
        F[rng.random(n) < 0.2, 1] = np.nan  # the trees learn a side for the missing values
    t = rng.uniform(0.0, 10.0, n)
    logit = 0.8 * F[:, 0] - 0.3 * t + np.where(np.isnan(F[:, 1]), 1.5, F[:, 1]) + (t > 6) * 1.2
    y = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    clf = HistGradientBoostingClassifier(
        max_iter=30, max_depth=depth, learning_rate=0.3, random_state=seed, early_stopping=False
    ).fit(np.column_stack([F, t]), y)
    return clf, F


def _rows(F: np.ndarray, T: np.ndarray) -> np.ndarray:
    return np.column_stack([np.repeat(F, T.shape[1], axis=0), T.ravel()])


@pytest.mark.parametrize("missing", [True, False])
def test_grid_equals_predict_proba_bit_for_bit(missing: bool) -> None:
    clf, F = _classifier(missing=missing)
    assert any(p.nodes["feature_idx"][0] >= 0 for (p,) in clf._predictors)
    times = np.array([7.5, 0.0, 2.25, 6.0, 6.0001, 9.9, 3.0])  # unsorted, on and off the cuts
    expected = clf.predict_proba(_rows(F[:200], np.tile(times, (200, 1))))[:, 1].reshape(200, -1)
    got = grid_proba(clf, F[:200], times)
    assert got.shape == (200, len(times))
    assert np.array_equal(got, expected)


def test_per_row_times_equal_predict_proba() -> None:
    clf, F = _classifier(seed=1)
    T = np.random.default_rng(2).uniform(0.0, 12.0, size=(150, 3))
    expected = clf.predict_proba(_rows(F[:150], T))[:, 1].reshape(150, 3)
    assert np.array_equal(grid_proba(clf, F[:150], T), expected)


def test_variants_rewalk_only_what_changed_and_stay_exact() -> None:
    clf, F = _classifier(seed=3)
    T = np.random.default_rng(4).uniform(0.0, 10.0, size=(100, 2))
    grid = TreeGrid(clf, F[:100], T)
    assert np.array_equal(grid.proba(), grid_proba(clf, F[:100], T))
    for col, value in [(0, 0.5), (1, np.nan), (3, -2.0)]:
        F2 = F[:100].copy()
        F2[:, col] = value
        expected = clf.predict_proba(_rows(F2, T))[:, 1].reshape(100, 2)
        assert np.array_equal(grid.proba(F2), expected)


def test_a_one_shot_grid_refuses_variants() -> None:
    clf, F = _classifier()
    grid = TreeGrid(clf, F[:10], np.array([1.0]), keep=False)
    with pytest.raises(ValueError, match="keep=False"):
        grid.proba(F[:10] + 1.0)


def test_categorical_splits_are_left_to_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 4, 500), rng.uniform(0, 5, 500)])
    y = (X[:, 0] == 2) ^ (rng.random(500) < 0.1)
    clf = HistGradientBoostingClassifier(
        max_iter=5, categorical_features=[0], early_stopping=False
    ).fit(X, y)
    assert not grid_available(clf)
    assert grid_available(_classifier()[0])


def _hazard_data(n: int = 500, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "log_members": rng.normal(10, 1, n),
            "score": rng.normal(7, 0.5, n),
            "src_manga": (rng.random(n) < 0.5).astype(float),
            "episodes": rng.integers(10, 26, n).astype(float),
        }
    )
    X.loc[rng.random(n) < 0.1, "score"] = np.nan
    rate = np.exp(0.6 * (X["log_members"] - 10) + 0.4 * X["src_manga"]) * 0.2
    d = rng.exponential(1.0 / rate) + 0.01
    c = rng.uniform(0.5, 15.0, n)
    return X, np.minimum(d, c), d <= c


def test_model_curves_and_log_hazard_match_the_classifier_rows() -> None:
    X, d, e = _hazard_data()
    m = DiscreteTimeBoostingModel(step=0.5, max_wait=4.0, max_iter=30, monotone=MONOTONE).fit(
        X, d, e
    )
    Z = m._transform(X.iloc[:40])
    periods = np.arange(m._last_own() + 1)
    t = (periods + 0.5) * m.step
    rows = m._rows(Z, np.repeat(np.arange(40), len(t)), np.tile(t, 40))
    expected = m.classifier_.predict_proba(rows)[:, 1].reshape(40, -1)
    assert np.array_equal(m._hazards(Z, periods), expected)
    T = np.array([[0.2, 1.7, 9.0]] * 40)
    k = np.minimum(np.floor(T / m.step), m._last_own())
    rows = m._rows(Z, np.repeat(np.arange(40), 3), ((k + 0.5) * m.step).ravel())
    h = m.classifier_.predict_proba(rows)[:, 1].reshape(40, 3)
    expected_lh = np.log(-np.log1p(-np.clip(h, 1e-12, 1.0 - 1e-9)) / m.step)
    assert np.array_equal(m.log_hazard(X.iloc[:40], T), expected_lh)


def test_scorer_variants_equal_fresh_log_hazards() -> None:
    X, d, e = _hazard_data()
    m = DiscreteTimeBoostingModel(step=0.5, max_wait=4.0, max_iter=30).fit(X, d, e)
    T = np.array([[0.5, 1.5, 2.5]] * 60)
    score = m.log_hazard_scorer(X.iloc[:60], T)
    variant = X.iloc[:60].copy()
    variant["log_members"] = 10.0
    assert np.array_equal(score(None), m.log_hazard(X.iloc[:60], T))
    assert np.array_equal(score(variant), m.log_hazard(variant, T))


class _RowByRow:
    """The same fitted model, its log hazard computed from one classifier row per show and time."""

    def __init__(self, model: DiscreteTimeBoostingModel) -> None:
        self.model = model

    def log_hazard(self, X: pd.DataFrame, times: np.ndarray) -> np.ndarray:
        m = self.model
        Z = m._transform(X)
        T = np.broadcast_to(times, (len(Z), times.shape[-1]))
        mid = (np.minimum(np.floor(T / m.step), m._last_own()) + 0.5) * m.step
        rows = m._rows(Z, np.repeat(np.arange(len(Z)), T.shape[1]), mid.ravel())
        h = m.classifier_.predict_proba(rows)[:, 1].reshape(T.shape)
        return np.log(-np.log1p(-np.clip(h, 1e-12, 1.0 - 1e-9)) / m.step)

    def predict_within(
        self, X: pd.DataFrame, waited: np.ndarray, horizons: list[float]
    ) -> np.ndarray:
        return self.model.predict_within(X, waited, horizons)


def test_explanations_on_the_grid_equal_row_by_row_ones() -> None:
    X, d, e = _hazard_data()
    m = DiscreteTimeBoostingModel(step=0.5, max_iter=30, monotone=MONOTONE).fit(X, d, e)
    waited = np.linspace(0.1, 12.0, 50)
    a, kind_a = group_effects(m, X.iloc[:50], X, waited)
    b, kind_b = group_effects(_RowByRow(m), X.iloc[:50], X, waited)  # type: ignore[arg-type]
    assert kind_a == kind_b == "log_hazard_ratio"
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert (a["popularity"].abs() > 0).any()
    factors = explain_forecasts(m, X.iloc[:50], X, waited)
    assert factors == explain_forecasts(_RowByRow(m), X.iloc[:50], X, waited)  # type: ignore[arg-type]
