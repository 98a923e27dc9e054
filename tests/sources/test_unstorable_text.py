"""Text UTF-8 cannot store (a lone surrogate from a JSON escape) never reaches the catalog: the record
holding it goes to the rejects, with a reason, and the build stores that reject."""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from pathlib import Path

import pytest

from sequelcast.catalog import open_catalog
from sequelcast.domain import Batch, Fact, Reject
from sequelcast.service import build_catalog
from sequelcast.sources import DATA_SOURCES
from sequelcast.sources.base import (
    lone_surrogate,
    may_hold_surrogates,
    reject,
    reject_unstorable,
    storable,
)

TINY_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
D = date(2020, 1, 1)
SEASON_FILE = Path("raw/mal_tv_seasons_ate329/2015/winter-tiny.json")


def test_every_file_source_checks_its_records() -> None:
    data = (
        (TINY_DATA / SEASON_FILE)
        .read_bytes()
        .replace(b'"The Tiny Show"', b'"The \\ud800Tiny Show"')
    )
    (source,) = [
        s
        for s in DATA_SOURCES
        if s.discover(TINY_DATA)
        and SEASON_FILE in [p.relative_to(TINY_DATA) for p in s.discover(TINY_DATA)]
    ]
    raw = source.parser(data, str(SEASON_FILE))
    assert any(
        f.value == "The \ud800Tiny Show" for f in raw.facts
    )  # what the parser alone lets through
    batch = source.parse(data, str(SEASON_FILE))
    assert not any(f.value == "The \ud800Tiny Show" for f in batch.facts)
    assert len(batch.facts) == len(raw.facts) - 1  # only that record: the entry's other facts stay
    (bad,) = [r for r in batch.rejects if "surrogate" in r.reason]
    assert bad.reason == "title_english holds a lone surrogate (U+D800), text UTF-8 cannot store"
    assert bad.location == str(SEASON_FILE)
    assert '"mal_id": 100' in bad.raw
    assert "\\ud800" in bad.raw
    bad.raw.encode("utf-8")


def test_records_of_every_kind_and_list_fields() -> None:
    b = Batch(source="s", location="f.json")
    b.facts = [Fact(1, "synonyms", ("ok", "x\udfff"), D, "s"), Fact(1, "title", "fine", D, "s")]
    reject_unstorable(b)
    assert [f.field for f in b.facts] == ["title"]
    assert [r.reason for r in b.rejects] == [
        "synonyms holds a lone surrogate (U+DFFF), text UTF-8 cannot store"
    ]


def test_a_reject_can_always_be_stored() -> None:
    r = reject("s\udc80", "dir/\udcff.json", "bad \ud800", {"title": "\ud800"})
    assert r == Reject("s\\udc80", "dir/\\udcff.json", "bad \\ud800", '{"title": "\\ud800"}')
    assert storable("進撃の巨人") == "進撃の巨人"
    assert lone_surrogate("😀") is None


@pytest.mark.parametrize("escape", [b"\\ud800", b"\\uDC80"])
def test_the_build_stores_the_reject_and_never_the_text(tmp_path: Path, escape: bytes) -> None:
    data = tmp_path / "data"
    shutil.copytree(TINY_DATA, data)
    path = data / SEASON_FILE
    path.write_bytes(
        path.read_bytes().replace(b'"The Tiny Show"', b'"The ' + escape + b'Tiny Show"')
    )
    with open_catalog(f"sqlite:///{tmp_path / 'catalog.db'}") as cat:
        report = build_catalog(cat, data, forecasts=False)
        rejects = [r for r in cat.rejects() if "surrogate" in r["reason"]]
        assert len(rejects) == 1
        assert rejects[0]["source"] == "mal_tv_seasons"
        assert report.counts["rejects"] >= 1
        entry = cat.get_anime(100)
        assert entry is not None
        assert entry.title == "Tiny Show"
        assert entry.title_english != "The \ud800Tiny Show"


@pytest.mark.parametrize(
    ("data", "may"),
    [
        ("Shingeki no Kyojin, 進撃の巨人, 😀".encode(), False),
        (b'{"title": "Frieren \\u00e9"}', False),  # an escape of a character that is no surrogate
        (b'{"title": "bad \\ud800"}', True),
        (b'{"title": "bad \\uDFFF"}', True),
        (b"['bad \\U0000dc80']", True),  # a Python literal
        (b"ok" + b"\xed\xa0\x80", True),  # an encoded surrogate: not UTF-8
        (b"\xff\xfe", True),  # not UTF-8: a surrogateescape decoding would give surrogates
        (gzip.compress(b"a,b\n1,2\n"), False),  # a gzip file is judged by its content
        (gzip.compress(b'{"t": "\\ud800"}'), True),
        (b"\x1f\x8bnot really gzip", True),
    ],
)
def test_only_files_that_may_hold_surrogates_are_checked_record_by_record(
    data: bytes, may: bool
) -> None:
    assert may_hold_surrogates(data) is may
