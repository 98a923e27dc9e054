"""The title index and its answers, built in a forked child or in the build's own process."""

from __future__ import annotations

import pickle
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


def test_the_child_answers_as_the_build_process_would(tiny_data: Path) -> None:
    snap, graph = _inputs(tiny_data)
    blob, answers = _ForkedJob.start(_titles, snap, graph).result()
    here_blob, here_answers = _titles(snap, graph)
    assert answers == here_answers
    assert len(answers) > 10
    assert any(a["mal_id"] is not None for a in answers)
    index, here = pickle.loads(blob), pickle.loads(here_blob)
    assert len(index) == len(here)


def test_a_child_that_does_not_answer_in_time_is_replaced_by_this_process(tiny_data: Path) -> None:
    snap, graph = _inputs(tiny_data)
    job = _ForkedJob.start(_titles, snap, graph, timeout=0.0)
    blob, answers = job.result()
    assert answers == _titles(snap, graph)[1]
    assert not job._child.is_alive()


def _boom(x: int) -> int:
    if x < 0:
        raise ValueError("negative")
    return x * 2


def test_a_child_that_fails_is_redone_here_and_the_error_is_raised_here() -> None:
    assert _ForkedJob.start(_boom, 21).result() == 42
    with pytest.raises(ValueError, match="negative"):
        _ForkedJob.start(_boom, -1).result()
