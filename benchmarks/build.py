"""Time a full catalog build from the real data, phase by phase, and report its peak memory.

    python benchmarks/build.py [--data ../shared/data] [--db sqlite:///tmp/bench.db] [--as-of DATE] [--no-forecasts]

Runs one ``build_catalog`` (what ``sequelcast build`` runs) into a fresh catalog and prints the
wall time of each phase the build reports (``BuildReport.phases``): parse, as-of, franchises,
derived, the title index and its answers (in a process of its own; "title index wait" is what
the build still waited for them), the forecast stage (fit and forecasts, on a thread; the
write transaction takes its rows last, and "forecast wait" is what it still waited for them), and the
one write transaction (without that wait); then the total wall and CPU time (CPU of the build's
process, every thread, and of the title process), the peak resident memory of the build's
process (``ru_maxrss``) and of the title process (its VmHWM; the sum bounds what the build held
at once) and the
load average before and after (the machine may be shared). Targets (issues 8 and 9): the catalog work under 30 s, the full build
with forecasts under 45 s wall on 2 cores, and 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from load import descendants  # benchmarks/load.py, beside this script

from sequelcast.catalog import open_catalog
from sequelcast.service import build_catalog

PHASES = (
    "parse",
    "as-of",
    "franchises",
    "derived",
    "title index wait",
    "forecast",
    "forecast wait",
    "write",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    parser.add_argument(
        "--db", default=None, help="catalog URL (default: a fresh SQLite file in a temp dir)"
    )
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    parser.add_argument("--no-forecasts", action="store_true", help="skip the forecast stage")
    args = parser.parse_args()

    files = [p for p in args.data.rglob("*") if p.is_file()]
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )
    print(
        f"data: {args.data} ({len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB)"
    )
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with open_catalog(url) as cat:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            with _TreeMemory() as tree:
                report = build_catalog(cat, args.data, args.as_of, forecasts=not args.no_forecasts)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_cpu = children.ru_utime + children.ru_stime
        # each job process's own VmHWM (ru_maxrss of a child counts the parent's memory the
        # child held between its fork and its exec)
        jobs = [report.counts["title_index"], report.counts["forecast"].get("job", {})]
        child_mb = [job.get("peak_mb") or 0 for job in jobs]
    fc = report.counts["forecast"]
    print(
        f"catalog: {url.split(':', 1)[0]}, {report.counts['entries']:,} entries, "
        f"{report.counts['facts']:,} facts, {report.counts['franchises']:,} franchises"
    )
    for name in PHASES:
        note = ""
        if name == "forecast" and "job" in fc:
            note = (
                f"   (in a {fc['job']['where']}; {fc.get('waiting', 0):,} waiting shows, "
                f"model {fc.get('model', fc.get('error'))})"
            )
        elif name == "forecast":
            note = f"   ({fc.get('error', 'not run')})"
        print(f"phase {name + ':':<16} {report.phases.get(name, 0.0):6.1f} s{note}")
    rest = wall - report.phases.get("forecast wait", 0.0)
    print(
        f"total: {wall:.1f} s wall ({rest:.1f} s without the forecast wait), {cpu:.1f} s CPU"
        f" + {child_cpu:.1f} s CPU in the title process"
        f"   (targets: catalog work < 30 s, full build < 45 s)"
    )
    print(
        f"peak memory: {peak_mb:.0f} MB build + {child_mb[0]:.0f} MB title process"
        + (f" + {child_mb[1]:.0f} MB forecast process" if child_mb[1] else "")
        + f" = {peak_mb + sum(child_mb):.0f} MB at most"
        f"   (target < 1536 MB)"
    )
    if tree.peak_mb is not None:
        print(
            f"peak memory of the build's processes together: {tree.peak_mb:.0f} MB"
            f" (their resident memory summed, sampled every {tree.every} s)   (target < 1536 MB)"
        )
    print(
        "load average before: {:.2f} {:.2f} {:.2f}".format(*load_before)
        + ", after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )
    sys.exit(0)


class _TreeMemory:
    """The largest sum of the resident memory (VmRSS) of this process and its children, sampled
    on a thread every :attr:`every` seconds from ``/proc`` (``peak_mb`` is ``None`` without it)."""

    every = 0.1

    def __init__(self) -> None:
        self.peak_mb: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _TreeMemory:
        if Path("/proc/self/status").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.every):
            pids = [me, *descendants(me)]
            total = sum(_rss_kb(p) for p in pids) / 1024
            self.peak_mb = max(self.peak_mb or 0.0, total)


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


if __name__ == "__main__":
    main()
