"""``sequelcast report``: the "is it returning?" article of one show, or a small site of many.

Every call to the rest of the service is in :func:`_gather` and :class:`_Context`, so the report
picks up whatever the fact sheet, the franchise and the forecast answers hold (a verdict, source
material, a release window...) and says "unknown" for the rest.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sequelcast import report as rp
from sequelcast.domain import Anime, Snapshot
from sequelcast.errors import ConfigError, ModelError
from sequelcast.franchise import FranchiseGraph, build_franchises
from sequelcast.service._app import Sequelcast
from sequelcast.service._derive import DEFAULT_MODEL

#: The formats ``report`` writes.
REPORT_FORMATS = ("md", "html", "json")


@dataclass
class _Context:
    """What every report of one call shares: the service, the date, the snapshot, the franchises."""

    svc: Sequelcast
    when: date
    model: str
    snapshot: Snapshot
    graph: FranchiseGraph
    _studios: dict[str, tuple[int, int]] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, svc: Sequelcast, as_of: date | None, model: str) -> _Context:
        when = svc.answer_date(as_of)
        snapshot = svc.catalog.snapshot(when)
        return cls(svc, when, model, snapshot, build_franchises(snapshot))

    def studio_record(self) -> dict[str, tuple[int, int]]:
        """Studio -> (its finished main-line TV seasons by ``when``, how many got a next season)."""
        if self._studios is None:
            self._studios = studio_record(self.graph, self.snapshot.entries, self.when)
        return self._studios


def studio_record(
    graph: FranchiseGraph, entries: dict[int, Anime], when: date
) -> dict[str, tuple[int, int]]:
    """For every studio: finished main-line seasons (ended by ``when``), and those followed by another."""
    seasons: Counter[str] = Counter()
    continued: Counter[str] = Counter()
    for fr in graph:
        for i, s in enumerate(fr.seasons):
            entry = entries.get(s.mal_id) if s.mal_id is not None else None
            if entry is None or s.end is None or s.end > when:
                continue
            for studio in entry.studios:
                seasons[studio] += 1
                continued[studio] += i + 1 < len(fr.seasons)
    return {k: (n, continued[k]) for k, n in seasons.items()}


def _subject(fr: dict[str, Any], when: date, asked: int | None) -> int | None:
    """The season the report is about: the franchise's latest aired main-line season with a MAL id."""
    aired = [
        s["mal_id"]
        for s in fr["seasons"]
        if s.get("mal_id") is not None and s.get("start") and date.fromisoformat(s["start"]) <= when
    ]
    return aired[-1] if aired else asked


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _members_history(snapshot: Snapshot, mal_id: int) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for f in snapshot.history.get(mal_id, []):
        if f.field == "members" and f.value is not None:
            seen[f.observed_at.isoformat()] = {
                "date": f.observed_at.isoformat(),
                "members": int(f.value),
                "source": f.source,
            }
    return [seen[k] for k in sorted(seen)]


def _disc_sales(snapshot: Snapshot, mal_id: int) -> dict[str, Any] | None:
    """The newest ``disc_sales`` observation (thousands of units per volume) of the show, if any."""
    found = [
        f
        for f in snapshot.history.get(mal_id, [])
        if f.field == "disc_sales" and f.value is not None
    ]
    if not found:
        return None
    f = max(found, key=lambda x: x.observed_at)
    return {
        "avg_units": 1000.0 * float(f.value),
        "source": f.source,
        "observed_at": f.observed_at.isoformat(),
    }


def _source_material(snapshot: Snapshot, mal_id: int) -> dict[str, Any] | None:
    sf = snapshot.source_features.get(mal_id)
    if sf is None:
        return None
    return {k: _iso(v) for k, v in dataclasses.asdict(sf).items()}


