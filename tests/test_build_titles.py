"""Build jobs beside the build: in a forked child (a process with one thread) or on a thread."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sequelcast.asof import admit, assemble, end_of_data
from sequelcast.domain import merge_batches
from sequelcast.franchise import build_franchises
from sequelcast.service._build import _ForkedJob, _titles
from sequelcast.sources import load_batches


def _inputs(tiny_data: Path):  # type: ignore[no-untyped-def]
    admitted = admit(merge_batches(load_batches(tiny_data), source="all", location="tiny"), None)
    snap = assemble(admitted, end_of_data(admitted))
    return snap, build_franchises(snap)


_CHILD_SCRIPT = """
import json, sys, threading
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_build_titles import _inputs
from sequelcast.service._build import _ForkedJob, _titles
snap, graph = _inputs(Path(sys.argv[1]))
threads = threading.active_count()
job = _ForkedJob.start(_titles, snap, graph)
late = _ForkedJob.start(_titles, snap, graph, timeout=0.0)
blob, answers = job.result()
_, late_answers = late.result()
here_blob, here = _titles(snap, graph)
print(json.dumps({"threads": threads, "forked": [job.forked, late.forked],
                  "same": answers == here, "late_same": late_answers == here,
                  "late_alive": late._child.is_alive(), "n": len(answers),
                  "index_same": len(pickle.loads(blob)) == len(pickle.loads(here_blob))}))
"""


def test_a_one_thread_process_forks_and_gets_the_same_answers(tiny_data: Path) -> None:
    script = "import pickle\n" + _CHILD_SCRIPT
    out = subprocess.run(
        [sys.executable, "-c", script, str(tiny_data), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["threads"] == 1
    assert got["forked"] == [True, True]
    assert got["same"] is True
    assert got["index_same"] is True
    assert got["n"] > 10
    # a child that does not answer in time is killed and its work is redone here
    assert got["late_same"] is True
    assert got["late_alive"] is False


def test_a_process_running_another_thread_never_forks(tiny_data: Path) -> None:
    snap, graph = _inputs(tiny_data)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        job = _ForkedJob.start(_titles, snap, graph)
        assert job.forked is False
        assert job.result()[1] == _titles(snap, graph)[1]
    finally:
        stop.set()
        other.join()


def _boom(x: int) -> int:
    if x < 0:
        raise ValueError("negative")
    return x * 2


def test_a_failing_job_raises_its_error_to_the_caller() -> None:
    assert _ForkedJob.start(_boom, 21).result() == 42
    with pytest.raises(ValueError, match="negative"):
        _ForkedJob.start(_boom, -1).result()
