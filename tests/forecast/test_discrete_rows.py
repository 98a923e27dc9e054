"""The reduced spell-period table of DiscreteTimeBoostingModel: exact where it claims to be,
unbiased where it thins, and the hazards it learns match the full table's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sequelcast.forecast.models import DiscreteTimeBoostingModel, _bin_edges


def _full_table(
    durations: np.ndarray, events: np.ndarray, step: float, periods: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every period at risk, written out the slow way."""
    spell, k, y = [], [], []
    for i, (d, e) in enumerate(zip(durations, events, strict=True)):
        last = min(int(d / step), periods - 1)
        for j in range(last + 1):
            spell.append(i)
            k.append(j)
            y.append(bool(e and j == last))
    return np.array(spell), np.array(k), np.array(y)


def _spells(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    d = rng.exponential(4.0, n) + 0.01
    c = rng.uniform(0.5, 30.0, n)
    return np.minimum(d, c), d <= c


def _fitted_frame(model: DiscreteTimeBoostingModel, d: np.ndarray) -> DiscreteTimeBoostingModel:
    model.max_time_ = float(np.sort(d)[-20])
    return model


def test_no_reduction_gives_the_full_table() -> None:
    d, e = _spells()
    m = _fitted_frame(DiscreteTimeBoostingModel(step=0.5, max_wait=None, thin=1), d)
    spell, k, y, w = m.person_periods(d, e)
    full = _full_table(d, e, 0.5, m._periods())
    assert np.array_equal(spell, full[0])
    assert np.array_equal(k, full[1])
    assert np.array_equal(y, full[2])
    assert np.all(w == 1.0)


@pytest.mark.parametrize("thin", [1, 3, 8])
def test_weights_count_every_period_and_keep_every_event(thin: int) -> None:
    d, e = _spells()
    m = _fitted_frame(DiscreteTimeBoostingModel(step=0.25, max_wait=4.0, thin=thin), d)
    spell, k, y, w = m.person_periods(d, e)
    full = _full_table(d, e, 0.25, m._periods())
    # each event is one row of weight 1, in the period of exit (capped at the shared tail)
    assert y.sum() == e.sum()
    assert np.all(w[y] == 1.0)
    assert np.array_equal(np.sort(spell[y]), np.flatnonzero(e))
    assert k.max() == m._last_own()
    # the shared tail is exact: its weight is the number of periods there, per spell
    per_spell_full = np.bincount(full[0], minlength=len(d))
    tail_full = np.bincount(full[0][full[1] >= m._last_own()], minlength=len(d))
    tail = np.bincount(spell[k == m._last_own()], weights=w[k == m._last_own()], minlength=len(d))
    assert np.allclose(tail, tail_full)
    # before it, one non-event period in `thin` weighs `thin`: off by less than `thin` per spell
    total = np.bincount(spell, weights=w, minlength=len(d))
    assert np.all(np.abs(total - per_spell_full) < thin)
    assert abs(total.sum() - per_spell_full.sum()) / per_spell_full.sum() < 0.05
    assert len(w) <= len(full[0]) / thin + 2 * len(d)


def test_thinning_is_seeded() -> None:
    d, e = _spells()
    a = _fitted_frame(DiscreteTimeBoostingModel(thin=4, random_state=1), d).person_periods(d, e)
    b = _fitted_frame(DiscreteTimeBoostingModel(thin=4, random_state=1), d).person_periods(d, e)
    c = _fitted_frame(DiscreteTimeBoostingModel(thin=4, random_state=2), d).person_periods(d, e)
    assert all(np.array_equal(x, z) for x, z in zip(a, b, strict=True))
    assert not np.array_equal(a[1], c[1])


def _hazard_data(n: int = 1500, seed: int = 4) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Known hazards: popular shows (higher ``log_members``) get their next season sooner."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"log_members": rng.normal(11, 1, n), "noise": rng.normal(size=n)})
    rate = 0.25 * np.exp(0.9 * (X["log_members"].to_numpy() - 11))
    t = rng.exponential(1 / rate) + 0.01
    c = rng.uniform(1.0, 25.0, n)
    return X, np.minimum(t, c), t <= c


def test_thinned_fit_learns_the_same_hazards() -> None:
    X, d, e = _hazard_data()
    kw = {"max_iter": 60, "learning_rate": 0.1, "min_samples_leaf": 20}
    full = DiscreteTimeBoostingModel(thin=1, max_wait=None, **kw).fit(X, d, e)
    thin = DiscreteTimeBoostingModel(thin=6, max_wait=8.0, **kw).fit(X, d, e)
    times = [1.0, 2.0, 3.0, 5.0]
    S_full = full.predict_survival_function(X, times)
    S_thin = thin.predict_survival_function(X, times)
    assert np.mean(np.abs(S_full - S_thin)) < 0.03
    assert np.corrcoef(full.predict(X), thin.predict(X))[0, 1] > 0.9


def test_weights_are_used_not_just_the_kept_rows() -> None:
    """A thinned fit must still match the observed rate; unweighted, it would be ``thin`` times
    too high in the early periods."""
    from sksurv.nonparametric import kaplan_meier_estimator

    X, d, e = _hazard_data()
    m = DiscreteTimeBoostingModel(thin=8, max_iter=60, learning_rate=0.1, min_samples_leaf=20).fit(
        X, d, e
    )
    times, surv = kaplan_meier_estimator(e, d)
    km_2y = float(surv[np.searchsorted(times, 2.0, side="right") - 1])
    model_2y = float(m.predict_survival_function(X, [2.0]).mean())
    assert abs(model_2y - km_2y) < 0.05


def test_one_hazard_after_max_wait() -> None:
    X, d, e = _hazard_data()
    m = DiscreteTimeBoostingModel(step=0.5, max_wait=4.0, max_iter=30).fit(X, d, e)
    grid = np.arange(5.0, 12.0, 0.5)
    H = m.predict_cumulative_hazard(X.iloc[:20], grid)
    steps = np.diff(H, axis=1)
    assert np.allclose(steps, steps[:, :1], rtol=1e-9, atol=1e-12)
    assert np.all(steps > 0)
    lh = m.log_hazard(X.iloc[:20], np.array([4.6, 9.0, 11.5]))
    assert np.allclose(lh, lh[:, :1])
    lam = np.exp(lh[:, 0])  # the yearly hazard log_hazard reports is the curves' slope there
    assert np.allclose(steps[:, 0] / 0.5, lam, rtol=1e-6)


def test_bin_edges_keep_order_and_few_values() -> None:
    few = np.array([3.0, 1.0, 2.0, 2.0, 3.0])
    assert np.allclose(_bin_edges(few), [1.5, 2.5])
    many = np.random.default_rng(0).normal(size=5000)
    edges = _bin_edges(many, max_bins=255)
    assert len(edges) <= 254
    assert np.all(np.diff(edges) > 0)
    bins = np.searchsorted(edges, many, side="left")
    order = np.argsort(many)
    assert np.all(np.diff(bins[order]) >= 0)  # monotone: constraints keep their meaning
    assert len(np.unique(bins)) == len(edges) + 1


def test_log_hazard_matches_the_curves_everywhere() -> None:
    """One classifier row per distinct period, mapped back to every time asked."""
    X, d, e = _hazard_data(n=400)
    m = DiscreteTimeBoostingModel(step=0.5, max_wait=3.0, max_iter=20).fit(X, d, e)
    T = np.array([[0.2, 0.3, 1.1, 3.4, 7.0], [2.9, 0.1, 9.0, 9.5, 1.2]] * 10)
    lh = m.log_hazard(X.iloc[:20], T)
    assert lh.shape == T.shape
    H = m.predict_cumulative_hazard(
        X.iloc[:20],
        np.stack([np.floor(T / 0.5) * 0.5, np.floor(T / 0.5) * 0.5 + 0.5], -1).reshape(20, -1),
    )
    slope = (H[:, 1::2] - H[:, ::2]) / 0.5
    assert np.allclose(np.exp(lh), slope, rtol=1e-6)


def test_a_model_pickled_before_the_reductions_still_predicts_as_fitted() -> None:
    """An earlier version's pickle has no max_wait, thin nor bins: it must keep its own curves."""
    import pickle

    from sklearn.ensemble import HistGradientBoostingClassifier

    X, d, e = _hazard_data(n=400)
    m = DiscreteTimeBoostingModel(max_wait=None, thin=1, max_iter=20).fit(X, d, e)
    Z = m._transform(X)
    spell, k, y, _ = m.person_periods(d, e)
    raw = np.column_stack([Z[spell], (k + 0.5) * m.step])  # what the earlier version fitted on
    m.classifier_ = HistGradientBoostingClassifier(
        max_iter=20,
        max_depth=3,
        min_samples_leaf=50,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    ).fit(raw, y)
    state = m.__getstate__()
    for name in ("max_wait", "thin", "bin_edges_"):
        del state[name]
    old = DiscreteTimeBoostingModel.__new__(DiscreteTimeBoostingModel)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert old.max_wait is None
    assert old.thin == 1
    H = old.predict_cumulative_hazard(X.iloc[:5], [0.25, 1.0])
    h0 = m.classifier_.predict_proba(raw[:1])[:, 1]  # spell 0, period 0
    assert np.isclose(H[0, 0], -np.log1p(-h0[0]))
