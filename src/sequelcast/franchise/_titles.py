"""Title patterns that mark a sequel: "2nd Season", "Season 3", "II", "Part 2", "Final Season"...

The markers themselves are read by the one title grammar, :mod:`sequelcast.titles`, which the
resolver uses too; this module adds what a franchise needs on top (stem, subtitle, year qualifier).

:func:`parse_title` turns a MyAnimeList title into a :class:`TitleKey`: the normalized base title
with the trailing sequel markers removed, the markers themselves, the stem before a
``": <subtitle>"`` and a ``"(2019)"`` year qualifier (which marks a remake). Pure and fast: the
real catalog has about 35,000 titles.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sequelcast.titles import trailing_markers

_YEAR = re.compile(r"\(((?:19|20)\d\d)\)")
_TV_TAG = re.compile(r"\((?:tv|ova|ona|movie)\)", re.IGNORECASE)
_SUBTITLE = re.compile(r": | - ")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: Words that mark a side story, never the next main-line season.
SPIN_OFF_WORDS = frozenset({"gaiden", "spinoff", "soushuuhen", "recap"})
#: Words that name a non-TV format; dropped from the stem of movies, OVAs and specials.
_FORMAT_WORDS = re.compile(
    r"\b(?:gekijouban|movie|the movie|ova|oad|ona|specials?|recap|picture drama|tv)\b"
)


@dataclass(frozen=True)
class TitleKey:
    """What a title says about its place in a franchise.

    Attributes
    ----------
    base : str
        Normalized title with trailing sequel markers removed ("shingeki no kyojin").
    stem : str
        Normalized text before the first ``": "`` subtitle, markers removed.
    season : int or None
        Explicit season number ("Season 3", "3rd Season", "II", a trailing digit).
    part : int or None
        Explicit split-cour part ("Part 2", "2nd Cour").
    final : bool
        "Final Season" or "Kanketsu-hen".
    year : int or None
        A ``"(2019)"`` qualifier: MyAnimeList's way to tell a remake from the original.
    subtitle : bool
        The title has a ``": <subtitle>"`` after its stem.
    words : tuple of str
        The words of ``stem``.
    """

    base: str
    stem: str
    season: int | None = None
    part: int | None = None
    final: bool = False
    year: int | None = None
    subtitle: bool = False
    words: tuple[str, ...] = ()

    @property
    def marked(self) -> bool:
        """The title carries an explicit sequel marker (season, part or final)."""
        return self.season is not None or self.part is not None or self.final

    def keys(self) -> tuple[str, ...]:
        """Index keys under which a possible predecessor is looked up (base, then stem)."""
        if self.stem == self.base:
            return (self.base,) if self.base else ()
        return tuple(k for k in (self.base, self.stem) if k)


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces.

    Examples
    --------
    >>> normalize("Re:Zero kara Hajimeru Isekai Seikatsu")
    're zero kara hajimeru isekai seikatsu'
    >>> normalize("Yuru Camp△ Season 2")
    'yuru camp season 2'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", text.lower().replace("&", " and ")).strip()


def strip_markers(text: str) -> tuple[str, dict[str, int | bool]]:
    """Remove trailing sequel markers from a normalized title (the one grammar of
    :mod:`sequelcast.titles`, with a bare trailing digit 2-9 read as a season).

    Examples
    --------
    >>> strip_markers("re zero kara hajimeru isekai seikatsu 2nd season part 2")
    ('re zero kara hajimeru isekai seikatsu', {'part': 2, 'season': 2})
    """
    words = text.split()
    if not words:
        return text, {}
    m = trailing_markers(words, bare_digit=True)
    found: dict[str, int | bool] = {}
    if m.part is not None:
        found["part"] = m.part
    if m.season is not None:
        found["season"] = m.season
    if m.final:
        found["final"] = True
    return (" ".join(m.base) if found else text), found


@lru_cache(maxsize=65536)
def parse_title(title: str) -> TitleKey:
    """Parse a MyAnimeList title into a :class:`TitleKey`.

    Examples
    --------
    >>> k = parse_title("Shingeki no Kyojin: The Final Season Part 2")
    >>> (k.base, k.part, k.final)
    ('shingeki no kyojin', 2, True)
    >>> parse_title("Fruits Basket (2019)").year
    2019
    >>> parse_title("Kimetsu no Yaiba: Yuukaku-hen").stem
    'kimetsu no yaiba'
    """
    year = None
    bare = title
    if "(" in title:
        year_match = _YEAR.search(title)
        year = int(year_match.group(1)) if year_match else None
        bare = _TV_TAG.sub(" ", _YEAR.sub(" ", title))
    base, found = strip_markers(normalize(bare))
    head, *rest = _SUBTITLE.split(bare, maxsplit=1)
    stem, has_subtitle = base, False
    if rest:
        stem, stem_found = strip_markers(normalize(head))
        for kind, value in stem_found.items():
            found.setdefault(kind, value)
        has_subtitle = bool(strip_markers(normalize(rest[0]))[0])
    season = found.get("season")
    part = found.get("part")
    return TitleKey(
        base=base,
        stem=stem,
        season=int(season) if season else None,
        part=int(part) if part else None,
        final=bool(found.get("final")),
        year=year,
        subtitle=has_subtitle,
        words=tuple(stem.split()),
    )


def format_stem(title: str) -> str:
    """The stem of a movie/OVA/special title with format words dropped, for attaching it.

    Examples
    --------
    >>> format_stem("Kimetsu no Yaiba Movie: Mugen Ressha-hen")
    'kimetsu no yaiba'
    """
    key = parse_title(title)
    return " ".join(_FORMAT_WORDS.sub(" ", key.stem).split())


def has_format_word(title: str) -> bool:
    """The title names a non-TV format ("Movie", "OVA", "Specials", "Recap"...).

    >>> has_format_word("Overlord: Sei Oukoku-hen - Manner Movie"), has_format_word("Overlord IV")
    (True, False)
    """
    return _FORMAT_WORDS.search(normalize(title)) is not None


def loosely_agree(a: TitleKey, b: TitleKey) -> bool:
    """Two titles plausibly name the same franchise (used to confirm a Fribb cluster link).

    True when one stem's words start the other's ("gintama" and "gintama shirogane no
    tamashii hen"; "mahouka koukou no rettousei" and "mahouka koukou no yuutousei" do not agree).

    Examples
    --------
    >>> loosely_agree(parse_title("Steins;Gate"), parse_title("ChäoS;HEAd"))
    False
    >>> loosely_agree(parse_title("Kaguya-sama wa Kokurasetai: Ultra Romantic"),
    ...               parse_title("Kaguya-sama wa Kokurasetai? Tensai-tachi no Renai Zunousen"))
    True
    """
    wa, wb = a.words, b.words
    if not wa or not wb:
        return False
    if len(wa) > len(wb):
        wa, wb = wb, wa
    return wb[: len(wa)] == wa
