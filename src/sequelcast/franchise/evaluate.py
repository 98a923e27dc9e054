"""How good are the "A is followed by B" links? Precision and recall against two references.

- :func:`evaluate_against_erengy`: the erengy rules are an input of the graph, so the graph is
  rebuilt *without* them and the other evidence (TVDB lists, titles, collections) is scored
  against them.
- :func:`evaluate_handchecked`: a hand-checked list of franchises, each its main-line TV seasons
  in order (``tests/franchise/test_handchecked.py``).
- :func:`evaluate_typed_holdout`: the typed MAL Sequel/Prequel relations of a random 20% of
  franchises are held out of the build; the links found for them are scored against those.
- :func:`evaluate_status`: the next-season status as of a date against what the newest data shows
  was announced by then (first-seen dates).

A reference only knows about some entries, so a predicted pair is judged only when the reference
says something about it: its first entry has a successor in the reference, or its second entry
a predecessor. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sequelcast.domain import NextSeason, Season, Snapshot, TvdbMapping
from sequelcast.errors import NotFoundError
from sequelcast.franchise._build import EVIDENCE_KINDS, build_franchises
from sequelcast.franchise._links import SEQUEL_KINDS, TYPED_SOURCE, erengy_links, typed_links
from sequelcast.franchise._model import Entry, Franchise, FranchiseGraph
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
        (a, b) for seasons in expected.values() for a, b in zip(seasons, seasons[1:], strict=False)
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
        lines = [
            f"{self.checked - len(self.misses)}/{self.checked} franchises exact; "
            f"{self.score.summary()}"
        ]
        lines += [f"  {name}: {msg}" for name, msg in sorted(self.misses.items())]
        return "\n".join(lines)


def actual_order(graph: FranchiseGraph, first: int) -> list[int]:
    """MAL ids of the main-line seasons of the franchise holding ``first`` (AniDB-only left out)."""
    try:
        franchise = graph.of(first)
    except NotFoundError:
        return []
    return [s.mal_id for s in franchise.seasons if s.mal_id is not None]


def evaluate_handchecked(
    graph: FranchiseGraph, expected: Mapping[str, Sequence[int]]
) -> HandcheckReport:
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
    return HandcheckReport(
        score_links(predicted, handchecked_pairs(expected)), misses, len(expected)
    )


# -- typed relations held out ---------------------------------------------------------------


def _components(pairs: Sequence[Pair]) -> dict[int, int]:
    """Union-find over pairs: entry -> representative of its connected component."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def typed_pairs(snapshot: Snapshot) -> set[Pair]:
    """Main-line pairs the typed MAL Sequel/Prequel relations state (through movies in between)."""
    nodes = build_nodes(snapshot)
    return {
        (lk.a, lk.b)
        for lk in typed_links(snapshot, nodes)
        if lk.kind == "sequel" and lk.a > 0 and lk.b > 0
    }


@dataclass(frozen=True)
class HoldoutReport:
    """Main-line links scored against the typed relations of franchises held out of the build."""

    score: LinkScore
    held_out: int
    franchises: int

    def summary(self) -> str:
        return (
            f"{self.held_out}/{self.franchises} typed franchises held out; {self.score.summary()}"
        )


