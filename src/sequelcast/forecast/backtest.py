"""Forward-in-time backtest: train on what was known at ``as_of``, score against later data.

1. Spells and features are built from the inputs *as known at* ``as_of`` (later data is ignored
   even if present).
2. Every model is fitted on all spells at ``as_of`` and forecasts every at-risk show (each
   franchise's latest ended season with no next season known) at horizons counted from
   ``as_of``: ``P(announced within h years | waited w years so far)``.
3. Outcomes come from the newest data: the season after the at-risk one (matched by MAL id, then
   AniDB id, then franchise and number), announced at ``min(announced, start)``, censored at
   ``outcome_date``. A next season that the newest data dates on or before ``as_of`` (franchise
   grouping differs between snapshots) counts as announced one day after ``as_of``.
4. The model kept (``selected``) is chosen on the training window only, by an inner time split
   (:func:`select_model`), never on the test outcomes.

Metrics per model: Harrell's C, time-dependent AUC, IPCW Brier score, ICI per horizon and the
integrated Brier score over a monthly grid up to the longest horizon (all from
:mod:`sequelcast.forecast.metrics`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sequelcast.domain import Season
from sequelcast.errors import DataError, ModelError
from sequelcast.forecast import metrics
from sequelcast.forecast._base import _km_cumhaz
from sequelcast.forecast.dataset import (
    DAYS_PER_YEAR,
    ForecastInputs,
    SurvivalData,
    announced_while_airing,
    censor_at,
    known_date,
    make_dataset,
    waiting_franchises,
    with_airing_chance,
    years_between,
)
from sequelcast.forecast.models import (
    BASELINES,
    UNCONSTRAINED,
    CalibratedModel,
    SurvivalModel,
    default_models,
)

_MIN_TEST = 1.0 / DAYS_PER_YEAR


@dataclass
class ModelScores:
    """The backtest scores of one model.

    ``table`` has one row per horizon: ``c_index`` (Harrell, the forecast probability at that
    horizon as risk), ``td_auc``, ``brier``, ``ici``, ``predicted`` (mean forecast) and
    ``observed`` (Kaplan-Meier share announced by then).
    """

    name: str
    c_index: float
    integrated_brier: float
    table: pd.DataFrame
    fit_seconds: float
    predict_seconds: float


@dataclass
class BacktestResult:
    """Everything :func:`run_backtest` measured."""

    as_of: date
    outcome_date: date
    horizons: tuple[float, ...]
    selected: str
    selection: pd.DataFrame
    scores: dict[str, ModelScores]
    predictions: dict[str, np.ndarray]
    outcomes: pd.DataFrame
    n_train: int
    n_train_events: int
    n_unmatched: int
    n_waiting: int = 0
    n_airing: int = 0
    n_estimated: int = 0
    n_early: int = 0

    @property
    def coverage(self) -> float:
        """Share of the franchises waiting on ``as_of`` that were forecast and scored.

        The ``n_early`` shows whose next season the newest data dates on or before ``as_of`` were
        not really waiting (the catalog of ``as_of`` only missed the link): they leave the
        denominator as they leave the scores.
        """
        waiting = self.n_waiting - self.n_early
        return len(self.outcomes) / waiting if waiting > 0 else float("nan")

    def summary(self) -> pd.DataFrame:
        """One row per model: C-index, integrated Brier, and td-AUC/Brier/ICI per horizon."""
        rows = []
        for name, s in self.scores.items():
            row: dict[str, Any] = {
                "model": name,
                "coverage": self.coverage,
                "c_index": s.c_index,
                "integrated_brier": s.integrated_brier,
                "fit_seconds": s.fit_seconds,
                "predict_seconds": s.predict_seconds,
            }
            for h, r in s.table.iterrows():
                for col in ("td_auc", "brier", "ici"):
                    row[f"{col}_{_fmt_h(float(h))}"] = r[col]
            rows.append(row)
        return pd.DataFrame(rows).set_index("model")

    def plot_reliability(self, path: str | Path, n_bins: int = 10) -> Path:
        """Save reliability diagrams (one panel per horizon, one line per model) as a PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        d = self.outcomes["duration"].to_numpy(dtype=float)
        e = self.outcomes["event"].to_numpy(dtype=bool)
        fig, axes = plt.subplots(
            1, len(self.horizons), figsize=(4 * len(self.horizons), 4), squeeze=False
        )
        for j, (ax, h) in enumerate(zip(axes[0], self.horizons, strict=True)):
            top = 0.05
            for name, p in self.predictions.items():
                pm, ob, _ = metrics.calibration_table(d, e, p[:, j], h, n_bins=n_bins)
                style = "-" if name == self.selected else "--"
                ax.plot(pm, ob, style, marker="o", markersize=3, label=name)
                top = max(top, *pm, *ob)
            lim = min(1.0, top * 1.1)
            ax.plot([0, lim], [0, lim], color="grey", linestyle=":", linewidth=1)
            ax.set_title(f"announced within {_fmt_h(h)} y")
            ax.set_xlabel("forecast probability (deciles)")
            ax.set_xlim(0, lim)
            ax.set_ylim(0, lim)
        axes[0][0].set_ylabel("observed share")
        axes[0][-1].legend(fontsize=7, loc="upper left")
        fig.suptitle(f"Backtest as of {self.as_of}, outcomes to {self.outcome_date}")
        fig.tight_layout()
        out = Path(path)
        fig.savefig(out, dpi=110)
        plt.close(fig)
        return out


