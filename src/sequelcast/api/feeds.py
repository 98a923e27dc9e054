"""Feeds served by ``sequelcast serve``, for calendar apps and feed readers to subscribe to.

- ``/feeds/announced.ics``: the iCalendar of announced next seasons with a date;
- ``/feeds/watchlist.ics``: the same for the watchlist's franchises;
- ``/feeds/watchlist.atom``: the watchlist's changes (what ``sequelcast watch feed`` prints).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from sequelcast import service
from sequelcast.api._state import AppState
from sequelcast.service._feeds import calendar

router = APIRouter(prefix="/feeds", tags=["feeds"], include_in_schema=False)  # not JSON API routes
ICAL = "text/calendar; charset=utf-8"


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.sequelcast
    return state


State = Annotated[AppState, Depends(_state)]


def _ics(state: State, watchlist: bool) -> Response:
    now = datetime.now(UTC)
    text = state.call(lambda cat: calendar(cat, now, state.cache_dir, watchlist=watchlist))
    name = "watchlist" if watchlist else "announced"
    return Response(text, media_type=ICAL,
                    headers={"Content-Disposition": f'inline; filename="sequelcast-{name}.ics"'})


@router.get("/announced.ics", response_class=Response)
def announced_ics(state: State) -> Response:
    """The announced next seasons with a date, as an iCalendar (``sequelcast calendar``)."""
    return _ics(state, watchlist=False)


@router.get("/watchlist.ics", response_class=Response)
def watchlist_ics(state: State) -> Response:
    """The watchlist's announced next seasons with a date (``sequelcast calendar --watchlist``)."""
    return _ics(state, watchlist=True)


@router.get("/watchlist.atom", response_class=Response)
def watchlist_atom(state: State) -> Response:
    """The watchlist's changes as Atom (``sequelcast watch feed``)."""
    text = state.call(service.watch_feed)
    return Response(text, media_type="application/atom+xml; charset=utf-8")