def evaluate_typed_holdout(
    snapshot: Snapshot, fraction: float = 0.2, seed: int = 8
) -> HoldoutReport:
    """Hold out the typed relations of a random ``fraction`` of franchises, build, and score the
    main-line links found for those franchises (by the older evidence) against their typed
    Sequel/Prequel links. A franchise here is a connected component of typed Sequel/Prequel edges.
    """
    seq = [
        (r.from_mal_id, r.to_mal_id)
        for r in snapshot.relations
        if r.source == TYPED_SOURCE
        and r.kind in SEQUEL_KINDS
        and r.from_mal_id is not None
        and r.to_mal_id is not None
    ]
    comp = _components([(a, b) for a, b in seq if a is not None and b is not None])
    roots = sorted(set(comp.values()))
    held = set(random.Random(seed).sample(roots, round(len(roots) * fraction)))
    out = {x for x, r in comp.items() if r in held}
    reduced = dataclasses.replace(
        snapshot,
        relations=[
            r
            for r in snapshot.relations
            if not (r.source == TYPED_SOURCE and (r.from_mal_id in out or r.to_mal_id in out))
        ],
    )
    reference = {p for p in typed_pairs(snapshot) if p[0] in out and p[1] in out}
    predicted = {p for p in build_franchises(reduced).followed_by() if p[0] in out or p[1] in out}
    return HoldoutReport(score_links(predicted, reference), len(held), len(roots))


# -- next-season status as of a date --------------------------------------------------------


#: Signals, known on the date, that could tell a real announced season from a placeholder that
#: nothing later confirms (``claim_signals``; the evidence table of ``docs/franchises.md``).
SIGNALS: dict[str, str] = {
    "anidb": "an AniDB entry is linked to the claimed entry",
    "tvdb_season": "that AniDB entry is mapped to a numbered TVDB season",
    "relation": "a sequel relation (erengy rule, typed MAL relation) names the entry",
    "studio": "MAL lists a studio for the entry",
    "schedule": "a start date or premiered season is known",
    "episodes": "MAL gives the planned episode count",
    "members": "the entry has at least 1,000 MAL members",
    "members_share": "its MAL members are at least 5% of the latest aired season's",
    "fresh": "the entry was first seen less than a year before the date",
    "placed": "a second source places it: tvdb_season, relation or schedule",
}
#: ``members`` signal threshold (MAL list users of the claimed entry at the date)
SIGNAL_MEMBERS = 1000
#: ``members_share`` signal threshold (claimed entry's members over the latest season's)
SIGNAL_MEMBERS_SHARE = 0.05
#: ``fresh`` signal: first seen less than this many days before the date
SIGNAL_FRESH_DAYS = 365


