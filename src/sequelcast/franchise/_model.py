"""Public result types: :class:`Franchise`, :class:`FranchiseGraph`, :class:`Link`, :class:`Transition`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sequelcast.domain import Evidence, NextSeason, Season
from sequelcast.errors import NotFoundError


@dataclass(frozen=True)
class Link:
    """Two entries linked by evidence.

    ``kind`` is ``"sequel"`` (the ``to`` entry is the main-line season right after ``from``) or
    ``"member"`` (``from`` is a movie, OVA, special... that belongs with ``to``). ``rank`` is the
    precedence of the best evidence (1 erengy, 2 TVDB, 3 title, 4 collection). ``accepted`` is
    False when better evidence won; ``note`` then says why.
    """

    kind: str
    from_mal_id: int | None
    from_anidb_id: int | None
    to_mal_id: int | None
    to_anidb_id: int | None
    rank: int
    evidence: tuple[Evidence, ...]
    accepted: bool
    note: str = ""


@dataclass(frozen=True)
class Entry:
    """A movie, OVA, special, ONA or side TV entry listed beside the seasons (not counted)."""

    mal_id: int | None
    anidb_id: int | None
    title: str
    type: str | None
    start: date | None
    episodes: int | None


@dataclass(frozen=True)
class Transition:
    """From one main-line season to the next: when the later one was announced and started.

    ``announced`` is an upper bound on the announcement date, so :attr:`lag_days` is a lower bound
    on the true announcement-to-airing lag. ``censored`` is True when the announcement date is
    only "already listed in the first list version" (2012-09-22) and says nothing.
    """

    before: Season
    after: Season
    announced: date | None
    start: date | None
    censored: bool

    @property
    def lag_days(self) -> int | None:
        """Days from announcement to start, when both are known."""
        if self.announced is None or self.start is None:
            return None
        return (self.start - self.announced).days


@dataclass(frozen=True)
class Franchise:
    """One line of main-line TV seasons, with the entries listed beside it.

    Attributes
    ----------
    id : str
        ``"mal:<MAL id of the first season>"`` (``"anidb:<id>"`` if that season has no MAL id).
    title : str
        Title of the first season.
    seasons : list of Season
        Main-line TV seasons in order. ``number`` counts seasons from 1; the halves of a
        split-cour season share a number and carry ``part`` 1, 2...
    others : list of Entry
        Movies, OVAs, specials, ONAs and side TV entries of the franchise (not counted).
    next_season : NextSeason
        Status of the season after the latest aired one (see ``docs/franchises.md``).
    transitions : list of Transition
        One per consecutive pair of seasons.
    links : tuple of Link
        The accepted links that hold this franchise together.
    reference_date : date or None
        The date "aired" was judged on (``as_of``, or the newest observation).
    """

    id: str
    title: str
    seasons: list[Season]
    others: list[Entry]
    next_season: NextSeason
    transitions: list[Transition]
    links: tuple[Link, ...] = ()
    reference_date: date | None = None

    @property
    def mal_ids(self) -> list[int]:
        """MAL ids of every season and other entry."""
        ids = [s.mal_id for s in self.seasons] + [o.mal_id for o in self.others]
        return [i for i in ids if i is not None]

    def aired_seasons(self) -> list[Season]:
        """Seasons that started on or before :attr:`reference_date`."""
        return [s for s in self.seasons if _aired(s, self.reference_date)]

    def lags(self, include_censored: bool = False) -> list[int]:
        """Days from announcement to start for each transition where both are known.

        Parameters
        ----------
        include_censored : bool
            Also count transitions whose announcement date is left-censored.
        """
        return [
            t.lag_days
            for t in self.transitions
            if t.lag_days is not None and (include_censored or not t.censored)
        ]

    def latest_season(self) -> Season | None:
        """The latest main-line season aired by the reference date: the one the next-season status
        (:attr:`next_season`, decided by :func:`latest_status`) is about. A season with no start
        that the data shows aired (``Season.aired_undated``) counts."""
        aired = [s for s in self.seasons if _gone(s, self.reference_date)]
        return aired[-1] if aired else None

    def next_after(self, mal_id: int) -> NextSeason:
        """Status of the season right after season ``mal_id``: "aired", "announced" or "none".

        Raises
        ------
        NotFoundError
            ``mal_id`` is not a main-line season of this franchise.
        """
        for i, season in enumerate(self.seasons):
            if season.mal_id == mal_id:
                return next_status(self.seasons, i, self.reference_date, self.links)
        raise NotFoundError(
            f"MAL id {mal_id} is not a main-line season of {self.id} ({self.title})"
        )


def _aired(season: Season, ref: date | None) -> bool:
    return season.start is not None and (ref is None or season.start <= ref)


def _gone(season: Season, ref: date | None) -> bool:
    """Aired by ``ref``, or aired at a date the data lost (``Season.aired_undated``)."""
    return _aired(season, ref) or (season.start is None and season.aired_undated)


def season_state(season: Season, ref: date | None) -> str:
    """``"upcoming"`` (not started by ``ref``), ``"airing"`` (started, not ended by ``ref``, or no
    end known) or ``"finished"``. An estimated end (``end_estimated``) counts as an end."""
    if season.start is None and season.aired_undated:
        return "finished"
    if not _aired(season, ref):
        return "upcoming"
    if season.end is None or (ref is not None and season.end > ref):
        return "airing"
    return "finished"


def _pair_evidence(links: tuple[Link, ...], a: Season, b: Season) -> tuple[Evidence, ...]:
    for link in links:
        if link.kind != "sequel" or not link.accepted:
            continue
        if (link.from_mal_id, link.from_anidb_id, link.to_mal_id, link.to_anidb_id) == (
            a.mal_id,
            a.anidb_id,
            b.mal_id,
            b.anidb_id,
        ):
            return link.evidence
    return ()


def next_status(
    seasons: list[Season], index: int, ref: date | None, links: tuple[Link, ...] = ()
) -> NextSeason:
    """Status of the season after ``seasons[index]``: "aired", "announced" or "none".

    Parameters
    ----------
    seasons : list of Season
        Main-line seasons in order.
    index : int
        Position of the season whose successor is asked about (``-1``: before the first).
    ref : date or None
        The date "aired" is judged on: a season aired when it started on or before ``ref``.
    links : tuple of Link
        Links whose evidence is quoted.
    """
    if index + 1 >= len(seasons):
        latest = seasons[index].title if seasons and index >= 0 else "the start"
        return NextSeason(
            "none",
            evidence=(
                Evidence("franchise", f"no main-line TV entry after {latest!r} is known", ref),
            ),
        )
    nxt = seasons[index + 1]
    link_ev = _pair_evidence(links, seasons[index], nxt) if index >= 0 else ()
    if _gone(nxt, ref):
        status, expected = "aired", None
        why = f"{nxt.title!r} started {nxt.start or '(date unknown; the data shows it aired)'}"
    else:
        status, expected = "announced", nxt.start
        why = (
            f"{nxt.title!r} starts {nxt.start}"
            if nxt.start
            else f"{nxt.title!r}: no start date (TBA)"
        )
    return NextSeason(
        status=status,
        mal_id=nxt.mal_id,
        anidb_id=nxt.anidb_id,
        title=nxt.title,
        first_seen=nxt.announced,
        expected=expected,
        evidence=(*link_ev, Evidence("schedule", why, ref)),
    )


def latest_status(
    seasons: list[Season], ref: date | None, links: tuple[Link, ...] = ()
) -> NextSeason:
    """Status of the season after the latest season aired by ``ref`` ("announced" or "none").

    A season with no start that the data shows aired (``aired_undated``) counts as aired."""
    aired = [i for i, s in enumerate(seasons) if _gone(s, ref)]
    if not aired:
        return NextSeason(
            "none", evidence=(Evidence("franchise", "no main-line season has aired yet", ref),)
        )
    return next_status(seasons, aired[-1], ref, links)


@dataclass
class FranchiseGraph:
    """Every franchise of a snapshot, and every link considered while building them.

    Examples
    --------
    >>> from sequelcast.domain import Anime, Snapshot
    >>> from sequelcast.franchise import build_franchises
    >>> graph = build_franchises(Snapshot(as_of=None, entries={1: Anime(1, "Solo", type="TV")}))
    >>> graph.of(1).id, graph.of(1).next_season.status
    ('mal:1', 'none')
    """

    franchises: list[Franchise]
    links: list[Link]
    as_of: date | None = None
    _by_mal: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for i, f in enumerate(self.franchises):
            for s in f.seasons:
                self._index(i, s.mal_id)
            for o in f.others:
                self._index(i, o.mal_id)

    def _index(self, i: int, mal_id: int | None) -> None:
        if mal_id is not None:
            self._by_mal[mal_id] = i

    def __len__(self) -> int:
        return len(self.franchises)

    def __iter__(self) -> Iterator[Franchise]:
        return iter(self.franchises)

    def __contains__(self, mal_id: object) -> bool:
        return mal_id in self._by_mal

    def of(self, mal_id: int) -> Franchise:
        """The franchise holding MAL entry ``mal_id`` (any season, movie, OVA...).

        Raises
        ------
        NotFoundError
            The snapshot holds no such MAL entry.
        """
        try:
            return self.franchises[self._by_mal[mal_id]]
        except KeyError:
            when = f"as of {self.as_of}" if self.as_of else "at all"
            raise NotFoundError(
                f"MAL id {mal_id} is not in the snapshot ({when}); check the id or the as-of date"
            ) from None

    def season_numbers(self) -> dict[int, tuple[str, int]]:
        """MAL id -> ``(franchise id, season number)`` for every main-line season."""
        return {
            s.mal_id: (f.id, s.number)
            for f in self.franchises
            for s in f.seasons
            if s.mal_id is not None
        }

    def followed_by(self) -> set[tuple[int, int]]:
        """Every ``(A, B)`` pair of MAL ids where season B comes right after season A."""
        out = set()
        for f in self.franchises:
            for a, b in zip(f.seasons, f.seasons[1:], strict=False):
                if a.mal_id is not None and b.mal_id is not None:
                    out.add((a.mal_id, b.mal_id))
        return out
