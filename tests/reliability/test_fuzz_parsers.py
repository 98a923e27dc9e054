"""Random bytes and unicode into every source parser and the resolver: parsed or rejected, never a crash.

A parser may answer with a :class:`~sequelcast.domain.Batch` (bad records in ``rejects``, each with a
reason) or refuse the whole file with :class:`~sequelcast.errors.SourceFileError` naming it. The
resolver may return candidates or raise :class:`~sequelcast.errors.ResolveError`. Anything else is a bug.

The text drawn includes lone surrogates (``"\\ud800"``): as raw bytes they are not UTF-8 (the file
is refused); as JSON escapes they decode to text UTF-8 cannot store, so the record holding one must
be rejected with a reason, and no accepted record may hold one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequelcast.catalog import open_catalog
from sequelcast.domain import Batch
from sequelcast.errors import NotFoundError, ResolveError, SourceFileError
from sequelcast.resolve import TitleIndex, resolve_one
from sequelcast.service._app import parse_mal_id
from sequelcast.sources import DATA_SOURCES, FileSource
from sequelcast.sources.base import lone_surrogate, read_source_file

from .conftest import TINY_DATA, build_tiny

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SOURCES = [pytest.param(s, id=f"{s.name}:{s.pattern.rsplit('/', 1)[-1]}") for s in DATA_SOURCES]

#: any code point, lone surrogates included (and drawn often: hypothesis leaves them out by default)
chars = st.characters(exclude_categories=()) | st.sampled_from(
    ["\ud800", "\udbff", "\udc80", "\udfff"]
)
texts = st.text(chars, max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5),
    max_leaves=30,
)


def _location(src: FileSource) -> str:
    """A location the source's files could have (with a date in the name for dated sources)."""
    return src.pattern.replace("<year>", "2020").replace("*", "x_2020-01-01", 1).replace("*", "")


def _refusal(func: Any, *args: Any, kind: type[Exception]) -> tuple[Any, str | None]:
    """``(func(*args), None)``, or ``(None, message)`` when it raised ``kind``."""
    try:
        return func(*args), None
    except kind as exc:
        return None, str(exc)


def _check(src: FileSource, data: bytes) -> None:
    batch, refused = _refusal(src.parse, data, _location(src), kind=SourceFileError)
    if refused is not None:
        assert src.name in refused
        return
    assert isinstance(batch, Batch)
    for r in batch.rejects:
        assert r.reason
        assert r.location
        for text in (r.source, r.location, r.reason, r.raw):
            text.encode("utf-8")  # every reject can be stored
    for record in batch.records():
        for value in vars(record).values():
            for text in value if isinstance(value, tuple | list) else (value,):
                assert not (isinstance(text, str) and lone_surrogate(text)), record


def _mutations(src: FileSource) -> list[bytes]:
    """A real fixture file of this source, if there is one (mutated below: random cuts and inserts)."""
    files = src.discover(TINY_DATA)
    return [read_source_file(src.name, p) for p in files[:1]]


@pytest.mark.parametrize("src", SOURCES)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(src: FileSource, data: bytes) -> None:
    _check(src, data)


@pytest.mark.parametrize("src", SOURCES)
@FUZZ
@given(text=st.text(chars, max_size=500))
def test_random_unicode(src: FileSource, text: str) -> None:
    _check(src, text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("src", SOURCES)
@FUZZ
@given(value=json_values)
def test_random_json(src: FileSource, value: Any) -> None:
    _check(src, json.dumps(value).encode())


@pytest.mark.parametrize("src", SOURCES)
@FUZZ
@given(data=st.data())
def test_damaged_real_files(src: FileSource, data: st.DataObject) -> None:
    originals = _mutations(src)
    if not originals:
        return
    original = originals[0]
    cut = data.draw(st.integers(0, len(original)))
    junk = data.draw(st.text(chars, max_size=30)).encode("utf-8", "surrogatepass")
    _check(src, original[:cut] + junk + original[cut + data.draw(st.integers(0, 40)) :])


@pytest.mark.parametrize("src", SOURCES)
@FUZZ
@given(data=st.data())
def test_lone_surrogate_escapes_in_real_files(src: FileSource, data: st.DataObject) -> None:
    """A JSON escape of a lone surrogate put inside a string of a real file (valid UTF-8 bytes)."""
    originals = _mutations(src)
    if not originals:
        return
    original = originals[0]
    quotes = [i for i, b in enumerate(original) if b == ord('"')]
    if not quotes:
        return
    at = data.draw(st.sampled_from(quotes)) + 1
    escape = data.draw(st.sampled_from([b"\\ud800", b"\\uDFFF", b"\\udc80x", b"\\ud83d"]))
    _check(src, original[:at] + escape + original[at:])


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> TitleIndex:
    url = build_tiny(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'catalog.db'}")
    with open_catalog(url, create=False) as cat:
        popularity, types = cat.popularity_and_types()
        return TitleIndex(
            cat.titles(), popularity=popularity, types=types, seasons=cat.season_numbers()
        )


@FUZZ
@given(query=st.text(max_size=200))
def test_the_resolver_never_crashes(index: TitleIndex, query: str) -> None:
    matches, refused = _refusal(index.search, query, 5, kind=ResolveError)
    assert refused != ""  # a query with nothing to match is rejected with a reason
    assert all(0 <= m.score <= 100 for m in matches or [])
    _, refused = _refusal(resolve_one, index, query, kind=ResolveError)
    assert refused != ""
    try:
        parse_mal_id(query.strip())
    except NotFoundError:
        pass


def test_the_fuzzed_sources_are_every_source() -> None:
    assert {s.name for s in DATA_SOURCES} == {p.values[0].name for p in SOURCES}  # type: ignore[attr-defined]
    assert Path(TINY_DATA).is_dir()
