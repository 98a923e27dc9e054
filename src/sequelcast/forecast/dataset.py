"""Spells (waits between seasons) and as-of features for the sequel forecast.

A *spell* is the wait after one main-line TV season ended:

- it starts at the season's ``end`` (when ``end`` is missing, ``start + 7 * (episodes - 1)`` days
  is used; a season that started with neither is read as still airing on ``as_of``, flagged
  ``estimated``; a season with no start, once :func:`estimate_dates` has dated what it can, is
  skipped: it cannot be placed in time);
- its *event* is the first date the next main-line season was known: ``min(announced, start)``
  of the next :class:`~sequelcast.domain.Season` (``announced`` is a first-seen date, an upper
  bound on the real announcement, and the start date bounds it too);
- it is censored at ``as_of`` when no next season was known by then.

A season whose successor was already known on (or before) the day it ended is *not at risk*: a
fan never waits for that sequel. Such spells are dropped (not counted as duration 0), which keeps
every duration positive for the fitters. Sequels announced right after a finale still show up as
short waits because the first-seen date lags the real announcement by days to weeks.

Look-ahead: every function takes ``as_of`` and ignores whatever is dated after it, even if the
caller passes unfiltered data: seasons first known after ``as_of``, history facts observed after
``as_of`` and entries first seen (or starting) after ``as_of``. An entry's volatile value
(members, score...) comes from ``history``; the entry's own value is used only when the entry has
no history for that field and was last observed by ``as_of`` (or carries no date at all).

Missing source-material data: the inputs have no volume or chapter counts and do not say whether
the source is still being published, so "source material left" is approximated by the source
type (manga, light novel...), the franchise's pace (season number, gap between seasons) and the
count of other franchise entries. A source giving the manga's publication status and volume
count (e.g. MAL manga ``num_volumes``/``status`` linked to the anime) would be the next feature.
Two features need a history of observations: ``members_growth`` (two member counts a year apart)
and ``log_recent_entries`` (entries first seen after the data's first date); at an ``as_of``
with a single earlier snapshot they are missing or zero.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sequelcast.domain import Anime, Fact, Season, Snapshot, SourceFeatures

#: Days per year used for every duration (years are the time unit of the forecast).
DAYS_PER_YEAR = 365.25

#: Source types grouped into the one-hot columns ``src_<group>``.
SOURCE_GROUPS: dict[str, str] = {
    "manga": "manga",
    "4-koma manga": "manga",
    "web manga": "manga",
    "digital manga": "manga",
    "light novel": "novel",
    "novel": "novel",
    "web novel": "novel",
    "original": "original",
    "game": "game",
    "visual novel": "game",
    "card game": "game",
}
_SOURCE_COLUMNS = ("src_manga", "src_novel", "src_original", "src_game", "src_other")

#: Genres, themes and demographics turned into 0/1 columns (a fixed list, so the columns never
#: depend on the data).
TAGS: dict[str, str] = {
    "Action": "g_action",
    "Comedy": "g_comedy",
    "Fantasy": "g_fantasy",
    "Romance": "g_romance",
    "Adventure": "g_adventure",
    "Drama": "g_drama",
    "Sci-Fi": "g_scifi",
    "Slice of Life": "g_slice_of_life",
    "Sports": "g_sports",
    "Ecchi": "g_ecchi",
    "Mystery": "g_mystery",
    "Supernatural": "g_supernatural",
    "School": "t_school",
    "Isekai": "t_isekai",
    "Music": "t_music",
    "Harem": "t_harem",
    "Mecha": "t_mecha",
    "Shounen": "d_shounen",
    "Seinen": "d_seinen",
    "Shoujo": "d_shoujo",
    "Josei": "d_josei",
    "Kids": "d_kids",
}

#: Source-material columns, from :class:`~sequelcast.domain.SourceFeatures` (``nan`` unknown).
SOURCE_MATERIAL_COLUMNS: tuple[str, ...] = (
    "src_linked",
    "src_finished",
    "src_running",
    "src_years_running",
    "src_log_volumes",
    "src_volumes_per_episode",
)

#: Every column of :func:`build_features`, in order.
FEATURE_COLUMNS: tuple[str, ...] = (
    "log_members",
    "members_pct_year",
    "members_growth",
    "members_vs_first",
    "score",
    "log_scored_by",
    "log_favorites",
    "favorites_ratio",
    "episodes",
    "airing_weeks",
    *_SOURCE_COLUMNS,
    "studio_rate",
    "studio_log_n",
    "log_disc_sales",
    "disc_sales_missing",
    "log_anilist_members",
    *SOURCE_MATERIAL_COLUMNS,
    *TAGS.values(),
    "season_number",
    "is_part",
    "prev_gap_years",
    "start_year",
    "lead_years",
    "franchise_span_years",
    "franchise_log_episodes",
    "log_others",
    "log_recent_entries",
    "dates_estimated",
)

#: Longest lead from first sighting to start counted by ``lead_years`` (longer is no more telling).
MAX_LEAD_YEARS = 3.0

_VOLATILE = ("members", "score", "scored_by", "favorites", "disc_sales", "anilist_members")
#: Disc sales of a season are used once it ended this many days before ``as_of``: the file
#: stamps them six months after the season began, too early for a season longer than one cour.
SALES_DELAY_DAYS = 90
#: Shortest span (years) between two observations for ``members_growth``.
GROWTH_MIN_YEARS = 0.25
#: Window (years before ``as_of``) in which new franchise entries count as recent activity.
RECENT_YEARS = 2.0
_STUDIO_PRIOR = 10.0


@dataclass(frozen=True)
class ForecastInputs:
    """Everything the forecast reads, taken from a :class:`~sequelcast.domain.Snapshot`.

    Parameters
    ----------
    seasons_by_franchise
        Franchise id -> its main-line TV seasons in order.
    entries
        MAL id -> :class:`~sequelcast.domain.Anime` (static features).
    history
        MAL id -> volatile observations (members, score...), any order.
    others_count
        Franchise id -> number of movies, OVAs, specials... of the franchise known by ``as_of``.
    others_ids
        Franchise id -> MAL ids of those other entries (optional; for ``recent_entries``).
    source_features
        MAL id -> its source material as known on the snapshot date (empty: unknown).
    """

    seasons_by_franchise: Mapping[str, Sequence[Season]]
    entries: Mapping[int, Anime] = field(default_factory=dict)
    history: Mapping[int, Sequence[Fact]] = field(default_factory=dict)
    others_count: Mapping[str, int] = field(default_factory=dict)
    others_ids: Mapping[str, Sequence[int]] = field(default_factory=dict)
    source_features: Mapping[int, SourceFeatures] = field(default_factory=dict)


@dataclass(frozen=True)
class SurvivalData:
    """A feature table aligned with its spells (index ``spell_id``)."""

    X: pd.DataFrame
    spells: pd.DataFrame

    @property
    def durations(self) -> np.ndarray:
        """Years from the end of the season to the event or to censoring."""
        return self.spells["duration"].to_numpy(dtype=float)

    @property
    def events(self) -> np.ndarray:
        """``True`` where the next season was known by ``as_of``."""
        return self.spells["event"].to_numpy(dtype=bool)


def years_between(start: date, stop: date) -> float:
    """``(stop - start)`` in years of 365.25 days.

    Examples
    --------
    >>> years_between(date(2020, 1, 1), date(2021, 1, 1))
    1.002053388090349
    """
    return (stop - start).days / DAYS_PER_YEAR


def known_date(season: Season) -> date | None:
    """First date the season was known: ``min(announced, start)``, ``None`` if neither is set."""
    dates = [d for d in (season.announced, season.start) if d is not None]
    return min(dates) if dates else None


def season_end(season: Season) -> date | None:
    """The season's end, or ``start + 7 * (episodes - 1)`` days when only those are known."""
    if season.end is not None:
        return season.end
    if season.start is not None and season.episodes:
        return season.start + timedelta(days=7 * (max(season.episodes, 1) - 1))
    return None


