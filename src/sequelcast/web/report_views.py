"""The report of a show (``/anime/{title_or_id}/report``) and the ledger's track record (``/track-record``).

Both pages show what ``sequelcast report`` and ``sequelcast ledger score`` print, rendered by
:mod:`sequelcast.report` inside the site's layout; the service is reached through
:func:`sequelcast.api.deps.call` like every other view.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from sequelcast import report as rp
from sequelcast import service
from sequelcast.api.deps import Service, call, check_title, parse_as_of
from sequelcast.web.views import templates

router = APIRouter(include_in_schema=False)


@router.get("/anime/{title_or_id:path}/report", response_class=HTMLResponse, name="report_page")
def report_page(
    request: Request, svc: Service, title_or_id: str, as_of: str | None = None
) -> Response:
    """The "is it returning?" article of a show, as known on ``as_of`` (default: today)."""
    text, when = check_title(title_or_id, "title_or_id"), parse_as_of(as_of)
    data = call(service.report_json, svc, text, when)
    # the fragment is rendered by an autoescaping Jinja2 environment: third-party text is escaped
    body = Markup(rp.render_html_body(data))
    return templates.TemplateResponse(request, "report_page.html", {"report": data, "body": body})


@router.get("/track-record", response_class=HTMLResponse, name="track_record_page")
def track_record(request: Request, svc: Service) -> Response:
    """How the forecasts kept in the ledger turned out, with a reliability plot."""
    score = call(service.ledger_score, svc)
    body = Markup(rp.render_track_record_body(score))
    return templates.TemplateResponse(
        request, "track_record_page.html", {"score": score, "body": body}
    )
