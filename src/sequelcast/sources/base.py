"""What every file adapter shares: discovery, reading (I/O) and parsing (pure).

A :class:`FileSource` names a source, the files it reads below a data directory, the date its
facts were observed, and a pure ``parse(data, location) -> Batch`` function. Reading a file is the
only I/O; :func:`read_source_file` turns an unreadable file into a
:class:`~sequelcast.errors.SourceFileError` naming the file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import Any

from sequelcast.domain import Batch, Reject
from sequelcast.errors import SourceFileError

Parser = Callable[[bytes, str], Batch]


@dataclass(frozen=True)
class FileSource:
    """A source made of files below a data directory."""

    name: str
    pattern: str
    parse: Parser
    description: str

    def discover(self, data_dir: Path) -> list[Path]:
        """The files of this source below ``data_dir``, sorted."""
        return sorted(p for p in data_dir.glob(self.pattern) if p.is_file())

    def folder(self, data_dir: Path) -> Path:
        """The deepest folder of :attr:`pattern` without wildcards, below ``data_dir``."""
        fixed = []
        for part in PurePath(self.pattern).parts[:-1]:
            if any(c in part for c in "*?["):
                break
            fixed.append(part)
        return data_dir.joinpath(*fixed)

    def check_readable(self, data_dir: Path) -> None:
        """Raise :class:`SourceFileError` when this source's folder exists but cannot be listed.

        ``Path.glob`` silently skips what it cannot read, which would make a source look absent;
        a folder that is missing altogether is left to the build manifest.
        """
        top = self.folder(data_dir)
        try:
            if not (top.exists() or top.is_symlink()):
                return
            if not top.is_dir():
                raise SourceFileError(self.name, str(top), "is not a readable directory")
            for _ in os.walk(top, onerror=_raise):
                pass
        except OSError as exc:
            where = exc.filename or top
            raise SourceFileError(self.name, str(where),
                                  f"the directory cannot be read ({exc.strerror or exc})") from exc


def _raise(exc: OSError) -> None:
    raise exc


def read_source_file(source: str, path: Path) -> bytes:
    """Read a whole file, or raise :class:`SourceFileError` naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceFileError(source, str(path), exc.strerror or str(exc)) from exc


def decode_text(data: bytes, source: str, location: str) -> str:
    """UTF-8 text (a BOM is dropped), or :class:`SourceFileError`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFileError(
            source, location, f"not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from exc


def decode_json(data: bytes, source: str, location: str) -> Any:
    """Parsed JSON, or :class:`SourceFileError` with the parser's line and column."""
    text = decode_text(data, source, location)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFileError(
            source, location, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc


def reject(source: str, location: str, reason: str, raw: Any) -> Reject:
    """A :class:`Reject` whose ``raw`` is JSON (or the text itself)."""
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = json.dumps(raw, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(raw)
    return Reject(source=source, location=location, reason=reason, raw=text)


def parse_int(value: Any) -> int | None:
    """An int from an int, a float with no fraction, or a numeric string; ``None`` for blanks.

    Raises ``ValueError`` for anything else.
    """
    if value is None or value == "" or value == "Unknown":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value != int(value):
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    text = str(value).strip()
    if text in ("", "Unknown", "None", "nan", "NaN"):
        return None
    try:
        f = float(text)
    except ValueError:
        raise ValueError(f"not an integer: {value!r}") from None
    if f != f or f != int(f):
        raise ValueError(f"not an integer: {value!r}")
    return int(f)


def parse_float(value: Any) -> float | None:
    """A float from a number or numeric string; ``None`` for blanks; ``ValueError`` otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    text = str(value).strip()
    if text in ("", "Unknown", "None", "nan", "NaN"):
        return None
    try:
        f = float(text)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None
    if f != f:
        return None
    return f


_DATE_IN_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_in_name(source: str, location: str) -> date:
    """The (last) ``YYYY-MM-DD`` date in a file's name: the observation date of dated files."""
    found = _DATE_IN_NAME.findall(PurePath(location).name)
    if not found:
        raise SourceFileError(source, location, "the file name carries no YYYY-MM-DD date")
    try:
        return date.fromisoformat(found[-1])
    except ValueError:
        raise SourceFileError(source, location, f"the file name's date {found[-1]} is not a date") from None


def parse_date(value: Any) -> date | None:
    """A date from ``YYYY-MM-DD`` or an ISO timestamp; ``None`` for blanks."""
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value)[:10])
