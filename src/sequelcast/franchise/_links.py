"""Candidate links between nodes, one function per kind of evidence.

Every function returns :class:`RawLink` values. ``kind`` is ``"sequel"`` (``b`` is the main-line
season right after ``a``), ``"member"`` (``a``, not a main-line season, belongs with ``b``) or
``"related"`` (same franchise, but not a direct sequel; recorded, not used).
``rank`` is the precedence of the evidence: 0 typed MAL relations, 1 erengy rules, 2 AniDB-to-TVDB
lists, 3 title patterns, 4 Fribb collections confirmed by title or TVDB agreement.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sequelcast.domain import Evidence, Snapshot
from sequelcast.franchise._nodes import Node
from sequelcast.franchise._titles import SPIN_OFF_WORDS, format_stem, loosely_agree

RANK = {"typed": 0, "erengy": 1, "tvdb": 2, "title": 3, "collection": 4}

#: The typed MAL relations source, and how its relation names are read.
TYPED_SOURCE = "mal_relations_2023"
#: "parent has Sequel child": child follows parent; "parent has Prequel child": parent follows child
SEQUEL_KINDS = frozenset({"Sequel", "Prequel"})
#: relations that put an entry beside the main line (never on it)
BESIDE_KINDS = frozenset(
    {
        "Side story",
        "Parent story",
        "Spin-off",
        "Summary",
        "Full story",
        "Character",
        "Alternative setting",
    }
)
#: a remake or reboot: starts its own line, never linked into the original's
ALTERNATIVE = "Alternative version"
#: a remake in one of these formats is a series of its own (a compilation movie stays a member)
SERIES_TYPES = frozenset({"TV", "ONA"})
#: how many non-main entries (movies, OVAs) a typed Sequel path may cross between two seasons
TYPED_DEPTH = 4


@dataclass(frozen=True)
class RawLink:
    """One piece of evidence that two nodes are linked."""

    a: int
    b: int
    kind: str
    rank: int
    evidence: Evidence


def _nearest(mains: Sequence[Node], when: date | None) -> Node:
    """The main node that started last on or before ``when`` (the first one otherwise)."""
    best = mains[0]
    if when is None:
        return best
    for node in mains:
        if node.start is not None and node.start <= when:
            best = node
    return best


def _pair(a: Node, b: Node, rank: int, evidence: Evidence) -> RawLink:
    kind = "sequel" if a.main and b.main else "member"
    if kind == "member" and a.main:
        a, b = b, a
    return RawLink(a.key, b.key, kind, rank, evidence)


# -- (0) typed MAL relations -----------------------------------------------------------------


@dataclass
class Typed:
    """The typed MAL relations among the snapshot's nodes."""

    follows: dict[int, set[int]]  # a -> entries that come right after a (Sequel edges)
    beside: dict[int, set[int]]  # entry -> entries related by a "beside" kind (both directions)
    alternative: set[frozenset[int]]  # pairs that are alternative versions of each other
    covered: set[int]  # nodes that appear in any typed edge

    def unrelated(self, a: int, b: int) -> bool:
        """Typed data relates ``a`` and ``b`` by something other than a sequel (or as remakes)."""
        return self.remakes(a, b) or b in self.beside.get(a, ())

    def remakes(self, a: int, b: int) -> bool:
        """``a`` and ``b`` are alternative versions of each other (a remake, a reboot)."""
        return frozenset((a, b)) in self.alternative


def typed_relations(snapshot: Snapshot, nodes: dict[int, Node]) -> Typed:
    """Index the typed relations whose ends are both nodes."""
    t = Typed(defaultdict(set), defaultdict(set), set(), set())
    for rel in snapshot.relations:
        if rel.source != TYPED_SOURCE:
            continue
        a, b = rel.from_mal_id, rel.to_mal_id
        if a is None or b is None or a not in nodes or b not in nodes:
            continue
        t.covered.update((a, b))
        if rel.kind == "Sequel":
            t.follows[a].add(b)
        elif rel.kind == "Prequel":
            t.follows[b].add(a)
        elif rel.kind == ALTERNATIVE:
            t.alternative.add(frozenset((a, b)))
        elif rel.kind in BESIDE_KINDS:
            t.beside[a].add(b)
            t.beside[b].add(a)
    return t


