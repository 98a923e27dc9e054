"""Building the catalog, and the stored entry."""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from sequelcast.asof import admit, assemble, end_of_data
from sequelcast.catalog import Catalog
from sequelcast.catalog.lock import build_lock
from sequelcast.domain import Batch, Snapshot, TitleRecord, merge_batches
from sequelcast.errors import ModelError
from sequelcast.franchise import FranchiseGraph, build_franchises
from sequelcast.resolve.answers import TitleInputs, index_and_answers
from sequelcast.service._derive import (
    DEFAULT_MODEL,
    TITLE_INDEX,
    derive,
    evidence_json,
    forecast_json,
)
from sequelcast.sources import (
    DATA_SOURCES,
    FileSource,
    load_batches,
)
from sequelcast.sources.manifest import check_manifest, previous_counts, source_counts

if TYPE_CHECKING:
    from sequelcast.forecast import ForecastInputs

_T = TypeVar("_T")
#: What a build's jobs add to its write at the end: rows of derived tables, counts, blobs
_Late = tuple[dict[str, list[dict[str, Any]]], dict[str, Any], dict[str, bytes]]

#: Sources with at least this many records are built with the title index in a process of its
#: own (see :func:`build_catalog`); the real data has about 740,000.
PROCESS_MIN_RECORDS = 50_000


@dataclass
class BuildReport:
    build_id: int
    data_dir: str
    as_of: date | None
    files: int
    counts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    accepted_missing: list[str] = field(default_factory=list)
    #: wall seconds of each phase: parse, as-of, franchises, derived, title answers, forecast
    #: (the fit, on its own thread), forecast wait (what the build waited for it after the rest), write
    phases: dict[str, float] = field(default_factory=dict)


def build_catalog(
    catalog: Catalog,
    data_dir: Path | Sequence[Path],
    as_of: date | None = None,
    progress: Callable[[FileSource, Path, int, int], None] | None = None,
    *,
    forecasts: bool = True,
    allow_missing: Collection[str] = (),
    processes: bool | None = None,
) -> BuildReport:
    """Rebuild ``catalog`` from every source file below ``data_dir``, keeping only facts known on ``as_of``.

    Every file is read and parsed, and everything derived from it (franchises, per-entry facts,
    the title index and, with ``forecasts``, the forecast of every waiting show, fitted here) is
    computed before anything is written; the write is one transaction. So an unreadable file
    (:class:`~sequelcast.errors.SourceFileError`) leaves the catalog as it was, and running the
    same build twice gives the same catalog. Everything is derived as of the end of data
    (:func:`~sequelcast.asof.end_of_data`), the date queries without ``as_of`` answer for.

    A source that the previous build read and that is now missing, or whose record count fell
    sharply, stops the build (:class:`~sequelcast.errors.BuildRefusedError`, see
    :mod:`sequelcast.sources.manifest`) unless it is named in ``allow_missing``. Two builds of one
    catalog never overlap: the second stops with :class:`~sequelcast.errors.BuildLockedError`
    (see :mod:`sequelcast.catalog.lock`).

    The forecast stage runs on a thread beside the build. The title index with its answers runs
    in a Python process of its own (:mod:`sequelcast._worker`) when ``processes`` is true or, by
    default, when the sources hold at least :data:`PROCESS_MIN_RECORDS` records (below that,
    starting a process costs more than it saves); otherwise on a thread too. If that process
    fails, the job is run again on a thread, with a warning.
    """
    with build_lock(catalog), without_cyclic_gc():
        return _build(catalog, data_dir, as_of, progress, allow_missing, forecasts, processes)


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector for the block (it is switched back on after, if it was on).

    A build allocates millions of objects that live until its end (records, facts, entries), and
    the collector re-scans them again and again while they are made: about a third of the CPU
    time of parsing and deriving (measured on the real data: 13.5 s of CPU with it, 9.2 s
    without). The build makes little cyclic garbage (2,271 objects found by a full run), and
    reference counting still frees everything else, so memory does not grow.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _build(
    catalog: Catalog,
    data_dir: Path | Sequence[Path],
    as_of: date | None,
    progress: Callable[[FileSource, Path, int, int], None] | None,
    allow_missing: Collection[str],
    forecasts: bool,
    processes: bool | None,
) -> BuildReport:
    t0 = time.perf_counter()
    phases = _Phases()
    with phases("parse"):
        batches = load_batches(data_dir, progress)
    if processes is None:
        processes = sum(len(b) for b in batches) >= PROCESS_MIN_RECORDS
    with _Workers(processes) as workers:
        return _build_parsed(
            catalog, batches, data_dir, as_of, allow_missing, forecasts, workers, phases, t0
        )


