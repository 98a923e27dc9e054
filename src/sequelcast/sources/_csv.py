"""Shared reading of CSV sources: rows as dicts, each bad row rejected with its line number."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from sequelcast.domain import Batch, Fact
from sequelcast.errors import SourceFileError
from sequelcast.sources.base import decode_text, reject


def iter_rows(
    data: bytes, source: str, location: str, required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, row)`` pairs; a missing header column stops the file."""
    text = decode_text(data, source, location)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceFileError(
            source, location, f"not the expected CSV: missing column(s) {', '.join(missing)}"
        )
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise SourceFileError(
            source, location, f"CSV error at line {reader.line_num}: {exc}"
        ) from exc


def parse_rows(
    data: bytes,
    location: str,
    *,
    source: str,
    required: tuple[str, ...],
    row_facts: Callable[[dict[str, str]], list[Fact]],
    batch: Batch,
) -> Batch:
    """Run ``row_facts`` on every row; rows that raise go to ``batch.rejects`` with the line."""
    for line, row in iter_rows(data, source, location, required):
        if None in row:  # more cells than header columns
            batch.rejects.append(reject(source, f"{location}:{line}", "too many cells", _raw(row)))
            continue
        try:
            batch.facts.extend(row_facts(row))
        except (ValueError, KeyError, TypeError, SyntaxError) as exc:
            batch.rejects.append(reject(source, f"{location}:{line}", str(exc), _raw(row)))
    return batch


def _raw(row: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in row.items()}
