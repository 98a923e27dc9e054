"""Build jobs run on a thread beside the build."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sequelcast.asof import admit, assemble, end_of_data
from sequelcast.domain import merge_batches
from sequelcast.franchise import build_franchises
from sequelcast.service._build import _Job, _titles
from sequelcast.sources import load_batches


def _inputs(tiny_data: Path):  # type: ignore[no-untyped-def]
    admitted = admit(merge_batches(load_batches(tiny_data), source="all", location="tiny"), None)
    snap = assemble(admitted, end_of_data(admitted))
    return snap, build_franchises(snap)


def test_the_title_job_gives_what_the_build_process_would(tiny_data: Path) -> None:
    snap, graph = _inputs(tiny_data)
    blob, answers = _Job.start(_titles, snap, graph).result()
    here_blob, here = _titles(snap, graph)
    assert answers == here
    assert len(answers) > 10
    assert len(pickle.loads(blob)) == len(pickle.loads(here_blob))


def _boom(x: int) -> int:
    if x < 0:
        raise ValueError("negative")
    return x * 2


def test_a_failing_job_raises_its_error_to_the_caller() -> None:
    assert _Job.start(_boom, 21).result() == 42
    with pytest.raises(ValueError, match="negative"):
        _Job.start(_boom, -1).result()