def _build_parsed(
    catalog: Catalog,
    batches: list[Batch],
    data_dir: Path | Sequence[Path],
    as_of: date | None,
    allow_missing: Collection[str],
    forecasts: bool,
    workers: _Workers,
    phases: _Phases,
    t0: float,
) -> BuildReport:
    started = datetime.now()
    per_source = source_counts(batches)
    last = catalog.last_build()
    previous = previous_counts(
        last["counts"] if last else None, ((s.name, s.pattern) for s in DATA_SOURCES)
    )
    accepted = check_manifest(previous, per_source, allow_missing)
    where = str(data_dir) if isinstance(data_dir, (str, Path)) else ", ".join(map(str, data_dir))
    with phases("as-of"):
        merged = merge_batches(batches, source="all", location=where)
        admitted = admit(merged, as_of)
        end = end_of_data(admitted)
        snap = assemble(admitted, end or as_of)
    counts = _counts(batches, merged, admitted, snap, per_source, accepted)
    files = len(batches)
    del merged, batches  # the admitted batch holds every record the write needs
    with phases("franchises"):
        graph = build_franchises(snap)
    counts["franchises"] = len(graph)
    counts["end_of_data"] = end.isoformat() if end else None
    # Three jobs at once: the forecast stage on a thread, the title index with its answers in a
    # process of its own (see _Workers), and the derived rows and the write here. The write
    # takes the rows of both jobs last, inside its transaction, so that they overlap it. The
    # forecast package is imported here, not on the thread, where an import waits for the GIL
    # behind the build's work (7 s measured on 2 cores).
    fitted = None
    if forecasts and end:
        from sequelcast.forecast import inputs_from_snapshot

        fitted = workers.start("forecast", _forecasts, inputs_from_snapshot(snap, graph), end)
    titles = workers.start("title index", index_and_answers, _title_inputs(snap, graph))
    with phases("derived"):
        links, members = _franchise_rows(graph)
        derived = derive(snap, graph).rows()

    def late_rows() -> _Late:
        with phases("title index wait"):
            (index_blob, answers), counts["title_index"] = titles.result()
        with phases("forecast wait"):
            (rows, info), job = (
                fitted.result()
                if fitted is not None
                else (([], {"fitted": False, "error": "not asked"}), {})
            )
        counts["forecast"] = info | ({"job": job} if job else {})
        return (
            {"title_answers": answers, "forecasts": rows},
            {"forecast": counts["forecast"], "title_index": counts["title_index"]},
            {TITLE_INDEX: index_blob},
        )

    with phases("write"):
        build_id = catalog.replace(
            admitted,
            snap,
            data_dir=where,
            as_of=as_of,
            started_at=started,
            counts=counts,
            franchise_links=links,
            franchise_members=members,
            derived=derived,
            pending=late_rows,
        )
    phases.seconds["forecast"] = counts["forecast"].get("seconds", 0.0)
    # the write's own time, without what it waited for the two jobs (late_rows)
    phases.seconds["write"] -= phases.seconds["title index wait"] + phases.seconds["forecast wait"]
    return BuildReport(
        build_id, where, as_of, files, counts, time.perf_counter() - t0, accepted, phases.seconds
    )


