"""Building the catalog, and the stored entry."""

from __future__ import annotations

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
from typing import Any, Generic, TypeVar, cast

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

_T = TypeVar("_T")

#: A catalog with at least this many entries builds its title index in a process of its own (see
#: :func:`build_catalog`); the real data has about 30,000.
TITLE_PROCESS_MIN_ENTRIES = 5_000


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
    title_process: bool | None = None,
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

    The title index and its answers are computed in a separate Python process when
    ``title_process`` is true, or, by default, when the catalog has at least
    :data:`TITLE_PROCESS_MIN_ENTRIES` entries (below that, starting a process costs more than it
    saves); otherwise on a thread.
    """
    with build_lock(catalog):
        return _build(catalog, data_dir, as_of, progress, allow_missing, forecasts, title_process)


def _build(
    catalog: Catalog,
    data_dir: Path | Sequence[Path],
    as_of: date | None,
    progress: Callable[[FileSource, Path, int, int], None] | None,
    allow_missing: Collection[str],
    forecasts: bool,
    title_process: bool | None,
) -> BuildReport:
    t0 = time.perf_counter()
    phases = _Phases()
    started = datetime.now()
    with phases("parse"):
        batches = load_batches(data_dir, progress)
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
    # Three jobs at once: the forecast fit on a thread (see _Job), the title index with its
    # answers in a process of its own (or on a thread, for a small catalog), the derived rows
    # and the write here. The write takes the forecasts last, inside its transaction, so the
    # fit overlaps the write.
    if forecasts and end:
        # imported here, not on the thread: an import there waits for the GIL behind the
        # build's own work (7 s measured on 2 cores)
        import sequelcast.forecast  # noqa: F401
    fitted = _Job.start(_forecasts, snap, graph, end) if forecasts and end else None
    if title_process is None:
        title_process = len(snap.entries) >= TITLE_PROCESS_MIN_ENTRIES
    titles = _Job.start(_titles, _title_inputs(snap, graph), title_process)
    with phases("derived"):
        links, members = _franchise_rows(graph)
        derived = derive(snap, graph).rows()
    with phases("title index wait"):
        index_blob, derived["title_answers"], counts["title_index"] = titles.result()
        blobs = {TITLE_INDEX: index_blob}
        del titles, index_blob

    def forecast_rows() -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
        with phases("forecast wait"):
            rows, info = (
                fitted.result()
                if fitted is not None
                else ([], {"fitted": False, "error": "not asked"})
            )
        counts["forecast"] = info
        return {"forecasts": rows}, {"forecast": info}

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
            blobs=blobs,
            pending=forecast_rows,
        )
    phases.seconds["forecast"] = counts["forecast"].get("seconds", 0.0)
    phases.seconds["write"] -= phases.seconds.get("forecast wait", 0.0)
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


_TitleJob = tuple[bytes, list[dict[str, Any]], dict[str, Any]]


def _titles(inputs: TitleInputs, in_process: bool) -> _TitleJob:
    """:func:`index_and_answers` of ``inputs``, and where and how it ran (stored in the build's
    counts as ``title_index``: ``where``, ``seconds`` and, for a process, its ``peak_mb``)."""
    t0 = time.perf_counter()
    info: dict[str, Any] = {"where": "thread"}
    if in_process:
        try:
            blob, answers, info = _titles_in_process(inputs)
        except _ProcessFailed as exc:
            warnings.warn(f"title index built in the build's process: {exc}", stacklevel=1)
            info = {"where": "thread", "process_failed": str(exc)}
        else:
            return blob, answers, info | {"seconds": round(time.perf_counter() - t0, 1)}
    blob, answers = index_and_answers(inputs)
    return blob, answers, info | {"seconds": round(time.perf_counter() - t0, 1)}


class _ProcessFailed(Exception):
    pass


def _titles_in_process(inputs: TitleInputs) -> _TitleJob:
    """:func:`index_and_answers` in a new Python process (:func:`sequelcast._title_process.main`,
    inputs and result pickled through its pipes), so that it runs on another core than the build,
    which holds the GIL for most of its work. A new process, not a fork: a fork copies only the
    calling thread, and a child of a process whose OpenMP pool or other threads held a lock could
    deadlock on it. :class:`_ProcessFailed` says why the process could not do it."""
    payload = pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)
    here = str(Path(__file__).resolve().parents[2])  # the sequelcast the build runs, not another
    run = f"import sys; sys.path.insert(0, {here!r}); from sequelcast._title_process import main"
    try:
        done = subprocess.run(
            [sys.executable, "-c", run + "; main()"],
            input=payload,
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise _ProcessFailed(str(exc)) from exc
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise _ProcessFailed(why[0] if why else f"exit status {done.returncode}")
    (blob, answers), peak = pickle.loads(done.stdout)
    return blob, answers, {"where": "process", "peak_mb": round(peak / 2**20) if peak else None}


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


def _forecasts(
    snap: Snapshot, graph: FranchiseGraph, when: date
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The forecast of every show waiting on ``when``, with the model fitted here; or why there is none."""
    from sequelcast.forecast import Forecaster, inputs_from_snapshot

    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(
            record=True
        ) as caught:  # kept in the build's counts, not printed
            warnings.simplefilter("always")
            fc = Forecaster(model=DEFAULT_MODEL, random_state=0).fit(
                inputs_from_snapshot(snap, graph), when
            )
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
