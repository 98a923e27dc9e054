"""Feeds served by ``sequelcast serve``, for calendar apps and feed readers to subscribe to.

- ``/feeds/announced.ics``: the iCalendar of announced next seasons with a date;
- ``/feeds/watchlist.ics``: the same for the watchlist's franchises;
- ``/feeds/watchlist.atom``: the watchlist's changes (what ``sequelcast watch feed`` prints).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from sequelcast.api.deps import Service, call
from sequelcast.service._feeds import calendar

router = APIRouter(prefix="/feeds", tags=["feeds"], include_in_schema=False)  # not JSON API routes
ICAL = "text/calendar; charset=utf-8"


def _ics(svc: Service, watchlist: bool) -> Response:
    now = datetime.now(UTC)
    text = call(lambda: calendar(svc.catalog, now, watchlist=watchlist))
    name = "watchlist" if watchlist else "announced"
    return Response(
        text,
        media_type=ICAL,
        headers={"Content-Disposition": f'inline; filename="sequelcast-{name}.ics"'},
    )


@router.get("/announced.ics", response_class=Response)
def announced_ics(svc: Service) -> Response:
    """The announced next seasons with a date, as an iCalendar (``sequelcast calendar``)."""
    return _ics(svc, watchlist=False)


@router.get("/watchlist.ics", response_class=Response)
def watchlist_ics(svc: Service) -> Response:
    """The watchlist's announced next seasons with a date (``sequelcast calendar --watchlist``)."""
    return _ics(svc, watchlist=True)


@router.get("/watchlist.atom", response_class=Response)
def watchlist_atom(svc: Service) -> Response:
    """The watchlist's changes as Atom (``sequelcast watch feed``)."""
    text = call(svc.watch_feed)
    return Response(text, media_type="application/atom+xml; charset=utf-8")
