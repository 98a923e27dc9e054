"""What a build derives once so that queries only read: per-entry facts, franchises, forecasts.

:func:`derive` turns a snapshot and its franchises into the rows of the derived tables. The same
:class:`Derived` object answers queries about a past date (computed on demand, kept in a bounded
cache), and :class:`StoredView` answers them from the tables of the last build. Both speak the
same JSON shapes, so every surface gives the same answer whichever one it reads.
"""

from __future__ import annotations

import bisect
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from sequelcast.domain import Anime, Evidence, NextSeason, Snapshot

if TYPE_CHECKING:  # the forecast package pulls in scikit-learn; franchise is needed by builds only
    from sequelcast.catalog import Reads
    from sequelcast.forecast import ShowForecast
    from sequelcast.franchise import Franchise, FranchiseGraph


#: The model `forecast` uses unless told otherwise: the one the backtests keep (docs/backtest.md).
DEFAULT_MODEL = "auto"
#: The name of the pickled title index among the build's blobs.
TITLE_INDEX = "title-index"


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def evidence_json(ev: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [{"source": e.source, "detail": e.detail, "observed_at": iso(e.observed_at)} for e in ev]


def next_season_json(ns: NextSeason) -> dict[str, Any]:
    """The stable JSON shape of a next-season status."""
    return {
        "status": ns.status,
        "mal_id": ns.mal_id,
        "anidb_id": ns.anidb_id,
        "title": ns.title,
        "first_seen": iso(ns.first_seen),
        "expected": iso(ns.expected),
        "evidence": evidence_json(ns.evidence),
    }


def franchise_json(fr: Franchise) -> dict[str, Any]:
    """The stable JSON shape of a franchise (``sequelcast franchise --json``)."""
    from sequelcast.franchise import season_state  # builds only: a query reads the stored JSON

    return {
        "id": fr.id,
        "title": fr.title,
        "as_of": iso(fr.reference_date),
        "seasons": [
            {
                "number": x.number,
                "mal_id": x.mal_id,
                "anidb_id": x.anidb_id,
                "title": x.title,
                "start": iso(x.start),
                "end": iso(x.end),
                "end_estimated": x.end_estimated,
                "state": season_state(x, fr.reference_date),
                "episodes": x.episodes,
                "part": x.part,
                "announced": iso(x.announced),
            }
            for x in fr.seasons
        ],
        "others": [
            {
                "mal_id": o.mal_id,
                "anidb_id": o.anidb_id,
                "title": o.title,
                "type": o.type,
                "start": iso(o.start),
                "episodes": o.episodes,
            }
            for o in fr.others
        ],
        "next_season": next_season_json(fr.next_season),
        "lags_days": fr.lags(),
    }


def entry_json(entry: Anime) -> dict[str, Any]:
    """The stable JSON shape of one entry."""
    return {
        "mal_id": entry.mal_id,
        "title": entry.title,
        "title_english": entry.title_english,
        "title_japanese": entry.title_japanese,
        "synonyms": list(entry.synonyms),
        "type": entry.type,
        "episodes": entry.episodes,
        "start_date": entry.start_date.isoformat() if entry.start_date else None,
        "end_date": entry.end_date.isoformat() if entry.end_date else None,
        "season": entry.season,
        "year": entry.year,
        "status": entry.status,
        "source_type": entry.source_type,
        "studios": list(entry.studios),
        "producers": list(entry.producers),
        "licensors": list(entry.licensors),
        "genres": list(entry.genres),
        "themes": list(entry.themes),
        "demographics": list(entry.demographics),
        "rating": entry.rating,
        "duration": entry.duration,
        "score": entry.score,
        "scored_by": entry.scored_by,
        "members": entry.members,
        "favorites": entry.favorites,
        "rank": entry.rank,
        "popularity": entry.popularity,
        "first_seen": entry.first_seen.isoformat() if entry.first_seen else None,
        "last_observed": entry.last_observed.isoformat() if entry.last_observed else None,
        "ids": dict(entry.ids),
    }


def _year(a: Anime) -> int | None:
    return a.year or (a.start_date.year if a.start_date else None)


def _percentile(value: float | None, ordered: Sequence[float]) -> float | None:
    """Share of ``ordered`` (sorted) at or below ``value``, in percent (``None`` when unknown).

    >>> _percentile(3, [1, 2, 3, 4]), _percentile(None, [1]), _percentile(1, [])
    (75.0, None, None)
    """
    if value is None or not ordered:
        return None
    return round(100.0 * bisect.bisect_right(ordered, value) / len(ordered), 1)


def no_peers() -> dict[str, Any]:
    """The peers of an entry without a year (or unknown on the date)."""
    return {"group": None, "count": 0, "members_percentile": None, "score_percentile": None}


def peers_of(entries: dict[int, Anime]) -> dict[int, dict[str, Any]]:
    """For every entry: its peer group (same type, same year), its size and the entry's percentiles."""
    groups: dict[tuple[str | None, int], list[Anime]] = defaultdict(list)
    for a in entries.values():
        year = _year(a)
        if year:
            groups[a.type, year].append(a)
    members = {k: sorted(a.members for a in g if a.members is not None) for k, g in groups.items()}
    scores = {k: sorted(a.score for a in g if a.score is not None) for k, g in groups.items()}
    out: dict[int, dict[str, Any]] = {}
    for mal_id, a in entries.items():
        year = _year(a)
        key = (a.type, year or 0)
        out[mal_id] = {
            "group": f"{a.type} shows of {year}" if year else None,
            "count": len(groups.get(key, ())) if year else 0,
            "members_percentile": _percentile(a.members, members.get(key, [])) if year else None,
            "score_percentile": _percentile(a.score, scores.get(key, [])) if year else None,
        }
    return out


@dataclass
class Derived:
    """Everything the queries read, as known on one date (in memory)."""

    as_of: date | None
    entries: dict[int, Anime]
    franchises: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: MAL id -> (franchise id, status of the season after it when it is a main-line season)
    membership: dict[int, tuple[str, dict[str, Any] | None]] = field(default_factory=dict)
    peers: dict[int, dict[str, Any]] = field(default_factory=dict)

    def entry(self, mal_id: int) -> Anime | None:
        return self.entries.get(mal_id)

    def about(self, mal_id: int) -> tuple[str | None, dict[str, Any] | None, dict[str, Any]]:
        fid, nxt = self.membership.get(mal_id, (None, None))
        return fid, nxt, self.peers.get(mal_id) or no_peers()

    def franchise(self, franchise_id: str) -> dict[str, Any] | None:
        return self.franchises.get(franchise_id)

    def franchise_id(self, mal_id: int) -> str | None:
        return self.membership.get(mal_id, (None, None))[0]

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """The rows of the derived tables (see :mod:`sequelcast.catalog.schema`)."""
        return {
            "anime_derived": [
                {
                    "mal_id": m,
                    "franchise_id": self.membership.get(m, (None, None))[0],
                    "next_season": self.membership.get(m, (None, None))[1],
                    "peers": self.peers[m],
                }
                for m in self.entries
            ],
            "franchises": [
                {"id": fid, "title": doc["title"], "doc": doc}
                for fid, doc in self.franchises.items()
            ],
        }


def derive(snapshot: Snapshot, graph: FranchiseGraph) -> Derived:
    """The derived facts of a snapshot and its franchises (both as of the same date)."""
    out = Derived(snapshot.as_of, dict(snapshot.entries), peers=peers_of(snapshot.entries))
    for fr in graph:
        out.franchises[fr.id] = franchise_json(fr)
        for x in fr.seasons:
            if x.mal_id is not None:
                out.membership[x.mal_id] = (fr.id, next_season_json(fr.next_after(x.mal_id)))
        for o in fr.others:
            if o.mal_id is not None:
                out.membership.setdefault(o.mal_id, (fr.id, None))
    return out


class View(Protocol):
    """What queries read: the derived facts of one date, stored or computed."""

    def entry(self, mal_id: int) -> Anime | None: ...

    def about(self, mal_id: int) -> tuple[str | None, dict[str, Any] | None, dict[str, Any]]: ...

    def franchise(self, franchise_id: str) -> dict[str, Any] | None: ...

    def franchise_id(self, mal_id: int) -> str | None: ...


class StoredView:
    """The derived tables of the catalog's last build (one indexed read per call)."""

    def __init__(self, catalog: Reads) -> None:
        self.catalog = catalog

    def entry(self, mal_id: int) -> Anime | None:
        return self.catalog.get_anime(mal_id)

    def about(self, mal_id: int) -> tuple[str | None, dict[str, Any] | None, dict[str, Any]]:
        row = self.catalog.derived_of(mal_id)
        if row is None:
            return None, None, no_peers()
        return row["franchise_id"], row["next_season"], row["peers"]

    def franchise(self, franchise_id: str) -> dict[str, Any] | None:
        return self.catalog.franchise_doc(franchise_id)

    def franchise_id(self, mal_id: int) -> str | None:
        return self.about(mal_id)[0]


def _round(p: float) -> float:
    return round(float(p), 4)


def forecast_json(fc: ShowForecast) -> dict[str, Any]:
    """The stable JSON shape of one forecast."""
    window = fc.window
    return {
        "franchise_id": fc.franchise_id,
        "mal_id": fc.mal_id,
        "title": fc.title,
        "as_of": fc.as_of.isoformat(),
        "ended": iso(fc.ended),
        "waited_years": round(fc.waited_years, 2),
        **{f"p_{h:g}y": _round(p) for h, p in fc.probabilities.items()},
        "median_years": None if fc.median_years is None else round(fc.median_years, 1),
        "window": None
        if window is None
        else {
            "label": window.label,
            "start": window.start,
            "end": window.end,
            "probability": _round(window.probability),
            "conditional_probability": _round(window.conditional_probability),
            "quarters": [
                {"quarter": q, "probability": _round(p)} for q, p in window.quarters if p >= 0.005
            ],
            "beyond": _round(window.beyond),
        },
        "factors": [
            {"text": f.text, "effect": round(f.effect, 4), "raises": f.raises, "kind": f.kind}
            for f in fc.factors
        ],
        "model": fc.model,
        "airing": fc.airing,
        "estimated_dates": fc.estimated,
        "verdict": fc.verdict or None,
        "confidence": fc.confidence or None,
        "confidence_reasons": list(fc.confidence_reasons),
        "median_text": fc.median_text,
        "conditional_window": None
        if fc.lag_window is None
        else {
            "low_years": fc.lag_window.low,
            "high_years": fc.lag_window.high,
            "probability": _round(fc.lag_window.share),
            "text": fc.lag_window.text,
        },
        "airs_by": [
            {
                "date": d.isoformat(),
                "probability": _round(p),
                "text": f"{p:.0%} chance it airs by {d.isoformat()}",
            }
            for d, p in fc.airs_by
        ],
    }


def write_past_view(catalog_url: str, when: date, path: str) -> None:
    """Derive what the catalog at ``catalog_url`` knew on ``when`` into a SQLite file at ``path``.

    Runs in a child process (:meth:`sequelcast.service.Sequelcast.view`), so the seconds of CPU it
    takes never hold the server's GIL. The file appears complete or not at all.
    """
    from sequelcast.catalog import open_catalog
    from sequelcast.franchise import build_franchises

    with open_catalog(catalog_url, create=False) as catalog:
        snap = catalog.snapshot(when)
    derived = derive(snap, build_franchises(snap))
    tmp = f"{path}.{os.getpid()}.tmp"
    with open_catalog(f"sqlite:///{tmp}") as out:
        out.write_view(snap, derived.rows())
    os.replace(tmp, path)