def _fmt_h(h: float) -> str:
    return f"{h:g}"


def _season_index(
    seasons_by_franchise: Mapping[str, Sequence[Season]], outcome_date: date
) -> tuple[dict[tuple[str, Any], tuple[str, int]], dict[str, list[Season]]]:
    """Lookup of the newest data: ``("mal"|"anidb"|"fn", key) -> (franchise, position)``."""
    lookup: dict[tuple[str, Any], tuple[str, int]] = {}
    kept: dict[str, list[Season]] = {}
    for fid, seasons in seasons_by_franchise.items():
        ss = [s for s in seasons if (k := known_date(s)) is not None and k <= outcome_date]
        kept[fid] = ss
        for pos, s in enumerate(ss):
            if s.mal_id is not None:
                lookup.setdefault(("mal", s.mal_id), (fid, pos))
            if s.anidb_id is not None:
                lookup.setdefault(("anidb", s.anidb_id), (fid, pos))
            lookup.setdefault(("fn", (fid, s.number, s.part)), (fid, pos))
    return lookup, kept


def outcomes_for(
    at_risk: pd.DataFrame,
    outcome_seasons: Mapping[str, Sequence[Season]],
    as_of: date,
    outcome_date: date,
) -> tuple[pd.DataFrame, int]:
    """Years from ``as_of`` to the next season's announcement (or censoring) per at-risk spell.

    Returns
    -------
    outcomes : pandas.DataFrame
        Index ``spell_id``, columns ``duration`` (years, > 0), ``event`` and ``early`` (the
        newest data dates the next season on or before ``as_of``; counted as announced a day
        after ``as_of``).
    n_unmatched : int
        At-risk spells not found in the newest data (left out).
    """
    if outcome_date <= as_of:
        raise DataError(f"backtest: outcome date {outcome_date} must be after as_of {as_of}")
    lookup, kept = _season_index(outcome_seasons, outcome_date)
    follow = years_between(as_of, outcome_date)
    rows, unmatched = [], 0
    for sid, sp in at_risk.iterrows():
        hit = None
        for key in (
            ("mal", sp["mal_id"]),
            ("anidb", sp["anidb_id"]),
            ("fn", (sp["franchise_id"], sp["number"], sp["part"])),
        ):
            if key[1] is not None and not (isinstance(key[1], float) and math.isnan(key[1])):
                hit = lookup.get(key)
                if hit is not None:
                    break
        if hit is None:
            unmatched += 1
            continue
        fid, pos = hit
        nxt = kept[fid][pos + 1] if pos + 1 < len(kept[fid]) else None
        when = known_date(nxt) if nxt is not None else None
        if when is None:
            rows.append((sid, follow, False, False))
        else:
            rows.append((sid, max(years_between(as_of, when), _MIN_TEST), True, when <= as_of))
    frame = pd.DataFrame(rows, columns=["spell_id", "duration", "event", "early"])
    frame = frame.set_index("spell_id")
    frame["event"] = frame["event"].astype(bool)
    frame["early"] = frame["early"].astype(bool)
    return frame, unmatched


def _grid(horizons: Sequence[float]) -> np.ndarray:
    top = max(horizons)
    return np.arange(1, int(round(top * 12)) + 1) / 12.0


