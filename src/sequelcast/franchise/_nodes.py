"""The nodes of the franchise graph: MAL entries, plus AniDB entries MAL does not list yet.

A node key is an ``int``: the MAL id for a MAL entry, ``-anidb_id`` for an entry known only from
the AniDB-to-TVDB lists. Keys never leave this package: the public types carry ``mal_id`` and
``anidb_id`` separately.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sequelcast.domain import Anime, Evidence, Snapshot, TvdbMapping
from sequelcast.franchise._titles import (
    TitleKey,
    has_format_word,
    normalize,
    parse_title,
)

#: Types that can be a main-line season.
MAIN_TYPES = frozenset({"TV"})
#: Title words of a TV side line (TVDB may file it as specials, season 0, of the main show)
SIDE_LINE_WORDS = frozenset({"gaiden", "spinoff"})
#: First version of the AniDB-to-TVDB list: ``first_listed`` on this date is left-censored.
LIST_HISTORY_START = date(2012, 9, 22)
#: AniList formats -> MyAnimeList types (the crosswalk's type fills an entry MAL gives none)
ANILIST_TYPES = {
    "TV": "TV",
    "TV_SHORT": "TV",
    "MOVIE": "Movie",
    "SPECIAL": "Special",
    "OVA": "OVA",
    "ONA": "ONA",
    "MUSIC": "Music",
}
#: First month of each MAL premiere season (an undated entry with a premiered season starts then)
SEASON_MONTH = {"winter": 1, "spring": 4, "summer": 7, "fall": 10}


@dataclass
class Node:
    """One entry of the graph (mutable while the graph is built)."""

    key: int
    mal_id: int | None
    anidb_id: int | None
    title: str
    type: str | None
    start: date | None
    end: date | None
    episodes: int | None
    announced: date | None
    tvdb: TvdbMapping | None
    tkey: TitleKey
    main: bool = False
    notes: list[Evidence] = field(default_factory=list)
    #: ``end`` is estimated from start + weekly episodes
    end_estimated: bool = False
    #: the first date any MAL fact about the entry was observed (a 2016/2018 snapshot row...)
    first_fact: date | None = None
    #: ``start`` comes from a premiered season or year, not a day
    start_estimated: bool = False
    #: no start is known but the entry aired: MAL gives it an episode count, a mean score or a rank
    aired_undated: bool = False

    @property
    def tvdb_series(self) -> str | None:
        """The TheTVDB series id, when it is a real (numeric) series."""
        if self.tvdb is None or not self.tvdb.tvdb_id or not self.tvdb.tvdb_id.isdigit():
            return None
        return self.tvdb.tvdb_id

    @property
    def tvdb_season(self) -> str | None:
        """``"1"``, ``"2"``..., ``"0"`` or ``"a"`` when mapped to a real series, else ``None``."""
        if self.tvdb is None or not self.tvdb_series:
            return None
        return self.tvdb.tvdb_season

    def sort_date(self) -> date:
        """Start date, unknown last."""
        return self.start or date.max


def _is_main(node: Node) -> bool:
    """TV by type; of unknown type: mapped to a TVDB season, or an undated entry whose title has a
    sequel marker or names an arc (": <arc>-hen") and no format word ("Movie", "OVA"...): an
    announced entry MAL has not typed yet ("Chainsaw Man: Shikaku-hen")."""
    season = node.tvdb_season
    if season == "0":
        # TVDB files a TV spin-off ("Gaiden: Sword Oratoria") as specials: it is a line of its own
        return node.type in MAIN_TYPES and bool(SIDE_LINE_WORDS & set(node.tkey.base.split()))
    if node.type is not None:
        return node.type in MAIN_TYPES
    if season is not None:
        return season == "a" or season.isdigit()
    if node.start is not None:
        return False
    if node.mal_id is None:
        return node.tkey.year is not None  # AniDB names a new season "<base> (<year>)"
    if has_format_word(node.title):
        return False
    return node.tkey.marked or (node.tkey.subtitle and node.tkey.base.endswith("hen"))


def _start(entry: Anime) -> tuple[date | None, bool]:
    """The start date, else the first day of the premiered season (or year): ``(start, estimated)``."""
    if entry.start_date is not None:
        return entry.start_date, False
    if entry.year is not None:
        month = SEASON_MONTH.get((entry.season or "").lower(), 1)
        return date(entry.year, month, 1), True
    return None, False


def _aired_per_mal(entry: Anime) -> bool:
    """MAL shows the entry aired: it has an episode count, a mean score or a rank (MAL ranks and
    scores an entry only once it has aired; an announced entry has none of the three)."""
    return bool(entry.episodes) or entry.score is not None or entry.rank is not None


def estimated_end(start: date | None, episodes: int | None) -> date | None:
    """``start`` + one week per episode after the first (``None`` when either is unknown)."""
    if start is None or not episodes or episodes < 1:
        return None
    return start + timedelta(days=7 * (episodes - 1))


def _earliest(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _mal_node(
    entry: Anime,
    anidb_id: int | None,
    snapshot: Snapshot,
    latest: dict[int, TvdbMapping],
    al_types: dict[int, str],
) -> Node:
    listed = snapshot.first_seen.get(anidb_id) if anidb_id is not None else None
    sighting = snapshot.entry_first_seen.get(entry.mal_id)
    start, start_estimated = _start(entry)
    end, end_estimated = entry.end_date, False
    if end is None and entry.episodes and start is not None:
        end, end_estimated = estimated_end(start, entry.episodes), True
    return Node(
        key=entry.mal_id,
        mal_id=entry.mal_id,
        anidb_id=anidb_id,
        title=entry.title,
        type=entry.type or ANILIST_TYPES.get(al_types.get(entry.mal_id, "")),
        start=start,
        end=end,
        episodes=entry.episodes,
        announced=_earliest(
            listed.first_listed if listed else None,
            entry.first_seen,
            sighting.first_seen if sighting else None,
        ),
        tvdb=latest.get(anidb_id) if anidb_id is not None else None,
        tkey=parse_title(entry.title),
        end_estimated=end_estimated,
        first_fact=entry.first_seen,
        start_estimated=start_estimated,
        aired_undated=start is None and _aired_per_mal(entry),
    )


def _anidb_node(mapping: TvdbMapping, snapshot: Snapshot) -> Node:
    listed = snapshot.first_seen.get(mapping.anidb_id)
    return Node(
        key=-mapping.anidb_id,
        mal_id=None,
        anidb_id=mapping.anidb_id,
        title=mapping.name,
        type=None,
        start=None,
        end=None,
        episodes=None,
        announced=listed.first_listed if listed else None,
        tvdb=mapping,
        tkey=parse_title(mapping.name),
    )


def _anidb_ids(snapshot: Snapshot) -> dict[int, int]:
    out: dict[int, int] = {}
    for mal_id, value in snapshot.mal_to("anidb").items():
        if value.isdigit():
            out[mal_id] = int(value)
    return out


def _title_index(snapshot: Snapshot, linked: set[int]) -> dict[str, set[int]]:
    """Normalized title -> MAL ids, for entries with no AniDB link (to match AniDB-only rows):
    MAL's titles and the AniList crosswalk's romaji, English and native titles."""
    index: dict[str, set[int]] = defaultdict(set)
    for mal_id, entry in snapshot.entries.items():
        if mal_id in linked:
            continue
        for _, title in entry.all_titles():
            index[normalize(title)].add(mal_id)
    for row in snapshot.crosswalk:
        if row.mal_id is not None and row.mal_id in snapshot.entries and row.mal_id not in linked:
            for title in row.titles():
                index[normalize(title)].add(row.mal_id)
    return index


def build_nodes(snapshot: Snapshot) -> dict[int, Node]:
    """Every MAL entry, plus AniDB-only entries that share a TVDB series with a MAL entry.

    An AniDB row with no MAL link whose name matches exactly one unlinked MAL title is taken to
    be that MAL entry (the ID crosswalk is older than the newest lists).
    """
    latest = snapshot.latest_tvdb()
    mal_anidb = _anidb_ids(snapshot)
    al_types = {r.mal_id: r.type for r in snapshot.crosswalk if r.mal_id is not None and r.type}
    nodes = {
        mal_id: _mal_node(entry, mal_anidb.get(mal_id), snapshot, latest, al_types)
        for mal_id, entry in snapshot.entries.items()
    }
    linked_anidb = {a for m, a in mal_anidb.items() if m in nodes}
    series_with_mal = {n.tvdb_series for n in nodes.values() if n.tvdb_series}
    index = _title_index(snapshot, {m for m in nodes if m in mal_anidb})
    by_year = _unlinked_tv_by_year(nodes)
    tv_bases = {
        n.tkey.base: n.start
        for n in nodes.values()
        if n.type in MAIN_TYPES and n.start is not None and n.tkey.year is None
    }
    for anidb_id, mapping in latest.items():
        if anidb_id in linked_anidb:
            continue
        match = index.get(normalize(mapping.name), set())
        node = _anidb_node(mapping, snapshot)
        if len(match) != 1 and (
            node.tvdb_series in series_with_mal or _new_season_of_known_base(node, tv_bases)
        ):
            match = _year_match(node.tkey, by_year)
        if len(match) == 1:
            _adopt(nodes[next(iter(match))], mapping, snapshot)
            linked_anidb.add(anidb_id)
        elif node.tvdb_series in series_with_mal or _new_season_of_known_base(node, tv_bases):
            nodes[node.key] = node
    for node in nodes.values():
        node.main = _is_main(node)
    return nodes


def _new_season_of_known_base(node: Node, tv_bases: dict[str, date]) -> bool:
    """An AniDB entry with no TVDB series yet, named "<base> (<year>)" after a MAL TV show of that
    base that started before that year: a new season AniDB lists before TVDB and MAL link it."""
    if node.tvdb_series is not None or node.tkey.year is None:
        return False
    started = tv_bases.get(node.tkey.base)
    return started is not None and started.year < node.tkey.year


#: ``_unlinked_tv_by_year`` key of the undated entries (announced, no start yet)
UNDATED = 0


def _unlinked_tv_by_year(nodes: dict[int, Node]) -> dict[int, list[Node]]:
    """Unlinked MAL TV entries by start year; undated TV or untyped ones under :data:`UNDATED`."""
    out: dict[int, list[Node]] = defaultdict(list)
    for node in nodes.values():
        if node.anidb_id is not None:
            continue
        if node.type in MAIN_TYPES and node.start is not None:
            out[node.start.year].append(node)
        elif node.start is None and (node.type is None or node.type in MAIN_TYPES):
            out[UNDATED].append(node)
    return out


def _year_match(key: TitleKey, by_year: dict[int, list[Node]]) -> set[int]:
    """AniDB names a later season "<base> (<year>)": the unlinked MAL TV entry of that year, else
    the one undated (announced) unlinked MAL entry of that base ("Sousou no Frieren (2027)" is
    "Sousou no Frieren: Ougonkyou-hen")."""
    if key.year is None:
        return set()
    words = key.base.split()
    for pool in (by_year.get(key.year, ()), by_year.get(UNDATED, ())):
        found = {
            n.key
            for n in pool
            if n.anidb_id is None and words and n.tkey.base.split()[: len(words)] == words
        }
        if found:
            return found
    return set()


def _adopt(node: Node, mapping: TvdbMapping, snapshot: Snapshot) -> None:
    """Give a MAL node the AniDB row its title matched."""
    if node.anidb_id is not None:
        return
    listed = snapshot.first_seen.get(mapping.anidb_id)
    node.anidb_id = mapping.anidb_id
    node.tvdb = mapping
    node.announced = _earliest(node.announced, listed.first_listed if listed else None)
    node.notes.append(
        Evidence(
            "title_match",
            f"AniDB {mapping.anidb_id} {mapping.name!r} has this exact title",
            mapping.observed_at,
        )
    )
