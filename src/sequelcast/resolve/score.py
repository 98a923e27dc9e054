"""Scores: how well one title matches a query, and when the best match is safe to return.

A candidate title gets a *text score* by the way it was found (:data:`TIER`), or from
rapidfuzz similarity for fuzzy candidates, capped below the exact tiers. A *season
adjustment* then moves it up when the title is the season the query asked for and down when it is
another one. The result is the confidence, 0 to 100, reported in :class:`Match.score`.

Matches are ordered by confidence plus a tie-breaker worth less than 2.5 points (:func:`rank_key`):
popularity (members), a slight preference for TV entries and, when the query names no season, for
earlier seasons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sequelcast.errors import ResolveError
from sequelcast.resolve.normalize import SeasonHint, normalize

if TYPE_CHECKING:
    from sequelcast.resolve.candidates import TitleIndex

#: Text score of each way a candidate can be found.
TIER = {
    "raw": 100.0,  # the query is the title, up to case and surrounding spaces
    "exact": 99.0,  # same normalised title
    "compact": 97.0,  # same normalised title once spaces are removed ("rezero")
    "alias": 100.0,  # a nickname from the curated alias table, then an exact title
    "base": 90.0,  # same title once season markers are set aside on both sides
    "prefix": 86.0,  # the query starts the title, at a word boundary (+ up to 8 for coverage)
    "contained": 82.0,  # the query is a run of whole words of the title (+ up to 8 for coverage)
    "acronym": 85.0,  # the query is the initials of the title ("aot")
    "word_typo": 80.0,  # a one-word query one letter off a distinctive word (+ up to 8 for coverage)
    "fuzzy_max": 94.0,  # cap of the WRatio score of fuzzy candidates
}
#: Fuzzy candidates scoring below this WRatio are dropped.
FUZZY_CUTOFF = 60.0
#: Season adjustments: asked-for season found, other season, no season in the title.
SEASON_MATCH = 4.0
SEASON_OTHER = -10.0
SEASON_UNKNOWN = -4.0
#: A later season (or part) when the query names none.
LATER_SEASON = -6.0
PART_MATCH = 2.0
#: A movie, OVA, special or recap when the query does not say so.
DERIVATIVE = -4.0
#: Words that mark a derivative work (compared after normalisation).
DERIVATIVE_WORDS = frozenset(
    {
        "movie",
        "movies",
        "film",
        "ova",
        "oad",
        "special",
        "specials",
        "recap",
        "gekijoban",
        "picture",
    }
)
PART_OTHER = -6.0
#: :func:`resolve_one` needs at least this confidence ...
MIN_CONFIDENCE = 80.0
#: ... and this lead over the next entry, unless the top entry is POPULARITY_RATIO times as popular.
MIN_MARGIN = 5.0
POPULARITY_RATIO = 10.0
DOMINANT_CONFIDENCE = 90.0
#: How many matches :func:`resolve_one` weighs (and returns as candidates when it refuses).
RESOLVE_CANDIDATES = 8


@dataclass(frozen=True)
class Match:
    """One entry matching a query.

    Attributes
    ----------
    mal_id : int
        The MyAnimeList id of the entry.
    title : str
        The entry's main title.
    score : float
        Confidence from 0 to 100 (100: the query is one of the entry's titles, verbatim).
    matched_on : str
        The title of the entry that matched (main, English, Japanese, a synonym or an alias).
    kind : str
        The kind of ``matched_on``: ``main``, ``english``, ``japanese``, ``synonym`` or ``alias``
        (``alias`` also when the query was a nickname from the built-in alias table).
    reasons : tuple of str
        Short explanations, e.g. ``("exact title", "season 3 as asked")``.
    """

    mal_id: int
    title: str
    score: float
    matched_on: str
    kind: str
    reasons: tuple[str, ...] = field(default=())


def season_adjustment(
    asked: SeasonHint | None,
    asked_part: int | None,
    season: SeasonHint | None,
    part: int | None,
    *,
    last_season: int | None = None,
) -> tuple[float, str | None]:
    """Score change for a title of season ``season`` (part ``part``) when the query asked ``asked``.

    Parameters
    ----------
    asked, asked_part : int or "final" or None
        The season and part named by the query (``None``: none named).
    season, part : int or "final" or None
        The season and part of the candidate (from the franchise mapping or from its title).
    last_season : int, optional
        The last season number of the candidate's franchise, when known; a query for ``"final"``
        then matches that season.

    Returns
    -------
    tuple of (float, str or None)
        The change and a short reason (``None`` when nothing changed).

    Examples
    --------
    >>> season_adjustment(3, None, 3, None)
    (4.0, 'season 3 as asked')
    >>> season_adjustment(None, None, 2, None)
    (-6.0, 'a later season (2), none asked')
    >>> season_adjustment("final", None, 4, None, last_season=4)
    (4.0, 'season final as asked')
    """
    delta = 0.0
    reason: str | None = None
    if asked is None:
        if season == "final" or (isinstance(season, int) and season > 1):
            delta, reason = LATER_SEASON, f"a later season ({season}), none asked"
    elif season == asked or (
        asked == "final" and last_season is not None and season == last_season
    ):
        delta, reason = SEASON_MATCH, f"season {asked} as asked"
    elif season is None and asked == 1:
        delta, reason = SEASON_MATCH / 2, "first season as asked"
    elif season is None:
        delta, reason = SEASON_UNKNOWN, f"season {asked} asked, title names none"
    else:
        delta, reason = SEASON_OTHER, f"season {season}, not {asked}"
    if asked_part is not None:
        same_part = (part or 1) == asked_part
        delta += PART_MATCH if same_part else PART_OTHER
        reason = reason or (
            f"part {asked_part} as asked" if same_part else f"not part {asked_part}"
        )
    elif part is not None and part > 1:
        delta += PART_OTHER
        reason = reason or f"part {part}, none asked"
    return delta, reason


def popularity_bonus(members: int) -> float:
    """Tie-breaker from 0 to 1.5 growing with the log of ``members``.

    Examples
    --------
    >>> popularity_bonus(0), popularity_bonus(10_000_000)
    (0.0, 1.5)
    """
    return 1.5 * min(1.0, math.log10(1 + max(members, 0)) / 7.0)


def rank_key(score: float, members: int, is_tv: bool, later_season: int) -> float:
    """The value matches are sorted by (descending): confidence plus tie-breakers (< 2.5 points).

    ``later_season`` counts seasons after the first; it lowers the key only a little, so that among
    equal titles the first season comes first when the query names no season.

    Examples
    --------
    >>> rank_key(90.0, 0, True, 0) > rank_key(90.0, 0, False, 0)
    True
    """
    return score + popularity_bonus(members) + (0.5 if is_tv else 0.0) - 0.2 * min(later_season, 3)


def resolve_one(index: TitleIndex, query: str) -> Match:
    """Return the one entry ``query`` means, or raise :class:`ResolveError`.

    Candidates are compared franchise by franchise (the index's ``franchises`` mapping; an entry
    outside it is a franchise of its own): entries of one franchise are never "ambiguous" with
    each other, the best of them stands for the franchise, and the members of its matching entries
    add up. The best match is returned when its confidence is at least :data:`MIN_CONFIDENCE` and
    it leads the best entry of any other franchise by :data:`MIN_MARGIN` points, or, failing the
    lead, when it has at least :data:`DOMINANT_CONFIDENCE` and its franchise's matching entries
    have :data:`POPULARITY_RATIO` times the members of the other franchise's. A query naming a
    season beyond the franchise's last ("Overlord season 5") is refused with the number of seasons
    the franchise has. Otherwise nothing is guessed.

    Parameters
    ----------
    index : TitleIndex
        The index to search.
    query : str
        What the user typed.

    Returns
    -------
    Match
        The chosen entry.

    Raises
    ------
    ResolveError
        When the query is empty, matches nothing, names a season the franchise does not have, or
        matches several franchises about equally; its ``candidates`` holds the best matches
        (possibly none) for a "did you mean" list.

    Examples
    --------
    >>> from sequelcast.domain import TitleRecord
    >>> from sequelcast.resolve import TitleIndex
    >>> index = TitleIndex(
    ...     [TitleRecord(1, "Hige wo Soru. Soshite Joshikousei wo Hirou.", "main"),
    ...      TitleRecord(1, "Higehiro", "synonym"),
    ...      TitleRecord(2, "Shingeki no Kyojin", "main")],
    ...     popularity={1: 600_000, 2: 4_000_000},
    ...     seasons={1: ("higehiro", 1), 2: ("snk", 1)},
    ... )
    >>> resolve_one(index, "hige wo soru").mal_id
    1
    >>> resolve_one(index, "qqqqq")
    Traceback (most recent call last):
    ...
    sequelcast.errors.ResolveError: no title matches 'qqqqq': check the spelling, or try the English or Japanese title
    >>> resolve_one(index, "higehiro season 2")
    Traceback (most recent call last):
    ...
    sequelcast.errors.ResolveError: 'Hige wo Soru. Soshite Joshikousei wo Hirou.' has 1 season; no 2nd season is announced
    """
    asked, matches = index.search_asked(query, limit=RESOLVE_CANDIDATES)
    if not matches:
        raise ResolveError(
            f"no title matches {query!r}: check the spelling, or try the English or Japanese title",
            [],
        )
    top = matches[0]
    if top.score < MIN_CONFIDENCE:
        raise ResolveError(
            f"no confident match for {query!r}: the best guess, {_label(top)}, scores "
            f"{top.score:.0f}/100; pick one of the candidates or give its MAL id",
            matches,
        )
    if normalize(top.matched_on) != normalize(query):  # a title typed out carries its own season
        _check_season_exists(index, asked.season, top, matches)
    mine = index.franchise_of(top.mal_id)
    others = [m for m in matches if index.franchise_of(m.mal_id) != mine]
    if not others or top.score - others[0].score >= MIN_MARGIN:
        return top
    second = others[0]
    theirs = index.franchise_of(second.mal_id)
    if top.score >= DOMINANT_CONFIDENCE and _members(
        index, matches, mine
    ) >= POPULARITY_RATIO * max(_members(index, matches, theirs), 1):
        reason = f"far more popular than {second.title!r}"
        return Match(
            top.mal_id, top.title, top.score, top.matched_on, top.kind, (*top.reasons, reason)
        )
    raise ResolveError(
        f"{query!r} is ambiguous: {_label(top)} or {_label(second)}; add a season or use the "
        "full title or the MAL id",
        matches,
    )


def _members(index: TitleIndex, matches: list[Match], franchise: str) -> int:
    """Members of the entries of ``franchise`` among ``matches`` that score within the margin."""
    best = max((m.score for m in matches if index.franchise_of(m.mal_id) == franchise), default=0.0)
    return sum(
        index.members(m.mal_id)
        for m in matches
        if index.franchise_of(m.mal_id) == franchise and m.score > best - MIN_MARGIN
    )


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``...

    Examples
    --------
    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _check_season_exists(
    index: TitleIndex, asked: SeasonHint | None, top: Match, matches: list[Match]
) -> None:
    """Refuse a season the top match's franchise does not have (or has only as an announcement)."""
    if not isinstance(asked, int) or any(r == f"season {asked} as asked" for r in top.reasons):
        return
    franchise = index.franchise_of(top.mal_id)
    count = index.season_count(franchise)
    if count is None:
        return
    name = index.franchise_title(franchise) or top.title
    if asked > count:
        plural = "season" if count == 1 else "seasons"
        raise ResolveError(
            f"{name!r} has {count} {plural}; no {ordinal(asked)} season is announced", matches
        )
    if not index.has_season(franchise, asked):
        raise ResolveError(
            f"the {ordinal(asked)} season of {name!r} is announced but has no MyAnimeList entry "
            "yet; see the franchise's page",
            matches,
        )


def _label(match: Match) -> str:
    return f"{match.title!r} (MAL {match.mal_id})"