def known_seasons(seasons: Sequence[Season], as_of: date) -> list[Season]:
    """The seasons known by ``as_of``, in the given order (undated seasons are dropped)."""
    out = []
    for s in seasons:
        k = known_date(s)
        if k is not None and k <= as_of:
            out.append(s)
    return out


def spell_id(franchise_id: str, position: int) -> str:
    """Key of the spell after the franchise's ``position``-th known season (0-based).

    Examples
    --------
    >>> spell_id("f", 0)
    'f:1'
    """
    return f"{franchise_id}:{position + 1}"


_SPELL_COLUMNS = (
    "franchise_id",
    "position",
    "number",
    "part",
    "mal_id",
    "anidb_id",
    "title",
    "start",
    "end",
    "next_known",
    "duration",
    "event",
    "at_risk",
    "airing",
    "estimated",
    "episodes_aired",
)


def build_spells(seasons_by_franchise: Mapping[str, Sequence[Season]], as_of: date) -> pd.DataFrame:
    """Every spell of every franchise as known at ``as_of``.

    Parameters
    ----------
    seasons_by_franchise
        Franchise id -> main-line seasons in order.
    as_of
        The date of knowledge: later seasons are ignored and waits are censored here.

    Returns
    -------
    pandas.DataFrame
        Index ``spell_id``; columns ``franchise_id, position, number, part, mal_id, anidb_id,
        title, start, end, next_known, duration`` (years, > 0), ``event`` (bool) and ``at_risk``
        (the franchise's latest season: ended, no next season known by ``as_of``).

    Examples
    --------
    >>> s1 = Season("f", 1, 1, None, "A", date(2010, 1, 1), date(2010, 3, 1), 12, date(2009, 6, 1))
    >>> spells = build_spells({"f": [s1]}, date(2012, 3, 1))
    >>> round(float(spells.loc["f:1", "duration"]), 3), spells["event"].tolist()
    (2.001, [False])
    """
    rows: list[dict[str, Any]] = []
    for fid, seasons in seasons_by_franchise.items():
        known = known_seasons(seasons, as_of)
        for pos, season in enumerate(known):
            row = _spell_row(
                fid, pos, season, known[pos + 1] if pos + 1 < len(known) else None, as_of
            )
            if row is not None:
                rows.append(row)
    frame = pd.DataFrame(rows, columns=["spell_id", *_SPELL_COLUMNS])
    frame = frame.set_index("spell_id")
    frame["event"] = frame["event"].astype(bool)
    frame["at_risk"] = frame["at_risk"].astype(bool)
    frame["airing"] = frame["airing"].astype(bool)
    frame["estimated"] = frame["estimated"].astype(bool)
    return frame


