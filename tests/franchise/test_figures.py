"""Integration: the figures of docs/franchises.md ("Measured accuracy"), with floors at what is
reached (``scripts/franchise_figures.py`` prints the same figures)."""

from __future__ import annotations

from datetime import date

import pytest

from sequelcast.asof import snapshot_from_batches
from sequelcast.domain import Batch, Snapshot
from sequelcast.franchise import FranchiseGraph, build_franchises
from sequelcast.franchise.evaluate import evaluate_status, evaluate_typed_holdout

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: Next-season status accuracy, both dates (target of issue 8: >= 98%).
MIN_STATUS_ACCURACY = 0.98
#: Unconfirmed "announced" claims: the 2% target is met as of 2020-12-31; as of 2018-05-07 five
#: claims remain that nothing in the data of that date tells apart (docs/franchises.md).
MAX_UNCONFIRMED = {date(2018, 5, 7): 0.16, date(2020, 12, 31): 0.02}
#: Main-line links against the typed relations of 20% of franchises held out of the build.
MIN_HOLDOUT_PRECISION = 0.9
MIN_HOLDOUT_RECALL = 0.6


@pytest.mark.parametrize("day", sorted(MAX_UNCONFIRMED))
def test_status_accuracy_and_unconfirmed_claims(
    day: date, real_batches: list[Batch], real_graph: FranchiseGraph
) -> None:
    then = build_franchises(snapshot_from_batches(real_batches, day))
    report = evaluate_status(real_graph, then, day)
    print(report.summary(), *report.unconfirmed_claims, sep="\n    ")
    assert report.accuracy >= MIN_STATUS_ACCURACY, report.errors
    assert report.unconfirmed_rate <= MAX_UNCONFIRMED[day], report.unconfirmed_claims
    assert report.announced >= 30  # the rate is over enough claims to mean something


def test_typed_holdout_precision_and_recall(real_snapshot: Snapshot) -> None:
    report = evaluate_typed_holdout(real_snapshot)
    print(report.summary())
    assert report.score.precision >= MIN_HOLDOUT_PRECISION, report.score.false_positives
    assert report.score.recall >= MIN_HOLDOUT_RECALL, report.score.missed
