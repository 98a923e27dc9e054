"""Time a full catalog build from the real data and report its peak memory.

    python benchmarks/build.py [--data ../shared/data] [--db sqlite:///tmp/bench.db] [--as-of DATE]

Prints the data size, the machine, the wall time of each phase and the peak resident memory of the
process (``ru_maxrss``). The build writes the derived tables and fits the forecast model (its time
is printed apart). Target (issue 9): under 45 s with the forecasts, and 1.5 GB, on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sequelcast.asof import admit, assemble
from sequelcast.catalog import open_catalog
from sequelcast.domain import merge_batches
from sequelcast.service import build_catalog
from sequelcast.sources import load_batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    parser.add_argument(
        "--db", default=None, help="catalog URL (default: a fresh SQLite file in a temp dir)"
    )
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    args = parser.parse_args()

    files = [p for p in args.data.rglob("*") if p.is_file()]
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    print(
        f"data: {args.data} ({len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        t = time.perf_counter()
        batches = load_batches(args.data)
        t_parse = time.perf_counter() - t
        t = time.perf_counter()
        snap = assemble(admit(merge_batches(batches, "all", "all"), args.as_of), args.as_of)
        t_asof = time.perf_counter() - t
        del batches, snap
        with open_catalog(url) as cat:
            report = build_catalog(cat, args.data, args.as_of)
            t = time.perf_counter()
            cat.snapshot(args.as_of)
            t_load = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        backend = url.split(":", 1)[0]
        print(
            f"catalog: {backend}, {report.counts['entries']:,} entries, {report.counts['facts']:,} facts"
        )
        print(f"phase parse (read + parse every file): {t_parse:.1f} s")
        print(f"phase as-of (admit + assemble):        {t_asof:.1f} s")
        fc = report.counts["forecast"]
        print(f"  of which fitting + forecasting:      {fc.get('seconds', 0):.1f} s ({fc.get('waiting', 0):,} "
              f"waiting shows, model {fc.get('model', fc.get('error'))})")
        print(f"full build (parse, as-of, derive, forecast, write): {report.seconds:.1f} s wall, "
              f"{time.process_time():.1f} s CPU in this process   (target < 45 s)")
        print(f"load snapshot back from the catalog:   {t_load:.1f} s")
        print(f"peak memory (ru_maxrss):                {peak_mb:.0f} MB   (target < 1536 MB)")
    sys.exit(0)


if __name__ == "__main__":
    main()
