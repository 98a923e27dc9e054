"""Rebuild anidb_first_seen.csv from a clone of Anime-Lists/anime-lists and compare it with the
shared one (``python scripts/first_seen_check.py PATH_TO_CLONE [SHARED_CSV]``).

Prints the number of versions read, of AniDB ids, and per column how many ids differ.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

from sequelcast.sources import anime_lists_history as history

ROOT = Path(__file__).resolve().parents[1]


def main(repo: Path, shared: Path) -> None:
    t0 = time.perf_counter()
    versions = history.commits(repo)
    rows, skipped = history.first_seen_rows(history.read_versions(repo))
    seconds = time.perf_counter() - t0
    mine = {r["anidb_id"]: r for r in csv.DictReader(io.StringIO(history.render_csv(rows)))}
    with shared.open(encoding="utf-8") as f:
        ref = {r["anidb_id"]: r for r in csv.DictReader(f)}
    print(
        f"{len(versions):,} versions of {history.LIST_PATH} ({skipped} unreadable) in {seconds:.0f} s"
    )
    print(
        f"{len(mine):,} AniDB ids rebuilt, {len(ref):,} in {shared}, {len(set(mine) & set(ref)):,} in both"
    )
    for column in history.COLUMNS[1:]:
        differ = [k for k in ref if k in mine and mine[k][column] != ref[k][column]]
        print(f"{column}: {len(differ):,} ids differ" + (f" (e.g. {differ[:5]})" if differ else ""))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    default = ROOT.parent / "shared" / "data" / "derived" / "anidb_first_seen.csv"
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else default)
