"""The base class of every survival model: input checks, curves, and the forecast quantity.

:class:`SurvivalModel` owns the shared work: input checks, median imputation, standardisation,
evaluating step curves at any time, extending them past the last training time with the average
hazard of the last years, and :meth:`SurvivalModel.predict_within` =
``P(announced within h years after as_of | no announcement after waiting w years)``
``= 1 - S(w + h) / S(w)``. A model only supplies its curves (``_curves``) and risk (``_risk``).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator

from sequelcast.errors import ConvergenceWarning, DataError, ModelError

#: Fewer events than this in a fit triggers a :class:`~sequelcast.errors.ConvergenceWarning`.
MIN_EVENTS = 10
#: Curves are trusted while at least this many spells (or a tenth, if fewer) remain at risk;
#: later, the average hazard of the preceding years is carried on.
MIN_AT_RISK = 20
_TAIL_YEARS = 3.0
_MAX_HAZARD = 50.0


def _check_X(X: Any) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise DataError(
            f"forecast: X must be a pandas DataFrame of features, got {type(X).__name__}"
        )
    if len(X) == 0:
        raise DataError("forecast: X has no rows; there is nothing to fit or predict")
    return X


def _check_target(durations: Any, events: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if d.shape != (n,) or e.shape != (n,):
        raise DataError(
            f"forecast: durations {d.shape} and events {e.shape} must both have shape ({n},), "
            "one value per row of X"
        )
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        bad = int(np.flatnonzero(~np.isfinite(d) | (d <= 0))[0])
        raise DataError(f"forecast: durations must be finite and > 0; row {bad} is {d[bad]!r}")
    return d, e


def _step_lookup(grid: np.ndarray, H: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Right-continuous step curves ``H`` (n, K) on ``grid`` evaluated at ``T`` (n, m)."""
    idx = np.searchsorted(grid, T, side="right") - 1
    rows = np.arange(H.shape[0])[:, None]
    vals = H[rows, np.clip(idx, 0, H.shape[1] - 1)]
    return np.where(idx >= 0, vals, 0.0)


