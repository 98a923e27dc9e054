"""Feeds a calendar or a chat can read: iCalendar (RFC 5545) of announced next seasons, and the
JSON body of the watchlist webhook.

Pure: the service gathers the rows, this module writes the text. A calendar event is an all-day
event on the expected start date of an announced next season; a next season announced without a
date has no event (it appears once its date is known).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

PRODID = "-//sequelcast//announced next seasons//EN"


@dataclass(frozen=True)
class SeasonEvent:
    """One announced next season with a start date.

    ``uid`` is stable across runs (the franchise and the season), so a calendar updates the event
    when the date moves instead of adding another.
    """

    uid: str
    franchise: str
    title: str
    start: date
    first_seen: date | None = None
    mal_id: int | None = None
    anidb_id: int | None = None


def escape_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma, newline.

    Examples
    --------
    >>> escape_text("Re:Zero, Season 3; part\\2")
    'Re:Zero\\, Season 3\\; part\\\\2'
    """
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.

    Examples
    --------
    >>> folded = fold("SUMMARY:" + "x" * 100)
    >>> [len(part.encode()) for part in folded.split("\\r\\n")]
    [75, 34]
    """
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _event_lines(e: SeasonEvent, stamp: str, base_url: str) -> list[str]:
    description = f"Next season of {e.franchise}."
    if e.first_seen:
        description += f" First seen {e.first_seen.isoformat()}."
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(e.uid)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{e.start.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(e.start + timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(e.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        "TRANSP:TRANSPARENT",
    ]
    if e.mal_id is not None:
        lines.append(f"URL:https://myanimelist.net/anime/{e.mal_id}")
    elif base_url:
        lines.append(f"URL:{base_url.rstrip('/')}/anime/{e.uid}")
    lines.append("END:VEVENT")
    return lines


def icalendar(
    events: Iterable[SeasonEvent], *, name: str, now: datetime, base_url: str = ""
) -> str:
    """An iCalendar document with one all-day event per announced next season, soonest first.

    Parameters
    ----------
    events : iterable of SeasonEvent
        The announced seasons with a date.
    name : str
        The calendar's name (``X-WR-CALNAME``).
    now : datetime
        ``DTSTAMP`` of every event (UTC).
    base_url : str
        Where links point for a season without a MAL id.

    Examples
    --------
    >>> ev = SeasonEvent("mal:29803-5", "Overlord", "Overlord V", date(2027, 7, 1), mal_id=60000)
    >>> text = icalendar([ev], name="Announced", now=datetime(2026, 11, 30, 12, 0))
    >>> [line for line in text.split("\\r\\n") if line.startswith(("DTSTART", "SUMMARY"))]
    ['DTSTART;VALUE=DATE:20270701', 'SUMMARY:Overlord V']
    """
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for e in sorted(events, key=lambda e: (e.start, e.title)):
        lines.extend(_event_lines(e, stamp, base_url))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def webhook_payload(events: Sequence[dict[str, Any]], *, checked_on: date) -> dict[str, Any]:
    """The JSON body posted on ``watch check``: the date and the changes, as ``watch check --json``.

    Examples
    --------
    >>> webhook_payload([{"mal_id": 1, "detected_at": date(2026, 11, 30), "message": "x"}],
    ...                 checked_on=date(2026, 11, 30))["events"][0]["detected_at"]
    '2026-11-30'
    """
    return {
        "source": "sequelcast",
        "kind": "watch.check",
        "checked_on": checked_on.isoformat(),
        "events": [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.items()} for e in events
        ],
    }
