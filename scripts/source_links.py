"""Precision and coverage of the anime -> source work links on the real data (docs/source_material.md).

    python scripts/source_links.py [--data ../shared/data] [--as-of DATE] [--sample N --seed S]

Prints coverage by source kind and precision on the hand-checked sample
(tests/fixtures/source_links_checked.csv). ``--sample N`` also prints N random links to check by hand.
"""

from __future__ import annotations

import argparse
import random
from datetime import date
from pathlib import Path

from sequelcast.asof import admit, assemble
from sequelcast.domain import merge_batches
from sequelcast.source_material import collect_works, link_sources
from sequelcast.source_material._features import _Counts
from sequelcast.source_material.evaluate import coverage, parse_checked, precision
from sequelcast.sources import load_batches

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ROOT / "tests" / "fixtures" / "source_links_checked.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()

    merged = merge_batches(load_batches(args.data), "all", "all")
    admitted = admit(merged, args.as_of)
    snap = assemble(admitted, args.as_of)
    links = link_sources(
        snap.entries, collect_works(admitted.manga, admitted.novels), admitted.relations
    )
    print(f"as of {args.as_of or 'everything'}: {len(links)} TV anime linked to a source work")
    for kind, (n, k) in sorted(coverage(snap.entries, links).items()):
        print(f"coverage {kind:12s} {k:5d} / {n:5d} = {k / n:.1%}")
    via = sum(1 for x in links.values() if x.via_mal_id is not None)
    nu = sum(1 for x in links.values() if x.work.source == "novelupdates")
    print(f"links through the first season: {via}; to NovelUpdates novels: {nu}")
    works = collect_works(admitted.manga, admitted.novels)
    counts = _Counts(works)
    ref = args.as_of or max(w.observed_at for w in works)
    running = [
        x.work for x in links.values() if x.kind == "light_novel" and x.work.finished is False
    ]
    anchored = sum(1 for w in running if w.source == "mal" and counts.anchor(w, ref) is not None)
    print(
        f"linked light novels still running: {len(running)}, {anchored} with a NovelUpdates volume count"
    )
    p = precision(links, parse_checked(CHECKED.read_text(encoding="utf-8")))
    print(
        f"precision on the hand-checked sample: {p.correct} / {p.still_made} = {p.value:.1%} "
        f"({p.checked} checked, {p.checked - p.still_made} no longer linked)"
    )
    if args.sample:
        for m in random.Random(args.seed).sample(sorted(links), min(args.sample, len(links))):
            a, w = snap.entries[m], links[m].work
            print(
                f"{m}\t{a.title} | {a.title_english} | {a.source_type} {a.start_date}\n"
                f"\t-> {w.source}:{w.work_id} {w.type} {w.titles} {w.start}..{w.end} "
                f"score={links[m].score:.0f} via={links[m].via_mal_id}"
            )


if __name__ == "__main__":
    main()
