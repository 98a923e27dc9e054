"""Frozen dataclasses shared by every layer.

A source adapter turns a file or an API answer into a :class:`Batch` of records; the catalog stores
them; the pure packages (``resolve``, ``franchise``, ``forecast``) read them back as plain values.

Every record carries ``observed_at``, the date on which the fact was known to be true, and
``source``, the name of the adapter that produced it. ``docs/catalog.md`` explains how the date is
chosen for each source (normally the snapshot date of the file; for the date of a past event, the
event itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Fields a :class:`Fact` may carry, with the Python type of their value.
FACT_FIELDS: dict[str, type] = {
    "title": str,
    "title_english": str,
    "title_japanese": str,
    "synonyms": list,
    "type": str,
    "episodes": int,
    "start_date": date,
    "end_date": date,
    "season": str,
    "year": int,
    "status": str,
    "source_type": str,
    "studios": list,
    "producers": list,
    "licensors": list,
    "genres": list,
    "themes": list,
    "demographics": list,
    "rating": str,
    "duration": str,
    "score": float,
    "scored_by": int,
    "members": int,
    "favorites": int,
    "rank": int,
    "popularity": int,
    "disc_sales": float,
    "anilist_members": int,
}

#: Fields kept only as dated history (``Snapshot.history``), not as columns of :class:`Anime`:
#: ``disc_sales`` (thousands of Blu-ray/DVD units per volume) and ``anilist_members`` (AniList
#: list entries, a different count from MyAnimeList ``members``).
HISTORY_ONLY_FIELDS = frozenset({"disc_sales", "anilist_members"})

#: Fields whose value is a list of strings.
LIST_FIELDS = frozenset(k for k, v in FACT_FIELDS.items() if v is list)

#: Fields only the show page reads (a poster's URL and a synopsis): stored as facts like the others,
#: but not part of :class:`Anime` (no column of the ``anime`` table, no feature of the forecast).
PAGE_FIELDS: dict[str, type] = {"image_url": str, "synopsis": str}

#: Entry types, as MyAnimeList spells them.
ANIME_TYPES = ("TV", "Movie", "OVA", "ONA", "Special", "Music", "TV Special", "CM", "PV", "Unknown")


@dataclass(frozen=True)
class Fact:
    """One observed value of one field of one MyAnimeList entry."""

    mal_id: int
    field: str
    value: Any
    observed_at: date
    source: str


@dataclass(frozen=True)
class IdLink:
    """The MAL entry ``mal_id`` is the entry ``external_id`` on ``site`` (anilist, anidb, kitsu, tvdb...)."""

    mal_id: int
    site: str
    external_id: str
    observed_at: date
    source: str


@dataclass(frozen=True)
class TvdbMapping:
    """One AniDB entry mapped to a TheTVDB series and season, as listed on ``observed_at``.

    ``tvdb_season`` is kept as written: ``"1"``, ``"2"``... a season number, ``"0"`` specials,
    ``"a"`` absolute numbering; ``None`` when the entry has no TVDB series yet.
    """

    anidb_id: int
    name: str
    tvdb_id: str | None
    tvdb_season: str | None
    episode_offset: int | None
    studio: str | None
    observed_at: date
    source: str


@dataclass(frozen=True)
class FirstSeen:
    """The first date an AniDB entry appeared in the AniDB-to-TVDB list history.

    ``first_listed`` is an upper bound on the announcement date (left-censored at 2012-09-22).
    ``first_mapped`` is the first date it was mapped to ``tvdb_id`` season ``tvdb_season``.
    """

    anidb_id: int
    first_listed: date
    first_mapped: date | None
    tvdb_id: str | None
    tvdb_season: str | None
    source: str = "anidb_first_seen"

    @property
    def observed_at(self) -> date:
        return self.first_listed


@dataclass(frozen=True)
class Relation:
    """An explicit link between two entries, e.g. "``to`` continues ``from``"."""

    from_mal_id: int | None
    to_mal_id: int | None
    kind: str
    evidence: str
    observed_at: date
    source: str
    from_anilist_id: int | None = None
    to_anilist_id: int | None = None


@dataclass(frozen=True)
class CollectionMember:
    """``mal_id`` belongs to the (untyped) franchise cluster named ``collection``."""

    collection: str
    mal_id: int
    observed_at: date
    source: str


@dataclass(frozen=True)
class MangaRecord:
    """One MyAnimeList manga or novel (its own id space, MAL manga ids).

    No file links it to the anime: :mod:`sequelcast.source_material` links anime to works by title.
    ``status``, ``volumes`` and ``published_to`` are as observed on ``observed_at``; what they were
    on an earlier date is re-derived from the dates (:func:`sequelcast.source_material.work_as_of`).
    """

    manga_id: int
    title: str
    title_english: str | None
    title_japanese: str | None
    type: str | None
    volumes: int | None
    chapters: int | None
    status: str | None
    published_from: date | None
    published_to: date | None
    score: float | None
    members: int | None
    observed_at: date
    source: str


@dataclass(frozen=True)
class CrosswalkEntry:
    """One AniList anime with its MAL and AniDB ids and its titles in three scripts.

    ``type`` is AniList's format (``TV``, ``TV_SHORT``, ``MOVIE``, ``SPECIAL``, ``OVA``, ``ONA``,
    ``MUSIC``) or ``None``. ``mal_id`` is ``None`` for an AniList entry MAL does not list.
    """

    anilist_id: int
    mal_id: int | None
    anidb_id: int | None
    romaji: str | None
    english: str | None
    native: str | None
    type: str | None
    observed_at: date
    source: str

    def titles(self) -> list[str]:
        """The titles it carries, romaji first."""
        return [t for t in (self.romaji, self.english, self.native) if t]


@dataclass(frozen=True)
class EntryFirstSeen:
    """The first date a MAL entry (or an AniList-MAL pair) appeared in a dated public list.

    An upper bound on the announcement date. ``censored``: the date is the list's first version
    (the entry was "already there"). ``suspect``: the entry was (re-)added much later than entries
    created after it (a batch re-add), so the date says nothing about its announcement.
    """

    mal_id: int
    first_seen: date
    censored: bool
    suspect: bool
    source: str
    anilist_id: int | None = None
    anidb_id: int | None = None

    @property
    def observed_at(self) -> date:
        return self.first_seen


@dataclass(frozen=True)
class NovelRecord:
    """One NovelUpdates novel (its own id space, no MAL id: it joins the catalog by title only).

    ``complete`` says whether the original (Japanese, Chinese...) publication had ended when the
    list was observed; ``volumes`` and ``chapters`` are the rough counts of the original then.
    """

    novel_id: int
    title: str
    aliases: tuple[str, ...]
    language: str | None
    publisher: str | None
    start_year: int | None
    complete: bool | None
    volumes: int | None
    chapters: int | None
    observed_at: date
    source: str


@dataclass(frozen=True)
class Reject:
    """A record that did not parse: where it was, why, and its raw text (so it can be re-parsed)."""

    source: str
    location: str
    reason: str
    raw: str


@dataclass
class Batch:
    """Everything one source file (or API answer) produced."""

    source: str
    location: str
    observed_at: date | None = None
    facts: list[Fact] = field(default_factory=list)
    id_links: list[IdLink] = field(default_factory=list)
    tvdb_mappings: list[TvdbMapping] = field(default_factory=list)
    first_seen: list[FirstSeen] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    collection_members: list[CollectionMember] = field(default_factory=list)
    manga: list[MangaRecord] = field(default_factory=list)
    crosswalk: list[CrosswalkEntry] = field(default_factory=list)
    entry_first_seen: list[EntryFirstSeen] = field(default_factory=list)
    #: MAL *manga* id (in ``mal_id``) -> AniList manga id: the manga side of the AniList crosswalk
    manga_id_links: list[IdLink] = field(default_factory=list)
    novels: list[NovelRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    #: Well-formed records that carry nothing the catalog keeps (e.g. a crosswalk row with no MAL id).
    skipped: int = 0

    def records(self) -> Iterator[Any]:
        """Every stamped record (not the rejects)."""
        yield from self.facts
        yield from self.id_links
        yield from self.tvdb_mappings
        yield from self.first_seen
        yield from self.relations
        yield from self.collection_members
        yield from self.manga
        yield from self.crosswalk
        yield from self.entry_first_seen
        yield from self.manga_id_links
        yield from self.novels

    def __len__(self) -> int:
        return sum(1 for _ in self.records())


def merge_batches(batches: Iterable[Batch], source: str, location: str) -> Batch:
    """Concatenate batches into one."""
    out = Batch(source=source, location=location)
    for b in batches:
        out.facts.extend(b.facts)
        out.id_links.extend(b.id_links)
        out.tvdb_mappings.extend(b.tvdb_mappings)
        out.first_seen.extend(b.first_seen)
        out.relations.extend(b.relations)
        out.collection_members.extend(b.collection_members)
        out.manga.extend(b.manga)
        out.crosswalk.extend(b.crosswalk)
        out.entry_first_seen.extend(b.entry_first_seen)
        out.manga_id_links.extend(b.manga_id_links)
        out.novels.extend(b.novels)
        out.rejects.extend(b.rejects)
        out.skipped += b.skipped
    return out


@dataclass(frozen=True)
class Anime:
    """One MyAnimeList entry as the catalog knows it at a date (newest fact per field wins)."""

    mal_id: int
    title: str
    title_english: str | None = None
    title_japanese: str | None = None
    synonyms: tuple[str, ...] = ()
    type: str | None = None
    episodes: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    season: str | None = None
    year: int | None = None
    status: str | None = None
    source_type: str | None = None
    studios: tuple[str, ...] = ()
    producers: tuple[str, ...] = ()
    licensors: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    demographics: tuple[str, ...] = ()
    rating: str | None = None
    duration: str | None = None
    score: float | None = None
    scored_by: int | None = None
    members: int | None = None
    favorites: int | None = None
    rank: int | None = None
    popularity: int | None = None
    first_seen: date | None = None
    last_observed: date | None = None
    ids: tuple[tuple[str, str], ...] = ()

    def external_id(self, site: str) -> str | None:
        for s, v in self.ids:
            if s == site:
                return v
        return None

    def all_titles(self) -> list[tuple[str, str]]:
        """``(kind, title)`` pairs: main, english, japanese and every synonym."""
        out = [("main", self.title)]
        if self.title_english:
            out.append(("english", self.title_english))
        if self.title_japanese:
            out.append(("japanese", self.title_japanese))
        out.extend(("synonym", s) for s in self.synonyms)
        return out


@dataclass(frozen=True)
class TitleRecord:
    """One title of one entry, for the resolver's index."""

    mal_id: int
    title: str
    kind: str  # "main" | "english" | "japanese" | "synonym" | "alias"


