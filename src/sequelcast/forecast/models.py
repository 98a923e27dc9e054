"""Survival models of "time from a season's end to the next season's announcement".

Every model has the sklearn/lifelines shape: ``__init__`` stores hyper-parameters, ``fit(X,
durations, events)`` returns ``self``, learned state ends in ``_``, ``predict(X)`` returns a risk
score (**higher = more likely to get a sequel, and sooner**) and ``predict_survival_function(X,
times)`` returns one curve per row (probability of still having no next season).

:class:`SurvivalModel` owns the shared work: input checks, median imputation, standardisation,
evaluating step curves at any time, extending them past the last training time with the average
hazard of the last years (revivals happen; a curve never ends flat by construction only) and the
forecast quantity :meth:`SurvivalModel.predict_within` =
``P(announced within h years after as_of | no announcement after waiting w years)``
``= 1 - S(w + h) / S(w)``. A model only supplies its curves (``_curves``) and risk (``_risk``).

Models
------
- :class:`CoxModel`: penalised Cox proportional hazards (lifelines ``CoxPHFitter``).
- :class:`GradientBoostingModel`: sksurv ``GradientBoostingSurvivalAnalysis`` (Cox loss).
- :class:`RandomSurvivalForestModel`: sksurv ``RandomSurvivalForest`` (small forest).
- Baselines: :class:`KaplanMeierModel` (no features), :class:`PopularityLogisticModel`
  (log members + score, one logistic regression per horizon) and :class:`RuleOfThumbModel`
  (the fan articles' rule, hand-scored, nothing fitted).
- :class:`CalibratedModel`: recalibrates another model (see its docstring).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from sequelcast.errors import ConvergenceWarning, DataError, ModelError
from sequelcast.forecast.metrics import _status_at

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
            f"forecast: X must be a pandas DataFrame of features, got {type(X).__name__}")
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
                ConvergenceWarning, stacklevel=2,
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
                f"{type(self).__name__} is not fitted yet; call fit(X, durations, events)")

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
    """Kaplan-Meier ``-log S`` at the distinct event times."""
    times = np.unique(durations[events])
    if len(times) == 0:
        return np.array([0.0]), np.array([0.0])
    at_risk = len(durations) - np.searchsorted(np.sort(durations), times, side="left")
    deaths = np.array([np.sum((durations == t) & events) for t in times])
    surv = np.cumprod(1.0 - deaths / at_risk)
    return times, -np.log(np.clip(surv, 1e-12, 1.0))


class KaplanMeierModel(SurvivalModel):
    """Base rate: the Kaplan-Meier curve of all spells, the same for every show (no features).

    Examples
    --------
    >>> X = pd.DataFrame({"a": np.zeros(12)})
    >>> m = KaplanMeierModel().fit(X, np.arange(1.0, 13.0), np.arange(12) < 11)
    >>> m.predict_survival_function(X.iloc[:1], [0.5, 1.0, 2.5]).round(3).tolist()
    [[1.0, 0.917, 0.833]]
    """

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        self.event_times_, self.cumulative_hazard_ = _km_cumhaz(durations, events)

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        return self.event_times_, np.tile(self.cumulative_hazard_, (len(Z), 1))

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return np.zeros(len(Z))


class CoxModel(SurvivalModel):
    """Penalised Cox proportional hazards (lifelines ``CoxPHFitter``) on standardised features.

    Parameters
    ----------
    penalizer
        Strength of the elastic-net penalty on the coefficients.
    l1_ratio
        Share of L1 in the penalty (0 = ridge).

    Attributes
    ----------
    coef_ : numpy.ndarray
        One log hazard ratio per kept column (``columns_``), per standard deviation.
    baseline_times_, baseline_cumulative_hazard_ : numpy.ndarray
        Breslow baseline at the mean feature row.
    """

    _standardize = True

    def __init__(self, penalizer: float = 0.05, l1_ratio: float = 0.0) -> None:
        self.penalizer = penalizer
        self.l1_ratio = l1_ratio

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        from lifelines import CoxPHFitter
        from lifelines.exceptions import ConvergenceError
        from lifelines.exceptions import ConvergenceWarning as LifelinesConvergenceWarning

        cols = [f"x{i}" for i in range(Z.shape[1])]
        df = pd.DataFrame(Z, columns=cols)
        df["_T"] = durations
        df["_E"] = events.astype(int)
        penalizer = self.penalizer
        for attempt in range(3):
            cph = CoxPHFitter(penalizer=penalizer, l1_ratio=self.l1_ratio)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    cph.fit(df, "_T", "_E")
            except ConvergenceError as exc:
                if attempt == 2:
                    raise ModelError(f"CoxModel: the fit did not converge: {exc}") from exc
                penalizer = max(penalizer, 1e-3) * 10.0
                warnings.warn(f"CoxModel: no convergence, retrying with penalizer={penalizer}",
                              ConvergenceWarning, stacklevel=3)
                continue
            for w in caught:  # lifelines' own convergence notes become ours; the rest is chatter
                if issubclass(w.category, LifelinesConvergenceWarning):
                    warnings.warn(f"CoxModel: {w.message}", ConvergenceWarning, stacklevel=3)
            break
        self.penalizer_ = penalizer
        self.coef_ = cph.params_.to_numpy(dtype=float)
        self._norm_mean_ = np.asarray(cph._norm_mean, dtype=float)
        bch = cph.baseline_cumulative_hazard_
        self.baseline_times_ = bch.index.to_numpy(dtype=float)
        self.baseline_cumulative_hazard_ = bch.iloc[:, 0].to_numpy(dtype=float)

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return (Z - self._norm_mean_) @ self.coef_

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        hr = np.exp(np.clip(self._risk(Z), -30, 30))
        return self.baseline_times_, hr[:, None] * self.baseline_cumulative_hazard_[None, :]

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per-feature log hazard ratio ``coef * (value - training mean) / sd``, per row."""
        self._check_fitted()
        Z = self._transform(X)
        return pd.DataFrame((Z - self._norm_mean_) * self.coef_, index=X.index,
                            columns=list(self.columns_))