@dataclass(frozen=True)
class ClaimCheck:
    """One "announced" claim made on a date, and what the newest data makes of it.

    Attributes
    ----------
    title : str
        The claimed entry's title.
    truth_announced : bool
        The newest data says the franchise's next season was announced by the date (the claim's
        status is right).
    confirmed : bool
        The claimed entry is the next main-line (TV) season in the newest data.
    aired_later : bool
        The claimed entry (same MAL or AniDB id) aired later in some form (a season, or a movie,
        special or ONA listed beside the seasons of the same franchise).
    signals : dict of str to bool
        The :data:`SIGNALS` as known on the date (empty without the snapshot of the date).
    """

    title: str
    truth_announced: bool
    confirmed: bool
    aired_later: bool
    signals: dict[str, bool] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: the title, what became of it, and the signals it has."""
        fate = "confirmed" if self.confirmed else "unconfirmed"
        if not self.confirmed:
            fate += ", aired in another form" if self.aired_later else ", never aired"
        has = ", ".join(k for k, v in self.signals.items() if v) or "none"
        return f"{self.title!r}: {fate}; signals: {has}"


@dataclass(frozen=True)
class SignalEffect:
    """What requiring one signal of every "announced" claim would do (a claim without it would
    say "none"): claims kept, right claims kept (the truth is "announced"), confirmed and
    unconfirmed claims kept, the new unconfirmed rate and the new status accuracy."""

    signal: str
    kept: int
    right_kept: int
    right: int
    confirmed_kept: int
    confirmed: int
    unconfirmed_kept: int
    unconfirmed: int
    unconfirmed_rate: float
    accuracy: float

    def row(self) -> str:
        """One Markdown table row."""
        return (
            f"| {self.signal} | {self.right_kept}/{self.right} | "
            f"{self.confirmed_kept}/{self.confirmed} | "
            f"{self.unconfirmed_kept}/{self.unconfirmed} | {self.unconfirmed_rate:.1%} | "
            f"{self.accuracy:.2%} |"
        )


@dataclass(frozen=True)
class StatusReport:
    """Next-season status as of a date, against what the newest data shows was announced by then.

    Attributes
    ----------
    checked : int
        Franchises with a main-line season aired by the date, known on the date.
    correct : int
        Franchises whose status ("announced" or "none") matches the truth.
    announced : int
        "announced" claims made on the date.
    unconfirmed : int
        "announced" claims whose entry never shows up as the next main-line season later (the
        strict figure: confirmed only as a TV season).
    truth_announced : int
        Franchises the newest data says had an announced next season on the date.
    errors : list of str
        One line per wrong status (name, claimed, true).
    unconfirmed_claims : list of str
        One line per unconfirmed "announced" claim: the franchise, the claimed entry (ids, title,
        type, start), why it was claimed, and what the newest data makes of that entry.
    claims : list of ClaimCheck
        Every "announced" claim, with its signals (see :meth:`signal_effects`).
    """

    as_of: date
    checked: int
    correct: int
    announced: int
    unconfirmed: int
    truth_announced: int
    errors: list[str] = field(default_factory=list)
    unconfirmed_claims: list[str] = field(default_factory=list)
    claims: list[ClaimCheck] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.checked if self.checked else 1.0

    @property
    def unconfirmed_rate(self) -> float:
        return self.unconfirmed / self.announced if self.announced else 0.0

    @property
    def never_aired(self) -> int:
        """Claims whose entry neither became the next TV season nor aired in any other form (the
        lenient figure: a continuation announced as a season that aired as a movie counts)."""
        return sum(1 for c in self.claims if not c.confirmed and not c.aired_later)

    @property
    def never_aired_rate(self) -> float:
        return self.never_aired / self.announced if self.announced else 0.0

    def summary(self) -> str:
        return (
            f"as of {self.as_of}: status accuracy {self.accuracy:.4f} ({self.correct}/{self.checked}); "
            f"'announced' claims {self.announced}, unconfirmed {self.unconfirmed} "
            f"({self.unconfirmed_rate:.4f}); of those never aired in any form {self.never_aired} "
            f"({self.never_aired_rate:.4f}); truly announced {self.truth_announced}"
        )

    def signal_effects(self) -> list[SignalEffect]:
        """For each signal of :data:`SIGNALS`, what requiring it of every claim would do."""
        return [self._effect(name) for name in SIGNALS]

    def _effect(self, name: str) -> SignalEffect:
        kept = [c for c in self.claims if c.signals.get(name, False)]
        dropped = [c for c in self.claims if not c.signals.get(name, False)]
        correct = self.correct + sum(-1 if c.truth_announced else 1 for c in dropped)
        unconfirmed_kept = sum(1 for c in kept if not c.confirmed)
        return SignalEffect(
            signal=name,
            kept=len(kept),
            right_kept=sum(1 for c in kept if c.truth_announced),
            right=sum(1 for c in self.claims if c.truth_announced),
            confirmed_kept=len(kept) - unconfirmed_kept,
            confirmed=self.announced - self.unconfirmed,
            unconfirmed_kept=unconfirmed_kept,
            unconfirmed=self.unconfirmed,
            unconfirmed_rate=unconfirmed_kept / len(kept) if kept else 0.0,
            accuracy=correct / self.checked if self.checked else 1.0,
        )


def _truth(franchise: Franchise, as_of: date) -> tuple[Season, Season | None] | None:
    """The latest season aired by ``as_of`` in the newest graph, and the next one if it was
    already seen (first sighting) by then."""
    aired = [i for i, s in enumerate(franchise.seasons) if s.start is not None and s.start <= as_of]
    if not aired:
        return None
    i = aired[-1]
    nxt = franchise.seasons[i + 1] if i + 1 < len(franchise.seasons) else None
    if nxt is not None and (nxt.announced is None or nxt.announced > as_of):
        nxt = None
    return franchise.seasons[i], nxt


def _same(season: Season | Entry, mal_id: int | None, anidb_id: int | None) -> bool:
    return (mal_id is not None and season.mal_id == mal_id) or (
        anidb_id is not None and season.anidb_id == anidb_id
    )


def _aired_later(fr: Franchise, claim: NextSeason, newest: Snapshot | None) -> bool:
    """The claimed entry aired in some form in the newest data: it is a season or an entry beside
    the seasons of the same franchise, and it has a start date by the newest reference date, or
    (undated) MAL gives it a mean score or a rank (MAL scores and ranks aired entries only)."""
    ref = fr.reference_date
    items: list[Season | Entry] = [*fr.seasons, *fr.others]
    for item in items:
        if not _same(item, claim.mal_id, claim.anidb_id):
            continue
        if item.start is not None and (ref is None or item.start <= ref):
            return True
        entry = newest.entries.get(item.mal_id) if newest and item.mal_id is not None else None
        if entry is not None and (entry.score is not None or entry.rank is not None):
            return True
    return False


def claim_signals(
    snapshot: Snapshot,
    claim: NextSeason,
    as_of: date,
    tvdb: Mapping[int, TvdbMapping],
    latest_mal_id: int | None = None,
) -> dict[str, bool]:
    """The :data:`SIGNALS` of one "announced" claim, from what ``snapshot`` (as of ``as_of``) knows.

    ``tvdb`` is ``snapshot.latest_tvdb()`` (computed once by the caller); ``latest_mal_id`` is the
    latest aired season the claim continues (for ``members_share``). An unknown count is no
    evidence: the signal is ``False``.
    """
    entry = snapshot.entries.get(claim.mal_id) if claim.mal_id is not None else None
    latest = snapshot.entries.get(latest_mal_id) if latest_mal_id is not None else None
    members = (entry.members or 0) if entry is not None else 0
    mapping = tvdb.get(claim.anidb_id) if claim.anidb_id is not None else None
    sources = {e.source for e in claim.evidence}
    out = {
        "anidb": claim.anidb_id is not None,
        "tvdb_season": mapping is not None
        and (mapping.tvdb_id or "").isdigit()
        and (mapping.tvdb_season or "0").isdigit()
        and mapping.tvdb_season != "0",
        "relation": bool(sources & {TYPED_SOURCE, "erengy_relations"}),
        "studio": entry is not None and bool(entry.studios),
        "schedule": claim.expected is not None,
        "episodes": entry is not None and bool(entry.episodes),
        "members": members >= SIGNAL_MEMBERS,
        "members_share": latest is not None
        and bool(latest.members)
        and members >= SIGNAL_MEMBERS_SHARE * (latest.members or 0),
        "fresh": claim.first_seen is not None
        and (as_of - claim.first_seen).days < SIGNAL_FRESH_DAYS,
    }
    out["placed"] = out["tvdb_season"] or out["relation"] or out["schedule"]
    return out


def announced_signals(
    graph: FranchiseGraph, snapshot: Snapshot
) -> list[tuple[str, dict[str, bool]]]:
    """Every "announced" status of ``graph`` (built from ``snapshot``) with its :data:`SIGNALS` as
    of the graph's reference date: what a rule requiring a signal would do to today's answers.
    A franchise without a reference date (a snapshot with no observation) is left out."""
    tvdb = snapshot.latest_tvdb()
    out = []
    for fr in graph:
        status = fr.next_season
        day = fr.reference_date
        if status.status != "announced" or day is None:
            continue
        latest = fr.latest_season()
        latest_id = latest.mal_id if latest is not None else None
        out.append((status.title or "", claim_signals(snapshot, status, day, tvdb, latest_id)))
    return out


@dataclass
class _Tally:
    checked: int = 0
    correct: int = 0
    announced: int = 0
    unconfirmed: int = 0
    truly: int = 0
    errors: list[str] = field(default_factory=list)
    unconfirmed_claims: list[str] = field(default_factory=list)
    claims: list[ClaimCheck] = field(default_factory=list)


def evaluate_status(
    newest: FranchiseGraph,
    then: FranchiseGraph,
    as_of: date,
    snapshot: Snapshot | None = None,
    newest_snapshot: Snapshot | None = None,
) -> StatusReport:
    """Score the next-season status of the graph built as of ``as_of`` (``then``) against what the
    graph of all the data (``newest``) shows: the season after the latest season aired by
    ``as_of``, "announced" when its first sighting is on or before ``as_of``.

    With ``snapshot`` (the snapshot ``then`` was built from), each claim carries its
    :data:`SIGNALS` (see :meth:`StatusReport.signal_effects`); with ``newest_snapshot`` (the one
    ``newest`` was built from), an undated entry MAL scores or ranks counts as aired for
    :attr:`StatusReport.never_aired`.
    """
    t = _Tally()
    tvdb = snapshot.latest_tvdb() if snapshot is not None else {}
    for fr in newest:
        truth = _truth(fr, as_of)
        if truth is None:
            continue
        latest, nxt = truth
        if latest.mal_id is None or latest.mal_id not in then:
            continue
        claim = then.of(latest.mal_id).next_season
        t.checked += 1
        t.truly += nxt is not None
        expected = "announced" if nxt is not None else "none"
        if claim.status == "announced":
            t.announced += 1
            later = fr.seasons[fr.seasons.index(latest) + 1 :]
            confirmed = any(_same(s, claim.mal_id, claim.anidb_id) for s in later)
            if not confirmed:
                t.unconfirmed += 1
                t.unconfirmed_claims.append(_describe_unconfirmed(fr, claim, newest))
            signals = (
                claim_signals(snapshot, claim, as_of, tvdb, latest.mal_id)
                if snapshot is not None
                else {}
            )
            t.claims.append(
                ClaimCheck(
                    claim.title or "",
                    nxt is not None,
                    confirmed,
                    _aired_later(fr, claim, newest_snapshot),
                    signals,
                )
            )
        if claim.status == expected:
            t.correct += 1
        else:
            t.errors.append(
                f"{fr.title} ({fr.id}): claimed {claim.status} {claim.title!r}, "
                f"true {expected} {nxt.title if nxt else ''!r}"
            )
    return StatusReport(
        as_of,
        t.checked,
        t.correct,
        t.announced,
        t.unconfirmed,
        t.truly,
        t.errors,
        t.unconfirmed_claims,
        t.claims,
    )


def _newest_fate(newest: FranchiseGraph, mal_id: int | None, anidb_id: int | None) -> str:
    """What the newest graph makes of an entry: a season of some franchise, an entry listed
    beside one, or nothing."""
    for fr in [newest.of(mal_id)] if mal_id is not None and mal_id in newest else newest.franchises:
        for s in fr.seasons:
            if _same(s, mal_id, anidb_id):
                return f"season {s.number} of {fr.title!r} ({fr.id}), start {s.start}"
        for o in fr.others:
            if (mal_id is not None and o.mal_id == mal_id) or (
                anidb_id is not None and o.anidb_id == anidb_id
            ):
                return f"{o.type or 'untyped'} beside {fr.title!r} ({fr.id}), start {o.start}"
    return "not in the newest graph"


def _describe_unconfirmed(fr: Franchise, claim: NextSeason, newest: FranchiseGraph) -> str:
    why = "; ".join(e.detail for e in claim.evidence)
    return (
        f"{fr.title} ({fr.id}): claimed mal={claim.mal_id} anidb={claim.anidb_id} "
        f"{claim.title!r} first seen {claim.first_seen} [{why}] -> newest: "
        f"{_newest_fate(newest, claim.mal_id, claim.anidb_id)}"
    )
