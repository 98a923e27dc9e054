"""How good are the "A is followed by B" links? Precision and recall against two references.

- :func:`evaluate_against_erengy`: the erengy rules are an input of the graph, so the graph is
  rebuilt *without* them and the other evidence (TVDB lists, titles, collections) is scored
  against them.
- :func:`evaluate_handchecked`: a hand-checked list of franchises, each its main-line TV seasons
  in order (``tests/franchise/test_handchecked.py``).

A reference only knows about some entries, so a predicted pair is judged only when the reference
says something about it: its first entry has a successor in the reference, or its second entry
a predecessor. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sequelcast.domain import Snapshot
from sequelcast.errors import NotFoundError
from sequelcast.franchise._build import EVIDENCE_KINDS, build_franchises
from sequelcast.franchise._links import erengy_links
from sequelcast.franchise._model import FranchiseGraph
from sequelcast.franchise._nodes import build_nodes

Pair = tuple[int, int]


@dataclass(frozen=True)
class LinkScore:
    """Precision and recall of predicted ``(A, B)`` pairs ("B is the season after A").

    Attributes
    ----------
    precision : float
        Judged predicted pairs that are in the reference, over all judged predicted pairs
        (1.0 when nothing was judged).
    recall : float
        Reference pairs that were predicted, over all reference pairs (1.0 when empty).
    true_positives : int
        Pairs both predicted and in the reference.
    false_positives : list of tuple
        Judged predicted pairs not in the reference.
    missed : list of tuple
        Reference pairs not predicted.
    """

    precision: float
    recall: float
    true_positives: int
    false_positives: list[Pair] = field(default_factory=list)
    missed: list[Pair] = field(default_factory=list)

    def summary(self) -> str:
        """One line: ``precision 0.95 (tp/judged), recall 0.90 (tp/expected)``."""
        judged = self.true_positives + len(self.false_positives)
        expected = self.true_positives + len(self.missed)
        return (
            f"precision {self.precision:.3f} ({self.true_positives}/{judged}), "
            f"recall {self.recall:.3f} ({self.true_positives}/{expected})"
        )


def score_links(predicted: set[Pair], reference: set[Pair]) -> LinkScore:
    """Score predicted pairs against a partial reference.

    Examples
    --------
    >>> s = score_links({(1, 2), (2, 3), (7, 8)}, {(1, 2), (2, 4)})
    >>> s.precision, s.recall, s.false_positives, s.missed
    (0.5, 0.5, [(2, 3)], [(2, 4)])
    """
    has_next = {a for a, _ in reference}
    has_prev = {b for _, b in reference}
    judged = {p for p in predicted if p[0] in has_next or p[1] in has_prev}
    tp = judged & reference
    return LinkScore(
        precision=len(tp) / len(judged) if judged else 1.0,
        recall=len(tp) / len(reference) if reference else 1.0,
        true_positives=len(tp),
        false_positives=sorted(judged - reference),
        missed=sorted(reference - predicted),
    )


def erengy_pairs(snapshot: Snapshot) -> set[Pair]:
    """Direct sequel pairs between main-line TV entries stated by the erengy rules."""
    nodes = build_nodes(snapshot)
    return {
        (link.a, link.b)
        for link in erengy_links(snapshot, nodes)
        if link.kind == "sequel" and link.a > 0 and link.b > 0
    }


def evaluate_against_erengy(snapshot: Snapshot) -> LinkScore:
    """Score the graph built from every evidence *but* the erengy rules against those rules.

    Examples
    --------
    >>> from datetime import date
    >>> from sequelcast.domain import Anime, Relation, Snapshot
    >>> d = date(2020, 1, 1)
    >>> snap = Snapshot(as_of=None, entries={
    ...     1: Anime(1, "Kaiju", type="TV", start_date=date(2019, 1, 1)),
    ...     2: Anime(2, "Kaiju 2nd Season", type="TV", start_date=date(2020, 1, 1))},
    ...     relations=[Relation(1, 2, "sequel", "Kaiju: 1:13-24 -> 2:1-12", d, "erengy_relations")])
    >>> evaluate_against_erengy(snap).summary()
    'precision 1.000 (1/1), recall 1.000 (1/1)'
    """
    reference = erengy_pairs(snapshot)
    others = tuple(k for k in EVIDENCE_KINDS if k != "erengy")
    return score_links(build_franchises(snapshot, evidence=others).followed_by(), reference)


def handchecked_pairs(expected: Mapping[str, Sequence[int]]) -> set[Pair]:
    """Consecutive pairs of every hand-checked franchise."""
    return {
        (a, b)
        for seasons in expected.values()
        for a, b in zip(seasons, seasons[1:], strict=False)
    }


@dataclass(frozen=True)
class HandcheckReport:
    """Per-franchise comparison and the overall pair score.

    ``misses`` maps a franchise name to a message giving the expected and the actual order.
    """

    score: LinkScore
    misses: dict[str, str]
    checked: int

    def describe(self) -> str:
        """Readable report: the score, then one line per franchise the graph got wrong."""
        lines = [f"{self.checked - len(self.misses)}/{self.checked} franchises exact; "
                 f"{self.score.summary()}"]
        lines += [f"  {name}: {msg}" for name, msg in sorted(self.misses.items())]
        return "\n".join(lines)


def actual_order(graph: FranchiseGraph, first: int) -> list[int]:
    """MAL ids of the main-line seasons of the franchise holding ``first`` (AniDB-only left out)."""
    try:
        franchise = graph.of(first)
    except NotFoundError:
        return []
    return [s.mal_id for s in franchise.seasons if s.mal_id is not None]


def evaluate_handchecked(graph: FranchiseGraph,
                         expected: Mapping[str, Sequence[int]]) -> HandcheckReport:
    """Compare each hand-checked franchise's season order with the graph's.

    Parameters
    ----------
    graph : FranchiseGraph
        Built from the snapshot the list was checked against.
    expected : mapping of str to sequence of int
        Franchise name -> MAL ids of its main-line TV seasons, in order.
    """
    misses = {}
    for name, seasons in expected.items():
        got = actual_order(graph, seasons[0])
        if got != list(seasons):
            misses[name] = f"expected {list(seasons)}, got {got}"
    ids = {i for seasons in expected.values() for i in seasons}
    predicted = {p for p in graph.followed_by() if p[0] in ids or p[1] in ids}
    return HandcheckReport(score_links(predicted, handchecked_pairs(expected)), misses,
                           len(expected))
