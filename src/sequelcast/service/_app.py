"""The :class:`Sequelcast` service object: one per process (API) or per command (CLI)."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sequelcast import __version__
from sequelcast.catalog import Reads, open_reads
from sequelcast.catalog._read import SqliteReads, sqlite_path
from sequelcast.domain import Anime
from sequelcast.errors import CatalogError, ModelError, NotFoundError
from sequelcast.service._cache import BoundedCache, disk_cached
from sequelcast.service._derive import (
    DEFAULT_MODEL,
    TITLE_INDEX,
    StoredView,
    View,
    entry_json,
    forecast_json,
    iso,
    write_past_view,
)
from sequelcast.settings import Settings

# What only some commands need is imported where it is used, so that a query about one show
# starts fast: scikit-learn (forecast), rapidfuzz (titles), the sources and httpx (build, fetch),
# SQLAlchemy (anything but the reads of one show from a SQLite file), the watchlist's xml.
if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    import httpx

    from sequelcast.catalog import Catalog
    from sequelcast.forecast import BacktestResult, Forecaster
    from sequelcast.resolve import Match, TitleIndex
    from sequelcast.service._build import BuildReport
    from sequelcast.service._reports import FetchReport

#: Default sizes of the bounded caches (docs/settings.md).
VIEW_CACHE_SIZE = 2
MODEL_CACHE_SIZE = 2
#: At most this many fitted models are kept on disk in ``settings.model_dir`` (oldest go first).
MODEL_FILES_KEPT = 6
#: At most this many files of past dates' derived tables are kept there (about 17 MB each on the
#: whole shared data).
VIEW_FILES_KEPT = 6


#: MAL ids are positive 32-bit integers (the catalog's INTEGER columns on both backends).
MAX_MAL_ID = 2**31 - 1


def parse_mal_id(text: str) -> int | None:
    """The MAL id ``text`` spells in decimal digits (``"40938"``, full-width ``"４０９３８"``), else ``None``.

    Digit-like characters that are not decimal digits (``"²"``, ``"①"``) are not an id: such text
    is a title. An id out of MAL's range raises :class:`NotFoundError` without asking the database
    (SQLite cannot bind integers of 2^63 or more, PostgreSQL's INTEGER stops at 2^31).

    >>> parse_mal_id("40938"), parse_mal_id("²"), parse_mal_id("Fate/Zero")
    (40938, None, None)
    """
    if not text.isdecimal():
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(MAX_MAL_ID)) or not 1 <= int(digits) <= MAX_MAL_ID:
        shown = text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"
        raise NotFoundError(
            f"MAL id {shown} is not in the catalog (MAL ids run from 1 to {MAX_MAL_ID})"
        )
    return int(digits)


@dataclass
class BacktestReport:
    result: BacktestResult
    summary: dict[str, Any]
    plot: Path | None


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else round(value, 4)
    return value


#: How much lower the child that derives past dates runs than the process that answers requests
#: (``nice``): its seconds of CPU then wait while a request wants the CPU.
CHILD_NICENESS = 10


def lower_priority() -> None:
    """Run this process (the child deriving past dates) at :data:`CHILD_NICENESS` below its parent."""
    import os

    os.nice(CHILD_NICENESS)


def _prune(directory: Path, pattern: str, keep: int) -> None:
    """Delete all but the ``keep`` newest files matching ``pattern`` (the disk budget)."""
    files = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)


class Sequelcast:
    """The catalog, the settings and the caches: every use case is a method.

    Parameters
    ----------
    settings : Settings
        ``settings.db`` is the catalog, ``settings.today`` the date used without ``as_of``,
        ``settings.model_dir`` where models fitted for past dates are kept.
    catalog : Catalog, optional
        An open catalog to use (it is not closed by :meth:`close`); default: opened from
        ``settings.db`` on first use.
    view_cache_size, model_cache_size : int
        How many past dates' derived facts and fitted models are kept in memory (least recently
        used go first). The catalog's own date is read from the derived tables, never cached.

    Notes
    -----
    Thread-safe: the caches compute each key once and never block readers of other keys; the
    reads of one show's answers (:attr:`reads`) use one connection per thread (a SQLite file, in
    WAL mode, through :mod:`sqlite3`; other databases through the engine's pool). Past dates
    are derived, and models fitted, one at a time (a semaphore), so that CPU-bound work never
    holds more than one thread's share of the GIL while reads are being answered.

    Examples
    --------
    >>> from datetime import date
    >>> svc = Sequelcast(Settings(db="sqlite:///:memory:", data=None, today=date(2020, 1, 1),
    ...                           model_dir=Path("models"), downloads=Path("downloads")))
    >>> svc.view_cache.size, svc.model_cache.size
    (2, 2)
    """

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog | None = None,
        *,
        view_cache_size: int = VIEW_CACHE_SIZE,
        model_cache_size: int = MODEL_CACHE_SIZE,
    ) -> None:
        self.settings = settings
        self._catalog = catalog
        self._reads: Reads | None = catalog
        self._owns_catalog = catalog is None
        self._open_lock = threading.Lock()
        self.view_cache: BoundedCache[StoredView] = BoundedCache(
            view_cache_size, lambda v: v.catalog.close()
        )
        self._pool: ProcessPoolExecutor | None = None
        self.model_cache: BoundedCache[Forecaster] = BoundedCache(model_cache_size)
        self.index_cache: BoundedCache[TitleIndex] = BoundedCache(1)
        self.docs_cache: BoundedCache[tuple[list[dict[str, Any]], dict[int, int]]] = BoundedCache(1)
        # past dates are derived (and models fitted) one at a time: several CPU-bound threads would
        # fight for the GIL and slow every other request; one leaves the readers their turn
        self._computing = threading.Semaphore(1)
        # the last build row, parsed (its counts are kilobytes of JSON): see last_build()
        self._last_build: tuple[tuple[int, datetime | None], dict[str, Any]] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        """The catalog, opened on first use (a missing catalog raises :class:`CatalogError`)."""
        if self._catalog is None:
            from sequelcast.catalog import open_catalog  # SQLAlchemy: not for the reads of one show

            with self._open_lock:
                if self._catalog is None:
                    self._catalog = open_catalog(self.settings.db, create=False)
        return self._catalog

    @property
    def reads(self) -> Reads:
        """The reads of one show's answers (:class:`~sequelcast.catalog.Reads`): those of the catalog
        given to this object, else of :func:`~sequelcast.catalog.open_reads` (a SQLite file is read
        through :mod:`sqlite3`, one connection per thread, without SQLAlchemy; another database
        through the catalog, when it is already open)."""
        if self._reads is None:
            with self._open_lock:
                if self._reads is None:
                    shared = self._catalog if sqlite_path(self.settings.db) is None else None
                    self._reads = shared or open_reads(self.settings.db)
        return self._reads

    def reads_in_process(self) -> bool:
        """Whether :attr:`reads` is open on a local SQLite file (:mod:`sqlite3`): a read of one row
        then takes microseconds and never waits on a network, so the API's ``/health`` makes it on
        the event loop instead of queueing for a thread."""
        return isinstance(self._reads, SqliteReads)

    def close(self) -> None:
        """Close the catalog if this object opened it (the next call opens it again), the files of
        past dates and the child process that derives them."""
        self.view_cache.clear()
        with self._open_lock:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
            if self._owns_catalog:
                for opened in {
                    id(x): x for x in (self._catalog, self._reads) if x is not None
                }.values():
                    opened.close()
                self._catalog = self._reads = None
            self._last_build = None

    def __enter__(self) -> Sequelcast:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def last_build(self) -> dict[str, Any] | None:
        """The catalog's newest build (:meth:`~sequelcast.catalog.Reads.last_build`), ``None``
        without one. Each call reads the build's id and end time (one short row, so a rebuild is
        seen at once) and parses the whole row again only when they changed: its ``counts`` are
        kilobytes of JSON, which every request parsed twice. The dict is shared: read it, never
        change it."""
        key = self.reads.last_build_key()
        if key is None:
            return None
        cached = self._last_build
        if cached is not None and cached[0] == key:
            return cached[1]
        build = self.reads.last_build()
        if build is not None:
            self._last_build = ((build["id"], build["finished_at"]), build)
        return build

    def _build(self) -> dict[str, Any]:
        build = self.last_build()
        if build is None:
            raise CatalogError("the catalog holds no build: run `sequelcast build` first")
        return build

    def build_key(self) -> str:
        """Identifies the catalog's last build (caches of another build are never read)."""
        build = self._build()
        stamp = build["finished_at"].isoformat() if build["finished_at"] else ""
        text = f"{__version__}|{self.reads.url}|{build['id']}|{stamp}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # -- the date, decided once ---------------------------------------------------------------

    def data_date(self) -> date:
        """The catalog's end of data (:func:`sequelcast.asof.end_of_data` of the last build)."""
        build = self._build()
        end = (build["counts"] or {}).get("end_of_data")
        if end:
            return date.fromisoformat(end)
        newest = self.catalog.newest_observation()  # a build of an older sequelcast
        if newest is None:
            raise CatalogError("the catalog is empty: run `sequelcast build` first")
        return newest

    def answer_date(self, as_of: date | None = None) -> date:
        """The date every answer is given as of: ``as_of``, else ``settings.today``, else the system
        date, but never after the catalog's end of data. Every surface calls this once."""
        return min(as_of or self.settings.forecast_date(), self.data_date())

    def _stored(self, when: date) -> bool:
        return when >= self.data_date()

    def view(self, when: date) -> View:
        """The derived facts as of ``when``: the catalog's tables for its own date; for a past date,
        a file of the same tables derived from the stored facts by a child process (so the CPU it
        takes never holds this process's GIL), kept in ``settings.model_dir`` and opened through
        the bounded cache."""
        if self._stored(when):
            return StoredView(self.reads)
        return self.view_cache.get((self.build_key(), when), lambda: self._past_view(when))

    def _past_view(self, when: date) -> StoredView:
        directory = self.settings.model_dir
        path = directory / f"asof-{self.build_key()}-{when.isoformat()}.db"
        if not path.exists():
            with self._computing:
                if not path.exists():
                    directory.mkdir(parents=True, exist_ok=True)
                    url = self.catalog.engine.url.render_as_string(hide_password=False)
                    self._child().submit(write_past_view, url, when, str(path)).result()
            _prune(directory, "asof-*.db", VIEW_FILES_KEPT)
        return StoredView(open_reads(f"sqlite:///{path}"))

    def _child(self) -> ProcessPoolExecutor:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with self._open_lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    1, mp_context=multiprocessing.get_context("spawn"), initializer=lower_priority
                )
            return self._pool

    # -- titles -------------------------------------------------------------------------------

    def title_index(self) -> TitleIndex:
        """The title index of the last build (stored by the build; rebuilt from the titles if not)."""
        return self.index_cache.get(self.build_key(), self._load_index)

    def _load_index(self) -> TitleIndex:
        from sequelcast.resolve import TitleIndex

        stored = self.reads.blob(TITLE_INDEX)
        if stored is not None and stored[0] == __version__:
            try:
                index: TitleIndex = pickle.loads(stored[1])
                return index
            except Exception:  # written by other code: rebuild it
                pass
        popularity, types = self.catalog.popularity_and_types()
        members, counts = self.catalog.franchise_memberships()
        return TitleIndex(
            self.catalog.titles(),
            popularity=popularity,
            types=types,
            seasons=self.catalog.season_numbers(),
            franchises=members,
            season_counts=counts,
        )

    def resolve(self, query: str, limit: int = 10) -> list[Match]:
        """Ranked candidates for a title query (an empty list when nothing comes close)."""
        return self.title_index().search(query, limit=limit)

    def find_mal_id(self, title_or_id: str) -> int:
        """A MAL id from a MAL id or a title; :class:`ResolveError` (with candidates) when unsure."""
        text = title_or_id.strip()
        mal_id = parse_mal_id(text)
        if mal_id is not None:
            if self.reads.get_anime(mal_id) is None:
                raise NotFoundError(f"MAL id {mal_id} is not in the catalog")
            return mal_id
        stored = self.stored_answer(text)
        if stored is not None:
            return stored
        from sequelcast.resolve import resolve_one

        return resolve_one(self.title_index(), text).mal_id

    def stored_answer(self, text: str) -> int | None:
        """The resolver's answer the build stored for a query (a catalog title typed out, or an ASCII
        query parsed like one), read without loading the title index; ``None``: ask the resolver."""
        from sequelcast.resolve.answers import exact_key, parsed_key

        stored, mal_id = self.reads.title_answer(exact_key(text))
        if stored or not text.isascii():
            return mal_id
        from sequelcast.resolve import parse_title

        return self.reads.title_answer(parsed_key(parse_title(text)))[1]

    def _franchise_id(self, view: View, title_or_id: str, when: date) -> tuple[int, str]:
        """The MAL id a title means and its franchise (:func:`~sequelcast.resolve.resolve_one`
        already accepts a title matching only entries of one franchise, e.g. "kaguya-sama")."""
        mal_id = self.find_mal_id(title_or_id)
        fid = view.franchise_id(mal_id)
        if fid is None:
            known = view.entry(mal_id) is not None
            raise NotFoundError(
                f"MAL id {mal_id} belongs to no franchise"
                if known
                else f"MAL id {mal_id} was not known on {when}"
            )
        return mal_id, fid

    def franchise_docs(self) -> tuple[list[dict[str, Any]], dict[int, int]]:
        """Every stored franchise (JSON of ``sequelcast franchise --json``) and MAL id -> members, as
        of the catalog's date (read once per build)."""

        def load() -> tuple[list[dict[str, Any]], dict[int, int]]:
            return self.catalog.franchise_docs(), self.catalog.popularity_and_types()[0]

        return self.docs_cache.get(self.build_key(), load)

    def franchise_title_of(self, mal_id: int) -> tuple[str, str] | None:
        """``(franchise id, franchise title)`` of an entry as of the catalog's date, ``None`` if none."""
        view = self.view(self.answer_date())
        fid = view.franchise_id(mal_id)
        doc = view.franchise(fid) if fid else None
        return (fid, str(doc["title"])) if fid and doc else None

    # -- franchises and fact sheets -------------------------------------------------------------

    def franchise(self, title_or_id: str, as_of: date | None = None) -> dict[str, Any]:
        """The franchise of a title or MAL id as known on :meth:`answer_date` (``sequelcast franchise --json``)."""
        return self._franchise_doc(title_or_id, self.answer_date(as_of))

    def _franchise_doc(self, title_or_id: str, when: date) -> dict[str, Any]:
        """The stored JSON of the franchise a title or MAL id belongs to, as known on ``when``."""
        view = self.view(when)
        _, fid = self._franchise_id(view, title_or_id, when)
        doc = view.franchise(fid)
        if doc is None:
            raise CatalogError(f"franchise {fid} is missing from the catalog: rebuild it")
        return doc

    def fact_sheet(self, title_or_id: str, as_of: date | None = None) -> dict[str, Any]:
        """Everything a "Season 2 release date" article tabulates, for one show, as known on :meth:`answer_date`."""
        when = self.answer_date(as_of)
        mal_id = self.find_mal_id(title_or_id)
        view = self.view(when)
        entry: Anime | None = view.entry(mal_id)
        if entry is None:
            raise NotFoundError(f"MAL id {mal_id} was not known on {when}")
        fid, next_after, peers = view.about(mal_id)
        sheet = entry_json(entry)
        sheet["as_of"] = iso(when)
        sheet["page"] = self.reads.page_facts(
            mal_id, when
        )  # poster URL and synopsis, with their source
        sheet["peers"] = peers
        fr = view.franchise(fid) if fid else None
        if fr is not None:
            sheet["franchise"] = {k: fr[k] for k in ("id", "title", "seasons", "others")}
            # one rule for every surface: the franchise's latest season and its next-season status
            sheet["next_season"] = fr["next_season"]
        else:
            sheet["franchise"] = None
            sheet["next_season"] = None
        return sheet

    # -- forecasts ----------------------------------------------------------------------------

    def _forecast_stored(self, when: date, model: str) -> bool:
        info = (self._build()["counts"] or {}).get("forecast") or {}
        return self._stored(when) and model == DEFAULT_MODEL and info.get("fitted") is True

    def forecaster(self, when: date, model: str = DEFAULT_MODEL) -> Forecaster:
        """The model fitted on what the catalog knew on ``when`` (kept in memory and on disk)."""
        key = f"forecaster-{self.build_key()}-{when.isoformat()}-{model}"
        return self.model_cache.get(key, lambda: self._fit(when, model, key))

    def _fit(self, when: date, model: str, key: str) -> Forecaster:
        from sequelcast.forecast import Forecaster, inputs_from_snapshot
        from sequelcast.franchise import build_franchises

        def fit() -> Forecaster:
            snap = self.catalog.snapshot(when)
            try:
                return Forecaster(model=model, random_state=0).fit(
                    inputs_from_snapshot(snap, build_franchises(snap)), when
                )
            except (ValueError, ModelError) as exc:  # too little data: say on which date
                why = str(exc).removeprefix("forecast: ")
                raise ModelError(
                    f"forecast: the model could not be fitted on {when}: {why}"
                ) from exc

        directory = self.settings.model_dir
        with self._computing:
            fitted: Forecaster = disk_cached(directory / f"{key}.pickle", fit)
        _prune(directory, "forecaster-*.pickle", MODEL_FILES_KEPT)
        return fitted

    def _waiting(self, fid: str, when: date, model: str) -> dict[str, Any] | None:
        """The forecast of a franchise, ``None`` when it is not waiting for a next season."""
        if self._forecast_stored(when, model):
            return self.reads.stored_forecast(fid)
        fc = self.forecaster(when, model)
        if fid not in set(fc.at_risk()["franchise_id"]):
            return None
        (show,) = fc.predict([fid])
        return forecast_json(show)

    def forecast(
        self, title_or_id: str, as_of: date | None = None, model: str = DEFAULT_MODEL
    ) -> dict[str, Any]:
        """Will this show get a next season, and when? (``status`` tells when the question is moot.)"""
        when = self.answer_date(as_of)
        fr = self._franchise_doc(title_or_id, when)
        fid = fr["id"]
        base = {
            "franchise": {"id": fr["id"], "title": fr["title"]},
            "as_of": when.isoformat(),
            "next_season": fr["next_season"],
        }
        if fr["next_season"]["status"] != "none":
            return {
                **base,
                "status": "announced",
                "forecast": None,
                "message": _announced_message(fr["title"], fr["next_season"]),
            }
        show = self._waiting(fid, when, model)
        if show is None:
            return {
                **base,
                "status": "not_waiting",
                "forecast": None,
                "message": f"{fr['title']}: no forecast on {when}: {_not_waiting_reason(fr, when)}",
            }
        return {**base, "status": "waiting", "forecast": show, "message": None}

    def forecast_every(
        self, as_of: date | None = None, model: str = DEFAULT_MODEL
    ) -> list[dict[str, Any]]:
        """A forecast for every show waiting for a next season (``forecast --all``)."""
        when = self.answer_date(as_of)
        if self._forecast_stored(when, model):
            return self.catalog.stored_forecasts()
        return [forecast_json(f) for f in self.forecaster(when, model).predict(detail=False)]

    def backtest(
        self, as_of: date, horizons: Sequence[float] = (1, 2, 3, 5), out_dir: Path | None = None
    ) -> BacktestReport:
        """Train on what was known on ``as_of``, forecast every show waiting then, score against the
        newest data (censored at the catalog's end of data). With ``out_dir`` the reliability plot
        is saved there as ``reliability-<as_of>.png``."""
        from sequelcast.forecast import inputs_from_snapshot, run_backtest
        from sequelcast.franchise import build_franchises

        newest = self.data_date()
        if as_of >= newest:
            raise ModelError(
                f"backtest: --as-of {as_of} leaves no future to score against "
                f"(the newest data is from {newest})"
            )
        past = self.catalog.snapshot(as_of)
        past_inputs = inputs_from_snapshot(past, build_franchises(past))
        full = self.catalog.snapshot(newest)
        full_inputs = inputs_from_snapshot(full, build_franchises(full))
        result = run_backtest(past_inputs, full_inputs, as_of, newest, horizons)
        plot = None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            plot = result.plot_reliability(out_dir / f"reliability-{as_of.isoformat()}.png")
        table = result.summary()
        summary = {
            "as_of": as_of.isoformat(),
            "outcome_date": newest.isoformat(),
            "horizons": list(result.horizons),
            "selected": result.selected,
            "n_train": result.n_train,
            "n_train_events": result.n_train_events,
            "n_at_risk": len(result.outcomes),
            "n_announced_after": int(result.outcomes["event"].sum()),
            "n_waiting": result.n_waiting,
            "coverage": _clean(result.coverage),
            "n_airing": result.n_airing,
            "n_estimated": result.n_estimated,
            "models": {
                name: {k: _clean(v) for k, v in row.items()} for name, row in table.iterrows()
            },
            "n_unmatched": result.n_unmatched,
            "n_early": result.n_early,
            "plot": str(plot) if plot else None,
        }
        return BacktestReport(result, summary, plot)

    # -- building and fetching ----------------------------------------------------------------

    def build(
        self,
        data_dir: Path | Sequence[Path],
        as_of: date | None = None,
        progress: Callable[..., None] | None = None,
        *,
        forecasts: bool = True,
        allow_missing: Collection[str] = (),
    ) -> BuildReport:
        """Rebuild the catalog (created if needed) with its derived tables; see :func:`build_catalog`."""
        from sequelcast.catalog import open_catalog
        from sequelcast.service._build import build_catalog

        if self._catalog is None:
            with self._open_lock:
                if self._catalog is None:
                    self._catalog = open_catalog(self.settings.db, create=True)
        report = build_catalog(
            self.catalog,
            data_dir,
            as_of,
            progress,
            forecasts=forecasts,
            allow_missing=allow_missing,
        )
        self.view_cache.clear()
        self.model_cache.clear()
        self.index_cache.clear()
        self.docs_cache.clear()
        return report

    def fetch_jikan_season(
        self,
        year: int,
        season: str,
        *,
        out: Path | None = None,
        client: httpx.Client | None = None,
        when: date | None = None,
    ) -> FetchReport:
        """Every anime of one season from Jikan, saved under the downloads (stamped with the real date)."""
        from sequelcast.service import _fetch

        return _fetch.fetch_jikan_season(
            out or self.settings.downloads, year, season, when=when or date.today(), client=client
        )

    def fetch_jikan_anime(
        self,
        mal_ids: list[int],
        *,
        out: Path | None = None,
        client: httpx.Client | None = None,
        when: date | None = None,
    ) -> FetchReport:
        """Full Jikan entries for some MAL ids, saved under the downloads."""
        from sequelcast.service import _fetch

        return _fetch.fetch_jikan_anime(
            out or self.settings.downloads, mal_ids, when=when or date.today(), client=client
        )

    def fetch_anilist(
        self,
        mal_ids: list[int],
        *,
        out: Path | None = None,
        client: httpx.Client | None = None,
        when: date | None = None,
    ) -> FetchReport:
        """AniList media for some MAL ids, saved under the downloads."""
        from sequelcast.service import _fetch

        return _fetch.fetch_anilist(
            out or self.settings.downloads, mal_ids, when=when or date.today(), client=client
        )

    def fetch_offline_db(
        self, *, out: Path | None = None, client: httpx.Client | None = None
    ) -> FetchReport:
        """The latest anime-offline-database release, saved under the downloads."""
        from sequelcast.service import _fetch

        return _fetch.fetch_offline_db(out or self.settings.downloads, client=client)

    # -- watchlist ----------------------------------------------------------------------------

    def _watched(self, mal_id: int) -> dict[str, Any]:
        view = StoredView(self.catalog)
        fid = view.franchise_id(mal_id)
        doc = view.franchise(fid) if fid else None
        if doc is None:
            raise NotFoundError(f"MAL id {mal_id} belongs to no franchise in the catalog")
        return doc

    def watch_add(self, title_or_id: str) -> dict[str, Any]:
        """Put a show on the watchlist with its next-season status in the catalog; returns the row."""
        mal_id = self.find_mal_id(title_or_id)
        from sequelcast.service import _watch  # xml and urllib: not for a read

        return _watch.add(
            self.catalog, mal_id, self._watched(mal_id), self.settings.forecast_date()
        )

    def watch_remove(self, title_or_id: str) -> int:
        """Take a show off the watchlist (by MAL id or title); returns its MAL id."""
        text = title_or_id.strip()
        parsed = parse_mal_id(text)
        mal_id = parsed if parsed is not None else self.find_mal_id(text)
        if not self.catalog.unwatch(mal_id):
            raise NotFoundError(f"MAL id {mal_id} is not on the watchlist")
        return mal_id

    def watch_list(self) -> list[dict[str, Any]]:
        """The watched shows and their status at the last check."""
        return self.catalog.watched()

    def watch_check(
        self, notify: Callable[[list[dict[str, Any]]], object] | None = None
    ) -> list[dict[str, Any]]:
        """Compare every watched show's next-season status with the last check; store and return changes.

        ``notify(events)`` (the webhook) runs before the check is stored; if it raises, nothing is.
        """
        from sequelcast.service import _watch  # xml and urllib: not for a read

        return _watch.check(
            self.catalog, self._watched, self.settings.forecast_date(), notify=notify
        )

    def watch_feed(self, base_url: str = "https://sequelcast.invalid/") -> str:
        """An Atom feed of the watchlist's events, newest first."""
        from sequelcast.service import _watch  # xml and urllib: not for a read

        return _watch.feed(self.catalog.watch_events(), base_url)


def _not_waiting_reason(fr: dict[str, Any], when: date) -> str:
    """Why a franchise whose next season is not announced still gets no forecast on ``when``."""
    if not fr["seasons"]:
        return "it has no main-line TV season (only movies, OVAs, specials...)"
    return "its latest TV season has no start date or broadcast year to place it in time"


def _announced_message(title: str, nxt: dict[str, Any]) -> str:
    """Name the announced entry and its dates (the refusal must show what was announced)."""
    entry = nxt.get("title") or "a next season"
    if nxt.get("mal_id") is not None:
        entry += f" (MAL {nxt['mal_id']})"
    dates = []
    if nxt.get("first_seen"):
        dates.append(f"first seen {nxt['first_seen']}")
    dates.append(f"airs {nxt['expected']}" if nxt.get("expected") else "air date TBA")
    return f"{title}: the next season is already announced: {entry}, {', '.join(dates)}"
