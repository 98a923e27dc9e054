"""The one title grammar: season, part and "final" markers, for resolution and franchises alike.

Both :mod:`sequelcast.resolve.normalize` (queries and the title index) and
:mod:`sequelcast.franchise._titles` (which entry continues which) read markers with this module, so
"2nd Season", "Season 2", "Season2", "S2", "Second Season", "II", "第2期" are season 2 for both;
"Part 2", "2nd Cour", "Cour 2" are part 2; "Final Season", "The Final Season" and "Kanketsu-hen"
are the final season. Roman numerals II-VIII are a season anywhere; "V" and "IX" only as the last
word after another word ("Date A Live V"), since a lone "V" is a letter or a name. Pure and fast.

The input is a list of lower-case words (each caller folds its own text: ``&`` becomes ``and`` in
both). :func:`unify` rewrites every marker as one canonical token (``s2``, ``p2``, ``final``);
:func:`split_markers` separates the canonical tokens from the other words; :func:`trailing_markers`
reads only the markers at the end of a title (what a franchise needs), optionally a bare trailing
digit 2-9 ("Gintama 2").
"""

from __future__ import annotations

import re
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
_UNITS = frozenset({"season", "part", "cor", "cour"})  # "cor": "cour" after long-vowel folding
#: Roman numerals read as a season only as the last word of a title, after another word.
_ROMAN_LAST = {"v": 5, "ix": 9}
#: Words naming the final part of a story ("Kanketsu-hen").
_FINAL_WORDS = {("kanketsu", "hen"): 2, ("kanketsuhen",): 1}
_STARTERS = (
    frozenset({"the", "final", "kanketsu", "kanketsuhen"})
    | _UNITS
    | frozenset(_ROMAN)
    | frozenset(_ROMAN_LAST)
)

_ORDINAL_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_DIGIT_RE = re.compile(r"\d")
#: Words that may start or be a season marker; a text without any is left as it is.
_TRIGGER_RE = re.compile(r"\b(?:season|part|cou?r|final|kanketsu|[sp]\d|i[iv]|iii|ix|vi{1,3}|v$)")
#: A canonical marker token, as unify writes it.
_MARKER_TOKEN_RE = re.compile(r"(?<!\S)[sp][1-9]\d?(?!\S)")
_LOOSE_ORDINAL_RE = re.compile(r"(\d{1,2})[a-z]{0,2}")
#: Real words one letter away from "season".
_NOT_SEASON = frozenset({"reason", "seasons", "sesame"})
_MARKER_RE = re.compile(r"([sp])(\d{1,2})")
_GLUED_RE = re.compile(r"(season|part|cou?r)(\d{1,2})")
_JA_SEASON_RE = re.compile(r"第?\s*(?<!\d)(\d{1,2}|[一二三四五六七八九十])\s*(?:期|シーズン)")


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


def fix_season_words(tokens: list[str]) -> list[str]:
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


def _final_marker(tokens: list[str], i: int) -> tuple[str, int] | None:
    """ "The Final Season", "Final Season", "Kanketsu-hen" starting at ``tokens[i]``."""
    if tokens[i : i + 3] == ["the", "final", "season"]:
        return "final", 3
    if tokens[i : i + 2] == ["final", "season"]:
        return "final", 2
    for words, span in _FINAL_WORDS.items():
        if tuple(tokens[i : i + span]) == words:
            return "final", span
    return None


def _marker(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The canonical marker starting at ``tokens[i]`` and how many words it spans, if any."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if (final := _final_marker(tokens, i)) is not None:
        return final
    if tok in _ROMAN_LAST and i == len(tokens) - 1 and i > 0:
        return f"s{_ROMAN_LAST[tok]}", 1
    if tok == "season" and (n := _number(nxt)) is not None:
        return f"s{n}", 2
    if tok in ("part", "cor", "cour") and (n := _number(nxt)) is not None:
        return f"p{n}", 2
    unit_numbered = i + 2 < len(tokens) and _number(tokens[i + 2]) is not None  # "3 part 2"
    if (
        nxt in _UNITS
        and not unit_numbered
        and (n := _number(tok) if _is_ordinal(tok) else _loose_ordinal(tok))
    ):
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


def unify(tokens: list[str]) -> list[str]:
    """Replace every season marker by its canonical token (``s2``, ``p2``, ``final``)."""
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


def split_markers(tokens: list[str]) -> tuple[list[str], SeasonHint | None, int | None]:
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
        elif (
            tok == "final" and base and season in (None, "final") and _only_markers(tokens[i + 1 :])
        ):
            season = "final"
        else:
            base.append(tok)
    return base, season, part


def _is_marker(tok: str) -> bool:
    """Whether ``tok`` is a canonical ``sN``/``pN`` token, as :func:`unify` writes them."""
    return len(tok) > 1 and tok[0] in "sp" and tok[1:].isdigit() and tok[1] != "0" and len(tok) <= 3


def _only_markers(tokens: list[str]) -> bool:
    return all(_is_marker(t) or t == "final" for t in tokens)


def ja_season(text: str) -> str:
    """Replace Japanese season markers (``第2期``, ``2期``, ``第二期``, ``2シーズン``) by ``s2``."""
    return _JA_SEASON_RE.sub(_ja_season, text)


def may_hold_markers(text: str) -> bool:
    """Cheap test: could ``text`` (words joined by spaces) hold a marker at all?"""
    return _TRIGGER_RE.search(text) is not None


def has_marker_token(text: str) -> bool:
    """Does ``text`` (after :func:`unify`) hold a canonical ``sN``/``pN`` token?"""
    return _MARKER_TOKEN_RE.search(text) is not None


def has_digit(text: str) -> bool:
    return _DIGIT_RE.search(text) is not None


class Markers(NamedTuple):
    """The markers at the end of a title and the words before them."""

    base: list[str]
    season: int | None
    part: int | None
    final: bool


def trailing_markers(words: list[str], bare_digit: bool = False) -> Markers:
    """Read the markers at the end of ``words`` (lower-case ASCII words).

    ``bare_digit``: a last word 2-9 with no marker word is a season number ("gintama 2").

    Examples
    --------
    >>> trailing_markers("one punch man 3 part 2".split(), bare_digit=True)
    Markers(base=['one', 'punch', 'man'], season=3, part=2, final=False)
    >>> trailing_markers("shingeki no kyojin the final season kanketsu hen".split())
    Markers(base=['shingeki', 'no', 'kyojin'], season=None, part=None, final=True)
    >>> trailing_markers("date a live v".split()).season
    5
    """
    tokens = unify(words) if may_hold_markers(" ".join(words)) else list(words)
    season: int | None = None
    part: int | None = None
    final = False
    while len(tokens) > 1:
        tok = tokens[-1]
        if _is_marker(tok) and tok[0] == "s" and season is None:
            season = int(tok[1:])
        elif _is_marker(tok) and tok[0] == "p" and part is None:
            part = int(tok[1:])
        elif tok == "final":
            final = True
        elif bare_digit and season is None and len(tok) == 1 and tok in "23456789":
            season = int(tok)
        else:
            break
        tokens.pop()
    return Markers(tokens, season, part, final)


__all__ = [
    "Markers",
    "SeasonHint",
    "fix_season_words",
    "has_digit",
    "has_marker_token",
    "ja_season",
    "may_hold_markers",
    "split_markers",
    "trailing_markers",
    "unify",
]