class _SksurvModel(SurvivalModel):
    """Shared code of the sksurv ensembles."""

    def _make(self) -> Any:
        raise NotImplementedError

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        from sksurv.util import Surv

        self.estimator_ = self._make()
        self.estimator_.fit(Z, Surv.from_arrays(events, durations))

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        H = self.estimator_.predict_cumulative_hazard_function(Z, return_array=True)
        return np.asarray(self.estimator_.unique_times_, dtype=float), H

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return np.asarray(self.estimator_.predict(Z), dtype=float)


class GradientBoostingModel(_SksurvModel):
    """Gradient-boosted trees with the Cox partial-likelihood loss (sksurv).

    Parameters
    ----------
    n_estimators, learning_rate, max_depth, subsample, min_samples_leaf
        Passed to ``GradientBoostingSurvivalAnalysis``.
    random_state
        Seed of the subsampling.
    """

    def __init__(
        self,
        n_estimators: int = 200,
        learning_rate: float = 0.05,
        max_depth: int = 3,
        subsample: float = 0.8,
        min_samples_leaf: int = 10,
        random_state: int | None = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.min_samples_leaf = min_samples_leaf
        self.random_state = random_state

    def _make(self) -> Any:
        from sksurv.ensemble import GradientBoostingSurvivalAnalysis

        return GradientBoostingSurvivalAnalysis(
            loss="coxph", n_estimators=self.n_estimators, learning_rate=self.learning_rate,
            max_depth=self.max_depth, subsample=self.subsample,
            min_samples_leaf=self.min_samples_leaf, random_state=self.random_state,
        )


class RandomSurvivalForestModel(_SksurvModel):
    """A small random survival forest (sksurv); kept small so forecasts stay fast.

    Parameters
    ----------
    n_estimators, min_samples_leaf, max_features, max_depth
        Passed to ``RandomSurvivalForest``.
    random_state
        Seed of the bootstrap.
    """

    def __init__(
        self,
        n_estimators: int = 100,
        min_samples_leaf: int = 15,
        max_features: str | float = "sqrt",
        max_depth: int | None = 8,
        random_state: int | None = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.max_depth = max_depth
        self.random_state = random_state

    def _make(self) -> Any:
        from sksurv.ensemble import RandomSurvivalForest

        return RandomSurvivalForest(
            n_estimators=self.n_estimators, min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features, max_depth=self.max_depth,
            random_state=self.random_state, n_jobs=1,
        )


class DiscreteTimeBoostingModel(SurvivalModel):
    """Discrete-time hazard model: gradient-boosted trees on spell-period rows.

    Each spell is cut into periods of ``step`` years; one row per period at risk carries the
    features, the time since the season ended (period middle) and whether the announcement fell
    in that period. sklearn's ``HistGradientBoostingClassifier`` learns the hazard of a period,
    so effects may change with the time waited (unlike a proportional-hazards model), and the
    curve is ``H(t) = sum -log(1 - h_k)`` over the periods ended by ``t``, linear within a
    period (a constant hazard).

    Parameters
    ----------
    step
        Period length in years.
    max_iter, learning_rate, max_depth, min_samples_leaf, l2_regularization
        Passed to ``HistGradientBoostingClassifier`` (no early stopping: deterministic).
    calendar
        Also give each period its calendar year (season end + time waited), so the hazard can
        follow trends over the years (trees carry the latest level forward when forecasting).
    n_threads
        OpenMP threads of the classifier (``None``: all cores). One is the default: on a shared
        two-core machine, OpenMP threads competing with other processes were ten times slower.
    random_state
        Seed of the classifier.
    """

    _linear = True

    def __init__(
        self,
        step: float = 0.25,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        max_depth: int = 3,
        min_samples_leaf: int = 50,
        l2_regularization: float = 1.0,
        calendar: bool = False,
        n_threads: int | None = 1,
        random_state: int | None = 0,
    ) -> None:
        self.n_threads = n_threads
        self.step = step
        self.max_iter = max_iter
        self.calendar = calendar
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def _periods(self) -> int:
        return max(int(math.ceil(self.max_time_ / self.step)), 1)

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        from sklearn.ensemble import HistGradientBoostingClassifier

        K = self._periods()
        last = np.minimum((durations / self.step).astype(int), K - 1)  # period of exit
        counts = last + 1
        rows = np.repeat(np.arange(len(Z)), counts)
        k = np.concatenate([np.arange(c) for c in counts])
        y = (k == last[rows]) & events[rows]  # spells past the last period end in it
        t = (k + 0.5) * self.step
        self.classifier_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=self.random_state,
        )
        if len(np.unique(y)) < 2:
            raise ModelError("DiscreteTimeBoostingModel: needs both events and non-events")
        with self._threads():
            self.classifier_.fit(self._rows(Z[rows], t), y)

    def _threads(self) -> Any:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.n_threads, user_api="openmp")

    def _rows(self, Z: np.ndarray, t: np.ndarray) -> np.ndarray:
        cols = [Z, t]
        names = list(self.columns_)
        if self.calendar and "start_year" in names and "airing_weeks" in names:
            ended = Z[:, names.index("start_year")] + Z[:, names.index("airing_weeks")] / 52.18
            cols.append(ended + t)
        return np.column_stack(cols)

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        K = min(self._periods(), int(math.ceil(upto / self.step)) + 1)
        t = (np.arange(K) + 0.5) * self.step
        rows = self._rows(np.repeat(Z, K, axis=0), np.tile(t, len(Z)))
        with self._threads():
            h = self.classifier_.predict_proba(rows)[:, 1].reshape(len(Z), K)
        H = np.cumsum(-np.log1p(-np.clip(h, 0.0, 1.0 - 1e-9)), axis=1)
        return np.arange(K + 1.0) * self.step, np.column_stack([np.zeros(len(Z)), H])

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        grid, H = self._curves(Z, 3.0)
        return H[:, min(int(round(3.0 / self.step)), len(grid) - 1)]

    def log_hazard(self, X: pd.DataFrame, times: Any) -> np.ndarray:
        """Log of the yearly hazard at ``times`` (``(n, m)``, one row per sample) after the end.

        Cheap (one classifier row per value), used to explain forecasts.
        """
        self._check_fitted()
        Z = self._transform(X)
        T = np.asarray(times, dtype=float)
        T = np.broadcast_to(T if T.ndim == 2 else T[None, :], (len(Z), T.shape[-1]))
        k = np.minimum(np.floor(T / self.step), self._periods() - 1).ravel()
        rows = np.repeat(np.arange(len(Z)), T.shape[1])
        with self._threads():
            h = self.classifier_.predict_proba(self._rows(Z[rows], (k + 0.5) * self.step))[:, 1]
        lam = -np.log1p(-np.clip(h, 1e-12, 1.0 - 1e-9)) / self.step
        return np.log(lam).reshape(T.shape)


