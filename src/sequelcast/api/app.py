"""The ASGI app: the JSON API under ``/api/v1`` and the web page at ``/``, over one catalog.

Run it with ``sequelcast serve``, or with any ASGI server::

    uvicorn --factory sequelcast.api:create_app
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import sequelcast
from sequelcast.api import _openapi
from sequelcast.api._errors import ApiError, logger, problem_of
from sequelcast.api._limits import Limits, LimitWork
from sequelcast.api._middleware import HeadAsGet, SecurityHeaders
from sequelcast.api.feeds import router as feeds_router
from sequelcast.api.routes import router
from sequelcast.errors import SequelcastError
from sequelcast.service import Sequelcast
from sequelcast.settings import Settings, normalize_db_url

API_PREFIX = "/api/"

DESCRIPTION = """\
Will a show get another season, and when? A catalog of anime franchises (seasons in order, the
status of the next season with its evidence) and a backtested survival forecast.

Every route only reads the catalog (the service keeps bounded in-memory caches of past `as_of`
dates and may write fitted models to its model directory). Titles may be given in any language, with typos, or as a MAL id.
`as_of=YYYY-MM-DD` answers with only what was known on that date.

Every error has one shape: `{"ok": false, "status": 409, "error": "...", "errors": [...]}`.
An ambiguous title is a **409** whose `errors` lists the candidates (`mal_id`, `title`, `score`,
`matched_on`); no match is a 404; a bad parameter a 400; no catalog a 503.

A title may contain "/" (`/api/v1/anime/Fate/Zero` or `Fate%2FZero`). `HEAD` works wherever `GET`
does. The interactive docs at `/docs` load Swagger UI from cdn.jsdelivr.net: offline, read this
schema at `/openapi.json` instead.
"""


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIX) and request.url.path != "/openapi.json"


async def _on_error(request: Request, exc: Exception) -> Response:
    """Answer any error in the one JSON shape (API) or as a friendly page (web)."""
    problem = problem_of(exc)
    if _wants_html(request):
        from sequelcast.web.views import error_page  # the web package imports this one

        response = error_page(request, problem)
    else:
        response = JSONResponse(problem.json(), status_code=problem.status)
    headers = getattr(exc, "headers", None)  # the Allow of a 405, the Retry-After of a 429/503
    if headers:
        response.headers.update(headers)
    return response


def create_app(
    settings: Settings | None = None,
    catalog_url: str | None = None,
    *,
    warm: bool = False,
    limits: Limits | None = None,
) -> FastAPI:
    """Build the app over one catalog and one :class:`~sequelcast.service.Sequelcast` (the process's).

    Parameters
    ----------
    settings : Settings, optional
        The settings (default: read from the environment). ``settings.model_dir`` is the service's
        cache directory, ``settings.today`` the date forecasts are made on without ``as_of``.
    catalog_url : str, optional
        The catalog's database URL (default: ``settings.db``).
    warm : bool
        Load the title index before taking traffic (what ``sequelcast serve`` does in each worker).
    limits : Limits, optional
        Requests in flight, ``as_of`` work and the cache's disk budget
        (default: :class:`~sequelcast.api._limits.Limits`, see docs/api.md).

    Returns
    -------
    FastAPI
        The app: JSON routes under ``/api/v1``, the web page at ``/``, static files under
        ``/static``, the OpenAPI schema at ``/openapi.json`` and its docs at ``/docs``.

    Examples
    --------
    >>> app = create_app(catalog_url="sqlite:///catalog.db")
    >>> sorted(app.openapi()["paths"])[:3]
    ['/api/v1/anime/{title_or_id}', '/api/v1/forecast/{title_or_id}', '/api/v1/franchise/{title_or_id}']
    """
    settings = settings or Settings.from_env(os.environ)  # noqa: TID251 - an edge reads the environment once
    if catalog_url:
        settings = dataclasses.replace(settings, db=normalize_db_url(catalog_url))
    svc = Sequelcast(settings)
    limits = limits or Limits()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the routes that read the catalog run in this many threads (anyio's default is 40): they
        # hold the GIL for most of their time, so more threads only take turns at it, slower
        anyio.to_thread.current_default_thread_limiter().total_tokens = limits.threads
        try:
            if warm:
                svc.title_index()
            else:
                svc.reads  # noqa: B018 - open it now: a missing catalog is logged at startup
        except SequelcastError as exc:  # keep serving: every request answers 503 with the reason
            logger.warning("the catalog cannot be opened yet: %s", exc)
        try:
            yield
        finally:
            svc.close()

    app = FastAPI(
        title="sequelcast",
        version=sequelcast.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "titles", "description": "From what people type to a MyAnimeList entry."},
            {"name": "shows", "description": "Fact sheets, franchises and forecasts."},
            {"name": "catalog", "description": "The catalog itself."},
        ],
    )
    app.state.sequelcast = svc
    handlers: list[type[Exception]] = [
        ApiError,
        SequelcastError,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ]
    for kind in handlers:
        app.add_exception_handler(kind, _on_error)
    app.include_router(router)
    app.include_router(feeds_router)
    _mount_web(app)
    _openapi.install(app)
    app.add_middleware(LimitWork, limits=limits, cache_dir=settings.model_dir)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    return app


#: A worker hands the GIL over every millisecond (Python's default is 5 ms), so that a request
#: being read or answered is not held up for long by a thread deriving a past date.
SWITCH_INTERVAL = 0.001


def app_from_env() -> FastAPI:
    """The app of one ``sequelcast serve`` worker: settings from the environment, warmed at startup."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    return create_app(Settings.from_env(os.environ), warm=True)  # noqa: TID251 - a worker's edge


def _mount_web(app: FastAPI) -> None:
    from sequelcast.web.report_views import router as report_router
    from sequelcast.web.views import STATIC_DIR  # the web package imports this one
    from sequelcast.web.views import router as web_router

    # the report router first: "/anime/{title}/report" would otherwise be read as a title with a "/"
    app.include_router(report_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