class _Phases:
    """Wall seconds of each named phase of a build (for ``benchmarks/build.py``; not stored)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t


def _counts(
    batches: Sequence[Batch],
    merged: Batch,
    admitted: Batch,
    snap: Snapshot,
    per_source: Mapping[str, Any],
    accepted: list[str],
) -> dict[str, Any]:
    """The record counts a build stores (and compares with the next build's, see the manifest)."""
    return {
        "files": len(batches),
        "entries": len(snap.entries),
        "facts": len(admitted.facts),
        "facts_left_out_as_of": len(merged.facts) - len(admitted.facts),
        "id_links": len(admitted.id_links),
        "tvdb_mappings": len(admitted.tvdb_mappings),
        "first_seen": len(admitted.first_seen),
        "relations": len(admitted.relations),
        "collection_members": len(admitted.collection_members),
        "rejects": len(admitted.rejects),
        "skipped": admitted.skipped,
        "per_file": {
            b.location: {"records": len(b), "rejects": len(b.rejects), "skipped": b.skipped}
            for b in batches
        },
        "per_source": {k: v.json() for k, v in per_source.items()},
        "accepted_missing": accepted,
    }


def _title_inputs(snap: Snapshot, graph: FranchiseGraph) -> TitleInputs:
    entries = snap.entries.values()
    return TitleInputs(
        [TitleRecord(a.mal_id, t, kind) for a in entries for kind, t in a.all_titles()],
        popularity={a.mal_id: a.members or 0 for a in entries},
        types={a.mal_id: a.type or "Unknown" for a in entries},
        seasons=graph.season_numbers(),
        franchises={m: fr.id for fr in graph for m in fr.mal_ids},
        season_counts={fr.id: max(s.number for s in fr.seasons) for fr in graph if fr.seasons},
    )


class _ProcessFailed(Exception):
    pass


class _Process:
    """A new Python process (:mod:`sequelcast._worker`) that imports ``preload`` at once and then
    runs one function, its arguments and result pickled through its pipes."""

    def __init__(self, preload: Sequence[str]) -> None:
        here = str(Path(__file__).resolve().parents[2])  # the sequelcast the build runs
        run = (
            f"import sys; sys.path.insert(0, {here!r}); from sequelcast._worker import main; main()"
        )
        self._popen = subprocess.Popen(
            [sys.executable, "-c", run, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def run(self, fn: Callable[..., _T], args: tuple[Any, ...]) -> tuple[_T, int | None]:
        """``fn(*args)`` in the process, and the process's peak memory in bytes."""
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            out, err = self._popen.communicate(payload)
        except OSError as exc:  # the process died before it read its job
            self.close()
            raise _ProcessFailed(str(exc)) from exc
        if self._popen.returncode != 0:
            why = err.decode(errors="replace").strip().splitlines()[-1:]
            raise _ProcessFailed(why[0] if why else f"exit status {self._popen.returncode}")
        result: tuple[_T, int | None] = pickle.loads(out)
        return result

    def close(self) -> None:
        if self._popen.poll() is None:
            self._popen.kill()
        self._popen.communicate()


class _Workers:
    """Where a build runs its jobs beside its own work: the title index in a process of its own
    (:class:`_Process`, started here, before the build derives anything, so that its imports
    overlap the build's work) or, without ``processes``, on a thread; the forecast stage on a
    thread. The forecast in a process was measured too (2026-12-01, real data): its inputs (every
    entry and its history) and the fit took 870 MB in that process, and the build's processes
    together peaked at 1,853 MB, over the 1.5 GB budget; on a thread they share the build's
    memory (1,416 MB together with the title process).
    """

    _PRELOAD = {"title index": ("sequelcast.resolve.answers", "sequelcast.resolve.candidates")}

    def __init__(self, processes: bool) -> None:
        self._procs: dict[str, _Process] = {}
        # an embedded interpreter may have no executable to start (sys.executable is empty)
        for name, preload in self._PRELOAD.items() if processes and sys.executable else ():
            try:
                self._procs[name] = _Process(preload)
            except OSError as exc:
                warnings.warn(f"the {name} runs on a thread: {exc}", stacklevel=2)

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs.values():  # jobs never started (the build stopped before)
            proc.close()

    def start(
        self, name: str, fn: Callable[..., _T], *args: Any
    ) -> _Job[tuple[_T, dict[str, Any]]]:
        """``fn(*args)`` in the job's process, or on a thread; :meth:`_Job.result` gives its result
        and where and how it ran (``where``, ``seconds``, and for a process its ``peak_mb``)."""
        return _Job.start(_run, name, self._procs.pop(name, None), fn, args)


def _run(
    name: str, proc: _Process | None, fn: Callable[..., _T], args: tuple[Any, ...]
) -> tuple[_T, dict[str, Any]]:
    t0 = time.perf_counter()
    info: dict[str, Any] = {"where": "thread"}
    if proc is not None:
        try:
            result, peak = proc.run(fn, args)
        except _ProcessFailed as exc:
            warnings.warn(
                f"the {name} ran again on a thread: its process failed: {exc}", stacklevel=1
            )
            info["process_failed"] = str(exc)
        else:
            peak_mb = round(peak / 2**20) if peak else None
            return result, {"where": "process", "peak_mb": peak_mb} | _seconds(t0)
    return fn(*args), info | _seconds(t0)


def _seconds(t0: float) -> dict[str, float]:
    return {"seconds": round(time.perf_counter() - t0, 1)}


class _Job(Generic[_T]):
    """``fn(*args)`` computed on a thread beside the caller; :meth:`result` waits for it.

    Native code (the model fit) and waiting for a child process release the GIL, so a job
    overlaps the caller's work. The thread is a daemon: an interrupted build does not wait for
    its jobs before the process exits. Forked child processes were tried and dropped: a fork
    copies the calling thread only, and a child of a process whose OpenMP pool had run (a test
    runner, a server that forecast before) deadlocked on the pool's lock.
    """

    def __init__(self, fn: Callable[..., _T], args: tuple[Any, ...]) -> None:
        self._fn, self._args = fn, args
        self._box: list[tuple[bool, Any]] = []
        name = f"sequelcast-{fn.__name__.strip('_')}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @classmethod
    def start(cls, fn: Callable[..., _T], *args: Any) -> _Job[_T]:
        job = cls(fn, args)
        job._thread.start()
        return job

    def _run(self) -> None:
        try:
            self._box.append((True, self._fn(*self._args)))
        except BaseException as exc:  # re-raised by result(), in the caller's thread
            self._box.append((False, exc))

    def result(self) -> _T:
        """The job's result, or its exception raised here."""
        self._thread.join()
        ok, value = self._box[0]
        if not ok:
            raise value
        return cast(_T, value)


def _forecasts(inputs: ForecastInputs, when: date) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The forecast of every show waiting on ``when``, with the model fitted here; or why there is none."""
    from sequelcast.forecast import Forecaster

    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(
            record=True
        ) as caught:  # kept in the build's counts, not printed
            warnings.simplefilter("always")
            fc = Forecaster(model=DEFAULT_MODEL, random_state=0).fit(inputs, when)
            shows = fc.predict()
    except (ModelError, ValueError) as exc:  # too little data to fit (scikit-learn says ValueError)
        return [], {"fitted": False, "error": f"the forecast model could not be fitted: {exc}"}
    rows = [
        {
            "franchise_id": s.franchise_id,
            "position": i,
            "mal_id": s.mal_id,
            "as_of": when,
            "model": DEFAULT_MODEL,
            "doc": forecast_json(s),
        }
        for i, s in enumerate(shows)
    ]
    info = {
        "fitted": True,
        "as_of": when.isoformat(),
        "model": fc.model_name_,
        "waiting": len(rows),
        "seconds": round(time.perf_counter() - t0, 1),
        "warnings": sorted({str(w.message) for w in caught}),
    }
    return rows, info


def _franchise_rows(graph: FranchiseGraph) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    links = [
        {
            "kind": x.kind,
            "from_mal_id": x.from_mal_id,
            "from_anidb_id": x.from_anidb_id,
            "to_mal_id": x.to_mal_id,
            "to_anidb_id": x.to_anidb_id,
            "rank": x.rank,
            "accepted": int(x.accepted),
            "note": x.note,
            "evidence": evidence_json(x.evidence),
            "observed_at": max((e.observed_at for e in x.evidence if e.observed_at), default=None),
        }
        for x in graph.links
    ]
    members: list[tuple[Any, ...]] = []
    for fr in graph:
        members += [
            (fr.id, "season", x.mal_id, x.anidb_id, x.number, x.part, x.title) for x in fr.seasons
        ]
        members += [(fr.id, "other", x.mal_id, x.anidb_id, None, None, x.title) for x in fr.others]
    return links, members
