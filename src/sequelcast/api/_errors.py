"""The one error shape of the JSON API, and the mapping from sequelcast's errors to HTTP statuses.

Every error the API returns has this body::

    {"ok": false, "status": 409, "error": "<one-line message>", "errors": [<details>]}

=====================================================  ======  ==================================
error                                                  status  ``errors`` holds
=====================================================  ======  ==================================
bad parameter (``as_of``, ``limit``, an empty ``q``)    400    ``{"loc", "msg", "type"}`` items
:class:`~sequelcast.errors.ConfigError`, ``DataError``  400    nothing
:class:`~sequelcast.errors.NotFoundError`               404    nothing
``ResolveError`` without candidates (no title match)    404    nothing
``ResolveError`` with candidates (ambiguous title)      409    ``{"mal_id", "title", "score",
                                                               "matched_on"}`` candidates
:class:`~sequelcast.errors.ModelError` (no forecast)    422    nothing
forecasting not available in this version               501    nothing
:class:`~sequelcast.errors.CatalogError` (no build)     503    nothing
:class:`~sequelcast.errors.FetchError`                  502    nothing
anything unexpected                                     500    nothing; message "internal error"
=====================================================  ======  ==================================
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sequelcast.errors import (
    CatalogError,
    ConfigError,
    DataError,
    FetchError,
    ModelError,
    NotFoundError,
    ResolveError,
    SequelcastError,
)

logger = logging.getLogger("sequelcast.api")

#: The message of every unexpected error (the details go to the log, never to the client).
INTERNAL_ERROR = "internal error"


@dataclass(frozen=True)
class Problem:
    """One error, as the API and the web page show it.

    Attributes
    ----------
    status : int
        The HTTP status.
    error : str
        The one-line message (the same text the CLI prints).
    errors : list of dict
        Details: the candidates of an ambiguous title, or the invalid parameters.
    """

    status: int
    error: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        """The error body: ``{"ok": false, "status", "error", "errors"}``."""
        return {"ok": False, "status": self.status, "error": self.error, "errors": self.errors}


class ApiError(Exception):
    """An error raised by the API layer itself (a bad parameter, a missing feature).

    Parameters
    ----------
    status : int
        The HTTP status to answer with.
    message : str
        The one-line message.
    errors : list of dict, optional
        Details for the ``errors`` field.
    headers : dict, optional
        Headers of the answer (``Retry-After`` of a 429 or 503).
    """

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = Problem(status, message, list(errors or []))
        self.headers = dict(headers or {})


def candidate_json(match: Any) -> dict[str, Any]:
    """The JSON of one resolution candidate (a :class:`~sequelcast.resolve.Match`)."""
    return {
        "mal_id": match.mal_id,
        "title": match.title,
        "score": round(float(match.score), 1),
        "matched_on": match.matched_on,
    }


def status_of(exc: SequelcastError) -> int:
    """The HTTP status of one of sequelcast's own errors (see the table of the module docstring).

    Examples
    --------
    >>> status_of(NotFoundError("MAL id 1 is not in the catalog"))
    404
    >>> status_of(ResolveError("no title matches 'qq'", []))
    404
    """
    if isinstance(exc, ResolveError):
        return 409 if exc.candidates else 404
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConfigError | DataError):
        return 400
    if isinstance(exc, ModelError):
        return 422
    if isinstance(exc, CatalogError):
        return 503
    if isinstance(exc, FetchError):
        return 502
    return 500


def problem_of(exc: BaseException) -> Problem:
    """Translate any exception into a :class:`Problem`; unexpected ones are logged here.

    Parameters
    ----------
    exc : BaseException
        What a route raised.

    Returns
    -------
    Problem
        The status, message and details to answer with. An unexpected exception gives a 500 with
        the message ``"internal error"``; its traceback goes to the ``sequelcast.api`` logger.
    """
    if isinstance(exc, ApiError):
        return exc.problem
    if isinstance(exc, RequestValidationError):
        return validation_problem(exc)
    if isinstance(exc, StarletteHTTPException):
        return Problem(exc.status_code, str(exc.detail))
    if isinstance(exc, SequelcastError):
        candidates = exc.candidates if isinstance(exc, ResolveError) else []
        return Problem(status_of(exc), str(exc), [candidate_json(c) for c in candidates[:10]])
    logger.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return Problem(500, INTERNAL_ERROR)


def _where(loc: Sequence[Any]) -> str:
    parts = [str(x) for x in loc]
    if parts and parts[0] in ("query", "path", "header", "cookie", "body"):
        kind = "path parameter" if parts[0] == "path" else f"{parts[0]} parameter"
        return f"{kind} {'.'.join(parts[1:])!r}" if len(parts) > 1 else kind
    return ".".join(parts) or "request"


def validation_problem(exc: RequestValidationError) -> Problem:
    """A 400 listing every invalid parameter (FastAPI's own validation, in the one shape)."""
    details = [
        {
            "loc": [str(x) for x in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    message = "; ".join(f"{_where(d['loc'])}: {d['msg']}" for d in details) or "invalid request"
    return Problem(400, message, details)
