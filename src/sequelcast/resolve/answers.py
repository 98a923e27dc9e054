"""The title index of a catalog and what it answers for every catalog title, computed once.

A build stores the :class:`~sequelcast.resolve.TitleIndex` (pickled) and, for every title of the
catalog typed out, the MAL id :func:`~sequelcast.resolve.resolve_one` chooses (or ``None`` when it
refuses), so that a query that is a catalog title is answered by one row lookup. The keys of those
rows are :func:`exact_key` and :func:`parsed_key`.

:func:`index_and_answers` does the whole job from :class:`TitleInputs`, plain data that pickles
quickly: a build runs it in a separate process (see :mod:`sequelcast._worker`), which
imports this module and nothing of the catalog.

Examples
--------
>>> from sequelcast.domain import TitleRecord
>>> inputs = TitleInputs(
...     [TitleRecord(16498, "Shingeki no Kyojin", "main"),
...      TitleRecord(25777, "Shingeki no Kyojin Season 2", "main")],
...     popularity={16498: 4_300_000, 25777: 3_000_000},
... )
>>> blob, rows = index_and_answers(inputs)
>>> [r for r in rows if r["key"] == "=shingeki no kyojin season 2"]
[{'key': '=shingeki no kyojin season 2', 'mal_id': 25777}]
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sequelcast.domain import TitleRecord
from sequelcast.resolve.normalize import ParsedTitle, parse_title

if TYPE_CHECKING:  # the index pulls in numpy and rapidfuzz: imported where it is built
    from sequelcast.resolve.candidates import TitleIndex

__all__ = [
    "TitleInputs",
    "answer_titles",
    "exact_key",
    "index_and_answers",
    "parsed_key",
]


def exact_key(title: str) -> str:
    """The key, in the build's ``title_answers`` table, of a query typed out as a catalog title.

    :func:`~sequelcast.resolve.resolve_one` reads a query only through ``query.strip().casefold()``
    (verbatim titles) and :func:`~sequelcast.resolve.normalize.parse_title` (NFKC, casefold, then
    words). For an ASCII query both are the same for the query and for its stripped, casefolded
    form, so that form is its key; any other query is keyed by itself, stripped. Queries with one
    key get one answer, which the build stores once.

    Examples
    --------
    >>> exact_key("  Spy x Family "), exact_key("SPY×FAMILY")
    ('=spy x family', '=SPY×FAMILY')
    """
    text = title.strip()
    return "=" + (text.casefold() if text.isascii() else text)


def parsed_key(parsed: ParsedTitle) -> str:
    """The key of an ASCII query that is no catalog title (no :func:`exact_key` row): the resolver
    then reads it only through its parsed form, so queries parsed alike get one answer.

    Examples
    --------
    >>> parsed_key(parse_title("Toradora")), parsed_key(parse_title("Overlord II"))
    ('~toradora|toradora|None|None', '~overlord s2|overlord|2|None')
    """
    return "~" + "|".join(map(str, parsed))


@dataclass(frozen=True)
class TitleInputs:
    """What :class:`~sequelcast.resolve.TitleIndex` is built from (see its parameters): every
    title record of the catalog, and the MAL id -> members, type, (franchise, season number) and
    franchise maps, with the franchise id -> number of seasons."""

    records: list[TitleRecord]
    popularity: Mapping[int, int] = field(default_factory=dict)
    types: Mapping[int, str] = field(default_factory=dict)
    seasons: Mapping[int, tuple[str, int]] = field(default_factory=dict)
    franchises: Mapping[int, str] = field(default_factory=dict)
    season_counts: Mapping[str, int] = field(default_factory=dict)

    def index(self) -> TitleIndex:
        """The title index of these inputs."""
        from sequelcast.resolve.candidates import TitleIndex

        return TitleIndex(
            self.records,
            popularity=self.popularity,
            types=self.types,
            seasons=self.seasons,
            franchises=self.franchises,
            season_counts=self.season_counts,
        )


def answer_titles(index: TitleIndex, titles: Iterable[str]) -> list[dict[str, Any]]:
    """What :func:`~sequelcast.resolve.resolve_one` answers (a MAL id, or ``None`` when it refuses)
    for every title typed out (:func:`exact_key`; an ASCII spelling of a title in another script
    too), and for each title's parsed form (:func:`parsed_key`), asked as its normalised spelling
    when that is ASCII, parses back the same and is no title itself."""
    from sequelcast.errors import ResolveError
    from sequelcast.resolve.score import resolve_one

    def answer(query: str) -> int | None:
        try:
            return resolve_one(index, query).mal_id
        except ResolveError:
            return None

    answers: dict[str, int | None] = {}
    parsed: dict[ParsedTitle, None] = {}  # in the order met, so every process answers alike
    for title in titles:
        text = title.strip()
        for query in {text, text.casefold()} if text.casefold().isascii() else {text}:
            key = exact_key(query)
            if key not in answers:
                answers[key] = answer(query)
        parsed.setdefault(parse_title(text))
    for p in parsed:
        if p.norm.isascii() and exact_key(p.norm) not in answers and parse_title(p.norm) == p:
            answers[parsed_key(p)] = answer(p.norm)
    return [{"key": k, "mal_id": m} for k, m in answers.items()]


def index_and_answers(inputs: TitleInputs) -> tuple[bytes, list[dict[str, Any]]]:
    """The title index of ``inputs`` pickled (as a build stores it) and :func:`answer_titles` for
    every title of its records."""
    index = inputs.index()
    answers = answer_titles(index, (r.title for r in inputs.records if r.title))
    return pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL), answers
