"""The views of the web page: ``/``, ``/search`` and ``/anime/{title_or_id}``."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from sequelcast.api.deps import (
    INTERNAL_ERROR,
    ApiError,
    Problem,
    Service,
    call,
    candidate_json,
    check_title,
    parse_as_of,
)
from sequelcast.errors import CatalogError, ResolveError, SequelcastError
from sequelcast.service import Sequelcast
from sequelcast.web._chart import announcement_chart_svg, seasons_timeline_svg
from sequelcast.web._home import home_lists
from sequelcast.words import ordinal

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
_REASONS = {
    400: "Bad request",
    404: "Not found",
    409: "Which one?",
    422: "Cannot forecast",
    500: "Something went wrong",
    502: "Source unavailable",
    503: "Catalog unavailable",
}
#: Candidates scoring below this are not offered on the page (nonsense finds only such guesses,
#: and the page then says plainly that nothing matches).
SUGGEST_MIN = 70.0
#: What each next-season status means, in words.
STATUS_TEXT = {"none": "none announced", "announced": "announced", "aired": "aired"}


def error_page(request: Request, problem: Problem) -> Response:
    """The friendly page of an error: the API's message, and the candidates of an ambiguous title."""
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "problem": problem,
            "reason": _REASONS.get(problem.status, "Error"),
            "candidates": [
                e for e in problem.errors if "mal_id" in e and e.get("score", 100) >= SUGGEST_MIN
            ],
        },
        status_code=problem.status,
    )


def _home_data(svc: Sequelcast) -> dict[str, Any]:
    """The home page's lists (announced, recently announced, airing now, likely to return)."""
    as_of = call(svc.answer_date)
    docs, members = call(svc.franchise_docs)
    try:
        forecasts = call(svc.forecast_every)
    except (SequelcastError, ApiError) as exc:  # the lists without odds are still worth showing
        logger.warning("home page without forecasts: %s", exc)
        forecasts = []
    return {"lists": home_lists(docs, forecasts, members, as_of), "data_date": as_of.isoformat()}


@router.get("/", response_class=HTMLResponse)
def index(request: Request, svc: Service) -> Response:
    """The search box with suggestions, and the lists a fan looks for (the box alone without a catalog)."""
    context: dict[str, Any] = {"home": True}
    try:
        context.update(_home_data(svc))
    except CatalogError as exc:  # no catalog yet: the search box, and why there are no lists
        context["unavailable"] = str(exc)
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, svc: Service, q: Annotated[str, Query(max_length=500)] = ""
) -> Response:
    """Candidates for ``q``, or a redirect to the show when the title resolves with confidence."""
    query = check_title(q, "q")
    try:
        mal_id = call(svc.find_mal_id, query)
    except ResolveError as exc:
        message = str(exc)
    else:
        return RedirectResponse(
            request.app.url_path_for("anime_page", title_or_id=str(mal_id)), status_code=303
        )
    matches = [m for m in call(svc.resolve, query, 20) if m.score >= SUGGEST_MIN]
    groups = group_by_franchise(
        [candidate_json(m) for m in matches], lambda mal_id: call(svc.franchise_title_of, mal_id)
    )
    return templates.TemplateResponse(
        request,
        "search.html",
        {"q": query, "message": message, "groups": groups},
    )


def group_by_franchise(
    candidates: list[dict[str, Any]],
    franchise_of: Callable[[int], tuple[str, str] | None],
) -> list[dict[str, Any]]:
    """Candidates grouped by franchise, groups in the order of their best candidate.

    ``franchise_of(mal_id)`` gives ``(franchise id, franchise title)``, or ``None`` for an entry
    of no known franchise (it is then a group of its own).

    Examples
    --------
    >>> known = {1: ("f", "Kaiju"), 2: ("f", "Kaiju")}
    >>> groups = group_by_franchise([{"mal_id": 1, "title": "Kaiju"}, {"mal_id": 3, "title": "Solo"},
    ...                              {"mal_id": 2, "title": "Kaiju 2"}], known.get)
    >>> [(g["title"], [c["mal_id"] for c in g["entries"]]) for g in groups]
    [('Kaiju', [1, 2]), ('Solo', [3])]
    """
    groups: dict[str, dict[str, Any]] = {}
    for c in candidates:
        key, title = franchise_of(c["mal_id"]) or (f"entry:{c['mal_id']}", c["title"])
        groups.setdefault(key, {"title": title, "entries": []})["entries"].append(c)
    return list(groups.values())


