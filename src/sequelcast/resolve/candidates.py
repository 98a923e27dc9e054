"""The title index: every way of finding candidate titles for a query, built once.

:class:`TitleIndex` keeps, for the titles it was given:

- dictionaries for exact look-ups (verbatim, normalised, normalised without spaces, and without
  season markers);
- the alias table of :mod:`sequelcast.resolve.aliases`, keyed like the compact form;
- the initials of every title of three to eight words ("aot" for "attack on titan");
- a sorted list of titles for prefix look-ups;
- a character-trigram index that picks at most a few hundred fuzzy candidates, which
  ``rapidfuzz`` then scores, so a typo costs a fraction of a millisecond instead of a full scan.

:meth:`TitleIndex.search` gathers candidates from all of them, scores them with
:mod:`sequelcast.resolve.score`, keeps the best title per entry and ranks the entries.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from sequelcast.domain import TitleRecord
from sequelcast.errors import ResolveError
from sequelcast.resolve.aliases import ALIASES
from sequelcast.resolve.normalize import ParsedTitle, SeasonHint, parse_title
from sequelcast.resolve.score import (
    DERIVATIVE,
    DERIVATIVE_WORDS,
    FUZZY_CUTOFF,
    PART_OTHER,
    TIER,
    Match,
    rank_key,
    season_adjustment,
)

#: How many fuzzy candidates the trigram filter hands to rapidfuzz, and how many prefix hits.
FUZZY_CANDIDATES = 100
PREFIX_CANDIDATES = 100
#: Entries kept per acronym (the most popular first).
ACRONYM_CANDIDATES = 20
#: Entries of a franchise looked at when the query names a season.
SEASON_SOURCES = 10
#: Franchises whose best title is within this many points of the best one count as named.
NAMED_MARGIN = 3.0
#: A query word this long or longer may be a one-letter typo of a title's word found in at most
#: COMMON_WORD titles.
WORD_TYPO_MIN = 5
COMMON_WORD = 30
_NOT_SEASON_BEFORE = frozenset(
    {"no", "part", "movie", "film", "vol", "volume", "episode", "ep", "chapter", "op", "ed", "ova"}
)
_KIND_ORDER = {"main": 0, "english": 1, "synonym": 2, "alias": 3, "japanese": 4}


class _Title(NamedTuple):
    mal_id: int
    text: str
    kind: str
    norm: str
    base: str
    season: SeasonHint | None
    part: int | None


@dataclass
class _Hit:
    """The best way one title was found so far."""

    text_score: float
    reason: str
    kind: str | None = None  # overrides the title's kind ("alias")
    via: int | None = None  # title index this hit was inferred from (franchise season)


class _Trigrams:
    """Character-trigram postings over a list of strings, built and queried with numpy.

    Each trigram is coded as one integer from its three code points; the postings are stored
    as one sorted array of codes, one array of offsets and one array of string ids (CSR).
    """

    def __init__(self, strings: list[str]) -> None:
        self.size = len(strings)
        codes, owners = _gram_codes(strings)
        order = np.argsort(codes, kind="stable")  # owners stay ascending within a trigram
        codes, owners = codes[order], owners[order]
        keep = np.ones(len(codes), dtype=bool)  # a trigram counts once per string
        keep[1:] = (codes[1:] != codes[:-1]) | (owners[1:] != owners[:-1])
        codes, owners = codes[keep], owners[keep]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes[:0]
        self.codes = codes[starts]
        self.offsets = np.append(starts, len(codes))
        self.ids = owners.astype(np.int32)

    def top(self, query: str, k: int) -> list[int]:
        """Ids of the (at most) ``k`` strings sharing the most trigrams with ``query``."""
        grams = np.unique(_gram_codes([query])[0])
        if not len(self.codes) or not len(grams):
            return []
        found = np.minimum(np.searchsorted(self.codes, grams), len(self.codes) - 1)
        found = found[self.codes[found] == grams]
        if not len(found):
            return []
        arrays = [self.ids[self.offsets[f] : self.offsets[f + 1]] for f in found.tolist()]
        counts = np.bincount(np.concatenate(arrays), minlength=self.size)
        ids = np.flatnonzero(counts >= max(1, len(grams) // 3))
        if len(ids) > k:
            ids = ids[np.argpartition(-counts[ids], k)[:k]]
        return ids.tolist()


def _gram_codes(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the trigrams of every padded string, and the index of their string."""
    text = "".join(f" {s} " for s in strings)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(s) + 2 for s in strings), dtype=np.int64, count=len(strings))
    owner = np.repeat(np.arange(len(strings), dtype=np.int64), lengths)
    if len(points) < 3:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    codes = (points[:-2] << np.uint64(42)) | (points[1:-1] << np.uint64(21)) | points[2:]
    same = owner[:-2] == owner[2:]
    return codes[same], owner[:-2][same]


