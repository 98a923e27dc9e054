"""The views of the web page: ``/``, ``/search`` and ``/anime/{title_or_id}``."""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from sequelcast import service
from sequelcast.api._errors import INTERNAL_ERROR, ApiError, Problem, candidate_json
from sequelcast.api._state import AppState, check_title, parse_as_of
from sequelcast.errors import ResolveError, SequelcastError

HERE = Path(__file__).resolve().parent
#: The directory of the page's CSS, mounted at ``/static``.
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


@pass_context
def _path_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """``url_for`` in templates: a path of this app, never a URL built from the ``Host`` header."""
    request: Request = context["request"]
    return str(request.scope.get("root_path", "")) + str(request.app.url_path_for(name, **params))


templates.env.globals["url_for"] = _path_for
logger = logging.getLogger("sequelcast.web")

router = APIRouter(include_in_schema=False)

#: The status words shown on error pages.
_REASONS = {400: "Bad request", 404: "Not found", 409: "Which one?", 422: "Cannot forecast",
            500: "Something went wrong", 501: "Not available", 502: "Source unavailable",
            503: "Catalog unavailable"}
#: What each next-season status means, in words.
STATUS_TEXT = {"none": "none announced", "announced": "announced", "aired": "aired"}


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.sequelcast
    return state


def error_page(request: Request, problem: Problem) -> Response:
    """The friendly page of an error: the API's message, and the candidates of an ambiguous title."""
    return templates.TemplateResponse(
        request, "error.html",
        {"problem": problem, "reason": _REASONS.get(problem.status, "Error"),
         "candidates": [e for e in problem.errors if "mal_id" in e]},
        status_code=problem.status,
    )


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
    """The search box."""
    return templates.TemplateResponse(request, "index.html", {"home": True})


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: Annotated[str, Query(max_length=500)] = "") -> Response:
    """Candidates for ``q``, or a redirect to the show when the title resolves with confidence."""
    state = _state(request)
    query = check_title(q, "q")
    try:
        mal_id = state.call(service.find_mal_id, query, state.cache_dir)
    except ResolveError as exc:
        message = str(exc)
    else:
        return RedirectResponse(request.app.url_path_for("anime_page", title_or_id=str(mal_id)),
                                status_code=303)
    matches = state.call(service.resolve, query, 10, state.cache_dir)
    return templates.TemplateResponse(
        request, "search.html",
        {"q": query, "message": message, "candidates": [candidate_json(m) for m in matches]},
    )


def _percentile_text(value: Any, pct: float | None, peers: dict[str, Any], fmt: str) -> str | None:
    if value is None:
        return None
    text = format(value, fmt)
    if pct is not None and peers.get("group"):
        text += f" (percentile {pct:g} among {peers['count']:,} {peers['group']})"
    return text


def _join(values: list[str]) -> str | None:
    return ", ".join(values) if values else None


def fact_rows(sheet: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """The rows of a fact sheet's table, as (label, text, language), leaving out unknown values.

    Examples
    --------
    >>> fact_rows({"title_english": "Shaving", "episodes": 13, "type": "TV"})[:2]
    [('English title', 'Shaving', None), ('Type', 'TV, 13 episodes', None)]
    """
    peers = sheet.get("peers") or {}
    kind = f"{sheet.get('type') or '?'}, {sheet.get('episodes') or '?'} episodes"
    aired = (f"{sheet.get('start_date') or '?'} to {sheet.get('end_date') or '?'}"
             if sheet.get("start_date") or sheet.get("end_date") else None)
    rows = [
        ("English title", sheet.get("title_english")),
        ("Japanese title", sheet.get("title_japanese")),
        ("Also known as", _join(sheet.get("synonyms", []))),
        ("Type", kind),
        ("Aired", aired),
        ("Status", sheet.get("status")),
        ("Studios", _join(sheet.get("studios", []))),
        ("Source", sheet.get("source_type")),
        ("Genres", _join(sheet.get("genres", []) + sheet.get("themes", []) + sheet.get("demographics", []))),
        ("Score", _percentile_text(sheet.get("score"), peers.get("score_percentile"), peers, "")),
        ("Members", _percentile_text(sheet.get("members"), peers.get("members_percentile"), peers, ",")),
    ]
    return [(label, str(value), "ja" if label == "Japanese title" else None)
            for label, value in rows if value not in (None, "")]


_HORIZON_KEY = re.compile(r"^p_(\d+(?:\.\d+)?)y$")


def forecast_view(data: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of ``service.forecast``'s answer.

    Returns ``{"message": ...}`` when there is no forecast (next season already announced, show
    not waiting); else the forecast with its ``p_<h>y`` probabilities gathered as
    ``probabilities``: a list of ``(years, probability)``, shortest horizon first.

    Examples
    --------
    >>> forecast_view({"status": "waiting", "message": None,
    ...                "forecast": {"p_2y": 0.3, "p_1y": 0.1, "title": "X"}})["probabilities"]
    [(1.0, 0.1), (2.0, 0.3)]
    >>> forecast_view({"status": "announced", "forecast": None, "message": "X: announced"})
    {'message': 'X: announced'}
    """
    fc = data.get("forecast")
    if not fc:
        return {"message": data.get("message") or "no forecast for this show"}
    horizons = [(float(m.group(1)), p) for k, p in fc.items() if (m := _HORIZON_KEY.match(k))]
    return {**fc, "probabilities": sorted(horizons)}


def _forecast_block(state: AppState, title_or_id: str, as_of: date | None) -> dict[str, Any] | None:
    """The forecast for the page, ``{"message": why}`` when there is none, or ``None``."""
    if state.forecast_function() is None:
        return None
    try:
        return forecast_view(state.forecast(title_or_id, as_of))
    except ApiError as exc:
        return {"message": exc.problem.error}
    except SequelcastError as exc:
        return {"message": str(exc)}
    except Exception:  # an answer of another shape: the fact sheet is still worth showing
        logger.exception("cannot show the forecast of %s", title_or_id)
        return {"message": INTERNAL_ERROR}


@router.get("/anime/{title_or_id:path}", response_class=HTMLResponse, name="anime_page")
def anime(request: Request, title_or_id: str, as_of: str | None = None) -> Response:
    """The fact sheet of a show, its seasons, the next season's status and the forecast."""
    state = _state(request)
    text, when = check_title(title_or_id, "title_or_id"), parse_as_of(as_of)
    sheet = state.call(service.fact_sheet, text, when, state.cache_dir)
    context = {
        "sheet": sheet,
        "rows": fact_rows(sheet),
        "status_text": STATUS_TEXT,
        "forecast": _forecast_block(state, str(sheet["mal_id"]), when),
        "as_of": when.isoformat() if when else "",
    }
    return templates.TemplateResponse(request, "anime.html", context)