def _percentile_text(value: Any, pct: float | None, peers: dict[str, Any], fmt: str) -> str | None:
    if value is None:
        return None
    text = format(value, fmt)
    if pct is not None and peers.get("group"):
        text += f" ({ordinal(pct)} percentile among {peers['count']:,} {peers['group']})"
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
    episodes = sheet.get("episodes")
    count = (
        "episodes unknown" if not episodes else f"{episodes} episode{'' if episodes == 1 else 's'}"
    )
    kind = f"{sheet.get('type') or 'type unknown'}, {count}"
    aired = (
        f"{sheet.get('start_date') or 'unknown'} to {sheet.get('end_date') or 'unknown'}"
        if sheet.get("start_date") or sheet.get("end_date")
        else None
    )
    rows = [
        ("English title", sheet.get("title_english")),
        ("Japanese title", sheet.get("title_japanese")),
        ("Also known as", _join(sheet.get("synonyms", []))),
        ("Type", kind),
        ("Aired", aired),
        ("Status", sheet.get("status")),
        ("Studios", _join(sheet.get("studios", []))),
        ("Source", sheet.get("source_type")),
        (
            "Genres",
            _join(
                sheet.get("genres", []) + sheet.get("themes", []) + sheet.get("demographics", [])
            ),
        ),
        ("Score", _percentile_text(sheet.get("score"), peers.get("score_percentile"), peers, "")),
        (
            "Members",
            _percentile_text(sheet.get("members"), peers.get("members_percentile"), peers, ","),
        ),
    ]
    return [
        (label, str(value), "ja" if label == "Japanese title" else None)
        for label, value in rows
        if value not in (None, "")
    ]


_HORIZON_KEY = re.compile(r"^p_(\d+(?:\.\d+)?)y$")

#: Where a show lives on other sites: (label, id key in ``sheet["ids"]``, URL with ``{id}``).
LINKS = (
    ("MyAnimeList", "mal", "https://myanimelist.net/anime/{id}"),
    ("AniList", "anilist", "https://anilist.co/anime/{id}"),
    ("AniDB", "anidb", "https://anidb.net/anime/{id}"),
    ("LiveChart", "livechart", "https://www.livechart.me/anime/{id}"),
)
#: Where each source of a synopsis or poster comes from, in words.
SOURCE_NAMES = {"mal_tv_seasons": "MyAnimeList, through Jikan (the MAL seasons files)"}


def external_links(sheet: dict[str, Any]) -> list[tuple[str, str]]:
    """(site, URL) of the show on the sites whose id is known; MyAnimeList always.

    Examples
    --------
    >>> external_links({"mal_id": 40938, "ids": {"anidb": "15332", "kitsu": "42923"}})
    [('MyAnimeList', 'https://myanimelist.net/anime/40938'), ('AniDB', 'https://anidb.net/anime/15332')]
    """
    ids = {"mal": str(sheet["mal_id"]), **(sheet.get("ids") or {})}
    return [
        (label, url.format(id=ids[key]))
        for label, key, url in LINKS
        if str(ids.get(key) or "").strip().isalnum()
    ]


def page_media(sheet: dict[str, Any]) -> dict[str, Any]:
    """The poster URL and the synopsis of a fact sheet, with the synopsis's source in words.

    Examples
    --------
    >>> page_media({"page": {"synopsis": {"value": "A.", "source": "mal_tv_seasons",
    ...                                   "observed_at": "2026-02-15"}}})["synopsis_source"]
    'MyAnimeList, through Jikan (the MAL seasons files), 2026-02-15'

    """
    page = sheet.get("page") or {}
    image = (page.get("image_url") or {}).get("value")
    synopsis = page.get("synopsis") or {}
    source = synopsis.get("source")
    where = f"{SOURCE_NAMES.get(source, source)}, {synopsis.get('observed_at')}" if source else None
    return {"image_url": image, "synopsis": synopsis.get("value"), "synopsis_source": where}


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
    horizons = sorted((float(m.group(1)), p) for k, p in fc.items() if (m := _HORIZON_KEY.match(k)))
    return {**fc, "probabilities": horizons, "chart": _chart(fc.get("as_of"), horizons)}