def _spell_row(
    fid: str, pos: int, season: Season, nxt: Season | None, as_of: date
) -> dict[str, Any] | None:
    if season.start is None or season.start > as_of:
        return None
    end = season_end(season)
    open_ended = end is None
    if end is None:  # started, no end and no episode count: still airing on as_of (estimated)
        end = as_of + timedelta(days=1)
    next_known = known_date(nxt) if nxt is not None else None
    if next_known is not None and next_known <= end:
        return None  # successor known before the wait began: not at risk
    airing = end > as_of
    if airing and next_known is not None:
        return None  # still airing and its successor is already known by as_of
    stop = next_known if next_known is not None else as_of
    duration = max(years_between(min(end, stop), stop), 1.0 / DAYS_PER_YEAR)
    return {
        "spell_id": spell_id(fid, pos),
        "franchise_id": fid,
        "position": pos,
        "number": season.number,
        "part": season.part,
        "mal_id": season.mal_id,
        "anidb_id": season.anidb_id,
        "title": season.title,
        "start": season.start,
        "end": end,
        "next_known": next_known,
        "duration": duration,
        "event": next_known is not None,
        "at_risk": nxt is None,
        "airing": airing,
        "episodes_aired": _episodes_aired(season.episodes, season.start, end, as_of),
        # an end projected from the episode count matters once the season is over
        "estimated": open_ended or (bool(getattr(season, "end_estimated", False)) and not airing),
    }


def announced_while_airing(
    seasons_by_franchise: Mapping[str, Sequence[Season]], as_of: date, years: float = 10.0
) -> float:
    """Share of seasons whose next season became known while they aired (known by ``as_of``).

    Among the seasons that ended in the ``years`` before ``as_of`` and whose successor was not
    known when they started, the share whose successor was first known between their start and
    their end. A show still airing on ``as_of`` gets this chance on top of the model's (the
    model learns only from waits that begin when a season ends). ``nan`` without such seasons.

    Examples
    --------
    >>> s1 = Season("f", 1, 1, None, "A", date(2010, 1, 1), date(2010, 3, 1), 12, date(2009, 6, 1))
    >>> s2 = Season("f", 2, 2, None, "B", date(2011, 1, 1), date(2011, 3, 1), 12, date(2010, 2, 1))
    >>> s3 = Season("g", 1, 3, None, "C", date(2010, 1, 1), date(2010, 3, 1), 12, date(2009, 6, 1))
    >>> round(announced_while_airing({"f": [s1, s2], "g": [s3]}, date(2012, 1, 1)), 3)
    0.333
    """
    since = as_of - timedelta(days=round(years * DAYS_PER_YEAR))
    hits = total = 0
    for seasons in seasons_by_franchise.values():
        known = known_seasons(seasons, as_of)
        for pos, season in enumerate(known):
            end = season_end(season)
            if season.start is None or end is None or not since < end <= as_of:
                continue
            nxt = known_date(known[pos + 1]) if pos + 1 < len(known) else None
            if nxt is not None and nxt <= season.start:
                continue  # known before it started: never in question
            total += 1
            hits += int(nxt is not None and nxt <= end)
    return hits / total if total else math.nan


def waiting_franchises(
    seasons_by_franchise: Mapping[str, Sequence[Season]], as_of: date
) -> list[str]:
    """Franchises waiting on ``as_of``: a known TV season, none of them still to come.

    The denominator of coverage, with the rule of the franchise graph
    (:func:`sequelcast.franchise.latest_status`): a franchise whose latest known season has not
    started (a start after ``as_of``, or no start date at all once :func:`estimate_dates` has
    dated what it can) is not waiting: that season is its announced next season, or its first
    season has not aired.
    """
    out = []
    for fid, seasons in seasons_by_franchise.items():
        known = known_seasons(seasons, as_of)
        latest = known[-1] if known else None
        if latest is not None and latest.start is not None and latest.start <= as_of:
            out.append(fid)
    return out


