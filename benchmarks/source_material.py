"""CPU time of the source-material part of a build: parsing its four files and linking + features.

    python benchmarks/source_material.py [--data ../shared/data]

Prints process CPU seconds (not wall time, so other work on the machine does not inflate them).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from sequelcast.asof import admit, assemble
from sequelcast.domain import merge_batches
from sequelcast.source_material import source_features
from sequelcast.sources import DATA_SOURCES, load_batches
from sequelcast.sources.base import read_source_file

MINE = {"mal_manga_2024", "mal_lightnovels_2024", "novelupdates_2020", "anilist_manga_2026"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    t = time.process_time()
    rows = 0
    for src in DATA_SOURCES:
        if src.name in MINE:
            for path in src.discover(args.data):
                rows += len(src.parse(read_source_file(src.name, path), str(path)))
    print(
        f"parse the four source-material files ({rows:,} records): {time.process_time() - t:.2f} s CPU"
    )
    merged = merge_batches(load_batches(args.data), "all", "all")
    t = time.process_time()
    admitted = admit(merged, None)
    snap = assemble(admitted, None)
    print(
        f"admit + assemble everything (source features included): {time.process_time() - t:.2f} s CPU"
    )
    t = time.process_time()
    feats = source_features(snap.entries, admitted.manga, admitted.novels, admitted.relations, None)
    linked = sum(f.linked for f in feats.values())
    print(
        f"source features alone ({len(feats):,} anime, {linked:,} linked): {time.process_time() - t:.2f} s CPU"
    )


if __name__ == "__main__":
    main()
