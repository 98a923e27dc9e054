"""How a build runs: the cycle collector paused; the title index with its answers in a process of its own (:mod:`sequelcast._worker`)
or on a thread, with the same results; the forecast stage on a thread."""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from sequelcast.asof import admit, assemble, end_of_data
from sequelcast.catalog import open_catalog
from sequelcast.domain import TitleRecord, merge_batches
from sequelcast.franchise import build_franchises
from sequelcast.resolve.answers import TitleInputs, index_and_answers
from sequelcast.service import build_catalog
from sequelcast.service._build import _Job, _Process, _run, _title_inputs, _Workers
from sequelcast.sources import load_batches


def _inputs(tiny_data: Path) -> TitleInputs:
    admitted = admit(merge_batches(load_batches(tiny_data), source="all", location="tiny"), None)
    snap = assemble(admitted, end_of_data(admitted))
    return _title_inputs(snap, build_franchises(snap))


def test_the_title_process_gives_what_the_build_process_would(tiny_data: Path) -> None:
    inputs = _inputs(tiny_data)
    with _Workers(processes=True) as workers:
        (blob, answers), info = workers.start("title index", index_and_answers, inputs).result()
    here_blob, here = index_and_answers(inputs)
    assert info["where"] == "process"
    assert info["peak_mb"] is None or 5 < info["peak_mb"] < 1000
    assert answers == here  # the same answers in the same order (no set order in a new process)
    assert len(answers) > 10
    assert pickle.loads(blob).n_titles == pickle.loads(here_blob).n_titles == len(inputs.records)


def test_builds_in_processes_and_on_threads_store_the_same_catalog(
    tiny_data: Path, tmp_path: Path
) -> None:
    stored = []
    keys = [r["key"] for r in index_and_answers(_inputs(tiny_data))[1]]
    for processes in (True, False):
        with open_catalog(f"sqlite:///{tmp_path / f'{processes}.db'}") as cat:
            report = build_catalog(cat, tiny_data, processes=processes)
            where = "process" if processes else "thread"
            assert report.counts["title_index"]["where"] == where
            assert report.counts["forecast"]["job"]["where"] == "thread"
            assert report.counts["forecast"]["fitted"], report.counts["forecast"]
            forecasts = cat.stored_forecasts()
            stored.append((sorted((k, cat.title_answer(k)[1]) for k in keys), forecasts))
    assert stored[0] == stored[1]
    assert len(stored[0][0]) > 10
    assert stored[0][1], "the tiny catalog has waiting shows with forecasts"


def test_a_job_whose_process_fails_runs_again_here() -> None:
    # inputs no index can be built from fail in the process (a non-zero exit, the error on its
    # stderr): the job is then run here, which raises the same error to the caller
    bad = TitleInputs([TitleRecord(1, "Toradora!", "main")], popularity={1: "many"})  # type: ignore[dict-item]
    proc = _Process(("sequelcast.resolve.answers",))
    with pytest.warns(UserWarning, match="title index ran again on a thread: .*TypeError"):
        with pytest.raises(TypeError):
            _run("title index", proc, index_and_answers, (bad,))


def test_a_job_whose_process_succeeds_reports_it() -> None:
    proc = _Process(())
    (blob, answers), info = _run(
        "title index",
        proc,
        index_and_answers,
        (TitleInputs([TitleRecord(5, "Toradora!", "main")]),),
    )
    assert {"key": "=toradora!", "mal_id": 5} in answers
    assert pickle.loads(blob).n_titles == 1
    assert info["where"] == "process"


def test_processes_not_given_a_job_are_stopped() -> None:
    with _Workers(processes=True) as workers:
        procs = list(workers._procs.values())
        assert len(procs) == 1
    assert all(p._popen.returncode is not None for p in procs)


def test_without_processes_the_jobs_run_on_threads() -> None:
    with _Workers(processes=False) as workers:
        assert workers._procs == {}
        result, info = workers.start("title index", sorted, [3, 1, 2]).result()
    assert (result, info["where"]) == ([1, 2, 3], "thread")


def test_the_worker_refuses_what_is_not_a_job() -> None:
    run = "from sequelcast._worker import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", run], input=pickle.dumps(42), capture_output=True, check=False
    )
    assert done.returncode != 0
    assert b"expected a pickled (function, args) on stdin, got int" in done.stderr


def _boom(x: int) -> int:
    if x < 0:
        raise ValueError("negative")
    return x * 2


def test_a_failing_job_raises_its_error_to_the_caller() -> None:
    assert _Job.start(_boom, 21).result() == 42
    with pytest.raises(ValueError, match="negative"):
        _Job.start(_boom, -1).result()


def test_the_cycle_collector_is_paused_during_a_build_only(tiny_data: Path, tmp_path: Path) -> None:
    seen = []
    with open_catalog(f"sqlite:///{tmp_path / 'gc.db'}") as cat:
        assert gc.isenabled()
        build_catalog(
            cat, tiny_data, forecasts=False, progress=lambda *_: seen.append(gc.isenabled())
        )
        assert gc.isenabled()
        gc.disable()
        try:  # a caller that turned it off keeps it off
            build_catalog(cat, tiny_data, forecasts=False)
            assert not gc.isenabled()
        finally:
            gc.enable()
    assert seen
    assert not any(seen)
