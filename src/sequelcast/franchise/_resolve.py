"""Turn candidate links into chains of main-line seasons, and attach everything else to a chain.

Precedence: links are taken best rank first (erengy 1, TVDB 2, title 3, collection 4). A sequel
link is accepted when its first end has no successor yet, its second end no predecessor, and it
closes no cycle; otherwise it is kept, marked rejected, with the reason. The same pair seen by
several sources is one link with all their evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sequelcast.domain import Evidence
from sequelcast.franchise._links import RANK, RawLink, compatible
from sequelcast.franchise._nodes import Node


@dataclass
class MergedLink:
    """All evidence for one ``(a, b, kind)`` triple."""

    a: int
    b: int
    kind: str
    rank: int
    evidence: list[Evidence] = field(default_factory=list)
    accepted: bool = False
    note: str = ""


def merge(raw: list[RawLink]) -> list[MergedLink]:
    """Group raw links by ``(a, b, kind)``; the best rank wins, evidence is kept best first."""
    merged: dict[tuple[int, int, str], MergedLink] = {}
    for link in sorted(raw, key=lambda r: r.rank):
        key = (link.a, link.b, link.kind)
        m = merged.get(key)
        if m is None:
            m = merged[key] = MergedLink(link.a, link.b, link.kind, link.rank)
        if link.evidence not in m.evidence:
            m.evidence.append(link.evidence)
    return list(merged.values())


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@dataclass
class Chains:
    """Accepted main-line order: ``succ[a] = b`` and ``pred[b] = a``."""

    succ: dict[int, int] = field(default_factory=dict)
    pred: dict[int, int] = field(default_factory=dict)

    def heads(self, nodes: dict[int, Node]) -> list[int]:
        """Every main node with no predecessor, in key order."""
        return sorted(k for k, n in nodes.items() if n.main and k not in self.pred)

    def walk(self, head: int) -> list[int]:
        out = [head]
        while out[-1] in self.succ:
            out.append(self.succ[out[-1]])
        return out


def _sequel_order(nodes: dict[int, Node]) -> Callable[[MergedLink], tuple[int, date, int]]:
    def key(link: MergedLink) -> tuple[int, date, int]:
        return (link.rank, nodes[link.b].sort_date(), link.b)

    return key


def _refusal(link: MergedLink, chains: Chains, uf: _UnionFind) -> str:
    if link.a in chains.succ:
        return f"{link.a} already continues into {chains.succ[link.a]} (better evidence)"
    if link.b in chains.pred:
        return f"{link.b} already continues {chains.pred[link.b]} (better evidence)"
    if uf.find(link.a) == uf.find(link.b):
        return "would close a cycle"
    return ""


def build_chains(links: list[MergedLink], nodes: dict[int, Node]) -> Chains:
    """Accept sequel links greedily by precedence (marks ``accepted`` and ``note`` in place).

    A refused link can still place an entry (*splicing*; the new link is appended to ``links``
    with the same evidence):

    - a refused TVDB or title link ``a -> b`` whose ``b`` has no predecessor yet puts ``b``
      after the last season of ``a``'s chain that started before it (and, when ``b`` is a lone
      entry, before the season that follows);
    - a refused link ``a -> b`` whose ``b`` already continues ``p``, where ``p`` starts a chain
      and ``a`` ends one and started before ``p``, links ``a -> p`` (``p`` sits between them).
    """
    chains = Chains()
    uf = _UnionFind()
    for link in sorted((m for m in links if m.kind == "sequel"), key=_sequel_order(nodes)):
        reason = _refusal(link, chains, uf)
        if not reason:
            link.accepted = True
            _join(chains, uf, link.a, link.b)
            continue
        link.note = reason
        spliced = _splice(link, chains, nodes, uf) or _splice_before(link, chains, nodes, uf)
        if spliced is not None:
            links.append(spliced)
    return chains


def _join(chains: Chains, uf: _UnionFind, a: int, b: int) -> None:
    chains.succ[a] = b
    chains.pred[b] = a
    uf.union(a, b)


def _before(a: Node, b: Node) -> bool:
    """``a`` started before ``b`` (an undated ``b``, an announced entry, comes after every dated one)."""
    return a.start is not None and (b.start is None or a.start < b.start)


def _splice(
    link: MergedLink, chains: Chains, nodes: dict[int, Node], uf: _UnionFind
) -> MergedLink | None:
    b = nodes[link.b]
    if link.rank not in (RANK["tvdb"], RANK["title"]) or link.b in chains.pred:
        return None
    x = link.a
    while x in chains.succ and _before(nodes[chains.succ[x]], b):
        x = chains.succ[x]
    c = chains.succ.get(x)
    if uf.find(x) == uf.find(link.b) or not compatible(nodes[x], b):
        return None
    if c is not None and link.b in chains.succ:
        return None
    _join(chains, uf, x, link.b)
    if c is not None:
        _join(chains, uf, link.b, c)
    note = f"spliced from {link.a} -> {link.b}" + (f", before {c}" if c is not None else "")
    return MergedLink(x, link.b, "sequel", link.rank, list(link.evidence), True, note)


def attach_others(
    links: list[MergedLink], nodes: dict[int, Node], owner: dict[int, int]
) -> dict[int, int]:
    """Give each non-main node the owner (chain head) of what it is linked to, best rank first.

    ``owner`` maps every main node to its chain head on entry; the returned mapping also holds
    the attached nodes. Nodes that reach no chain are grouped among themselves.
    """
    members = sorted((m for m in links if m.kind == "member"), key=lambda m: m.rank)
    changed = True
    while changed:
        changed = False
        for link in members:
            for x, y in ((link.a, link.b), (link.b, link.a)):
                if x not in owner and not nodes[x].main and y in owner:
                    owner[x] = owner[y]
                    link.accepted = True
                    changed = True
    _group_orphans(members, nodes, owner)
    return owner


def _group_orphans(
    members: list[MergedLink], nodes: dict[int, Node], owner: dict[int, int]
) -> None:
    uf = _UnionFind()
    for link in members:
        if link.a not in owner and link.b not in owner:
            uf.union(link.a, link.b)
            link.accepted = True
    groups: dict[int, list[int]] = {}
    for key in nodes:
        if key not in owner:
            groups.setdefault(uf.find(key), []).append(key)
    for keys in groups.values():
        head = min(keys, key=lambda k: (nodes[k].sort_date(), k < 0, abs(k)))
        for k in keys:
            owner[k] = head


def _splice_before(
    link: MergedLink, chains: Chains, nodes: dict[int, Node], uf: _UnionFind
) -> MergedLink | None:
    p = chains.pred.get(link.b)
    if p is None or p == link.a or p in chains.pred or link.a in chains.succ:
        return None
    a, mid = nodes[link.a], nodes[p]
    if not _before(a, mid) or not compatible(a, mid) or uf.find(link.a) == uf.find(p):
        return None
    _join(chains, uf, link.a, p)
    note = f"spliced from {link.a} -> {link.b}: {p} comes between"
    return MergedLink(link.a, p, "sequel", link.rank, list(link.evidence), True, note)
