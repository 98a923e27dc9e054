"""Markdown and HTML renderings of a report, of the ledger's track record and of a small site.

Every piece of third-party text (titles, studio names, evidence) is escaped: HTML goes through
Jinja2 with autoescaping on; Markdown cells have ``|``, ``<``, ``>`` and ``&`` escaped so a title
can break neither a table nor the page a Markdown renderer makes of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from sequelcast.report._chart import announcement_svg, chart_points, reliability_svg

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def md_escape(text: Any) -> str:
    """Text safe inside a Markdown table cell (and in the HTML a Markdown renderer makes).

    >>> md_escape("A | B <script>")
    'A \\\\| B &lt;script&gt;'
    """
    s = "" if text is None else str(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _where(row: Mapping[str, Any]) -> str:
    src, when = row.get("source"), row.get("observed_at")
    if src and when:
        return f"{src}, {when}"
    return str(src or when or "unknown")


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(md_escape(c) for c in r) + " |" for r in rows]
    return out + [""]


def _lines(title: str, lines: Sequence[str]) -> list[str]:
    return [f"## {title}", "", *(f"- {md_escape(x)}" for x in lines), ""]


def _md_forecast(fc: Mapping[str, Any], png: str | None) -> list[str]:
    out = _lines("The forecast", fc["lines"])
    if fc.get("chances"):
        out += _table(
            ["within", "by", "chance"],
            [(_years(c["years"]), c["by"], c["text"]) for c in fc["chances"]],
        )
    if fc.get("factors"):
        out += ["Why:", ""]
        out += [f"- {'+' if f['raises'] else '−'} {md_escape(f['text'])}" for f in fc["factors"]]
        out.append("")
    if png and fc.get("chart"):
        out += [f"![Chance of an announcement by date]({png})", ""]
    if fc.get("model"):
        out += [f"Model: {md_escape(fc['model'])}, as of {fc.get('as_of')}.", ""]
    return out


def render_markdown(report: Mapping[str, Any], chart_png: str | None = None) -> str:
    """The report as Markdown; ``chart_png`` is the path (relative to the file) of its chart."""
    status = report["status"]
    out = [
        f"# {md_escape(report['headline'])}",
        "",
        f"**{md_escape(status['text'])}** ({md_escape(_where(status))})",
        "",
        f"_Everything below is what the catalog knew on {report['as_of']}._",
        "",
        "## The facts",
        "",
    ]
    out += _table(
        ["fact", "value", "source, date"],
        [(f["label"], f["value"], _where(f)) for f in report["facts"]],
    )
    if report["seasons"]:
        out += ["## Seasons", ""]
        out += _table(
            ["#", "title", "aired", "episodes", "first seen", "source, date"],
            [
                (
                    s["number"] if not s.get("part") else f"{s['number']} (part {s['part']})",
                    s["title"],
                    f"{s['start'] or '?'} to {s['end'] or '?'}",
                    s["episodes"] if s["episodes"] is not None else "unknown",
                    s.get("announced") or "unknown",
                    _where(s),
                )
                for s in report["seasons"]
            ],
        )
    out += _lines("Source material", [report["source_material"]["text"]])
    out += _lines("Popularity", report["popularity"]["lines"])
    out += _lines("Studio, licensors and staff", report["studio"]["lines"])
    out += _md_forecast(report["forecast"], chart_png)
    out += _lines("What would change this", report["what_would_change"])
    out += ["## Sources", ""]
    out += _table(
        ["fact", "source", "date"],
        [
            (r["fact"], r.get("source") or "unknown", r.get("observed_at") or "unknown")
            for r in report["sources"]
        ],
    )
    return "\n".join(out).rstrip() + "\n"


def render_html_body(report: Mapping[str, Any]) -> str:
    """The report as an HTML fragment (an ``<article>``), for a page or a template."""
    start, points = chart_points(report["forecast"])
    chart = Markup(announcement_svg(points, start))  # built from numbers and escaped text
    return _ENV.get_template("report.html").render(r=report, chart=chart)


def render_html(report: Mapping[str, Any]) -> str:
    """The report as a standalone HTML page (inline style, inline SVG chart)."""
    return _ENV.get_template("page.html").render(
        title=report["headline"], body=Markup(render_html_body(report)), back=None
    )


def render_track_record_markdown(score: Mapping[str, Any], png: str | None = None) -> str:
    """The ledger's scores as Markdown (headline, per horizon, calibration)."""
    out = ["# Track record", "", md_escape(score["headline"]), ""]
    out += _table(
        ["horizon", "resolved", "happened", "Brier", "AUC", "top-decile precision"],
        [
            (
                _years(float(h)),
                v["n_resolved"],
                v["n_events"],
                _num(v["brier"]),
                _num(v["auc"]),
                _num(v["top_decile_precision"]),
            )
            for h, v in score["horizons"].items()
        ],
    )
    out += ["## Calibration (deciles of forecast probability, every passed horizon)", ""]
    out += _table(
        ["decile", "forecasts", "mean forecast", "share that happened"],
        [
            (r["decile"], r["n"], _num(r["mean_forecast"]), _num(r["observed"]))
            for r in score["calibration"]
        ],
    )
    if png:
        out += [f"![Reliability plot]({png})", ""]
    if score.get("n_early"):
        out += [
            f"{score['n_early']:,} forecasts were of shows whose next season the newest data dates on "
            "or before the forecast's date: they count as announced a day later, as in the backtest.",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def _years(h: float) -> str:
    return f"{h:g} year" + ("" if h == 1 else "s")


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def render_track_record_body(score: Mapping[str, Any]) -> str:
    """The ledger's scores as an HTML fragment, with an inline SVG reliability plot."""
    chart = Markup(reliability_svg(score["calibration"]))
    return _ENV.get_template("track_record.html").render(
        s=score, chart=chart, num=_num, years=_years
    )


def render_site_index(entries: Sequence[Mapping[str, Any]], as_of: str) -> str:
    """The index page of ``report --all``: one line per show, linking to its page."""
    body = _ENV.get_template("index.html").render(entries=entries, as_of=as_of)
    return _ENV.get_template("page.html").render(
        title="Is it returning? The most-followed shows", body=Markup(body), back=None
    )


def render_site_page(report: Mapping[str, Any]) -> str:
    """One show's page of ``report --all`` (links back to the index)."""
    return _ENV.get_template("page.html").render(
        title=report["headline"], body=Markup(render_html_body(report)), back="index.html"
    )