def with_airing_chance(within: np.ndarray, airing: np.ndarray, rate: float) -> np.ndarray:
    """``P = rate + (1 - rate) * P_model`` on the rows of shows still airing (others unchanged).

    Examples
    --------
    >>> with_airing_chance(np.array([[0.1], [0.1]]), np.array([True, False]), 0.5).ravel().tolist()
    [0.55, 0.1]
    """
    if math.isnan(rate) or not np.any(airing):
        return within
    out = np.array(within, dtype=float, copy=True)
    out[airing] = rate + (1.0 - rate) * out[airing]
    return out


def at_risk_spells(spells: pd.DataFrame) -> pd.DataFrame:
    """The spells still waiting at ``as_of`` (each franchise's latest ended season)."""
    return spells[spells["at_risk"]]


def waited_years(spells: pd.DataFrame) -> np.ndarray:
    """Years already waited at ``as_of`` (the censored duration of at-risk spells)."""
    return spells["duration"].to_numpy(dtype=float)


class _History:
    """Volatile values "as of" a date: history facts first, then the entry itself."""

    def __init__(
        self, entries: Mapping[int, Anime], history: Mapping[int, Sequence[Fact]], as_of: date
    ) -> None:
        self._entries = entries
        self._as_of = as_of
        series: dict[tuple[int, str], list[tuple[date, float]]] = defaultdict(list)
        self._has: set[tuple[int, str]] = set()
        for mal_id, facts in history.items():
            for f in facts:
                if f.field not in _VOLATILE or f.value is None:
                    continue
                key = (mal_id, f.field)
                self._has.add(key)
                if f.observed_at <= as_of:
                    series[key].append((f.observed_at, float(f.value)))
        self._series = {k: sorted(v) for k, v in series.items()}

    def observation(
        self, mal_id: int | None, name: str, when: date | None = None
    ) -> tuple[date, float] | None:
        """The newest history observation on or before ``when`` (default ``as_of``)."""
        if mal_id is None:
            return None
        obs = self._series.get((mal_id, name))
        if not obs:
            return None
        when = self._as_of if when is None else min(when, self._as_of)
        i = bisect.bisect_right(obs, (when, math.inf))
        return obs[i - 1] if i else None

    def value(self, mal_id: int | None, name: str) -> float:
        if mal_id is None:
            return math.nan
        hit = self.observation(mal_id, name)
        if hit is not None:
            return hit[1]
        if (mal_id, name) in self._has:
            return math.nan  # observed, but only after as_of
        entry = self._entries.get(mal_id)
        if entry is None or not _entry_known(entry, self._as_of):
            return math.nan
        if entry.last_observed is not None and entry.last_observed > self._as_of:
            return math.nan
        v = getattr(entry, name, None)
        return math.nan if v is None else float(v)

    def growth(self, mal_id: int | None, name: str = "members") -> float:
        """Yearly log growth of ``name`` over (about) the year before ``as_of``."""
        now = self.observation(mal_id, name)
        then = self.observation(mal_id, name, self._as_of - timedelta(days=365))
        if now is None or then is None or now[1] <= 0 or then[1] <= 0:
            return math.nan
        years = years_between(then[0], now[0])
        if years < GROWTH_MIN_YEARS:
            return math.nan
        return (math.log(now[1]) - math.log(then[1])) / years


def _entry_known(entry: Anime, as_of: date) -> bool:
    if entry.first_seen is not None and entry.first_seen > as_of:
        return False
    return entry.start_date is None or entry.start_date <= as_of


def _year_percentiles(
    entries: Mapping[int, Anime], hist: _History, as_of: date
) -> dict[int, np.ndarray]:
    """Start year -> sorted members of the TV entries of that year known by ``as_of``."""
    by_year: dict[int, list[float]] = defaultdict(list)
    for mal_id, e in entries.items():
        if e.type not in (None, "TV") or e.start_date is None or not _entry_known(e, as_of):
            continue
        m = hist.value(mal_id, "members")
        if not math.isnan(m):
            by_year[e.start_date.year].append(m)
    return {y: np.sort(np.asarray(v)) for y, v in by_year.items()}


def members_percentile(members: float, year_members: np.ndarray | None) -> float:
    """Share of same-year shows with fewer members (mid-rank for ties), ``nan`` if unknown.

    Examples
    --------
    >>> members_percentile(30.0, np.array([10.0, 20.0, 30.0, 40.0]))
    0.625
    """
    if math.isnan(members) or year_members is None or len(year_members) == 0:
        return math.nan
    lo = np.searchsorted(year_members, members, side="left")
    hi = np.searchsorted(year_members, members, side="right")
    return float((lo + hi) / 2.0 / len(year_members))


