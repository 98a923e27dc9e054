"""Fit once, then forecast the next season of one franchise or of every waiting one."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.base import clone

from sequelcast.errors import ConvergenceWarning, DataError, ModelError
from sequelcast.forecast.backtest import select_model
from sequelcast.forecast.dataset import (
    ForecastInputs,
    SurvivalData,
    announced_while_airing,
    make_dataset,
    with_airing_chance,
)
from sequelcast.forecast.explain import Factor, explain_forecasts
from sequelcast.forecast.models import BASELINES, UNCONSTRAINED, SurvivalModel, default_models
from sequelcast.forecast.window import (
    AiringLagModel,
    ReleaseWindow,
    airing_lags,
    median_years,
    release_window,
)
from sequelcast.forecast.words import (
    LagWindow,
    airs_by,
    confidence,
    lag_window,
    median_text,
    month_offset,
    verdict,
)


@dataclass(frozen=True)
class ShowForecast:
    """The forecast for one franchise whose latest season ended with no next season known.

    ``probabilities`` maps each horizon (years after ``as_of``) to the probability that the next
    season is announced within it; ``median_years`` is the time until that probability reaches
    one half (``None``: not within ``max_years``). ``airing``: the latest season was still airing
    on ``as_of`` (``ended`` is then its expected end, and nothing has been waited yet);
    ``estimated``: its dates were estimated (see :func:`~sequelcast.forecast.dataset.estimate_dates`).
    """

    franchise_id: str
    spell_id: str
    mal_id: int | None
    title: str
    ended: date
    waited_years: float
    as_of: date
    probabilities: dict[float, float]
    median_years: float | None
    window: ReleaseWindow | None
    factors: tuple[Factor, ...]
    model: str
    airing: bool = False
    estimated: bool = False
    verdict: str = ""
    confidence: str = ""
    confidence_reasons: tuple[str, ...] = ()
    lag_window: LagWindow | None = None
    airs_by: tuple[tuple[date, float], ...] = ()

    @property
    def median_text(self) -> str:
        """The median wait in words ("less than 50% within 10 years" when not reached)."""
        return median_text(self.median_years)


class Forecaster:
    """Fits the sequel model at ``as_of`` and forecasts the shows still waiting.

    Parameters
    ----------
    model
        ``"auto"`` (pick among the non-baseline default models by an inner time split), a name
        from :func:`~sequelcast.forecast.models.default_models`, or an unfitted model.
    horizons
        Horizons in years after ``as_of``.
    inner_gap_years
        Length of the inner time split used by ``"auto"``.
    coverage
        Share of the airing probability the release window holds.
    max_years
        Longest time considered for the median and the window.
    random_state
        Seed of the models.

    Examples
    --------
    >>> fc = Forecaster(model="kaplan_meier")  # doctest: +SKIP
    >>> fc.fit(inputs, date(2018, 5, 7)).predict(["F0001"])[0].probabilities  # doctest: +SKIP
    {1.0: 0.12, 2.0: 0.2, 3.0: 0.26, 5.0: 0.33}
    """

    def __init__(
        self,
        model: str | SurvivalModel = "auto",
        horizons: Sequence[float] = (1, 2, 3, 5),
        inner_gap_years: float = 3.0,
        coverage: float = 0.5,
        max_years: float = 10.0,
        random_state: int | None = 0,
    ) -> None:
        self.model = model
        self.horizons = horizons
        self.inner_gap_years = inner_gap_years
        self.coverage = coverage
        self.max_years = max_years
        self.random_state = random_state

    def fit(self, inputs: ForecastInputs, as_of: date) -> Self:
        """Build the spells at ``as_of``, choose and fit the model, learn the airing lags."""
        horizons = tuple(float(h) for h in self.horizons)
        models = default_models(horizons, self.random_state)
        if not isinstance(self.model, SurvivalModel) and self.model not in (*models, "auto"):
            raise ModelError(
                f"forecast: unknown model {self.model!r}; use 'auto' or one of {sorted(models)}"
            )
        data = make_dataset(inputs, as_of)
        if not data.events.any():
            raise ModelError(f"forecast: no next season was announced in the data by {as_of}")
        self.selection_: pd.DataFrame | None = None
        if isinstance(self.model, SurvivalModel):
            name, model = type(self.model).__name__, clone(self.model)
        else:
            if self.model == "auto":
                candidates = {
                    k: m for k, m in models.items() if k not in BASELINES and k not in UNCONSTRAINED
                }
                name, self.selection_ = select_model(
                    data,
                    inputs.seasons_by_franchise,
                    as_of,
                    candidates,
                    horizons,
                    self.inner_gap_years,
                )
            else:
                name = str(self.model)
            model = models[name]
        self.model_name_ = name
        self.model_ = model.fit(data.X, data.durations, data.events)
        self.data_ = data
        self.as_of_ = as_of
        self.lags_ = self._fit_lags(inputs, as_of)
        self.airing_rate_ = announced_while_airing(inputs.seasons_by_franchise, as_of)
        return self

    @staticmethod
    def _fit_lags(inputs: ForecastInputs, as_of: date) -> AiringLagModel | None:
        lags = airing_lags(inputs.seasons_by_franchise, inputs.entries, as_of)
        try:
            return AiringLagModel().fit(lags)
        except DataError as exc:
            warnings.warn(f"forecast: no release window: {exc}", ConvergenceWarning, stacklevel=3)
            return None

    def at_risk(self) -> pd.DataFrame:
        """The spells still waiting at ``as_of`` (one per franchise)."""
        if not hasattr(self, "data_"):
            raise ModelError("Forecaster is not fitted; call fit(inputs, as_of)")
        spells = self.data_.spells
        return spells[spells["at_risk"]]

    def predict(
        self, franchise_ids: Iterable[str] | None = None, explain_top: int = 5, detail: bool = True
    ) -> list[ShowForecast]:
        """Forecasts for the given franchises (default: every waiting one).

        With ``detail=False`` only the probabilities are computed (no median, window or
        factors): what a table of every waiting show needs, several times faster.

        Raises
        ------
        ModelError
            A franchise is unknown, or is not waiting (its latest season is airing, or its next
            season is already known).
        """
        risk = self.at_risk()
        if franchise_ids is not None:
            wanted = list(franchise_ids)
            by_franchise = risk.reset_index().set_index("franchise_id")
            missing = [f for f in wanted if f not in by_franchise.index]
            if missing:
                raise ModelError(
                    f"forecast: franchise(s) {missing} are not waiting for a next season at "
                    f"{self.as_of_} (unknown, still airing, or next season already known)"
                )
            risk = risk.loc[by_franchise.loc[wanted, "spell_id"].to_list()]
        return self._predict(risk, explain_top, detail)

    def _predict(
        self, risk: pd.DataFrame, explain_top: int, detail: bool = True
    ) -> list[ShowForecast]:
        data: SurvivalData = self.data_
        X = data.X.loc[risk.index]
        waited = risk["duration"].to_numpy(dtype=float)
        horizons = tuple(float(h) for h in self.horizons)
        months = np.arange(1, int(self.max_years * 12) + 1) / 12.0 if detail else np.empty(0)
        both = self.model_.predict_within(X, waited, np.concatenate([horizons, months]))
        airing = risk["airing"].to_numpy(dtype=bool)
        both = with_airing_chance(both, airing, self.airing_rate_)
        probs, cdf = both[:, : len(horizons)], both[:, len(horizons) :]
        mid = len(horizons) // 2
        j3 = horizons.index(3.0) if 3.0 in horizons else mid
        labels = [
            {"studio": str(st), "source": str(so)}
            for st, so in zip(risk["studio"], risk["source_summary"], strict=True)
        ]
        factors = (
            explain_forecasts(
                self.model_,
                X,
                data.X,
                waited,
                horizon=horizons[mid],
                top=explain_top,
                current=probs[:, mid],
                labels=labels,
            )
            if detail
            else [[] for _ in range(len(X))]
        )
        pmfs: dict[str, np.ndarray] = {}
        lag_windows: dict[str, LagWindow] = {}
        groups = _source_groups(X)
        evidence = _evidence_columns(X)
        spells = risk.assign(spell_id=risk.index).to_dict("records")  # no per-row pandas
        out = []
        for i, sp in enumerate(spells):
            window, lag = None, None
            by: tuple[tuple[date, float], ...] = ()
            if detail and self.lags_ is not None:
                group = groups[i]
                if group not in pmfs:
                    pmfs[group] = self.lags_.pmf(group)
                    lag_windows[group] = lag_window(pmfs[group])
                pmf, lag = pmfs[group], lag_windows[group]
                window = release_window(cdf[i], pmf, self.as_of_, self.coverage)
                by = tuple(
                    (month_offset(self.as_of_, 12 * y), airs_by(cdf[i], pmf, 12 * y))
                    for y in (3, 5)
                )
            row = {c: v[i] for c, v in evidence.items()}
            level, reasons = confidence(_missing_evidence(row, sp))
            out.append(
                ShowForecast(
                    franchise_id=str(sp["franchise_id"]),
                    spell_id=str(sp["spell_id"]),
                    mal_id=None if pd.isna(sp["mal_id"]) else int(sp["mal_id"]),
                    title=str(sp["title"]),
                    ended=sp["end"],
                    waited_years=float(waited[i]),
                    as_of=self.as_of_,
                    probabilities={h: float(p) for h, p in zip(horizons, probs[i], strict=True)},
                    median_years=median_years(cdf[i]) if detail else None,
                    window=window,
                    factors=tuple(factors[i]) + self._airing_factor(sp),
                    model=self.model_name_,
                    airing=bool(sp["airing"]),
                    estimated=bool(sp["estimated"]),
                    verdict=verdict(float(probs[i, j3])),
                    confidence=level,
                    confidence_reasons=reasons,
                    lag_window=lag,
                    airs_by=by,
                )
            )
        return out

    def _airing_factor(self, sp: Mapping[str, Any]) -> tuple[Factor, ...]:
        if not sp["airing"] or math.isnan(self.airing_rate_):
            return ()
        out = f"{sp['episodes_aired']:.0f} episodes out" if pd.notna(sp["episodes_aired"]) else ""
        text = (
            f"still airing ({out}): {self.airing_rate_:.0%} of recent shows had their next "
            "season announced before their finale: raises the chance"
        )
        return (Factor("airing", self.airing_rate_, "probability", text),)


#: The feature columns the confidence reads (see :func:`_missing_evidence`), with their value
#: when a model was fitted without them.
_EVIDENCE = {"src_manga": 0.0, "src_novel": 0.0, "src_linked": 0.0, "disc_sales_missing": 1.0}


def _evidence_columns(X: pd.DataFrame) -> dict[str, list[float]]:
    return {
        c: X[c].to_numpy(dtype=float).tolist() if c in X.columns else [default] * len(X)
        for c, default in _EVIDENCE.items()
    }


def _missing_evidence(row: Mapping[str, float], sp: Mapping[str, Any]) -> dict[str, bool]:
    adapted = row["src_manga"] == 1.0 or row["src_novel"] == 1.0
    return {
        "no source work linked": bool(adapted and row["src_linked"] != 1.0),
        "no disc sales": bool(row["disc_sales_missing"] == 1.0),
        "estimated dates": bool(sp["estimated"]),
    }


def _source_groups(X: pd.DataFrame) -> list[str]:
    """Per row, the source group of the release lags: manga, novel, original, game or other."""
    out = np.full(len(X), "other", dtype=object)
    for group in ("game", "original", "novel", "manga"):  # the first that applies wins
        col = f"src_{group}"
        if col in X.columns:
            out[X[col].to_numpy(dtype=float) == 1.0] = group
    return [str(g) for g in out]


def forecast_show(
    inputs: ForecastInputs,
    as_of: date,
    franchise_id: str,
    model: str | SurvivalModel = "auto",
    random_state: int | None = 0,
) -> ShowForecast:
    """Fit at ``as_of`` and forecast one waiting franchise (see :class:`Forecaster`)."""
    fc = Forecaster(model=model, random_state=random_state).fit(inputs, as_of)
    return fc.predict([franchise_id])[0]


def forecast_all(
    inputs: ForecastInputs,
    as_of: date,
    model: str | SurvivalModel = "auto",
    random_state: int | None = 0,
) -> list[ShowForecast]:
    """Fit at ``as_of`` and forecast every waiting franchise (see :class:`Forecaster`)."""
    return Forecaster(model=model, random_state=random_state).fit(inputs, as_of).predict()
