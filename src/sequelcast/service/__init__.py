"""Use cases: where the catalog, the sources and the pure packages meet.

One :class:`Sequelcast` object holds the settings, the catalog and the bounded caches; the CLI
creates one per command, the API one per process. Every surface calls its methods, so they give
the same answers. The JSON shapes are module functions (they need no catalog).

``build_catalog`` and ``BuildReport`` are loaded on first use (they pull in every source adapter),
so that a command about one show starts fast; so are the report and the ledger (``report_json``,
``ledger_score``... functions of a :class:`Sequelcast`), which pull in Jinja2 and scikit-learn.
"""

from typing import TYPE_CHECKING, Any

from sequelcast.service._app import BacktestReport, Sequelcast
from sequelcast.service._cache import BoundedCache
from sequelcast.service._derive import (
    DEFAULT_MODEL,
    entry_json,
    forecast_json,
    franchise_json,
    next_season_json,
)
from sequelcast.service._reports import FetchReport

if TYPE_CHECKING:
    from sequelcast.service._build import BuildReport, build_catalog
    from sequelcast.service._ledger import (
        ledger_record,
        ledger_replay_one,
        ledger_score,
        replay_dates,
    )
    from sequelcast.service._report import REPORT_FORMATS, render_report, report_json, report_site

__all__ = [
    "DEFAULT_MODEL",
    "REPORT_FORMATS",
    "BacktestReport",
    "BoundedCache",
    "BuildReport",
    "FetchReport",
    "Sequelcast",
    "build_catalog",
    "entry_json",
    "forecast_json",
    "franchise_json",
    "ledger_record",
    "ledger_replay_one",
    "ledger_score",
    "next_season_json",
    "render_report",
    "replay_dates",
    "report_json",
    "report_site",
]

_LAZY = {
    "BuildReport": "_build",
    "build_catalog": "_build",
    "ledger_record": "_ledger",
    "ledger_replay_one": "_ledger",
    "ledger_score": "_ledger",
    "replay_dates": "_ledger",
    "REPORT_FORMATS": "_report",
    "render_report": "_report",
    "report_json": "_report",
    "report_site": "_report",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"sequelcast.service.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
