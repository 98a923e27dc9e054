"""How good a forecast is: discrimination, accuracy and calibration under censoring.

- :func:`concordance_index`: Harrell's C (sksurv ``concordance_index_censored``).
- :func:`time_dependent_auc`: cumulative/dynamic AUC at horizons (sksurv, IPCW).
- :func:`brier_scores` and :func:`integrated_brier_score`: IPCW Brier score (sksurv).
- :func:`integrated_calibration_index`: ICI at one horizon (see its docstring for censoring).

Each public function checks its inputs, then calls a private function that computes. The
censoring distribution used by the IPCW metrics defaults to the evaluated data itself (in a
backtest every show is followed to the same newest date, so censoring is administrative).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from sequelcast.errors import DataError


def _check_survival(durations: Any, events: Any) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if d.ndim != 1 or d.shape != e.shape:
        raise DataError(f"metrics: durations {d.shape} and events {e.shape} must be 1-D and equal")
    if len(d) == 0:
        raise DataError("metrics: no rows to evaluate")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise DataError("metrics: durations must be finite and >= 0")
    return d, e


def _check_predictions(pred: Any, n: int, m: int | None, name: str) -> np.ndarray:
    p = np.asarray(pred, dtype=float)
    if m is None:
        if p.shape != (n,):
            raise DataError(f"metrics: {name} must have shape ({n},), got {p.shape}")
    elif p.shape != (n, m):
        raise DataError(f"metrics: {name} must have shape ({n}, {m}), got {p.shape}")
    if not np.all(np.isfinite(p)):
        raise DataError(f"metrics: {name} has non-finite values")
    return p


def _surv(durations: np.ndarray, events: np.ndarray) -> np.ndarray:
    from sksurv.util import Surv

    return Surv.from_arrays(events, durations)


def concordance_index(durations: Any, events: Any, risk: Any) -> float:
    """Harrell's concordance index; ``risk`` higher = event expected sooner.

    Returns ``nan`` when no pair is comparable.

    Examples
    --------
    >>> concordance_index([1.0, 2.0, 3.0], [True, True, False], [3.0, 1.0, 2.0])
    0.6666666666666666
    """
    d, e = _check_survival(durations, events)
    r = _check_predictions(risk, len(d), None, "risk")
    return _harrell(d, e, r)


def _harrell(d: np.ndarray, e: np.ndarray, r: np.ndarray) -> float:
    from sksurv.exceptions import NoComparablePairException
    from sksurv.metrics import concordance_index_censored

    if not e.any() or len(d) < 2:
        return math.nan
    try:
        return float(concordance_index_censored(e, d, r)[0])
    except NoComparablePairException:
        return math.nan


def _valid_horizons(d: np.ndarray, e: np.ndarray, horizons: np.ndarray) -> np.ndarray:
    """Horizons inside the follow-up: after the first event time, before the last time."""
    if not e.any():
        return np.zeros(len(horizons), dtype=bool)
    return (horizons >= d[e].min()) & (horizons < d.max())


def time_dependent_auc(
    durations: Any,
    events: Any,
    predictions: Any,
    horizons: Sequence[float],
    train_durations: Any = None,
    train_events: Any = None,
) -> np.ndarray:
    """Cumulative/dynamic AUC at each horizon (IPCW, sksurv ``cumulative_dynamic_auc``).

    Parameters
    ----------
    durations, events
        Evaluated outcomes.
    predictions
        Shape ``(n, len(horizons))``: higher = event by the horizon more likely (e.g. the
        predicted probability of an announcement within ``h``).
    horizons
        Horizons (same unit as ``durations``).
    train_durations, train_events
        Data for the censoring distribution (default: the evaluated data).

    Returns
    -------
    numpy.ndarray
        One AUC per horizon; ``nan`` where the horizon lies outside the follow-up or has no
        cases or no controls.
    """
    d, e = _check_survival(durations, events)
    h = np.asarray(horizons, dtype=float)
    p = _check_predictions(predictions, len(d), len(h), "predictions")
    td, te = (d, e) if train_durations is None else _check_survival(train_durations, train_events)
    return _td_auc(d, e, p, h, td, te)


def _td_auc(
    d: np.ndarray, e: np.ndarray, p: np.ndarray, h: np.ndarray, td: np.ndarray, te: np.ndarray
) -> np.ndarray:
    from sksurv.metrics import cumulative_dynamic_auc

    out = np.full(len(h), math.nan)
    ok = _valid_horizons(d, e, h) & (h < td.max())
    for j in np.flatnonzero(ok):
        cases = (d <= h[j]) & e
        if not cases.any() or not (d > h[j]).any():
            continue
        auc, _ = cumulative_dynamic_auc(_surv(td, te), _surv(d, e), p[:, j], h[j : j + 1])
        out[j] = float(auc[0])
    return out


def brier_scores(
    durations: Any,
    events: Any,
    survival: Any,
    horizons: Sequence[float],
    train_durations: Any = None,
    train_events: Any = None,
) -> np.ndarray:
    """IPCW Brier score at each horizon (sksurv ``brier_score``).

    Parameters
    ----------
    durations, events
        Evaluated outcomes.
    survival
        Shape ``(n, len(horizons))``: predicted probability of *no* event by each horizon.
    horizons
        Horizons (same unit as ``durations``).
    train_durations, train_events
        Data for the censoring distribution (default: the evaluated data).

    Returns
    -------
    numpy.ndarray
        One score per horizon (lower is better); ``nan`` outside the follow-up.

    Examples
    --------
    >>> brier_scores([1.0, 3.0], [True, True], [[0.2], [0.9]], [2.0]).round(3).tolist()
    [0.025]
    """
    d, e = _check_survival(durations, events)
    h = np.asarray(horizons, dtype=float)
    s = _check_predictions(survival, len(d), len(h), "survival")
    td, te = (d, e) if train_durations is None else _check_survival(train_durations, train_events)
    from sksurv.metrics import brier_score

    out = np.full(len(h), math.nan)
    ok = (h < d.max()) & (h < td.max()) & (h >= d.min())
    if ok.any():
        _, bs = brier_score(_surv(td, te), _surv(d, e), s[:, ok], h[ok])
        out[ok] = bs
    return out


def integrated_brier_score(
    durations: Any,
    events: Any,
    survival: Any,
    times: ArrayLike,
    train_durations: Any = None,
    train_events: Any = None,
) -> float:
    """Integrated IPCW Brier score over ``times`` (sksurv ``integrated_brier_score``).

    ``times`` outside the follow-up are dropped (with their columns); at least two must remain.
    """
    d, e = _check_survival(durations, events)
    t = np.asarray(times, dtype=float)
    s = _check_predictions(survival, len(d), len(t), "survival")
    td, te = (d, e) if train_durations is None else _check_survival(train_durations, train_events)
    ok = (t < d.max()) & (t < td.max()) & (t >= d.min())
    if ok.sum() < 2:
        return math.nan
    from sksurv.metrics import integrated_brier_score as _ibs

    return float(_ibs(_surv(td, te), _surv(d, e), s[:, ok], t[ok]))


def status_at(
    durations: Any, events: Any, horizon: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who has a known status at ``horizon``, the outcome, and the IPCW weight.

    Returns
    -------
    known, outcome, weight : numpy.ndarray
        ``known``: event by ``horizon`` or followed past it; ``outcome``: event by ``horizon``;
        ``weight``: ``1 / G(min(T, horizon)-)`` with ``G`` the Kaplan-Meier curve of the
        censoring times (0 where the status is unknown).
    """
    d, e = _check_survival(durations, events)
    return _status_at(d, e, float(horizon))


