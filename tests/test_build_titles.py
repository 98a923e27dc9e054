"""Build jobs: the title index with its answers, on a thread or in a process of its own."""

from __future__ import annotations

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
from sequelcast.service._build import _Job, _title_inputs, _titles, _titles_in_process
from sequelcast.sources import load_batches


def _inputs(tiny_data: Path) -> TitleInputs:
    admitted = admit(merge_batches(load_batches(tiny_data), source="all", location="tiny"), None)
    snap = assemble(admitted, end_of_data(admitted))
    return _title_inputs(snap, build_franchises(snap))


def test_the_title_process_gives_what_the_build_process_would(tiny_data: Path) -> None:
    inputs = _inputs(tiny_data)
    blob, answers, info = _titles_in_process(inputs)
    here_blob, here = index_and_answers(inputs)
    assert info["where"] == "process"
    assert info["peak_mb"] is None or 5 < info["peak_mb"] < 1000
    assert answers == here
    assert len(answers) > 10
    assert any(a["mal_id"] is None for a in answers) or all(a["mal_id"] for a in answers)
    assert pickle.loads(blob).n_titles == pickle.loads(here_blob).n_titles == len(inputs.records)


def test_builds_with_and_without_the_title_process_store_the_same_answers(
    tiny_data: Path, tmp_path: Path
) -> None:
    stored = []
    for in_process in (True, False):
        url = f"sqlite:///{tmp_path / f'{in_process}.db'}"
        with open_catalog(url) as cat:
            report = build_catalog(cat, tiny_data, forecasts=False, title_process=in_process)
            assert report.counts["title_index"]["where"] == ("process" if in_process else "thread")
            stored.append(
                sorted(
                    (k, cat.title_answer(k)[1])
                    for k in (r["key"] for r in index_and_answers(_inputs(tiny_data))[1])
                )
            )
    assert stored[0] == stored[1]
    assert len(stored[0]) > 10


def test_a_title_process_that_fails_is_replaced_by_the_job_here() -> None:
    # inputs no index can be built from fail in the child (a non-zero exit): the job is then
    # done here, which raises the same error to the caller, after a warning naming the fallback
    bad = TitleInputs([TitleRecord(1, "Toradora!", "main")], popularity={1: "many"})  # type: ignore[dict-item]
    with pytest.warns(UserWarning, match="title index built in the build's process: TypeError"):
        with pytest.raises(TypeError):
            _titles(bad, in_process=True)


def test_the_title_process_runs_the_installed_interpreter() -> None:
    # the child is `sys.executable -c "...import main; main()"`: no module re-run, so a
    # script calling build_catalog needs no `if __name__ == "__main__"` guard
    assert Path(sys.executable).exists()
    blob, answers, _ = _titles_in_process(TitleInputs([TitleRecord(5, "Toradora!", "main")]))
    assert {"key": "=toradora!", "mal_id": 5} in answers
    assert pickle.loads(blob).n_titles == 1


def _boom(x: int) -> int:
    if x < 0:
        raise ValueError("negative")
    return x * 2


def test_a_failing_job_raises_its_error_to_the_caller() -> None:
    assert _Job.start(_boom, 21).result() == 42
    with pytest.raises(ValueError, match="negative"):
        _Job.start(_boom, -1).result()


def test_the_title_process_refuses_what_is_not_title_inputs() -> None:
    run = "from sequelcast._title_process import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", run], input=pickle.dumps(42), capture_output=True, check=False
    )
    assert done.returncode != 0
    assert b"expected pickled TitleInputs on stdin, got int" in done.stderr
