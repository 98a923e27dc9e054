"""What routes (the JSON API's and the web page's) share: the service dependency and the parameters.

The app creates one :class:`~sequelcast.service.Sequelcast` per process and keeps it in
``app.state.sequelcast``; a route receives it through :func:`get_service` (a FastAPI dependency,
so tests may replace it with ``app.dependency_overrides[get_service]``). This is the public
interface of :mod:`sequelcast.api` for :mod:`sequelcast.web`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from sequelcast.api._errors import (
    INTERNAL_ERROR,
    ApiError,
    Problem,
    candidate_json,
    logger,
    problem_of,
)
from sequelcast.errors import ConfigError, SequelcastError
from sequelcast.service import Sequelcast
from sequelcast.settings import parse_date_option

__all__ = [
    "INTERNAL_ERROR",
    "ApiError",
    "Problem",
    "Service",
    "call",
    "candidate_json",
    "check_title",
    "get_service",
    "parse_as_of",
    "problem_of",
]


async def get_service(request: Request) -> Sequelcast:
    """The :class:`Sequelcast` of the app serving ``request`` (``async``: FastAPI would run a plain
    function in its thread pool, one more hand-over per request)."""
    svc: Sequelcast = request.app.state.sequelcast
    return svc


Service = Annotated[Sequelcast, Depends(get_service)]
T = TypeVar("T")


def call(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)``; sequelcast's own errors pass through (the app maps them to a status).

    Anything else is logged with its traceback and becomes a 500 "internal error", so no
    traceback reaches the client and the server logs it once.
    """
    try:
        return func(*args)
    except (SequelcastError, ApiError):
        raise
    except Exception as exc:
        logger.exception("unexpected error in %s", getattr(func, "__name__", repr(func)))
        raise ApiError(500, INTERNAL_ERROR) from exc


def parse_as_of(value: str | None) -> date | None:
    """The ``as_of`` parameter as a date; a bad value is a 400 naming the parameter and the value.

    Examples
    --------
    >>> parse_as_of("2018-05-07")
    datetime.date(2018, 5, 7)
    >>> parse_as_of("") is None
    True
    """
    if value is None or not value.strip():
        return None
    try:
        return parse_date_option(value.strip(), "as_of")
    except ConfigError as exc:
        raise ApiError(
            400, str(exc), [{"loc": ["query", "as_of"], "msg": str(exc), "type": "date_parsing"}]
        ) from None


def check_title(value: str, name: str) -> str:
    """``value`` stripped; a blank one is a 400 (the service would call it "no match").

    >>> check_title("  higehiro ", "q")
    'higehiro'
    """
    text = value.strip()
    if not text:
        message = f"{name}: type a title or a MAL id, e.g. 'Higehiro' or 40938"
        raise ApiError(
            400,
            message,
            [{"loc": ["query" if name == "q" else "path", name], "msg": message, "type": "blank"}],
        )
    return text
