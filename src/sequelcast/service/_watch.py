"""The watchlist: what changed since the last check (on the JSON of the stored franchises)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sequelcast.errors import NotFoundError

if TYPE_CHECKING:
    from sequelcast.catalog import Catalog


def next_key(ns: dict[str, Any]) -> str:
    """What identifies a next-season status, to notice when it changes.

    >>> next_key({"status": "announced", "mal_id": 7, "anidb_id": None, "expected": "2027-01-01"})
    'announced|7||2027-01-01'
    """
    return f"{ns['status']}|{ns['mal_id'] or ''}|{ns['anidb_id'] or ''}|{ns['expected'] or ''}"


def add(catalog: Catalog, mal_id: int, franchise: dict[str, Any], today: date) -> dict[str, Any]:
    ns = franchise["next_season"]
    row = {
        "mal_id": mal_id,
        "title": franchise["title"],
        "added_at": today,
        "last_checked": today,
        "status": ns["status"],
        "next_key": next_key(ns),
    }
    added = catalog.watch(dict(row))
    return {**row, "added": added}


def event_message(title: str, old: str, ns: dict[str, Any]) -> str:
    """The line that tells what changed.

    >>> event_message("X", "none", {"status": "announced", "expected": None, "first_seen": None,
    ...                             "title": "X 2"})
    'X: next season announced: X 2 (date TBA)'
    """
    if ns["status"] == "announced":
        when = ns["expected"] or "date TBA"
        seen = f", first seen {ns['first_seen']}" if ns["first_seen"] else ""
        what = ns["title"] or "a next season"
        verb = "announced" if old == "none" else "updated"
        return f"{title}: next season {verb}: {what} ({when}{seen})"
    if old == "announced":
        return f"{title}: the announced season has started airing"
    return f"{title}: next season status is now {ns['status']}"


def check(
    catalog: Catalog,
    franchise_of: Callable[[int], dict[str, Any]],
    today: date,
    *,
    notify: Callable[[list[dict[str, Any]]], object] | None = None,
) -> list[dict[str, Any]]:
    """Compare every watched show's next-season status with the last check; store and return changes.

    ``notify(events)`` (a webhook) is called before anything is stored, when there are changes:
    if it raises, the check is not recorded and the next check finds the same changes again.
    """
    updates, events = [], []
    for row in catalog.watched():
        try:
            ns = franchise_of(row["mal_id"])["next_season"]
        except NotFoundError:
            continue  # not in this build; keep the row as it was
        key = next_key(ns)
        updates.append(
            {
                "mal_id": row["mal_id"],
                "last_checked": today,
                "status": ns["status"],
                "next_key": key,
            }
        )
        if key != row["next_key"]:
            events.append(
                {
                    "mal_id": row["mal_id"],
                    "detected_at": today,
                    "old_status": row["status"],
                    "new_status": ns["status"],
                    "message": event_message(row["title"], row["status"], ns),
                }
            )
    if events and notify is not None:
        notify(events)
    catalog.record_watch_check(updates, events)
    return events


def feed(events: list[dict[str, Any]], base_url: str) -> str:
    """An Atom feed of watchlist events (newest first)."""
    updated = events[0]["detected_at"].isoformat() if events else "1970-01-01"
    entries = "".join(
        f"<entry><id>{escape(base_url)}events/{e['id']}</id><title>{escape(e['message'])}</title>"
        f"<updated>{e['detected_at'].isoformat()}T00:00:00Z</updated>"
        f'<link href="{escape(base_url)}anime/{e["mal_id"]}"/>'
        f"<summary>{escape(e['old_status'])} -> {escape(e['new_status'])}</summary></entry>"
        for e in events
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(base_url)}watchlist</id><title>sequelcast watchlist</title>"
        f"<updated>{updated}T00:00:00Z</updated>{entries}</feed>"
    )
