"""Use cases: where the catalog, the sources and the pure packages meet.

The CLI, the JSON API and the web page all call these functions, so they give the same answers.
"""

from sequelcast.service._build import BuildReport, build_catalog, entry_json, get_entry
from sequelcast.service._cache import clear_caches, load_snapshot
from sequelcast.service._fetch import (
    FetchReport,
    fetch_anilist,
    fetch_jikan_anime,
    fetch_jikan_season,
    fetch_offline_db,
)
from sequelcast.service._forecast import (
    DEFAULT_MODEL,
    BacktestReport,
    backtest,
    data_date,
    forecast,
    forecast_date,
    forecast_every,
    forecast_inputs,
    forecast_json,
    forecaster,
)
from sequelcast.service._ledger import ledger_record, ledger_replay_one, ledger_score, replay_dates
from sequelcast.service._lookup import (
    fact_sheet,
    find_mal_id,
    franchise_graph,
    franchise_json,
    franchise_of,
    next_season_json,
    resolve,
    title_index,
)
from sequelcast.service._report import FORMATS as REPORT_FORMATS
from sequelcast.service._report import render as render_report
from sequelcast.service._report import report_json, report_site
from sequelcast.service._watch import watch_add, watch_check, watch_feed, watch_remove

__all__ = [
    "BacktestReport",
    "BuildReport",
    "DEFAULT_MODEL",
    "FetchReport",
    "REPORT_FORMATS",
    "backtest",
    "build_catalog",
    "clear_caches",
    "data_date",
    "entry_json",
    "fact_sheet",
    "fetch_anilist",
    "fetch_jikan_anime",
    "fetch_jikan_season",
    "fetch_offline_db",
    "find_mal_id",
    "forecast",
    "forecast_date",
    "forecast_every",
    "forecast_inputs",
    "forecast_json",
    "forecaster",
    "franchise_graph",
    "franchise_json",
    "franchise_of",
    "get_entry",
    "ledger_record",
    "ledger_replay_one",
    "ledger_score",
    "load_snapshot",
    "next_season_json",
    "render_report",
    "replay_dates",
    "report_json",
    "report_site",
    "resolve",
    "title_index",
    "watch_add",
    "watch_check",
    "watch_feed",
    "watch_remove",
]
