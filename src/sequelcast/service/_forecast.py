"""Forecasts and backtests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sequelcast.catalog import Catalog
from sequelcast.domain import Snapshot
from sequelcast.errors import CatalogError, ModelError
from sequelcast.forecast import (
    BacktestResult,
    Forecaster,
    ForecastInputs,
    ShowForecast,
    inputs_from_snapshot,
    run_backtest,
)
from sequelcast.franchise import FranchiseGraph, build_franchises
from sequelcast.service._cache import _FORECASTERS, _build_key, _disk_cached, load_snapshot
from sequelcast.service._lookup import _iso, franchise_graph, franchise_of, next_season_json

# -- forecast -----------------------------------------------------------------------------------

#: The model `forecast` uses unless told otherwise: the one the backtests keep (docs/backtest.md).
DEFAULT_MODEL = "auto"


def forecast_inputs(snapshot: Snapshot, graph: FranchiseGraph) -> ForecastInputs:
    """What the forecast reads, from a snapshot and its franchises (both as of the same date)."""
    return inputs_from_snapshot(snapshot, graph)


def data_date(catalog: Catalog) -> date:
    """The newest observation in the catalog: forecasts cannot count from later than this."""
    newest = catalog.newest_observation()
    if newest is None:
        raise CatalogError("the catalog is empty: run `sequelcast build` first")
    return newest


def forecast_date(catalog: Catalog, as_of: date | None, today: date) -> date:
    """``as_of`` if given, else today, but never after the newest data."""
    return min(as_of or today, data_date(catalog))


def forecaster(catalog: Catalog, as_of: date, cache_dir: Path | None = None,
               model: str = DEFAULT_MODEL) -> Forecaster:
    """The model fitted on what the catalog knew on ``as_of`` (fitted once, then cached on disk)."""
    build = _build_key(catalog)
    key = f"forecaster-{build}-{as_of.isoformat()}-{model}"
    fitted = _FORECASTERS.get(key)
    if fitted is None:

        def fit() -> Forecaster:
            snap = load_snapshot(catalog, None if as_of >= data_date(catalog) else as_of, cache_dir)
            graph = franchise_graph(catalog, snap.as_of, cache_dir)
            try:
                return Forecaster(model=model, random_state=0).fit(forecast_inputs(snap, graph), as_of)
            except ValueError as exc:  # too few shows known on that date for the estimators
                raise ModelError(f"no forecast model can be fitted on what was known on {as_of}: "
                                 f"{exc}") from exc

        fitted = _disk_cached(cache_dir, f"{key}.pickle", fit)
        _FORECASTERS.clear()
        _FORECASTERS[key] = fitted
    return fitted


def _round(p: float) -> float:
    return round(float(p), 4)


def forecast_json(fc: ShowForecast) -> dict[str, Any]:
    """The stable JSON shape of one forecast."""
    window = fc.window
    return {
        "franchise_id": fc.franchise_id,
        "mal_id": fc.mal_id,
        "title": fc.title,
        "as_of": fc.as_of.isoformat(),
        "ended": _iso(fc.ended),
        "waited_years": round(fc.waited_years, 2),
        **{f"p_{h:g}y": _round(p) for h, p in fc.probabilities.items()},
        "median_years": None if fc.median_years is None else round(fc.median_years, 1),
        "window": None if window is None else {
            "label": window.label, "start": window.start, "end": window.end,
            "probability": _round(window.probability),
            "conditional_probability": _round(window.conditional_probability),
            "quarters": [{"quarter": q, "probability": _round(p)} for q, p in window.quarters if p >= 0.005],
            "beyond": _round(window.beyond),
        },
        "factors": [{"text": f.text, "effect": round(f.effect, 4), "raises": f.raises, "kind": f.kind}
                    for f in fc.factors],
        "model": fc.model,
    }


def forecast(catalog: Catalog, title_or_id: str, as_of: date | None, today: date,
             cache_dir: Path | None = None, model: str = DEFAULT_MODEL) -> dict[str, Any]:
    """Will this show get a next season, and when? (``status`` tells when the question is moot.)"""
    when = forecast_date(catalog, as_of, today)
    fr = franchise_of(catalog, title_or_id, when if when < data_date(catalog) else None, cache_dir)
    base = {"franchise": {"id": fr.id, "title": fr.title}, "as_of": when.isoformat(),
            "next_season": next_season_json(fr.next_season)}
    if fr.next_season.status != "none":
        return {**base, "status": "announced", "forecast": None,
                "message": f"{fr.title}: the next season is already announced"}
    fc = forecaster(catalog, when, cache_dir, model)
    waiting = set(fc.at_risk()["franchise_id"])
    if fr.id not in waiting:
        latest = fr.aired_seasons()[-1] if fr.aired_seasons() else None
        why = ("its latest season has not finished airing" if latest is not None and
               (latest.end is None or latest.end > when) else "it has no finished main-line TV season")
        return {**base, "status": "not_waiting", "forecast": None,
                "message": f"{fr.title}: no forecast on {when}: {why}"}
    (show,) = fc.predict([fr.id])
    return {**base, "status": "waiting", "forecast": forecast_json(show), "message": None}


def forecast_every(catalog: Catalog, as_of: date | None, today: date, cache_dir: Path | None = None,
                   model: str = DEFAULT_MODEL) -> list[dict[str, Any]]:
    """A forecast for every show waiting for a next season (``forecast --all``).

    Only the probabilities (no window or factors). The table is computed once per build, date
    and model, then read from the disk cache.
    """
    when = forecast_date(catalog, as_of, today)
    name = f"forecaster-{_build_key(catalog)}-{when.isoformat()}-{model}-all.pickle"

    def compute() -> list[dict[str, Any]]:
        return [forecast_json(f) for f in forecaster(catalog, when, cache_dir, model).predict(detail=False)]

    rows: list[dict[str, Any]] = _disk_cached(cache_dir, name, compute)
    return rows


# -- backtest -----------------------------------------------------------------------------------

@dataclass
class BacktestReport:
    result: BacktestResult
    summary: dict[str, Any]
    plot: Path | None


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else round(value, 4)
    return value


def backtest(catalog: Catalog, as_of: date, horizons: Sequence[float] = (1, 2, 3, 5),
             out_dir: Path | None = None, cache_dir: Path | None = None) -> BacktestReport:
    """Train on what was known on ``as_of``, forecast every show waiting then, score against the newest data.

    The past is the catalog as of ``as_of`` (the same records an as-of build keeps: see
    docs/catalog.md); the outcomes come from everything the catalog holds, censored at its newest
    observation. Every model and baseline runs on the same shows. With ``out_dir`` the
    reliability plot is saved there as ``reliability-<as_of>.png``.
    """
    newest = data_date(catalog)
    if as_of >= newest:
        raise ModelError(f"backtest: --as-of {as_of} leaves no future to score against "
                         f"(the newest data is from {newest})")
    past = load_snapshot(catalog, as_of)
    past_inputs = forecast_inputs(past, build_franchises(past))
    full = load_snapshot(catalog, None, cache_dir)
    full_inputs = forecast_inputs(full, franchise_graph(catalog, None, cache_dir))
    result = run_backtest(past_inputs, full_inputs, as_of, newest, horizons)
    plot = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        plot = result.plot_reliability(out_dir / f"reliability-{as_of.isoformat()}.png")
    table = result.summary()
    summary = {
        "as_of": as_of.isoformat(),
        "outcome_date": newest.isoformat(),
        "horizons": list(result.horizons),
        "selected": result.selected,
        "n_train": result.n_train,
        "n_train_events": result.n_train_events,
        "n_at_risk": len(result.outcomes),
        "n_announced_after": int(result.outcomes["event"].sum()),
        "models": {name: {k: _clean(v) for k, v in row.items()} for name, row in table.iterrows()},
        "n_unmatched": result.n_unmatched,
        "n_early": result.n_early,
        "plot": str(plot) if plot else None,
    }
    return BacktestReport(result, summary, plot)
