"""Link each anime with a manga / novel source to its source work, by title (pure).

Rules (``docs/source_material.md``):

1. Only TV anime whose MAL ``source`` is a manga, light novel, novel or web novel are linked, and
   only to works of a compatible type (:data:`~._works.COMPATIBLE_TYPES`) that started on or before
   the anime (a work with no start date is allowed).
2. Titles compared: the anime's main, English, Japanese titles and synonyms (and any extra titles
   given, e.g. AniList's), each normalised and with its season markers removed; the work's
   romaji, English and Japanese titles (NovelUpdates: name and every alias). Only when these
   give no candidate scoring at least :data:`MIN_SCORE`, variants are tried: without a trailing "(TV)" or "(2013)", and without a
   trailing number 2-9 or "4th" ("Chihayafuru 2", "Maria-sama ga Miteru 4th").
3. An exact match of normalised titles scores 100, and then only exact matches compete. Without
   one with a MAL work, works whose normalised title shares the anime title's first word are scored with
   rapidfuzz's ``ratio`` (best pair of titles).
4. A link is made when the best score is at least :data:`MIN_SCORE` and no other work of another
   title comes within :data:`MARGIN` of it (refuse when unsure). Works with the same best score
   are told apart by spelling (the only one whose title is exactly one of the anime's, ignoring
   case), else by popularity only when the most popular has :data:`POPULAR_RATIO` times the
   members of the next; otherwise nothing is linked.
5. An anime with still no such candidate tries the series name of its titles (the part before the first
   ":" or " - ", e.g. "Bleach" of "Bleach: Sennen Kessen-hen"), exact matches only.
6. NovelUpdates novels are candidates only when no MAL work is.
7. An anime that gets no link of its own takes its first season's link: the first entry reached by
   following prequel relations (a sequel's title often names only the sequel); when that entry
   has no link (e.g. a movie), the nearest linked prequel's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from sequelcast.domain import Anime, Relation
from sequelcast.resolve.normalize import normalize, parse_title
from sequelcast.source_material._works import ANIME_SOURCE_KIND, COMPATIBLE_TYPES, Work

MIN_SCORE = 92.0
MARGIN = 3.0
POPULAR_RATIO = 3.0
_TV_OR_YEAR = re.compile(r"\s*\((?:TV|\d{4})\)\s*$", re.IGNORECASE)
_SEQUEL_NUMBER = re.compile(r"(?<=\w) [2-9](?:nd|rd|th)?$")
_HEAD = re.compile(r":| - | ～|～")
_MIN_KEY = 3  # a normalised title with fewer letters or digits than this is never compared
#: Normalised titles made only of these words name nothing ("&" normalises to "and").
_STOP_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "no", "to", "wa", "ga", "o", "ni", "de", "x"}
)


def _usable(key: str) -> bool:
    words = key.split()
    return len(key.replace(" ", "")) >= _MIN_KEY and not all(w in _STOP_WORDS for w in words)


@dataclass(frozen=True)
class SourceLink:
    """Anime ``mal_id`` -> its source ``work``; ``via_mal_id`` is the first season it came through."""

    mal_id: int
    kind: str
    work: Work
    score: float
    matched_title: str
    via_mal_id: int | None = None


def anime_kind(anime: Anime) -> str | None:
    """The kind of source work an anime names (``None``: not a manga / novel adaptation, or not TV)."""
    if anime.type != "TV" or not anime.source_type:
        return None
    return ANIME_SOURCE_KIND.get(anime.source_type.strip().lower())


def _titles(anime: Anime, extra: Sequence[str]) -> list[str]:
    return [t for _k, t in anime.all_titles()] + list(extra)


def _anime_keys(anime: Anime, extra: Sequence[str]) -> set[str]:
    """Normalised titles without season markers."""
    return {k for k in (parse_title(t).base for t in _titles(anime, extra)) if _usable(k)}


def _variant_keys(anime: Anime, extra: Sequence[str]) -> set[str]:
    """Also without a trailing "(TV)" or "(2013)", or a trailing number 2-9 or "4th" ("Chihayafuru 2")."""
    keys = set()
    for title in _titles(anime, extra):
        base = parse_title(_TV_OR_YEAR.sub("", title)).base
        keys.add(base)
        keys.add(_SEQUEL_NUMBER.sub("", base))
    return {k for k in keys if _usable(k)} - _anime_keys(anime, extra)


class _Index:
    """Works by exact normalised title, and by the first word of each normalised title."""

    def __init__(self, works: Iterable[Work]) -> None:
        self.works: dict[tuple[str, int], Work] = {}
        self.exact: dict[str, set[tuple[str, int]]] = defaultdict(set)
        block: dict[str, list[tuple[str, tuple[str, int]]]] = defaultdict(list)
        for w in works:
            ident = (w.source, w.work_id)
            keys = {k for k in (normalize(t) for t in w.titles) if _usable(k)}
            if keys:
                self.works[ident] = w
            for k in keys:
                self.exact[k].add(ident)
                block[k.split(" ", 1)[0]].append((k, ident))
        self.block_keys = {word: [k for k, _ in rows] for word, rows in block.items()}
        self.block_ids = {word: [i for _, i in rows] for word, rows in block.items()}

    def _fits(self, ident: tuple[str, int], types: frozenset[str], start: date | None) -> bool:
        w = self.works[ident]
        return w.type in types and (start is None or w.start is None or w.start <= start)

    def candidates(
        self, keys: Iterable[str], kind: str, start: date | None, fuzzy: bool = True
    ) -> list[tuple[float, str, Work]]:
        """Compatible works scored against ``keys``: exact matches only when there are any."""
        types = COMPATIBLE_TYPES[kind]
        found: dict[tuple[str, int], tuple[float, str]] = {}
        keys = list(keys)
        for key in keys:
            for ident in self.exact.get(key, ()):
                if self._fits(ident, types, start):
                    found[ident] = (100.0, key)
        if fuzzy and not any(i[0] == "mal" for i in found):
            for key in keys:
                word = key.split(" ", 1)[0]
                choices = self.block_keys.get(word, [])
                hits = process.extract(
                    key, choices, scorer=fuzz.ratio, score_cutoff=MIN_SCORE - MARGIN, limit=None
                )
                for _k, score, pos in hits:
                    ident = self.block_ids[word][pos]
                    if self._fits(ident, types, start) and score > found.get(ident, (-1.0, ""))[0]:
                        found[ident] = (float(score), key)
        if any(i[0] == "mal" for i in found):  # NovelUpdates only when MAL has no candidate
            found = {i: v for i, v in found.items() if i[0] == "mal"}
        return sorted(((s, k, self.works[i]) for i, (s, k) in found.items()), key=lambda x: -x[0])


def _head_keys(anime: Anime, extra: Sequence[str]) -> set[str]:
    """The part of each title before its first ":" or " - " (the series name of a subtitled season)."""
    out = set()
    for title in _titles(anime, extra):
        head = _HEAD.split(title, maxsplit=1)[0]
        if head != title:
            out.add(parse_title(head).base)
    return {k for k in out if _usable(k)}


def _verbatim(title: str) -> str:
    return " ".join(title.casefold().split())


def _choose(
    cands: list[tuple[float, str, Work]], titles: set[str]
) -> tuple[float, str, Work] | None:
    """The one confident candidate, or ``None`` (no candidate, too weak, or ambiguous)."""
    if not cands or cands[0][0] < MIN_SCORE:
        return None
    best = cands[0]
    ties = [c for c in cands if c[0] == best[0]]
    same = [c for c in ties if any(_verbatim(t) in titles for t in c[2].titles)]
    if (
        len(ties) > 1 and len(same) == 1
    ):  # the only one spelled exactly like one of the anime's titles
        return same[0]
    if len(ties) > 1:
        ties.sort(key=lambda c: -(c[2].members or 0))
        first, second = ties[0][2].members or 0, ties[1][2].members or 0
        if first < POPULAR_RATIO * max(second, 1):
            return None
        best = ties[0]
    rivals = [c for c in cands if c is not best and c[0] != best[0] and c[0] >= best[0] - MARGIN]
    return None if rivals else best


def prequel_map(relations: Iterable[Relation]) -> dict[int, int]:
    """Entry -> the entry it continues (from sequel and prequel relations)."""
    out: dict[int, int] = {}
    for r in relations:
        if r.from_mal_id is None or r.to_mal_id is None or r.from_mal_id == r.to_mal_id:
            continue
        kind = r.kind.lower()
        if kind == "sequel":
            out.setdefault(r.to_mal_id, r.from_mal_id)
        elif kind == "prequel":
            out.setdefault(r.from_mal_id, r.to_mal_id)
    return out


def first_season(mal_id: int, prequels: Mapping[int, int]) -> int:
    """The first entry reached by following prequels from ``mal_id`` (cycles stop)."""
    seen = {mal_id}
    while mal_id in prequels and prequels[mal_id] not in seen:
        mal_id = prequels[mal_id]
        seen.add(mal_id)
    return mal_id


def link_sources(
    entries: Mapping[int, Anime],
    works: Iterable[Work],
    relations: Iterable[Relation] = (),
    extra_titles: Mapping[int, Sequence[str]] | None = None,
) -> dict[int, SourceLink]:
    """Anime MAL id -> its :class:`SourceLink`, for every TV anime with a manga / novel source linked."""
    index = _Index(works)
    extra = extra_titles or {}
    own: dict[int, SourceLink] = {}
    for mal_id, anime in entries.items():
        kind = anime_kind(anime)
        if kind is None:
            continue
        titles = extra.get(mal_id, ())
        verbatim = {_verbatim(t) for t in _titles(anime, titles)}
        chosen = None
        for keys, fuzzy in (
            (_anime_keys(anime, titles), True),
            (_variant_keys(anime, titles), True),
            (_head_keys(anime, titles), False),
        ):
            cands = index.candidates(keys, kind, anime.start_date, fuzzy)
            if cands and cands[0][0] >= MIN_SCORE:  # a confident tier decides, even by refusing
                chosen = _choose(cands, verbatim)
                break
        if chosen is not None:
            own[mal_id] = SourceLink(mal_id, kind, chosen[2], chosen[0], chosen[1])
    prequels = prequel_map(relations)
    out = dict(own)
    for mal_id, anime in entries.items():
        kind = anime_kind(anime)
        if kind is None or mal_id in own:
            continue
        root = _linked_prequel(mal_id, prequels, own)
        link = own.get(root) if root is not None else None
        if link is not None and link.kind == kind:
            out[mal_id] = SourceLink(mal_id, kind, link.work, link.score, link.matched_title, root)
    return out


def _linked_prequel(
    mal_id: int, prequels: Mapping[int, int], own: Mapping[int, SourceLink]
) -> int | None:
    """The first season when it is linked, else the nearest linked prequel (a movie root has no link)."""
    chain, seen, cur = [], {mal_id}, mal_id
    while cur in prequels and prequels[cur] not in seen:
        cur = prequels[cur]
        seen.add(cur)
        chain.append(cur)
    if chain and chain[-1] in own:
        return chain[-1]
    return next((m for m in chain if m in own), None)
