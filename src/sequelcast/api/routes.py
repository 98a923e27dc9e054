"""The JSON routes under ``/api/v1``: thin calls to :mod:`sequelcast.service`.

A success body is the CLI's ``--json`` output with ``"ok": true`` added; an error body is the one
shape of :mod:`sequelcast.api._errors`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

import sequelcast
from sequelcast.api._errors import ApiError, candidate_json
from sequelcast.api._models import FactSheetBody, ForecastBody, FranchiseBody, HealthBody, StatsBody
from sequelcast.api.deps import Service, call, check_title, parse_as_of
from sequelcast.service import Sequelcast


class ErrorBody(BaseModel):
    """The body of every error."""

    ok: bool = Field(False, description="Always false for an error.")
    status: int = Field(description="The HTTP status, repeated.")
    error: str = Field(description="What is wrong and what to do, in one line.")
    errors: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Details: candidates {mal_id, title, score, matched_on} of an ambiguous "
        "title, or invalid parameters {loc, msg, type}.",
    )


class Candidate(BaseModel):
    """One entry a title query may mean."""

    mal_id: int
    title: str
    score: float = Field(description="Confidence from 0 to 100.")
    matched_on: str = Field(description="The title of the entry that matched.")


class ResolveBody(BaseModel):
    """Ranked candidates for a title query (possibly none)."""

    ok: bool = True
    results: list[Candidate]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error responses of a route: 400, ``statuses``, 429/503 (busy, see _limits), 500."""
    return {s: {"model": ErrorBody} for s in sorted({400, *statuses, 429, 503, 500})}


TitleOrId = Annotated[
    str,
    Path(
        description="A title in any language (typos welcome) or a MAL id; "
        "a title may hold '/' (Fate/Zero), sent as is or as %2F.",
        examples=["higehiro", "40938"],
    ),
]
AsOf = Annotated[
    str | None,
    Query(
        description="Use only what was known on this date (YYYY-MM-DD).", examples=["2018-05-07"]
    ),
]

router = APIRouter(prefix="/api/v1")


def _ok(payload: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, **payload}


@router.get(
    "/resolve",
    response_model=ResolveBody,
    tags=["titles"],
    responses={
        **_errors(),
        404: {
            "model": ErrorBody,
            "description": "The query holds nothing to match "
            "(only punctuation, symbols or control characters).",
        },
    },
)
def resolve(
    svc: Service,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="What you remember of the title.",
            examples=["higehiro"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100, description="How many candidates.")] = 5,
) -> dict[str, Any]:
    """Find the entries a title query may mean, best first (``sequelcast resolve``)."""
    query = check_title(q, "q")
    matches = call(svc.resolve, query, limit)
    return {"ok": True, "results": [candidate_json(m) for m in matches]}


@router.get(
    "/anime/{title_or_id:path}",
    response_model=FactSheetBody,
    response_model_exclude_unset=True,
    responses=_errors(404, 409),
    tags=["shows"],
)
def anime(svc: Service, title_or_id: TitleOrId, as_of: AsOf = None) -> dict[str, Any]:
    """The fact sheet of a show: titles, studio, source, dates, popularity, seasons, next season
    (``sequelcast show --json``)."""
    text, when = check_title(title_or_id, "title_or_id"), parse_as_of(as_of)
    return _ok(call(svc.fact_sheet, text, when))


@router.get(
    "/franchise/{title_or_id:path}",
    response_model=FranchiseBody,
    response_model_exclude_unset=True,
    responses=_errors(404, 409),
    tags=["shows"],
)
def franchise(svc: Service, title_or_id: TitleOrId, as_of: AsOf = None) -> dict[str, Any]:
    """The seasons of a show in order and the status of the next one, with its evidence
    (``sequelcast franchise --json``)."""
    text, when = check_title(title_or_id, "title_or_id"), parse_as_of(as_of)
    return _ok(call(svc.franchise, text, when))


@router.get(
    "/forecast/{title_or_id:path}",
    response_model=ForecastBody,
    response_model_exclude_unset=True,
    responses=_errors(404, 409, 422),
    tags=["shows"],
)
def forecast(svc: Service, title_or_id: TitleOrId, as_of: AsOf = None) -> dict[str, Any]:
    """The chance of a next season within 1, 2, 3 and 5 years, its likely window and the factors
    behind it (``sequelcast forecast --json``).

    ``status`` is ``waiting`` (then ``forecast`` holds it), ``announced`` or ``not_waiting`` (then
    ``forecast`` is null and ``message`` says why). Without ``as_of`` the forecast is made on
    ``SEQUELCAST_TODAY`` or today, but never after the catalog's newest data.
    """
    text, when = check_title(title_or_id, "title_or_id"), parse_as_of(as_of)
    return _ok(call(svc.forecast, text, when))


@router.get(
    "/stats",
    response_model=StatsBody,
    response_model_exclude_unset=True,
    responses=_errors(),
    tags=["catalog"],
)
def stats(svc: Service) -> dict[str, Any]:
    """Entries per source and per type, facts, links, rejects and the last build
    (``sequelcast stats --json``)."""
    return _ok(call(lambda: svc.catalog.stats()))


def _last_build(svc: Sequelcast) -> tuple[str, dict[str, Any] | None]:
    return svc.reads.backend, svc.last_build()


@router.get(
    "/health",
    response_model=HealthBody,
    response_model_exclude_unset=True,
    responses=_errors(),
    tags=["catalog"],
)
async def health(svc: Service) -> dict[str, Any]:
    """Whether the server can answer: 200 with the catalog's last build, else 503.

    ``forecast`` tells whether the build stored forecasts (else each one is fitted on demand)."""
    # one indexed read of the builds table. A local SQLite file is read on the event loop (tens of
    # microseconds), so /health never queues behind the routes that hold the thread pool; any
    # other database (a network round trip) is asked from a thread.
    if svc.reads_in_process():
        backend, build = call(_last_build, svc)
    else:
        backend, build = await run_in_threadpool(call, _last_build, svc)
    if build is None:
        raise ApiError(503, "the catalog holds no build: run `sequelcast build` first")
    last_build = {
        "id": build["id"],
        "as_of": build["as_of"].isoformat() if build["as_of"] else None,
        "finished_at": build["finished_at"].isoformat(timespec="seconds")
        if build["finished_at"]
        else None,
    }
    fitted = bool(((build["counts"] or {}).get("forecast") or {}).get("fitted"))
    return {
        "ok": True,
        "version": sequelcast.__version__,
        "forecast": fitted,
        "catalog": {"backend": backend, "last_build": last_build},
    }