def _studio_table(
    spells: pd.DataFrame, entries: Mapping[int, Anime]
) -> tuple[dict[str, dict[str, tuple[int, int]]], float]:
    """Studio -> franchise -> (finished seasons, seasons with a next season), and the base rate."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for fid, mal_id, event in zip(
        spells["franchise_id"], spells["mal_id"], spells["event"], strict=True
    ):
        entry = entries.get(int(mal_id)) if pd.notna(mal_id) else None
        for studio in entry.studios if entry is not None else ():
            cell = table[studio][fid]
            cell[0] += 1
            cell[1] += int(event)
    base = float(spells["event"].mean()) if len(spells) else 0.0
    frozen = {s: {f: (c[0], c[1]) for f, c in per.items()} for s, per in table.items()}
    return frozen, base


def _studio_record(
    studios: Sequence[str],
    fid: str,
    table: Mapping[str, Mapping[str, tuple[int, int]]],
    base: float,
) -> tuple[float, float]:
    """Smoothed next-season rate of the studios' other franchises (Beta prior at ``base``)."""
    n = k = 0
    for studio in studios:
        for other, (cn, ck) in table.get(studio, {}).items():
            if other != fid:
                n += cn
                k += ck
    rate = (k + _STUDIO_PRIOR * base) / (n + _STUDIO_PRIOR)
    return rate, math.log1p(n)


def _source_columns(source_type: str | None) -> dict[str, float]:
    group = SOURCE_GROUPS.get((source_type or "").strip().lower(), "other")
    return {c: float(c == f"src_{group}") for c in _SOURCE_COLUMNS}


def _tag_columns(entry: Anime | None) -> dict[str, float]:
    out = dict.fromkeys(TAGS.values(), 0.0)
    if entry is None:
        return out
    for tag in (*entry.genres, *entry.themes, *entry.demographics):
        col = TAGS.get(tag)
        if col is not None:
            out[col] = 1.0
    return out


def _log1p(x: float) -> float:
    return math.log1p(x) if not math.isnan(x) and x >= 0 else math.nan


def build_features(
    spells: pd.DataFrame,
    seasons_by_franchise: Mapping[str, Sequence[Season]],
    entries: Mapping[int, Anime],
    history: Mapping[int, Sequence[Fact]],
    others_count: Mapping[str, int],
    as_of: date,
    others_ids: Mapping[str, Sequence[int]] | None = None,
    source_features: Mapping[int, SourceFeatures] | None = None,
) -> pd.DataFrame:
    """The features of each spell, using only values known at ``as_of``.

    Parameters
    ----------
    spells
        From :func:`build_spells` (same ``as_of``).
    seasons_by_franchise, entries, history, others_count, others_ids
        As in :class:`ForecastInputs`; data dated after ``as_of`` is ignored.
    as_of
        The date of knowledge.

    Returns
    -------
    pandas.DataFrame
        Index ``spell_id``, the columns :data:`FEATURE_COLUMNS` (``nan`` where unknown).

    Notes
    -----
    Popularity is read at ``as_of`` for every spell (training and forecast alike), so the
    training rows look like the rows being forecast; a show that already got a sequel is often
    more popular *because* of it, which a model may partly learn.
    ``studio_rate`` leaves the spell's own franchise out so a spell never sees its own outcome.
    ``members_growth`` is the yearly log growth of members over the year before ``as_of``
    (``nan`` without two observations at least three months apart). ``log_recent_entries`` is
    ``log(1 + n)`` of the count of
    the franchise's other entries first seen in the :data:`RECENT_YEARS` before ``as_of``
    (not counting the first date of the data, when every old entry is "first seen").
    """
    hist = _History(entries, history, as_of)
    recent = _recent_entries(entries, others_ids or {}, as_of)
    year_members = _year_percentiles(entries, hist, as_of)
    studios, base = _studio_table(spells, entries)
    rows = []
    for sid, sp in spells.iterrows():
        seasons = known_seasons(seasons_by_franchise[sp["franchise_id"]], as_of)
        row = _feature_row(sp, seasons, entries, hist, year_members, studios, base, as_of)
        row.update(_disc_sales(seasons[: int(sp["position"]) + 1], hist, as_of))
        row.update(
            source_material_columns(
                (source_features or {}).get(int(sp["mal_id"])) if pd.notna(sp["mal_id"]) else None
            )
        )
        row["log_others"] = math.log1p(max(others_count.get(sp["franchise_id"], 0), 0))
        row["log_recent_entries"] = math.log1p(recent.get(sp["franchise_id"], 0))
        row["dates_estimated"] = float(bool(sp.get("estimated", False)))
        row["spell_id"] = sid
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["spell_id", *FEATURE_COLUMNS]).set_index("spell_id")
    return frame.astype(float)