def _linear_lookup(grid: np.ndarray, H: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Curves ``H`` (n, K) known at ``grid`` (starting at 0), linear in between, at ``T``."""
    K = H.shape[1]
    idx = np.clip(np.searchsorted(grid, T, side="right") - 1, 0, K - 1)
    nxt = np.minimum(idx + 1, K - 1)
    span = np.where(nxt > idx, grid[nxt] - grid[idx], 1.0)
    frac = np.clip((T - grid[idx]) / span, 0.0, 1.0)
    rows = np.arange(H.shape[0])[:, None]
    return H[rows, idx] + frac * (H[rows, nxt] - H[rows, idx])


class SurvivalModel(BaseEstimator):  # type: ignore[misc]
    """Base class: checks, preprocessing and curve evaluation shared by every model.

    Subclasses implement ``_fit(Z, durations, events)``, ``_curves(Z, upto) -> (grid, H)``
    (cumulative hazard, one row per sample, right-continuous steps on ``grid``, needed up to time
    ``upto`` at least; a model may compute less) and ``_risk(Z)``.

    Attributes
    ----------
    feature_names_in_ : numpy.ndarray
        Columns of ``X`` at fit time.
    fill_ : numpy.ndarray
        Training medians used for missing values.
    max_time_ : float
        Last time with at least :data:`MIN_AT_RISK` spells (a tenth of them in small data) at
        risk. Beyond it the cumulative
        hazard grows linearly with the average hazard of the preceding ``min(3, max_time_ / 2)``
        years, so a show that already waited long keeps a small, steady chance (revivals).
    """

    #: Standardise columns (and drop constant ones) before ``_fit``.
    _standardize: ClassVar[bool] = False
    #: Curves are linear between grid points (else right-continuous steps).
    _linear: ClassVar[bool] = False

    def fit(self, X: pd.DataFrame, durations: Any, events: Any) -> Self:
        """Fit the model.

        Parameters
        ----------
        X
            Features, one row per spell (see :func:`~sequelcast.forecast.dataset.build_features`).
        durations
            Years from the season's end to the event or to censoring (> 0).
        events
            ``True`` where the next season was announced.

        Returns
        -------
        self
        """
        X = _check_X(X)
        d, e = _check_target(durations, events, len(X))
        if int(e.sum()) < MIN_EVENTS:
            warnings.warn(
                f"{type(self).__name__}: only {int(e.sum())} events among {len(e)} spells; "
                f"the fit needs at least {MIN_EVENTS} to be trusted",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self._learn_preprocessing(X)
        self.max_time_ = float(np.sort(d)[-min(MIN_AT_RISK, max(1, len(d) // 10))])
        self._fit(self._transform(X), d, e)
        return self

    # -- preprocessing -------------------------------------------------------------------------
    def _learn_preprocessing(self, X: pd.DataFrame) -> None:
        values = X.to_numpy(dtype=float)
        with warnings.catch_warnings():  # all-nan columns are expected (e.g. no favorites in 2018)
            warnings.simplefilter("ignore", RuntimeWarning)
            fill = np.nanmedian(values, axis=0)
        self.fill_ = np.where(np.isfinite(fill), fill, 0.0)
        filled = np.where(np.isnan(values), self.fill_, values)
        keep = np.ones(values.shape[1], dtype=bool)
        center = np.zeros(values.shape[1])
        scale = np.ones(values.shape[1])
        if self._standardize:
            std = filled.std(axis=0)
            keep = std > 1e-12
            center = filled.mean(axis=0)
            scale = np.where(keep, std, 1.0)
        self.columns_ = np.asarray(X.columns, dtype=object)[keep]
        self._keep_ = keep
        self.center_ = center[keep]
        self.scale_ = scale[keep]

    def _transform(self, X: pd.DataFrame) -> np.ndarray:
        X = _check_X(X)
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise DataError(f"forecast: X lacks the fitted feature columns {missing}")
        values = X[list(self.feature_names_in_)].to_numpy(dtype=float)
        filled = np.where(np.isnan(values), self.fill_, values)
        return (filled[:, self._keep_] - self.center_) / self.scale_

    def _check_fitted(self) -> None:
        if not hasattr(self, "max_time_"):
            raise ModelError(
                f"{type(self).__name__} is not fitted yet; call fit(X, durations, events)"
            )

    # -- prediction ----------------------------------------------------------------------------
    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Risk score per row: higher = more likely to get a sequel, and sooner."""
        self._check_fitted()
        return np.asarray(self._risk(self._transform(X)), dtype=float)

    def _time_max(self) -> float:
        return float(self.max_time_)

    def predict_cumulative_hazard(self, X: pd.DataFrame, times: Any) -> np.ndarray:
        """Cumulative hazard at ``times`` (1-D, shared, or 2-D ``(n, m)``, one row per sample)."""
        self._check_fitted()
        T = np.asarray(times, dtype=float)
        upto = min(float(T.max()) if T.size else 0.0, self._time_max())
        grid, H = self._curves(self._transform(X), upto)
        return self._evaluate(grid, np.asarray(H, dtype=float), T, len(X))

    def _evaluate(self, grid: np.ndarray, H: np.ndarray, times: Any, n: int) -> np.ndarray:
        T = np.asarray(times, dtype=float)
        T = np.broadcast_to(T if T.ndim == 2 else T[None, :], (n, T.shape[-1]))
        if np.any(T < 0) or not np.all(np.isfinite(T)):
            raise DataError("forecast: times must be finite and >= 0")
        H = np.maximum.accumulate(np.clip(np.nan_to_num(H, nan=0.0), 0.0, _MAX_HAZARD), axis=1)
        tmax = self._time_max()
        width = min(_TAIL_YEARS, tmax / 2.0)
        lookup = _linear_lookup if self._linear else _step_lookup
        ends = np.array([[tmax - width, tmax]])
        end_vals = lookup(grid, H, np.broadcast_to(ends, (n, 2)))
        slope = np.maximum(end_vals[:, 1] - end_vals[:, 0], 0.0) / max(width, 1e-9)
        out = lookup(grid, H, np.minimum(T, tmax))
        return out + slope[:, None] * np.maximum(T - tmax, 0.0)

    def predict_survival_function(self, X: pd.DataFrame, times: Any) -> np.ndarray:
        """Probability of no next season yet, ``times`` years after the season ended.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(X), len(times))``, finite, in [0, 1] and non-increasing in time.
        """
        return np.exp(-self.predict_cumulative_hazard(X, times))

    def predict_within(self, X: pd.DataFrame, waited: Any, horizons: ArrayLike) -> np.ndarray:
        """``P(announced within h years | nothing after waiting w years)`` per row and horizon.

        Parameters
        ----------
        X
            Features of the at-risk spells.
        waited
            Years each show has already waited (scalar or one per row).
        horizons
            Horizons in years, counted from ``as_of``.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(X), len(horizons))``.
        """
        w = np.broadcast_to(np.asarray(waited, dtype=float), (len(X),))
        h = np.asarray(horizons, dtype=float)
        times = np.concatenate([w[:, None], w[:, None] + h[None, :]], axis=1)
        H = self.predict_cumulative_hazard(X, times)
        return 1.0 - np.exp(-(H[:, 1:] - H[:, :1]))

    # -- subclass hooks -------------------------------------------------------------------------
    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        raise NotImplementedError

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def _km_cumhaz(durations: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier ``-log S`` (scikit-survival's estimator) at the distinct event times."""
    from sksurv.nonparametric import kaplan_meier_estimator

    e = np.asarray(events, dtype=bool)
    if not e.any():
        return np.array([0.0]), np.array([0.0])
    times, surv = kaplan_meier_estimator(e, np.asarray(durations, dtype=float))
    at_event = np.isin(times, np.unique(durations[e]))
    return times[at_event], -np.log(np.clip(surv[at_event], 1e-12, 1.0))
