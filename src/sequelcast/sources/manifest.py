"""The build manifest: what each source gave a build, and whether a new build may replace the last one.

A build records, per source, how many files it read and how many records they held
(``builds.counts["per_source"]``). Before the next build replaces the catalog, :func:`check_manifest`
compares the two and refuses (:class:`~sequelcast.errors.BuildRefusedError`, naming the source) when

* a source the previous build read gives no file now (a folder was moved, renamed or emptied), or
* a source's record count falls by more than :data:`SHARP_FALL` (10 %) of the previous count
  (files of the source went missing, or were truncated).

A growing source, a new source, or a fall of 10 % or less is accepted. ``allow_missing`` names the
sources the user accepts losing (``sequelcast build --allow-missing SOURCE``); ``"all"`` accepts every one.
The first build of a catalog has nothing to compare with and is only checked for readable folders
(:meth:`~sequelcast.sources.base.FileSource.check_readable`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sequelcast.domain import Batch
from sequelcast.errors import BuildRefusedError

#: A source whose record count falls by more than this fraction of the previous build's is refused.
SHARP_FALL = 0.10
#: The ``--allow-missing`` value that accepts every source.
ALLOW_ALL = "all"


@dataclass(frozen=True)
class SourceCount:
    """What one source gave a build."""

    files: int
    records: int

    def json(self) -> dict[str, int]:
        return {"files": self.files, "records": self.records}


def source_counts(batches: Iterable[Batch]) -> dict[str, SourceCount]:
    """Files and records per source of the batches of one build, sorted by source."""
    files: dict[str, int] = {}
    records: dict[str, int] = {}
    for b in batches:
        files[b.source] = files.get(b.source, 0) + 1
        records[b.source] = records.get(b.source, 0) + len(b)
    return {k: SourceCount(files[k], records[k]) for k in sorted(files)}


def previous_counts(
    counts: Mapping[str, Any] | None, patterns: Iterable[tuple[str, str]]
) -> dict[str, SourceCount]:
    """Per-source counts of a stored build (``builds.counts``); empty when there was no build.

    Builds made before the manifest existed stored only ``per_file`` (location -> records); their
    files are given to the source whose ``(name, pattern)`` in ``patterns`` matches the location.
    """
    if not counts:
        return {}
    stored = counts.get("per_source")
    if isinstance(stored, Mapping):
        return {
            str(k): SourceCount(int(v.get("files", 0)), int(v.get("records", 0)))
            for k, v in stored.items()
            if isinstance(v, Mapping)
        }
    per_file = counts.get("per_file")
    if not isinstance(per_file, Mapping):
        return {}
    pats = list(patterns)
    files: dict[str, int] = {}
    records: dict[str, int] = {}
    for location, row in per_file.items():
        name = next((n for n, p in pats if PurePosixPath(location).match(p)), None)
        if name is None or not isinstance(row, Mapping):
            continue
        files[name] = files.get(name, 0) + 1
        records[name] = records.get(name, 0) + int(row.get("records", 0))
    return {k: SourceCount(files[k], records[k]) for k in sorted(files)}


def manifest_problems(
    previous: Mapping[str, SourceCount], current: Mapping[str, SourceCount]
) -> dict[str, str]:
    """Source -> what is wrong with it, for every source missing or sharply smaller than before."""
    problems: dict[str, str] = {}
    for name, before in previous.items():
        now = current.get(name)
        if before.records <= 0 and before.files <= 0:
            continue
        if now is None or now.files == 0:
            problems[name] = (
                f"no file found (the previous build read {before.files:,} "
                f"file(s) with {before.records:,} records)"
            )
        elif now.records < before.records * (1 - SHARP_FALL):
            fall = 1 - now.records / before.records
            problems[name] = (
                f"{now.records:,} records in {now.files:,} file(s), {fall:.0%} fewer "
                f"than the previous build's {before.records:,} in {before.files:,}"
            )
    return problems


def check_manifest(
    previous: Mapping[str, SourceCount],
    current: Mapping[str, SourceCount],
    allow_missing: Collection[str] = (),
) -> list[str]:
    """Raise :class:`BuildRefusedError` unless every problem's source is in ``allow_missing``.

    Returns the sources whose problems were accepted (so the caller can say so).
    """
    problems = manifest_problems(previous, current)
    accepted = [k for k in problems if ALLOW_ALL in allow_missing or k in allow_missing]
    refused = [k for k in problems if k not in accepted]
    if refused:
        lines = "; ".join(f"{k}: {problems[k]}" for k in refused)
        flags = " ".join(f"--allow-missing {k}" for k in refused)
        raise BuildRefusedError(
            f"refusing to replace the catalog (it is unchanged): {lines}. Check the data directory, "
            f"or accept the loss with `sequelcast build {flags}`",
            refused,
        )
    return accepted


__all__ = [
    "ALLOW_ALL",
    "SHARP_FALL",
    "SourceCount",
    "check_manifest",
    "manifest_problems",
    "previous_counts",
    "source_counts",
]
