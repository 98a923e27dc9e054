"""Scoring the ledger: how past forecasts turned out (pure).

A ledger forecast made on ``as_of`` says ``P(announced within h years)`` for h = 1, 2, 3, 5. Given
its outcome in the newest data (years from ``as_of`` to the announcement, or to the newest data
when none came), a forecast is *resolved* once one of its horizons has passed (``as_of + h`` is
on or before the outcome date) or its announcement came. The metrics use the horizons that have
passed only: counting the hits of a horizon still running without its misses (not known yet)
would bias every score toward hits. A passed horizon is a binary outcome: Brier score (scikit-learn ``brier_score_loss``), ROC AUC
(``roc_auc_score``, when both outcomes occur), a calibration table by decile of forecast
probability, and hits: the share of the top decile of forecasts that came true.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

#: Horizons (years) of the ledger, as in its ``p_<h>y`` columns.
LEDGER_HORIZONS = (1, 2, 3, 5)
_DAYS_PER_YEAR = 365.25


def _years(a: date, b: date) -> float:
    return (b - a).days / _DAYS_PER_YEAR


def resolved_pairs(
    rows: Sequence[Mapping[str, Any]],
    outcomes: Sequence[tuple[float, bool] | None],
    outcome_date: date,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per horizon, the ``(forecast, happened)`` arrays of every resolved forecast.

    ``outcomes[i]`` is ``(years from as_of to the announcement or to the outcome date, announced)``
    for ``rows[i]``, or ``None`` when the show is not found in the newest data (left out).

    Examples
    --------
    >>> rows = [{"as_of": date(2020, 1, 1), "p_1y": 0.5, "p_2y": 0.6, "p_3y": 0.7, "p_5y": 0.8}]
    >>> pairs = resolved_pairs(rows, [(1.5, True)], date(2022, 1, 1))
    >>> {h: (p.tolist(), y.tolist()) for h, (p, y) in pairs.items()}
    {1: ([0.5], [False]), 2: ([0.6], [True]), 3: ([], []), 5: ([], [])}
    """
    return _resolve(rows, outcomes, outcome_date)[0]


def _resolve(
    rows: Sequence[Mapping[str, Any]],
    outcomes: Sequence[tuple[float, bool] | None],
    outcome_date: date,
) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], int, int]:
    out: dict[int, tuple[list[float], list[bool]]] = {h: ([], []) for h in LEDGER_HORIZONS}
    n_rows = by_event = 0
    for row, outcome in zip(rows, outcomes, strict=True):
        if outcome is None:
            continue
        years, event = outcome
        follow = _years(row["as_of"], outcome_date)
        passed = False
        for h in LEDGER_HORIZONS:
            p = row.get(f"p_{h}y")
            if p is None or (isinstance(p, float) and math.isnan(p)) or follow < h:
                continue
            out[h][0].append(float(p))
            out[h][1].append(bool(event and years <= h))
            passed = True
        n_rows += passed or bool(event)
        by_event += not passed and bool(event)
    pairs = {
        h: (np.asarray(p, dtype=float), np.asarray(y, dtype=bool)) for h, (p, y) in out.items()
    }
    return pairs, n_rows, by_event


def _round(x: float | None, digits: int = 6) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), digits)


def top_decile_precision(p: np.ndarray, y: np.ndarray) -> float | None:
    """Share of the highest tenth of forecasts (at least one) that came true.

    >>> top_decile_precision(np.array([0.9, 0.1, 0.2]), np.array([True, False, True]))
    1.0
    """
    if len(p) == 0:
        return None
    k = max(1, math.ceil(len(p) / 10))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean())


def calibration_deciles(p: np.ndarray, y: np.ndarray, n_bins: int = 10) -> list[dict[str, Any]]:
    """Forecasts sorted by probability, cut into ``n_bins`` groups of (nearly) equal size.

    >>> calibration_deciles(np.array([0.1, 0.3]), np.array([False, True]), n_bins=2)[1]
    {'decile': 2, 'n': 1, 'p_min': 0.3, 'p_max': 0.3, 'mean_forecast': 0.3, 'observed': 1.0}
    """
    order = np.argsort(p, kind="stable")
    rows = []
    for i, idx in enumerate(np.array_split(order, min(n_bins, len(p))) if len(p) else []):
        rows.append(
            {
                "decile": i + 1,
                "n": len(idx),
                "p_min": _round(p[idx].min()),
                "p_max": _round(p[idx].max()),
                "mean_forecast": _round(p[idx].mean()),
                "observed": _round(y[idx].mean()),
            }
        )
    return rows