def _recent_entries(
    entries: Mapping[int, Anime], others_ids: Mapping[str, Sequence[int]], as_of: date
) -> dict[str, int]:
    """Franchise -> other entries first seen within :data:`RECENT_YEARS` before ``as_of``."""
    seen = [
        e.first_seen for e in entries.values() if e.first_seen is not None and e.first_seen <= as_of
    ]
    if not seen:
        return {}
    data_start = min(seen)
    since = as_of - timedelta(days=round(RECENT_YEARS * DAYS_PER_YEAR))
    out = {}
    for fid, ids in others_ids.items():
        dates = [entries[i].first_seen for i in ids if i in entries]
        out[fid] = sum(1 for d in dates if d is not None and since < d <= as_of and d > data_start)
    return out


def _disc_sales(seasons: Sequence[Season], hist: _History, as_of: date) -> dict[str, float]:
    """Log of (1 + thousands of units per volume) of the newest season with known sales.

    A season's sales count once it ended :data:`SALES_DELAY_DAYS` before ``as_of``; without any,
    ``log_disc_sales`` is ``nan`` and ``disc_sales_missing`` is 1 (most shows after 2020, and
    every show the sales site did not list).
    """
    for season in reversed(seasons):
        end = season_end(season)
        if end is None or (as_of - end).days < SALES_DELAY_DAYS:
            continue
        v = hist.value(season.mal_id, "disc_sales")
        if not math.isnan(v):
            return {"log_disc_sales": math.log1p(max(v, 0.0)), "disc_sales_missing": 0.0}
    return {"log_disc_sales": math.nan, "disc_sales_missing": 1.0}


def source_material_columns(sf: SourceFeatures | None) -> dict[str, float]:
    """The :data:`SOURCE_MATERIAL_COLUMNS` of one anime's source material.

    ``src_running`` (the source is still being published) and ``src_volumes_per_episode``
    (volumes of source per episode adapted so far: more means more left to adapt) are the
    "source left" signals; ``src_linked`` is 0 when no source work was linked.

    Examples
    --------
    >>> sf = SourceFeatures(True, "light_novel", finished=True, years_running=3.3, volumes=5,
    ...                     episodes_per_volume=2.6)
    >>> cols = source_material_columns(sf)
    >>> cols["src_finished"], cols["src_running"], round(cols["src_volumes_per_episode"], 3)
    (1.0, 0.0, 0.385)
    """
    out = dict.fromkeys(SOURCE_MATERIAL_COLUMNS, math.nan)
    out["src_linked"] = 0.0
    if sf is None or not sf.linked:
        return out
    out["src_linked"] = 1.0
    if sf.finished is not None:
        out["src_finished"] = float(sf.finished)
        out["src_running"] = float(not sf.finished)
    if sf.years_running is not None:
        out["src_years_running"] = float(sf.years_running)
    volumes = sf.volumes if sf.volumes is not None else sf.volumes_estimate
    if volumes is not None and volumes > 0:
        out["src_log_volumes"] = math.log1p(float(volumes))
    if sf.episodes_per_volume is not None and sf.episodes_per_volume > 0:
        out["src_volumes_per_episode"] = 1.0 / float(sf.episodes_per_volume)
    return out


def _episodes_aired(episodes: int | None, start: date, end: date, as_of: date) -> float:
    """Episodes out by ``as_of``: all of them once ended, else one a week since the start."""
    if end <= as_of:
        return float(episodes) if episodes else math.nan
    weekly = (as_of - start).days // 7 + 1
    return float(min(weekly, episodes) if episodes else weekly)