class PopularityLogisticModel(SurvivalModel):
    """Baseline: one logistic regression per horizon on popularity and score.

    For each horizon ``h`` it predicts "announced within ``h`` years of the season's end" from
    ``features`` (default log members and MAL score), trained on the spells whose status at
    ``h`` is known (event by ``h``, or followed for at least ``h`` years). The probabilities are
    joined into a cumulative hazard, piecewise linear between horizons (made non-decreasing).

    Parameters
    ----------
    horizons
        Horizons in years.
    features
        Columns of ``X`` used.
    C
        Inverse regularisation strength of ``LogisticRegression``.
    """

    _standardize = True
    _linear = True

    def __init__(
        self,
        horizons: Sequence[float] = (1, 2, 3, 5),
        features: Sequence[str] = ("log_members", "score"),
        C: float = 1.0,
    ) -> None:
        self.horizons = horizons
        self.features = features
        self.C = C

    def fit(self, X: pd.DataFrame, durations: Any, events: Any) -> Self:
        """Fit one logistic regression per horizon on ``features`` (see the class docstring)."""
        X = _check_X(X)
        missing = [f for f in self.features if f not in X.columns]
        if missing:
            raise DataError(f"PopularityLogisticModel: X lacks the columns {missing}")
        return super().fit(X[list(self.features)], durations, events)

    def _transform(self, X: pd.DataFrame) -> np.ndarray:
        return super()._transform(_check_X(X)[list(self.features)])

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        self.horizons_ = np.sort(np.asarray(self.horizons, dtype=float))
        self.models_: list[LogisticRegression | float] = []
        for h in self.horizons_:
            known = events | (durations >= h)
            y = events & (durations <= h)
            if known.sum() < MIN_EVENTS or len(np.unique(y[known])) < 2:
                warnings.warn(f"PopularityLogisticModel: too few known outcomes at {h} years; "
                              "using the base rate", ConvergenceWarning, stacklevel=3)
                self.models_.append(float(y[known].mean()) if known.any() else 0.0)
                continue
            self.models_.append(LogisticRegression(C=self.C).fit(Z[known], y[known]))

    def _probabilities(self, Z: np.ndarray) -> np.ndarray:
        cols = []
        for m in self.models_:
            if isinstance(m, float):
                cols.append(np.full(len(Z), m))
            else:
                cols.append(m.predict_proba(Z)[:, 1])
        return np.clip(np.column_stack(cols), 0.0, 1.0 - 1e-9)

    def _time_max(self) -> float:
        return float(self.horizons_[-1])

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        knots_t = np.concatenate([[0.0], self.horizons_])
        knots_h = np.concatenate([np.zeros((len(Z), 1)), -np.log1p(-self._probabilities(Z))],
                                 axis=1)
        return knots_t, np.maximum.accumulate(knots_h, axis=1)

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return self._probabilities(Z)[:, -1]


