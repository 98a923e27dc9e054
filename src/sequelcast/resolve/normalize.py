"""Title normalisation: one canonical spelling per title, so that lookups can be exact.

The steps, in order (each documented in ``docs/resolve.md``):

1. NFKC (full-width letters and digits become ASCII, ``Ⅱ`` becomes ``II``), then casefold.
2. Latin diacritics are stripped (``ō`` -> ``o``, ``é`` -> ``e``, ``ø`` -> ``o``); Japanese text
   is kept as it is, so Japanese queries still match Japanese titles.
3. ``&`` becomes ``and``, ``×`` becomes ``x``, apostrophes vanish (``JoJo's`` -> ``jojos``), and every
   other punctuation mark or symbol becomes a space.
4. Per word, romaji spellings are folded: the particle ``wo`` becomes ``o``, long vowels ``ou``/``oo``
   become ``o`` and ``uu`` becomes ``u`` (``Joshikousei`` -> ``joshikosei``).
5. Season markers are unified: ``Season 2``, ``2nd Season``, ``Second Season``, ``S2``, ``II`` and
   ``第2期`` all become ``s2``; ``Part 2`` and ``2nd Cour`` become ``p2``; ``The Final Season`` becomes
   ``final``.

The result is a string of words separated by single spaces, and :func:`normalize` is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, NamedTuple

from rapidfuzz.distance import OSA

SeasonHint = int | Literal["final"]

_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "forth": 4,  # "fourth" after long-vowel folding
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
#: Standalone Roman numerals read as a season number ("Overlord II"). "I", "V" and "X" are left
#: alone: they are words ("I Shaved"), letters ("Hunter x Hunter") or names.
_ROMAN = {"ii": 2, "iii": 3, "iv": 4, "vi": 6, "vii": 7, "viii": 8}
_KANJI_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_MAX_SEASON = 99
_UNITS = frozenset({"season", "part", "cor"})
_STARTERS = frozenset({"the", "final"}) | _UNITS | frozenset(_ROMAN)

_ORDINAL_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_DIGIT_RE = re.compile(r"\d")
#: Words that may start or be a season marker; a text without any is left as it is.
_TRIGGER_RE = re.compile(r"\b(?:season|part|cor|final|[sp]\d|i[iv]|iii|vi{1,3})")
#: A canonical marker token, as _unify writes it.
_MARKER_TOKEN_RE = re.compile(r"(?<!\S)[sp][1-9]\d?(?!\S)")
_LOOSE_ORDINAL_RE = re.compile(r"(\d{1,2})[a-z]{0,2}")
#: Real words one letter away from "season".
_NOT_SEASON = frozenset({"reason", "seasons", "sesame"})
_MARKER_RE = re.compile(r"([sp])(\d{1,2})")
_GLUED_RE = re.compile(r"(season|part|cor)(\d{1,2})")
_JA_SEASON_RE = re.compile(r"第?\s*(?<!\d)(\d{1,2}|[一二三四五六七八九十])\s*(?:期|シーズン)")
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


def _number(token: str) -> int | None:
    """The season number a single word stands for (``2``, ``2nd``, ``second``, ``two``, ``ii``)."""
    if token.isdigit():
        value = int(token)
    elif m := _ORDINAL_RE.fullmatch(token):
        value = int(m.group(1))
    else:
        value = _ORDINAL_WORDS.get(token) or _NUMBER_WORDS.get(token) or _ROMAN.get(token) or 0
    return value if 0 < value <= _MAX_SEASON else None


def _loose_ordinal(token: str) -> int | None:
    """A number with up to two letters after it, as typed before "season" ("2n", "3rs", "4")."""
    m = _LOOSE_ORDINAL_RE.fullmatch(token)
    return int(m.group(1)) if m and 0 < int(m.group(1)) <= _MAX_SEASON else None


def _fix_season_words(tokens: list[str]) -> list[str]:
    """Read a one-edit misspelling of "season" next to a number as "season" ("2nd seaon")."""
    out = tokens
    for i, tok in enumerate(tokens):
        if not 5 <= len(tok) <= 7 or tok in _UNITS or tok in _NOT_SEASON:
            continue
        if OSA.distance(tok, "season", score_cutoff=1) > 1:
            continue
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if _loose_ordinal(before) or _loose_ordinal(after):
            out = out if out is not tokens else list(tokens)
            out[i] = "season"
    return out


def _is_ordinal(token: str) -> bool:
    return bool(_ORDINAL_RE.fullmatch(token)) or token in _ORDINAL_WORDS


def _marker(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The canonical marker starting at ``tokens[i]`` and how many words it spans, if any."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if tok == "the" and nxt == "final" and tokens[i + 2 : i + 3] == ["season"]:
        return "final", 3
    if tok == "final" and nxt == "season":
        return "final", 2
    if tok == "season" and (n := _number(nxt)) is not None:
        return f"s{n}", 2
    if tok in ("part", "cor") and (n := _number(nxt)) is not None:
        return f"p{n}", 2
    if nxt in _UNITS and (n := _number(tok) if _is_ordinal(tok) else _loose_ordinal(tok)):
        return f"{'s' if nxt == 'season' else 'p'}{n}", 2
    if (m := _MARKER_RE.fullmatch(tok)) and 0 < int(m.group(2)):
        return f"{m.group(1)}{int(m.group(2))}", 1
    if tok in _ROMAN:
        return f"s{_ROMAN[tok]}", 1
    if m := _GLUED_RE.fullmatch(tok):
        n = int(m.group(2))
        return (f"{'p' if m.group(1) != 'season' else 's'}{n}", 1) if n > 0 else None
    return None


def _ja_season(match: re.Match[str]) -> str:
    raw = match.group(1)
    value = int(raw) if raw.isdigit() else _KANJI_DIGITS[raw]
    return f" s{value} " if value > 0 else " "


def _tokens(title: str) -> list[str]:
    """Steps 1 to 4: the folded words of ``title``, before season markers are unified."""
    text = unicodedata.normalize("NFKC", title).casefold()
    if text.isascii():
        text = text.replace("&", " and ").encode().translate(_ASCII_BYTES, b"'`").decode()
    else:
        if _LATIN_RE.search(text):
            text = unicodedata.normalize("NFKC", text.translate(_LATIN))
        text = _APOSTROPHE_RE.sub("", text)
        text = _NON_WORD_RE.sub(" ", _JA_SEASON_RE.sub(_ja_season, text))
        text = _ASCII_RUN_RE.sub(r" \g<0> ", text)  # split Japanese from Latin words
    # romaji long vowels; the runs never cross a space, so this is the same as word by word
    if "uu" in text:
        text = _LONG_U_RE.sub("u", text)
    if "oo" in text or "ou" in text:
        text = _LONG_O_RE.sub("o", text)
    return ["o" if t == "wo" else t for t in text.split()]


def _unify(tokens: list[str]) -> list[str]:
    """Step 5: replace every season marker by its canonical token."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if (
            tok not in _STARTERS
            and tok[0] not in "spc"
            and (i + 1 == n or tokens[i + 1] not in _UNITS)
        ):
            out.append(tok)
            i += 1
            continue
        found = _marker(tokens, i)
        if tok == "season" and out and out[-1] == "final":  # "final season season"
            i += 1
        elif found is None:
            out.append(tok)
            i += 1
        else:
            out.append(found[0])
            i += found[1]
    return out