def _feature_row(
    sp: pd.Series,
    seasons: Sequence[Season],
    entries: Mapping[int, Anime],
    hist: _History,
    year_members: Mapping[int, np.ndarray],
    studios: Mapping[str, Mapping[str, tuple[int, int]]],
    base: float,
    as_of: date,
) -> dict[str, Any]:
    pos = int(sp["position"])
    season = seasons[pos]
    mal_id = season.mal_id
    entry = entries.get(mal_id) if mal_id is not None else None
    members = hist.value(mal_id, "members")
    first_members = hist.value(seasons[0].mal_id, "members")
    favorites = hist.value(mal_id, "favorites")
    start: date = sp["start"]
    end: date = sp["end"]
    episodes = season.episodes or (entry.episodes if entry is not None else None)
    prev_end = season_end(seasons[pos - 1]) if pos > 0 else None
    rate, log_n = _studio_record(entry.studios if entry else (), sp["franchise_id"], studios, base)
    row: dict[str, Any] = {
        "log_members": _log1p(members),
        "members_pct_year": members_percentile(members, year_members.get(start.year)),
        "members_growth": hist.growth(mal_id),
        "members_vs_first": (members / first_members) if pos > 0 and first_members > 0 else 1.0,
        "score": hist.value(mal_id, "score"),
        "log_scored_by": _log1p(hist.value(mal_id, "scored_by")),
        "log_favorites": _log1p(favorites),
        "favorites_ratio": favorites / members if members > 0 else math.nan,
        "log_anilist_members": _log1p(hist.value(mal_id, "anilist_members")),
        "episodes": float(episodes) if episodes else math.nan,
        "airing_weeks": max((end - start).days, 0) / 7.0,
        **_source_columns(entry.source_type if entry else None),
        "studio_rate": rate,
        "studio_log_n": log_n,
        **_tag_columns(entry),
        "season_number": float(pos + 1),
        "is_part": float(bool(season.part and season.part > 1)),
        "prev_gap_years": max(years_between(prev_end, start), 0.0) if prev_end else math.nan,
        "start_year": start.year + (start.timetuple().tm_yday - 1) / DAYS_PER_YEAR,
        "lead_years": _lead_years(season.announced, start, as_of),
        "franchise_span_years": max(years_between(seasons[0].start or start, end), 0.0),
        "franchise_log_episodes": math.log1p(sum(s.episodes or 0 for s in seasons[: pos + 1])),
    }
    return row


def _lead_years(announced: date | None, start: date, as_of: date) -> float:
    """Years between the season's first sighting (its ``announced``: AniDB listing, MAL entry or
    AniList pair, the earliest) and its start, at most :data:`MAX_LEAD_YEARS`; 0 when first seen
    once airing; ``nan`` when not seen by ``as_of``. A season listed long before it aired was
    anticipated (a known source, a big studio); a lower bound where the lists begin after it.

    Examples
    --------
    >>> round(_lead_years(date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1)), 2)
    1.0
    >>> _lead_years(date(2021, 3, 1), date(2021, 1, 1), date(2022, 1, 1))
    0.0
    """
    if announced is None or announced > as_of:
        return math.nan
    return min(max(years_between(announced, start), 0.0), MAX_LEAD_YEARS)


def make_dataset(inputs: ForecastInputs, as_of: date) -> SurvivalData:
    """Spells and features at ``as_of`` in one call.

    Parameters
    ----------
    inputs
        What a snapshot holds (later data is ignored).
    as_of
        The date of knowledge.

    Returns
    -------
    SurvivalData
        ``X`` (features), ``spells`` (durations, events, at-risk flags), aligned by index.
    """
    spells = build_spells(inputs.seasons_by_franchise, as_of)
    undated = np.array(
        [_undated(inputs.entries.get(int(m)) if pd.notna(m) else None) for m in spells["mal_id"]],
        dtype=bool,
    )
    spells["estimated"] = spells["estimated"].to_numpy(dtype=bool) | undated
    X = build_features(
        spells,
        inputs.seasons_by_franchise,
        inputs.entries,
        inputs.history,
        inputs.others_count,
        as_of,
        inputs.others_ids,
        inputs.source_features,
    )
    spells["studio"] = [
        _studio_name(inputs.entries.get(int(m)) if pd.notna(m) else None) for m in spells["mal_id"]
    ]
    spells["source_summary"] = [
        _source_summary(inputs.source_features.get(int(m))) if pd.notna(m) else ""
        for m in spells["mal_id"]
    ]
    return SurvivalData(X=X, spells=spells)


def _studio_name(entry: Anime | None) -> str:
    return " & ".join(entry.studios[:2]) if entry is not None and entry.studios else ""


def _source_summary(sf: SourceFeatures | None) -> str:
    return sf.summary if sf is not None and sf.linked else ""


def inputs_from_snapshot(snapshot: Snapshot, franchises: Iterable[Any]) -> ForecastInputs:
    """The forecast inputs of a snapshot and its franchises.

    Parameters
    ----------
    snapshot
        What the catalog knows at ``snapshot.as_of``.
    franchises
        Objects with ``id``, ``seasons`` (main-line :class:`~sequelcast.domain.Season` in order)
        and ``others`` (the franchise's movies, OVAs...), e.g. the franchises of
        ``sequelcast.franchise.build_franchises(snapshot)``.

    Returns
    -------
    ForecastInputs
    """
    seasons: dict[str, list[Season]] = {}
    others: dict[str, int] = {}
    others_ids: dict[str, list[int]] = {}
    for f in franchises:
        if f.seasons:
            # none of its seasons has a start date: by the graph's rule none aired yet, so an old
            # undated entry may be placed at its first sighting (rule 3 of estimate_dates)
            undated = all(s.start is None for s in f.seasons)
            seasons[str(f.id)] = [
                estimate_dates(
                    s,
                    snapshot.entries.get(s.mal_id or -1),
                    snapshot.as_of,
                    by_first_sighting=undated,
                )
                for s in f.seasons
            ]
            others[str(f.id)] = len(f.others)
            others_ids[str(f.id)] = [o.mal_id for o in f.others if o.mal_id is not None]
    return ForecastInputs(
        seasons, snapshot.entries, snapshot.history, others, others_ids, snapshot.source_features
    )