def _similarity(query: str, strings: list[str]) -> list[tuple[int, float]]:
    """Positions and scores (0-100) of the ``strings`` similar to ``query``, above the cutoff.

    The score is the best of ``ratio`` (typos), ``token_sort_ratio`` x 0.95 (word order),
    ``token_set_ratio`` x 0.85 (extra or missing words) and, for strings at least 1.5 times as
    long as a query of five characters or more, ``partial_ratio`` x 0.9 (the query is a misspelt
    part of the title).
    ``WRatio`` is not used: its partial token-set step scores any two titles sharing one short
    word ("no", "o") at 85.5.
    """
    queries = [query]

    def cdist(scorer: Callable[..., float], choices: list[str]) -> np.ndarray:
        scores = process.cdist(queries, choices, scorer=scorer, processor=None, dtype=np.float32)
        return np.asarray(scores[0])

    score = np.maximum.reduce(
        [
            cdist(fuzz.ratio, strings),
            cdist(fuzz.token_sort_ratio, strings) * 0.95,
            cdist(fuzz.token_set_ratio, strings) * 0.85,
        ]
    )
    long = (
        [i for i, s in enumerate(strings) if len(s) >= 1.5 * len(query)] if len(query) >= 5 else []
    )
    if long:
        partial = cdist(fuzz.partial_ratio, [strings[i] for i in long]) * 0.9
        score[long] = np.maximum(score[long], partial)
    keep = np.flatnonzero(score >= FUZZY_CUTOFF)
    return [(int(i), round(float(score[i]), 1)) for i in keep]


def _compact(norm: str) -> str:
    return norm.replace(" ", "")


def _with_markers(base: str, season: SeasonHint | None, part: int | None) -> str:
    """The normalised title made of ``base`` and canonical season and part tokens."""
    words = [base]
    if season is not None:
        words.append("final" if season == "final" else f"s{season}")
    if part is not None:
        words.append(f"p{part}")
    return " ".join(words)


def _unnamed_part(q: ParsedTitle, t: _Title, part: int | None) -> tuple[float, str | None]:
    """Penalty for an exact title shared by a later part of a season ("ReZero 2nd Season")."""
    if q.part is None and t.part is None and part is not None and part > 1:
        return PART_OTHER, f"part {part}, none asked"
    return 0.0, None


def _numbered_season(p: ParsedTitle) -> tuple[str, SeasonHint | None]:
    """Read a title ending in a small bare number ("Konosuba! 3", "One Punch Man 3") as that season.

    Only for the index (``normalize`` keeps the number as a word): the number must be 2 to 20,
    without a leading zero, after at least two words, and not follow "no", "part", "movie"...
    ("Kaiju No. 8", "Steins;Gate 0", "Mob Psycho 100", "Haikyuu!! Movie 2" keep their number).
    """
    if p.season is not None or not p.base[-1:].isdigit():
        return p.base, p.season
    words = p.base.split()
    if len(words) < 3 or not words[-1].isdigit():
        return p.base, p.season
    last = words[-1]
    if last[0] == "0" or not 2 <= int(last) <= 20 or words[-2] in _NOT_SEASON_BEFORE:
        return p.base, p.season
    return " ".join(words[:-1]), int(last)


def _derivative(norm: str) -> bool:
    return not DERIVATIVE_WORDS.isdisjoint(norm.split())


def _later(q: ParsedTitle, season: SeasonHint | None, part: int | None) -> int:
    """How far past the first season/part an entry is, when the query names neither (else 0)."""
    if q.season is not None or q.part is not None:
        return 0
    later = 3 if season == "final" else max(season - 1, 0) if isinstance(season, int) else 0
    return later + max((part or 1) - 1, 0)