def _censoring_survival(d: np.ndarray, e: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Kaplan-Meier ``G(at-)`` of the censoring times (censored = ``~e``; scikit-survival)."""
    from sksurv.nonparametric import kaplan_meier_estimator

    if e.all():
        return np.ones(np.shape(at))
    times, surv = kaplan_meier_estimator(~e, d)
    idx = np.searchsorted(times, at, side="left") - 1
    return np.where(idx >= 0, surv[np.maximum(idx, 0)], 1.0)


def _status_at(d: np.ndarray, e: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    outcome = e & (d <= h)
    known = outcome | (d > h)
    G = _censoring_survival(d, e, np.minimum(d, h))
    weight = np.where(known, 1.0 / np.clip(G, 0.05, 1.0), 0.0)
    return known, outcome, weight


def _lowess(x: np.ndarray, y: np.ndarray, w: np.ndarray, frac: float) -> np.ndarray:
    """Weighted local-linear smoother with tricube kernel, evaluated at ``x``."""
    n = len(x)
    k = max(int(math.ceil(frac * n)), min(n, 5))
    out = np.empty(n)
    for i in range(n):
        dist = np.abs(x - x[i])
        radius = np.partition(dist, k - 1)[k - 1]
        if radius <= 0:
            near = dist <= 0
            out[i] = np.average(y[near], weights=w[near])
            continue
        kw = w * np.clip(1 - (dist / (radius * 1.0001)) ** 3, 0, None) ** 3
        sw = kw.sum()
        mx = (kw * x).sum() / sw
        my = (kw * y).sum() / sw
        vx = (kw * (x - mx) ** 2).sum()
        slope = (kw * (x - mx) * (y - my)).sum() / vx if vx > 1e-12 else 0.0
        out[i] = my + slope * (x[i] - mx)
    return np.clip(out, 0.0, 1.0)


def _isotonic(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    from sklearn.isotonic import IsotonicRegression

    return (
        IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        .fit(x, y, sample_weight=w)
        .predict(x)
    )


def integrated_calibration_index(
    durations: Any,
    events: Any,
    predicted: Any,
    horizon: float,
    smoother: str = "lowess",
    frac: float = 0.75,
) -> float:
    """Integrated calibration index at ``horizon``: mean ``|observed - predicted|``.

    ``observed`` is a smooth fit of the outcome "event by ``horizon``" against the predicted
    probability. Censoring: only units whose status at ``horizon`` is known enter (event by
    ``horizon``, or followed past it), each weighted by the inverse probability of not being
    censored before ``min(T, horizon)`` (IPCW, Kaplan-Meier of the censoring times), in the fit
    and in the mean. Without censoring before ``horizon`` all weights are 1.

    Parameters
    ----------
    durations, events
        Outcomes.
    predicted
        Predicted probability of an event by ``horizon``, one per unit.
    horizon
        The horizon.
    smoother
        ``"lowess"`` (local linear, tricube kernel, span ``frac``; as in Austin & Steyerberg 2019)
        or ``"isotonic"``.
    frac
        Span of the lowess smoother.

    Returns
    -------
    float
        The ICI (0 = perfectly calibrated), ``nan`` if no unit has a known status.

    Examples
    --------
    >>> p = [0.5] * 4
    >>> integrated_calibration_index([1, 9, 9, 9], [True, False, False, False], p, 2.0)
    0.25
    """
    d, e = _check_survival(durations, events)
    p = _check_predictions(predicted, len(d), None, "predicted")
    if smoother not in ("lowess", "isotonic"):
        raise DataError(f"metrics: smoother must be 'lowess' or 'isotonic', got {smoother!r}")
    known, y, w = _status_at(d, e, float(horizon))
    if not known.any():
        return math.nan
    x, yk, wk = p[known], y[known].astype(float), w[known]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        obs = _lowess(x, yk, wk, frac) if smoother == "lowess" else _isotonic(x, yk, wk)
    return float(np.average(np.abs(obs - x), weights=wk))


def calibration_table(
    durations: Any, events: Any, predicted: Any, horizon: float, n_bins: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean predicted vs observed (IPCW) probability in quantile bins of the prediction.

    Returns
    -------
    predicted_mean, observed, count : numpy.ndarray
        One value per non-empty bin (units with a known status only).
    """
    d, e = _check_survival(durations, events)
    p = _check_predictions(predicted, len(d), None, "predicted")
    known, y, w = _status_at(d, e, float(horizon))
    p, y, w = p[known], y[known].astype(float), w[known]
    if len(p) == 0:
        return np.array([]), np.array([]), np.array([])
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    pm, ob, ct = [], [], []
    for b in np.unique(bins):
        m = bins == b
        pm.append(np.average(p[m], weights=w[m]))
        ob.append(np.average(y[m], weights=w[m]))
        ct.append(int(m.sum()))
    return np.asarray(pm), np.asarray(ob), np.asarray(ct)