def _split(tokens: list[str]) -> tuple[list[str], SeasonHint | None, int | None]:
    """Separate canonical marker tokens from the other words.

    A bare ``final`` counts as a season only as the last word before any markers and after at
    least one other word ("shingeki no kyojin final p2", not "final fantasy" or "initial d final
    stage").
    """
    base: list[str] = []
    season: SeasonHint | None = None
    part: int | None = None
    for i, tok in enumerate(tokens):
        if _is_marker(tok):
            if tok[0] == "s":
                season = int(tok[1:])
            else:
                part = int(tok[1:])
        elif tok == "final" and base and season is None and _only_markers(tokens[i + 1 :]):
            season = "final"
        else:
            base.append(tok)
    return base, season, part


def _is_marker(tok: str) -> bool:
    """Whether ``tok`` is a canonical ``sN``/``pN`` token, as :func:`_unify` writes them."""
    return len(tok) > 1 and tok[0] in "sp" and tok[1:].isdigit() and tok[1] != "0" and len(tok) <= 3


def _only_markers(tokens: list[str]) -> bool:
    return all(_is_marker(t) for t in tokens)


def _canonical_tokens(title: str) -> tuple[list[str], str]:
    """Steps 1 to 5, as words and as text; the season steps run only when a marker may be there."""
    tokens = _tokens(title)
    text = " ".join(tokens)
    if _DIGIT_RE.search(text):
        fixed = _fix_season_words(tokens)
        if fixed is not tokens:
            tokens, text = fixed, " ".join(fixed)
    if _TRIGGER_RE.search(text):
        tokens = _unify(tokens)
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
    if "final" not in norm and not _MARKER_TOKEN_RE.search(norm):
        return ParsedTitle(norm, norm, None, None)
    base, season, part = _split(tokens)
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
