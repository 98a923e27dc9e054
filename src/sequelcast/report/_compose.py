"""The report's content: sentences and tables, each fact with its source and date (pure).

:func:`compose_report` takes the service's JSON answers (the fact sheet, the franchise, the
forecast) plus a few extra facts the service looks up (provenance of each field, members over
time, the studio's record, the source material) and returns the report as a JSON-ready dict.
Whatever is missing from the inputs is said to be unknown; nothing is invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sequelcast.asof import SOURCE_PRIORITY

UNKNOWN = "unknown"
#: Horizons (years) the report quotes, in order.
HORIZONS = (1.0, 2.0, 3.0, 5.0)
_HORIZON_KEY = re.compile(r"^p_(\d+(?:\.\d+)?)y$")
_DIRECTION = re.compile(r":\s*(raises|lowers) the chance\s*$")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_KIND_WORDS = {
    "manga": "manga",
    "light_novel": "light novel",
    "novel": "novel",
    "web_novel": "web novel",
}


@dataclass
class ReportInputs:
    """What a report is made of (every value as the service's JSON gives it).

    Attributes
    ----------
    as_of : date
        The date the report describes: only what was known then is used.
    asked : str
        What the user asked for (a title or a MAL id).
    sheet : dict
        ``service.fact_sheet`` of the season the report is about.
    franchise : dict
        ``service.franchise_json`` of its franchise.
    forecast : dict
        ``service.forecast``'s answer (``status`` waiting / announced / not_waiting).
    provenance : dict
        MAL id -> field -> ``{"source", "observed_at"}`` (see :func:`provenance`).
    members_history : list of dict
        ``{"date", "members", "source"}`` of the show, oldest first.
    studios : list of dict
        Per studio: ``{"studio", "seasons", "continued", "as_of"}`` (its finished TV seasons, and
        how many got a next season).
    source_material : dict or None
        ``domain.SourceFeatures`` as a dict, or ``None`` when the catalog links no source work.
    disc_sales : dict or None
        ``{"avg_units", "source", "observed_at"}`` when known.
    series : dict or None
        The titles (``title``, ``title_english``) of the franchise's first season: the show's name
        in the headline is taken from them (a later season's title carries "Season 3" and such).
    """

    as_of: date
    asked: str
    sheet: dict[str, Any]
    franchise: dict[str, Any]
    forecast: dict[str, Any]
    provenance: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    members_history: list[dict[str, Any]] = field(default_factory=list)
    studios: list[dict[str, Any]] = field(default_factory=list)
    source_material: dict[str, Any] | None = None
    disc_sales: dict[str, Any] | None = None
    series: dict[str, Any] | None = None


def provenance(facts: Iterable[tuple[int, str, str, date]]) -> dict[int, dict[str, dict[str, Any]]]:
    """MAL id -> field -> the source and date of the value the catalog shows.

    ``facts`` are ``(mal_id, field, source, observed_at)``; the newest wins, and on the same day
    the source the catalog prefers (:data:`sequelcast.asof.SOURCE_PRIORITY`), as in the catalog.

    Examples
    --------
    >>> p = provenance([(1, "score", "mal_snapshot_2018", date(2018, 5, 7)),
    ...                 (1, "score", "mal_ranking_2026", date(2026, 7, 19))])
    >>> p[1]["score"]
    {'source': 'mal_ranking_2026', 'observed_at': '2026-07-19'}
    """
    ordered = sorted(facts, key=lambda f: (f[3], SOURCE_PRIORITY.get(f[2], 0)))
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for mal_id, name, source, observed in ordered:
        out.setdefault(mal_id, {})[name] = {"source": source, "observed_at": observed.isoformat()}
    return out


def month_year(iso: str | None) -> str:
    """``"2021-06-01"`` -> ``"June 2021"`` (``"unknown"`` when missing).

    >>> month_year("2021-06-01")
    'June 2021'
    """
    if not iso:
        return UNKNOWN
    d = date.fromisoformat(iso[:10])
    return f"{_MONTHS[d.month - 1]} {d.year}"


def _pct(p: float | None) -> str:
    if p is None:
        return UNKNOWN
    return "under 1%" if 0 < p < 0.005 else f"{100 * p:.0f}%"


def horizons_of(fc: Mapping[str, Any]) -> list[tuple[float, float]]:
    """``(years, probability)`` of every ``p_<h>y`` key of a forecast, shortest first.

    >>> horizons_of({"p_2y": 0.3, "p_1y": 0.1, "title": "X"})
    [(1.0, 0.1), (2.0, 0.3)]
    """
    found = [
        (float(m.group(1)), float(p))
        for k, p in fc.items()
        if (m := _HORIZON_KEY.match(k)) and p is not None
    ]
    return sorted(found)


def add_years(d: date, years: float) -> date:
    """``d`` plus ``years`` (365.25 days each).

    >>> add_years(date(2026, 8, 20), 1)
    datetime.date(2027, 8, 20)
    """
    return d + timedelta(days=round(years * 365.25))


def _fact(label: str, value: Any, where: Mapping[str, Any] | None) -> dict[str, Any]:
    where = where or {}
    return {
        "label": label,
        "value": UNKNOWN if value in (None, "", []) else str(value),
        "source": where.get("source"),
        "observed_at": where.get("observed_at"),
    }


def _join(values: Sequence[str] | None) -> str | None:
    return ", ".join(values) if values else None


def _titles(sheet: Mapping[str, Any]) -> str:
    names = [
        sheet.get("title"),
        sheet.get("title_english"),
        sheet.get("title_japanese"),
        *(sheet.get("synonyms") or []),
    ]
    return " / ".join(dict.fromkeys(n for n in names if n))


def display_name(sheet: Mapping[str, Any]) -> str:
    """The name a reader knows: the English title (without a subtitle after ": "), else the main title.

    >>> display_name({"title": "Hige wo Soru.", "title_english": "Higehiro: After Being Rejected"})
    'Higehiro'
    """
    name = str(sheet.get("title_english") or sheet.get("title") or f"MAL {sheet.get('mal_id')}")
    short = name.split(": ", 1)[0].strip()
    return short if len(short) >= 3 else name


def _season_number(franchise: Mapping[str, Any], mal_id: int | None) -> int | None:
    for s in franchise.get("seasons") or []:
        if s.get("mal_id") == mal_id:
            return int(s["number"])
    return None


def _next_number(franchise: Mapping[str, Any], as_of: date) -> int:
    aired = [
        s
        for s in franchise.get("seasons") or []
        if s.get("start") and date.fromisoformat(s["start"]) <= as_of
    ]
    return (int(aired[-1]["number"]) if aired else 0) + 1


def _status(inputs: ReportInputs, number: int) -> dict[str, Any]:
    ns = inputs.forecast.get("next_season") or inputs.franchise.get("next_season") or {}
    state = ns.get("status", "none")
    evidence = ns.get("evidence") or []
    first = evidence[0] if evidence else {}
    if state == "none":
        return {
            "state": "not_announced",
            "date": inputs.as_of.isoformat(),
            "text": f"Season {number} is not announced as of {inputs.as_of.isoformat()}.",
            "source": first.get("source"),
            "observed_at": first.get("observed_at"),
        }
    what = ns.get("title") or f"Season {number}"
    seen = ns.get("first_seen")
    if state == "aired":
        text = f"{what} has aired."
    else:
        expected = ns.get("expected")
        text = (
            f"{what} is announced"
            + (f" (first seen {seen})" if seen else "")
            + (
                f", expected to start {expected}."
                if expected
                else ", release date to be announced."
            )
        )
    return {
        "state": state,
        "date": seen,
        "text": text,
        "title": ns.get("title"),
        "expected": ns.get("expected"),
        "source": first.get("source"),
        "observed_at": first.get("observed_at") or seen,
    }


def _fact_rows(inputs: ReportInputs, number: int | None) -> list[dict[str, Any]]:
    sheet = inputs.sheet
    where = inputs.provenance.get(int(sheet["mal_id"]), {})
    genres = (
        (sheet.get("genres") or [])
        + (sheet.get("themes") or [])
        + (sheet.get("demographics") or [])
    )
    return [
        _fact("Titles", _titles(sheet), where.get("title")),
        _fact("MAL id", sheet["mal_id"], {"source": "MyAnimeList"}),
        _fact(
            "Season",
            number,
            {"source": "sequelcast franchise", "observed_at": inputs.as_of.isoformat()},
        ),
        _fact("Type", sheet.get("type"), where.get("type")),
        _fact("Genres", _join(genres), where.get("genres")),
        _fact("Source (as MAL lists it)", sheet.get("source_type"), where.get("source_type")),
        _fact("Studios", _join(sheet.get("studios")), where.get("studios")),
        _fact("Licensors", _join(sheet.get("licensors")), where.get("licensors")),
        _fact("Episodes", sheet.get("episodes"), where.get("episodes")),
        _fact("First aired", sheet.get("start_date"), where.get("start_date")),
        _fact("Last aired", sheet.get("end_date"), where.get("end_date")),
    ]


def _season_rows(inputs: ReportInputs) -> list[dict[str, Any]]:
    rows = []
    for s in inputs.franchise.get("seasons") or []:
        where = inputs.provenance.get(s.get("mal_id") or -1, {})
        src = where.get("start_date") or where.get("episodes") or {}
        rows.append(
            {
                "number": s["number"],
                "part": s.get("part"),
                "title": s.get("title"),
                "mal_id": s.get("mal_id"),
                "start": s.get("start"),
                "end": s.get("end"),
                "episodes": s.get("episodes"),
                "announced": s.get("announced"),
                "source": src.get("source"),
                "observed_at": src.get("observed_at"),
            }
        )
    return rows


def _source_facts(sm: Mapping[str, Any], as_of: date) -> str:
    """The source work's facts in one sentence (kind, title, volumes, publication status)."""
    kind = _KIND_WORDS.get(str(sm.get("kind")), sm.get("kind") or "source work")
    parts = [f"{kind} {('“' + sm['title'] + '”') if sm.get('title') else ''}".strip()]
    volumes = sm.get("volumes")
    if volumes is None and sm.get("volumes_estimate") is not None:
        parts.append(f"about {sm['volumes_estimate']:.0f} volumes so far")
    elif volumes is not None:
        parts.append(f"{volumes} volume{'s' if volumes != 1 else ''}")
    if sm.get("finished") is True:
        parts.append(f"finished in {month_year(sm.get('end'))}")
    elif sm.get("finished") is False:
        parts.append(f"still publishing as of {as_of.isoformat()}")
    else:
        parts.append("publication status unknown")
    return ", ".join(parts)


def _source_text(sm: Mapping[str, Any], as_of: date) -> str:
    """The source material in plain words: the linker's summary when it gives one, then the facts."""
    facts = _source_facts(sm, as_of)
    used = (
        f"; the anime has used about {sm['episodes_per_volume']:.1f} episodes per volume"
        if sm.get("episodes_per_volume") is not None
        else ""
    )
    summary = str(sm.get("summary") or "").strip().rstrip(".")
    if not summary:
        return f"{facts[:1].upper()}{facts[1:]}{used}."
    title = f"“{sm['title']}”" if sm.get("title") else "the source work"
    where = f" (MyAnimeList manga {sm['work_id']})" if sm.get("work_id") else ""
    span = (
        f", published {month_year(sm.get('start'))} to "
        f"{month_year(sm.get('end')) if sm.get('finished') else 'now'}"
        if sm.get("start")
        else ""
    )
    return f"{summary[:1].upper()}{summary[1:]}. The source is {title}{where}{span}{used}."


def _source_material(inputs: ReportInputs) -> dict[str, Any]:
    sm = inputs.source_material
    mal_type = inputs.sheet.get("source_type")
    if not sm or not sm.get("linked"):
        text = (
            f"The source is a {mal_type.lower()} (MyAnimeList), but no source work is linked in "
            f"the catalog: its volumes and publication status are unknown."
            if mal_type and mal_type.lower() != "original"
            else "Original work (no source material)."
            if mal_type
            else "The source material is unknown."
        )
        return {
            "known": False,
            "text": text,
            "source": "MyAnimeList" if mal_type else None,
            "observed_at": None,
        }
    start, end = sm.get("start"), sm.get("end")
    return {
        "known": True,
        "text": _source_text(sm, inputs.as_of),
        "kind": sm.get("kind"),
        "title": sm.get("title"),
        "work_id": sm.get("work_id"),
        "volumes": sm.get("volumes"),
        "finished": sm.get("finished"),
        "start": start,
        "end": end,
        "source": f"MyAnimeList manga {sm['work_id']}"
        if sm.get("work_id")
        else "source-material link",
        "observed_at": inputs.as_of.isoformat(),
    }


def _growth(history: Sequence[Mapping[str, Any]]) -> str | None:
    points = [h for h in history if h.get("members") is not None]
    if len(points) < 2:
        return None
    a, b = points[0], points[-1]
    if not a["members"] or a["date"] == b["date"]:
        return None
    change = b["members"] / a["members"] - 1.0
    return (
        f"Members went from {a['members']:,} ({a['date']}, {a['source']}) to {b['members']:,} "
        f"({b['date']}, {b['source']}): {change:+.0%}."
    )


def _popularity(inputs: ReportInputs) -> dict[str, Any]:
    sheet = inputs.sheet
    peers = sheet.get("peers") or {}
    where = inputs.provenance.get(int(sheet["mal_id"]), {})
    lines = []
    score, members = sheet.get("score"), sheet.get("members")
    group = peers.get("group")
    if score is not None:
        pct = peers.get("score_percentile")
        lines.append(
            f"MAL score {score}"
            + (
                f", percentile {pct:g} among {peers.get('count', 0):,} {group}"
                if pct is not None and group
                else ""
            )
            + "."
        )
    else:
        lines.append("MAL score: unknown.")
    if members is not None:
        pct = peers.get("members_percentile")
        lines.append(
            f"{members:,} MAL members"
            + (f", percentile {pct:g} among {group}" if pct is not None and group else "")
            + "."
        )
    else:
        lines.append("MAL members: unknown.")
    growth = _growth(inputs.members_history)
    lines.append(growth or "Member growth: unknown (fewer than two dated observations).")
    disc = inputs.disc_sales
    lines.append(
        f"Disc sales: about {disc['avg_units']:,.0f} Blu-ray/DVD units per volume "
        f"({disc['source']}, {disc.get('observed_at') or 'undated'})."
        if disc and disc.get("avg_units") is not None
        else "Disc sales: unknown (none in the catalog for this show)."
    )
    return {
        "lines": lines,
        "score": score,
        "members": members,
        "peers": peers,
        "score_source": where.get("score"),
        "members_source": where.get("members"),
        "members_history": inputs.members_history,
        "disc_sales": disc,
    }


def _studio(inputs: ReportInputs) -> dict[str, Any]:
    lines = []
    for r in inputs.studios:
        n, k = r["seasons"], r["continued"]
        share = f" ({k / n:.0%})" if n else ""
        lines.append(
            f"{r['studio']}: {n} finished TV season{'s' if n != 1 else ''} in the catalog by "
            f"{r['as_of']}, {k} of them followed by another season{share}."
        )
    if not lines:
        lines.append("Studio: unknown.")
    licensors = _join(inputs.sheet.get("licensors"))
    lines.append(f"Licensors: {licensors}." if licensors else "Licensors: unknown (none listed).")
    lines.append("Staff: unknown (the catalog holds no staff data).")
    return {"lines": lines, "studios": inputs.studios}


def _chance_rows(fc: Mapping[str, Any], as_of: date) -> list[dict[str, Any]]:
    return [
        {"years": h, "probability": p, "by": add_years(as_of, h).isoformat(), "text": _pct(p)}
        for h, p in horizons_of(fc)
    ]


def _window_text(window: Mapping[str, Any] | None) -> str:
    if not window or not window.get("start"):
        return "Release window: unknown (no window could be estimated)."
    text = f"If it comes, the next season most likely airs in {window.get('label')}"
    cond = window.get("conditional_probability")
    if cond is not None:
        text += f" ({_pct(cond)} of the chance that it airs within 10 years falls in that window)"
    return text + "."


def _odds(inputs: ReportInputs) -> dict[str, Any]:
    fc = inputs.forecast["forecast"]
    as_of = date.fromisoformat(fc.get("as_of") or inputs.as_of.isoformat())
    chances = _chance_rows(fc, as_of)
    verdict, confidence = fc.get("verdict"), fc.get("confidence")
    lines = [
        f"Verdict: {verdict or UNKNOWN}"
        + (f" (confidence: {confidence})" if confidence else " (confidence: unknown)")
        + "."
    ]
    if chances:
        lines.append(
            "Chance the next season is announced within "
            + ", ".join(
                f"{c['years']:g} year{'s' if c['years'] != 1 else ''}: {c['text']}" for c in chances
            )
            + "."
        )
    lines.append(_window_text(fc.get("window")))
    factors = [
        {"text": f["text"], "raises": bool(f.get("raises")), "effect": f.get("effect")}
        for f in fc.get("factors") or []
    ]
    return {
        "state": "odds",
        "verdict": verdict,
        "confidence": confidence,
        "lines": lines,
        "chances": chances,
        "window": fc.get("window"),
        "factors": factors,
        "model": fc.get("model"),
        "as_of": as_of.isoformat(),
        "ended": fc.get("ended"),
        "waited_years": fc.get("waited_years"),
        "chart": [{"date": c["by"], "probability": c["probability"]} for c in chances],
        "chart_start": as_of.isoformat(),
    }


def _forecast(inputs: ReportInputs, status: dict[str, Any]) -> dict[str, Any]:
    data = inputs.forecast
    if data.get("status") == "waiting" and data.get("forecast"):
        return _odds(inputs)
    if data.get("status") == "announced" or status["state"] in ("announced", "aired"):
        return {
            "state": "announced",
            "lines": [status["text"] + " No odds are given: the question is when, not whether."],
            "chances": [],
            "factors": [],
            "chart": [],
        }
    message = data.get("message") or "no forecast is available for this show"
    return {
        "state": data.get("status") or "unavailable",
        "lines": [message + "."],
        "chances": [],
        "factors": [],
        "chart": [],
    }


def _what_would_change(
    inputs: ReportInputs, forecast: Mapping[str, Any], source: Mapping[str, Any]
) -> list[str]:
    if forecast["state"] != "odds":
        if forecast["state"] == "announced":
            return [
                "A start date (or a delay) for the announced season; nothing else changes the answer."
            ]
        if forecast["state"] == "not_waiting":
            return [
                "The end of the current season: the forecast starts when it has finished airing."
            ]
        return ["More data: no forecast could be made on this date (see the forecast section)."]
    out = [
        "An announcement: a new MyAnimeList or AniDB entry for the next season settles it "
        "(the catalog notices it at the next build)."
    ]
    strongest = sorted(forecast["factors"], key=lambda f: -abs(f.get("effect") or 0.0))[:3]
    for f in strongest:
        what = _DIRECTION.sub("", f["text"]).strip()
        direction = (
            "holds the chance up; if that faded, the chance would fall"
            if f["raises"]
            else "holds the chance down; if that changed, the chance would rise"
        )
        out.append(f"{what[:1].upper()}{what[1:]}: {direction}.")
    if source.get("known"):
        if source.get("finished"):
            out.append(
                "New source material (a sequel series or new volumes) would add story to adapt."
            )
        else:
            out.append(
                "More published volumes add story to adapt; the source ending would remove that."
            )
    else:
        out.append(
            "Linking the source material (volumes left to adapt) would sharpen the forecast."
        )
    out.append(
        "Sharp member growth (a streaming surge) or strong disc sales usually raise the chance."
    )
    return out


def _sources(
    facts: Sequence[Mapping[str, Any]],
    seasons: Sequence[Mapping[str, Any]],
    status: Mapping[str, Any],
    source: Mapping[str, Any],
    forecast: Mapping[str, Any],
    popularity: Mapping[str, Any],
) -> list[dict[str, Any]]:
    rows = [
        {"fact": f["label"], "source": f["source"], "observed_at": f["observed_at"]}
        for f in facts
        if f["source"]
    ]
    rows += [
        {
            "fact": f"Season {s['number']} dates and episodes",
            "source": s["source"],
            "observed_at": s["observed_at"],
        }
        for s in seasons
        if s["source"]
    ]
    for key, label in (
        ("score_source", "MAL score"),
        ("members_source", "MAL members"),
        ("disc_sales", "Disc sales"),
    ):
        where = popularity.get(key)
        if where:
            rows.append(
                {
                    "fact": label,
                    "source": where.get("source"),
                    "observed_at": where.get("observed_at"),
                }
            )
    rows.append(
        {
            "fact": "Next-season status",
            "source": status.get("source"),
            "observed_at": status.get("observed_at"),
        }
    )
    rows.append(
        {
            "fact": "Source material",
            "source": source.get("source"),
            "observed_at": source.get("observed_at"),
        }
    )
    if forecast["state"] == "odds":
        rows.append(
            {
                "fact": "Forecast",
                "source": f"sequelcast model {forecast.get('model')}",
                "observed_at": forecast.get("as_of"),
            }
        )
    return rows


def compose_report(inputs: ReportInputs) -> dict[str, Any]:
    """The report as a JSON-ready dict: headline, status, facts, sections and sources.

    Examples
    --------
    >>> r = compose_report(ReportInputs(
    ...     as_of=date(2026, 8, 20), asked="x",
    ...     sheet={"mal_id": 1, "title": "Show", "peers": {}},
    ...     franchise={"seasons": [{"number": 1, "mal_id": 1, "start": "2021-04-05"}],
    ...                "next_season": {"status": "none", "evidence": []}},
    ...     forecast={"status": "waiting", "next_season": {"status": "none", "evidence": []},
    ...               "forecast": {"as_of": "2026-08-20", "p_1y": 0.1, "factors": []}}))
    >>> r["headline"], r["status"]["text"]
    ('Show Season 2: is it returning?', 'Season 2 is not announced as of 2026-08-20.')
    >>> r["forecast"]["chances"][0]["text"]
    '10%'
    """
    number = _next_number(inputs.franchise, inputs.as_of)
    status = _status(inputs, number)
    name = display_name(inputs.series or inputs.sheet)
    facts = _fact_rows(inputs, _season_number(inputs.franchise, inputs.sheet.get("mal_id")))
    facts.append(
        {
            "label": "Next season",
            "value": status["text"],
            "source": status.get("source"),
            "observed_at": status.get("observed_at"),
        }
    )
    seasons = _season_rows(inputs)
    source = _source_material(inputs)
    popularity = _popularity(inputs)
    forecast = _forecast(inputs, status)
    return {
        "mal_id": inputs.sheet["mal_id"],
        "title": inputs.sheet.get("title"),
        "name": name,
        "asked": inputs.asked,
        "as_of": inputs.as_of.isoformat(),
        "headline": f"{name} Season {number}: is it returning?",
        "next_number": number,
        "status": status,
        "facts": facts,
        "seasons": seasons,
        "source_material": source,
        "popularity": popularity,
        "studio": _studio(inputs),
        "forecast": forecast,
        "what_would_change": _what_would_change(inputs, forecast, source),
        "sources": _sources(facts, seasons, status, source, forecast, popularity),
    }
