"""Assemble the franchise graph from a snapshot: nodes, links, chains, seasons and status."""

from __future__ import annotations

import dataclasses
import gc
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sequelcast.domain import Evidence, NextSeason, Season, Snapshot
from sequelcast.errors import DataError
from sequelcast.franchise import _links
from sequelcast.franchise._model import (
    Entry,
    Franchise,
    FranchiseGraph,
    Link,
    Transition,
    latest_status,
)
from sequelcast.franchise._nodes import LIST_HISTORY_START, Node, build_nodes
from sequelcast.franchise._resolve import MergedLink, attach_others, build_chains, merge

#: The kinds of evidence, best first (see ``docs/franchises.md``).
EVIDENCE_KINDS = ("typed", "erengy", "tvdb", "title", "collection")


def _raw_links(
    snapshot: Snapshot, nodes: dict[int, Node], evidence: Collection[str], typed: _links.Typed
) -> list[_links.RawLink]:
    raw: list[_links.RawLink] = []
    use_typed = "typed" in evidence
    if use_typed:
        raw += _links.typed_links(snapshot, nodes, typed)
    if "erengy" in evidence:
        raw += _links.erengy_links(snapshot, nodes)
    if "tvdb" in evidence:
        raw += _links.tvdb_links(nodes)
    if "title" in evidence:
        raw += _links.title_links(nodes)
    if "collection" in evidence:
        raw += _links.collection_links(snapshot, nodes, reference_date(snapshot))
    return _links.checked_against_typed(raw, typed, nodes)


def _same_season(a: Node, b: Node) -> bool:
    """``b`` is the next part of ``a``'s season (a split cour), not a new season."""
    kb = b.tkey
    if kb.season is not None and kb.part is None and kb.season != a.tkey.season:
        return False
    sa, sb = a.tvdb_season, b.tvdb_season
    if (
        a.tvdb_series
        and a.tvdb_series == b.tvdb_series
        and sa
        and sb
        and sa.isdigit()
        and sb.isdigit()
    ):
        return sa == sb
    return kb.part is not None and kb.part >= 2 and kb.season in (None, a.tkey.season)


def _season(fid: str, node: Node, number: int, part: int | None) -> Season:
    return Season(
        franchise_id=fid,
        number=number,
        mal_id=node.mal_id,
        anidb_id=node.anidb_id,
        title=node.title,
        start=node.start,
        end=node.end,
        episodes=node.episodes,
        announced=node.announced,
        part=part,
        end_estimated=node.end_estimated,
        aired_undated=node.aired_undated,
    )


def number_seasons(fid: str, chain: list[Node]) -> list[Season]:
    """Number a chain of main-line nodes; split-cour halves share a number and get parts."""
    groups: list[list[Node]] = []
    for i, node in enumerate(chain):
        if i and _same_season(chain[i - 1], node):
            groups[-1].append(node)
        else:
            groups.append([node])
    return [
        _season(fid, node, number, (p if len(group) > 1 else None))
        for number, group in enumerate(groups, start=1)
        for p, node in enumerate(group, start=1)
    ]


def _transitions(seasons: list[Season], censored_ids: set[int]) -> list[Transition]:
    return [
        Transition(
            before=a,
            after=b,
            announced=b.announced,
            start=b.start,
            censored=b.announced == LIST_HISTORY_START and (b.anidb_id in censored_ids),
        )
        for a, b in zip(seasons, seasons[1:], strict=False)
    ]


def _public_link(m: MergedLink, nodes: dict[int, Node]) -> Link:
    a, b = nodes[m.a], nodes[m.b]
    return Link(
        m.kind,
        a.mal_id,
        a.anidb_id,
        b.mal_id,
        b.anidb_id,
        m.rank,
        tuple(m.evidence),
        m.accepted,
        m.note,
    )


def _franchise_id(node: Node) -> str:
    return f"mal:{node.mal_id}" if node.mal_id is not None else f"anidb:{node.anidb_id}"


def _entry(node: Node) -> Entry:
    return Entry(node.mal_id, node.anidb_id, node.title, node.type, node.start, node.episodes)


def reference_date(snapshot: Snapshot) -> date | None:
    """``as_of``, or (for a snapshot of everything) the newest observation it holds."""
    if snapshot.as_of is not None:
        return snapshot.as_of
    seen = [e.last_observed for e in snapshot.entries.values() if e.last_observed]
    seen += [m.observed_at for m in snapshot.tvdb_mappings]
    return max(seen, default=None)


