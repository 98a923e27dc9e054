"""Two overlapping builds: the second says "another build is running", never a raw database error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from sequelcast.catalog import Catalog, open_catalog
from sequelcast.catalog import schema as s
from sequelcast.catalog.lock import STALE_AFTER, acquire, build_lock, holder, release
from sequelcast.cli import app
from sequelcast.errors import BuildLockedError
from sequelcast.service import build_catalog

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout)


def _put_lock(catalog: Catalog, host: str, pid: int, started_at: datetime) -> None:
    with catalog.engine.begin() as conn:
        conn.execute(
            insert(s.build_lock).values(
                id=1, token="x" * 32, host=host, pid=pid, started_at=started_at
            )
        )


def test_a_build_while_another_holds_the_lock_is_refused(catalog: Catalog, tiny_data: Path) -> None:
    with build_lock(catalog):
        with pytest.raises(BuildLockedError, match=r"another build is running .*process \d+ on"):
            build_catalog(catalog, tiny_data)
    assert holder(catalog) is None
    assert build_catalog(catalog, tiny_data).build_id > 0


def test_the_lock_is_released_when_a_build_fails(catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no such directory"):
        build_catalog(catalog, tmp_path / "missing")
    assert holder(catalog) is None


def test_racing_threads_get_the_lock_exactly_once(catalog: Catalog) -> None:
    barrier = threading.Barrier(6)
    won: list[str] = []
    lost: list[BaseException] = []

    def contend() -> None:
        barrier.wait()
        try:
            won.append(acquire(catalog))
        except BuildLockedError as exc:
            lost.append(exc)

    threads = [threading.Thread(target=contend) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(won) == 1
    assert len(lost) == 5
    assert all("another build is running" in str(e) for e in lost)
    release(catalog, won[0])


def test_a_lock_left_by_a_dead_process_on_this_host_is_taken_over(
    catalog: Catalog, tiny_data: Path
) -> None:
    _put_lock(catalog, socket.gethostname(), _dead_pid(), datetime.now())
    assert build_catalog(catalog, tiny_data).build_id > 0
    assert holder(catalog) is None


def test_a_live_lock_of_another_host_holds_until_it_is_stale(
    catalog: Catalog, tiny_data: Path
) -> None:
    _put_lock(catalog, "elsewhere.example", os.getpid(), datetime.now())
    with pytest.raises(BuildLockedError, match="elsewhere.example"):
        build_catalog(catalog, tiny_data)
    with catalog.engine.begin() as conn:
        conn.execute(
            s.build_lock.update().values(
                started_at=datetime.now() - STALE_AFTER - timedelta(minutes=1)
            )
        )
    assert build_catalog(catalog, tiny_data).build_id > 0


def test_two_processes_the_second_build_says_another_build_is_running(
    catalog_url: str, tiny_data: Path, tmp_path: Path
) -> None:
    """A real second process holds the lock (as a running build does); the CLI build is refused."""
    open_catalog(catalog_url).close()
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    script = (
        "import sys, time, pathlib\n"
        "from sequelcast.catalog import open_catalog\n"
        "from sequelcast.catalog.lock import build_lock\n"
        "cat = open_catalog(sys.argv[1])\n"
        "with build_lock(cat):\n"
        "    pathlib.Path(sys.argv[2]).touch()\n"
        "    while not pathlib.Path(sys.argv[3]).exists():\n"
        "        time.sleep(0.05)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, catalog_url, str(ready), str(stop)], env=env
    )
    try:
        for _ in range(600):
            if ready.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), "the lock-holding process did not start"
        result = runner.invoke(app, ["build", "--data", str(tiny_data), "--db", catalog_url, "-q"])
        assert result.exit_code == 1
        assert "another build is running" in result.output
        assert f"process {proc.pid}" in result.output
        assert "Traceback" not in result.output
        assert "sqlalchemy" not in result.output.lower()
    finally:
        stop.touch()
        proc.wait(timeout=60)
    result = runner.invoke(app, ["build", "--data", str(tiny_data), "--db", catalog_url, "-q"])
    assert result.exit_code == 0, result.output


def test_sqlite_write_lock_held_by_a_build_is_another_build_running(tmp_path: Path) -> None:
    """While a build's write transaction holds SQLite's lock, taking the lock row says so."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with open_catalog(url) as first, open_catalog(url) as second:
        second.engine.dispose()
        with first.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM watchlist")  # holds the write lock until commit
            with pytest.raises(BuildLockedError, match="another build is running"):
                acquire(second)
