"""``sequelcast calendar``: the iCalendar feed of announced next seasons.

Registered on the main app by one line in :mod:`sequelcast.cli`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from sequelcast import cli as _cli


@_cli.handle_errors
def calendar_command(
    watchlist: Annotated[
        bool, typer.Option("--watchlist", help="Only the franchises on the watchlist.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            dir_okay=False,
            help="Write the .ics file here instead of printing it.",
        ),
    ] = None,
    db: _cli.DbOption = None,
) -> None:
    """An iCalendar (.ics) of the announced next seasons with a date, to subscribe to."""
    from sequelcast.service._feeds import calendar

    with _cli._service(db) as svc:
        text = calendar(svc.catalog, datetime.now(UTC), watchlist=watchlist)
    if out is None:
        typer.echo(
            text.encode("utf-8"), nl=False
        )  # bytes: the CRLF line ends stay as RFC 5545 wants
        return
    out.write_bytes(text.encode("utf-8"))
    events = text.count("BEGIN:VEVENT")
    _cli.err_console.print(
        f"Wrote {events:,} event{'' if events == 1 else 's'} to {out}",
        highlight=False,
        markup=False,
    )
