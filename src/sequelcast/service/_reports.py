"""Reports of the service's long operations (plain data, importable without the heavy packages)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class FetchReport:
    source: str
    paths: list[Path]
    records: int
    rejects: int
