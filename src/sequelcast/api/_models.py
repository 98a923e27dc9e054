"""Response models of the JSON routes, so that the OpenAPI schema says what a success looks like.

Each model declares the fields clients rely on, with their types; other fields are allowed
(``extra="allow"``) and passed through, so the service may add fields without breaking the
contract. A route whose answer does not match its model fails loudly (a 500 in the tests, caught
by the schemathesis run of ``tests/reliability/test_contract.py``), never silently.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

_DATE: JsonDict = {"format": "date"}


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Evidence(_Open):
    """One piece of evidence for a link or a status."""

    source: str
    detail: str
    observed_at: str | None = Field(None, json_schema_extra=_DATE)


class NextSeason(_Open):
    """The status of the next season: ``none``, ``announced`` or ``aired``, with its evidence."""

    status: str
    mal_id: int | None = None
    anidb_id: int | None = None
    title: str | None = None
    first_seen: str | None = Field(None, json_schema_extra=_DATE)
    expected: str | None = Field(None, json_schema_extra=_DATE)
    evidence: list[Evidence] = Field(default_factory=list)


class Season(_Open):
    """One main-line season of a franchise, in order."""

    number: int | None = None
    mal_id: int | None = None
    anidb_id: int | None = None
    title: str | None = None


class Member(_Open):
    """An entry of a franchise that is not a main-line season (movie, OVA, special...)."""

    mal_id: int | None = None
    anidb_id: int | None = None
    title: str | None = None


class FranchiseBody(_Open):
    """The seasons of a show in order and the status of the next one."""

    ok: bool = True
    id: str
    title: str
    as_of: str | None = Field(None, json_schema_extra=_DATE)
    seasons: list[Season]
    others: list[Member] = Field(default_factory=list)
    next_season: NextSeason


class FranchiseSummary(_Open):
    id: str
    title: str
    seasons: list[Season] = Field(default_factory=list)
    others: list[Member] = Field(default_factory=list)


class FactSheetBody(_Open):
    """The fact sheet of one MyAnimeList entry."""

    ok: bool = True
    mal_id: int
    title: str
    title_english: str | None = None
    title_japanese: str | None = None
    synonyms: list[str] = Field(default_factory=list)
    type: str | None = None
    episodes: int | None = None
    start_date: str | None = Field(None, json_schema_extra=_DATE)
    end_date: str | None = Field(None, json_schema_extra=_DATE)
    status: str | None = None
    studios: list[str] = Field(default_factory=list)
    genres: list[str] = Field(default_factory=list)
    score: float | None = None
    members: int | None = None
    ids: dict[str, str] = Field(default_factory=dict)
    as_of: str | None = Field(None, json_schema_extra=_DATE)
    franchise: FranchiseSummary | None = None
    next_season: NextSeason | None = None


class ForecastBody(_Open):
    """The forecast of a show's next season (``forecast`` is null unless ``status`` is ``waiting``)."""

    ok: bool = True
    status: str
    as_of: str | None = Field(None, json_schema_extra=_DATE)
    franchise: dict[str, Any] | None = None
    next_season: NextSeason | None = None
    forecast: dict[str, Any] | None = None
    message: str | None = None


class StatsBody(_Open):
    """Counts of the catalog and its last build."""

    ok: bool = True
    backend: str
    schema_version: int
    entries: int
    facts: int
    records: dict[str, int]
    rejects: int
    last_build: dict[str, Any] | None = None


class LastBuild(_Open):
    id: int
    as_of: str | None = Field(None, json_schema_extra=_DATE)
    finished_at: str | None = None


class CatalogHealth(_Open):
    backend: str
    last_build: LastBuild


class HealthBody(_Open):
    """The server can answer: its version, whether it forecasts, and the catalog's last build."""

    ok: bool = True
    version: str
    forecast: bool
    catalog: CatalogHealth


__all__ = ["FactSheetBody", "ForecastBody", "FranchiseBody", "HealthBody", "StatsBody"]