def _undated(entry: Anime | None) -> bool:
    """The entry has no start date of its own (its season was dated by :func:`estimate_dates`)."""
    return entry is None or entry.start_date is None


#: First month of each MAL broadcast season, for seasons dated only by season and year.
_SEASON_MONTH = {"winter": 1, "spring": 4, "summer": 7, "fall": 10}


#: An AniDB-style year in parentheses at the end of a title ("Narara Superboard (1998)").
_TITLE_YEAR = re.compile(r"\((19\d\d|20\d\d)\)\s*$")
#: An undated season first seen at least this many years before ``as_of`` is placed at its first
#: sighting (rule 3 of :func:`estimate_dates`); a younger one may not have aired yet.
UNDATED_MIN_AGE_YEARS = 1.0


def estimate_dates(
    season: Season,
    entry: Anime | None,
    as_of: date | None = None,
    *,
    by_first_sighting: bool = False,
) -> Season:
    """The season with its start estimated when the data gives no start date (flagged ``estimated``).

    Old shows (before 2006, outside the seasonal lists) and AniDB-only entries often have no start
    date. In order, the first rule that applies:

    1. the first day of the entry's MAL broadcast season (``spring 1998`` -> 1998-04-01), else of
       its year;
    2. January 1 of a year written in parentheses at the end of the title (AniDB's way of telling
       two works of one name apart: ``Narara Superboard (1998)``), if not after ``as_of``'s year;
    3. with ``by_first_sighting`` (the caller's choice: no season of the franchise has a start
       date, so none of them aired by the graph's rule), the season's first sighting
       (``announced``: the earliest of AniDB first listing and MAL first-seen) when it is at least
       :data:`UNDATED_MIN_AGE_YEARS` before ``as_of``. An old show's listing comes after its
       broadcast, so the wait since is underestimated; a younger undated entry may not have aired
       and stays undated (not waiting).

    The episode count comes from the entry when the season has none. The end then follows from
    :func:`season_end` (one episode a week); a season with no episode count either is read as
    still airing on ``as_of`` (:func:`build_spells`).

    Examples
    --------
    >>> s = Season("f", 1, 1, None, "Cowboy Bebop", None, None, None, None)
    >>> e = Anime(1, "Cowboy Bebop", episodes=26, season="spring", year=1998)
    >>> est = estimate_dates(s, e)
    >>> est.start, season_end(est)
    (datetime.date(1998, 4, 1), datetime.date(1998, 9, 23))
    >>> estimate_dates(Season("g", 1, None, 9, "Robotan (1989)", None, None, None, None), None).start
    datetime.date(1989, 1, 1)
    >>> old = Season("h", 1, None, 7, "Old show", None, None, None, date(2012, 9, 22))
    >>> estimate_dates(old, None, date(2018, 5, 7), by_first_sighting=True).start
    datetime.date(2012, 9, 22)
    """
    if season.start is not None:
        return season
    episodes = season.episodes or (entry.episodes if entry is not None else None)
    year = None
    if entry is not None:
        year = entry.year or (entry.start_date.year if entry.start_date else None)
    if year is not None:
        month = _SEASON_MONTH.get((entry.season or "").lower(), 1) if entry is not None else 1
        return replace(season, start=date(year, month, 1), episodes=episodes)
    m = _TITLE_YEAR.search(season.title or "")
    if m is not None and (as_of is None or int(m.group(1)) <= as_of.year):
        return replace(season, start=date(int(m.group(1)), 1, 1), episodes=episodes)
    seen = season.announced
    if (
        by_first_sighting
        and seen is not None
        and as_of is not None
        and years_between(seen, as_of) >= UNDATED_MIN_AGE_YEARS
    ):
        return replace(season, start=seen, episodes=episodes)
    return season


def censor_at(
    spells: pd.DataFrame, seasons_by_franchise: Mapping[str, Sequence[Season]], when: date
) -> pd.DataFrame:
    """The same spells as they looked at an earlier date ``when`` (for inner time splits).

    Seasons still airing on ``when`` are at-risk spells with (almost) nothing waited; events
    after ``when`` become censored at ``when``. The ``at_risk`` flag is recomputed for ``when``.
    """
    earlier = build_spells(seasons_by_franchise, when)
    return earlier[earlier.index.isin(spells.index)]
