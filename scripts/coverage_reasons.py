"""Why is a waiting franchise not answered by the backtest? Counts and examples per date.

    PYTHONPATH=src python scripts/coverage_reasons.py [--dates 2016-12-25,2018-05-07] [--examples 5]

Reads the catalog of ``SEQUELCAST_DB`` (build it first with ``sequelcast build``). For each date it
lists every franchise the franchise graph says is waiting (an aired main-line TV season, next
season ``none``) or that :func:`~sequelcast.forecast.dataset.waiting_franchises` counts, and
sorts the ones without a scored forecast into reasons: no spell (the latest season cannot be
placed in time), a next season the newest data dates on or before the date ("early": left out of
the scores and the denominator), not found in the newest data, and disagreements between the
franchise graph's status and the forecast's view of the same franchise.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from sequelcast.forecast import inputs_from_snapshot
from sequelcast.forecast.backtest import outcomes_for
from sequelcast.forecast.dataset import build_spells, known_seasons, waiting_franchises
from sequelcast.franchise import build_franchises
from sequelcast.service import Sequelcast
from sequelcast.settings import Settings

DATES = "2016-12-25,2018-05-07,2020-12-31,2022-06-30"


def _reason_no_spell(seasons: list, as_of: date) -> str:
    known = known_seasons(seasons, as_of)
    if not known:
        return "no season known by as_of (no start, no first-seen date)"
    latest = known[-1]
    if latest.start is None:
        return "latest known season has no start date (announced TBA or undated)"
    if latest.start > as_of:
        return "latest known season starts after as_of (announced)"
    if latest.end is None and not latest.episodes:
        return "latest season started, no end date and no episode count"
    return "other (spell dropped)"


def run(svc: Sequelcast, as_of: date, full_seasons: dict, newest: date, n_examples: int) -> None:
    snap = svc.catalog.snapshot(as_of)
    graph = build_franchises(snap)
    inputs = inputs_from_snapshot(snap, graph)
    sbf = inputs.seasons_by_franchise
    status = {str(f.id): f.next_season.status for f in graph if f.seasons}
    graph_waiting = {
        str(f.id)
        for f in graph
        if f.seasons and f.next_season.status == "none" and f.latest_season() is not None
    }
    fc_waiting = set(waiting_franchises(sbf, as_of))
    spells = build_spells(sbf, as_of)
    at_risk = spells[spells["at_risk"]]
    risk_fids = set(at_risk["franchise_id"])
    outcomes, _ = outcomes_for(at_risk, full_seasons, as_of, newest)
    scored = set(at_risk.loc[outcomes.index[~outcomes["early"]], "franchise_id"])
    early = set(at_risk.loc[outcomes.index[outcomes["early"]], "franchise_id"])
    unmatched = risk_fids - scored - early
    reasons: dict[str, list[str]] = defaultdict(list)
    for fid in sorted(graph_waiting | fc_waiting):
        title = sbf[fid][0].title if fid in sbf else fid
        tag = f"{fid} {title!r}"
        if fid in scored:
            if fid not in graph_waiting:
                reasons[
                    f"scored (dated by estimate_dates; graph status {status.get(fid)!r}, no season aired)"
                ].append(tag)
            continue
        if fid in early:
            reasons["early: next season dated on/before as_of in the newest data"].append(tag)
        elif fid in unmatched:
            reasons["at risk but not found in the newest data"].append(tag)
        elif fid not in fc_waiting:
            reasons[
                f"graph says waiting, forecast does not count it ({_reason_no_spell(sbf[fid], as_of)})"
            ].append(tag)
        elif fid not in graph_waiting:
            reasons[
                f"forecast counts it, graph status {status.get(fid)!r} "
                f"({_reason_no_spell(sbf[fid], as_of)})"
            ].append(tag)
        else:
            reasons[f"no spell: {_reason_no_spell(sbf[fid], as_of)}"].append(tag)
    denominator = len(fc_waiting) - len(early)
    print(
        f"== {as_of}: graph waiting {len(graph_waiting)}, forecast waiting {len(fc_waiting)}, "
        f"at-risk spells {len(at_risk)}, scored {len(scored)}, early {len(early)}, "
        f"coverage {len(scored) / denominator:.1%} of {denominator}"
    )
    counts = Counter({k: len(v) for k, v in reasons.items()})
    for reason, n in counts.most_common():
        print(f"  {n:5d}  {reason}")
        for tag in reasons[reason][:n_examples]:
            print(f"           {tag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", default=DATES)
    parser.add_argument("--examples", type=int, default=5)
    args = parser.parse_args()
    settings = Settings.from_env(os.environ, Path.cwd())
    with Sequelcast(settings) as svc:
        newest = svc.data_date()
        full = svc.catalog.snapshot(newest)
        full_seasons = inputs_from_snapshot(full, build_franchises(full)).seasons_by_franchise
        for text in args.dates.split(","):
            run(svc, date.fromisoformat(text), dict(full_seasons), newest, args.examples)


if __name__ == "__main__":
    main()