def _next_mains(t: Typed, nodes: dict[int, Node], a: int) -> list[tuple[int, list[int]]]:
    """The main entries reached from ``a`` along Sequel edges through non-main entries only."""
    found: list[tuple[int, list[int]]] = []
    frontier: list[tuple[int, list[int]]] = [(a, [])]
    seen = {a}
    for _ in range(TYPED_DEPTH + 1):
        nxt: list[tuple[int, list[int]]] = []
        for k, path in frontier:
            for b in sorted(t.follows.get(k, ())):
                if b in seen:
                    continue
                seen.add(b)
                if nodes[b].main:
                    found.append((b, path))
                else:
                    nxt.append((b, [*path, b]))
        if found:
            return found
        frontier = nxt
    return found


def typed_links(
    snapshot: Snapshot, nodes: dict[int, Node], typed: Typed | None = None
) -> list[RawLink]:
    """Sequel/Prequel edges between seasons (crossing movies/OVAs in between); entries related by
    a "beside" kind, or on a Sequel path but not TV, become members of the season they hang on."""
    t = typed or typed_relations(snapshot, nodes)
    out: list[RawLink] = []
    for a in sorted(t.follows):
        if not nodes[a].main:
            continue
        nexts = _next_mains(t, nodes, a)
        if nexts:
            b, path = min(nexts, key=lambda x: (nodes[x[0]].sort_date(), x[0]))
            via = f" through {', '.join(repr(nodes[k].title) for k in path)}" if path else ""
            ev = Evidence(
                TYPED_SOURCE,
                f"MAL: {nodes[b].title!r} is the sequel of {nodes[a].title!r}{via}",
                _typed_date(snapshot),
            )
            out.append(RawLink(a, b, "sequel", RANK["typed"], ev))
    for x, others in t.beside.items():
        if nodes[x].main:
            continue
        mains = sorted((nodes[o] for o in others if nodes[o].main), key=Node.sort_date)
        if mains:
            anchor = _nearest(mains, nodes[x].start)
            ev = Evidence(
                TYPED_SOURCE,
                f"MAL: {nodes[x].title!r} sits beside {anchor.title!r}",
                _typed_date(snapshot),
            )
            out.append(RawLink(x, anchor.key, "member", RANK["typed"], ev))
    return out


def _typed_date(snapshot: Snapshot) -> date | None:
    return next((r.observed_at for r in snapshot.relations if r.source == TYPED_SOURCE), None)


def _spin_off_of(b: int, a: int, nodes: dict[int, Node]) -> bool:
    """``b``'s title has a spin-off word ("Gaiden") that ``a``'s has not: a side line, not the
    next season of ``a`` (Danmachi's "Gaiden: Sword Oratoria")."""
    words_b = set(nodes[b].tkey.base.split()) & SPIN_OFF_WORDS
    return bool(words_b - set(nodes[a].tkey.base.split()))


def checked_against_typed(
    raw: list[RawLink], typed: Typed, nodes: dict[int, Node]
) -> list[RawLink]:
    """Older evidence checked against the typed relations: a sequel link between two entries the
    typed data relates otherwise (alternative version, spin-off, side story...), or any link between
    two alternative versions (a remake starts its own line), is kept only as ``related`` (recorded,
    not used). So is an older sequel link into an entry whose title has a spin-off word its
    predecessor's has not."""
    out = []
    for link in raw:
        if (
            link.kind == "sequel"
            and link.rank > RANK["typed"]
            and _spin_off_of(link.b, link.a, nodes)
        ):
            link = RawLink(link.a, link.b, "related", link.rank, link.evidence)
        older = link.rank > RANK["typed"]
        if older and (
            (link.kind == "sequel" and typed.unrelated(link.a, link.b))
            or (
                link.kind == "member"
                and typed.remakes(link.a, link.b)
                and nodes[link.a].type in SERIES_TYPES
            )
        ):
            link = RawLink(link.a, link.b, "related", link.rank, link.evidence)
        out.append(link)
    return out


# -- (1) erengy rules ------------------------------------------------------------------------


def erengy_links(snapshot: Snapshot, nodes: dict[int, Node]) -> list[RawLink]:
    """Explicit continuation rules; an id given only on AniList is mapped to MAL."""
    anilist = {int(v): k for k, v in snapshot.mal_to("anilist").items() if v.isdigit()}
    out = []
    for rel in snapshot.relations:
        if rel.kind != "sequel":
            continue
        a = rel.from_mal_id or anilist.get(rel.from_anilist_id or 0)
        b = rel.to_mal_id or anilist.get(rel.to_anilist_id or 0)
        if a is None or b is None or a == b or a not in nodes or b not in nodes:
            continue
        ev = Evidence(rel.source, rel.evidence, rel.observed_at)
        link = _pair(nodes[a], nodes[b], RANK["erengy"], ev)
        if link.kind == "sequel" and not _direct(rel.evidence, nodes[a].episodes):
            link = RawLink(link.a, link.b, "related", link.rank, ev)
        out.append(link)
    return out


