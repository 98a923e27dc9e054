"""Feeds: the iCalendar of announced next seasons (all, or the watchlist's) and the webhook."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from sequelcast.catalog import Catalog
from sequelcast.feeds import SeasonEvent, icalendar, webhook_payload
from sequelcast.sources import webhook


def announced_next_seasons(catalog: Catalog, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every franchise whose next season is announced (with or without a date), as plain rows.

    Read from the franchises the last build stored; the one place sync's summary and the
    calendars read them from. ``cache_dir`` is unused (kept for callers).
    """
    rows = []
    for doc in catalog.franchise_docs():
        ns = doc["next_season"]
        if ns["status"] != "announced":
            continue
        ids = [x["mal_id"] for x in doc["seasons"] + doc["others"] if x.get("mal_id") is not None]
        rows.append(
            {
                "franchise_id": doc["id"],
                "franchise": doc["title"],
                "mal_ids": ids,
                "title": ns["title"],
                "mal_id": ns["mal_id"],
                "anidb_id": ns["anidb_id"],
                "expected": _day(ns["expected"]),
                "first_seen": _day(ns["first_seen"]),
            }
        )
    return rows


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def announced_seasons(
    catalog: Catalog, cache_dir: Path | None = None, mal_ids: set[int] | None = None
) -> list[SeasonEvent]:
    """The announced next seasons with a start date (of the franchises of ``mal_ids`` if given)."""
    out = []
    for row in announced_next_seasons(catalog, cache_dir):
        if row["expected"] is None:
            continue
        if mal_ids is not None and not mal_ids.intersection(row["mal_ids"]):
            continue
        season = row["mal_id"] if row["mal_id"] is not None else f"anidb{row['anidb_id']}"
        out.append(
            SeasonEvent(
                f"{row['franchise_id']}-next-{season}@sequelcast",
                row["franchise"],
                row["title"] or f"{row['franchise']}: next season",
                row["expected"],
                row["first_seen"],
                row["mal_id"],
                row["anidb_id"],
            )
        )
    return out


def calendar(
    catalog: Catalog, now: datetime, cache_dir: Path | None = None, *, watchlist: bool = False
) -> str:
    """The iCalendar of announced next seasons (only the watched franchises' with ``watchlist``)."""
    ids = {row["mal_id"] for row in catalog.watched()} if watchlist else None
    name = "sequelcast: my watchlist" if watchlist else "sequelcast: announced next seasons"
    return icalendar(announced_seasons(catalog, cache_dir, ids), name=name, now=now)


def send_webhook(
    url: str, events: Sequence[dict[str, Any]], today: date, client: httpx.Client | None = None
) -> int:
    """POST the changes of a ``watch check`` to ``url`` (retried with back-off); the final status."""
    client = client or webhook.make_webhook_client()
    return webhook.post_json(client, url, webhook_payload(events, checked_on=today))
