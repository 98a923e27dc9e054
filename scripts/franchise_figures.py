"""Print the franchise figures of docs/franchises.md from the real data.

    PYTHONPATH=src python scripts/franchise_figures.py [--data ../shared/data] [--errors N] [--claims]

Figures: main-line link precision/recall against the typed MAL Sequel/Prequel relations of a
random 20% of franchises held out of the build; next-season status accuracy as of 2018-05-07 and
2020-12-31 against what the newest data shows was announced by then, with the rate of "announced"
claims nothing later confirms (each one listed: the entry, why it was claimed, what the newest
data makes of it), the rate of claims whose entry never aired in any form, and what requiring
each signal of ``SIGNALS`` (known on the date) of every claim would do to both rates; the time to build the graph of all the data. (The hand-checked list prints its figure from
``pytest tests/franchise -m integration -s``.)
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from sequelcast.asof import snapshot_from_batches
from sequelcast.franchise import build_franchises
from sequelcast.franchise.evaluate import (
    SIGNALS,
    announced_signals,
    evaluate_status,
    evaluate_typed_holdout,
)
from sequelcast.sources import load_batches

DATES = (date(2018, 5, 7), date(2020, 12, 31))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--errors", type=int, default=0, help="print this many status errors per date"
    )
    parser.add_argument(
        "--claims", action="store_true", help="print every 'announced' claim with its signals"
    )
    args = parser.parse_args()
    batches = load_batches(args.data)
    full = snapshot_from_batches(batches)
    start = time.perf_counter()
    newest = build_franchises(full)
    print(f"graph of all the data built in {time.perf_counter() - start:.1f} s")
    print("typed hold-out:", evaluate_typed_holdout(full).summary())
    now = announced_signals(newest, full)
    counts = ", ".join(f"{k} {sum(1 for _, sig in now if sig[k])}" for k in SIGNALS)
    print(f"end of data: {len(now)} 'announced' statuses; with each signal: {counts}")
    for title, sig in now if args.claims else []:
        print(f"    now: {title!r}: signals: {', '.join(k for k, v in sig.items() if v) or 'none'}")
    for day in DATES:
        snapshot = snapshot_from_batches(batches, day)
        report = evaluate_status(newest, build_franchises(snapshot), day, snapshot, full)
        print(report.summary())
        for line in report.unconfirmed_claims:
            print("    unconfirmed:", line)
        print("    requiring one signal of every 'announced' claim (docs/franchises.md):")
        print(
            "    | signal | right kept | confirmed kept | unconfirmed kept | unconfirmed | accuracy |"
        )
        for effect in report.signal_effects():
            print("   ", effect.row())
        for claim in report.claims if args.claims else []:
            print("    claim:", claim.describe())
        for line in report.errors[: args.errors]:
            print("   ", line)


if __name__ == "__main__":
    main()