@dataclass
class Snapshot:
    """What the catalog knows as of ``as_of`` (``None``: everything), as plain values.

    This is what the pure packages (``franchise``, ``resolve``, ``forecast``) are given; it is made
    by :func:`sequelcast.asof.snapshot_from_batches` (from parsed files) or by the catalog store
    (from the database), and both give the same thing for the same facts.

    - ``entries``: every MAL entry known by ``as_of``, newest fact per field winning.
    - ``history``: every volatile observation (score, scored_by, members, favorites, rank,
      popularity) of each entry, oldest first, so features can read "members as of a date".
    - ``first_seen``: AniDB id -> :class:`FirstSeen`, only entries listed by ``as_of``
      (``first_mapped``, ``tvdb_id`` and ``tvdb_season`` are ``None`` when mapped after ``as_of``).
    - ``tvdb_mappings``: every AniDB-to-TVDB list row observed by ``as_of`` (one per list date).
    - ``id_links``, ``relations``, ``collection_members``: links admitted by ``as_of``.
    """

    as_of: date | None
    entries: dict[int, Anime] = field(default_factory=dict)
    history: dict[int, list[Fact]] = field(default_factory=dict)
    first_seen: dict[int, FirstSeen] = field(default_factory=dict)
    tvdb_mappings: list[TvdbMapping] = field(default_factory=list)
    id_links: list[IdLink] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    collection_members: list[CollectionMember] = field(default_factory=list)
    #: AniList crosswalk rows known by ``as_of`` (ids and titles in three scripts)
    crosswalk: list[CrosswalkEntry] = field(default_factory=list)
    #: MAL id -> its earliest trustworthy first sighting known by ``as_of`` (MAL id cache or
    #: AniList pair list; suspect re-adds left out)
    entry_first_seen: dict[int, EntryFirstSeen] = field(default_factory=dict)
    #: anime MAL id -> what its source material looked like on ``as_of`` (see :class:`SourceFeatures`)
    source_features: dict[int, SourceFeatures] = field(default_factory=dict)

    def mal_to(self, site: str) -> dict[int, str]:
        """MAL id -> external id on ``site`` (the newest link wins)."""
        out: dict[int, str] = {}
        for link in sorted(self.id_links, key=lambda x: x.observed_at):
            if link.site == site:
                out[link.mal_id] = link.external_id
        return out

    def latest_tvdb(self) -> dict[int, TvdbMapping]:
        """AniDB id -> its newest known mapping to a TVDB series and season.

        The lists exist at a few dates only; between them, :class:`FirstSeen` says when an entry
        was first mapped. A first mapping newer than the entry's newest list row (or an entry in no
        list yet) gives a row stamped with ``first_mapped`` (name from an older row, if any).
        """
        out: dict[int, TvdbMapping] = {}
        for m in sorted(self.tvdb_mappings, key=lambda x: x.observed_at):
            out[m.anidb_id] = m
        for fs in self.first_seen.values():
            if fs.first_mapped is None or fs.tvdb_id is None:
                continue
            row = out.get(fs.anidb_id)
            if row is None or row.observed_at < fs.first_mapped:
                name = row.name if row is not None else f"AniDB {fs.anidb_id}"
                out[fs.anidb_id] = TvdbMapping(
                    fs.anidb_id,
                    name,
                    fs.tvdb_id,
                    fs.tvdb_season,
                    None,
                    None,
                    fs.first_mapped,
                    fs.source,
                )
        return out


