"""Charts of a report: the chance of an announcement by date, and the ledger's reliability plot.

Two renderings of each: an inline SVG string (for HTML; self-contained, colours as presentation
attributes, no inline ``style``, so it needs no stylesheet and passes a strict
Content-Security-Policy) and a PNG file drawn by matplotlib (for
Markdown). matplotlib is imported inside the functions, so the CLI and the server load it only
when a PNG is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 640, 260
_L, _R, _T, _B = 52, 40, 20, 40
_INK, _ACCENT, _GRID = "#333333", "#2b6cb0", "#dddddd"


def chart_points(forecast: Mapping[str, Any]) -> tuple[date | None, list[tuple[date, float]]]:
    """The start date and the ``(date, probability)`` points of a report's forecast section.

    >>> chart_points({"chart_start": "2026-08-20", "chart": [{"date": "2027-08-20", "probability": 0.1}]})
    (datetime.date(2026, 8, 20), [(datetime.date(2027, 8, 20), 0.1)])
    """
    start = forecast.get("chart_start")
    points = [
        (date.fromisoformat(p["date"]), float(p["probability"]))
        for p in forecast.get("chart") or []
    ]
    return (date.fromisoformat(start) if start else None), sorted(points)


def _ceiling(top: float) -> float:
    steps = (0.05, 0.1, 0.2, 0.5, 1.0)
    return next((s for s in steps if top <= s), 1.0)


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%" if p >= 0.01 or p == 0 else f"{100 * p:.1f}%"


def _frame(title: str, desc: str) -> list[str]:
    return [
        f'<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
    ]


def _y_axis(top: float, label: str) -> list[str]:
    out = []
    for k in range(5):
        p = top * k / 4
        y = _T + (HEIGHT - _T - _B) * (1 - p / top)
        out.append(
            f'<line x1="{_L}" x2="{WIDTH - _R}" y1="{y:.1f}" y2="{y:.1f}" stroke="{_GRID}"/>'
        )
        out.append(
            f'<text x="{_L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{_INK}">{_pct(p)}</text>'
        )
    out.append(
        f'<text x="12" y="{_T + (HEIGHT - _T - _B) / 2:.0f}" fill="{_INK}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_T + (HEIGHT - _T - _B) / 2:.0f})">{escape(label)}</text>'
    )
    return out


def announcement_svg(
    points: Sequence[tuple[date, float]],
    start: date | None = None,
    title: str = "Chance of an announcement by date",
) -> str:
    """Inline SVG: the cumulative chance of an announcement by each date (``""`` without points).

    >>> svg = announcement_svg([(date(2027, 8, 20), 0.1), (date(2031, 8, 20), 0.3)], date(2026, 8, 20))
    >>> svg.startswith("<svg") and "30%" in svg and "2031" in svg
    True
    """
    pts = sorted(points)
    if not pts:
        return ""
    begin = start if start is not None and start < pts[0][0] else pts[0][0]
    span = max((pts[-1][0] - begin).days, 1)
    top = _ceiling(max(p for _, p in pts))

    def xy(d: date, p: float) -> tuple[float, float]:
        return (
            _L + (WIDTH - _L - _R) * (d - begin).days / span,
            _T + (HEIGHT - _T - _B) * (1 - p / top),
        )

    desc = "; ".join(f"{_pct(p)} by {d.isoformat()}" for d, p in pts)
    out = _frame(title, desc) + _y_axis(top, "chance")
    line = [xy(begin, 0.0), *(xy(d, p) for d, p in pts)]
    out.append(
        f'<polyline fill="none" stroke="{_ACCENT}" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
        + '"/>'
    )
    for d, p in pts:
        x, y = xy(d, p)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{_ACCENT}"/>')
        out.append(
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" fill="{_INK}">{_pct(p)}</text>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - _B + 18}" text-anchor="middle" fill="{_INK}">'
            f"{d.strftime('%b %Y')}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def reliability_svg(
    rows: Sequence[Mapping[str, Any]], title: str = "Forecast probability against what happened"
) -> str:
    """Inline SVG reliability plot of calibration rows (``mean_forecast``, ``observed``, ``n``).

    >>> svg = reliability_svg([{"mean_forecast": 0.1, "observed": 0.2, "n": 10}])
    >>> "<circle" in svg and "10%" in svg
    True
    >>> reliability_svg([])
    ''
    """
    pts = [
        (float(r["mean_forecast"]), float(r["observed"]), int(r["n"]))
        for r in rows
        if r.get("mean_forecast") is not None and r.get("observed") is not None
    ]
    if not pts:
        return ""
    top = _ceiling(max(max(a, b) for a, b, _ in pts))

    def xy(a: float, b: float) -> tuple[float, float]:
        return (_L + (WIDTH - _L - _R) * a / top, _T + (HEIGHT - _T - _B) * (1 - b / top))

    desc = "; ".join(f"forecast {_pct(a)}: {_pct(b)} happened ({n} forecasts)" for a, b, n in pts)
    out = _frame(title, desc) + _y_axis(top, "share that happened")
    (x0, y0), (x1, y1) = xy(0, 0), xy(top, top)
    out.append(
        f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#999999" '
        f'stroke-dasharray="4 4"/>'
    )
    for k in range(5):
        x, _ = xy(top * k / 4, 0)
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - _B + 18}" text-anchor="middle" fill="{_INK}">'
            f"{_pct(top * k / 4)}</text>"
        )
    out.append(
        f'<text x="{(_L + WIDTH - _R) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle" '
        f'fill="{_INK}">forecast probability</text>'
    )
    out.append(
        f'<polyline fill="none" stroke="{_ACCENT}" stroke-width="2" points="'
        + " ".join("{:.1f},{:.1f}".format(*xy(a, b)) for a, b, _ in pts)
        + '"/>'
    )
    for a, b, n in pts:
        x, y = xy(a, b)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 + min(n, 400) ** 0.5 / 4:.1f}" '
            f'fill="{_ACCENT}" fill-opacity="0.6"><title>{n} forecasts</title></circle>'
        )
    out.append("</svg>")
    return "".join(out)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def announcement_png(
    points: Sequence[tuple[date, float]],
    start: date | None,
    path: Path,
    title: str = "Chance of an announcement by date",
) -> Path:
    """Save the announcement chart as a PNG at ``path`` (returns ``path``)."""
    plt = _pyplot()
    pts = sorted(points)
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    xs = ([start] if start is not None else []) + [d for d, _ in pts]
    ys = ([0.0] if start is not None else []) + [p for _, p in pts]
    ax.plot(xs, [100 * y for y in ys], marker="o", color=_ACCENT)
    for d, p in pts:
        ax.annotate(
            _pct(p),
            (d, 100 * p),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
    ax.set_ylim(0, 100 * _ceiling(max((p for _, p in pts), default=0.05)) * 1.1)
    ax.set_ylabel("chance (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def reliability_png(
    rows: Sequence[Mapping[str, Any]],
    path: Path,
    title: str = "Forecast probability against what happened",
) -> Path:
    """Save the reliability plot of calibration rows as a PNG at ``path`` (returns ``path``)."""
    plt = _pyplot()
    pts = [
        (float(r["mean_forecast"]), float(r["observed"]))
        for r in rows
        if r.get("mean_forecast") is not None and r.get("observed") is not None
    ]
    top = _ceiling(max((max(a, b) for a, b in pts), default=0.05))
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, top], [0, top], linestyle=":", color="grey")
    ax.plot([a for a, _ in pts], [b for _, b in pts], marker="o", color=_ACCENT)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("forecast probability (deciles)")
    ax.set_ylabel("share that happened")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
