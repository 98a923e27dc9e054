"""What every file adapter shares: discovery, reading (I/O) and parsing (pure).

A :class:`FileSource` names a source, the files it reads below a data directory, the date its
facts were observed, and a pure ``parse(data, location) -> Batch`` function. Reading a file is the
only I/O; :func:`read_source_file` turns an unreadable file into a
:class:`~sequelcast.errors.SourceFileError` naming the file.

Every file parser runs through :meth:`FileSource.parse`, which sends each record holding text that
UTF-8 cannot store (a lone surrogate, e.g. from a JSON escape such as ``"\\ud800"``) to the
rejects with a reason (:func:`reject_unstorable`): one check for every source.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import zlib
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
    parser: Parser
    description: str

    def parse(self, data: bytes, location: str) -> Batch:
        """The records of one file (``parser``), those with text UTF-8 cannot store moved to the
        rejects (each record is checked only when the file :func:`may_hold_surrogates`)."""
        batch = self.parser(data, location)
        return reject_unstorable(batch) if may_hold_surrogates(data) else batch

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
            raise SourceFileError(
                self.name, str(where), f"the directory cannot be read ({exc.strerror or exc})"
            ) from exc


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
    """A :class:`Reject` whose ``raw`` is JSON (or the text itself); a lone surrogate in any of its
    texts is written as its ``\\udxxx`` escape, so that every reject can be stored."""
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = json.dumps(raw, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(raw)
    return Reject(
        source=storable(source),
        location=storable(location),
        reason=storable(reason),
        raw=storable(text),
    )


_SURROGATE = re.compile("[\ud800-\udfff]")
#: An escape that names a surrogate: JSON's and Python's ``\ud800``, Python's ``\U0000d800``
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]|\\U0000[dD][89a-fA-F]")


def may_hold_surrogates(data: bytes) -> bool:
    r"""Whether text parsed from the file ``data`` could hold a lone surrogate.

    A parser can only produce one from an escape that names a surrogate, or from bytes that are
    not UTF-8 (a ``surrogateescape`` decoding; strict UTF-8 has no surrogates). A gzip file is
    judged by its content. ``False`` lets a file's records skip the per-record check.

    >>> may_hold_surrogates("進撃の巨人 é".encode()), may_hold_surrogates(rb'{"t": "\ud800"}')
    (False, True)
    >>> may_hold_surrogates(b"caf\xe9")  # Latin-1, not UTF-8
    True
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return True
    if _SURROGATE_ESCAPE.search(data):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def lone_surrogate(text: str) -> str | None:
    """The first lone surrogate of ``text`` (a code point UTF-8 cannot encode), or ``None``.

    >>> lone_surrogate("Frieren"), lone_surrogate("進撃の巨人"), lone_surrogate("bad \\ud800 text")
    (None, None, '\\ud800')
    """
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    return found.group() if found else None


def storable(text: str) -> str:
    """``text`` with every lone surrogate written as its escape (``\\ud800``): text UTF-8 can store.

    >>> storable("a\\udc80b")
    'a\\\\udc80b'
    """
    if lone_surrogate(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _unstorable_field(record: Any) -> tuple[str, str] | None:
    """``(field, surrogate)`` of the first text of ``record`` (a str, or a list/tuple of them) that
    UTF-8 cannot store; a fact's value is named by the fact's field."""
    for name, value in vars(record).items():
        if type(value) is str:
            bad = lone_surrogate(value)
        elif isinstance(value, (tuple, list)):
            bad = next((b for v in value if isinstance(v, str) and (b := lone_surrogate(v))), None)
        else:
            continue
        if bad is not None:
            return (str(vars(record).get("field", name)) if name == "value" else name), bad
    return None


_RECORD_LISTS = tuple(
    f.name
    for f in dataclasses.fields(Batch)
    if f.name not in ("rejects", "source", "location", "observed_at", "skipped")
)


def reject_unstorable(batch: Batch) -> Batch:
    """Move every record of ``batch`` holding text that UTF-8 cannot store (a lone surrogate, which
    Python lets a JSON escape or a ``surrogateescape`` decoding produce) to ``batch.rejects``, with a
    reason naming the field and the code point. Returns ``batch`` (changed in place)."""
    for name in _RECORD_LISTS:
        records = getattr(batch, name)
        bad = [
            (i, found) for i, r in enumerate(records) if (found := _unstorable_field(r)) is not None
        ]
        if not bad:
            continue
        drop = {i for i, _ in bad}
        for i, (fld, char) in bad:
            rec = records[i]
            batch.rejects.append(
                reject(
                    batch.source,
                    batch.location,
                    f"{fld} holds a lone surrogate (U+{ord(char):04X}), text UTF-8 cannot store",
                    {"record": type(rec).__name__, **vars(rec)},
                )
            )
        setattr(batch, name, [r for i, r in enumerate(records) if i not in drop])
    return batch


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
        raise SourceFileError(
            source, location, f"the file name's date {found[-1]} is not a date"
        ) from None


def parse_date(value: Any) -> date | None:
    """A date from ``YYYY-MM-DD`` or an ISO timestamp; ``None`` for blanks."""
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value)[:10])