@dataclass(frozen=True)
class Season:
    """One main-line TV season of a franchise, in order (the contract between franchise and forecast).

    ``number`` counts main-line seasons from 1; a split-cour second half is its own ``Season`` with
    ``part=2`` (it counts as a next season). ``announced`` is the first date the season was seen
    anywhere (AniDB first listing, or the first MAL observation), an upper bound on its announcement.
    An entry known only from AniDB has ``mal_id=None``.
    """

    franchise_id: str
    number: int
    mal_id: int | None
    anidb_id: int | None
    title: str
    start: date | None
    end: date | None
    episodes: int | None
    announced: date | None
    part: int | None = None
    #: ``end`` is an estimate (start + one week per episode), not a date from the data
    end_estimated: bool = False
    #: no start date is known, but the data shows it aired (MAL episode count, mean score or rank)
    aired_undated: bool = False


@dataclass(frozen=True)
class Evidence:
    """Why two entries are linked, or why a status holds: the source, what it says, and when."""

    source: str
    detail: str
    observed_at: date | None


@dataclass(frozen=True)
class NextSeason:
    """The status of the season after a franchise's latest main-line season.

    ``status`` is ``"aired"`` (it started by ``as_of``), ``"announced"`` (it exists, not yet aired;
    ``expected`` is its start date when known, else ``None`` for TBA) or ``"none"``.
    """

    status: str
    mal_id: int | None = None
    anidb_id: int | None = None
    title: str | None = None
    first_seen: date | None = None
    expected: date | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class SourceFeatures:
    """The source material (manga, light novel, novel) of one anime, as known on a date.

    The contract between source-material linking (which fills ``Snapshot.source_features``) and the
    forecast (which reads it). Every field is ``None`` when unknown; ``linked`` is False when no
    source work was linked (an original anime, or no confident match).

    Attributes
    ----------
    linked : bool
        A source work was linked to the anime.
    kind : str or None
        ``"manga"``, ``"light_novel"``, ``"novel"`` or ``"web_novel"``.
    work_id : int or None
        MAL manga id of the source work.
    title : str or None
        The source work's title.
    finished : bool or None
        The source had ended on or before the date (``None``: unknown).
    start, end : date or None
        Publication start and end (``end`` only when it is on or before the date).
    years_running : float or None
        Years from the source's start to the date (or to its end when finished).
    volumes : int or None
        Total volumes of a finished source known on the date.
    volumes_estimate : float or None
        A volume count estimate for a source still running, where the data allows.
    episodes_per_volume : float or None
        The anime's main-line episodes so far per volume of source.
    summary : str
        Plain words, e.g. "light novel, 5 volumes, finished June 2021: little left to adapt".
    """

    linked: bool
    kind: str | None = None
    work_id: int | None = None
    title: str | None = None
    finished: bool | None = None
    start: date | None = None
    end: date | None = None
    years_running: float | None = None
    volumes: int | None = None
    volumes_estimate: float | None = None
    episodes_per_volume: float | None = None
    summary: str = ""
