"""Title resolution: from what people type to a MyAnimeList entry.

Pure code: no I/O, no database, no network. Build a :class:`TitleIndex` once from the catalog's
titles, then call :meth:`TitleIndex.search` for ranked matches or :func:`resolve_one` for the one
entry a query means (it raises :class:`~sequelcast.errors.ResolveError` rather than guess).

Examples
--------
>>> from sequelcast.domain import TitleRecord
>>> from sequelcast.resolve import TitleIndex, resolve_one
>>> index = TitleIndex(
...     [TitleRecord(40938, "Hige wo Soru. Soshite Joshikousei wo Hirou.", "main"),
...      TitleRecord(40938, "ひげを剃る。そして女子高生を拾う。", "japanese"),
...      TitleRecord(40938, "Higehiro", "synonym")],
...     popularity={40938: 663_323},
... )
>>> resolve_one(index, "ひげを剃る").mal_id
40938
"""

import typing

from sequelcast.resolve.aliases import ALIASES
from sequelcast.resolve.normalize import ParsedTitle, normalize, parse_title, season_hint
from sequelcast.resolve.score import Match, resolve_one

if typing.TYPE_CHECKING:
    from sequelcast.resolve.candidates import TitleIndex

__all__ = [
    "ALIASES",
    "Match",
    "ParsedTitle",
    "TitleIndex",
    "normalize",
    "parse_title",
    "resolve_one",
    "season_hint",
]


def __getattr__(name: str) -> typing.Any:
    """:class:`TitleIndex` is imported on first use (then kept in the module): it pulls in numpy
    and rapidfuzz's fuzzy matching, which a command that only normalises a title does not need."""
    if name == "TitleIndex":
        from sequelcast.resolve.candidates import TitleIndex

        globals()["TitleIndex"] = TitleIndex
        return TitleIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
