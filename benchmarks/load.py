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
import multiprocessing
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
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


#: What ``sequelcast serve --workers N`` (N > 1) prints once every worker listens (each worker
#: listens only after its warm-up; a run started before that would give every connection to the
#: first worker ready).
READY = "workers are ready"


class Serving:
    """``sequelcast serve --no-access-log --workers N`` on a free port; :meth:`wait` returns once
    ``/health`` answers and, with several workers, every one of them listens."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port, self.workers = free_port(), workers
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sequelcast",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--no-access-log",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if READY.encode() in line:
                self.ready.set()

    def wait(self, limit: float) -> float:
        t0 = time.perf_counter()
        wait_healthy(self.base, self.proc, limit)
        if self.workers > 1 and not self.ready.wait(max(limit - (time.perf_counter() - t0), 1)):
            raise SystemExit(f"the {self.workers} workers were not all ready within {limit:.0f} s")
        return time.perf_counter() - t0

    def worker_pids(self) -> list[int]:
        """The processes that listen on the port (the server itself with one worker)."""
        listening = socket_inodes(self.port, LISTEN)
        return [p for p, n in owners(descendants(self.proc.pid), listening).items() if n] or [
            self.proc.pid
        ]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a past date still being derived: stop it and its child
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


LISTEN, ESTABLISHED = "0A", "01"


def socket_inodes(port: int, state: str) -> set[int]:
    """Inodes of the TCP sockets on local ``port`` in ``state`` (Linux's /proc/net/tcp)."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == state:
                out.add(int(f[9]))
    return out


def descendants(pid: int) -> list[int]:
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out += [int(proc.name), *descendants(int(proc.name))]
    return out


def owners(pids: list[int], inodes: set[int]) -> dict[int, int]:
    """How many of ``inodes`` each of ``pids`` holds open."""
    counts = {}
    for pid in pids:
        held = set()
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            fds = []
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                held.add(int(target[8:-1]))
        counts[pid] = len(held & inodes)
    return counts


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (its threads included)."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def client_process(
    port: int, url: str, conns: int, start_at: float, seconds: float, timeout: float
) -> tuple[list[float], int, float]:
    """One client process: ``conns`` keep-alive clients on ``url`` from ``start_at`` (epoch seconds)
    for ``seconds``. Returns the latencies of the 200s, the errors and this process's CPU seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    run = Run("tp", conns)

    async def go() -> None:
        await asyncio.sleep(max(start_at - time.time(), 0))
        stop = time.perf_counter() + seconds
        await asyncio.gather(
            *(worker(("127.0.0.1", port), url, stop, run, timeout) for _ in range(conns))
        )

    asyncio.run(go())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return run.latencies, run.errors, usage.ru_utime + usage.ru_stime - cpu0


@dataclass
class Throughput:
    """One closed-loop run against one server."""

    workers: int
    rate: float
    p50: float
    p99: float
    errors: int
    server_cpu: list[float]
    client_cpu: float
    seconds: float
    connections: list[int]
    load: tuple[float, float]

    @property
    def per_cpu_second(self) -> float:
        return self.rate * self.seconds / max(sum(self.server_cpu), 1e-9)

    def line(self, k: int) -> str:
        return (
            f"workers {self.workers} run {k}: {self.rate:7.1f} req/s  p50 {self.p50:5.1f} ms  "
            f"p99 {self.p99:6.1f} ms  errors {self.errors}  server CPU "
            f"{sum(self.server_cpu):5.2f} s ({sum(self.server_cpu) / self.seconds:.2f} cores; per "
            f"worker {', '.join(f'{c:.2f}' for c in self.server_cpu)})  "
            f"{self.per_cpu_second:5.0f} req per server CPU-s  client CPU {self.client_cpu:.2f} s "
            f"({self.client_cpu / self.seconds:.2f} cores)  connections per worker "
            f"{self.connections}  load {self.load[0]:.1f} -> {self.load[1]:.1f}"
        )


def throughput_run(
    server: Serving,
    url: str,
    clients: int,
    procs: int,
    seconds: float,
    timeout: float,
    pool: ProcessPoolExecutor,
) -> Throughput:
    """``clients`` keep-alive clients spread over ``procs`` client processes, for ``seconds``."""
    pids = server.worker_pids()
    seen: list[int] = []

    def count_connections() -> None:  # halfway through: the established sockets of each worker
        time.sleep(1.0 + seconds / 2)
        held = owners(pids, socket_inodes(server.port, ESTABLISHED))
        seen.extend(held[p] for p in pids)

    load0 = os.getloadavg()[0]
    cpu0 = [cpu_seconds(p) for p in pids]
    start_at = time.time() + 1.0  # every client process starts at once
    spy = threading.Thread(target=count_connections)
    spy.start()
    shares = [clients // procs + (i < clients % procs) for i in range(procs)]
    futures = [
        pool.submit(client_process, server.port, url, n, start_at, seconds, timeout)
        for n in shares
        if n
    ]
    results = [f.result() for f in futures]
    cpu1 = [cpu_seconds(p) for p in pids]
    spy.join()
    lat = sorted(x for r in results for x in r[0])

    def pct(q: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")

    return Throughput(
        workers=server.workers,
        rate=len(lat) / seconds,
        p50=pct(0.5),
        p99=pct(0.99),
        errors=sum(r[1] for r in results),
        server_cpu=[b - a for a, b in zip(cpu0, cpu1, strict=True)],
        client_cpu=sum(r[2] for r in results),
        seconds=seconds,
        connections=seen,
        load=(load0, os.getloadavg()[0]),
    )


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} (min {min(values):.0f}, max {max(values):.0f})"


def compare_workers(args: argparse.Namespace, env: dict[str, str], url: str) -> None:
    """Closed-loop throughput of ``url`` with each worker count, ``--repeats`` runs each."""
    counts = [int(x) for x in args.compare_workers.split(",")]
    runs: dict[int, list[Throughput]] = {}
    print(
        f"closed loop: {args.clients} keep-alive clients in {args.client_procs} client "
        f"process(es), {args.seconds:g} s per run, {args.repeats} runs per worker count, {url}; "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.client_procs, mp_context=ctx) as pool:
        list(pool.map(time.sleep, [0.0] * args.client_procs))  # the client processes start now
        for n in counts:
            server = Serving(env, n)
            try:
                ready = server.wait(args.warmup_limit)
                httpx.get(server.base + url, timeout=args.warmup_limit)
                print(f"{n} worker(s) ready after {ready:.1f} s", flush=True)
                for k in range(1, args.repeats + 1):
                    run = throughput_run(
                        server,
                        url,
                        args.clients,
                        args.client_procs,
                        args.seconds,
                        args.timeout,
                        pool,
                    )
                    runs.setdefault(n, []).append(run)
                    print(run.line(k), flush=True)
            finally:
                server.stop()
    for n, rs in runs.items():
        print(
            f"workers {n}: req/s {spread([r.rate for r in rs])}; req per server CPU-s "
            f"{spread([r.per_cpu_second for r in rs])}; server cores "
            f"{statistics.median(sum(r.server_cpu) / r.seconds for r in rs):.2f}, client cores "
            f"{statistics.median(r.client_cpu / r.seconds for r in rs):.2f} (medians)"
        )
    if len(runs) > 1:
        first, last = counts[0], counts[-1]
        ratio = statistics.median(r.rate for r in runs[last]) / statistics.median(
            r.rate for r in runs[first]
        )
        print(f"median req/s with {last} workers / with {first}: {ratio:.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


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
    parser.add_argument(
        "--compare-workers",
        metavar="N,M",
        help="instead: closed-loop throughput of the first of --routes with each worker count",
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per worker count")
    parser.add_argument("--clients", type=int, default=8, help="keep-alive clients (closed loop)")
    parser.add_argument(
        "--client-procs", type=int, default=2, help="client processes the clients are spread over"
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
    env = {
        **os.environ,
        "SEQUELCAST_DB": args.db,
        "SEQUELCAST_MODEL_DIR": args.model_dir,
        "PYTHONPATH": str(ROOT / "src"),
    }
    if args.compare_workers:
        compare_workers(args, env, routes[chosen[0]])
        return
    server = Serving(env, args.workers)
    port, base = server.port, server.base
    try:
        warm = server.wait(args.warmup_limit)
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
        server.stop()
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
