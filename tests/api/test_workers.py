"""``sequelcast serve --workers 2`` as a real server: each worker listens on its own socket, takes
connections only once warm, and the kernel spreads keep-alive connections over both workers.

Linux only (the balancing of ``SO_REUSEPORT`` sockets is Linux's; elsewhere uvicorn's workers run).
Which worker holds which connection is read from ``/proc`` (sockets by inode, owners by fd).
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from sequelcast.api._workers import (
    READY_LINE,
    _Server,
    balanced_sockets,
    check_port,
    reuse_port_socket,
)
from sequelcast.api.serve import serve
from sequelcast.errors import ConfigError

pytestmark = pytest.mark.skipif(
    not balanced_sockets(), reason="SO_REUSEPORT spreads connections on Linux only"
)

ROOT = Path(__file__).resolve().parents[2]
LISTEN, ESTABLISHED = "0A", "01"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _socket_inodes(port: int, state: str) -> set[int]:
    """Inodes of the TCP sockets whose local port is ``port``, in ``state`` (/proc/net/tcp)."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                out.add(int(fields[9]))
    return out


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(entry.name))
    return out


def _owners(pids: list[int], inodes: set[int]) -> dict[int, int]:
    """How many of ``inodes`` each of ``pids`` holds open."""
    counts = {}
    for pid in pids:
        held = set()
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:  # gone, or a zombie not yet reaped
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


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    lines: list[str]


@pytest.fixture
def two_workers(tiny_catalog_url: str, tmp_path: Path) -> Iterator[Served]:
    """``sequelcast serve --workers 2`` on a free port, up once it says every worker is ready."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "SEQUELCAST_MODEL_DIR": str(tmp_path / "models"),
    }
    with (tmp_path / "serve.log").open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sequelcast",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--no-access-log",
                "--db",
                tiny_catalog_url,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: [lines.put(x) for x in stdout], daemon=True)
    reader.start()
    seen = []
    try:
        while READY_LINE.format(n=2) not in seen:
            try:
                seen.append(lines.get(timeout=300).strip())
            except queue.Empty:
                pytest.fail(
                    f"not ready within 300 s: {seen}, {(tmp_path / 'serve.log').read_text()}"
                )
        yield Served(proc, port, seen)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        reader.join(30)  # the pipe is at its end once the server has exited
        stdout.close()


def _get(sock: socket.socket, path: str) -> bytes:
    """One keep-alive ``GET``: the status line (the body is read and dropped)."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head.split(b"\r\n", 1)[0]


def test_each_worker_listens_on_its_own_socket_and_takes_connections(two_workers: Served) -> None:
    port = two_workers.port
    workers = _children(two_workers.proc.pid)
    # each worker listens on its own socket: two listening sockets, one per worker
    listening = _owners(workers, _socket_inodes(port, LISTEN))
    assert sorted(n for n in listening.values() if n) == [1, 1], listening
    serving = [pid for pid, n in listening.items() if n]
    # 32 keep-alive connections, all answered; the kernel gives each worker some (the chance
    # that a fair hash puts all 32 on one of the two sockets is 2 in 2**32)
    conns = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(32)]
    try:
        for c in conns:
            assert _get(c, "/api/v1/anime/40938") == b"HTTP/1.1 200 OK"
        held = _owners(serving, _socket_inodes(port, ESTABLISHED))
        assert sum(held.values()) == 32
        assert all(n > 0 for n in held.values()), held
    finally:
        for c in conns:
            c.close()
    # SIGTERM to the supervisor stops both workers and frees the port
    two_workers.proc.send_signal(signal.SIGTERM)
    assert two_workers.proc.wait(60) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in serving)
    assert not _socket_inodes(port, LISTEN)


def test_a_second_server_on_the_same_port_fails_at_once(
    two_workers: Served, tiny_catalog_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEQUELCAST_DB", tiny_catalog_url)  # serve() sets it for its workers
    with pytest.raises(ConfigError, match=rf"--port {two_workers.port}: cannot listen there"):
        serve(host="127.0.0.1", port=two_workers.port, workers=2, db=tiny_catalog_url)
    # and the first one still answers
    with socket.create_connection(("127.0.0.1", two_workers.port), timeout=60) as c:
        assert _get(c, "/api/v1/health") == b"HTTP/1.1 200 OK"


@pytest.mark.parametrize("reuse_port", [False, True])
def test_check_port_refuses_a_port_something_listens_on(reuse_port: bool) -> None:
    port = _free_port()
    check_port("127.0.0.1", port)  # free
    with socket.socket() as other:
        if reuse_port:  # another server's workers: sharing its port would split its traffic
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", port))
        other.listen()
        with pytest.raises(ConfigError, match=rf"--port {port}: cannot listen there"):
            check_port("127.0.0.1", port)


def test_a_dead_worker_is_replaced(two_workers: Served) -> None:
    first = set(_children(two_workers.proc.pid))
    victim = next(
        pid
        for pid, n in _owners(sorted(first), _socket_inodes(two_workers.port, LISTEN)).items()
        if n
    )
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        listening = _owners(
            _children(two_workers.proc.pid), _socket_inodes(two_workers.port, LISTEN)
        )
        if sum(listening.values()) == 2 and victim not in listening:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the killed worker was not replaced by a listening one")
    assert two_workers.proc.poll() is None


def test_a_worker_listens_only_after_its_startup() -> None:
    """What keeps a cold worker from taking traffic: uvicorn listens on the worker's socket after
    the app's startup (the warm-up), and only then is the worker ready. Before, a connection to
    the port is refused (no other socket listens there), not queued for the cold worker."""
    port = _free_port()
    started, release, ready = threading.Event(), threading.Event(), threading.Event()

    async def app(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    started.set()
                    await asyncio.to_thread(release.wait, 60)  # a slow warm-up
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"warm"})

    config = uvicorn.Config(app, lifespan="on", log_level="warning")
    server = _Server(config, ready)  # type: ignore[arg-type]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [reuse_port_socket("127.0.0.1", port)]}
    )
    thread.start()
    try:
        assert started.wait(60)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        assert not ready.is_set()
        release.set()
        assert ready.wait(60)
        with socket.create_connection(("127.0.0.1", port), timeout=60) as c:
            c.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            assert c.recv(65536).startswith(b"HTTP/1.1 200 OK")
    finally:
        release.set()
        server.should_exit = True
        thread.join(60)