def _chart(as_of: Any, horizons: list[tuple[float, Any]]) -> str:
    """The SVG chart of the probabilities by date, ``""`` without an as-of date or numbers."""
    if not isinstance(as_of, str):
        return ""
    start = date.fromisoformat(as_of)
    points = [
        (_years_after(start, years), float(p))
        for years, p in horizons
        if isinstance(p, int | float)
    ]
    return announcement_chart_svg(points, start=start, ident="forecast-chart")


def _years_after(day: date, years: float) -> date:
    """The same day ``years`` later for whole years (29 February -> 28), else ``years`` x 365.25 days.

    Examples
    --------
    >>> _years_after(date(2028, 2, 29), 1), _years_after(date(2026, 1, 1), 0.5)
    (datetime.date(2029, 2, 28), datetime.date(2026, 7, 3))
    """
    if years == int(years):
        target = day.year + int(years)
        return (
            day.replace(year=target, day=min(day.day, 28))
            if (day.month, day.day) == (2, 29)
            else day.replace(year=target)
        )
    return day + timedelta(days=round(years * 365.25))


def _forecast_block(svc: Sequelcast, title_or_id: str, as_of: date | None) -> dict[str, Any]:
    """The forecast for the page, or ``{"message": why}`` when there is none."""
    try:
        return forecast_view(call(svc.forecast, title_or_id, as_of))
    except ApiError as exc:
        return {"message": exc.problem.error}
    except SequelcastError as exc:
        return {"message": str(exc)}
    except Exception:  # an answer of another shape: the fact sheet is still worth showing
        logger.exception("cannot show the forecast of %s", title_or_id)
        return {"message": INTERNAL_ERROR}


def timeline(sheet: dict[str, Any], until: date) -> str:
    """The SVG timeline of the seasons of the sheet's franchise, ``""`` without one.

    Examples
    --------
    >>> svg = timeline({"franchise": {"seasons": [
    ...     {"number": 1, "part": None, "title": "A", "start": "2015-01-05", "end": "2015-03-30"},
    ...     {"number": 2, "part": 2, "title": "B", "start": None, "end": None}]}}, date(2020, 1, 1))
    >>> "Season 1, A: 2015-01-05 to 2015-03-30" in svg
    True
    """
    franchise = sheet.get("franchise") or {}

    def day(value: Any) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else None

    rows = []
    for s in franchise.get("seasons", []):
        part = f" part {s['part']}" if s.get("part") else ""
        rows.append(
            (f"Season {s['number']}{part}, {s['title']}", day(s.get("start")), day(s.get("end")))
        )
    return seasons_timeline_svg(rows, until=until, ident="seasons-timeline")


@router.get("/anime/{title_or_id:path}", response_class=HTMLResponse, name="anime_page")
def anime(request: Request, svc: Service, title_or_id: str, as_of: str | None = None) -> Response:
    """The fact sheet of a show, its seasons, the next season's status and the forecast."""
    text, when = check_title(title_or_id, "title_or_id"), parse_as_of(as_of)
    sheet = call(svc.fact_sheet, text, when)
    context = {
        "sheet": sheet,
        "rows": fact_rows(sheet),
        "links": external_links(sheet),
        "timeline": timeline(sheet, date.fromisoformat(sheet["as_of"])),
        "media": page_media(sheet),
        "status_text": STATUS_TEXT,
        "forecast": _forecast_block(svc, str(sheet["mal_id"]), when),
        "as_of": when.isoformat() if when else "",
    }
    return templates.TemplateResponse(request, "anime.html", context)
