"""Time what users wait for: the build, the CLI, and the API server with 1 and 2 workers.

    python benchmarks/service.py [--data ../shared/data] [--db sqlite:///catalog.db] [--runs 5] [--cli-only]

Without ``--db`` it builds a fresh catalog from ``--data`` in a temporary directory (timed, with
its peak memory); with ``--db`` it uses that catalog as it is. Then it prints:

- how many of its shows the build's ``title_answers`` table answers (a title typed out is one
  indexed read; any other query loads the title index);
- the first ``sequelcast show`` after the build, and the median wall time of warm ``show``,
  ``franchise`` and ``forecast`` of a few shows (each a new process, as a user runs them);
- ``sequelcast serve --workers 1``: fact sheet and forecast p50 (sequential requests), ``/health``
  p99 while other threads ask fact sheets for dates the server has not seen yet, the resident
  memory of each worker;
- fact sheets per second with 8 concurrent clients, with ``--workers 1`` and ``--workers 2``
  (the clients are :class:`load.Connection`, 0.1-0.17 ms of client CPU per request; each run
  starts once every worker listens). ``python benchmarks/load.py --compare-workers 1,2`` repeats
  this comparison with the server's and the client's CPU beside it.

The servers run as ``sequelcast serve --no-access-log`` (uvicorn with httptools and uvloop).

Wall times on a shared machine include waiting for a CPU: the CPU time of each phase is printed
beside it. Targets (issue 9, 2 cores): warm CLI <= 0.3 s, first command after a build <= 10 s,
fact sheet p50 <= 10 ms, forecast p50 <= 20 ms, /health p99 <= 100 ms under new-date load, build
<= 45 s and 1.5 GB, server <= 500 MB per worker, throughput rising with 2 workers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx
from load import Connection, Serving

#: Titles that resolve to one show on the shared data (waiting ones, and three announced).
SHOWS = [
    "Higehiro",
    "Mob Psycho 100",
    "Spy x Family",
    "Sousou no Frieren",
    "Oshi no Ko",
    "Toradora",
    "Dungeon Meshi",
    "Vinland Saga",
    "Made in Abyss",
    "Horimiya",
    "Bocchi the Rock",
    "Hyouka",
]


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cli(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``sequelcast`` command in a new process."""
    cpu, t = children_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sequelcast", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t, children_cpu() - cpu


def stored_answers(env: dict[str, str]) -> int:
    """How many of :data:`SHOWS` the build's ``title_answers`` answer (the rest load the title index)."""
    from sequelcast.service import Sequelcast
    from sequelcast.settings import Settings

    with Sequelcast(Settings.from_env(env)) as svc:
        return sum(svc.stored_answer(s) is not None for s in SHOWS)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server(Serving):
    """``sequelcast serve`` on a free port, up once ``/health`` answers and every worker listens."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        super().__init__(env, workers)
        self.startup = self.wait(600)

    def worker_rss(self) -> list[float]:
        """Resident MB of each worker (the processes listening on the port)."""
        return [rss_mb(p) for p in self.worker_pids()]


def latencies(client: httpx.Client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        t = time.perf_counter()
        r = client.get(url)
        out.append(time.perf_counter() - t)
        if r.status_code != 200:
            raise SystemExit(f"{url}: {r.status_code} {r.text[:200]}")
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def health_under_new_dates(
    server: Server, ids: list[str], n_dates: int
) -> tuple[float, float, int, list[int]]:
    """p50 and p99 of /health (ms) while threads ask fact sheets for ``n_dates`` unseen dates (of
    shows of ``ids`` that had started by then, so that each date is derived), and the final
    status of each of those (a 429 or 503 of the limits is retried after Retry-After,
    so that every date is derived: they all share this machine's address)."""
    stop, seen, statuses = threading.Event(), [], []
    with httpx.Client(base_url=server.base, timeout=120) as c:  # shows that had aired by then
        starts = {i: c.get(f"/api/v1/anime/{i}").json().get("start_date") for i in ids}
    ids = [i for i in ids if starts[i] and starts[i] < "2018-06-01"]
    if not ids:
        raise SystemExit("no show of SHOWS started before 2018-06: nothing to ask for 2019 dates")

    def poll() -> None:
        with httpx.Client(base_url=server.base, timeout=120) as c:
            while not stop.is_set():
                t = time.perf_counter()
                c.get("/api/v1/health")
                seen.append(time.perf_counter() - t)
                time.sleep(0.02)

    def new_date(i: int) -> None:
        day = date(2019, 1, 1) + timedelta(days=37 * i)
        with httpx.Client(base_url=server.base, timeout=600) as c:
            while True:
                r = c.get(f"/api/v1/anime/{ids[i % len(ids)]}", params={"as_of": day.isoformat()})
                if r.status_code not in (429, 503):
                    break
                time.sleep(min(float(r.headers.get("retry-after", "1")), 2.0))
        statuses.append(r.status_code)

    poller = threading.Thread(target=poll)
    poller.start()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(new_date, range(n_dates)))
    stop.set()
    poller.join()
    return 1000 * pct(seen, 0.5), 1000 * pct(seen, 0.99), len(seen), sorted(statuses)


