"""A bounded load run on loopback: req/s, p50/p95/p99 and errors per route and concurrency.

Starts ``sequelcast serve --no-access-log`` (``--workers``, default 1) on a free local port over a
built catalog, waits until ``/api/v1/health`` answers (each worker loads the title index first),
then, for each route (health, resolve, anime, forecast, page, health_asof) and each concurrency
level, runs that many clients for a fixed time and prints one line per (route, level)::

    python benchmarks/load.py --db sqlite:///.scratch/catalog.db --seconds 10 --levels 1,8,32

``health_asof`` is ``/api/v1/health`` while ``--as-of-clients`` (2) more clients keep asking fact
sheets for dates the server has not seen yet (each one is derived from the stored facts, seconds
of CPU in a child process); their answers (200, or 429/503 with Retry-After when the server is
saturated) are counted apart, on the line after.

An error is a status other than 200, a time-out (``--timeout``, 30 s) or a connection failure.
With ``--rebuild DATA_DIR`` a rebuild of the same catalog runs in a second process during the
``health`` and ``anime`` runs, and the errors and p99 then show what a rebuild costs the readers.
The run is bounded: levels x routes x seconds (default 3 x 5 x 10 s, plus the warm-up).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
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
        return (
            f"{self.route:<9} {self.level:>4} {total:>7} {total / self.seconds:>8.1f} "
            f"{pct(50):>8.1f} {pct(95):>8.1f} {pct(99):>8.1f} {self.errors:>6}"
            + (f"  ({kinds})" if kinds else "")
        )


HEADER = f"{'route':<9} {'conc':>4} {'requests':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, a few lines written for this benchmark.

    A client costs CPU on the machine it measures: httpx takes about a millisecond per request,
    which on 2 shared cores is taken from the server (at 32 clients the client was the bottleneck).
    This one reads the status line, the headers and the body (``Content-Length`` or chunked).
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, dict[str, str]]:
        """``GET path``: the status and the headers (names in lower case); the body is read and dropped."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)
        }
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if headers.get("connection") == "close":
            self.close()
        return status, headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def worker(base: tuple[str, int], url: str, stop: float, run: Run, timeout: float) -> None:
    conn = Connection(*base)
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        try:
            status, _ = await asyncio.wait_for(conn.get(url), timeout)
        except TimeoutError:
            run.add_error("timeout")
            conn.close()
            continue
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            run.add_error(type(exc).__name__)
            conn.close()
            continue
        if status == 200:
            run.latencies.append(time.perf_counter() - t0)
        else:
            run.add_error(str(status))
    conn.close()


#: Unseen dates for the as_of clients: one new day per request, from 2019-01-01 on.
NEW_DAYS = (date(2019, 1, 1) + timedelta(days=i) for i in itertools.count())


async def as_of_worker(base: tuple[str, int], mal_id: str, statuses: dict[str, int]) -> None:
    """Ask fact sheets for unseen dates until cancelled; count the answers by status."""
    conn = Connection(*base)
    try:
        while True:
            try:
                status, headers = await conn.get(
                    f"/api/v1/anime/{mal_id}?as_of={next(NEW_DAYS).isoformat()}"
                )
                kind = str(status)
                if status in (429, 503):  # the limits answered: wait as told (at most 2 s here)
                    await asyncio.sleep(min(float(headers.get("retry-after", "1")), 2.0))
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                kind = type(exc).__name__
                conn.close()
            statuses[kind] = statuses.get(kind, 0) + 1
    finally:
        conn.close()


async def measure(
    base: tuple[str, int],
    route: str,
    url: str,
    level: int,
    seconds: float,
    timeout: float,
    as_of: tuple[str, int] | None = None,
) -> tuple[Run, dict[str, int]]:
    """``level`` clients on ``url`` for ``seconds``; with ``as_of`` (MAL id, clients), that many more
    clients ask unseen ``as_of`` dates meanwhile (answers by status; one still running is dropped)."""
    run, statuses = Run(route, level), {}
    extra = [
        asyncio.create_task(as_of_worker(base, as_of[0], statuses))
        for _ in range(as_of[1] if as_of else 0)
    ]
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(base, url, t0 + seconds, run, timeout) for _ in range(level)))
    run.seconds = time.perf_counter() - t0
    for task in extra:
        task.cancel()
    await asyncio.gather(*extra, return_exceptions=True)
    return run, statuses


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
    parser.add_argument("--routes", default="health,resolve,anime,forecast,page,health_asof")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--warmup-limit", type=float, default=600.0)
    parser.add_argument("--model-dir", default=str(ROOT / ".scratch" / "models"))
    parser.add_argument(
        "--rebuild", metavar="DATA_DIR", help="rebuild the catalog while health and anime run"
    )
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--as-of-clients",
        type=int,
        default=2,
        help="clients asking unseen as_of dates during the health_asof runs",
    )
    args = parser.parse_args()

    routes = {
        "health": "/api/v1/health",
        "resolve": f"/api/v1/resolve?q={args.title}",
        "anime": f"/api/v1/anime/{args.id}",
        "forecast": f"/api/v1/forecast/{args.id}",
        "page": f"/anime/{args.id}",
        "health_asof": "/api/v1/health",
    }
    chosen = [r.strip() for r in args.routes.split(",")]
    levels = [int(x) for x in args.levels.split(",")]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SEQUELCAST_DB": args.db,
        "SEQUELCAST_MODEL_DIR": args.model_dir,
        "PYTHONPATH": str(ROOT / "src"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sequelcast",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        warm = wait_healthy(base, server, args.warmup_limit)
        for route in chosen:  # one request each: the caches behind every route are filled
            httpx.get(base + routes[route], timeout=args.warmup_limit)
        print(
            f"server ready after {warm:.1f} s ({args.workers} worker(s)); {args.seconds:g} s per route "
            f"and level; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print(HEADER)
        for route in chosen:
            rebuild = None
            if args.rebuild and route in ("health", "anime"):
                rebuild = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "sequelcast",
                        "build",
                        "-q",
                        "--data",
                        args.rebuild,
                        "--db",
                        args.db,
                    ],
                    env=env,
                )
            for level in levels:
                as_of = (args.id, args.as_of_clients) if route == "health_asof" else None
                run, statuses = asyncio.run(
                    measure(
                        ("127.0.0.1", port),
                        route,
                        routes[route],
                        level,
                        args.seconds,
                        args.timeout,
                        as_of,
                    )
                )
                print(
                    run.line()
                    + ("  [during a rebuild]" if rebuild and rebuild.poll() is None else ""),
                    flush=True,
                )
                if as_of:
                    print(
                        f"  (meanwhile {args.as_of_clients} clients asked unseen as_of dates: "
                        + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
                        + ")",
                        flush=True,
                    )
            if rebuild is not None:
                rebuild.wait()
                print(f"  (rebuild exited with {rebuild.returncode})")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a past date still being derived: stop it and its child
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