class RuleOfThumbModel(SurvivalModel):
    """Baseline: the rule of thumb of fan articles, hand-scored, nothing fitted.

    Points: popular (same-year members percentile >= 0.8: +2, >= 0.5: +1), source material
    left (manga or novel source: +1, original: -1), recent (waited <= 2 years: +1, more than
    5 years: -1, more than 8: -2). Three points or more is "likely" (30% a year), one or two
    "maybe" (12% a year), less "unlikely" (3% a year), as a constant yearly hazard.
    """

    #: Points band -> yearly probability of an announcement.
    BANDS: ClassVar[tuple[tuple[int, float], ...]] = ((3, 0.30), (1, 0.12), (-99, 0.03))

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        self.fitted_ = True

    def _column(self, Z: np.ndarray, name: str) -> np.ndarray:
        names = list(self.columns_)
        return Z[:, names.index(name)] if name in names else np.zeros(len(Z))

    def _points(self, Z: np.ndarray, waited: np.ndarray) -> np.ndarray:
        pct = self._column(Z, "members_pct_year")
        pts = np.where(pct >= 0.8, 2, np.where(pct >= 0.5, 1, 0))
        pts = pts + np.maximum(self._column(Z, "src_manga"), self._column(Z, "src_novel"))
        pts = pts - self._column(Z, "src_original")
        pts = pts + np.where(waited <= 2, 1, np.where(waited > 8, -2, np.where(waited > 5, -1, 0)))
        return pts

    def _hazard(self, points: np.ndarray) -> np.ndarray:
        p = np.full(len(points), self.BANDS[-1][1])
        for threshold, prob in reversed(self.BANDS):
            p = np.where(points >= threshold, prob, p)
        return -np.log1p(-p)

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return self._points(Z, np.zeros(len(Z))).astype(float)

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        grid = np.linspace(0.0, self.max_time_, int(self.max_time_ * 52) + 2)
        return grid, self._hazard(self._points(Z, np.zeros(len(Z))))[:, None] * grid[None, :]

    def predict_within(self, X: pd.DataFrame, waited: Any, horizons: ArrayLike) -> np.ndarray:
        """Like :meth:`SurvivalModel.predict_within`, with "recent" judged from ``waited``."""
        self._check_fitted()
        w = np.broadcast_to(np.asarray(waited, dtype=float), (len(X),))
        rate = self._hazard(self._points(self._transform(X), w))
        return 1.0 - np.exp(-rate[:, None] * np.asarray(horizons, dtype=float)[None, :])