_FIRST_EPISODE = re.compile(r"[0-9?]+:(\d+)(?:-[0-9?]+)? -> ")


def _direct(detail: str, episodes: int | None) -> bool:
    """A rule "A:13-24 -> B:1-12" where A has 12 episodes: B follows A directly.

    A rule "A:329-341 -> B" on a 201-episode A only continues A's absolute numbering through
    entries in between (Gintama), so it is not a direct sequel.
    """
    m = _FIRST_EPISODE.search(detail)
    if m is None or episodes is None:
        return True
    return int(m.group(1)) <= episodes + 1


# -- (2) AniDB-to-TVDB lists -----------------------------------------------------------------


def _season_order(node: Node) -> tuple[int, date, int, int]:
    season = node.tvdb_season or "0"
    number = 0 if season == "a" else int(season)
    return (number, node.sort_date(), node.anidb_id or 0, node.mal_id or 0)


def _tvdb_evidence(series: str, a: Node, b: Node) -> Evidence:
    observed = max(n.tvdb.observed_at for n in (a, b) if n.tvdb is not None)
    return Evidence(
        "anidb_tvdb",
        f"TVDB {series}: season {a.tvdb_season} {a.title!r} then season {b.tvdb_season} {b.title!r}",
        observed,
    )


def tvdb_links(nodes: dict[int, Node]) -> list[RawLink]:
    """Entries sharing a TVDB series, main-line ones in the order of their TVDB season."""
    groups: dict[str, list[Node]] = defaultdict(list)
    for node in nodes.values():
        if node.tvdb_series:
            groups[node.tvdb_series].append(node)
    out: list[RawLink] = []
    for series, members in groups.items():
        mains = sorted((n for n in members if n.main), key=_season_order)
        out.extend(
            RawLink(a.key, b.key, "sequel", RANK["tvdb"], _tvdb_evidence(series, a, b))
            for a, b in zip(mains, mains[1:], strict=False)
        )
        others = sorted((n for n in members if not n.main), key=_season_order)
        anchors = mains or others[:1]
        for node in others:
            anchor = _nearest(anchors, node.start)
            if anchor is not node:
                out.append(
                    RawLink(
                        node.key,
                        anchor.key,
                        "member",
                        RANK["tvdb"],
                        _tvdb_evidence(series, anchor, node),
                    )
                )
    return out


# -- (3) title patterns ----------------------------------------------------------------------


def _spin_off(node: Node) -> bool:
    return bool(SPIN_OFF_WORDS & set(node.tkey.base.split()))


def _tvdb_veto(a: Node, b: Node) -> bool:
    """TVDB lists ``b`` as season 1 of a series other than ``a``'s: not its sequel by title."""
    return (
        a.tvdb_series is not None
        and b.tvdb_series is not None
        and a.tvdb_series != b.tvdb_series
        and b.tvdb_season == "1"
    )


def _may_continue(b: Node) -> bool:
    """``b``'s title says it continues something: a marker, or a subtitle on a known stem."""
    key = b.tkey
    if key.season == 1 or _spin_off(b):
        return False
    if key.year is not None and not key.marked and b.mal_id is not None:
        return False  # "Hunter x Hunter (2011)": a remake (AniDB's "(2026)" names a new season)
    return key.marked or key.subtitle


#: A sequel found by title may start this long before its predecessor's last episode.
OVERLAP = timedelta(days=14)


def compatible(a: Node, b: Node) -> bool:
    """``b`` may follow ``a``: it starts after ``a`` started and (nearly) ended."""
    if a.start is not None and b.start is not None and a.start >= b.start:
        return False
    if a.end is not None and b.start is not None and b.start < a.end - OVERLAP:
        return False
    if b.start is None and a.start is None:
        return _numbered_after(a, b) and not _tvdb_veto(a, b)
    if _tvdb_veto(a, b):
        return False
    sa, sb = a.tkey.season, b.tkey.season
    return sa is None or sb is None or sa <= sb


def _numbered_after(a: Node, b: Node) -> bool:
    """Two undated entries: ``b`` may follow ``a`` only when both have the same base title and
    ``b``'s numbers a later season than ``a``'s (an unnumbered title is season 1): "Kkoma Bus
    Tayo 3" after "Kkoma Bus Tayo 2"; a subtitle on a shared stem is not enough to order them."""
    sb = b.tkey.season
    return a.tkey.base == b.tkey.base and sb is not None and sb > (a.tkey.season or 1)