@dataclasses.dataclass
class _Assembly:
    nodes: dict[int, Node]
    succ: dict[int, int]
    by_node: dict[int, list[Link]]
    ref: date | None
    censored: set[int]
    follows: dict[int, set[int]]

    def franchise(self, head: int, members: list[int]) -> Franchise:
        head_node = self.nodes[head]
        fid = _franchise_id(head_node)
        chain = self._chain(head) if head_node.main else []
        drop = {n.key for n in older_tail([self.nodes[k] for k in chain], self.ref)}
        chain = [k for k in chain if k not in drop]
        in_chain = set(chain)
        others = sorted(
            (self.nodes[k] for k in members if k not in in_chain),
            key=lambda n: (n.sort_date(), n.title),
        )
        seasons = number_seasons(fid, [self.nodes[k] for k in chain])
        own = {id(lk): lk for k in members for lk in self.by_node.get(k, ())}
        links = tuple(own.values())
        return Franchise(
            id=fid,
            title=head_node.title,
            seasons=seasons,
            others=[_entry(n) for n in others],
            next_season=self._not_tv(latest_status(seasons, self.ref, links), seasons),
            transitions=_transitions(seasons, self.censored),
            links=links,
            reference_date=self.ref,
        )

    def _not_tv(self, status: NextSeason, seasons: list[Season]) -> NextSeason:
        """A "none" status names the announced continuations that are not TV seasons: entries
        MAL's typed relations put right after the latest aired season (a Sequel edge) that are
        not main-line (a movie, a special...) and have not aired by the reference date. They are
        listed in ``Franchise.others``; the status stays "none" (no next *season* is known)."""
        aired = [
            s for s in seasons if s.start is not None and (self.ref is None or s.start <= self.ref)
        ]
        if status.status != "none" or not aired:
            return status
        latest = aired[-1]
        key = latest.mal_id if latest.mal_id is not None else -(latest.anidb_id or 0)
        found = [
            n
            for n in (self.nodes[k] for k in sorted(self.follows.get(key, ())))
            if not n.main and _unaired(n, self.ref)
        ]
        notes = tuple(
            Evidence(
                _links.TYPED_SOURCE,
                f"announced continuation that is not a TV season: {n.title!r} "
                f"({n.type or 'untyped'}), first seen {n.announced}; listed beside the seasons",
                self.ref,
            )
            for n in found
        )
        return dataclasses.replace(status, evidence=status.evidence + notes) if notes else status

    def _chain(self, head: int) -> list[int]:
        out = [head]
        while out[-1] in self.succ:
            out.append(self.succ[out[-1]])
        return out


#: An undated MAL entry first seen longer ago than this is a stale announcement (or an old entry
#: the data never dated), not a pending one: 99.5% of the announcement-to-start lags measured on
#: the graph of all the data are shorter (``docs/franchises.md``).
STALE_AFTER = timedelta(days=4 * 365)
#: An AniDB entry that MAL still does not list this long after AniDB did is stale: MAL lists an
#: announced sequel within weeks of the announcement.
STALE_ANIDB_ONLY_AFTER = timedelta(days=2 * 365)


def _unaired(node: Node, ref: date | None) -> bool:
    """Not aired by ``ref``: no start (and nothing shows it aired), or a start after ``ref``."""
    if node.start is None:
        return not node.aired_undated
    return ref is not None and node.start > ref


def _older(node: Node, latest: Node) -> bool:
    """An undated entry that is older than ``latest`` (a lower AniDB or MAL id, or a MAL row seen
    before ``latest`` started, unless its title says it is a later part of a split season, which
    is announced with the first): a forgotten old entry, never the announced next season."""
    if node.start is not None:
        return False
    if node.mal_id is not None and latest.mal_id is not None and node.mal_id < latest.mal_id:
        return True
    if (
        node.anidb_id is not None
        and latest.anidb_id is not None
        and node.anidb_id < latest.anidb_id
    ):
        return True
    if node.tkey.part is not None and node.tkey.part >= 2:
        return False
    return (
        node.first_fact is not None and latest.start is not None and node.first_fact < latest.start
    )


