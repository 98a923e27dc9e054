"""The forecast as a picture: an inline SVG step chart of the chance of an announcement by date.

Pure: builds a string, no I/O. The SVG carries its own ``<title>`` and ``<desc>`` (read by screen
readers) and uses CSS classes only (no inline style), so it works under a strict
Content-Security-Policy; ``style.css`` colours it.

Examples
--------
>>> from datetime import date
>>> svg = announcement_chart_svg([(date(2027, 1, 1), 0.1), (date(2028, 1, 1), 0.25)])
>>> svg.startswith("<svg") and "25%" in svg and "2028" in svg
True
>>> announcement_chart_svg([])
''
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

#: Drawing size in SVG user units; the chart scales to its container's width.
WIDTH, HEIGHT = 640, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 16, 16, 36


def _x(day: date, start: date, end: date) -> float:
    span = max((end - start).days, 1)
    return _LEFT + (WIDTH - _LEFT - _RIGHT) * (day - start).days / span


def _y(p: float, top: float) -> float:
    return _TOP + (HEIGHT - _TOP - _BOTTOM) * (1 - p / top)


def _percent(p: float) -> str:
    return f"{p * 100:.0f}%"


def _tick(p: float) -> str:
    """An axis label: whole percents, or one decimal when needed (1.25% -> "1.2%")."""
    return f"{p * 100:.0f}%" if abs(p * 100 - round(p * 100)) < 1e-9 else f"{p * 100:.1f}%"


#: Possible tops of the y axis; the chart uses the lowest leaving room above the highest point.
_CEILINGS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


def _ceiling(highest: float) -> float:
    """The top of the y axis: the lowest of :data:`_CEILINGS` at least 1.1 x the highest probability.

    Examples
    --------
    >>> _ceiling(0.02), _ceiling(0.34), _ceiling(0.95)
    (0.05, 0.4, 1.0)
    """
    return next((c for c in _CEILINGS if c >= 1.1 * highest), 1.0)


def _grid(top: float) -> list[str]:
    lines = []
    ticks = 4
    for k in range(ticks + 1):
        p = top * k / ticks
        y = _y(p, top)
        lines.append(
            f'<line class="grid" x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick(p)}</text>'
        )
    return lines


def announcement_chart_svg(
    points: Sequence[tuple[date, float]],
    *,
    start: date | None = None,
    title: str = "Chance of an announcement by date",
    ident: str = "chart",
) -> str:
    """An SVG step chart of cumulative probabilities, or ``""`` when there is nothing to draw.

    Parameters
    ----------
    points : sequence of (date, float)
        The chance (0 to 1) that the next season is announced by each date, in any order.
    start : date, optional
        Where the curve starts at 0 (the forecast's as-of date); default the day before the first
        point.
    title : str
        The chart's accessible title.
    ident : str
        Prefix of the ids of the ``<title>`` and ``<desc>`` elements (unique per page).

    Returns
    -------
    str
        One ``<svg>`` element with ``role="img"``, a ``<title>``, a ``<desc>`` listing every point
        in words, a step line, a dot and label per point, and year ticks on the x axis.

    Raises
    ------
    ValueError
        When a probability is outside 0 to 1 (names the date).
    """
    pts = sorted((d, float(p)) for d, p in points)
    if not pts:
        return ""
    for d, p in pts:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"chart point {d.isoformat()}: probability {p} is not between 0 and 1")
    begin = (
        start
        if start is not None and start < pts[0][0]
        else date.fromordinal(pts[0][0].toordinal() - 1)
    )
    end = pts[-1][0]
    top = _ceiling(max(p for _, p in pts))
    path = [f"M{_x(begin, begin, end):.1f},{_y(0, top):.1f}"]
    previous = 0.0
    marks = []
    for d, p in pts:
        x = _x(d, begin, end)
        path.append(f"H{x:.1f}V{_y(max(p, previous), top):.1f}")
        previous = max(p, previous)
        y = _y(previous, top)
        marks.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="4"/>'
            f'<text class="label" x="{x - 6:.1f}" y="{y - 8:.1f}" text-anchor="end">{_percent(p)}</text>'
        )
    years = [
        date(y, 1, 1) for y in range(begin.year + 1, end.year + 1) if begin < date(y, 1, 1) <= end
    ]
    if len(years) > 8:  # long horizons: every other year
        years = years[:: -(-len(years) // 8)]
    ticks = [
        f'<line class="tick" x1="{_x(d, begin, end):.1f}" x2="{_x(d, begin, end):.1f}" '
        f'y1="{HEIGHT - _BOTTOM}" y2="{HEIGHT - _BOTTOM + 5}"/>'
        f'<text class="axis" x="{_x(d, begin, end):.1f}" y="{HEIGHT - _BOTTOM + 20}" '
        f'text-anchor="middle">{d.year}</text>'
        for d in years
    ]
    desc = "; ".join(f"{_percent(p)} by {d.isoformat()}" for d, p in pts)
    base = (
        f'<line class="axis-line" x1="{_LEFT}" x2="{WIDTH - _RIGHT}" '
        f'y1="{HEIGHT - _BOTTOM}" y2="{HEIGHT - _BOTTOM}"/>'
    )
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
        + "".join(_grid(top))
        + base
        + "".join(ticks)
        + f'<path class="curve" d="{"".join(path)}"/>'
        + "".join(marks)
        + "</svg>"
    )


#: Height of one season's row in the timeline.
_ROW = 26


def seasons_timeline_svg(
    seasons: Sequence[tuple[str, date | None, date | None]],
    *,
    until: date,
    ident: str = "timeline",
) -> str:
    """An SVG timeline: one bar per season from its start to its end, and the gaps between them.

    Parameters
    ----------
    seasons : sequence of (str, date or None, date or None)
        ``(label, start, end)`` in order. Seasons without a start (announced, not dated) are left
        out; a season without an end is drawn to ``until`` with an open (dashed) end.
    until : date
        The right edge: the date the page is about (the data's date).
    ident : str
        Prefix of the ids of the ``<title>`` and ``<desc>`` elements.

    Returns
    -------
    str
        One ``<svg>`` with ``role="img"``, its ``<desc>`` listing every season's dates in words;
        ``""`` when no season has a start.

    Examples
    --------
    >>> svg = seasons_timeline_svg([("S1", date(2015, 1, 5), date(2015, 3, 30)),
    ...                             ("S2", date(2019, 1, 7), None), ("S3", None, None)],
    ...                            until=date(2019, 2, 1))
    >>> "S1: 2015-01-05 to 2015-03-30; S2: from 2019-01-07" in svg, "S3" in svg
    (True, False)
    """
    rows = [(label, start, end) for label, start, end in seasons if start is not None]
    if not rows:
        return ""
    begin = date(min(s for _, s, _ in rows).year, 1, 1)
    right = max([until, *(e for _, _, e in rows if e is not None)])
    end = date(right.year + 1, 1, 1)
    height = _TOP + _ROW * len(rows) + _BOTTOM
    parts = []
    words = []
    for k, (label, start, stop) in enumerate(rows):
        y = _TOP + k * _ROW
        x0 = _x(start, begin, end)
        x1 = max(_x(stop or until, begin, end), x0 + 3)
        open_end = stop is None
        parts.append(
            f'<rect class="season{" open" if open_end else ""}" x="{x0:.1f}" y="{y + 4}" '
            f'width="{x1 - x0:.1f}" height="{_ROW - 8}" rx="3"><title>{escape(label)}</title></rect>'
            f'<text class="axis" x="{_LEFT - 6}" y="{y + _ROW / 2 + 4:.1f}" text-anchor="end">'
            f"{k + 1}</text>"
        )
        words.append(f"{label}: " + (f"from {start}" if stop is None else f"{start} to {stop}"))
    step = max(1, -(-(end.year - begin.year) // 10))
    ticks = []
    for year in range(begin.year, end.year + 1, step):
        x = _x(date(year, 1, 1), begin, end)
        ticks.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP}" y2="{height - _BOTTOM}"/>'
            f'<text class="axis" x="{x:.1f}" y="{height - _BOTTOM + 18}" text-anchor="middle">{year}</text>'
        )
    now = _x(until, begin, end)
    marker = (
        f'<line class="now" x1="{now:.1f}" x2="{now:.1f}" y1="{_TOP - 4}" y2="{height - _BOTTOM}"/>'
    )
    return (
        f'<svg class="chart timeline" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">Seasons on a timeline</title>'
        f'<desc id="{ident}-desc">{escape("; ".join(words))}</desc>'
        + "".join(ticks)
        + "".join(parts)
        + marker
        + "</svg>"
    )