def throughput(server: Server, ids: list[str], seconds: float, clients: int = 8) -> float:
    """Fact sheets per second (status 200) with ``clients`` concurrent keep-alive connections."""

    async def run(k: int, deadline: float) -> int:
        conn, n = Connection("127.0.0.1", server.port), 0
        while time.perf_counter() < deadline:
            status, _ = await conn.get(f"/api/v1/anime/{ids[(k + n) % len(ids)]}")
            n += status == 200
        conn.close()
        return n

    async def main() -> int:
        deadline = time.perf_counter() + seconds
        return sum(await asyncio.gather(*(run(k, deadline) for k in range(clients))))

    return asyncio.run(main()) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    parser.add_argument("--db", default=None, help="an already built catalog (default: build one)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each warm CLI command")
    parser.add_argument(
        "--requests", type=int, default=200, help="sequential API requests per route"
    )
    parser.add_argument(
        "--new-dates", type=int, default=4, help="unseen as_of dates during the /health test"
    )
    parser.add_argument("--seconds", type=float, default=15, help="length of each throughput test")
    parser.add_argument(
        "--cli-only", action="store_true", help="time the build and the CLI, not the server"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'catalog.db'}"
        env = {
            **os.environ,
            "SEQUELCAST_DB": url,
            "SEQUELCAST_MODEL_DIR": str(Path(tmp) / "models"),
            "SEQUELCAST_DATA": str(args.data),
        }
        env.pop("SEQUELCAST_TODAY", None)
        if args.db is None:
            wall, cpu = cli(env, "build", "-q")
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"build (with derived tables and forecasts): {wall:.1f} s wall, {cpu:.1f} s CPU, "
                f"peak {peak:.0f} MB   (target 45 s, 1.5 GB)"
            )
        print(
            f"titles answered from the build's title_answers (no title index loaded): "
            f"{stored_answers(env)} of {len(SHOWS)}"
        )
        wall, cpu = cli(env, "show", SHOWS[0])
        print(f"first `show` after the build: {wall:.2f} s wall, {cpu:.2f} s CPU   (target 10 s)")
        for command in ("show", "franchise", "forecast"):
            runs = [cli(env, command, SHOWS[i % len(SHOWS)]) for i in range(args.runs)]
            print(
                f"warm `{command}` (median of {len(runs)}): {statistics.median(r[0] for r in runs):.2f} s wall, "
                f"{statistics.median(r[1] for r in runs):.2f} s CPU   (target 0.3 s)"
            )
        if args.cli_only:
            return

        server = Server(env, 1)
        try:
            print(
                f"serve --workers 1: ready in {server.startup:.1f} s; RSS per worker "
                f"{', '.join(f'{m:.0f} MB' for m in server.worker_rss())}   (target 500 MB)"
            )
            with httpx.Client(base_url=server.base, timeout=60) as c:
                ids = [
                    str(
                        c.get("/api/v1/resolve", params={"q": s, "limit": 1}).json()["results"][0][
                            "mal_id"
                        ]
                    )
                    for s in SHOWS
                ]
                n = args.requests
                sheets = latencies(c, [f"/api/v1/anime/{ids[i % len(ids)]}" for i in range(n)])
                forecasts = latencies(
                    c, [f"/api/v1/forecast/{ids[i % len(ids)]}" for i in range(n)]
                )
            print(
                f"fact sheet p50 {1000 * pct(sheets, 0.5):.1f} ms, p99 {1000 * pct(sheets, 0.99):.1f} ms "
                f"(target p50 10 ms); forecast p50 {1000 * pct(forecasts, 0.5):.1f} ms, "
                f"p99 {1000 * pct(forecasts, 0.99):.1f} ms (target p50 20 ms)"
            )
            p50, p99, count, statuses = health_under_new_dates(server, ids, args.new_dates)
            print(
                f"/health under {args.new_dates} new as_of dates: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                f"over {count} calls   (target p99 100 ms); the dates answered {statuses}"
            )
            one = throughput(server, ids, args.seconds)
        finally:
            server.stop()
        server = Server(env, 2)
        try:
            two = throughput(server, ids, args.seconds)
            print(
                f"serve --workers 2: RSS per worker {', '.join(f'{m:.0f} MB' for m in server.worker_rss())}"
            )
        finally:
            server.stop()
        print(
            f"fact sheets per second, 8 clients: {one:.0f} with 1 worker, {two:.0f} with 2 workers"
        )


if __name__ == "__main__":
    main()