def _not_pending(node: Node, latest: Node, ref: date | None) -> str:
    """Why an undated entry after the chain's last dated season ``latest`` is not a pending
    announcement ("" when it may be one), in the order of precedence of docs/franchises.md."""
    if node.start is not None:
        return ""
    if _older(node, latest):
        return "older"
    if node.aired_undated:
        return ""  # aired, dates lost: a season, but not the announced one (``latest_status``)
    limit = STALE_AFTER if node.mal_id is not None else STALE_ANIDB_ONLY_AFTER
    if ref is not None and node.announced is not None and ref - node.announced > limit:
        return "stale"
    return ""


def older_tail(chain: list[Node], ref: date | None = None) -> list[Node]:
    """The undated entries after the chain's last dated season that are not pending
    announcements (:func:`_not_pending`): an older entry and everything after it (what follows
    an old entry is old too), and each stale entry on its own (a later entry may be the real
    next season: World Trigger's stale AniDB entry sits before "World Trigger 2nd Season")."""
    dated = [i for i, n in enumerate(chain) if n.start is not None]
    if not dated:
        return []
    latest = chain[dated[-1]]
    tail = chain[dated[-1] + 1 :]
    out: list[Node] = []
    for i, node in enumerate(tail):
        why = _not_pending(node, latest, ref)
        if why == "older":
            return out + tail[i:]
        if why == "stale":
            out.append(node)
    return out


def _check_evidence(evidence: Collection[str]) -> None:
    unknown = sorted(set(evidence) - set(EVIDENCE_KINDS))
    if unknown:
        raise DataError(f"unknown evidence kind(s) {unknown}; choose among {list(EVIDENCE_KINDS)}")


def build_franchises(
    snapshot: Snapshot, evidence: Collection[str] = EVIDENCE_KINDS
) -> FranchiseGraph:
    """Group a snapshot's entries into franchises of ordered main-line seasons.

    Parameters
    ----------
    snapshot : Snapshot
        Everything known as of ``snapshot.as_of``.
    evidence : collection of str
        Which kinds of evidence to use, among ``"erengy"``, ``"tvdb"``, ``"title"`` and
        ``"collection"`` (all by default; leave one out to evaluate the others against it).

    Returns
    -------
    FranchiseGraph

    Raises
    ------
    DataError
        ``evidence`` names an unknown kind.

    Examples
    --------
    >>> from datetime import date
    >>> from sequelcast.domain import Anime, Snapshot
    >>> s1 = Anime(1, "Kaiju", type="TV", start_date=date(2020, 1, 5))
    >>> s2 = Anime(2, "Kaiju 2nd Season", type="TV", start_date=date(2022, 1, 5))
    >>> graph = build_franchises(Snapshot(as_of=date(2021, 6, 1), entries={1: s1, 2: s2}))
    >>> [s.number for s in graph.of(2).seasons], graph.of(1).next_season.status
    ([1, 2], 'announced')
    >>> graph.of(1).next_season.expected
    datetime.date(2022, 1, 5)
    """
    _check_evidence(evidence)
    with _gc_paused():
        return _build(snapshot, evidence)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the build allocates ~100,000 acyclic objects next to
    a snapshot of millions, and full collections would double its run time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(snapshot: Snapshot, evidence: Collection[str]) -> FranchiseGraph:
    nodes = build_nodes(snapshot)
    typed = _links.typed_relations(
        snapshot if "typed" in evidence else Snapshot(snapshot.as_of), nodes
    )
    merged = merge(_raw_links(snapshot, nodes, evidence, typed))
    chains = build_chains(merged, nodes)
    owner: dict[int, int] = {}
    for head in chains.heads(nodes):
        for k in chains.walk(head):
            owner[k] = head
    attach_others(merged, nodes, owner)
    links = [_public_link(m, nodes) for m in merged]
    by_node: dict[int, list[Link]] = defaultdict(list)
    for m, link in zip(merged, links, strict=True):
        if m.accepted:
            by_node[m.a].append(link)
            by_node[m.b].append(link)
    members: dict[int, list[int]] = defaultdict(list)
    for k, head in owner.items():
        members[head].append(k)
    censored = {a for a, fs in snapshot.first_seen.items() if fs.first_listed == LIST_HISTORY_START}
    asm = _Assembly(nodes, chains.succ, by_node, reference_date(snapshot), censored, typed.follows)
    franchises = [asm.franchise(head, keys) for head, keys in members.items()]
    franchises.sort(key=lambda f: f.id)
    return FranchiseGraph(franchises, links, snapshot.as_of)
