"""The watchlist: what changed since the last check."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sequelcast.catalog import Catalog
from sequelcast.domain import NextSeason
from sequelcast.errors import NotFoundError
from sequelcast.franchise import Franchise
from sequelcast.service._lookup import _iso, find_mal_id, franchise_graph, parse_mal_id

# -- watchlist ----------------------------------------------------------------------------------

def _next_key(ns: NextSeason) -> str:
    return f"{ns.status}|{ns.mal_id or ''}|{ns.anidb_id or ''}|{_iso(ns.expected) or ''}"


def _watched_franchise(catalog: Catalog, mal_id: int, cache_dir: Path | None) -> Franchise:
    graph = franchise_graph(catalog, None, cache_dir)
    if mal_id not in graph:
        raise NotFoundError(f"MAL id {mal_id} belongs to no franchise in the catalog")
    return graph.of(mal_id)


def watch_add(catalog: Catalog, title_or_id: str, today: date, cache_dir: Path | None = None) -> dict[str, Any]:
    """Put a show on the watchlist with its next-season status of today; returns the row."""
    mal_id = find_mal_id(catalog, title_or_id, cache_dir)
    fr = _watched_franchise(catalog, mal_id, cache_dir)
    row = {"mal_id": mal_id, "title": fr.title, "added_at": today, "last_checked": today,
           "status": fr.next_season.status, "next_key": _next_key(fr.next_season)}
    row["added"] = catalog.watch(dict(row))
    return row


def watch_remove(catalog: Catalog, title_or_id: str, cache_dir: Path | None = None) -> int:
    """Take a show off the watchlist (by MAL id or title); returns its MAL id."""
    text = title_or_id.strip()
    parsed = parse_mal_id(text)
    mal_id = parsed if parsed is not None else find_mal_id(catalog, text, cache_dir)
    if not catalog.unwatch(mal_id):
        raise NotFoundError(f"MAL id {mal_id} is not on the watchlist")
    return mal_id


def _event_message(title: str, old: str, ns: NextSeason) -> str:
    if ns.status == "announced":
        when = _iso(ns.expected) or "date TBA"
        seen = f", first seen {_iso(ns.first_seen)}" if ns.first_seen else ""
        what = ns.title or "a next season"
        verb = "announced" if old == "none" else "updated"
        return f"{title}: next season {verb}: {what} ({when}{seen})"
    if old == "announced":
        return f"{title}: the announced season has started airing"
    return f"{title}: next season status is now {ns.status}"


def watch_check(catalog: Catalog, today: date, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Compare every watched show's next-season status with the last check; store and return changes."""
    updates, events = [], []
    for row in catalog.watched():
        try:
            fr = _watched_franchise(catalog, row["mal_id"], cache_dir)
        except NotFoundError:
            continue  # not in this build; keep the row as it was
        key = _next_key(fr.next_season)
        updates.append({"mal_id": row["mal_id"], "last_checked": today, "status": fr.next_season.status,
                        "next_key": key})
        if key != row["next_key"]:
            events.append({"mal_id": row["mal_id"], "detected_at": today, "old_status": row["status"],
                           "new_status": fr.next_season.status,
                           "message": _event_message(row["title"], row["status"], fr.next_season)})
    catalog.record_watch_check(updates, events)
    return events


def watch_feed(catalog: Catalog, base_url: str = "https://sequelcast.invalid/") -> str:
    """An Atom feed of the watchlist's events, newest first."""
    from xml.sax.saxutils import escape

    events = catalog.watch_events()
    updated = events[0]["detected_at"].isoformat() if events else "1970-01-01"
    entries = "".join(
        f"<entry><id>{escape(base_url)}events/{e['id']}</id><title>{escape(e['message'])}</title>"
        f"<updated>{e['detected_at'].isoformat()}T00:00:00Z</updated>"
        f"<link href=\"{escape(base_url)}anime/{e['mal_id']}\"/>"
        f"<summary>{escape(e['old_status'])} -> {escape(e['new_status'])}</summary></entry>"
        for e in events
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(base_url)}watchlist</id><title>sequelcast watchlist</title>"
        f"<updated>{updated}T00:00:00Z</updated>{entries}</feed>"
    )