def _initials(base: str) -> str | None:
    """Initials of a title of three to eight ASCII words ("attack on titan" -> "aot")."""
    if not base.isascii() or not 2 <= base.count(" ") <= 7:
        return None
    return "".join(w[0] for w in base.split())


class TitleIndex:
    """Every title of a catalog, indexed for :meth:`search`.

    Build it once and reuse it; it is read-only afterwards. Building takes about a second for
    the 40,000 titles of the real data (see ``docs/resolve.md``).

    Parameters
    ----------
    titles : iterable of TitleRecord
        Every title of every entry. The first ``main`` title of an entry is its display title.
    popularity : mapping of int to int, optional
        MAL id -> members; a tie-breaker (the more popular entry first).
    types : mapping of int to str, optional
        MAL id -> entry type (``TV``, ``Movie``, ``OVA``...); TV entries are preferred slightly.
    seasons : mapping of int to (str, int), optional
        MAL id -> (franchise id, season number). With it a query naming a season ("season 3",
        "final season") finds that season of the franchise even when its title carries no number.
    franchises : mapping of int to str, optional
        MAL id -> franchise id of every member (seasons, movies, OVAs, spin-offs). Entries of one
        franchise are then not "ambiguous" with each other in :func:`resolve_one`, and a season
        bonus goes only to the franchise the query names. Entries missing from it and from
        ``seasons`` are a franchise of their own.
    season_counts : mapping of str to int, optional
        Franchise id -> number of seasons, announced ones included (those may have no MAL id yet).
        Default: the highest season number of ``seasons``.

    Examples
    --------
    >>> from sequelcast.domain import TitleRecord
    >>> index = TitleIndex(
    ...     [TitleRecord(16498, "Shingeki no Kyojin", "main"),
    ...      TitleRecord(16498, "Attack on Titan", "english"),
    ...      TitleRecord(25777, "Shingeki no Kyojin Season 2", "main"),
    ...      TitleRecord(25777, "Attack on Titan Season 2", "english")],
    ...     popularity={16498: 4_300_000, 25777: 3_000_000},
    ... )
    >>> [m.mal_id for m in index.search("AOT season 2")]
    [25777, 16498]
    >>> index.search("shingeki no kyojn")[0].title
    'Shingeki no Kyojin'
    """

    def __init__(
        self,
        titles: Iterable[TitleRecord],
        popularity: Mapping[int, int] | None = None,
        *,
        types: Mapping[int, str] | None = None,
        seasons: Mapping[int, tuple[str, int]] | None = None,
        franchises: Mapping[int, str] | None = None,
        season_counts: Mapping[str, int] | None = None,
    ) -> None:
        self._popularity = dict(popularity or {})
        self._tv = {mal_id for mal_id, kind in (types or {}).items() if kind == "TV"}
        self._seasons = dict(seasons or {})
        self._franchises: dict[str, dict[int, list[int]]] = {}
        for mal_id, (franchise, number) in self._seasons.items():
            self._franchises.setdefault(franchise, {}).setdefault(number, []).append(mal_id)
        self._member_of = {m: f for m, (f, _) in self._seasons.items()} | dict(franchises or {})
        self._season_counts = {f: max(n) for f, n in self._franchises.items()}
        self._season_counts.update(season_counts or {})
        self._titles: list[_Title] = []
        self._main: dict[int, str] = {}
        self._raw: dict[str, list[int]] = {}
        self._norm: dict[str, list[int]] = {}
        self._compact: dict[str, list[int]] = {}
        self._base: dict[str, list[int]] = {}
        self._main_index: dict[int, int] = {}
        self._entry_season: dict[int, tuple[SeasonHint | None, int | None]] = {}
        self._add_titles(titles)
        self._choices = list(self._base)
        self._choice_ids = {b: i for i, b in enumerate(self._choices)}
        self._choice_titles = [self._base[b] for b in self._choices]
        self._trigrams = _Trigrams(self._choices)
        self._word_titles: dict[str, list[int]] = {}
        for cid, base in enumerate(self._choices):
            for word in set(base.split()):
                if len(word) >= WORD_TYPO_MIN and word.isalpha():
                    self._word_titles.setdefault(word, []).append(cid)
        self._words = list(self._word_titles)
        self._word_trigrams = _Trigrams(self._words)
        self._sorted = sorted(self._base)
        self._acronyms = self._build_acronyms()
        self._aliases = self._build_aliases()

    # -- building -------------------------------------------------------------------------------

    def _add_titles(self, titles: Iterable[TitleRecord]) -> None:
        parsed: dict[str, ParsedTitle] = {}
        seen_raw: set[tuple[int, str]] = set()
        seen_norm: set[tuple[int, str]] = set()
        has_main: set[int] = set()
        main, out = self._main, self._titles
        by_raw, by_norm, by_compact, by_base = self._raw, self._norm, self._compact, self._base
        for rec in titles:
            text = rec.title.strip() if rec.title else ""
            p = parsed.get(text)
            if p is None:
                p = parsed[text] = parse_title(text)
            mal_id = rec.mal_id
            if not p.norm or (mal_id, raw := text.casefold()) in seen_raw:
                continue
            seen_raw.add((mal_id, raw))
            if rec.kind == "main" and mal_id not in has_main:
                has_main.add(mal_id)
                main[mal_id] = text
            elif mal_id not in main:
                main[mal_id] = text
            idx = len(out)
            base, season = _numbered_season(p)
            out.append(_Title(mal_id, text, rec.kind, p.norm, base, season, p.part))
            by_raw.setdefault(raw, []).append(idx)
            if (mal_id, p.norm) in seen_norm:
                continue  # same title up to punctuation: the first spelling serves for the rest
            seen_norm.add((mal_id, p.norm))
            by_norm.setdefault(p.norm, []).append(idx)
            by_compact.setdefault(p.norm.replace(" ", ""), []).append(idx)
            by_base.setdefault(base, []).append(idx)
        self._summarise_entries()

    def _summarise_entries(self) -> None:
        """Each entry's display-title index and its season and part, read from its titles."""
        ranked = sorted(
            range(len(self._titles)), key=lambda i: _KIND_ORDER.get(self._titles[i].kind, 9)
        )
        for i in ranked:
            t = self._titles[i]
            if t.text == self._main[t.mal_id] or t.mal_id not in self._main_index:
                self._main_index[t.mal_id] = i
            if t.season is None and t.part is None:
                continue
            season, part = self._entry_season.get(t.mal_id, (None, None))
            self._entry_season[t.mal_id] = (t.season if season is None else season, part or t.part)

    def _build_acronyms(self) -> dict[str, list[int]]:
        by_initials: dict[str, list[int]] = {}
        for base, ids in self._base.items():
            initials = _initials(base)
            if initials is not None:
                by_initials.setdefault(initials, []).extend(ids)
        for ids in by_initials.values():
            if len(ids) > 1:
                ids.sort(key=lambda i: -self.members(self._titles[i].mal_id))
                del ids[ACRONYM_CANDIDATES:]
        return by_initials

    def _build_aliases(self) -> dict[str, tuple[str, ParsedTitle]]:
        out: dict[str, tuple[str, ParsedTitle]] = {}
        for nickname, canonical in ALIASES.items():
            target = parse_title(canonical)
            if target.norm in self._norm:
                out[_compact(parse_title(nickname).norm)] = (nickname, target)
        return out

    # -- public ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of entries (distinct MAL ids) with at least one title."""
        return len(self._main)

    @property
    def n_titles(self) -> int:
        """Number of distinct titles indexed (after dropping exact repeats within an entry)."""
        return len(self._titles)

    def members(self, mal_id: int) -> int:
        """The popularity (members) the index was given for ``mal_id``, 0 when unknown."""
        return self._popularity.get(mal_id, 0)

    def franchise_of(self, mal_id: int) -> str:
        """The franchise id of an entry (``"mal:<id>"`` of its own when the index knows none)."""
        return self._member_of.get(mal_id) or f"mal:{mal_id}"

    def season_count(self, franchise: str) -> int | None:
        """How many seasons a franchise has (announced ones included), ``None`` when unknown."""
        return self._season_counts.get(franchise)

    def has_season(self, franchise: str, number: int) -> bool:
        """Whether season ``number`` of ``franchise`` has an entry in the index."""
        return any(m in self._main for m in self._franchises.get(franchise, {}).get(number, ()))

    def franchise_title(self, franchise: str) -> str | None:
        """The main title of a franchise's first season in the index, ``None`` when unknown."""
        numbers = self._franchises.get(franchise, {})
        for number in sorted(numbers):
            for mal_id in numbers[number]:
                if mal_id in self._main:
                    return self._main[mal_id]
        return None

    def search(self, query: str, limit: int = 10) -> list[Match]:
        """Rank the entries matching ``query``, best first, one :class:`Match` per entry.

        Parameters
        ----------
        query : str
            A title, a nickname, an abbreviation or a misspelling, in any script, optionally naming
            a season ("kaguya sama season 3", "AOT final season", "overlord 4").
        limit : int, default 10
            Maximum number of matches returned.

        Returns
        -------
        list of Match
            Possibly empty, ordered by confidence plus a small popularity tie-breaker.

        Raises
        ------
        ResolveError
            When ``query`` is empty or holds no letter or digit.

        Examples
        --------
        >>> from sequelcast.domain import TitleRecord
        >>> index = TitleIndex([TitleRecord(40938, "Higehiro", "synonym"),
        ...                     TitleRecord(40938, "Hige wo Soru. Soshite Joshikousei wo Hirou.", "main")])
        >>> match = index.search("hige wo soru soshite")[0]
        >>> match.mal_id, match.title, match.kind
        (40938, 'Hige wo Soru. Soshite Joshikousei wo Hirou.', 'main')
        """
        return self.search_asked(query, limit)[1]

    def search_asked(self, query: str, limit: int = 10) -> tuple[ParsedTitle, list[Match]]:
        """:meth:`search`, and the query as read: its title and the season and part it names.

        Examples
        --------
        >>> from sequelcast.domain import TitleRecord
        >>> asked, matches = TitleIndex([TitleRecord(1, "Overlord", "main")]).search_asked("overlord 5")
        >>> asked.base, asked.season, matches[0].mal_id
        ('overlord', 5, 1)
        """
        q = parse_title(query) if isinstance(query, str) else None
        if q is None or not q.norm:
            raise ResolveError(
                f"empty title query {query!r}: type a title, e.g. 'Higehiro' or 'kaguya sama season 3'",
                [],
            )
        hits: dict[int, _Hit] = {}
        self._exact(query, q, hits)
        q = self._read_trailing_number(q, hits)
        alias = self._alias(q, hits)
        self._same_base(alias or q, hits, TIER["base"])
        self._fuzzy(q, hits)
        self._word_typo(q, hits)
        self._acronym(q, hits)
        asked = alias or q
        if asked.season is not None and self._seasons:
            self._franchise_seasons(asked, hits)
        return asked, self._rank(asked, hits, limit)

    # -- candidate sources ----------------------------------------------------------------------

    @staticmethod
    def _add(hits: dict[int, _Hit], ids: Iterable[int], hit: _Hit) -> None:
        for i in ids:
            old = hits.get(i)
            if old is None or old.text_score < hit.text_score:
                hits[i] = hit

    def _exact(self, query: str, q: ParsedTitle, hits: dict[int, _Hit]) -> None:
        self._add(
            hits, self._raw.get(query.strip().casefold(), ()), _Hit(TIER["raw"], "exact title")
        )
        self._add(hits, self._norm.get(q.norm, ()), _Hit(TIER["exact"], "same title, normalised"))
        self._add(
            hits,
            self._compact.get(_compact(q.norm), ()),
            _Hit(TIER["compact"], "same title, spaces aside"),
        )

    def _read_trailing_number(self, q: ParsedTitle, hits: dict[int, _Hit]) -> ParsedTitle:
        """Read "overlord 4" as season 4 of "overlord" when the words before the number are a title."""
        words = q.base.split()
        if hits or q.season is not None or len(words) < 2 or not words[-1].isdigit():
            return q
        number, rest = int(words[-1]), " ".join(words[:-1])
        if not 1 <= number <= 30:
            return q
        if rest in self._base or _compact(rest) in self._aliases:
            return ParsedTitle(q.norm, rest, number, q.part)
        return q

    def _alias(self, q: ParsedTitle, hits: dict[int, _Hit]) -> ParsedTitle | None:
        found = self._aliases.get(_compact(q.base))
        if found is None:
            return None
        nickname, target = found
        season = q.season if q.season is not None else target.season
        part = q.part if q.part is not None else target.part
        asked = ParsedTitle(_with_markers(target.base, season, part), target.base, season, part)
        hit = _Hit(TIER["alias"], f"nickname {nickname!r}", kind="alias")
        found_exactly = {
            self._titles[i].mal_id for i, h in hits.items() if h.text_score >= TIER["exact"]
        }
        ids = [
            i for i in self._norm.get(asked.norm, ()) if self._titles[i].mal_id not in found_exactly
        ]
        self._add(hits, ids, hit)
        return asked

    def _same_base(self, q: ParsedTitle, hits: dict[int, _Hit], score: float) -> None:
        ids = [i for i in self._base.get(q.base, ()) if self._titles[i].norm != q.norm]
        self._add(hits, ids, _Hit(score, "same title, season aside"))

    def _fuzzy(self, q: ParsedTitle, hits: dict[int, _Hit]) -> None:
        """Prefix titles and, unless an exact title was found, trigram candidates, scored."""
        if len(q.base) < 2:
            return
        cids: set[int] = set()
        prefix = q.base + " "
        start = bisect.bisect_left(self._sorted, prefix)
        for base in self._sorted[start : start + PREFIX_CANDIDATES]:
            if not base.startswith(prefix):
                break
            cids.add(self._choice_ids[base])
        exact_found = any(h.text_score >= TIER["compact"] for h in hits.values())
        if not exact_found:
            cids.update(self._trigrams.top(q.base, FUZZY_CANDIDATES))
        if not cids:
            return
        order = list(cids)
        strings = [self._choices[c] for c in order]
        for pos, score in _similarity(q.base, strings):
            capped = min(score, TIER["fuzzy_max"])
            hit = _Hit(capped, f"similar title ({score:.0f}%)")
            self._add(hits, self._choice_titles[order[pos]], hit)
        if len(q.base) >= 4:
            self._words_inside(q.base, order, strings, hits)

    def _words_inside(
        self, base: str, order: list[int], strings: list[str], hits: dict[int, _Hit]
    ) -> None:
        """Score titles that start with, or contain, the query's words."""
        needle = f" {base} "
        for cid, s in zip(order, strings, strict=True):
            at = f" {s} ".find(needle)
            if at < 0 or len(s) == len(base):
                continue
            coverage = len(base) / len(s)
            tier, how = (
                ("prefix", "title starts with the query")
                if at == 0
                else ("contained", "title contains the query")
            )
            self._add(hits, self._choice_titles[cid], _Hit(TIER[tier] + 8.0 * coverage, how))

    def _word_typo(self, q: ParsedTitle, hits: dict[int, _Hit]) -> None:
        """A one-word query one letter off a distinctive word of titles ("frieran" -> "frieren").

        Distinctive: in at most :data:`COMMON_WORD` titles. Skipped when an exact title was found.
        """
        word = q.base
        if len(word) < WORD_TYPO_MIN or not word.isalpha() or " " in word:
            return
        if any(h.text_score >= TIER["compact"] for h in hits.values()):
            return
        for wid in self._word_trigrams.top(word, FUZZY_CANDIDATES):
            other = self._words[wid]
            cids = self._word_titles[other]
            if other == word or len(cids) > COMMON_WORD or OSA.distance(word, other) > 1:
                continue
            for cid in cids:
                coverage = len(other) / len(self._choices[cid])
                hit = _Hit(
                    TIER["word_typo"] + 8.0 * coverage,
                    f"a word of the title, one letter off ({other!r})",
                )
                self._add(hits, self._choice_titles[cid], hit)

    def _acronym(self, q: ParsedTitle, hits: dict[int, _Hit]) -> None:
        if " " in q.base or not (3 <= len(q.base) <= 8 and q.base.isascii() and q.base.isalpha()):
            return
        for i in self._acronyms.get(q.base, ()):
            self._add(hits, (i,), _Hit(TIER["acronym"], f"initials of {self._titles[i].text!r}"))

    def _franchise_seasons(self, q: ParsedTitle, hits: dict[int, _Hit]) -> None:
        """Add the asked season of the franchise of the best candidates, found through them."""
        best: dict[str, tuple[float, int]] = {}
        for i, hit in sorted(hits.items(), key=lambda kv: -kv[1].text_score)[: SEASON_SOURCES * 4]:
            franchise = self._seasons.get(self._titles[i].mal_id, ("", 0))[0]
            if franchise and franchise not in best:
                best[franchise] = (hit.text_score, i)
            if len(best) >= SEASON_SOURCES:
                break
        for franchise, (score, source) in best.items():
            numbers = self._franchises[franchise]
            number = max(numbers) if q.season == "final" else q.season
            for mal_id in numbers.get(number, ()) if isinstance(number, int) else ():
                main = self._main_index.get(mal_id)
                if main is None:
                    continue
                reason = f"season {number} of the franchise of {self._titles[source].text!r}"
                inferred = min(score, TIER["base"])  # inferred, so never above "same title"
                self._add(hits, (main,), _Hit(inferred, reason, via=source))

    # -- ranking --------------------------------------------------------------------------------

    def _season_of(self, mal_id: int) -> tuple[SeasonHint | None, int | None, int | None]:
        """Season, part and franchise's last season of an entry (the franchise mapping wins)."""
        season, part = self._entry_season.get(mal_id, (None, None))
        known = self._seasons.get(mal_id)
        if known is None:
            return season, part, None
        return known[1], part, max(self._franchises[known[0]])

    def _named_franchises(self, q: ParsedTitle, hits: dict[int, _Hit]) -> set[str] | None:
        """The franchises whose titles match the query best, the season aside (``None``: any).

        A season query's bonus goes only to these: "Higehiro season 2" must not land on
        "Hiiro no Kakera 2nd Season" because that title has the asked number.
        """
        if q.season is None or not hits:
            return None
        best: dict[str, float] = {}
        for i, hit in hits.items():
            franchise = self.franchise_of(self._titles[i].mal_id)
            best[franchise] = max(best.get(franchise, 0.0), hit.text_score)
        top = max(best.values())
        return {f for f, score in best.items() if score >= top - NAMED_MARGIN}

    def _rank(self, q: ParsedTitle, hits: dict[int, _Hit], limit: int) -> list[Match]:
        best: dict[int, tuple[float, int, Match]] = {}
        named = self._named_franchises(q, hits)
        for i, hit in hits.items():
            t = self._titles[i]
            season, part, last = self._season_of(t.mal_id)
            reasons = [hit.reason]
            score = hit.text_score
            if score < TIER["raw"] or hit.via is not None:
                delta, why = season_adjustment(q.season, q.part, season, part, last_season=last)
                if delta > 0 and named is not None and self.franchise_of(t.mal_id) not in named:
                    delta, why = 0.0, f"season {q.season} of another franchise"
            else:  # a verbatim title or nickname carries its own season; only an unnamed part counts
                delta, why = _unnamed_part(q, t, part)
            score += delta
            if why:
                reasons.append(why)
            if score < TIER["alias"] and _derivative(t.norm) != _derivative(q.norm):
                score += DERIVATIVE
                reasons.append(
                    "a movie, OVA or special, not asked"
                    if _derivative(t.norm)
                    else "not a movie, OVA or special"
                )
            score = round(max(0.0, min(100.0, score)), 1)
            key = rank_key(
                score, self.members(t.mal_id), t.mal_id in self._tv, _later(q, season, part)
            )
            shown = self._titles[hit.via] if hit.via is not None else t
            kind = hit.kind or shown.kind
            old = best.get(t.mal_id)
            if old is not None and (old[0], old[1]) >= (key, -_KIND_ORDER.get(kind, 9)):
                continue
            main = self._main.get(t.mal_id, t.text)
            match = Match(t.mal_id, main, score, shown.text, kind, tuple(reasons))
            best[t.mal_id] = (key, -_KIND_ORDER.get(kind, 9), match)
        ranked = sorted(best.values(), key=lambda x: (-x[0], x[2].mal_id))
        return [m for _, _, m in ranked[: max(limit, 0)]]