def _horizon_scores(p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    n = len(p)
    both = n > 0 and 0 < y.sum() < n
    base = float(y.mean()) if n else None
    return {
        "n_resolved": n,
        "n_events": int(y.sum()),
        "brier": _round(brier_score_loss(y, p)) if n else None,
        "brier_reference": _round(float(np.mean((base - y) ** 2))) if base is not None else None,
        "auc": _round(roc_auc_score(y, p)) if both else None,
        "mean_forecast": _round(float(p.mean())) if n else None,
        "observed": _round(base),
        "top_decile_precision": _round(top_decile_precision(p, y)),
    }


def score_ledger(
    rows: Sequence[Mapping[str, Any]],
    outcomes: Sequence[tuple[float, bool] | None],
    outcome_date: date,
) -> dict[str, Any]:
    """Scores of every resolved ledger forecast.

    Returns
    -------
    dict
        ``n_forecasts`` (rows given), ``n_resolved`` (rows with a horizon passed or their next
        season announced), ``n_resolved_by_event`` (announced before any horizon passed: resolved,
        but in no score yet), ``n_unmatched`` (rows whose show the newest data does not hold), ``brier`` (over every
        passed horizon of every forecast), ``brier_reference`` (the same for a constant forecast
        of the observed share per horizon), ``horizons`` (per horizon: ``n_resolved``,
        ``n_events``, ``brier``, ``brier_reference``, ``auc``, ``mean_forecast``, ``observed``,
        ``top_decile_precision``), ``calibration`` (deciles over every resolved horizon), the
        ``outcome_date``, the first and last forecast dates, and a one-line ``headline``.

    Examples
    --------
    >>> rows = [{"as_of": date(2020, 1, 1), "p_1y": p, "p_2y": None, "p_3y": None, "p_5y": None}
    ...         for p in (0.2, 0.8)]
    >>> s = score_ledger(rows, [(3.0, False), (0.5, True)], date(2023, 1, 1))
    >>> s["brier"], s["horizons"]["1"]["auc"]
    (0.04, 1.0)
    """
    pairs, n_resolved, by_event = _resolve(rows, outcomes, outcome_date)
    horizons = {str(h): _horizon_scores(p, y) for h, (p, y) in pairs.items()}
    all_p = np.concatenate([p for p, _ in pairs.values()])
    all_y = np.concatenate([y for _, y in pairs.values()])
    reference = [(float(y.mean()) - y) ** 2 for _, y in pairs.values() if len(y)]
    dates = sorted({r["as_of"] for r in rows})
    out: dict[str, Any] = {
        "n_forecasts": len(rows),
        "n_resolved": n_resolved,
        "n_resolved_by_event": by_event,
        "n_unmatched": sum(1 for o in outcomes if o is None),
        "brier": _round(brier_score_loss(all_y, all_p)) if len(all_p) else None,
        "brier_reference": _round(float(np.concatenate(reference).mean())) if reference else None,
        "horizons": horizons,
        "calibration": calibration_deciles(all_p, all_y),
        "outcome_date": outcome_date.isoformat(),
        "first_as_of": dates[0].isoformat() if dates else None,
        "last_as_of": dates[-1].isoformat() if dates else None,
        "n_dates": len(dates),
    }
    out["headline"] = headline(out)
    return out


def headline(score: Mapping[str, Any]) -> str:
    """One sentence a README can quote.

    >>> headline({"n_forecasts": 0, "n_resolved": 0})
    'The ledger holds no resolved forecast yet.'
    """
    if not score.get("n_resolved") or score.get("brier") is None:
        return "The ledger holds no resolved forecast yet."
    best = max(score["horizons"].items(), key=lambda kv: kv[1]["n_resolved"])
    h, v = best
    auc = f", AUC {v['auc']:.2f}" if v.get("auc") is not None else ""
    return (
        f"{score['n_resolved']:,} of {score['n_forecasts']:,} forecasts made on {score['n_dates']} "
        f"date(s) from {score['first_as_of']} to {score['last_as_of']} are resolved: Brier "
        f"{score['brier']:.3f} over every passed horizon (a constant forecast of the observed "
        f"rate scores {score['brier_reference']:.3f}); at the {h}-year horizon{auc}, and "
        f"{v['top_decile_precision']:.0%} of the top tenth of forecasts came true."
    )
