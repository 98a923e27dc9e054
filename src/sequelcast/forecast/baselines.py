"""The baselines every model must beat in the backtest.

- :class:`KaplanMeierModel`: the base rate (no features; still depends on the time waited).
- :class:`PopularityLogisticModel`: log members + score, one logistic regression per horizon (the
  published peer approach).
- :class:`RuleOfThumbModel`: the fan articles' rule (popular, source material left, recent),
  hand-scored, nothing fitted.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.linear_model import LogisticRegression

from sequelcast.errors import ConvergenceWarning, DataError
from sequelcast.forecast._base import MIN_EVENTS, SurvivalModel, _check_X, _km_cumhaz


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
                warnings.warn(
                    f"PopularityLogisticModel: too few known outcomes at {h} years; "
                    "using the base rate",
                    ConvergenceWarning,
                    stacklevel=3,
                )
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
        knots_h = np.concatenate(
            [np.zeros((len(Z), 1)), -np.log1p(-self._probabilities(Z))], axis=1
        )
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
