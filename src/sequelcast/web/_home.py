"""The lists of the home page, from the stored franchises and the forecasts (pure: no I/O).

- announced next seasons, soonest first (unknown dates last);
- recently announced, newest first sighting first;
- airing now, with each show's odds when the forecast has them;
- most likely to return: the highest chance of an announcement within the shortest horizon.

Examples
--------
>>> from datetime import date
>>> fr = {"id": "mal:1", "title": "Kaiju", "seasons": [], "next_season": {
...     "status": "announced", "mal_id": 2, "title": "Kaiju 2",
...     "first_seen": "2026-01-05", "expected": "2026-10-01"}}
>>> lists = home_lists([fr], [], {}, date(2026, 8, 1))
>>> [(x["title"], x["expected"]) for x in lists["announced"]]
[('Kaiju 2', '2026-10-01')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

#: Rows per list.
LIMIT = 10
_HORIZON = re.compile(r"^p_(\d+(?:\.\d+)?)y$")
#: The name the franchise graph gives an entry known only by its id ("AniDB 10032").
_PLACEHOLDER = re.compile(r"^(AniDB|MAL) \d+$")


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def first_horizon(row: Mapping[str, Any]) -> tuple[float, float] | None:
    """The shortest ``p_<h>y`` horizon of a forecast row with its probability, ``None`` if none.

    Examples
    --------
    >>> first_horizon({"p_2y": 0.4, "p_1y": 0.25, "title": "X"})
    (1.0, 0.25)
    """
    found = sorted(
        (float(m.group(1)), float(p))
        for k, p in row.items()
        if (m := _HORIZON.match(k)) and isinstance(p, int | float)
    )
    return found[0] if found else None


def _announced(franchises: list[dict[str, Any]], as_of: date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for fr in franchises:
        ns = fr.get("next_season") or {}
        expected = _day(ns.get("expected"))
        if ns.get("status") != "announced" or (expected is not None and expected < as_of):
            continue
        seasons = fr.get("seasons") or []
        latest = next((s["mal_id"] for s in reversed(seasons) if s.get("mal_id") is not None), None)
        title = ns.get("title")
        named = title if title and not _PLACEHOLDER.match(title) else None
        out.append(
            {
                "title": named or f"{fr['title']}: next season",
                "franchise": fr["title"],
                "mal_id": ns.get("mal_id") or latest,
                "expected": ns.get("expected"),
                "first_seen": ns.get("first_seen"),
            }
        )
    return out


def _airing(
    franchises: list[dict[str, Any]],
    odds: Mapping[str, dict[str, Any]],
    members: Mapping[int, int],
    as_of: date,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for fr in franchises:
        season = next(
            (
                s
                for s in reversed(fr.get("seasons") or [])
                if (start := _day(s.get("start"))) is not None and start <= as_of
            ),
            None,
        )
        end = _day(season.get("end")) if season else None
        if season is None or season.get("mal_id") is None or (end is not None and end < as_of):
            continue
        row = odds.get(fr["id"])
        horizon = first_horizon(row) if row else None
        out.append(
            {
                "title": season["title"],
                "mal_id": season["mal_id"],
                "number": season.get("number"),
                "started": season.get("start"),
                "members": members.get(season["mal_id"], 0),
                "horizon": horizon,
                "next_status": (fr.get("next_season") or {}).get("status"),
            }
        )
    out.sort(key=lambda x: (-x["members"], x["title"]))
    return out[:LIMIT]


def _likely(forecasts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [(first_horizon(r), r) for r in forecasts]
    ranked = sorted(
        ((h, r) for h, r in rows if h is not None), key=lambda x: (x[0][0], -x[0][1], x[1]["title"])
    )
    return [
        {
            "title": r["title"],
            "mal_id": r.get("mal_id"),
            "horizon": h,
            "waited_years": r.get("waited_years"),
        }
        for h, r in ranked[:LIMIT]
    ]


def home_lists(
    franchises: Iterable[dict[str, Any]],
    forecasts: list[dict[str, Any]],
    members: Mapping[int, int],
    as_of: date,
) -> dict[str, list[dict[str, Any]]]:
    """The four lists of the home page, each at most :data:`LIMIT` rows.

    Parameters
    ----------
    franchises : iterable of dict
        Every franchise as known on ``as_of``, in the JSON shape of ``sequelcast franchise --json``.
    forecasts : list of dict
        ``service.forecast_every`` rows (``franchise_id``, ``mal_id``, ``title``, ``p_<h>y``...);
        may be empty when forecasting is unavailable.
    members : mapping of int to int
        MAL id -> members, to put the most followed airing shows first.
    as_of : date
        The date of the data: announced seasons expected before it are left out, and airing means
        started by it and not ended before it.

    Returns
    -------
    dict
        ``announced`` (soonest first, TBA last), ``recent`` (newest first sighting first),
        ``airing`` (most members first, with ``horizon`` = (years, probability) or ``None``) and
        ``likely`` (highest chance first).
    """
    frs = list(franchises)
    announced = _announced(frs, as_of)
    soonest = sorted(
        announced, key=lambda x: (x["expected"] is None, x["expected"] or "", x["title"])
    )
    recent = sorted(
        (x for x in announced if x["first_seen"]),
        key=lambda x: (x["first_seen"], x["title"]),
        reverse=True,
    )
    odds = {str(r.get("franchise_id")): r for r in forecasts}
    return {
        "announced": soonest[:LIMIT],
        "recent": recent[:LIMIT],
        "airing": _airing(frs, odds, members, as_of),
        "likely": _likely(forecasts),
    }