def score_forecasts(
    name: str,
    durations: np.ndarray,
    events: np.ndarray,
    within: np.ndarray,
    within_grid: np.ndarray,
    horizons: Sequence[float],
    reference_horizon: float,
) -> ModelScores:
    """Score one model's conditional forecasts (``within``: ``(n, len(horizons))``)."""
    h = np.asarray(horizons, dtype=float)
    j_ref = int(np.argmin(np.abs(h - reference_horizon)))
    rows = []
    km_t, km_h = _km(durations, events)
    for j, hj in enumerate(h):
        rows.append(
            {
                "horizon": hj,
                "c_index": metrics.concordance_index(durations, events, within[:, j]),
                "td_auc": metrics.time_dependent_auc(durations, events, within[:, j : j + 1], [hj])[
                    0
                ],
                "brier": metrics.brier_scores(durations, events, 1.0 - within[:, j : j + 1], [hj])[
                    0
                ],
                "ici": metrics.integrated_calibration_index(durations, events, within[:, j], hj),
                "predicted": float(within[:, j].mean()),
                "observed": 1.0 - float(np.exp(-np.interp(hj, km_t, km_h))),
            }
        )
    table = pd.DataFrame(rows).set_index("horizon")
    ibs = metrics.integrated_brier_score(durations, events, 1.0 - within_grid, _grid(horizons))
    return ModelScores(name, float(table["c_index"].iloc[j_ref]), ibs, table, 0.0, 0.0)


