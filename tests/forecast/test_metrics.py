from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from sequelcast.errors import DataError
from sequelcast.forecast import metrics
from sequelcast.forecast.metrics import (
    brier_scores,
    calibration_table,
    concordance_index,
    integrated_brier_score,
    integrated_calibration_index,
    status_at,
    time_dependent_auc,
)


def test_doctests() -> None:
    assert doctest.testmod(metrics).failed == 0


def test_concordance_known_answer() -> None:
    # comparable pairs (earlier time is an event): (0,1), (0,2), (0,3), (2,3); (1,*) censored.
    d = [1.0, 2.0, 3.0, 4.0]
    e = [True, False, True, False]
    r = [0.9, 0.1, 0.5, 0.6]
    # (0,1): 0.9 > 0.1 ok; (0,2): 0.9 > 0.5 ok; (0,3): 0.9 > 0.6 ok; (2,3): 0.5 < 0.6 wrong.
    assert concordance_index(d, e, r) == pytest.approx(3 / 4)


def test_concordance_counts_ties_as_half() -> None:
    assert concordance_index([1.0, 2.0], [True, True], [0.5, 0.5]) == pytest.approx(0.5)


def test_concordance_without_comparable_pairs_is_nan() -> None:
    assert math.isnan(concordance_index([1.0, 2.0], [False, False], [0.1, 0.2]))


def test_concordance_matches_lifelines() -> None:
    from lifelines.utils import concordance_index as lifelines_ci

    rng = np.random.default_rng(7)
    d = rng.exponential(size=200) + 0.01
    e = rng.random(200) < 0.6
    risk = -d + rng.normal(0, 0.5, size=200)
    assert concordance_index(d, e, risk) == pytest.approx(lifelines_ci(d, -risk, e), abs=1e-9)


def test_time_dependent_auc_known_answer() -> None:
    # no censoring; at t=2.5 cases are T<=2.5 (rows 0,1), controls T>2.5 (rows 2,3,4)
    d = [1.0, 2.0, 3.0, 4.0, 5.0]
    e = [True] * 5
    p = np.array([[0.9], [0.3], [0.5], [0.2], [0.1]])
    # pairs: 0>2,0>3,0>4 (3); 1 vs 2: 0.3<0.5 (0), 1>3, 1>4 (2) -> 5 of 6
    assert time_dependent_auc(d, e, p, [2.5])[0] == pytest.approx(5 / 6)


def test_time_dependent_auc_outside_follow_up_is_nan() -> None:
    d = [1.0, 2.0, 3.0]
    e = [True, True, False]
    out = time_dependent_auc(d, e, np.zeros((3, 2)), [1.5, 10.0])
    assert not math.isnan(out[0])
    assert math.isnan(out[1])


def test_brier_known_answer_without_censoring() -> None:
    d = [1.0, 3.0, 4.0]
    e = [True, True, True]
    S = [[0.2], [0.7], [0.6]]  # at t=2: row 0 had the event (target 0), rows 1-2 did not (1)
    expected = (0.2**2 + 0.3**2 + 0.4**2) / 3
    assert brier_scores(d, e, S, [2.0])[0] == pytest.approx(expected)


def test_integrated_brier_of_constant_predictions() -> None:
    d = np.array([1.0, 2.0, 3.0, 4.0])
    e = np.ones(4, dtype=bool)
    times = np.array([1.5, 2.5, 3.5])
    S = np.full((4, 3), 0.5)
    assert integrated_brier_score(d, e, S, times) == pytest.approx(0.25)


def test_status_at_uses_ipcw() -> None:
    d = np.array([1.0, 2.0, 3.0, 4.0])
    e = np.array([True, False, True, False])
    known, y, w = status_at(d, e, 2.5)
    assert known.tolist() == [True, False, True, True]
    assert y.tolist() == [True, False, False, False]
    # censoring KM: one of three at risk censored at 2 -> G(2.5-) = 2/3 for followed-past units
    assert w.tolist() == pytest.approx([1.0, 0.0, 1.5, 1.5])


@pytest.mark.parametrize("smoother", ["lowess", "isotonic"])
def test_ici_is_zero_when_calibrated(smoother: str) -> None:
    # group at 0.2: 1 event of 5; group at 0.6: 3 events of 5; all followed past the horizon
    p = np.array([0.2] * 5 + [0.6] * 5)
    y = np.array([1, 0, 0, 0, 0, 1, 1, 1, 0, 0], dtype=bool)
    d = np.where(y, 0.5, 10.0)
    assert integrated_calibration_index(d, y, p, 1.0, smoother=smoother) == pytest.approx(
        0.0, abs=1e-9
    )


@pytest.mark.parametrize("smoother", ["lowess", "isotonic"])
def test_ici_known_answer_when_constant(smoother: str) -> None:
    p = np.full(8, 0.5)
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0], dtype=bool)  # observed 0.25
    d = np.where(y, 0.5, 10.0)
    assert integrated_calibration_index(d, y, p, 1.0, smoother=smoother) == pytest.approx(0.25)


def test_ici_ignores_units_censored_before_the_horizon() -> None:
    p = np.array([0.5, 0.5, 0.5, 0.9])
    d = np.array([0.5, 5.0, 5.0, 0.2])
    e = np.array([True, False, False, False])  # the last one is censored at 0.2: unknown
    # censoring KM: G = 3/4 after 0.2, so every known unit weighs 4/3; observed = 1/3
    ici = integrated_calibration_index(d, e, p, 1.0, smoother="isotonic")
    assert ici == pytest.approx(abs(1 / 3 - 0.5))
    _, _, w = status_at(d, e, 1.0)
    assert w.tolist() == pytest.approx([4 / 3, 4 / 3, 4 / 3, 0.0])


def test_calibration_table_bins() -> None:
    p = np.linspace(0.05, 0.95, 20)
    d = np.full(20, 10.0)
    e = np.zeros(20, dtype=bool)
    pm, ob, ct = calibration_table(d, e, p, 1.0, n_bins=4)
    assert ct.sum() == 20
    assert np.all(ob == 0)
    assert np.all(np.diff(pm) > 0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        pytest.param(
            lambda: concordance_index([1.0], [True, False], [0.1]),
            "must be 1-D and equal",
            id="shape",
        ),
        pytest.param(
            lambda: concordance_index([1.0, 2.0], [True, True], [0.1]),
            r"shape \(2,\)",
            id="risk-shape",
        ),
        pytest.param(
            lambda: concordance_index([-1.0], [True], [0.1]), "finite and >= 0", id="negative"
        ),
        pytest.param(
            lambda: integrated_calibration_index([1.0], [True], [0.5], 1.0, "knn"),
            "smoother must be",
            id="smoother",
        ),
        pytest.param(
            lambda: brier_scores([1.0], [True], [[math.nan]], [0.5]),
            "non-finite",
            id="nan-prediction",
        ),
    ],
)
def test_bad_input_is_a_clear_error(call: object, match: str) -> None:
    with pytest.raises(DataError, match=match):
        call()  # type: ignore[operator]
