"""The forecast ledger: record today's forecasts, replay past dates, score what has resolved.

Every forecast comes from :meth:`Sequelcast.forecaster` (the model fitted on what the catalog
knew on the date: the same as-of snapshot and franchises the backtest uses); outcomes
come from :func:`sequelcast.forecast.backtest.outcomes_for` against the newest data, as in the
backtest. The scores are :func:`sequelcast.report.score_ledger`'s.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sequelcast import __version__
from sequelcast import report as rp
from sequelcast.catalog.ledger import Ledger, LedgerRunExistsError
from sequelcast.errors import ConfigError, ModelError
from sequelcast.service._app import Sequelcast
from sequelcast.service._derive import DEFAULT_MODEL, forecast_json

if TYPE_CHECKING:
    from sequelcast.forecast import Forecaster

#: How often ``ledger replay`` steps, in months.
EVERY = {"quarter": 3, "year": 12}


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def ledger_rows(fc: Forecaster) -> list[dict[str, Any]]:
    """One ledger row per show waiting on the forecaster's date (probabilities, verdict, model)."""
    risk = fc.at_risk()
    rows = []
    for show in fc.predict(detail=False):
        sp = risk.loc[show.spell_id]
        data = forecast_json(show)
        rows.append(
            {
                "franchise_id": show.franchise_id,
                "spell_id": show.spell_id,
                "mal_id": show.mal_id,
                "anidb_id": _int(sp.get("anidb_id")),
                "number": _int(sp.get("number")),
                "part": _int(sp.get("part")),
                "title": show.title,
                "ended": show.ended,
                "waited_years": float(show.waited_years),
                **{f"p_{h}y": data.get(f"p_{h}y") for h in rp.LEDGER_HORIZONS},
                "verdict": data.get("verdict"),
                "confidence": data.get("confidence"),
                "model": show.model,
            }
        )
    return rows


def _run_json(run: dict[str, Any], skipped: bool, error: str | None = None) -> dict[str, Any]:
    return {
        "run_id": run.get("id"),
        "kind": run.get("kind"),
        "as_of": str(run["as_of"])[:10],
        "model": run.get("model"),
        "n_forecasts": run.get("n_forecasts", 0),
        "skipped": skipped,
        "error": error,
    }


def _keep(svc: Sequelcast, kind: str, when: date, model: str) -> dict[str, Any]:
    ledger = Ledger(svc.catalog)
    build = svc.build_key()
    existing = ledger.find_run(kind, when, build, model)
    if existing is not None:  # checked before fitting: a re-run costs nothing
        return _run_json(existing, skipped=True)
    rows = ledger_rows(svc.forecaster(when, model))
    last = svc.catalog.last_build()
    try:
        run_id = ledger.add_run(
            kind=kind,
            as_of=when,
            build_key=build,
            build_id=last["id"] if last else None,
            model=model,
            version=__version__,
            forecasts=rows,
        )
    except LedgerRunExistsError as exc:
        return _run_json(exc.run, skipped=True)
    return _run_json(
        {"id": run_id, "kind": kind, "as_of": when, "model": model, "n_forecasts": len(rows)},
        skipped=False,
    )


def ledger_record(svc: Sequelcast, model: str = DEFAULT_MODEL) -> dict[str, Any]:
    """Keep the forecast of every waiting show on the catalog's date (never after today).

    A second record of the same date, build and model is skipped (``"skipped": true``): the
    ledger never rewrites a forecast.
    """
    return _keep(svc, "record", svc.answer_date(None), model)


def replay_dates(svc: Sequelcast, since: date, until: date | None, every: str) -> list[date]:
    """The dates ``ledger replay`` forecasts on: from ``since`` every quarter or year, before the newest data."""
    if every not in EVERY:
        raise ConfigError(f"--every: expected quarter or year, got {every!r}")
    newest = svc.data_date()
    last = min(until, newest) if until is not None else newest
    if since > last or (until is None and since == last):
        raise ConfigError(
            f"--since {since} must be before the newest data ({newest}), and not after --until"
        )
    out, k = [], 0
    while (d := _add_months(since, k * EVERY[every])) < last or (d == last and until is not None):
        out.append(d)
        k += 1
    return out


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in range(d.day, 27, -1):  # the 31st of a short month becomes its last day
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(d.day, 28))


