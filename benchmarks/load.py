"""A bounded load run on loopback: req/s, p50/p95/p99 and errors per route and concurrency.

Starts ``uvicorn --factory sequelcast.api:create_app`` on a free local port over a built catalog,
waits until ``/api/v1/health`` answers (the server fills its caches first), then, for each route
(health, resolve, anime, forecast, page) and each concurrency level, runs that many clients for a
fixed time and prints one line per (route, level)::

    python benchmarks/load.py --db sqlite:///.scratch/catalog.db --seconds 10 --levels 1,8,32

An error is a status other than 200, a time-out (``--timeout``, 30 s) or a connection failure.
With ``--rebuild DATA_DIR`` a rebuild of the same catalog runs in a second process during the
``health`` and ``anime`` runs, and the errors and p99 then show what a rebuild costs the readers.
The run is bounded: levels x routes x seconds (default 3 x 5 x 10 s, plus the warm-up).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    route: str
    level: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def add_error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def line(self) -> str:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            if not lat:
                return float("nan")
            return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] * 1000

        total = len(lat) + self.errors
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(self.error_kinds.items()))
        return (f"{self.route:<9} {self.level:>4} {total:>7} {total / self.seconds:>8.1f} "
                f"{pct(50):>8.1f} {pct(95):>8.1f} {pct(99):>8.1f} {self.errors:>6}"
                + (f"  ({kinds})" if kinds else ""))


HEADER = f"{'route':<9} {'conc':>4} {'requests':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def worker(client: httpx.AsyncClient, url: str, stop: float, run: Run) -> None:
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        try:
            response = await client.get(url)
        except httpx.TimeoutException:
            run.add_error("timeout")
            continue
        except httpx.HTTPError as exc:
            run.add_error(type(exc).__name__)
            continue
        if response.status_code == 200:
            run.latencies.append(time.perf_counter() - t0)
        else:
            run.add_error(str(response.status_code))


async def measure(base: str, route: str, url: str, level: int, seconds: float, timeout: float) -> Run:
    run = Run(route, level)
    limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        t0 = time.perf_counter()
        stop = t0 + seconds
        await asyncio.gather(*(worker(client, url, stop, run) for _ in range(level)))
        run.seconds = time.perf_counter() - t0
    return run


def wait_healthy(base: str, proc: subprocess.Popen[bytes], limit: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/api/v1/health", timeout=5).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer /api/v1/health within {limit:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="catalog URL (built with `sequelcast build`)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time per route and level")
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels")
    parser.add_argument("--title", default="higehiro", help="the title to resolve")
    parser.add_argument("--id", default="40938", help="the MAL id for anime, forecast and page")
    parser.add_argument("--routes", default="health,resolve,anime,forecast,page")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--warmup-limit", type=float, default=600.0)
    parser.add_argument("--model-dir", default=str(ROOT / ".scratch" / "models"))
    parser.add_argument("--rebuild", metavar="DATA_DIR", help="rebuild the catalog while health and anime run")
    args = parser.parse_args()

    routes = {"health": "/api/v1/health", "resolve": f"/api/v1/resolve?q={args.title}",
              "anime": f"/api/v1/anime/{args.id}", "forecast": f"/api/v1/forecast/{args.id}",
              "page": f"/anime/{args.id}"}
    chosen = [r.strip() for r in args.routes.split(",")]
    levels = [int(x) for x in args.levels.split(",")]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SEQUELCAST_DB": args.db, "SEQUELCAST_MODEL_DIR": args.model_dir,
           "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "sequelcast.api:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], env=env)
    try:
        warm = wait_healthy(base, server, args.warmup_limit)
        for route in chosen:  # one request each: the caches behind every route are filled
            httpx.get(base + routes[route], timeout=args.warmup_limit)
        print(f"server ready after {warm:.1f} s; {args.seconds:g} s per route and level; "
              f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        print(HEADER)
        for route in chosen:
            rebuild = None
            if args.rebuild and route in ("health", "anime"):
                rebuild = subprocess.Popen(
                    [sys.executable, "-m", "sequelcast", "build", "-q", "--data", args.rebuild, "--db", args.db],
                    env=env)
            for level in levels:
                run = asyncio.run(measure(base, route, routes[route], level, args.seconds, args.timeout))
                print(run.line() + ("  [during a rebuild]" if rebuild and rebuild.poll() is None else ""),
                      flush=True)
            if rebuild is not None:
                rebuild.wait()
                print(f"  (rebuild exited with {rebuild.returncode})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
