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

import contextlib
import math
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.base import clone
from sklearn.model_selection import KFold

from sequelcast.errors import ConvergenceWarning, ModelError
from sequelcast.forecast._base import (
    _MAX_HAZARD,
    MIN_AT_RISK,
    MIN_EVENTS,
    SurvivalModel,
    _check_target,
    _check_X,
)
from sequelcast.forecast._trees import TreeGrid, grid_available, grid_proba
from sequelcast.forecast.baselines import (
    KaplanMeierModel,
    PopularityLogisticModel,
    RuleOfThumbModel,
)
from sequelcast.forecast.metrics import _status_at

#: Features whose effect must go one way (+1: a higher value never lowers the chance of a next
#: season): popularity, score, disc sales, source material left, the studio's record and recency
#: (a later start year). Monotone models obey it, so explanations never contradict it.
MONOTONE: dict[str, int] = {
    "log_members": 1,
    "members_pct_year": 1,
    "score": 1,
    "log_disc_sales": 1,
    "src_running": 1,
    "src_volumes_per_episode": 1,
    "studio_rate": 1,
    "start_year": 1,
}


_THREADS_LIMITED = threading.local()  # .n: the limit set in this thread


def limit_threads(n_threads: int | None = 1) -> None:
    """Limit the OpenMP threads of the boosting models, once per thread (later calls: no-op).

    On a shared two-core machine, OpenMP threads competing with other processes were ten times
    slower; setting the limit around every fit or forecast cost time on every request, so the
    first call in a thread sets it for that thread (OpenMP's thread count is a per-thread
    setting: a build fits on its own thread, a server on its pool's) (``None``: leave the default).
    """
    if hasattr(_THREADS_LIMITED, "n"):
        return
    _THREADS_LIMITED.n = n_threads
    if n_threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n_threads, user_api="openmp")


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

    def __init__(
        self, penalizer: float = 0.05, l1_ratio: float = 0.0, monotone: dict[str, int] | None = None
    ) -> None:
        self.penalizer = penalizer
        self.l1_ratio = l1_ratio
        self.monotone = monotone

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        """Fit; with ``monotone``, a constrained column whose coefficient has the wrong sign is
        dropped and the model refitted (until every sign agrees)."""
        sign = np.array([(self.monotone or {}).get(str(c), 0) for c in self.columns_])
        use = np.ones(Z.shape[1], dtype=bool)
        for _ in range(Z.shape[1] + 1):
            fitted: np.ndarray = self._fit_columns(Z[:, use], durations, events)
            coef = np.zeros(Z.shape[1])
            coef[use] = fitted
            wrong = (sign * coef) < 0
            if not wrong.any():
                break
            use &= ~wrong
        mean = np.zeros(Z.shape[1])
        mean[use] = self._norm_mean_sub
        self.coef_ = coef
        self._norm_mean_: np.ndarray = mean
        self.dropped_ = np.asarray(self.columns_, dtype=object)[~use]

    def _fit_columns(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> np.ndarray:
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
                warnings.warn(
                    f"CoxModel: no convergence, retrying with penalizer={penalizer}",
                    ConvergenceWarning,
                    stacklevel=3,
                )
                continue
            for w in caught:  # lifelines' own convergence notes become ours; the rest is chatter
                if issubclass(w.category, LifelinesConvergenceWarning):
                    warnings.warn(f"CoxModel: {w.message}", ConvergenceWarning, stacklevel=3)
            break
        self.penalizer_ = penalizer
        self._norm_mean_sub = np.asarray(cph._norm_mean, dtype=float)
        bch = cph.baseline_cumulative_hazard_
        self.baseline_times_ = bch.index.to_numpy(dtype=float)
        self.baseline_cumulative_hazard_ = bch.iloc[:, 0].to_numpy(dtype=float)
        return np.asarray(cph.params_.to_numpy(dtype=float))

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return (Z - self._norm_mean_) @ self.coef_

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        hr = np.exp(np.clip(self._risk(Z), -30, 30))
        return self.baseline_times_, hr[:, None] * self.baseline_cumulative_hazard_[None, :]

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per-feature log hazard ratio ``coef * (value - training mean) / sd``, per row."""
        self._check_fitted()
        Z = self._transform(X)
        return pd.DataFrame(
            (Z - self._norm_mean_) * self.coef_, index=X.index, columns=list(self.columns_)
        )


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
            loss="coxph",
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            subsample=self.subsample,
            min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state,
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
            n_estimators=self.n_estimators,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            max_depth=self.max_depth,
            random_state=self.random_state,
            n_jobs=1,
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
        OpenMP threads of the process, set once by :func:`limit_threads` at the first fit or
        forecast (``None``: all cores).
    random_state
        Seed of the classifier.
    monotone
        Column name -> +1/-1: the hazard may only rise (fall) with that feature
        (``HistGradientBoostingClassifier(monotonic_cst=...)``), e.g. :data:`MONOTONE`.
    max_wait
        Years after which every period shares the hazard of the first one past ``max_wait``
        (its time waited); few announcements come later, the table and the forecasts get much
        smaller. ``None``: every period of the training data has its own.
    thin
        Keep one non-event period in ``thin`` before ``max_wait``, weighing ``thin`` (see
        :meth:`person_periods`); 1 keeps them all.
    """

    _linear = True

    def __init__(
        self,
        step: float = 0.25,
        max_iter: int = 100,
        learning_rate: float = 0.1,
        max_depth: int = 3,
        min_samples_leaf: int = 50,
        l2_regularization: float = 1.0,
        calendar: bool = False,
        n_threads: int | None = 1,
        random_state: int | None = 0,
        monotone: dict[str, int] | None = None,
        max_wait: float | None = 10.0,
        thin: int = 4,
    ) -> None:
        self.monotone = monotone
        self.max_wait = max_wait
        self.thin = thin
        self.n_threads = n_threads
        self.step = step
        self.max_iter = max_iter
        self.calendar = calendar
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A model pickled before ``max_wait``, ``thin`` and the bins existed (a forecaster kept
        on disk by an earlier version) keeps predicting as it was fitted: every period its own
        hazard, features unbinned."""
        state = {"max_wait": None, "thin": 1, **state}
        if "classifier_" in state:
            state.setdefault("bin_edges_", None)
        super().__setstate__(state)

    def _periods(self) -> int:
        return max(int(math.ceil(self.max_time_ / self.step)), 1)

    def _last_own(self) -> int:
        """Index of the last period with a hazard of its own (later periods share it)."""
        if self.max_wait is None:
            return self._periods() - 1
        return min(max(int(math.ceil(self.max_wait / self.step)), 1), self._periods() - 1)

    def person_periods(
        self, durations: np.ndarray, events: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The weighted spell-period rows the classifier is fitted on (after ``max_time_`` is set).

        Every spell is at risk in periods ``0 .. last`` (``last``: the period of its exit; spells
        past the last period end in it), and its announcement, if any, falls in ``last``.
        Two reductions keep the weighted likelihood and shrink the table:

        - periods from :meth:`_last_own` on share one hazard (their time waited is the same), so
          a spell's non-event periods there are one row weighing their number (exact);
        - before that, one non-event period in ``thin`` is kept (every ``thin``-th, from a
          seeded offset per spell) and weighs ``thin``: the case-control trick of discrete-time
          hazards, unbiased for the log-likelihood. Event rows are always kept.

        Returns
        -------
        spell, period, y, weight : numpy.ndarray
            One entry per row: index of the spell, its period (capped at :meth:`_last_own`),
            whether the announcement fell in it, and its sample weight.
        """
        own = self._last_own()
        thin = max(int(self.thin), 1)
        last = np.minimum((durations / self.step).astype(int), self._periods() - 1)
        n = len(durations)
        head = np.minimum(last, own - 1) + 1  # periods before the shared tail, per spell
        spell = np.repeat(np.arange(n), head)
        k = np.arange(len(spell)) - np.repeat(np.cumsum(head) - head, head)
        y = (k == last[spell]) & events[spell]
        offset = np.random.default_rng(self.random_state).integers(0, thin, n)
        keep = y | ((k + offset[spell]) % thin == 0)
        spell, k, y = spell[keep], k[keep], y[keep]
        w = np.where(y, 1.0, float(thin))
        tail = last >= own  # spells reaching the shared tail
        tail_event = tail & events
        n_tail = np.where(tail, last - own + 1 - tail_event, 0)  # its non-event periods
        quiet = np.flatnonzero(n_tail > 0)
        loud = np.flatnonzero(tail_event)
        spell = np.concatenate([spell, quiet, loud])
        k = np.concatenate([k, np.full(len(quiet) + len(loud), own)])
        y = np.concatenate([y, np.zeros(len(quiet), bool), np.ones(len(loud), bool)])
        w = np.concatenate([w, n_tail[quiet].astype(float), np.ones(len(loud))])
        order = np.lexsort((k, spell))
        return spell[order], k[order], y[order], w[order]

    def _fit(self, Z: np.ndarray, durations: np.ndarray, events: np.ndarray) -> None:
        from sklearn.ensemble import HistGradientBoostingClassifier

        spell, k, y, w = self.person_periods(durations, events)
        self.bin_edges_: list[np.ndarray] | None = [_bin_edges(col) for col in Z.T]
        self.classifier_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
            monotonic_cst=self._constraints(),
        )
        if len(np.unique(y)) < 2:
            raise ModelError("DiscreteTimeBoostingModel: needs both events and non-events")
        with self._threads():
            self.classifier_.fit(self._rows(Z, spell, (k + 0.5) * self.step), y, sample_weight=w)

    def _constraints(self) -> list[int] | None:
        if not self.monotone:
            return None
        cst = [int(self.monotone.get(str(c), 0)) for c in self.columns_] + [0]  # time waited: free
        if (
            self.calendar
            and "start_year" in list(self.columns_)
            and "airing_weeks" in list(self.columns_)
        ):
            cst.append(0)
        return cst

    def _threads(self) -> contextlib.nullcontext[None]:
        limit_threads(self.n_threads)
        return contextlib.nullcontext()

    def _binned(self, Z: np.ndarray) -> np.ndarray:
        """The classifier's feature columns (bin numbers) of the spells ``Z``."""
        if self.bin_edges_ is None:
            return Z
        return np.column_stack(
            [
                np.searchsorted(edges, col, side="left")
                for edges, col in zip(self.bin_edges_, Z.T, strict=True)
            ]
        )

    def _calendar(self) -> bool:
        names = list(self.columns_)
        return self.calendar and "start_year" in names and "airing_weeks" in names

    def _rows(self, Z: np.ndarray, which: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Classifier rows: the binned features of spells ``Z[which]``, with times ``t``."""
        cols = [self._binned(Z)[which].astype(float), t]
        if self._calendar():
            names = list(self.columns_)
            ended = Z[:, names.index("start_year")] + Z[:, names.index("airing_weeks")] / 52.18
            cols.append(ended[which] + t)
        return np.column_stack(cols)

    def _hazards(self, Z: np.ndarray, periods: np.ndarray) -> np.ndarray:
        """Hazard of each spell in the given periods (``(len(Z), len(periods))``).

        Evaluated on the shows x periods grid (:func:`~sequelcast.forecast._trees.grid_proba`:
        the numbers of the classifier's ``predict_proba`` on one row per show and period,
        several times faster) unless a calendar column makes every row's features differ.
        """
        t = (np.asarray(periods) + 0.5) * self.step
        with self._threads():
            if not self._calendar() and grid_available(self.classifier_):
                return grid_proba(self.classifier_, self._binned(Z).astype(float), t)
            rows = self._rows(Z, np.repeat(np.arange(len(Z)), len(t)), np.tile(t, len(Z)))
            h = self.classifier_.predict_proba(rows)[:, 1]
        return np.asarray(h).reshape(len(Z), len(t))

    def _curves(self, Z: np.ndarray, upto: float) -> tuple[np.ndarray, np.ndarray]:
        K = min(self._periods(), int(math.ceil(upto / self.step)) + 1)
        own = min(K, self._last_own() + 1)  # periods with a hazard of their own; later: the last
        h = self._hazards(Z, np.arange(own))[:, np.minimum(np.arange(K), own - 1)]
        H = np.cumsum(-np.log1p(-np.clip(h, 0.0, 1.0 - 1e-9)), axis=1)
        return np.arange(K + 1.0) * self.step, np.column_stack([np.zeros(len(Z)), H])

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        grid, H = self._curves(Z, 3.0)
        return H[:, min(int(round(3.0 / self.step)), len(grid) - 1)]

    def log_hazard(self, X: pd.DataFrame, times: Any) -> np.ndarray:
        """Log of the yearly hazard at ``times`` (``(n, m)``, one row per sample) after the end.

        Cheap (one classifier row per sample and time, walked on a grid: see
        :meth:`log_hazard_scorer`), used to explain forecasts.
        """
        return self.log_hazard_scorer(X, times)(None)

    def log_hazard_scorer(
        self, X: pd.DataFrame, times: Any
    ) -> Callable[[pd.DataFrame | None], np.ndarray]:
        """:meth:`log_hazard` of ``X`` at ``times`` (``None``), or of a variant of ``X`` (same
        rows, some columns changed): the trees that split on no changed column are not walked
        again, so the explanations' one-group-at-a-time variants cost a fraction of a forecast.
        """
        self._check_fitted()
        Z = self._transform(X)
        T = np.asarray(times, dtype=float)
        T = np.broadcast_to(T if T.ndim == 2 else T[None, :], (len(Z), T.shape[-1]))
        k = np.minimum(np.floor(T / self.step), self._last_own())
        mid = (k + 0.5) * self.step  # every time of a period has the period's hazard

        def log_rate(h: np.ndarray) -> np.ndarray:
            return np.log(-np.log1p(-np.clip(h, 1e-12, 1.0 - 1e-9)) / self.step)

        if self._calendar() or not grid_available(self.classifier_):

            def by_rows(frame: pd.DataFrame | None) -> np.ndarray:
                Zf = Z if frame is None else self._transform(frame)
                rows = self._rows(Zf, np.repeat(np.arange(len(Zf)), T.shape[1]), mid.ravel())
                with self._threads():
                    h = self.classifier_.predict_proba(rows)[:, 1]
                return log_rate(np.asarray(h)).reshape(T.shape)

            return by_rows
        with self._threads():
            grid = TreeGrid(self.classifier_, self._binned(Z).astype(float), mid)

        def on_grid(frame: pd.DataFrame | None) -> np.ndarray:
            other = None if frame is None else self._binned(self._transform(frame)).astype(float)
            with self._threads():
                return log_rate(grid.proba(other))

        return on_grid


def _bin_edges(values: np.ndarray, max_bins: int = 255) -> np.ndarray:
    """Quantile bin edges of one feature over the spells (as ``HistGradientBoostingClassifier``
    bins its input: ``x`` is in bin ``i`` when ``edges[i - 1] < x <= edges[i]``).

    The classifier is given bin numbers (at most ``max_bins`` distinct values), so it takes
    them as they are instead of computing weighted quantiles over every spell-period row (slow
    in scikit-learn); binning is monotone, so monotone constraints keep their meaning.
    """
    distinct = np.unique(values)
    if len(distinct) <= max_bins:
        return (distinct[:-1] + distinct[1:]) / 2.0
    edges = np.percentile(
        values, np.linspace(0, 100, max_bins + 1)[1:-1], method="averaged_inverted_cdf"
    )
    return np.unique(edges)


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
        warnings.warn(
            f"CalibratedModel: recalibration did not converge ({res.message})",
            ConvergenceWarning,
            stacklevel=4,
        )
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


def default_models(
    horizons: Sequence[float] = (1, 2, 3, 5), random_state: int | None = 0
) -> dict[str, SurvivalModel]:
    """The models compared by the backtest, by name: three candidates, two references and four
    baselines.

    Candidates (recalibrated, 3 folds, :data:`MONOTONE` constraints): ``cox`` (a constrained
    column with the wrong sign is dropped), ``discrete_boost`` (100 trees, learning rate 0.1) and
    ``discrete_boost_slow`` (200 trees, learning rate 0.05: the inner time split chooses between
    the two settings); for reference only
    (:data:`UNCONSTRAINED`): ``discrete_boost_free`` and ``gbsa_free`` (100 trees of depth 3,
    learning rate 0.1, subsample 0.8); baselines: :data:`BASELINES`.
    """

    def calibrated(model: SurvivalModel) -> CalibratedModel:
        return CalibratedModel(model, horizons=horizons, n_splits=3, random_state=random_state)

    return {
        "cox": calibrated(CoxModel(monotone=MONOTONE)),
        "discrete_boost": calibrated(
            DiscreteTimeBoostingModel(random_state=random_state, monotone=MONOTONE)
        ),
        "discrete_boost_slow": calibrated(
            DiscreteTimeBoostingModel(
                max_iter=200, learning_rate=0.05, random_state=random_state, monotone=MONOTONE
            )
        ),
        "discrete_boost_free": calibrated(DiscreteTimeBoostingModel(random_state=random_state)),
        "gbsa_free": calibrated(
            GradientBoostingModel(n_estimators=100, learning_rate=0.1, random_state=random_state)
        ),
        "kaplan_meier": KaplanMeierModel(),
        "start_year": StartYearModel(),
        "popularity_logistic": PopularityLogisticModel(horizons=horizons),
        "rule_of_thumb": RuleOfThumbModel(),
    }


#: Names of the baselines in :func:`default_models` (never selected as "the" model).
BASELINES = ("kaplan_meier", "start_year", "popularity_logistic", "rule_of_thumb")
#: Models scored for reference only (never selected): without the :data:`MONOTONE` constraints
#: they may explain a forecast against common sense; the backtest shows what the constraints cost.
UNCONSTRAINED = ("discrete_boost_free", "gbsa_free")


class StartYearModel(CoxModel):
    """Baseline: recency alone, a Cox model on ``start_year`` (when the last season began).

    Uses the time already waited through the baseline hazard, like every survival model here.
    """

    def __init__(self, penalizer: float = 0.0) -> None:
        super().__init__(penalizer=penalizer)

    def fit(self, X: pd.DataFrame, durations: Any, events: Any) -> Self:
        """Fit on the ``start_year`` column only."""
        return super().fit(_check_X(X)[["start_year"]], durations, events)


__all__ = [
    "BASELINES",
    "MIN_AT_RISK",
    "MIN_EVENTS",
    "CalibratedModel",
    "CoxModel",
    "DiscreteTimeBoostingModel",
    "GradientBoostingModel",
    "KaplanMeierModel",
    "PopularityLogisticModel",
    "RandomSurvivalForestModel",
    "RuleOfThumbModel",
    "StartYearModel",
    "SurvivalModel",
    "UNCONSTRAINED",
    "MONOTONE",
    "default_models",
]
