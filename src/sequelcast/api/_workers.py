"""Several uvicorn workers, each listening on its own socket of one port (``SO_REUSEPORT``).

uvicorn's own ``--workers`` binds one socket in the supervisor and hands it to every worker; the
first worker to wake accepts every connection waiting on it (its event loop accepts until the
queue is empty). Clients that keep their connections open (browsers, a reverse proxy, the
benchmarks) therefore often all land on one worker while the other idles: with 8 keep-alive
clients and 2 workers, three runs split them 6/2, 4/4 and 8/0, and in the last the throughput
of two workers was that of one.

Here each worker binds a socket of its own to the same address with ``SO_REUSEPORT`` and the
kernel (Linux) spreads the new connections over the sockets that listen (by a hash of the
client's address and port). A worker's socket listens only after its startup (the app's
lifespan, which loads the title index), so a worker takes no connection before it is warm.
The supervisor (:func:`run_workers`) first checks that nothing listens on the port (a second
server started on the same port fails at once, instead of sharing it), prints one line when every worker listens,
replaces a worker that dies after its startup, stops when a worker fails its startup, and stops
the workers on ``SIGINT``/``SIGTERM``.

On a system other than Linux (no balancing ``SO_REUSEPORT``) ``serve`` keeps uvicorn's workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event
from types import FrameType

import uvicorn

from sequelcast.errors import ConfigError

logger = logging.getLogger("sequelcast.api")

#: Seconds a worker is given to finish its requests after ``SIGTERM`` before it is killed.
STOP_GRACE = 30.0
#: What :func:`run_workers` prints once every worker listens (the benchmarks wait for it).
READY_LINE = "All {n} workers are ready (each listens on its own socket)."


def balanced_sockets() -> bool:
    """Whether the kernel spreads connections over ``SO_REUSEPORT`` sockets (Linux does)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn decides


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``(host, port)`` with ``SO_REUSEPORT``, not yet listening."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def check_port(host: str, port: int) -> None:
    """A clear error now if something listens on ``host:port`` already.

    The check is a plain bind (without ``SO_REUSEPORT``): it also fails when another server's
    ``SO_REUSEPORT`` sockets listen there, which the workers would otherwise silently share the
    port with. A worker that cannot bind later fails its startup, which stops the server.
    """
    try:
        with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigError(
            f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); "
            "is another server running on that port?"
        ) from None


class _Server(uvicorn.Server):
    """uvicorn's server that sets ``ready`` once its socket listens (after the app's startup)."""

    def __init__(self, config: uvicorn.Config, ready: Event) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)  # the lifespan (warm-up) first, then listen()
        if self.started:
            self.ready.set()


@dataclass(frozen=True)
class WorkerSpec:
    """What one worker process runs: the app factory on ``host:port``."""

    factory: str
    host: str
    port: int
    access_log: bool


def worker_main(spec: WorkerSpec, ready: Event) -> None:
    """The body of one worker process: bind its own socket, warm the app, then listen."""
    sock = reuse_port_socket(spec.host, spec.port)
    config = uvicorn.Config(
        spec.factory,
        factory=True,
        host=spec.host,
        port=spec.port,
        log_level="info",
        access_log=spec.access_log,
    )
    _Server(config, ready).run(sockets=[sock])


@dataclass
class _Worker:
    process: SpawnProcess
    ready: Event


class Supervisor:
    """Start ``n`` workers of ``spec`` and keep them running until :meth:`stop` (see the module)."""

    def __init__(self, spec: WorkerSpec, n: int) -> None:
        self.spec, self.n = spec, n
        self.context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self.workers: list[_Worker] = []
        self.stopping = threading.Event()
        self.failed: str | None = None

    def _start(self) -> _Worker:
        ready = self.context.Event()
        process = self.context.Process(
            target=worker_main, args=(self.spec, ready), name="sequelcast-worker"
        )
        process.start()
        return _Worker(process, ready)

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def _check(self, index: int) -> None:
        worker = self.workers[index]
        code = worker.process.exitcode
        if code is None or self.stopping.is_set():
            return
        if not worker.ready.is_set():
            self.failed = f"worker {worker.process.pid} exited with code {code} before it was ready"
            self.stopping.set()
            return
        logger.warning("worker %s exited with code %s; starting another", worker.process.pid, code)
        self.workers[index] = self._start()

    def run(self, poll: float = 0.2) -> None:
        """Run until :meth:`stop`; raise :class:`ConfigError` if a worker fails its startup."""
        self.workers = [self._start() for _ in range(self.n)]
        announced = False
        try:
            while not self.stopping.wait(poll):
                for index in range(len(self.workers)):
                    self._check(index)
                if not announced and all(w.ready.is_set() for w in self.workers):
                    print(READY_LINE.format(n=self.n), flush=True)
                    announced = True
        finally:
            self._stop_all()
        if self.failed:
            raise ConfigError(f"the server stopped: {self.failed} (see its log above)")

    def _stop_all(self) -> None:
        for worker in self.workers:
            if worker.process.exitcode is None:
                worker.process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for worker in self.workers:
            worker.process.join(STOP_GRACE)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()


def run_workers(spec: WorkerSpec, n: int) -> None:
    """Serve ``spec`` from ``n`` worker processes until ``SIGINT`` or ``SIGTERM`` (see the module)."""
    check_port(spec.host, spec.port)
    supervisor = Supervisor(spec, n)
    previous = {
        sig: signal.signal(sig, _stopper(supervisor)) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        supervisor.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stopper(supervisor: Supervisor) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        supervisor.stop()

    return handler


__all__ = [
    "READY_LINE",
    "Supervisor",
    "WorkerSpec",
    "balanced_sockets",
    "check_port",
    "reuse_port_socket",
    "run_workers",
    "worker_main",
]
