"""The report's charts: inline SVG (escaped, self-contained) and PNG files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sequelcast.report import announcement_png, announcement_svg, reliability_png, reliability_svg

POINTS = [(date(2027, 8, 20), 0.1), (date(2028, 8, 19), 0.25), (date(2031, 8, 20), 0.4)]


def test_announcement_svg_draws_every_point() -> None:
    svg = announcement_svg(POINTS, date(2026, 8, 20), title="A <b> title")
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert svg.count("<circle") == 3
    for label in ("10%", "25%", "40%", "Aug 2031"):
        assert label in svg
    assert "<title>A &lt;b&gt; title</title>" in svg
    assert "style=" not in svg  # nothing a strict Content-Security-Policy would block
    assert announcement_svg([]) == ""


def test_reliability_svg_has_a_diagonal_and_a_point_per_bin() -> None:
    rows = [
        {"decile": i, "n": 5, "mean_forecast": i / 20, "observed": i / 25} for i in range(1, 11)
    ]
    svg = reliability_svg(rows)
    assert svg.count("<circle") == 10
    assert 'stroke-dasharray="4 4"' in svg


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pngs_are_written(tmp_path: Path) -> None:
    a = announcement_png(POINTS, date(2026, 8, 20), tmp_path / "a" / "chart.png")
    b = reliability_png([{"mean_forecast": 0.1, "observed": 0.2, "n": 3}], tmp_path / "r.png")
    for path in (a, b):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