def _fit_cloglog(H: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` maximising the weighted likelihood of ``p = 1 - exp(-exp(a) * H**b)``."""
    logH = np.log(np.clip(H, 1e-6, _MAX_HAZARD))

    def loss(params: np.ndarray) -> float:
        a, log_b = params
        eta = np.clip(a + math.exp(log_b) * logH, -30, 5)
        p = np.clip(-np.expm1(-np.exp(eta)), 1e-9, 1 - 1e-9)
        return float(-np.sum(w * (y * np.log(p) + (1 - y) * np.log1p(-p))) / w.sum())

    res = minimize(loss, np.zeros(2), method="L-BFGS-B", bounds=[(-5, 5), (-2.5, 1.5)])
    if not res.success:
        warnings.warn(f"CalibratedModel: recalibration did not converge ({res.message})",
                      ConvergenceWarning, stacklevel=4)
    return float(res.x[0]), float(math.exp(res.x[1]))


class CalibratedModel(SurvivalModel):
    """Recalibrates a model's curves at the reported horizons.

    Out-of-fold cumulative hazards ``H(h | x)`` at each horizon are compared with what happened
    (spells whose status at ``h`` is known, weighted by the inverse probability of not being
    censored before, IPCW) and one monotone map ``H' = exp(a) * H ** b`` (a complementary log-log
    Platt scaling, pooled over the horizons) is fitted by weighted maximum likelihood. Because
    the map is increasing in ``H`` and the same at every time, the recalibrated curves remain
    valid survival curves, and the conditional forecasts ``1 - S(w + h) / S(w)`` use them.

    Parameters
    ----------
    estimator
        The model to recalibrate (cloned; the final one, fitted on all data, is ``estimator_``).
    horizons
        Horizons in years.
    n_splits
        Folds of the out-of-fold predictions.
    random_state
        Seed of the fold split.
    """

    def __init__(
        self,
        estimator: SurvivalModel,
        horizons: Sequence[float] = (1, 2, 3, 5),
        n_splits: int = 4,
        random_state: int | None = 0,
    ) -> None:
        self.estimator = estimator
        self.horizons = horizons
        self.n_splits = n_splits
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, durations: Any, events: Any) -> Self:
        """Fit the model out of fold, learn the recalibration, then refit on all rows."""
        X = _check_X(X)
        d, e = _check_target(durations, events, len(X))
        h = np.asarray(self.horizons, dtype=float)
        oof = np.zeros((len(X), len(h)))
        folds = KFold(self.n_splits, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(X):
            m = clone(self.estimator).fit(X.iloc[train], d[train], e[train])
            oof[test] = m.predict_cumulative_hazard(X.iloc[test], h)
        status = [_status_at(d, e, float(hj)) for hj in h]
        known = np.column_stack([s[0] for s in status])
        y = np.column_stack([s[1] for s in status]).astype(float)
        w = np.column_stack([s[2] for s in status])
        self.a_, self.b_ = _fit_cloglog(oof[known], y[known], w[known])
        self.estimator_ = clone(self.estimator).fit(X, d, e)
        self.feature_names_in_ = self.estimator_.feature_names_in_
        self.n_features_in_ = self.estimator_.n_features_in_
        self.max_time_ = self.estimator_.max_time_
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Risk score of the underlying model (the recalibration keeps the order)."""
        self._check_fitted()
        return self.estimator_.predict(X)

    def predict_cumulative_hazard(self, X: pd.DataFrame, times: Any) -> np.ndarray:
        """Recalibrated cumulative hazard ``exp(a) * H ** b`` of the underlying model."""
        self._check_fitted()
        H = self.estimator_.predict_cumulative_hazard(X, times)
        return math.exp(self.a_) * np.power(np.clip(H, 0.0, _MAX_HAZARD), self.b_)


def default_models(horizons: Sequence[float] = (1, 2, 3, 5),
                   random_state: int | None = 0) -> dict[str, SurvivalModel]:
    """The models compared by the backtest, by name: three candidates and three baselines.

    Candidates (recalibrated, 3 folds): ``cox``, ``gbsa`` (100 trees of depth 3, learning rate
    0.1, subsample 0.8) and ``discrete_boost``; baselines: :data:`BASELINES`.
    """
    def calibrated(model: SurvivalModel) -> CalibratedModel:
        return CalibratedModel(model, horizons=horizons, n_splits=3, random_state=random_state)

    return {
        "cox": calibrated(CoxModel()),
        "gbsa": calibrated(GradientBoostingModel(n_estimators=100, learning_rate=0.1,
                                                 random_state=random_state)),
        "discrete_boost": calibrated(DiscreteTimeBoostingModel(random_state=random_state)),
        "kaplan_meier": KaplanMeierModel(),
        "popularity_logistic": PopularityLogisticModel(horizons=horizons),
        "rule_of_thumb": RuleOfThumbModel(),
    }


#: Names of the baselines in :func:`default_models` (never selected as "the" model).
BASELINES = ("kaplan_meier", "popularity_logistic", "rule_of_thumb")
