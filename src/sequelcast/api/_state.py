"""What one app holds for its whole life: the settings, the catalog and a lock.

Both the JSON routes and the web views reach :mod:`sequelcast.service` through
:meth:`AppState.call`, so they give the same answers and the same errors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sequelcast import service
from sequelcast.api._errors import INTERNAL_ERROR, ApiError, logger
from sequelcast.catalog import Catalog, open_catalog
from sequelcast.errors import ConfigError, SequelcastError
from sequelcast.settings import Settings, parse_date_option

T = TypeVar("T")


class AppState:
    """The catalog of one app, opened once (read-only) and shared by every request.

    Parameters
    ----------
    settings : Settings
        The settings; ``settings.model_dir`` is the service's cache directory.
    catalog_url : str
        The catalog's database URL.

    Notes
    -----
    The service keeps its caches (snapshot, title index, franchise graph) in module-level
    dictionaries that are not safe to fill from several threads at once, and FastAPI runs the
    plain ``def`` routes in a thread pool. So every service call holds :attr:`lock`: requests are
    served one at a time, which costs little because they are CPU-bound anyway.
    """

    def __init__(self, settings: Settings, catalog_url: str) -> None:
        self.settings = settings
        self.catalog_url = catalog_url
        self.lock = threading.RLock()
        self._catalog: Catalog | None = None

    @property
    def cache_dir(self) -> Path:
        """Where the service caches its snapshots and indexes (``settings.model_dir``)."""
        return self.settings.model_dir

    def open(self) -> Catalog:
        """The catalog, opened on first use; a missing catalog raises ``CatalogError`` (a 503)."""
        with self.lock:
            if self._catalog is None:
                self._catalog = open_catalog(self.catalog_url, create=False)
            return self._catalog

    def close(self) -> None:
        """Close the catalog (the next request opens it again)."""
        with self.lock:
            if self._catalog is not None:
                self._catalog.close()
                self._catalog = None

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """``func(catalog, *args)`` under the lock, with the catalog opened if needed.

        sequelcast's own errors pass through (the app maps them to a status). Anything else is
        logged with its traceback and becomes a 500 "internal error", so no traceback reaches
        the client and the server logs it once.
        """
        with self.lock:
            try:
                return func(self.open(), *args)
            except (SequelcastError, ApiError):
                raise
            except Exception as exc:
                logger.exception("unexpected error in %s", getattr(func, "__name__", repr(func)))
                raise ApiError(500, INTERNAL_ERROR) from exc

    def forecast_function(self) -> Callable[..., Any] | None:
        """``service.forecast`` when this version of the service has it (looked up per request)."""
        func = getattr(service, "forecast", None)
        return func if callable(func) else None

    def has_forecast(self) -> bool:
        """Whether this version of :mod:`sequelcast.service` can forecast."""
        return self.forecast_function() is not None

    def today(self) -> date:
        """The date forecasts are made on without ``as_of``: ``settings.today``, else today."""
        return self.settings.forecast_date()

    def forecast(self, title_or_id: str, as_of: date | None) -> dict[str, Any]:
        """``service.forecast`` for one show; :class:`ApiError` 501 when the service has none."""
        func = self.forecast_function()
        if func is None:
            raise ApiError(501, "forecasting is not available in this version of sequelcast")
        return dict(self.call(partial(func, title_or_id=title_or_id, as_of=as_of, today=self.today(),
                                      cache_dir=self.cache_dir)))


def parse_as_of(value: str | None) -> date | None:
    """The ``as_of`` parameter as a date; a bad value is a 400 naming the parameter and the value.

    Examples
    --------
    >>> parse_as_of("2018-05-07")
    datetime.date(2018, 5, 7)
    >>> parse_as_of("") is None
    True
    """
    if value is None or not value.strip():
        return None
    try:
        return parse_date_option(value.strip(), "as_of")
    except ConfigError as exc:
        raise ApiError(400, str(exc), [{"loc": ["query", "as_of"], "msg": str(exc),
                                        "type": "date_parsing"}]) from None


def check_title(value: str, name: str) -> str:
    """``value`` stripped; a blank one is a 400 (the service would call it "no match")."""
    text = value.strip()
    if not text:
        message = f"{name}: type a title or a MAL id, e.g. 'Higehiro' or 40938"
        raise ApiError(400, message, [{"loc": ["query" if name == "q" else "path", name],
                                       "msg": message, "type": "blank"}])
    return text
