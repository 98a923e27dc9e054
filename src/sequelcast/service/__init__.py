"""Use cases: where the catalog, the sources and the pure packages meet.

One :class:`Sequelcast` object holds the settings, the catalog and the bounded caches; the CLI
creates one per command, the API one per process. Every surface calls its methods, so they give
the same answers. The JSON shapes are module functions (they need no catalog).

``build_catalog`` and ``BuildReport`` are loaded on first use (they pull in every source adapter),
so that a command about one show starts fast.
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

__all__ = [
    "DEFAULT_MODEL",
    "BacktestReport",
    "BoundedCache",
    "BuildReport",
    "FetchReport",
    "Sequelcast",
    "build_catalog",
    "entry_json",
    "forecast_json",
    "franchise_json",
    "next_season_json",
]


def __getattr__(name: str) -> Any:
    if name in ("BuildReport", "build_catalog"):
        from sequelcast.service import _build

        return getattr(_build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