def _order(a: Node) -> tuple[date, int, int]:
    """Sort key of a predecessor candidate (the greatest wins): the latest start, and among
    undated entries the highest season number."""
    return (a.sort_date(), a.tkey.season or 1, a.key)


def _latest_before(b: Node, candidates: Iterable[Node]) -> Node | None:
    best: Node | None = None
    for a in candidates:
        if a.key == b.key or not compatible(a, b):
            continue
        if best is None or _order(a) > _order(best):
            best = a
    return best


def title_links(nodes: dict[int, Node]) -> list[RawLink]:
    """ "X 2nd Season", "X Season 3", "X II", "X Part 2", "X: The Final Season", "X: <arc>-hen".

    The predecessor is the main-line entry whose base title or stem is the sequel's base or stem
    and that started last before it. A subtitle alone (no season marker) does not continue an
    entry with no end (a long runner still airing: "One Piece: Gyojin Tou-hen" is a re-edit).
    """
    index: dict[str, list[Node]] = defaultdict(list)
    for node in nodes.values():
        if node.main and node.mal_id is not None:
            for k in node.tkey.keys():
                index[k].append(node)
    out = []
    for b in nodes.values():
        if b.main and _may_continue(b):
            pool = [a for k in b.tkey.keys() for a in index.get(k, ())]
            a = _latest_before(b, pool)
            if a is not None and (b.tkey.marked or a.end is not None):
                ev = Evidence("title", f"{b.title!r} continues {a.title!r}", None)
                out.append(RawLink(a.key, b.key, "sequel", RANK["title"], ev))
        elif not b.main:
            out.extend(_title_member(b, index))
    return out


def _title_member(x: Node, index: dict[str, list[Node]]) -> list[RawLink]:
    stem = format_stem(x.title)
    mains = sorted(index.get(stem, ()), key=Node.sort_date)
    if not stem or not mains:
        return []
    anchor = _nearest(mains, x.start)
    ev = Evidence("title", f"{x.title!r} has the stem {stem!r} of {anchor.title!r}", None)
    return [RawLink(x.key, anchor.key, "member", RANK["title"], ev)]


# -- (4) Fribb collections -------------------------------------------------------------------


def _agree(a: Node, b: Node) -> bool:
    same_tvdb = a.tvdb_series is not None and a.tvdb_series == b.tvdb_series
    return same_tvdb or loosely_agree(a.tkey, b.tkey)


def _remake(a: Node, b: Node) -> bool:
    """``b`` looks like a remake of ``a`` (same stem, no marker, or a year) or a spin-off."""
    if _spin_off(b):
        return True
    if b.tkey.marked or b.tkey.subtitle:
        return b.tkey.season == 1
    return b.tkey.year is not None or a.tkey.stem == b.tkey.stem


def _cluster_links(
    name: str, members: list[Node], observed: date | None, ref: date | None
) -> list[RawLink]:
    mains = sorted((n for n in members if n.main), key=Node.sort_date)
    out = []
    for i, b in enumerate(mains):
        if b.start is None or (ref is not None and b.start > ref):
            continue  # an untyped cluster alone never makes an unaired entry the announced season
        pool = [a for a in mains[:i] if _agree(a, b) and not _remake(a, b)]
        a = _latest_before(b, pool)
        if a is not None:
            ev = Evidence("fribb_collections", f"cluster {name!r}, titles agree", observed)
            out.append(RawLink(a.key, b.key, "sequel", RANK["collection"], ev))
    for x in members:
        if x.main:
            continue
        pool = [a for a in mains if _agree(a, x)]
        if pool:
            anchor = _nearest(pool, x.start)
            ev = Evidence("fribb_collections", f"cluster {name!r}, titles agree", observed)
            out.append(RawLink(x.key, anchor.key, "member", RANK["collection"], ev))
    return out


def collection_links(
    snapshot: Snapshot, nodes: dict[int, Node], ref: date | None = None
) -> list[RawLink]:
    """Fribb clusters, only where titles or TVDB series agree (the clusters over-merge). A season
    not aired by ``ref`` (undated, or starting after it) gets no sequel link from a cluster: an
    untyped cluster is no evidence that a new series continues an old one ("Zoids Wild")."""
    clusters: dict[str, list[Node]] = defaultdict(list)
    observed: dict[str, date] = {}
    for m in snapshot.collection_members:
        node = nodes.get(m.mal_id)
        if node is not None:
            clusters[m.collection].append(node)
            observed[m.collection] = max(observed.get(m.collection, m.observed_at), m.observed_at)
    out = []
    for name, members in clusters.items():
        out.extend(_cluster_links(name, members, observed.get(name), ref))
    return out
