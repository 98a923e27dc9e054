"""Source material on the whole real data: Higehiro, precision on the hand-checked sample, coverage.

Run with ``-s`` to print the figures quoted in docs/source_material.md (or ``python scripts/source_links.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sequelcast.asof import admit, assemble
from sequelcast.domain import merge_batches
from sequelcast.source_material import collect_works, link_sources
from sequelcast.source_material.evaluate import coverage, parse_checked, precision
from sequelcast.sources import load_batches

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHECKED = Path(__file__).resolve().parents[1] / "fixtures" / "source_links_checked.csv"


@pytest.fixture(scope="module")
def real(shared_data: Path):  # type: ignore[no-untyped-def]
    merged = merge_batches(load_batches(shared_data), "all", "all")
    admitted = admit(merged, None)
    snap = assemble(admitted, None)
    links = link_sources(
        snap.entries, collect_works(admitted.manga, admitted.novels), admitted.relations
    )
    return merged, snap, links


def test_higehiro_source(real) -> None:  # type: ignore[no-untyped-def]
    merged, snap, links = real
    assert links[40938].work.work_id == 116201
    f = snap.source_features[40938]
    assert (f.kind, f.work_id, f.volumes, f.finished, f.end) == (
        "light_novel",
        116201,
        5,
        True,
        date(2021, 6, 1),
    )
    assert f.summary == "light novel, 5 volumes, finished June 2021: little left to adapt"
    airing = assemble(admit(merged, date(2021, 5, 31)), date(2021, 5, 31)).source_features.get(
        40938
    )
    assert airing is None or (airing.finished, airing.volumes) != (True, 5)  # not finished yet then


def test_precision_and_coverage(real) -> None:  # type: ignore[no-untyped-def]
    _merged, snap, links = real
    p = precision(links, parse_checked(CHECKED.read_text(encoding="utf-8")))
    cov = coverage(snap.entries, links)
    print(f"\nprecision {p.correct}/{p.still_made} = {p.value:.1%}")
    for kind, (n, k) in sorted(cov.items()):
        print(f"coverage {kind}: {k}/{n} = {k / n:.1%}")
    assert p.checked >= 100
    assert p.still_made >= 100
    assert p.value >= 0.95
    assert cov["light_novel"][1] / cov["light_novel"][0] >= 0.85
    assert cov["manga"][1] / cov["manga"][0] >= 0.60


def test_real_files_load_without_rejects(real) -> None:  # type: ignore[no-untyped-def]
    merged, _snap, _links = real
    by_source = {r.source for r in merged.rejects}
    assert not by_source & {
        "mal_manga_2024",
        "mal_lightnovels_2024",
        "novelupdates_2020",
        "anilist_manga_2026",
    }
    assert len([m for m in merged.manga if m.source == "mal_manga_2024"]) == 19057
    assert len([m for m in merged.manga if m.source == "mal_lightnovels_2024"]) == 7600
    assert len(merged.novels) == 6538
    assert len(merged.manga_id_links) == 79100 - 24521
