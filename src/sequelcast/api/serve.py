"""``sequelcast serve``: run the JSON API and the web page with uvicorn, in one or more workers.

With ``--workers`` above 1 on Linux, :mod:`sequelcast.api._workers` runs the workers, each on its
own ``SO_REUSEPORT`` socket (uvicorn's one shared socket let one worker take every keep-alive
connection); elsewhere uvicorn's own workers run.

Registered in :mod:`sequelcast.cli` as ``app.command()(handle_errors(serve))``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from sequelcast.settings import Settings, normalize_db_url

#: The app factory every worker calls (it reads the settings from the environment).
FACTORY = "sequelcast.api.app:app_from_env"


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Worker processes (each loads the catalog before taking requests; on Linux each "
            "listens on its own socket, so the kernel spreads the connections over them).",
        ),
    ] = 1,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Catalog URL (sqlite:///file.db or postgresql://...). Env: SEQUELCAST_DB."
        ),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log one line per request on stderr (uvicorn's access log); off, a request costs less.",
        ),
    ] = True,
) -> None:
    """Serve the JSON API (/api/v1, docs at /docs) and the web page (/) over the catalog."""
    import uvicorn

    from sequelcast.api._workers import WorkerSpec, balanced_sockets, run_workers
    from sequelcast.catalog import open_catalog

    settings = Settings.from_env(os.environ)  # noqa: TID251 - an edge reads the environment once
    url = normalize_db_url(db) if db else settings.db
    with open_catalog(url, create=False):  # fail now, with the CLI's message, if there is none
        pass
    os.environ["SEQUELCAST_DB"] = url  # noqa: TID251 - the workers read their settings from the environment
    typer.echo(
        f"Serving sequelcast on http://{host}:{port}/ with {workers} worker(s) "
        "(JSON API docs at /docs); Ctrl+C stops."
    )
    if workers > 1 and balanced_sockets():
        run_workers(WorkerSpec(FACTORY, host, port, access_log), workers)
        return
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
    )