def _km(d: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier ``-log S`` from time 0 (the observed share announced by each horizon)."""
    times, H = _km_cumhaz(d, e)
    return np.concatenate([[0.0], times]), np.concatenate([[0.0], H])


def _forecast(
    model: SurvivalModel,
    data: SurvivalData,
    at_risk_index: pd.Index,
    horizons: Sequence[float],
    airing_rate: float = math.nan,
) -> tuple[np.ndarray, np.ndarray, float]:
    X = data.X.loc[at_risk_index]
    waited = data.spells.loc[at_risk_index, "duration"].to_numpy(dtype=float)
    airing = data.spells.loc[at_risk_index, "airing"].to_numpy(dtype=bool)
    t0 = time.perf_counter()
    both = model.predict_within(X, waited, np.concatenate([horizons, _grid(horizons)]))
    both = with_airing_chance(both, airing, airing_rate)
    return both[:, : len(horizons)], both[:, len(horizons) :], time.perf_counter() - t0


def select_model(
    data: SurvivalData,
    seasons_by_franchise: Mapping[str, Sequence[Season]],
    as_of: date,
    candidates: Mapping[str, SurvivalModel],
    horizons: Sequence[float] = (1, 2, 3, 5),
    inner_gap_years: float = 3.0,
) -> tuple[str, pd.DataFrame]:
    """Pick a model by an inner time split of the training window (no test outcome is used).

    The spells are viewed as at ``as_of - inner_gap_years``; each candidate is fitted there and
    forecasts the shows at risk then; their outcomes up to ``as_of`` score the forecasts. The
    features stay those known at ``as_of``. A :class:`~sequelcast.forecast.models.CalibratedModel`
    is compared through its underlying model (the monotone recalibration hardly changes a ranking,
    and this saves its out-of-fold fits). The winner has the highest C-index (Harrell, the
    forecast at the longest horizon within the gap as risk). Sequels are rare, so the integrated
    Brier score is dominated by the base rate and hardly separates models; calibration is
    handled by :class:`~sequelcast.forecast.models.CalibratedModel` instead.

    Returns
    -------
    name : str
        The chosen candidate.
    scores : pandas.DataFrame
        Inner scores of every candidate (``c_index``, ``integrated_brier``).
    """
    if not candidates:
        raise ModelError("select_model: no candidate model to choose from")
    inner = as_of - timedelta(days=round(inner_gap_years * DAYS_PER_YEAR))
    past = censor_at(data.spells, seasons_by_franchise, inner)
    X_past = data.X.loc[past.index]
    risk = past[past["at_risk"]]
    later = data.spells.loc[risk.index]
    d = np.where(later["event"], later["duration"] - risk["duration"], inner_gap_years)
    e = later["event"].to_numpy(dtype=bool)
    d = np.maximum(d.astype(float), _MIN_TEST)
    hs = [h for h in horizons if h < inner_gap_years] or [inner_gap_years / 2]
    past_data = SurvivalData(X_past, past)
    rate = announced_while_airing(seasons_by_franchise, inner)
    rows = []
    for name, candidate in candidates.items():
        model = _clone(candidate.estimator if isinstance(candidate, CalibratedModel) else candidate)
        model.fit(X_past, past["duration"].to_numpy(float), past["event"].to_numpy(bool))
        within, grid, _ = _forecast(model, past_data, risk.index, hs, rate)
        # the two scores of score_forecasts(...) the choice needs (its calibration curves are slow)
        rows.append(
            {
                "model": name,
                "c_index": metrics.concordance_index(d, e, within[:, -1]),
                "integrated_brier": metrics.integrated_brier_score(d, e, 1.0 - grid, _grid(hs)),
            }
        )
    scores = pd.DataFrame(rows).set_index("model")
    return str(scores["c_index"].fillna(-np.inf).idxmax()), scores


def run_backtest(
    inputs: ForecastInputs,
    outcome_inputs: ForecastInputs | Mapping[str, Sequence[Season]],
    as_of: date,
    outcome_date: date,
    horizons: Sequence[float] = (1, 2, 3, 5),
    models: Mapping[str, SurvivalModel] | None = None,
    random_state: int | None = 0,
    inner_gap_years: float = 3.0,
    reference_horizon: float = 3.0,
) -> BacktestResult:
    """Train at ``as_of``, forecast every at-risk show, score against the newest data.

    Parameters
    ----------
    inputs
        What was known at ``as_of`` (anything later is ignored).
    outcome_inputs
        The newest data (or just its seasons by franchise), for the outcomes.
    as_of
        The backtest date.
    outcome_date
        Date of the newest data; outcomes are censored there.
    horizons
        Horizons in years after ``as_of``.
    models
        Name -> unfitted model (default :func:`~sequelcast.forecast.models.default_models`).
        Every model is scored in the same run; non-baselines are the candidates for selection.
    random_state
        Seed for the default models.
    inner_gap_years
        Length of the inner time split used to select the model.
    reference_horizon
        Horizon whose forecast is the risk score of the headline C-index.

    Returns
    -------
    BacktestResult
    """
    horizons = tuple(float(h) for h in horizons)
    models = dict(models) if models is not None else default_models(horizons, random_state)
    outcome_seasons = (
        outcome_inputs.seasons_by_franchise
        if isinstance(outcome_inputs, ForecastInputs)
        else outcome_inputs
    )
    data = make_dataset(inputs, as_of)
    if data.events.sum() == 0:
        raise ModelError(f"backtest: no next season was announced in the data by {as_of}")
    at_risk = data.spells[data.spells["at_risk"]]
    outcomes, unmatched = outcomes_for(at_risk, outcome_seasons, as_of, outcome_date)
    # a show whose next season already existed on as_of (the newest data dates it then or
    # earlier; the catalog of as_of only lacked the link) was never waiting: scoring it as
    # "announced the day after" would reward nothing a forecaster could know
    n_early = int(outcomes["early"].sum()) if len(outcomes) else 0
    outcomes = outcomes[~outcomes["early"]] if len(outcomes) else outcomes
    if len(outcomes) == 0:
        raise ModelError("backtest: no at-risk show could be matched with the outcome data")
    candidates = {k: m for k, m in models.items() if k not in BASELINES and k not in UNCONSTRAINED}
    selected, selection = (
        select_model(
            data,
            inputs.seasons_by_franchise,
            as_of,
            candidates,
            horizons,
            inner_gap_years,
        )
        if candidates
        else (next(iter(models)), pd.DataFrame())
    )
    d = outcomes["duration"].to_numpy(dtype=float)
    e = outcomes["event"].to_numpy(dtype=bool)
    rate = announced_while_airing(inputs.seasons_by_franchise, as_of)
    scores: dict[str, ModelScores] = {}
    predictions: dict[str, np.ndarray] = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(data.X, data.durations, data.events)
        fit_s = time.perf_counter() - t0
        within, grid, pred_s = _forecast(model, data, outcomes.index, horizons, rate)
        s = score_forecasts(name, d, e, within, grid, horizons, reference_horizon)
        s.fit_seconds, s.predict_seconds = fit_s, pred_s
        scores[name] = s
        predictions[name] = within
    return BacktestResult(
        as_of=as_of,
        outcome_date=outcome_date,
        horizons=horizons,
        selected=selected,
        selection=selection,
        scores=scores,
        predictions=predictions,
        outcomes=outcomes,
        n_train=len(data.spells),
        n_train_events=int(data.events.sum()),
        n_unmatched=unmatched,
        n_waiting=len(waiting_franchises(inputs.seasons_by_franchise, as_of)),
        n_airing=int(data.spells.loc[outcomes.index, "airing"].sum()),
        n_estimated=int(data.spells.loc[outcomes.index, "estimated"].sum()),
        n_early=n_early,
    )


def _clone(model: SurvivalModel) -> SurvivalModel:
    from sklearn.base import clone

    return clone(model)
