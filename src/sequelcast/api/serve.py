"""``sequelcast serve``: run the JSON API and the web page with uvicorn.

The lead registers it in :mod:`sequelcast.cli` as ``app.command()(handle_errors(serve))``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from sequelcast import service
from sequelcast.catalog import Catalog, open_catalog
from sequelcast.settings import Settings, normalize_db_url


def warm_up(catalog: Catalog, settings: Settings) -> None:
    """Fill the service's caches before serving: title index, snapshot, franchises, forecast model.

    So the first request is as fast as the next ones. The caches are kept on disk in
    ``settings.model_dir``, so only the first start after a build pays the full price (about a
    minute on the whole shared data, most of it fitting the forecast model).
    """
    cache_dir = settings.model_dir
    service.title_index(catalog, cache_dir)
    service.load_snapshot(catalog, None, cache_dir)
    service.franchise_graph(catalog, None, cache_dir)
    if hasattr(service, "forecaster") and hasattr(service, "forecast_date"):
        when = service.forecast_date(catalog, None, settings.forecast_date())
        service.forecaster(catalog, when, cache_dir)


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Catalog URL (sqlite:///file.db or postgresql://...). Env: SEQUELCAST_DB."),
    ] = None,
) -> None:
    """Serve the JSON API (/api/v1, docs at /docs) and the web page (/) over the catalog."""
    import uvicorn

    from sequelcast.api.app import create_app

    settings = Settings.from_env(os.environ)  # noqa: TID251 - an edge reads the environment once
    url = normalize_db_url(db) if db else settings.db
    with open_catalog(url, create=False) as catalog:  # fail now, with the CLI's message, if there is none
        typer.echo("Loading the catalog and the forecast model "
                   "(about a minute after a new build, seconds after that)...")
        warm_up(catalog, settings)
    typer.echo(f"Serving sequelcast on http://{host}:{port}/ (JSON API docs at /docs); Ctrl+C stops.")
    uvicorn.run(create_app(settings, url), host=host, port=port, log_level="info")
