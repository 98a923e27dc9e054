"""The article, from data: ``sequelcast report`` and the ledger's track record (pure).

Nothing here reads the catalog or the network. :func:`compose_report` turns the service's JSON
answers into the report's content; the ``render_*`` functions turn that content (or the ledger's
scores, from :func:`score_ledger`) into Markdown or HTML; the chart functions draw the chance of
an announcement by date and the reliability plot, as inline SVG or (matplotlib) PNG.
"""

from sequelcast.report._chart import (
    announcement_png,
    announcement_svg,
    chart_points,
    reliability_png,
    reliability_svg,
)
from sequelcast.report._compose import (
    UNKNOWN,
    ReportInputs,
    compose_report,
    display_name,
    horizons_of,
    provenance,
)
from sequelcast.report._render import (
    md_escape,
    render_html,
    render_html_body,
    render_markdown,
    render_site_index,
    render_site_page,
    render_track_record_body,
    render_track_record_markdown,
)
from sequelcast.report._score import (
    LEDGER_HORIZONS,
    calibration_deciles,
    resolved_pairs,
    score_ledger,
    top_decile_precision,
)

__all__ = [
    "LEDGER_HORIZONS",
    "UNKNOWN",
    "ReportInputs",
    "announcement_png",
    "announcement_svg",
    "calibration_deciles",
    "chart_points",
    "compose_report",
    "display_name",
    "horizons_of",
    "md_escape",
    "provenance",
    "reliability_png",
    "reliability_svg",
    "render_html",
    "render_html_body",
    "render_markdown",
    "render_site_index",
    "render_site_page",
    "render_track_record_body",
    "render_track_record_markdown",
    "resolved_pairs",
    "score_ledger",
    "top_decile_precision",
]
