"""Franchises: every show's main-line seasons in order, and whether the next one is coming.

Pure code: it reads a :class:`~sequelcast.domain.Snapshot` and does no I/O. The definitions
(main-line season, split cour, "next season"), the precedence of the evidence and the measured
accuracy are in ``docs/franchises.md``.

>>> from sequelcast.domain import Anime, Snapshot
>>> graph = build_franchises(Snapshot(as_of=None, entries={7: Anime(7, "Solo", type="TV")}))
>>> graph.of(7).title
'Solo'
"""

from __future__ import annotations

from sequelcast.franchise._build import EVIDENCE_KINDS, build_franchises, number_seasons
from sequelcast.franchise._model import (
    Entry,
    Franchise,
    FranchiseGraph,
    Link,
    Transition,
    latest_status,
    season_state,
)

__all__ = [
    "EVIDENCE_KINDS",
    "Entry",
    "Franchise",
    "FranchiseGraph",
    "Link",
    "Transition",
    "build_franchises",
    "latest_status",
    "number_seasons",
    "season_state",
]
