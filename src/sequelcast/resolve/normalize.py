"""Title normalisation: one canonical spelling per title, so that lookups can be exact.

The steps, in order (each documented in ``docs/resolve.md``):

1. NFKC (full-width letters and digits become ASCII, ``Ⅱ`` becomes ``II``), then casefold.
2. Latin diacritics are stripped (``ō`` -> ``o``, ``é`` -> ``e``, ``ø`` -> ``o``); Japanese text
   is kept as it is, so Japanese queries still match Japanese titles.
3. ``&`` becomes ``and``, ``×`` becomes ``x``, apostrophes vanish (``JoJo's`` -> ``jojos``), and every
   other punctuation mark or symbol becomes a space.
4. Per word, romaji spellings are folded: the particle ``wo`` becomes ``o``, long vowels ``ou``/``oo``
   become ``o`` and ``uu`` becomes ``u`` (``Joshikousei`` -> ``joshikosei``).
5. Season markers are unified by the one title grammar, :mod:`sequelcast.titles` (shared with
   the franchise code): ``Season 2``, ``2nd Season``, ``Second Season``, ``S2``, ``II`` and
   ``第2期`` all become ``s2``; ``Part 2`` and ``2nd Cour`` become ``p2``; ``The Final Season`` and
   ``Kanketsu-hen`` become ``final``.

The result is a string of words separated by single spaces, and :func:`normalize` is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from sequelcast.titles import (
    SeasonHint as SeasonHint,
)
from sequelcast.titles import (
    fix_season_words,
    has_digit,
    has_marker_token,
    ja_season,
    may_hold_markers,
    split_markers,
    unify,
)

_APOSTROPHE_RE = re.compile("['’‘`´ʼ]")
_LATIN_RE = re.compile("[\x80-\u036f&×]")
_ASCII_RUN_RE = re.compile(r"[a-z0-9]+")
_NON_WORD_RE = re.compile(r"[\W_]+")
_ASCII_BYTES = bytes(c if chr(c).isalnum() else 32 for c in range(256))
_LONG_O_RE = re.compile(r"o[ou]+")
_LONG_U_RE = re.compile(r"uu+")


def _latin_table() -> dict[int, str]:
    """Translation table that strips diacritics from Latin letters (U+0080 to U+036F)."""
    special = {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i", "ð": "d"}
    table: dict[int, str] = {}
    for code in range(0x80, 0x370):
        ch = chr(code)
        if ch in special:
            table[code] = special[ch]
        elif unicodedata.combining(ch):
            table[code] = ""
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
            )
            if base != ch and base.isascii():
                table[code] = base
    table[ord("&")] = " and "
    table[ord("×")] = " x "
    return table


_LATIN = _latin_table()


class ParsedTitle(NamedTuple):
    """A title split into its normalised form, the form without season markers, and the markers.

    ``season`` is the season number or ``"final"`` the title names (``None``: it names none) and
    ``part`` the part or cour number.
    """

    norm: str
    base: str
    season: SeasonHint | None
    part: int | None


def _tokens(title: str) -> list[str]:
    """Steps 1 to 4: the folded words of ``title``, before season markers are unified."""
    text = unicodedata.normalize("NFKC", title).casefold()
    if text.isascii():
        text = text.replace("&", " and ").encode().translate(_ASCII_BYTES, b"'`").decode()
    else:
        if _LATIN_RE.search(text):
            text = unicodedata.normalize("NFKC", text.translate(_LATIN))
        text = _APOSTROPHE_RE.sub("", text)
        text = _NON_WORD_RE.sub(" ", ja_season(text))
        text = _ASCII_RUN_RE.sub(r" \g<0> ", text)  # split Japanese from Latin words
    # romaji long vowels; the runs never cross a space, so this is the same as word by word
    if "uu" in text:
        text = _LONG_U_RE.sub("u", text)
    if "oo" in text or "ou" in text:
        text = _LONG_O_RE.sub("o", text)
    return ["o" if t == "wo" else t for t in text.split()]


def _canonical_tokens(title: str) -> tuple[list[str], str]:
    """Steps 1 to 5, as words and as text; the season steps run only when a marker may be there."""
    tokens = _tokens(title)
    text = " ".join(tokens)
    if has_digit(text):
        fixed = fix_season_words(tokens)
        if fixed is not tokens:
            tokens, text = fixed, " ".join(fixed)
    if may_hold_markers(text):
        tokens = unify(tokens)
        text = " ".join(tokens)
    return tokens, text


def parse_title(title: str) -> ParsedTitle:
    """Normalise ``title`` and split off the season it names.

    Parameters
    ----------
    title : str
        Any title or query.

    Returns
    -------
    ParsedTitle
        ``norm`` is ``normalize(title)``, ``base`` the same words without season markers.

    Examples
    --------
    >>> parse_title("Shingeki no Kyojin Season 3 Part 2")
    ParsedTitle(norm='shingeki no kyojin s3 p2', base='shingeki no kyojin', season=3, part=2)
    >>> parse_title("Attack on Titan: The Final Season").season
    'final'
    """
    tokens, norm = _canonical_tokens(title)
    if "final" not in norm and not has_marker_token(norm):
        return ParsedTitle(norm, norm, None, None)
    base, season, part = split_markers(tokens)
    if not base:  # the whole title is a marker ("Final", "II"): keep it as words
        base = tokens
    return ParsedTitle(norm, " ".join(base), season, part)


def normalize(title: str) -> str:
    """Return the canonical spelling of ``title`` used for every comparison.

    Parameters
    ----------
    title : str
        A title or a query, in any script.

    Returns
    -------
    str
        Lower-case words separated by single spaces; empty when ``title`` holds no letter or digit.
        ``normalize(normalize(x)) == normalize(x)`` for every string ``x``.

    Examples
    --------
    >>> normalize("Hige wo Soru. Soshite Joshikousei wo Hirou.")
    'hige o soru soshite joshikosei o hiro'
    >>> normalize("ＳＨＩＮＧＥＫＩ no Kyojin 2nd Season")
    'shingeki no kyojin s2'
    >>> normalize("Overlord II") == normalize("overlord season two")
    True
    >>> normalize("Attack on Titan: The Final Season Part 2")
    'attack on titan final p2'
    >>> normalize("ひげを剃る。そして女子高生を拾う。")
    'ひげを剃る そして女子高生を拾う'
    """
    return _canonical_tokens(title)[1]


def season_hint(query: str) -> SeasonHint | None:
    """Return the season a query asks for: a number, ``"final"``, or ``None``.

    Parameters
    ----------
    query : str
        What the user typed.

    Returns
    -------
    int or "final" or None
        The season number named by a marker (``season 3``, ``3rd season``, ``S3``, ``III``,
        ``第3期``), ``"final"`` for "final season", else ``None``. A bare trailing number
        ("overlord 4") is not read as a season here; :class:`TitleIndex` tries that reading only
        when the words before it name a known title.

    Examples
    --------
    >>> season_hint("kaguya sama season 3")
    3
    >>> season_hint("AOT final season")
    'final'
    >>> season_hint("re zero 2nd season part 2")
    2
    >>> season_hint("Higehiro") is None
    True
    """
    return parse_title(query).season
