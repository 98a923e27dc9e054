"""Fixtures for the franchise tests: real snapshots (integration) built once per session."""

from __future__ import annotations

from datetime import date

import pytest

from sequelcast.asof import snapshot_from_batches
from sequelcast.domain import Batch, Snapshot
from sequelcast.franchise import FranchiseGraph, build_franchises

#: Date of the old MAL snapshot: the backtest as-of date.
AS_OF_2018 = date(2018, 5, 7)


@pytest.fixture(scope="session")
def real_snapshot(real_batches: list[Batch]) -> Snapshot:
    """Everything in ../shared/data (skips when the directory is missing)."""
    return snapshot_from_batches(real_batches, None)


@pytest.fixture(scope="session")
def real_graph(real_snapshot: Snapshot) -> FranchiseGraph:
    return build_franchises(real_snapshot)


@pytest.fixture(scope="session")
def snapshot_2018(real_batches: list[Batch]) -> Snapshot:
    """What the data knew on 2018-05-07."""
    return snapshot_from_batches(real_batches, AS_OF_2018)


@pytest.fixture(scope="session")
def graph_2018(snapshot_2018: Snapshot) -> FranchiseGraph:
    return build_franchises(snapshot_2018)