def _gather(ctx: _Context, title_or_id: str) -> rp.ReportInputs:
    """Every service answer the report needs (the only place this module calls the service)."""
    svc, when = ctx.svc, ctx.when
    fr = svc.franchise(title_or_id, when)
    asked = title_or_id.strip()
    subject = _subject(fr, when, int(asked) if asked.isdigit() else None)
    sheet = svc.fact_sheet(str(subject) if subject is not None else asked, when)
    mal_id = int(sheet["mal_id"])
    try:
        answer = svc.forecast(str(mal_id), when, ctx.model)
    except ModelError as exc:  # no model on this date: the rest of the report still holds
        answer = {
            "status": "unavailable",
            "forecast": None,
            "message": str(exc),
            "next_season": fr["next_season"],
        }
    season_ids = [s["mal_id"] for s in fr["seasons"] if s.get("mal_id") is not None]
    facts = svc.catalog.fact_sources(sorted({mal_id, *season_ids}), when)
    record = ctx.studio_record()
    entry = ctx.snapshot.entries.get(mal_id)
    first = next((ctx.snapshot.entries.get(m) for m in season_ids), None)
    studios = [
        {
            "studio": s,
            "seasons": record.get(s, (0, 0))[0],
            "continued": record.get(s, (0, 0))[1],
            "as_of": when.isoformat(),
        }
        for s in (entry.studios if entry else ())
    ]
    return rp.ReportInputs(
        as_of=when,
        asked=asked,
        sheet=sheet,
        franchise=fr,
        forecast=answer,
        provenance=rp.provenance(facts),
        members_history=_members_history(ctx.snapshot, mal_id),
        studios=studios,
        source_material=_source_material(ctx.snapshot, mal_id),
        disc_sales=_disc_sales(ctx.snapshot, mal_id),
        series={"mal_id": first.mal_id, "title": first.title, "title_english": first.title_english}
        if first is not None
        else None,
    )


def report_json(
    svc: Sequelcast, title_or_id: str, as_of: date | None = None, model: str = DEFAULT_MODEL
) -> dict[str, Any]:
    """The report of one show as a JSON-ready dict (see :func:`sequelcast.report.compose_report`).

    The report is about the franchise's latest aired season (asked for an older season or a
    film, the report says so in ``asked``), as known on ``as_of`` (default: today, never after the
    newest data).
    """
    ctx = _Context.open(svc, as_of, model)
    return rp.compose_report(_gather(ctx, title_or_id))


def render_report(
    report: dict[str, Any], fmt: str, chart_png: Path | None = None, chart_href: str | None = None
) -> str:
    """The report in ``fmt`` (md, html or json); for Markdown the chart is saved at ``chart_png``."""
    if fmt not in REPORT_FORMATS:
        raise ConfigError(f"--format: expected one of {', '.join(REPORT_FORMATS)}, got {fmt!r}")
    if fmt == "html":
        return rp.render_html(report)
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    href = None
    start, points = rp.chart_points(report["forecast"])
    if chart_png is not None and points:
        rp.announcement_png(points, start, chart_png)
        href = chart_href or chart_png.name
    return rp.render_markdown(report, href)


def report_site(
    svc: Sequelcast,
    out_dir: Path,
    top: int,
    as_of: date | None = None,
    model: str = DEFAULT_MODEL,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """``report --all``: an ``index.html`` and one page per show, for the ``top`` shows by members.

    Shows are TV entries of the snapshot, most MAL members first, one per franchise (the page is
    about the franchise's latest season). Returns the files written.
    """
    if top < 1:
        raise ConfigError(f"--top: expected a positive number, got {top}")
    ctx = _Context.open(svc, as_of, model)
    picks: list[int] = []
    seen: set[str] = set()
    for a in sorted(ctx.snapshot.entries.values(), key=lambda a: -(a.members or 0)):
        if len(picks) >= top:
            break
        if a.type != "TV" or a.mal_id not in ctx.graph or ctx.graph.of(a.mal_id).id in seen:
            continue
        seen.add(ctx.graph.of(a.mal_id).id)
        picks.append(a.mal_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, entries = [], []
    for i, mal_id in enumerate(picks):
        if progress is not None:
            progress(i, len(picks), str(mal_id))
        rep = rp.compose_report(_gather(ctx, str(mal_id)))
        page = out_dir / f"{rep['mal_id']}.html"
        page.write_text(rp.render_site_page(rep), encoding="utf-8")
        written.append(page)
        chance = next((c["text"] for c in rep["forecast"]["chances"] if c["years"] == 2.0), None)
        entries.append(
            {
                "href": page.name,
                "name": rep["name"],
                "members": rep["popularity"]["members"],
                "status": rep["status"]["text"],
                "chance": chance,
            }
        )
    index = out_dir / "index.html"
    index.write_text(rp.render_site_index(entries, ctx.when.isoformat()), encoding="utf-8")
    return [index, *written]
