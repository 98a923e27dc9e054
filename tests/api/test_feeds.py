"""The feeds served by ``sequelcast serve``: iCalendar and Atom, over the tiny catalog."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .conftest import Client


def test_announced_calendar(client: Client) -> None:
    response = client.get("/feeds/announced.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert 'filename="sequelcast-announced.ics"' in response.headers["content-disposition"]
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert response.content.endswith(b"END:VCALENDAR\r\n")


def test_watchlist_calendar_and_atom(client: Client) -> None:
    ics = client.get("/feeds/watchlist.ics")
    assert ics.status_code == 200
    assert b"X-WR-CALNAME:sequelcast: my watchlist\r\n" in ics.content
    atom = client.get("/feeds/watchlist.atom")
    assert atom.status_code == 200
    assert atom.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(atom.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