def ledger_replay_one(svc: Sequelcast, when: date, model: str = DEFAULT_MODEL) -> dict[str, Any]:
    """Keep the forecasts the model would have made on ``when``, from what was known then only.

    The model is fitted on the catalog as of ``when`` (:meth:`Sequelcast.forecaster`). A date on
    which no forecast can be made (no next season announced yet in the data) is
    reported in ``error`` and nothing is kept.
    """
    try:
        return _keep(svc, "replay", when, model)
    except ModelError as exc:
        return _run_json(
            {"as_of": when, "kind": "replay", "model": model}, skipped=True, error=str(exc)
        )


def _dedupe(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One forecast per show and date: the earliest run's (a record before a later replay)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for r in sorted(rows, key=lambda r: (r["as_of"], r["created_at"], r["run_id"])):
        key = (r["as_of"], r["franchise_id"], r["mal_id"], r["anidb_id"], r["number"], r["part"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _outcomes(
    rows: Sequence[dict[str, Any]], svc: Sequelcast, outcome_date: date
) -> tuple[list[tuple[float, bool] | None], set[int]]:
    """Each row's outcome in the newest data, and the rows that were "early" (see ``outcomes_for``)."""
    import pandas as pd

    from sequelcast.forecast import inputs_from_snapshot
    from sequelcast.forecast.backtest import outcomes_for
    from sequelcast.franchise import build_franchises

    snap = svc.catalog.snapshot(outcome_date)
    seasons = inputs_from_snapshot(snap, build_franchises(snap)).seasons_by_franchise
    out: list[tuple[float, bool] | None] = [None] * len(rows)
    early: set[int] = set()
    by_date: dict[date, list[int]] = {}
    for i, r in enumerate(rows):
        by_date.setdefault(r["as_of"], []).append(i)
    cols = ["mal_id", "anidb_id", "franchise_id", "number", "part"]
    for as_of, idx in by_date.items():
        if as_of >= outcome_date:  # nothing can have resolved yet
            for i in idx:
                out[i] = (0.0, False)
            continue
        frame = pd.DataFrame(
            [{c: rows[i][c] for c in cols} for i in idx],
            index=pd.Index([str(i) for i in idx], name="spell_id"),
            dtype=object,
        )
        found, _ = outcomes_for(frame, seasons, as_of, outcome_date)
        for sid, o in found.iterrows():
            out[int(str(sid))] = (float(o["duration"]), bool(o["event"]))
            if bool(o["early"]):
                early.add(int(str(sid)))
    return out, early


def score_without_early(
    rows: Sequence[dict[str, Any]],
    outcomes: Sequence[tuple[float, bool] | None],
    early: Collection[int],
    outcome_date: date,
) -> dict[str, Any]:
    """:func:`~sequelcast.report.score_ledger` of the rows not in ``early`` (indexes), plus ``n_early``.

    Examples
    --------
    >>> rows = [{"as_of": date(2020, 1, 1), "p_1y": p, "p_2y": None, "p_3y": None, "p_5y": None}
    ...         for p in (0.2, 0.8, 0.1)]
    >>> s = score_without_early(rows, [(3.0, False), (0.5, True), (0.01, True)], {2}, date(2023, 1, 1))
    >>> s["n_forecasts"], s["n_early"], s["horizons"]["1"]["auc"]
    (2, 1, 1.0)
    """
    kept = [i for i in range(len(rows)) if i not in early]
    score = rp.score_ledger([rows[i] for i in kept], [outcomes[i] for i in kept], outcome_date)
    score["n_early"] = len(early)
    return score


def ledger_score(svc: Sequelcast) -> dict[str, Any]:
    """Score every kept forecast against the newest data (see :func:`sequelcast.report.score_ledger`).

    Each show counts once per date (the earliest run's forecast). Adds ``runs`` (how many of
    each kind) and ``n_early`` (forecasts whose next season the newest data dates on or before the
    forecast's date: the show was not really waiting, only the data of the time lacked the link;
    left out of every score, as in the backtest, see docs/backtest.md) to the scores.
    """
    ledger = Ledger(svc.catalog)
    rows = _dedupe(ledger.forecasts())
    outcome_date = svc.data_date()
    outcomes, early = _outcomes(rows, svc, outcome_date) if rows else ([], set())
    score = score_without_early(rows, outcomes, early, outcome_date)
    kinds: dict[str, int] = {}
    for run in ledger.runs():
        kinds[run["kind"]] = kinds.get(run["kind"], 0) + 1
    score["runs"] = kinds
    return score


__all__ = ["ledger_record", "ledger_replay_one", "ledger_rows", "ledger_score", "replay_dates"]
